package dashboards

import (
	"testing"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// TestCorpus renders (and so validates) the dashboards of every group of
// the CRD corpus (a sample, all with CRDMON_FULL_CORPUS=1), then runs every
// panel query over fixture series of every kind, evaluated through the
// generated kube-state-metrics config and then through the generated health
// recording rules, and requires data from each; the health counts must
// match the states the rules record for the fixture objects.
func TestCorpus(t *testing.T) {
	in, err := load.Paths(testutil.CorpusSample(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	m := detect.Model(in.CRDs)
	for _, name := range []string{"default", "per-kind"} {
		t.Run(name, func(t *testing.T) {
			if name != "default" && testing.Short() {
				t.Skip("-short")
			}
			sc := newScenario(t, m, optionVariants()[name])
			if len(sc.boards) == 0 {
				t.Fatal("no dashboards from the corpus")
			}
			sc.requireData(t)
			if name == "default" {
				sc.checkCounts(t, [][2]string{{".*", ".*"}, {prodNS, ".*"}})
			}
		})
	}
}
