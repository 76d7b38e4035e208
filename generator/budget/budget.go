// Package budget estimates how many series the generated kube-state-metrics
// config costs per custom resource object, by evaluating the config on a
// synthetic, typical object built from the model.
package budget

import (
	"slices"
	"strconv"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
)

// ConditionsPerSet is how many conditions a typical object carries in each
// of its condition lists.
const ConditionsPerSet = 2

// SeriesPerObject is the number of series kube-state-metrics serves for one
// typical object of kind k (see TypicalObject) with crdmon's config and the
// given metric prefix. It is 0 for kinds without signals, which crdmon does
// not configure, and -1 if the config cannot be evaluated (a bug).
func SeriesPerObject(k model.Kind, prefix string) int {
	cfg, err := ksm.Build(model.Model{Kinds: []model.Kind{k}}, prefix)
	if err != nil {
		return -1
	}
	res, err := ksmeval.Evaluate(cfg, []map[string]any{TypicalObject(k)})
	if err != nil {
		return -1
	}
	return len(res.Samples())
}

// TypicalObject is an object of kind k as a healthy controller leaves it:
// ConditionsPerSet conditions in every condition list (the first known types,
// else Ready, Synced, ...; status True, a reason, a transition time), desired
// and ready replicas and the rest of the replica family set, generation equal to observedGeneration, every
// phase field and timestamp set, failure counters 0 and the suspend flag
// false.
func TypicalObject(k model.Kind) map[string]any {
	meta := map[string]any{"name": "typical", "generation": int64(2)}
	if k.Namespaced {
		meta["namespace"] = "default"
	}
	obj := map[string]any{
		"apiVersion": k.Group + "/" + k.Version,
		"kind":       k.Kind,
		"metadata":   meta,
	}
	for _, c := range k.Conditions {
		var list []any
		for i := 0; i < ConditionsPerSet; i++ {
			cond := map[string]any{"type": conditionType(c.KnownTypes, i)}
			if c.HasStatus {
				cond["status"] = "True"
			}
			if c.HasReason {
				cond["reason"] = "Succeeded"
			}
			if c.HasTransitionTime {
				cond["lastTransitionTime"] = "2024-01-01T00:00:00Z"
			}
			cond["message"] = "ok"
			list = append(list, cond)
		}
		SetPath(obj, c.Path, list)
	}
	if r := k.Replicas; r != nil {
		SetPath(obj, r.Desired.Path, int64(3))
		SetPath(obj, r.Ready.Path, int64(3))
		for _, m := range r.Members() {
			SetPath(obj, m.Field.Path, int64(3))
		}
	}
	if g := k.Generation; g != nil {
		SetPath(obj, g.Observed.Path, int64(2))
	}
	for _, p := range k.Phases {
		if p.Error {
			continue // set only while failing
		}
		v := "Running"
		if len(p.Values) > 0 {
			v = p.Values[0]
		}
		SetPath(obj, p.Path, v)
	}
	if k.Suspend != nil {
		SetPath(obj, k.Suspend.Path, false)
	}
	for _, ts := range k.Timestamps {
		SetPath(obj, ts.Path, "2025-01-01T00:00:00Z")
	}
	for _, f := range slices.Concat(k.Failures, k.Problems) {
		SetPath(obj, f.Path, int64(0))
	}
	return obj
}

var defaultTypes = []string{"Ready", "Synced", "Healthy", "Available"}

func conditionType(known []string, i int) string {
	if i < len(known) {
		return known[i]
	}
	if i < len(defaultTypes) {
		return defaultTypes[i]
	}
	return "Type" + strconv.Itoa(i)
}

// SetPath stores v at a kube-state-metrics path in obj, creating maps, and
// lists for numeric segments. A path through a value of another shape
// (already set by another signal) is left alone.
func SetPath(obj map[string]any, path []string, v any) {
	setIn(obj, path, v)
}

// setIn returns node with v stored at path; node may be nil.
func setIn(node any, path []string, v any) any {
	if len(path) == 0 {
		return v
	}
	seg, rest := path[0], path[1:]
	if idx, err := strconv.Atoi(seg); err == nil && idx >= 0 && idx < 64 {
		list, ok := node.([]any)
		if node != nil && !ok {
			return node
		}
		for len(list) <= idx {
			list = append(list, nil)
		}
		list[idx] = setIn(list[idx], rest, v)
		return list
	}
	m, ok := node.(map[string]any)
	if node != nil && !ok {
		return node
	}
	if m == nil {
		m = map[string]any{}
	}
	m[seg] = setIn(m[seg], rest, v)
	return m
}
