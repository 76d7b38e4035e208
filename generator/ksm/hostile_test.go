package ksm_test

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/budget"
	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
)

// hostile are fragments that break naive YAML, PromQL or JSON writers, or
// that YAML 1.1 (sigs.k8s.io/yaml, kubectl) reads as something else than a
// string.
var hostile = []string{
	`"`, `'`, "\n", ":", ": ", "#", " #", "{", "}", "{x}", "[", "]", ",", "&a", "*a", "!", "|", ">", "%", "@", "`",
	" ", "- ", "? ", "\t", `\`, `\n`, "é", "✓", "yes", "on", "y", "n", "off", "null", "~", "0x1F", "1e3", ".inf",
	"0", "-1", "true", "=", "a\"b", "---", "...", "<<", "{{ .x }}", "$1", "}}", "\u2028",
}

func hostileString(r *rand.Rand) string {
	var b strings.Builder
	for n := 1 + r.Intn(4); n > 0; n-- {
		if r.Intn(3) == 0 {
			b.WriteString("w")
		}
		b.WriteString(hostile[r.Intn(len(hostile))])
	}
	return b.String()
}

// hostileSegment is a hostile name usable as a path segment (detect refuses
// the others before they reach the renderer).
func hostileSegment(r *rand.Rand) string {
	for {
		if s := hostileString(r); detect.SafeSegment(s) {
			return s
		}
	}
}

// hostilePath is root, a segment starting with tag (so that the paths of
// different signals never overlap), up to two more hostile segments and extra.
func hostilePath(r *rand.Rand, root, tag string, extra ...string) []string {
	p := []string{root, tag + hostileSegment(r)}
	for n := r.Intn(3); n > 0; n-- {
		p = append(p, hostileSegment(r))
	}
	return append(p, extra...)
}

func hostileKind(r *rand.Rand, i int) model.Kind {
	f := func(path []string) model.Field {
		return model.Field{Path: path, SchemaPath: strings.Join(path, ".") + hostileString(r), Rule: "test"}
	}
	nested := hostilePath(r, "status", "n", "0", "conditions")
	return model.Kind{
		Group:      fmt.Sprintf("g%d%s.example.com", i, hostileString(r)),
		Kind:       hostileString(r),
		Plural:     hostileString(r),
		Version:    "v1" + hostileString(r),
		Namespaced: r.Intn(2) == 0,
		Conditions: []model.ConditionSet{
			{Field: f(hostilePath(r, "status", "c", "conditions")), HasStatus: true, HasReason: true, HasTransitionTime: r.Intn(2) == 0, KnownTypes: []string{hostileString(r), hostileString(r)}},
			{Field: f(nested), Scope: strings.Join(nested[:len(nested)-1], ".") + hostileString(r), HasStatus: r.Intn(2) == 0},
		},
		Replicas:   &model.Replicas{Desired: f(hostilePath(r, "spec", "d")), Ready: f(hostilePath(r, "status", "r"))},
		Generation: &model.Generation{Observed: f(hostilePath(r, "status", "o"))},
		Phases:     []model.Phase{{Field: f(hostilePath(r, "status", "p")), Values: []string{hostileString(r)}}},
		Suspend:    &model.Field{Path: hostilePath(r, "spec", "s"), SchemaPath: "spec.x", Rule: "test"},
	}
}

// Hostile group, kind, version and field names cannot break the generated
// YAML: the config file reads back (as kubectl and kube-state-metrics read
// YAML) to the identical config, kube-state-metrics accepts it, and the
// label values that come from names are exactly the names.
func TestHostileNamesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for round := 0; round < 100; round++ {
		var m model.Model
		for i := 0; i < 3; i++ {
			m.Kinds = append(m.Kinds, hostileKind(r, i))
		}
		cfg, files, err := ksm.Render(m, ksm.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			assertYAMLStream(t, f)
			var back ksm.Config
			switch f.Path {
			case ksm.ConfigFile:
				if err := yaml.UnmarshalStrict(f.Content, &back); err != nil {
					t.Fatalf("round %d: config does not read back: %v\n%s", round, err, f.Content)
				}
			case ksm.HelmValuesFile:
				var values struct {
					KSM struct {
						CustomResourceState struct {
							Config ksm.Config `json:"config"`
						} `json:"customResourceState"`
					} `json:"kube-state-metrics"`
				}
				if err := yaml.Unmarshal(f.Content, &values); err != nil {
					t.Fatalf("round %d: values do not read back: %v\n%s", round, err, f.Content)
				}
				back = values.KSM.CustomResourceState.Config
			default:
				continue
			}
			if !reflect.DeepEqual(back, cfg) {
				t.Fatalf("round %d: %s: config changed through YAML:\nwrote %+v\nread  %+v\n%s", round, f.Path, cfg, back, f.Content)
			}
		}
		var objects []map[string]any
		for _, k := range m.Kinds {
			objects = append(objects, budget.TypicalObject(k))
		}
		res, err := ksmeval.Evaluate(cfg, objects)
		if err != nil {
			t.Fatalf("round %d: kube-state-metrics would refuse the config: %v", round, err)
		}
		for _, n := range res.Notices {
			if !strings.Contains(n, "does not have _info suffix") { // KSM checks the name before the prefix
				t.Fatalf("round %d: notice %s", round, n)
			}
		}
		checkLabels(t, m, res)
	}
}

// assertYAMLStream checks every document of a generated YAML file parses.
func assertYAMLStream(t *testing.T, f output.File) {
	t.Helper()
	for i, doc := range bytes.Split(f.Content, []byte("\n---\n")) {
		var v any
		if err := yaml.Unmarshal(doc, &v); err != nil {
			t.Fatalf("%s document %d: %v\n%s", f.Path, i, err, doc)
		}
	}
}

// checkLabels finds the samples of each kind and checks the labels taken from
// names carry the names unchanged.
func checkLabels(t *testing.T, m model.Model, res ksmeval.Result) {
	t.Helper()
	for _, k := range m.Kinds {
		seen := map[string]bool{}
		for _, s := range res.Samples() {
			if s.Labels[series.LabelGroup] != k.Group {
				continue
			}
			if s.Labels[series.LabelKind] != k.Kind || s.Labels[series.LabelVersion] != k.Version {
				t.Fatalf("GVK labels %v, want %s %s %s", s.Labels, k.Group, k.Version, k.Kind)
			}
			seen[strings.TrimPrefix(s.Name, series.DefaultPrefix+"_")] = true
			switch {
			case strings.HasSuffix(s.Name, series.PhaseInfo):
				if s.Labels[series.LabelField] != k.Phases[0].SchemaPath || s.Labels[series.LabelPhase] != k.Phases[0].Values[0] {
					t.Fatalf("phase labels %q, want field %q phase %q", s.Labels, k.Phases[0].SchemaPath, k.Phases[0].Values[0])
				}
			case strings.HasSuffix(s.Name, series.Condition) && s.Labels[series.LabelPath] != "":
				if s.Labels[series.LabelPath] != k.Conditions[1].Scope {
					t.Fatalf("path label %q, want %q", s.Labels[series.LabelPath], k.Conditions[1].Scope)
				}
			case strings.HasSuffix(s.Name, series.Condition) && s.Labels[series.LabelReason] != "":
				if typ := s.Labels[series.LabelType]; typ != k.Conditions[0].KnownTypes[0] && typ != k.Conditions[0].KnownTypes[1] {
					t.Fatalf("condition type %q, want one of %q", typ, k.Conditions[0].KnownTypes)
				}
			}
		}
		for _, fam := range series.Families(k) {
			if !seen[fam] {
				t.Fatalf("%q/%q: no %s sample from the typical object", k.Group, k.Kind, fam)
			}
		}
	}
}
