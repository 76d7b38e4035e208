package ksmeval

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/internal/golden"
)

// TestGolden evaluates realistic configs over testdata/objects.yaml and
// compares the exposition (testdata/<name>.prom) and the generation errors
// (testdata/<name>.errors) with golden files; the exposition must parse as
// Prometheus text format.
func TestGolden(t *testing.T) {
	objects := testdataObjects(t)
	for _, name := range []string{"flux", "capi", "crdmon"} {
		t.Run(name, func(t *testing.T) {
			cfg := testdataConfig(t, name)
			res, err := Evaluate(cfg, objects)
			if err != nil {
				t.Fatal(err)
			}
			text := res.Exposition()
			parseExposition(t, text)
			var errs strings.Builder
			for _, e := range res.Errors {
				errs.WriteString(e.String() + "\n")
			}
			golden.Check(t, filepath.Join("testdata", name+".prom"), text)
			golden.Check(t, filepath.Join("testdata", name+".errors"), []byte(errs.String()))

			again, _ := Evaluate(cfg, objects)
			if string(again.Exposition()) != string(text) {
				t.Error("exposition differs between runs")
			}
		})
	}
}
