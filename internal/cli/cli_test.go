package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/crdmon/crdmon/internal/testutil"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"crdmon": func() {
			os.Exit(Run(os.Args[1:], Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
		},
	})
}

// The scripts in testdata/script run crdmon as a user would and pin its
// stdout, stderr and exit codes. $CRDS is the repository's testdata/crds.
func TestScripts(t *testing.T) {
	crds := testutil.TestdataCRDs(t)
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CRDS", crds)
			return nil
		},
	})
}
