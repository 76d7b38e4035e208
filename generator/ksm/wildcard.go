package ksm

import (
	"encoding/json"
	"slices"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Wildcard is the groupVersionKind version or kind meaning "every one".
// kube-state-metrics expands it to every kind (or version) of the group that
// the cluster's installed CRDs serve (reference §7); "" means the same.
const Wildcard = "*"

// IsWildcard reports whether a groupVersionKind version or kind is a wildcard.
func IsWildcard(s string) bool { return s == "" || s == Wildcard }

// CRD is what kube-state-metrics' discovery reads of an installed CRD: it
// resolves every configured resource, wildcard or not, against these.
type CRD struct {
	Group  string
	Kind   string
	Plural string
	Served []string // served versions
}

// Serves reports whether the CRD serves version v.
func (c CRD) Serves(v string) bool { return slices.Contains(c.Served, v) }

// installedFromModel assumes the cluster has exactly the model's kinds, each
// serving the version crdmon watches.
func installedFromModel(m model.Model) []CRD {
	out := make([]CRD, len(m.Kinds))
	for i, k := range m.Kinds {
		out[i] = CRD{Group: k.Group, Kind: k.Kind, Plural: k.Plural, Served: []string{k.Version}}
	}
	return out
}

// groupVersion is one version of one API group.
type groupVersion struct{ group, version string }

// withWildcards returns one resource per kind with signals, in model order,
// except that the kinds of a group and version become one wildcard resource
// (kind "*") when that resource reaches exactly them and serves each the
// same series as their own resources would:
//   - at least two kinds of the group are watched at the version;
//   - every installed CRD of the group serving the version is one of them,
//     so the wildcard reaches no kind left out by filters, without signals,
//     or watched at another version (kube-state-metrics would count its
//     objects twice, once per version);
//   - they share one shape: the same metrics, paths and labels, told apart
//     only by the customresource_kind label kube-state-metrics adds (their
//     help texts name no kind).
//
// installed are the CRDs of the input before filters; nil means the model's
// kinds. Kinds installed in a cluster but absent from the input are reached
// too: they are assumed to share the shape (a provider adding kinds).
func withWildcards(m model.Model, prefix string, installed []CRD) []Resource {
	if installed == nil {
		installed = installedFromModel(m)
	}
	reach := map[groupVersion][]string{}
	for _, c := range installed {
		for _, v := range c.Served {
			gv := groupVersion{c.Group, v}
			reach[gv] = append(reach[gv], c.Kind)
		}
	}
	watched := map[groupVersion][]model.Kind{}
	for _, k := range m.Kinds {
		if k.HasSignals() {
			gv := groupVersion{k.Group, k.Version}
			watched[gv] = append(watched[gv], k)
		}
	}
	var out []Resource
	done := map[groupVersion]bool{}
	for _, k := range m.Kinds {
		if !k.HasSignals() {
			continue
		}
		gv := groupVersion{k.Group, k.Version}
		if done[gv] {
			continue
		}
		if r, ok := wildcard(watched[gv], reach[gv], prefix); ok {
			out = append(out, r)
			done[gv] = true
			continue
		}
		out = append(out, resource(k, prefix, k.Kind))
	}
	return out
}

// wildcard returns the wildcard resource serving kinds, all of one group
// and version, when it reaches exactly them and they share one shape.
func wildcard(kinds []model.Kind, reach []string, prefix string) (Resource, bool) {
	if len(kinds) < 2 {
		return Resource{}, false
	}
	for _, name := range reach {
		if !slices.ContainsFunc(kinds, func(k model.Kind) bool { return k.Kind == name }) {
			return Resource{}, false
		}
	}
	var shape []byte
	namespaced := false
	for _, k := range kinds {
		namespaced = namespaced || k.Namespaced
		k.Namespaced = false // a namespace label resolves to nothing on cluster-scoped objects
		s, err := json.Marshal(generic(k, prefix))
		if err != nil || (shape != nil && string(s) != string(shape)) {
			return Resource{}, false
		}
		shape = s
	}
	r := generic(kinds[0], prefix)
	if namespaced {
		r.LabelsFromPath[series.LabelNamespace] = []string{"metadata", "namespace"}
	}
	return r, true
}

// generic is k's resource without what names k: kind "*", no plural, help
// texts without the kind.
func generic(k model.Kind, prefix string) Resource {
	r := resource(k, prefix, "")
	r.GroupVersionKind.Kind = Wildcard
	r.ResourcePlural = ""
	return r
}
