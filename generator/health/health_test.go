package health

import (
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// kinds is a model with every signal: conditions with and without status,
// at the top and nested, a polarity override, phases with and without an
// enum, replicas, generation and a suspend flag.
func kinds() []model.Kind {
	f := func(p string) model.Field { return model.Field{SchemaPath: p} }
	return []model.Kind{
		{Group: "g.example.io", Kind: "A", Version: "v1", Namespaced: true,
			Conditions: []model.ConditionSet{{Field: f("status.conditions"), HasStatus: true, KnownTypes: []string{"Ready", "Synced"}}},
			Generation: &model.Generation{Observed: f("status.observedGeneration")},
			Replicas:   &model.Replicas{Desired: f("spec.replicas"), Ready: f("status.readyReplicas")},
			Suspend:    &model.Field{SchemaPath: "spec.suspend"},
			Polarity:   map[string]model.Polarity{"Synced": model.Neutral}},
		{Group: "g.example.io", Kind: "B", Version: "v1",
			Conditions: []model.ConditionSet{{Field: f("status.parents[0].conditions"), Scope: "status.parents[0]"}},
			Phases: []model.Phase{{Field: f("status.phase")},
				{Field: f("status.state"), Values: []string{"Ok", "Broken", "Busy"}, Failure: []string{"Broken"}, Progress: []string{"Busy"}}}},
	}
}

// TestSignalsInPrecedence checks the order the recording rule relies on:
// being deleted (Progressing) first, every Suspended signal, then Degraded,
// Progressing, and Healthy last (every object); and that reasons come from
// the closed set.
func TestSignalsInPrecedence(t *testing.T) {
	q := Query{Prefix: series.DefaultPrefix, Base: []Matcher{{series.LabelGroup, "=", "g.example.io"}}, Kinds: kinds()}
	sigs := q.Signals()
	if s := sigs[0]; s.State != Progressing || s.Reason != ReasonDeleting {
		t.Errorf("first signal %s/%s, want Progressing/deleting", s.State, s.Reason)
	}
	last := -1
	seen := map[string]bool{}
	closed := []string{ReasonDeleting, ReasonSuspend, ReasonCondition, ReasonPhase, ReasonGeneration, ReasonReplicas, ReasonUnreported, ReasonNone}
	for i, s := range sigs {
		if i == 0 {
			seen[s.State] = true
			continue
		}
		i := slices.Index(States, s.State)
		if i < last {
			t.Errorf("%s/%s after a %s signal", s.State, s.Reason, States[last])
		}
		last = i
		seen[s.State] = true
		if !slices.Contains(closed, s.Reason) && model.PolarityOf(s.Reason) == model.Neutral && s.Reason != "Synced" {
			t.Errorf("reason %q is neither a constant nor a condition type with a polarity", s.Reason)
		}
	}
	for _, st := range States {
		if !seen[st] {
			t.Errorf("no signal for %s", st)
		}
	}
	if s := sigs[len(sigs)-1]; s.State != Healthy || s.Reason != ReasonNone {
		t.Errorf("last signal %s/%s, want Healthy/none", s.State, s.Reason)
	}
	// Synced is neutral for A (an override): its signals select only B.
	for _, s := range sigs {
		if s.Reason == "Synced" && !strings.Contains(s.Expr, series.LabelKind+`="B"`) {
			t.Errorf("Synced decides %s for A, whose override makes it neutral: %s", s.State, s.Expr)
		}
	}
}

// TestExprParses checks the recording rule is valid PromQL that keeps
// exactly the object labels, state and reason.
func TestExprParses(t *testing.T) {
	q := Query{Prefix: series.DefaultPrefix, Base: []Matcher{{series.LabelGroup, "=", "g.example.io"}}, Kinds: kinds()}
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(q.Expr())
	if err != nil {
		t.Fatalf("%v\n%s", err, q.Expr())
	}
	if expr.Type() != parser.ValueTypeVector {
		t.Errorf("type %s, want vector", expr.Type())
	}
}

// TestPhaseMatch checks the values a phase field's signals select.
func TestPhaseMatch(t *testing.T) {
	enum := model.Phase{Values: []string{"Ok", "Broken", "Gone", "Busy"}, Failure: []string{"Broken", "Gone"}, Progress: []string{"Busy"}}
	for _, c := range []struct {
		ph        model.Phase
		failure   bool
		op, value string
		ok        bool
	}{
		{enum, true, "=~", "Broken|Gone", true},
		{enum, false, "=", "Busy", true},
		{model.Phase{Values: []string{"A", "B"}}, true, "", "", false},
		{model.Phase{}, false, "=~", model.ProgressPhasePattern, true},
		{model.Phase{}, true, "=~", model.FailurePhasePattern, true},
	} {
		op, value, ok := PhaseMatch(c.ph, c.failure)
		if op != c.op || value != c.value || ok != c.ok {
			t.Errorf("PhaseMatch(%+v, %v) = %q %q %v, want %q %q %v", c.ph, c.failure, op, value, ok, c.op, c.value, c.ok)
		}
	}
}
