package health

import (
	"slices"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Signals returns every way an object of q's kinds reaches a state, in
// precedence order: being deleted (Progressing) first, then all Suspended
// signals, Degraded, Progressing and Healthy (the last, every object). The
// first signal that holds decides the state and names the reason.
func (q Query) Signals() []Signal {
	var out []Signal
	add := func(state, reason, expr string) { out = append(out, Signal{state, reason, expr}) }
	info := series.Info
	s := q.shape()

	// An object being deleted is Progressing before anything else: Argo
	// CD's generic check ("Pending deletion") runs before any per-kind one,
	// and kstatus calls it Terminating, not Current.
	add(Progressing, ReasonDeleting, q.sel(info, Matcher{series.LabelDeleting, "!=", ""}))

	// A controller that has not observed the latest spec has not judged it
	// yet (kstatus' generation gate, before any condition is read): the
	// object is progressing, whatever its status says.
	lag := ""
	if s.generation {
		lag = q.sel(series.ObservedGeneration) + " < " + q.sel(series.Generation)
	}
	// stale drops the objects whose status lags their spec from a signal
	// read from the status.
	stale := func(expr string) string {
		if lag == "" {
			return expr
		}
		return q.unless(expr, lag)
	}

	// Suspended: the spec says so, or a status that is current does.
	if s.suspend {
		add(Suspended, ReasonSuspend, q.sel(info, eq(series.LabelSuspended, "true")))
	}
	if s.withStatus {
		add(Suspended, ReasonCondition, stale(q.sel(series.Condition, Matcher{series.LabelType, "=~", model.SuspendedPattern}, eq(series.LabelStatus, "True"))))
	}
	if s.suspendablePhase {
		add(Suspended, ReasonPhase, stale(q.sel(series.PhaseInfo, Matcher{series.LabelPhase, "=~", model.SuspendedPattern})))
	}
	for _, p := range q.phaseSelectors(SuspendMatch) {
		add(Suspended, ReasonPhase, stale(q.sel(series.PhaseInfo, p...)))
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
					degraded = append(degraded, Signal{Degraded, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ, notTrue, failureReason, notProgressTail})...)})
					degraded = append(degraded, Signal{Degraded, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ, eq(series.LabelStatus, "False"), givenReason, notProgressReason})...)})
					positiveFalse = append(positiveFalse, len(degraded)-1)
					progressing = append(progressing, Signal{Progressing, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ, notTrue})...)})
				}
			case model.Progress:
				progressing = append(progressing, Signal{Progressing, t, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ}, s.trueStatus(), []Matcher{notDoneReason})...)})
				working = append(working, q.sel(series.Condition, slices.Concat(kinds, []Matcher{typ}, s.trueStatus(), []Matcher{notDoneReason, notRetryReason})...))
			}
		}
	}
	if len(s.condKinds) > 0 {
		others := Matcher{series.LabelType, "!~", model.Alternation(s.types)}
		neg := Matcher{series.LabelType, "=~", model.NegativeTypePattern}
		degraded = append(degraded, Signal{Degraded, ReasonCondition, q.detail(s, q.sel(series.Condition, slices.Concat([]Matcher{neg, others}, s.trueStatus())...))})
		if s.withStatus {
			pos := []Matcher{{series.LabelType, "=~", model.PositiveTypePattern}, {series.LabelType, "!~", model.NegativeTypePattern}, others}
			degraded = append(degraded, Signal{Degraded, ReasonCondition, q.detail(s, q.sel(series.Condition, append(slices.Clone(pos), notTrue, failureReason, notProgressTail)...))})
			degraded = append(degraded, Signal{Degraded, ReasonCondition, q.detail(s, q.sel(series.Condition, append(slices.Clone(pos), eq(series.LabelStatus, "False"), givenReason, notProgressReason)...))})
			positiveFalse = append(positiveFalse, len(degraded)-1)
			progressing = append(progressing, Signal{Progressing, ReasonCondition, q.detail(s, q.sel(series.Condition, append(slices.Clone(pos), notTrue)...))})
		}
		// A type named for an activity, a present participle (Issuing,
		// Running, EKSControlPlaneUpdating), True: the activity is under
		// way, as kstatus' Reconciling and the Deployment's Progressing say;
		// a positive condition False meanwhile is work in progress too.
		activity := []Matcher{{series.LabelType, "=~", activityTypePattern}, {series.LabelType, "!~", steadyTypePattern}, {series.LabelType, "!~", model.NegativeTypePattern}, {series.LabelType, "!~", model.SuspendedPattern}, others}
		progressing = append(progressing, Signal{Progressing, ReasonCondition, q.detail(s, q.sel(series.Condition, slices.Concat(activity, s.trueStatus(), []Matcher{notDoneReason})...))})
		working = append(working, q.sel(series.Condition, slices.Concat(activity, s.trueStatus(), []Matcher{notDoneReason, notRetryReason})...))
	}
	failurePhases, progressPhases := q.phaseSelectors(failureMatch), q.phaseSelectors(progressMatch)
	for _, p := range failurePhases {
		degraded = append(degraded, Signal{Degraded, ReasonPhase, q.sel(series.PhaseInfo, p...)})
	}
	if s.problems {
		degraded = append(degraded, Signal{Degraded, ReasonProblems, q.sel(series.Problems) + " > 0"})
	}
	for _, p := range progressPhases {
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
	if len(s.topStatusKinds) > 0 {
		// A kind that reports conditions but whose object has none yet, and
		// holds nothing else crdmon reads in its status: its controller has
		// not got to it. Only kinds whose top-level conditions have a status:
		// a list without one (Argo CD's Application) is empty on healthy
		// objects.
		unreported := q.sel(series.Condition, append(q.kindMatcher(s.topStatusKinds, s.condKinds), eq(series.LabelType, ""), eq(series.LabelPath, ""))...)
		reported := q.reportedGauges(s)
		if len(progressPhases) > 0 || len(failurePhases) > 0 {
			reported = append(reported, q.sel(series.PhaseInfo))
		}
		if len(reported) > 0 {
			unreported = q.unless(unreported, strings.Join(reported, " or "))
		}
		progressing = append(progressing, Signal{Progressing, ReasonUnreported, unreported})
	}
	if len(s.phaseOnlyKinds) > 0 {
		// A kind whose state is a phase field (and no top-level condition
		// list) whose object reports none of its status signals: the status
		// is still to be written. Argo CD's checks fall through to
		// Progressing ("Waiting for status") for most kinds.
		var names []string
		for _, k := range q.Kinds {
			names = append(names, k.Kind)
		}
		reported := []string{q.sel(series.PhaseInfo)}
		if len(s.condKinds) > 0 {
			reported = append(reported, q.sel(series.Condition, Matcher{series.LabelType, "!=", ""}))
		}
		reported = append(reported, q.reportedGauges(s)...)
		unreported := q.sel(info, q.kindMatcher(s.phaseOnlyKinds, names)...)
		progressing = append(progressing, Signal{Progressing, ReasonUnreported, q.unless(unreported, strings.Join(reported, " or "))})
	}
	if lag != "" {
		for i := range degraded {
			degraded[i].Expr = stale(degraded[i].Expr)
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

// reportedGauges selects the status gauges of q's kinds whose presence
// shows the controller has written the status: observedGeneration and the
// ready replica count.
func (q Query) reportedGauges(s shape) []string {
	var out []string
	if s.generation {
		out = append(out, q.sel(series.ObservedGeneration))
	}
	if s.replicas {
		out = append(out, q.sel(series.ReplicasReady))
	}
	return out
}

// notTrue selects a positive condition that is not (yet) True.
var notTrue = Matcher{series.LabelStatus, "=~", "False|Unknown"}

// activityTypePattern matches condition types whose last word is a present
// participle: an activity, under way while the condition is True
// (model.IsActivityType: not InstallPlanMissing).
var activityTypePattern = model.ActivityTypePattern

// steadyTypePattern matches the present participles that name a steady
// healthy state rather than work to finish (OpenShift's
// CanaryChecksSucceeding is True while all is well; InstallPlanMissing):
// model.NonActivities.
var steadyTypePattern = model.NotActivityTypePattern

// notProgressTail leaves out reasons that end in a word of
// model.ProgressPhases: the last word of a CamelCase reason is what it is
// (Pulumi's NotReadyInProgress is progress, InfrastructureProvisioningFailed
// a failure).
var notProgressTail = Matcher{series.LabelReason, "!~", "(?i).*(?:" + model.Alternation(model.ProgressPhases) + ")"}

// givenReason selects conditions that give a reason. A positive condition
// False without one says nothing of why: kstatus reads Ready=False as
// InProgress, and a controller that reports a failure names it (API
// conventions: reason is the machine-readable why of the status).
var givenReason = Matcher{series.LabelReason, "!=", ""}

// notDoneReason leaves out progress conditions whose reason says the work is
// done: a Deployment keeps Progressing=True with reason
// NewReplicaSetAvailable once its rollout is complete; a reason ending in
// one of model.PositiveSuffixes (Available, Succeeded, Ready...) or in a
// word of completion (ContinuousArchivingSuccess) reads so.
var notDoneReason = Matcher{series.LabelReason, "!~", ".*(?:" + model.Alternation(append(slices.Clone(model.PositiveSuffixes), doneWords...)) + ")"}

// doneWords end reasons that say an activity completed.
var doneWords = []string{"Complete", "Completed", "Success", "Successful"}

// notRetryReason leaves out progress conditions whose reason says an attempt
// failed and is being retried (Flux's Reconciling=True with reason
// ProgressingWithRetry): such a condition does not make a positive
// condition False work in progress.
var notRetryReason = Matcher{series.LabelReason, "!~", "(?i).*retry.*"}

// notProgressReason leaves out conditions whose reason says work is under
// way (Provisioning, NotReadyInProgress, StackProcessing): a word of
// model.ProgressPhases anywhere in it, in any case.
var notProgressReason = Matcher{series.LabelReason, "!~", "(?i).*(?:" + model.Alternation(model.ProgressPhases) + ").*"}

// failureReason selects conditions whose reason names a failure
// (UpgradeFailed, DependencyNotReady, PartialTriggerError): a positive
// condition not True for such a reason is Degraded, whatever else the
// object says, unless the reason ends naming progress (notProgressTail).
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
	if len(s.topStatusKinds) == 0 {
		return expr
	}
	return q.unless(expr, q.sel(series.Condition, eq(series.LabelType, "Ready"), eq(series.LabelStatus, "True"), eq(series.LabelPath, "")))
}

// shape summarizes the signals of q's kinds.
type shape struct {
	condKinds                 []string // kinds with conditions
	withStatus, withoutStatus bool
	topStatusKinds            []string // kinds with a top-level condition list with status
	phaseOnlyKinds            []string // kinds with a phase field and no such list
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
		if slices.ContainsFunc(k.Phases, func(ph model.Phase) bool { return !ph.Error }) && !slices.Contains(s.topStatusKinds, k.Kind) {
			s.phaseOnlyKinds = append(s.phaseOnlyKinds, k.Kind)
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

// failureMatch and progressMatch select a phase field's failure and
// progress values (PhaseMatch).
func failureMatch(ph model.Phase) (op, value string, ok bool)  { return PhaseMatch(ph, true) }
func progressMatch(ph model.Phase) (op, value string, ok bool) { return PhaseMatch(ph, false) }

// phaseSelectors returns the matchers selecting the values match picks of
// q's phase fields, kinds whose field matches alike sharing one.
func (q Query) phaseSelectors(match func(model.Phase) (op, value string, ok bool)) [][]Matcher {
	type part struct {
		field, op, value string
		kinds            []string
	}
	var parts []*part
	universe := map[string][]string{} // field → kinds having it
	for _, k := range q.Kinds {
		for _, ph := range k.Phases {
			universe[ph.SchemaPath] = append(universe[ph.SchemaPath], k.Kind)
			op, value, ok := match(ph)
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
