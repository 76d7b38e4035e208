package config

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
)

// ApplyToModel adds the extra signals the file declares (signals, condition
// polarities, phase fields and failure values) to the kinds they match,
// first adding the wildcard kinds that rules with a version declare for
// groups no input kind belongs to, and returns a warning for every other
// kind rule that matches no kind.
func (f *File) ApplyToModel(m *model.Model) (warnings []string) {
	for _, r := range f.Kinds {
		if r.Version != "" && !slices.ContainsFunc(m.Kinds, r.Matches) {
			// Namespaced: kube-state-metrics leaves the namespace label
			// out for cluster-scoped objects.
			m.Kinds = append(m.Kinds, model.Kind{Group: r.Group, Kind: model.AnyKind, Version: r.Version,
				Namespaced: true, Source: model.Source{File: f.name, Line: r.line}})
		}
	}
	slices.SortStableFunc(m.Kinds, func(a, b model.Kind) int {
		return cmp.Or(strings.Compare(a.Group, b.Group), strings.Compare(a.Kind, b.Kind))
	})
	for i, r := range f.Kinds {
		matched := 0
		for j := range m.Kinds {
			k := &m.Kinds[j]
			if !r.Matches(*k) {
				continue
			}
			matched++
			applySignals(k, r.Signals)
			applyConditions(k, r.Conditions)
			for _, p := range r.Phases {
				applyPhase(k, p, r.line)
			}
		}
		if matched == 0 {
			warnings = append(warnings, fmt.Sprintf("line %d: kinds[%d] (group %q, kind %q) matches no kind", r.line, i, orStar(r.Group), orStar(r.Kind)))
		}
	}
	return warnings
}

func orStar(s string) string {
	if s == "" {
		return "*"
	}
	return s
}

func applyConditions(k *model.Kind, polarity map[string]string) {
	if len(polarity) == 0 {
		return
	}
	if k.Polarity == nil {
		k.Polarity = map[string]model.Polarity{}
	}
	types := make([]string, 0, len(polarity))
	for t, p := range polarity {
		k.Polarity[t] = model.Polarity(p)
		types = append(types, t)
	}
	sort.Strings(types)
	for i := range k.Conditions {
		if k.Conditions[i].Scope != "" {
			continue
		}
		for _, t := range types {
			if !slices.Contains(k.Conditions[i].KnownTypes, t) {
				k.Conditions[i].KnownTypes = append(k.Conditions[i].KnownTypes, t)
			}
		}
		sort.Strings(k.Conditions[i].KnownTypes)
	}
}

// applyPhase applies a phases entry of the kind rule at line.
func applyPhase(k *model.Kind, r PhaseRule, line int) {
	for i := range k.Phases {
		if k.Phases[i].SchemaPath == r.Field {
			if len(r.Failure) > 0 {
				k.Phases[i].Failure = r.Failure
				k.Phases[i].Rule, k.Phases[i].Line = model.RuleDeclared, line
			}
			return
		}
	}
	k.Phases = append(k.Phases, model.Phase{
		Field:   model.Field{Path: strings.Split(r.Field, "."), SchemaPath: r.Field, Rule: model.RuleDeclared, Line: line},
		Failure: r.Failure,
	})
	sort.SliceStable(k.Phases, func(i, j int) bool { return k.Phases[i].SchemaPath < k.Phases[j].SchemaPath })
}

// AlertsFor merges the alert settings of every kind rule matching k, later
// rules winning, over nothing: the caller merges the result over defaults.
func (f *File) AlertsFor(k model.Kind) map[string]Alert {
	out := map[string]Alert{}
	for _, r := range f.Kinds {
		if !r.Matches(k) {
			continue
		}
		for class, a := range r.Alerts {
			out[class] = Merge(out[class], a)
		}
	}
	return out
}

// ControllersFor lists the controller names kind rules give k.
func (f *File) ControllersFor(k model.Kind) []string {
	var out []string
	for _, r := range f.Kinds {
		if r.Matches(k) {
			for _, c := range r.Controllers {
				if !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// Merge returns base with the fields set in over replaced.
func Merge(base, over Alert) Alert {
	if over.Disabled != nil {
		base.Disabled = over.Disabled
	}
	if over.Severity != "" {
		base.Severity = over.Severity
	}
	if over.For != "" {
		base.For = over.For
	}
	if over.Threshold != nil {
		base.Threshold = over.Threshold
	}
	return base
}
