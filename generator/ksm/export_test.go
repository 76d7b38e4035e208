package ksm

// WriteConfig is the config's file as Render writes it, resource by
// resource, for the tests of package ksm_test.
func WriteConfig(cfg Config) ([]byte, error) {
	w, err := write(cfg)
	if err != nil {
		return nil, err
	}
	return w.file()
}
