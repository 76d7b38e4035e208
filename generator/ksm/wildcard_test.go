package ksm_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/budget"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// managed is a Crossplane managed resource kind: Ready and Synced
// conditions and observedGeneration, like every kind of a provider.
func managed(group, kind, version string, namespaced bool) model.Kind {
	return model.Kind{
		Group: group, Kind: kind, Plural: strings.ToLower(kind) + "s", Version: version, Namespaced: namespaced,
		Conditions: []model.ConditionSet{{
			Field:     model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions[]"},
			HasStatus: true, HasReason: true, HasTransitionTime: true,
			KnownTypes: []string{"Ready", "Synced"},
		}},
		Generation: &model.Generation{Observed: model.Field{Path: []string{"status", "observedGeneration"}, SchemaPath: "status.observedGeneration"}},
	}
}

// provider is a Crossplane-style model: many kinds of one group sharing one
// shape, the same kinds namespaced in a second group, and a group whose
// kinds differ.
func provider(kinds int) model.Model {
	var m model.Model
	for _, g := range []string{"ec2.aws.m.upbound.io", "ec2.aws.upbound.io"} {
		for i := 0; i < kinds; i++ {
			m.Kinds = append(m.Kinds, managed(g, fmt.Sprintf("Resource%03d", i), "v1beta1", strings.Contains(g, ".m.")))
		}
	}
	odd := managed("mixed.example.com", "Plain", "v1", true)
	odd.Generation = nil
	m.Kinds = append(m.Kinds, managed("mixed.example.com", "Managed", "v1", true), odd)
	return m
}

func installedOf(m model.Model) []ksm.CRD {
	var out []ksm.CRD
	for _, k := range m.Kinds {
		out = append(out, ksm.CRD{Group: k.Group, Kind: k.Kind, Plural: k.Plural, Served: []string{k.Version}})
	}
	return out
}

func wildcardOptions(installed []ksm.CRD) ksm.Options {
	o := ksm.DefaultOptions()
	o.Installed = installed
	o.Wildcards = ksm.WildcardsAlways
	return o
}

func gvks(cfg ksm.Config) []string {
	var out []string
	for _, r := range cfg.Spec.Resources {
		g := r.GroupVersionKind
		out = append(out, g.Group+"/"+g.Version+"/"+g.Kind)
	}
	return out
}

// A group whose kinds share one shape and version gets one wildcard
// resource, with help texts that name no kind and RBAC on every resource
// of its group; a group whose kinds differ keeps one resource per kind.
func TestWildcardPerSharedShape(t *testing.T) {
	m := provider(40)
	cfg, files, err := ksm.Render(m, wildcardOptions(installedOf(m)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ec2.aws.m.upbound.io/v1beta1/*", "ec2.aws.upbound.io/v1beta1/*", "mixed.example.com/v1/Managed", "mixed.example.com/v1/Plain"}
	if got := gvks(cfg); !slices.Equal(got, want) {
		t.Fatalf("resources %v, want %v", got, want)
	}
	for _, r := range cfg.Spec.Resources[:2] {
		if r.ResourcePlural != "" {
			t.Errorf("%s: a wildcard resource has plural %q", r.GroupVersionKind.Group, r.ResourcePlural)
		}
		_, hasNamespace := r.LabelsFromPath[series.LabelNamespace]
		if hasNamespace != strings.Contains(r.GroupVersionKind.Group, ".m.") {
			t.Errorf("%s: namespace label %v", r.GroupVersionKind.Group, hasNamespace)
		}
		for _, g := range r.Metrics {
			if strings.Contains(g.Help, "Resource0") {
				t.Errorf("%s: help %q names a kind", g.Name, g.Help)
			}
		}
	}
	rules := ksm.RBACRules(cfg.Spec.Resources)
	var rbac []string
	for _, r := range rules {
		rbac = append(rbac, strings.Join(r.APIGroups, ",")+":"+strings.Join(r.Resources, ","))
	}
	wantRBAC := []string{"apiextensions.k8s.io:customresourcedefinitions", "ec2.aws.m.upbound.io:*", "ec2.aws.upbound.io:*", "mixed.example.com:manageds,plains"}
	if !slices.Equal(rbac, wantRBAC) {
		t.Errorf("RBAC %v, want %v", rbac, wantRBAC)
	}
	for _, f := range files {
		if f.Path == ksm.RBACFile && !strings.Contains(string(f.Content), "- '*'") {
			t.Errorf("%s does not grant the wildcard groups' resources:\n%s", f.Path, f.Content)
		}
	}
}

// The wildcard config serves, in a cluster with the input's CRDs, exactly
// the series the per-kind config serves: same names, labels, values and
// order.
func TestWildcardServesTheSameSeries(t *testing.T) {
	m := provider(12)
	installed := installedOf(m)
	explicit, err := ksm.Build(m, series.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	merged, _, err := ksm.Render(m, wildcardOptions(installed))
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Spec.Resources) >= len(explicit.Spec.Resources) {
		t.Fatalf("no resource was merged: %v", gvks(merged))
	}
	var objects []map[string]any
	for _, k := range m.Kinds {
		objects = append(objects, budget.TypicalObject(k))
	}
	want, err := ksmeval.EvaluateInstalled(explicit, installed, objects)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ksmeval.EvaluateInstalled(merged, installed, objects)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Samples()) == 0 || !reflect.DeepEqual(got.Samples(), want.Samples()) {
		t.Errorf("series differ:\nper kind %v\nwildcard %v", want.Samples(), got.Samples())
	}
	for _, n := range append(got.Notices, want.Notices...) {
		if !strings.Contains(n, "does not have _info suffix") { // KSM checks the name before the prefix
			t.Errorf("notice: %s", n)
		}
	}
}

// A wildcard must reach exactly the kinds it replaces: any other kind of the
// group served at its version (filtered out, without signals, watched at
// another version) or a difference in shape keeps one resource per kind.
func TestWildcardOnlyWhenExact(t *testing.T) {
	base := func() model.Model {
		var m model.Model
		for _, k := range []string{"Alpha", "Beta", "Gamma"} {
			m.Kinds = append(m.Kinds, managed("p.example.com", k, "v1beta1", false))
		}
		return m
	}
	cases := map[string]func(m *model.Model, installed *[]ksm.CRD){
		"a kind filtered out": func(m *model.Model, installed *[]ksm.CRD) {
			*installed = append(*installed, ksm.CRD{Group: "p.example.com", Kind: "Delta", Plural: "deltas", Served: []string{"v1beta1"}})
		},
		"a kind without signals": func(m *model.Model, installed *[]ksm.CRD) {
			m.Kinds = append(m.Kinds, model.Kind{Group: "p.example.com", Kind: "Config", Plural: "configs", Version: "v1beta1"})
			*installed = installedOf(*m)
		},
		"a kind watched at another version also serving it": func(m *model.Model, installed *[]ksm.CRD) {
			m.Kinds[2].Version = "v1beta2"
			*installed = installedOf(*m)
			(*installed)[2].Served = []string{"v1beta1", "v1beta2"}
		},
		"a different shape": func(m *model.Model, installed *[]ksm.CRD) {
			m.Kinds[1].Suspend = &model.Field{Path: []string{"spec", "paused"}, SchemaPath: "spec.paused"}
		},
		"another schema path": func(m *model.Model, installed *[]ksm.CRD) {
			m.Kinds[1].Generation.Observed.SchemaPath = "status.observed"
		},
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			m := base()
			installed := installedOf(m)
			change(&m, &installed)
			cfg, _, err := ksm.Render(m, wildcardOptions(installed))
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range cfg.Spec.Resources {
				if ksm.IsWildcard(r.GroupVersionKind.Kind) && r.GroupVersionKind.Version == "v1beta1" {
					t.Errorf("wildcard resource %v", gvks(cfg))
				}
			}
		})
	}
	t.Run("control", func(t *testing.T) {
		m := base()
		cfg, _, err := ksm.Render(m, wildcardOptions(installedOf(m)))
		if err != nil {
			t.Fatal(err)
		}
		if got := gvks(cfg); !slices.Equal(got, []string{"p.example.com/v1beta1/*"}) {
			t.Errorf("resources %v", got)
		}
	})
	t.Run("off", func(t *testing.T) {
		m := base()
		o := wildcardOptions(installedOf(m))
		o.Wildcards = ksm.WildcardsNever
		cfg, _, err := ksm.Render(m, o)
		if err != nil {
			t.Fatal(err)
		}
		if len(cfg.Spec.Resources) != 3 {
			t.Errorf("resources %v", gvks(cfg))
		}
	})
}

// A cluster-scoped and a namespaced kind of one shape share a wildcard that
// reads the namespace (absent on cluster-scoped objects).
func TestWildcardMixedScope(t *testing.T) {
	m := model.Model{Kinds: []model.Kind{managed("s.example.com", "Cluster", "v1", false), managed("s.example.com", "Local", "v1", true)}}
	cfg, _, err := ksm.Render(m, wildcardOptions(installedOf(m)))
	if err != nil {
		t.Fatal(err)
	}
	if got := gvks(cfg); !slices.Equal(got, []string{"s.example.com/v1/*"}) {
		t.Fatalf("resources %v", got)
	}
	if _, ok := cfg.Spec.Resources[0].LabelsFromPath[series.LabelNamespace]; !ok {
		t.Error("the wildcard resource does not read the namespace")
	}
}

// By default (auto) kinds are merged only when the per-kind config would be
// over MaxConfig, and then before the config is split into shards.
func TestWildcardsAuto(t *testing.T) {
	m := provider(40)
	o := ksm.DefaultOptions()
	o.Installed = installedOf(m)
	explicit, _, err := ksm.Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(explicit.Spec.Resources) != len(m.Kinds) {
		t.Errorf("%d resources for %d kinds under the limit", len(explicit.Spec.Resources), len(m.Kinds))
	}
	o.MaxConfig = 16 << 10
	merged, files, err := ksm.Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	if got := gvks(merged); len(got) != 4 || got[0] != "ec2.aws.m.upbound.io/v1beta1/*" {
		t.Errorf("resources over the limit: %v", got)
	}
	if files[0].Path != ksm.ConfigFile {
		t.Errorf("the merged config was split: %s", files[0].Path)
	}
	o.Wildcards = "sometimes"
	if _, _, err := ksm.Render(m, o); err == nil {
		t.Error("an unknown wildcard policy was accepted")
	}
}
