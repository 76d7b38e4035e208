package ksm_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/internal/golden"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/internal/testutil"
)

func modelOf(t *testing.T, dir string) model.Model {
	t.Helper()
	r, err := load.Paths([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return detect.Model(r.CRDs)
}

// The generated config, run through the kube-state-metrics evaluator over
// the example objects, yields exactly the series in the golden exposition.
func TestSeriesFromExampleObjects(t *testing.T) {
	root := testutil.RepoRoot(t)
	cfg, err := ksm.Build(modelOf(t, testutil.TestdataCRDs(t)), series.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	var objects []map[string]any
	for _, f := range []string{"databases.yaml", "others.yaml"} {
		fh, err := os.Open(filepath.Join(root, "testdata", "objects", f))
		if err != nil {
			t.Fatal(err)
		}
		objs, err := ksmeval.LoadObjects(fh, f)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		objects = append(objects, objs...)
	}
	res, err := ksmeval.Evaluate(cfg, objects)
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Exposition())
	for _, e := range res.Errors {
		got += "# error: " + e.String() + "\n"
	}
	golden.Check(t, filepath.Join("testdata", "examples.prom"), []byte(got))
	// Conditions are an Info, value 1, whatever their lastTransitionTime
	// holds; an object without conditions has no condition series.
	if strings.Contains(got, `kube_customresource_condition{crdmon="true",customresource_group="example.crdmon.dev",customresource_kind="Database",customresource_version="v1",name="fresh"`) {
		t.Error("an object without conditions produced a condition series")
	}
	// Properties the rules and dashboards rely on, independent of the golden file.
	for _, want := range []string{
		`kube_customresource_condition{crdmon="true",customresource_group="example.crdmon.dev",customresource_kind="Database",customresource_version="v1",name="billing",namespace="shop",reason="VolumeFull",status="False",type="Ready"} 1`,
		`kube_customresource_condition_transition_seconds{crdmon="true",customresource_group="example.crdmon.dev",customresource_kind="Database",customresource_version="v1",name="billing",namespace="shop",reason="VolumeFull",status="False",type="Ready"} 1.79568e+09`,
		`suspended="true"`,
		// A list without status: a listed condition holds.
		`kube_customresource_condition{crdmon="true",customresource_group="ops.crdmon.dev",customresource_kind="Backup",customresource_version="v1",name="weekly",namespace="ops",status="True",type="UploadError"} 1`,
		`path="status.parents[0]"`,
		`kube_customresource_phase_info{crdmon="true",customresource_group="ops.crdmon.dev",customresource_kind="Backup",customresource_version="v1",field="status.state",name="weekly",namespace="ops",phase="Failed",values="open"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing series %s", want)
		}
	}
}

// Over the whole corpus the config is one valid kube-state-metrics config:
// valid names, one entry per GVK, concrete groups, every Info labelled.
func TestCorpusConfigIsValid(t *testing.T) {
	m := modelOf(t, testutil.Corpus(t))
	cfg, err := ksm.Build(m, series.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[ksm.GroupVersionKind]bool{}
	for _, r := range cfg.Spec.Resources {
		if seen[r.GroupVersionKind] || r.GroupVersionKind.Group == "" || r.GroupVersionKind.Version == "" {
			t.Errorf("bad or duplicate GVK %+v", r.GroupVersionKind)
		}
		seen[r.GroupVersionKind] = true
		for _, g := range r.Metrics {
			if !series.ValidName(series.Name(*r.MetricNamePrefix, g.Name)) {
				t.Errorf("%s: invalid metric name %q", r.GroupVersionKind.Kind, g.Name)
			}
			if g.Each.Type == ksm.TypeInfo && len(g.Each.Info.LabelsFromPath) == 0 {
				t.Errorf("%s/%s: Info without each.info labels emits nothing", r.GroupVersionKind.Kind, g.Name)
			}
		}
	}
	if _, err := ksmeval.Evaluate(cfg, nil); err != nil {
		t.Fatalf("kube-state-metrics would refuse the config: %v", err)
	}
	if _, err := ksm.Build(m, "bad-prefix"); err == nil {
		t.Error("an invalid prefix was accepted")
	}
}

// The config file, written resource by resource, is the whole config
// written at once, for every corpus kind (and for no kind).
func TestConfigWrittenByResourceIsWhole(t *testing.T) {
	cfg, err := ksm.Build(modelOf(t, testutil.Corpus(t)), series.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []ksm.Config{cfg, {Kind: cfg.Kind, Spec: ksm.Spec{Resources: []ksm.Resource{}}}} {
		whole, err := output.FlowYAML(c)
		if err != nil {
			t.Fatal(err)
		}
		byResource, err := ksm.WriteConfig(c)
		if err != nil {
			t.Fatal(err)
		}
		if want := output.Header("#") + string(whole); string(byResource) != want {
			t.Errorf("%d resources: written by resource, the config differs from the whole config written at once", len(c.Spec.Resources))
		}
	}
}
