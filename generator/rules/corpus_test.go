package rules

import (
	"testing"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/internal/testutil"
)

func corpusModel(t *testing.T) model.Model {
	t.Helper()
	in, err := load.Paths([]string{testutil.Corpus(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return detect.Model(in.CRDs)
}

// TestCorpus renders rules for every CRD of the corpus in both granularities
// (Render validates them) and runs the generated promtool tests of a few API
// groups in Prometheus' engine. The tests of every group run under the real
// promtool in CI (.ci/run): in this engine, with a TSDB per case, the whole
// corpus now takes many minutes and gigabytes.
func TestCorpus(t *testing.T) {
	m := corpusModel(t)
	for name, o := range optionVariants() {
		if name == "custom" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			files, err := Render(m, o)
			if err != nil {
				t.Fatal(err)
			}
			alerts := 0
			for _, f := range files {
				if f.Path == PlainPath("cert-manager.io") || f.Path == PlainPath("kustomize.toolkit.fluxcd.io") {
					alerts++
				}
			}
			if alerts != 2 {
				t.Errorf("expected rules for cert-manager.io and kustomize.toolkit.fluxcd.io")
			}
			files = pick(files, "cert-manager.io", "gateway.networking.k8s.io", "postgresql.cnpg.io",
				"kustomize.toolkit.fluxcd.io", "cluster.x-k8s.io")
			for _, err := range runUnitTests(t, files) {
				t.Error(err)
			}
		})
	}
}

// pick keeps the files of the named API groups.
func pick(files []output.File, groups ...string) []output.File {
	var out []output.File
	for _, f := range files {
		for _, g := range groups {
			if f.Path == PlainPath(g) || f.Path == TestPath(g) {
				out = append(out, f)
			}
		}
	}
	return out
}
