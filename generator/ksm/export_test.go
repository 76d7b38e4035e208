package ksm

// WriteConfig is configFile, for the tests of package ksm_test.
var WriteConfig = configFile
