package simulate

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/internal/golden"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/internal/testutil"
)

// report generates from inputs as `crdmon simulate` does and runs the
// objects matched by the globs (relative to the repository root) at testAt.
func report(t *testing.T, inputs []string, objectGlobs []string, tweak func(*generator.Options)) *Report {
	t.Helper()
	root := testutil.RepoRoot(t)
	var paths []string
	for _, g := range objectGlobs {
		paths = append(paths, filepath.Join(root, g))
	}
	objs, err := ReadObjects(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	return generateAndRun(t, inputs, tweak, objs)
}

// generateAndRun generates plain rule files from inputs (with tweak, when
// set, applied to the options) and evaluates them over objs at testAt.
func generateAndRun(t *testing.T, inputs []string, tweak func(*generator.Options), objs []map[string]any) *Report {
	t.Helper()
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
		if !strings.Contains(n, "Controller") && !strings.Contains(n, "Workqueue") {
			t.Errorf("%s reported as not evaluated", n)
		}
	}
	seen := map[string]bool{}
	for _, r := range rep.Rows {
		if !strings.HasPrefix(r.Alert, "CustomResource") {
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
}

// Objects of other kinds are skipped with a note; objects at another version
// of a kind the config watches are evaluated at the watched version, and
// objects without a name under a made-up one, each with a note; the objects
// given are left as they were.
func TestSkippedConvertedAndUnnamedObjects(t *testing.T) {
	rep := report(t, []string{testutil.TestdataCRDs(t)}, []string{"testdata/objects/databases.yaml"}, nil)
	if len(rep.Skipped)+len(rep.Converted)+len(rep.Unnamed) != 0 || rep.NoSignals {
		t.Errorf("skipped %v, converted %v, unnamed %v, no signals %v", rep.Skipped, rep.Converted, rep.Unnamed, rep.NoSignals)
	}
	opts := generator.DefaultOptions()
	opts.Inputs = []string{testutil.TestdataCRDs(t)}
	res, err := generator.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	old := map[string]any{"apiVersion": "example.crdmon.dev/v0", "kind": "Database", "metadata": map[string]any{"name": "c", "namespace": "x"},
		"status": map[string]any{"phase": "Failed"}}
	objs := []map[string]any{
		{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "a", "namespace": "x"}},
		{"apiVersion": "v1", "kind": "Service", "metadata": map[string]any{"name": "b", "namespace": "x"}},
		old,
		{"apiVersion": "example.crdmon.dev/v1", "kind": "Database", "metadata": map[string]any{"namespace": "x"}},
		{"apiVersion": "example.crdmon.dev/v1", "kind": "Database"},
	}
	rep, err = Run(res, objs, testAt)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"skipped", rep.Skipped, []string{"v1 Service ×2: not a kind crdmon monitors here (no CRD with health signals among the inputs, or filtered out)"}},
		{"converted", rep.Converted, []string{"example.crdmon.dev/v0 Database ×1: evaluated as served at example.crdmon.dev/v1, the version the generated config watches (the API server converts objects to the version a client asks for)"}},
		{"unnamed", rep.Unnamed, []string{"example.crdmon.dev/v1 Database ×2 without metadata.name (the API server always sets one): evaluated as unnamed-1, unnamed-2"}},
	} {
		if strings.Join(c.got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%s:\n%s\nwant:\n%s", c.what, strings.Join(c.got, "\n"), strings.Join(c.want, "\n"))
		}
	}
	if rep.Objects != 3 {
		t.Errorf("%d objects evaluated, want 3 (c, unnamed-1, unnamed-2)", rep.Objects)
	}
	found := false
	for _, row := range rep.Rows {
		if row.Name == "c" && row.Alert == "CustomResourceFailed" {
			found = row.State == Firing
		}
	}
	if !found {
		t.Errorf("the converted object's CustomResourceFailed is not firing: %v", rep.Rows)
	}
	if old["apiVersion"] != "example.crdmon.dev/v0" || objs[3]["metadata"].(map[string]any)["name"] != nil || objs[4]["metadata"] != nil {
		t.Errorf("Run modified the objects given: %v", objs)
	}
}

// A kind without health signals has no rules: simulate says so plainly
// instead of asking for plain rule files.
func TestNoSignals(t *testing.T) {
	opts := generator.DefaultOptions()
	opts.Inputs = []string{filepath.Join("testdata", "nosignals.yaml")}
	opts.Rules.Format = rules.FormatPlain
	res, err := generator.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	objs := []map[string]any{{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"}}}
	rep, err := Run(res, objs, testAt)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(rep.Notes(), "\n")
	if !rep.NoSignals || !strings.Contains(notes, "no kind among the inputs has a health signal") ||
		!strings.Contains(notes, "example.com/v1 Widget ×1: its CRD has no health signal") {
		t.Errorf("no signals %v, notes:\n%s", rep.NoSignals, notes)
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
