package model

import (
	"slices"
	"strings"
)

// Fields calls fn on every signal field of k, in the order inspect lists
// them: conditions, replicas, generation, phases, suspend, timestamps,
// failures, problems.
func (k *Kind) Fields(fn func(*Field)) {
	for i := range k.Conditions {
		fn(&k.Conditions[i].Field)
	}
	if r := k.Replicas; r != nil {
		fn(&r.Desired)
		fn(&r.Ready)
		for _, m := range []*Field{r.Current, r.Available, r.Updated} {
			if m != nil {
				fn(m)
			}
		}
	}
	if g := k.Generation; g != nil {
		fn(&g.Observed)
	}
	for i := range k.Phases {
		fn(&k.Phases[i].Field)
	}
	if k.Suspend != nil {
		fn(k.Suspend)
	}
	for i := range k.Timestamps {
		fn(&k.Timestamps[i].Field)
	}
	for i := range k.Failures {
		fn(&k.Failures[i])
	}
	for i := range k.Problems {
		fn(&k.Problems[i])
	}
}

// LearnedNote is the sentence the help text of a kind's info series ends
// with when the kind has signals learned from objects rather than read from
// its schema, empty when none has.
func LearnedNote(kinds []Kind) string {
	var names []string
	for _, k := range kinds {
		learned := false
		k.Fields(func(f *Field) { learned = learned || f.Learned != "" })
		if learned && !slices.Contains(names, k.Kind) {
			names = append(names, k.Kind)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return "The status fields of " + strings.Join(names, ", ") +
		" were learned from objects, not read from the CRD schema (crdmon inspect says how many objects showed each)."
}
