package health

import (
	"slices"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Signals returns every way an object of q's kinds reaches a state, in
// precedence order: all Suspended signals first, then Degraded, Progressing
// and Healthy (the last, every object). Within a state the first signal
// that holds names the reason.
func (q Query) Signals() []Signal {
	var out []Signal
	add := func(state, reason, expr string) { out = append(out, Signal{state, reason, expr}) }
	info := series.Info
	s := q.shape()

	// Suspended.
	add(Suspended, ReasonDeleting, q.sel(info, Matcher{series.LabelDeleting, "!=", ""}))
	if s.suspend {
		add(Suspended, ReasonSuspend, q.sel(info, eq(series.LabelSuspended, "true")))
	}
	if s.withStatus {
		add(Suspended, ReasonCondition, q.sel(series.Condition, Matcher{series.LabelType, "=~", model.SuspendedPattern}, eq(series.LabelStatus, "True")))
	}
	if s.suspendablePhase {
		add(Suspended, ReasonPhase, q.sel(series.PhaseInfo, Matcher{series.LabelPhase, "=~", model.SuspendedPattern}))
	}

	// Degraded and Progressing: conditions read one type at a time, the
	// catch-all patterns, phases, then the pairs of gauges.
	var degraded, progressing []Signal
	var positiveFalse []int // the degraded signals of positive conditions False
	var working []string    // signals that work is under way
	for _, t := range s.types {
		for _, g := range q.byPolarity(t) {
			kinds := q.kindMatcher(g.kinds, s.condKinds)
			typ := eq(series.LabelType, t)
			switch g.pol {
			case model.Negative:
				degraded = append(degraded, Signal{Degraded, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ}, s.trueStatus())...)})
			case model.Positive:
				if s.withStatus {
					degraded = append(degraded, Signal{Degraded, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ, notTrue, failureReason})...)})
					degraded = append(degraded, Signal{Degraded, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ, eq(series.LabelStatus, "False"), notProgressReason})...)})
					positiveFalse = append(positiveFalse, len(degraded)-1)
					progressing = append(progressing, Signal{Progressing, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ, notTrue})...)})
				}
			case model.Progress:
				progressing = append(progressing, Signal{Progressing, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ}, s.trueStatus())...)})
				if t != "Progressing" { // Deployments keep Progressing=True once done
					working = append(working, progressing[len(progressing)-1].Expr)
				}
			}
		}
	}
	if len(s.condKinds) > 0 {
		others := Matcher{series.LabelType, "!~", alternation(s.types)}
		neg := Matcher{series.LabelType, "=~", model.NegativeTypePattern}
		degraded = append(degraded, Signal{Degraded, ReasonCondition, q.detail(s, q.sel(series.Condition, slices.Concat([]Matcher{neg, others}, s.trueStatus())...))})
		if s.withStatus {
			pos := []Matcher{{series.LabelType, "=~", model.PositiveTypePattern}, {series.LabelType, "!~", model.NegativeTypePattern}, others}
			degraded = append(degraded, Signal{Degraded, ReasonCondition, q.detail(s, q.sel(series.Condition, append(slices.Clone(pos), notTrue, failureReason)...))})
			degraded = append(degraded, Signal{Degraded, ReasonCondition, q.detail(s, q.sel(series.Condition, append(slices.Clone(pos), eq(series.LabelStatus, "False"), notProgressReason)...))})
			positiveFalse = append(positiveFalse, len(degraded)-1)
			progressing = append(progressing, Signal{Progressing, ReasonCondition, q.detail(s, q.sel(series.Condition, append(slices.Clone(pos), notTrue)...))})
		}
	}
	for _, p := range q.phaseParts(true) {
		degraded = append(degraded, Signal{Degraded, ReasonPhase, q.sel(series.PhaseInfo, p...)})
	}
	if s.problems {
		degraded = append(degraded, Signal{Degraded, ReasonProblems, q.sel(series.Problems) + " > 0"})
	}
	for _, p := range q.phaseParts(false) {
		progressing = append(progressing, Signal{Progressing, ReasonPhase, q.detail(s, q.sel(series.PhaseInfo, p...))})
		working = append(working, q.sel(series.PhaseInfo, p...))
	}
	if len(working) > 0 {
		// A positive condition False while the object says it is working
		// (Reconciling=True, a progress phase) is work in progress (kstatus).
		for _, i := range positiveFalse {
			degraded[i].Expr = q.unless(degraded[i].Expr, strings.Join(working, " or "))
		}
	}
	if s.topStatus {
		// A kind that reports conditions but whose object has none yet:
		// its controller has not got to it.
		// and that holds nothing else crdmon reads in its status.
		// Only kinds whose top-level conditions have a status: a list without
		// one (Argo CD's Application) is empty on healthy objects.
		unreported := q.sel(series.Condition, append(q.kindMatcher(s.topStatusKinds, s.condKinds), eq(series.LabelType, ""), eq(series.LabelPath, ""))...)
		var reported []string
		if s.generation {
			reported = append(reported, q.sel(series.ObservedGeneration))
		}
		if s.replicas {
			reported = append(reported, q.sel(series.ReplicasReady))
		}
		if len(q.phaseParts(false)) > 0 || len(q.phaseParts(true)) > 0 {
			reported = append(reported, q.sel(series.PhaseInfo))
		}
		if len(reported) > 0 {
			unreported = q.unless(unreported, strings.Join(reported, " or "))
		}
		progressing = append(progressing, Signal{Progressing, ReasonUnreported, unreported})
	}
	if s.generation {
		// A controller that has not observed the latest spec has not judged
		// it yet: the object is progressing, whatever its status says.
		lag := q.sel(series.ObservedGeneration) + " < " + q.sel(series.Generation)
		for i := range degraded {
			degraded[i].Expr = q.unless(degraded[i].Expr, lag)
		}
		progressing = append([]Signal{{Progressing, ReasonGeneration, lag}}, progressing...)
	}
	if s.replicas {
		progressing = append(progressing, Signal{Progressing, ReasonReplicas, q.detail(s, q.sel(series.ReplicasReady)+" < "+q.sel(series.ReplicasDesired))})
	}
	out = append(append(out, degraded...), progressing...)
	add(Healthy, ReasonNone, q.sel(info))
	return out
}

// notTrue selects a positive condition that is not (yet) True.
var notTrue = Matcher{series.LabelStatus, "=~", "False|Unknown"}

// notProgressReason leaves out conditions whose reason says work is under
// way (Provisioning, NotReadyInProgress, StackProcessing): a word of
// model.ProgressPhases anywhere in it, in any case.
var notProgressReason = Matcher{series.LabelReason, "!~", "(?i).*(?:" + alternation(model.ProgressPhases) + ").*"}

// failureReason selects conditions whose reason names a failure
// (UpgradeFailed, DependencyNotReady, PartialTriggerError): a positive
// condition not True for such a reason is Degraded, whatever else the
// object says.
var failureReason = Matcher{series.LabelReason, "=~", model.NegativeTypePattern}

// Expr is the recording rule's expression: one series per object, labelled
// with the object labels, its state and the reason, value 1.
func (q Query) Expr() string {
	var terms []string
	for _, s := range q.Signals() {
		terms = append(terms, `label_replace(label_replace(group by (`+strings.Join(q.by(), ", ")+`) (`+s.Expr+`), "`+
			LabelState+`", "`+s.State+`", "", ""), "`+LabelReason+`", "`+s.Reason+`", "", "")`)
	}
	return strings.Join(terms, "\nor "+q.onObject()+" ")
}

// unless removes from expr the objects of sub.
func (q Query) unless(expr, sub string) string {
	return "(" + expr + ") unless " + q.onObject() + " (" + sub + ")"
}

// detail makes a detail signal give way to a top-level Ready=True.
func (q Query) detail(s shape, expr string) string {
	if !s.topStatus {
		return expr
	}
	return q.unless(expr, q.sel(series.Condition, eq(series.LabelType, "Ready"), eq(series.LabelStatus, "True"), eq(series.LabelPath, "")))
}

// shape summarizes the signals of q's kinds.
type shape struct {
	condKinds                 []string // kinds with conditions
	withStatus, withoutStatus bool
	topStatus                 bool     // a top-level condition list with status
	topStatusKinds            []string // the kinds that have one
	types                     []string // condition types read one by one
	suspend, suspendablePhase bool
	generation, replicas      bool
	problems                  bool // a problem counter (crdmon.yaml's problem-count)
}

func (q Query) shape() shape {
	var s shape
	var overridden []string
	for _, k := range q.Kinds {
		if len(k.Conditions) > 0 {
			s.condKinds = append(s.condKinds, k.Kind)
		}
		for _, cs := range k.Conditions {
			s.withStatus = s.withStatus || cs.HasStatus
			s.withoutStatus = s.withoutStatus || !cs.HasStatus
			if cs.HasStatus && cs.Scope == "" && !slices.Contains(s.topStatusKinds, k.Kind) {
				s.topStatus = true
				s.topStatusKinds = append(s.topStatusKinds, k.Kind)
			}
			for _, t := range TypesOf(cs) {
				if !slices.Contains(s.types, t) {
					s.types = append(s.types, t)
				}
			}
		}
		for t := range k.Polarity {
			overridden = append(overridden, t)
		}
		for _, ph := range k.Phases {
			s.suspendablePhase = s.suspendablePhase || SuspendablePhase(ph)
		}
		s.suspend = s.suspend || k.Suspend != nil
		s.generation = s.generation || k.Generation != nil
		s.replicas = s.replicas || k.Replicas != nil
		s.problems = s.problems || len(k.Problems) > 0
	}
	if len(s.condKinds) == 0 {
		s.types = nil
		return s
	}
	sort.Strings(overridden)
	for _, t := range append(overridden, model.ProgressTypes...) {
		if !slices.Contains(s.types, t) {
			s.types = append(s.types, t)
		}
	}
	return s
}

// trueStatus matches a condition that is True; a condition of a list
// without status field is True by being present.
func (s shape) trueStatus() []Matcher {
	switch {
	case !s.withoutStatus:
		return []Matcher{eq(series.LabelStatus, "True")}
	case s.withStatus:
		return []Matcher{{series.LabelStatus, "=~", "True|"}}
	}
	return nil
}

// polarityGroup is the kinds that give a condition type one polarity.
type polarityGroup struct {
	pol   model.Polarity
	kinds []string
}

// byPolarity splits q's kinds with conditions by the polarity they give t.
func (q Query) byPolarity(t string) []polarityGroup {
	var out []polarityGroup
	for _, k := range q.Kinds {
		if len(k.Conditions) == 0 {
			continue
		}
		pol := k.PolarityOf(t)
		i := slices.IndexFunc(out, func(g polarityGroup) bool { return g.pol == pol })
		if i < 0 {
			out = append(out, polarityGroup{pol: pol})
			i = len(out) - 1
		}
		out[i].kinds = append(out[i].kinds, k.Kind)
	}
	return out
}

// phaseParts returns the matchers selecting failure (or progress) values
// of q's phase fields, kinds whose field matches alike sharing one.
func (q Query) phaseParts(failure bool) [][]Matcher {
	type part struct {
		field, op, value string
		kinds            []string
	}
	var parts []*part
	universe := map[string][]string{} // field → kinds having it
	for _, k := range q.Kinds {
		for _, ph := range k.Phases {
			universe[ph.SchemaPath] = append(universe[ph.SchemaPath], k.Kind)
			op, value, ok := PhaseMatch(ph, failure)
			if !ok {
				continue
			}
			i := slices.IndexFunc(parts, func(p *part) bool { return p.field == ph.SchemaPath && p.op == op && p.value == value })
			if i < 0 {
				parts = append(parts, &part{field: ph.SchemaPath, op: op, value: value})
				i = len(parts) - 1
			}
			parts[i].kinds = append(parts[i].kinds, k.Kind)
		}
	}
	var out [][]Matcher
	for _, p := range parts {
		ms := q.kindMatcher(p.kinds, universe[p.field])
		out = append(out, append(ms, eq(series.LabelField, p.field), Matcher{series.LabelPhase, p.op, p.value}))
	}
	return out
}

// Reasons returns, for each of States in order, the reasons that can decide
// it for q's kinds, in the order they are tried (crdmon inspect shows them).
func (q Query) Reasons() [][]string {
	out := make([][]string, len(States))
	for _, s := range q.Signals() {
		i := slices.Index(States, s.State)
		if !slices.Contains(out[i], s.Reason) {
			out[i] = append(out[i], s.Reason)
		}
	}
	return out
}
