package generator_test

import (
	"path/filepath"
	"testing"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/simulate"
	"github.com/crdmon/crdmon/internal/testutil"
)

// The Gatekeeper case (testdata/gatekeeper): constraint CRDs whose status
// schema is untyped, and a crdmon.yaml declaring status.totalViolations. The
// generated kube-state-metrics config, evaluated with kube-state-metrics'
// semantics over exported constraints, serves the count of every object,
// 0 for one the audit has not reached, and logs nothing at the default
// verbosity; with no constraint CRD in the input, the declared wildcard
// kind serves the same.
func TestDeclaredSignalsGatekeeper(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "testdata", "gatekeeper")
	cfg, err := config.Read(filepath.Join(dir, "crdmon.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	objects, err := simulate.ReadObjects([]string{filepath.Join(dir, "objects.yaml")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"ns-must-have-owner": 3, "pods-must-have-app": 0, "repo-is-internal": 0}
	for name, input := range map[string]string{
		"constraint CRDs":    filepath.Join(dir, "crds"),
		"no constraint CRDs": testutil.TestdataCRDs(t),
	} {
		t.Run(name, func(t *testing.T) {
			opts := generator.DefaultOptions()
			opts.Inputs, opts.Config = []string{input}, cfg
			opts.Only = []string{generator.ArtifactKSM}
			res, err := generator.Generate(opts)
			if err != nil {
				t.Fatal(err)
			}
			installed := res.Installed
			if input != filepath.Join(dir, "crds") { // the cluster has them
				for _, kind := range []string{"K8sRequiredLabels", "K8sAllowedRepos"} {
					installed = append(installed, ksm.CRD{Group: "constraints.gatekeeper.sh", Kind: kind, Served: []string{"v1beta1"}})
				}
			}
			ev, err := ksmeval.EvaluateInstalled(res.KSM, installed, objects)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, s := range ev.Samples() {
				if s.Name == "kube_customresource_problems" {
					if s.Labels["field"] != "status.totalViolations" {
						t.Errorf("sample %v", s)
					}
					got[s.Labels["name"]] = s.Value
				}
			}
			if len(got) != len(want) {
				t.Errorf("problems samples %v, want %v", got, want)
			}
			for n, v := range want {
				if g, ok := got[n]; !ok || g != v {
					t.Errorf("%s: problems %v (present %v), want %v", n, g, ok, v)
				}
			}
			for _, e := range ev.Errors {
				if e.LogV == 0 {
					t.Errorf("kube-state-metrics would log at the default verbosity: %s", e)
				}
			}
		})
	}
}
