package health

import (
	"slices"
	"testing"

	"github.com/crdmon/crdmon/generator/model"
)

// A kind whose conditions carry their own observedGeneration, and no
// status.observedGeneration, can be Progressing for the generation: the
// pack reads a stale condition as such.
func TestReasonsConditionGeneration(t *testing.T) {
	k := model.Kind{Conditions: []model.ConditionSet{{HasStatus: true, HasObservedGeneration: true}}}
	progressing := Reasons([]model.Kind{k})[slices.Index(States, Progressing)]
	if !slices.Contains(progressing, ReasonGeneration) {
		t.Errorf("Progressing reasons %v, want %s among them", progressing, ReasonGeneration)
	}
	k.Conditions[0].HasObservedGeneration = false
	if progressing := Reasons([]model.Kind{k})[slices.Index(States, Progressing)]; slices.Contains(progressing, ReasonGeneration) {
		t.Errorf("without any observedGeneration, Progressing reasons %v include %s", progressing, ReasonGeneration)
	}
}
