package rules

import (
	"slices"
	"sync"
	"testing"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/internal/testutil"
)

// corpusModel is the model of the corpus sample (the whole corpus with
// CRDMON_FULL_CORPUS=1), loaded once for the package's tests. Tests only
// read it.
func corpusModel(t *testing.T) model.Model {
	t.Helper()
	files := testutil.CorpusSample(t) // skips t when the corpus is absent
	corpus.once.Do(func() {
		in, err := load.Paths(files, nil)
		if err != nil {
			corpus.err = err
			return
		}
		corpus.model = detect.Model(in.CRDs)
	})
	if corpus.err != nil {
		t.Fatal(corpus.err)
	}
	return corpus.model
}

var corpus struct {
	once  sync.Once
	model model.Model
	err   error
}

// TestCorpus renders rules for every CRD of the corpus sample (the whole
// corpus with CRDMON_FULL_CORPUS=1) with and without overrides (Render
// validates them) and runs all their generated promtool tests in Prometheus' engine:
// a few test groups per API group, seconds for the whole corpus.
func TestCorpus(t *testing.T) {
	t.Parallel()
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
			if !slices.ContainsFunc(files, func(f output.File) bool { return f.Path == PlainPath(PackName) }) {
				t.Errorf("no rule pack")
			}
			for _, err := range runUnitTests(t, files) {
				t.Error(err)
			}
		})
	}
}
