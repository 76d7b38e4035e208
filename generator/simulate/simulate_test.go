package simulate

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/internal/golden"
	"github.com/crdmon/crdmon/internal/testutil"
)

// report generates from inputs as `crdmon simulate` does and runs the
// objects matched by the globs (relative to the repository root) at testAt.
func report(t *testing.T, inputs []string, objectGlobs []string, tweak func(*generator.Options)) *Report {
	t.Helper()
	root := testutil.RepoRoot(t)
	opts := generator.DefaultOptions()
	opts.Inputs = inputs
	opts.Rules.Format = rules.FormatPlain
	if tweak != nil {
		tweak(&opts)
	}
	res, err := generator.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, g := range objectGlobs {
		paths = append(paths, filepath.Join(root, g))
	}
	objs, err := ReadObjects(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(res, objs, testAt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// tableWithNotes renders the text table followed by the notes.
func tableWithNotes(t *testing.T, rep *Report) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	for _, n := range rep.Notes() {
		b.WriteString("# note: " + n + "\n")
	}
	return b.Bytes()
}

// The example CRDs and objects: healthy, failing, suspended, not yet
// reconciled and recently changed objects of three kinds.
func TestGoldenExamples(t *testing.T) {
	rep := report(t, []string{testutil.TestdataCRDs(t)}, []string{"testdata/objects/*.yaml"}, nil)
	golden.Check(t, filepath.Join("testdata", "examples.txt"), tableWithNotes(t, rep))
	// Annotation texts belong to the templates' goldens (and the property
	// test checks them against the promtool tests): leave them out here.
	for i := range rep.Rows {
		rep.Rows[i].Annotations = nil
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "examples.json"), js.Bytes())
}

// corpusCRDs are the real CRDs of the kinds under testdata/objects/corpus.
var corpusCRDs = []string{
	"cert-manager/cert-manager.io_certificates.yaml",
	"flux-kustomize-controller/kustomize.toolkit.fluxcd.io_kustomizations.yaml",
	"cluster-api/cluster.x-k8s.io_machinedeployments.yaml",
	"cloudnative-pg/postgresql.cnpg.io_clusters.yaml",
}

// Real CRDs with objects as their controllers write them.
func TestGoldenCorpus(t *testing.T) {
	dir := testutil.Corpus(t)
	var inputs []string
	for _, f := range corpusCRDs {
		inputs = append(inputs, filepath.Join(dir, f))
	}
	rep := report(t, inputs, []string{"testdata/objects/corpus"}, nil)
	golden.Check(t, filepath.Join("testdata", "corpus.txt"), tableWithNotes(t, rep))
}

// Every row is an object of the inputs, ok rows appear only for alerts
// reading the object's kind, and controller alerts are reported as not
// evaluated.
func TestRowsAndNotes(t *testing.T) {
	rep := report(t, []string{testutil.TestdataCRDs(t)}, []string{"testdata/objects/*.yaml"}, func(o *generator.Options) {
		o.Rules.InferControllers = true
	})
	if len(rep.NotEvaluated) == 0 {
		t.Error("controller alerts not reported as not evaluated")
	}
	for _, n := range rep.NotEvaluated {
		if !strings.Contains(n, "Reconcile") && !strings.Contains(n, "Workqueue") {
			t.Errorf("%s reported as not evaluated", n)
		}
	}
	seen := map[string]bool{}
	for _, r := range rep.Rows {
		if !strings.HasPrefix(r.Alert, r.Kind) {
			t.Errorf("%s row for alert %s", r.KindName(), r.Alert)
		}
		if r.State != OK && (r.Why == "" || r.Value == nil || r.Labels["alertname"] != r.Alert) {
			t.Errorf("active row without why, value or labels: %+v", r)
		}
		seen[r.Name] = true
	}
	if len(seen) != rep.Objects {
		t.Errorf("%d objects in rows, report counts %d", len(seen), rep.Objects)
	}
	// Per API group, the rows are the same, under the group's alert names.
	group := report(t, []string{testutil.TestdataCRDs(t)}, []string{"testdata/objects/*.yaml"}, func(o *generator.Options) {
		o.Rules.Granularity = rules.PerGroup
	})
	for _, st := range []State{Firing, Pending, OK} {
		if got, want := group.Count(st), rep.Count(st); got != want {
			t.Errorf("per group: %d %s rows, per kind %d", got, st, want)
		}
	}
}

func TestSkippedObjects(t *testing.T) {
	rep := report(t, []string{testutil.TestdataCRDs(t)}, []string{"testdata/objects/databases.yaml"}, nil)
	if len(rep.Skipped) != 0 {
		t.Errorf("skipped %v", rep.Skipped)
	}
	res, err := generator.Generate(generator.Options{Inputs: []string{testutil.TestdataCRDs(t)},
		KSM: generator.DefaultOptions().KSM, Rules: generator.DefaultOptions().Rules, Dashboards: generator.DefaultOptions().Dashboards})
	if err != nil {
		t.Fatal(err)
	}
	objs := []map[string]any{
		{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "a", "namespace": "x"}},
		{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "b", "namespace": "x"}},
		{"apiVersion": "example.crdmon.dev/v0", "kind": "Database", "metadata": map[string]any{"name": "c", "namespace": "x"}},
	}
	rep, err = Run(res, objs, testAt)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"example.crdmon.dev/v0 Database ×1: the generated config reads version v1; export them with kubectl get databases.v1.example.crdmon.dev -A -o yaml",
		"v1 Service ×2: not a kind crdmon monitors here (no CRD with health signals among the inputs, or filtered out)",
	}
	if strings.Join(rep.Skipped, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(rep.Skipped, "\n"), strings.Join(want, "\n"))
	}
	if rep.Objects != 0 || len(rep.Rows) != 0 {
		t.Errorf("objects %d, rows %v", rep.Objects, rep.Rows)
	}
}

func TestRunNeedsPlainRules(t *testing.T) {
	opts := generator.DefaultOptions()
	opts.Inputs = []string{testutil.TestdataCRDs(t)}
	opts.Rules.Format = rules.FormatPrometheusRule
	res, err := generator.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(res, nil, testAt); err == nil || !strings.Contains(err.Error(), "no plain rule files") {
		t.Errorf("got %v, want an error about plain rule files", err)
	}
}
