package ksmeval_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/internal/testutil"
)

// TestCorpusConfigs renders crdmon's kube-state-metrics config for every CRD
// of the corpus and evaluates it on a bare and on a populated object per
// kind, checking the series contract of generator/series against what
// kube-state-metrics would really produce.
func TestCorpusConfigs(t *testing.T) {
	in, err := load.Paths([]string{testutil.Corpus(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := detect.Model(in.CRDs)
	cfg, err := ksm.Build(m, series.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	res, err := ksmeval.Evaluate(cfg, nil)
	if err != nil {
		t.Fatalf("kube-state-metrics would refuse the generated config: %v", err)
	}
	for _, n := range res.Notices {
		// KSM checks the generator name, not the full name, so "info" (for
		// <prefix>_info) and the condition Infos draw this info-level log
		// line; anything else is a real problem (skipped or replaced entries).
		if !strings.HasSuffix(n, `Info metric "info" does not have _info suffix`) &&
			!strings.HasSuffix(n, `Info metric "condition" does not have _info suffix`) &&
			!strings.HasSuffix(n, `Info metric "condition_declared" does not have _info suffix`) {
			t.Errorf("notice: %s", n)
		}
	}
	if len(cfg.Spec.Resources) == 0 {
		t.Fatal("no resources generated from the corpus")
	}
	checked := 0
	for _, k := range m.Kinds {
		if !k.HasSignals() {
			continue
		}
		checked++
		t.Run(k.Group+"/"+k.Kind, func(t *testing.T) {
			checkKind(t, cfg, k)
		})
	}
	t.Logf("%d kinds checked", checked)
}

func checkKind(t *testing.T, cfg ksm.Config, k model.Kind) {
	name := func(s string) string { return series.Name(series.DefaultPrefix, s) }
	bare := object(k, "bare")
	full := populated(t, k)
	res, err := ksmeval.Evaluate(cfg, []map[string]any{bare, full})
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{}
	for _, f := range series.Families(k) {
		allowed[name(f)] = true
	}
	byObject := map[string][]ksmeval.Sample{}
	for _, s := range res.Samples() {
		if s.Labels[series.LabelKind] != k.Kind || s.Labels[series.LabelGroup] != k.Group {
			continue
		}
		if !allowed[s.Name] {
			t.Errorf("unexpected family %s", s.Name)
		}
		byObject[s.Labels[series.LabelName]] = append(byObject[s.Labels[series.LabelName]], s)
	}
	for _, obj := range []string{"bare", "full"} {
		infos := find(byObject[obj], name(series.Info), nil)
		if len(infos) != 1 {
			t.Errorf("%s: %d info series, want 1", obj, len(infos))
		} else if k.Namespaced && infos[0].Labels[series.LabelNamespace] != "ns" {
			t.Errorf("%s: info namespace label %q", obj, infos[0].Labels[series.LabelNamespace])
		}
	}
	for _, e := range res.Errors {
		if (strings.HasSuffix(e.Object, "/full") || e.Object == "full") && !laterElement.MatchString(e.Message) {
			t.Errorf("populated object: %s", e)
		}
	}
	got := byObject["full"]
	for _, c := range k.Conditions {
		// An empty Scope means no path label (a missing label reads as "").
		// A list without status field reads status="True": listed, it holds.
		want := map[string]string{series.LabelType: "Ready", series.LabelPath: c.Scope, series.LabelStatus: "True"}
		if c.HasReason {
			want[series.LabelReason] = "Done"
		}
		if s := find(got, name(series.Condition), want); len(s) != 1 || s[0].Value != 1 {
			t.Errorf("condition %s: got %v, want one series %v = 1", c.SchemaPath, s, want)
		}
		if s := find(got, name(series.ConditionTime), want); c.HasTransitionTime && (len(s) != 1 || s[0].Value != 1704067200) {
			t.Errorf("condition time %s: got %v, want one series %v = 1704067200", c.SchemaPath, s, want)
		}
	}
	if r := k.Replicas; r != nil {
		expectValue(t, got, name(series.ReplicasDesired), nil, 2)
		expectValue(t, got, name(series.ReplicasReady), nil, 1)
		for i, m := range r.Members() {
			expectValue(t, got, name(series.ReplicaMember(m.Name)), nil, float64(5+i))
		}
	}
	if k.Generation != nil {
		expectValue(t, got, name(series.Generation), nil, 3)
		expectValue(t, got, name(series.ObservedGeneration), nil, 2)
	}
	for _, p := range k.Phases {
		expectValue(t, got, name(series.PhaseInfo), map[string]string{series.LabelField: p.SchemaPath, series.LabelPhase: "Running"}, 1)
	}
	for _, ts := range k.Timestamps {
		expectValue(t, got, name(series.TimestampSeconds), map[string]string{series.LabelField: ts.SchemaPath, series.LabelMeaning: ts.Meaning}, 1735689600)
	}
	for _, f := range k.Failures {
		expectValue(t, got, name(series.Failures), map[string]string{series.LabelField: f.SchemaPath}, 4)
	}
}

// object is a minimal object of kind k.
func object(k model.Kind, name string) map[string]any {
	meta := map[string]any{"name": name, "generation": int64(3)} // the API server always sets it
	if k.Namespaced {
		meta["namespace"] = "ns"
	}
	apiVersion := k.Group + "/" + k.Version
	return map[string]any{"apiVersion": apiVersion, "kind": k.Kind, "metadata": meta}
}

// populated is an object with every detected signal set: a Ready condition
// in each condition list, replicas 2/1 (family members 5, 6, 7), generation 3/2, phase Running and
// timestamps 2025-01-01, failure counters 4.
// laterElement matches the error of a nested condition list beyond the
// first element of its outer list (status.parents[1].conditions): the
// populated object's lists have one element, and the config reads up to
// ksm.NestedElements, quietly.
var laterElement = regexp.MustCompile(`^\[status,.*,[1-9][0-9]*,conditions\]: got nil while resolving path$`)

func populated(t *testing.T, k model.Kind) map[string]any {
	o := object(k, "full")
	for _, c := range k.Conditions {
		setPath(t, o, c.Path, []any{map[string]any{
			"type": "Ready", "status": "True", "reason": "Done", "lastTransitionTime": "2024-01-01T00:00:00Z",
		}})
	}
	if r := k.Replicas; r != nil {
		setPath(t, o, r.Desired.Path, int64(2))
		setPath(t, o, r.Ready.Path, int64(1))
		for i, m := range r.Members() {
			setPath(t, o, m.Field.Path, int64(5+i))
		}
	}
	if g := k.Generation; g != nil {
		setPath(t, o, []string{"metadata", "generation"}, int64(3))
		setPath(t, o, g.Observed.Path, int64(2))
	}
	for _, p := range k.Phases {
		setPath(t, o, p.Path, "Running")
	}
	for _, ts := range k.Timestamps {
		setPath(t, o, ts.Path, "2025-01-01T00:00:00Z")
	}
	for _, f := range k.Failures {
		setPath(t, o, f.Path, int64(4))
	}
	return o
}

// setPath creates the maps and one-element lists a kube-state-metrics path
// walks through, and sets value at its end.
func setPath(t *testing.T, node map[string]any, path []string, value any) {
	t.Helper()
	var cur any = node
	for i, seg := range path {
		last := i == len(path)-1
		switch n := cur.(type) {
		case map[string]any:
			if last {
				n[seg] = value
				return
			}
			if _, ok := n[seg]; !ok {
				n[seg] = container(path[i+1])
			}
			cur = n[seg]
		case []any:
			if _, err := strconv.Atoi(seg); err != nil || last {
				t.Fatalf("cannot build path %v at %q", path, seg)
			}
			cur = n[0]
		default:
			t.Fatalf("cannot build path %v: %q reaches a %T", path, seg, cur)
		}
	}
}

func container(next string) any {
	if _, err := strconv.Atoi(next); err == nil {
		return []any{map[string]any{}}
	}
	return map[string]any{}
}

// find returns the samples of a family carrying all want labels.
func find(samples []ksmeval.Sample, family string, want map[string]string) []ksmeval.Sample {
	var out []ksmeval.Sample
outer:
	for _, s := range samples {
		if s.Name != family {
			continue
		}
		for k, v := range want {
			if s.Labels[k] != v {
				continue outer
			}
		}
		out = append(out, s)
	}
	return out
}

func expectValue(t *testing.T, samples []ksmeval.Sample, family string, want map[string]string, value float64) {
	t.Helper()
	s := find(samples, family, want)
	if len(s) != 1 || s[0].Value != value {
		t.Errorf("%s%v: got %s, want one series = %v", family, want, fmt.Sprint(s), value)
	}
}
