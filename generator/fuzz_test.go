package generator_test

import (
	"errors"
	"testing"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// Any CRD the loader accepts: generation either succeeds with output that
// validates (validateOutput) or fails with an error; it never panics, and
// accepted input never makes a renderer produce output that fails its own
// validation.
func FuzzGenerate(f *testing.F) {
	testutil.AddCorpusSeeds(f, 16<<10)
	f.Fuzz(func(t *testing.T, data []byte) {
		loaded, err := load.Bytes("fuzz.yaml", data)
		if err != nil {
			return
		}
		res, err := generator.FromCRDs(loaded, generator.DefaultOptions())
		if err != nil {
			var ve *generator.ValidationError
			if errors.As(err, &ve) {
				t.Fatalf("accepted input, generated output fails validation: %v", err)
			}
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			return
		}
		validateOutput(t, res)
	})
}
