package ksmeval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/internal/golden"
)

// TestGolden evaluates realistic configs over testdata/objects.yaml and
// compares the exposition (testdata/<name>.prom) and the generation errors
// (testdata/<name>.errors) with golden files; the exposition must parse as
// Prometheus text format.
func TestGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "objects.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objects, err := LoadObjects(f, "objects.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"flux", "capi", "crdmon"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name+"-config.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var cfg ksm.Config
			if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
				t.Fatal(err)
			}
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
