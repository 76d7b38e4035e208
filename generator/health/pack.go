package health

import (
	"slices"
	"strconv"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Recorded series of the rule pack's first two layers. Every one holds one
// series per object (and source, for signals), labelled with the object
// labels (series.ObjectLabels, after the cluster label when there is one).
const (
	// Conditions is every condition of crdmon's series, labelled polarity
	// (positive, negative, progress, activity; absent when neutral) and
	// named ("true" for kstatus' types, the model's well-known types and
	// types crdmon.yaml declares),
	// its value the condition's lastTransitionTime, or 1 when unknown. A
	// condition type that is not named gives way to a top-level Ready=True
	// (it is a detail): it is not recorded for such objects.
	Conditions = "crdmon:condition:polarity"
	// Failing, Progressing, Suspended and Silenced are layer 1: one series
	// per object and source of trouble, labelled reason (a Reason*
	// constant) and signal (the condition type or field); condition
	// signals keep polarity. The value is the source's lastTransitionTime
	// when known, else 1.
	Failing           = "crdmon:signal:failing"
	ProgressingSignal = "crdmon:signal:progressing"
	SuspendedSignal   = "crdmon:signal:suspended"
	// Silenced is what keeps alerts quiet: an object being deleted, one
	// whose controller has not observed its latest spec (reason
	// generation), and every suspended one.
	Silenced = "crdmon:signal:silenced"
)

// OverridePhase is the override table of the values crdmon.yaml declares
// for state fields without an enum: one constant row per kind (or "*" for
// every kind of a group), field, value (label phase) and class.
const OverridePhase = "crdmon:override:phase"

// Labels of the recorded series.
const (
	LabelSignal   = "signal"
	LabelPolarity = series.LabelPolarity
	LabelNamed    = "named"
)

// Polarity label values of Conditions beyond model.Polarity's: a type
// naming an activity under way (a present participle), True while it runs.
const Activity = "activity"

// Rule is one recording rule of the pack.
type Rule struct {
	Record, Expr string
}

// Pack writes the pack's recording rules over the series of a config with
// metric prefix Prefix; ClusterLabel, when set, is kept as an object label.
type Pack struct {
	Prefix       string
	ClusterLabel string
}

// ObjectLabels are the labels naming one object in the recorded series.
func (p Pack) ObjectLabels() []string {
	if p.ClusterLabel == "" {
		return series.ObjectLabels
	}
	return append([]string{p.ClusterLabel}, series.ObjectLabels...)
}

// On is the vector matching of one object's series.
func (p Pack) On(extra ...string) string {
	return "on(" + strings.Join(append(slices.Clone(p.ObjectLabels()), extra...), ", ") + ")"
}

func (p Pack) by(extra ...string) string {
	return "(" + strings.Join(append(slices.Clone(p.ObjectLabels()), extra...), ", ") + ")"
}

// Raw selects a family of crdmon's kube-state-metrics series: its name
// with the prefix, the scope label and matchers (already rendered).
func (p Pack) Raw(suffix string, matchers ...string) string {
	return series.Name(p.Prefix, suffix) + "{" + strings.Join(append([]string{Eq(series.LabelScope, series.ScopeValue)}, matchers...), ", ") + "}"
}

// Sel selects a recorded series with matchers.
func Sel(metric string, matchers ...string) string {
	if len(matchers) == 0 {
		return metric
	}
	return metric + "{" + strings.Join(matchers, ", ") + "}"
}

// Eq, Ne, Re and Nre render label matchers.
func Eq(name, value string) string  { return name + "=" + strconv.Quote(value) }
func Ne(name, value string) string  { return name + "!=" + strconv.Quote(value) }
func Re(name, value string) string  { return name + "=~" + strconv.Quote(value) }
func Nre(name, value string) string { return name + "!~" + strconv.Quote(value) }

// The patterns the pack classifies by, the model's word lists written as
// Prometheus regexes (fully anchored by Prometheus). They are read in the
// first layer only.
var (
	// namedTypes never give way to Ready=True: kstatus' types and the
	// well-known types of the model's lists, read on any kind as a type its
	// schema names. Types only the word patterns classify are details.
	namedTypes = slices.Concat([]string{"Ready", "Stalled", "Reconciling"}, model.ProgressTypes, model.PositiveTypes, model.NegativeTypes)
	// activityPattern: a type whose last word is a present participle
	// (model.IsActivityType).
	activityPattern = model.ActivityTypePattern
	// steadyPattern: present participles naming no work under way
	// (OpenShift's CanaryChecksSucceeding is True while all is well;
	// InstallPlanMissing): model.NonActivities.
	steadyPattern = model.NotActivityTypePattern
	// doneReason: a reason saying the work is done (a Deployment keeps
	// Progressing=True, reason NewReplicaSetAvailable, once rolled out).
	doneReason = ".*(?:" + model.Alternation(slices.Concat(model.PositiveSuffixes, []string{"Complete", "Completed", "Success", "Successful"})) + ")"
	// retryReason: an attempt failed and is retried (Flux's
	// ProgressingWithRetry): not work that excuses a positive condition False.
	retryReason = "(?i).*retry.*"
	// progressTail: a reason ending in a progress word (NotReadyInProgress).
	progressTail = "(?i).*(?:" + model.Alternation(model.ProgressPhases) + ")"
	// progressAnywhere: a progress word anywhere in a reason.
	progressAnywhere = "(?i).*(?:" + model.Alternation(model.ProgressPhases) + ").*"
)

// lr is label_replace.
func lr(expr, dst, replacement, src, regex string) string {
	return "label_replace(" + expr + ", " + strconv.Quote(dst) + ", " + strconv.Quote(replacement) + ", " + strconv.Quote(src) + ", " + strconv.Quote(regex) + ")"
}

// signal turns expr into layer-1 series of value 1: one per object, reason
// and signal, the signal named by label from, or fixed when from is "".
func (p Pack) signal(reason, from, fixed, expr string) string {
	if from != "" {
		expr = lr(expr, LabelSignal, "$1", from, "(.*)")
	} else {
		expr = lr(expr, LabelSignal, fixed, "", "")
	}
	return "group by " + p.by(LabelReason, LabelSignal) + " (" + lr(expr, LabelReason, reason, "", "") + ")"
}

// conditionSignal turns classified conditions into layer-1 series that keep
// their polarity and, as value, the latest lastTransitionTime (1 unknown).
func (p Pack) conditionSignal(expr string) string {
	return "max by " + p.by(LabelReason, LabelSignal, LabelPolarity) + " (" +
		lr(lr(expr, LabelSignal, "$1", series.LabelType, "(.*)"), LabelReason, ReasonCondition, "", "") + ")"
}

// or joins alternatives.
func or(exprs ...string) string { return strings.Join(exprs, " or ") }

// paren wraps an expression in parentheses.
func paren(expr string) string { return "(" + expr + ")" }

// Rules returns the recording rules of layers 1 and 2, in evaluation order
// (one rule group: each reads what the rules before it recorded in the same
// round). A record's sources are one rule, told apart by their reason label.
func (p Pack) Rules() []Rule {
	info := func(ms ...string) string { return p.Raw(series.Info, ms...) }
	ready := info(Eq(series.LabelReady, "True"))
	c := func(ms ...string) string { return Sel(Conditions, ms...) }
	lag := p.Raw(series.ObservedGeneration) + " < " + p.Raw(series.Generation)
	phaseProgress := or(p.classified(series.ClassProgress),
		p.Raw(series.PhaseInfo, Eq(series.LabelValues, series.ValuesOpen), Re(series.LabelPhase, model.ProgressPhasePattern)))
	var out []Rule
	// One rule per record: the sources of a record, told apart by their
	// reason label, are joined with "or" (promtool's lint reads several
	// rules writing one name as duplicates).
	merged := false
	add := func(record, expr string) {
		n := len(out)
		if n == 0 || out[n-1].Record != record {
			out, merged = append(out, Rule{record, expr}), false
			return
		}
		if !merged {
			out[n-1].Expr, merged = paren(out[n-1].Expr), true
		}
		out[n-1].Expr += "\nor " + paren(expr)
	}

	// Layer 1. Conditions, classified once: the time a condition changed,
	// where kube-state-metrics could read it; polarity by the model's
	// lists, or as crdmon.yaml declares it for the kind.
	// A condition set for an older metadata.generation (its own
	// observedGeneration, metav1.Condition) describes an older spec: it
	// is left out of the classified conditions and says Progressing.
	stale := p.Raw(series.ConditionGeneration) + " < " + p.On() + " group_left() " + p.Raw(series.Generation)
	condition := paren(p.Raw(series.Condition) + " unless " + p.On(series.LabelPath, series.LabelType) + " " + paren(stale))
	// The time family has the condition family's labels: its series where
	// the condition counts, else the condition (value 1).
	since := paren(paren(p.Raw(series.ConditionTime)+" > 0")+" and "+condition) + " or " + condition
	declared := p.Raw(series.ConditionDeclared)
	classified := paren(paren(since) + " unless " + p.On(series.LabelType) + " " + declared)
	for _, step := range [][3]string{ // later steps win
		{LabelPolarity, Activity, activityPattern},
		{LabelPolarity, "", steadyPattern},
		{LabelPolarity, "", model.SuspendedPattern},
		{LabelPolarity, string(model.Positive), model.PositiveTypePattern},
		{LabelPolarity, string(model.Progress), model.Alternation(model.ProgressTypes)},
		{LabelPolarity, string(model.Negative), model.NegativeTypePattern},
		{LabelPolarity, string(model.Positive), model.Alternation(model.PositiveTypes)},
		{LabelNamed, "true", model.Alternation(namedTypes)},
	} {
		classified = lr(classified, step[0], step[1], series.LabelType, step[2])
	}
	// A declared type: its polarity on every condition of the type, in
	// every list (top-level or nested); named, it never gives way.
	declaredPolarity := paren(since) + " * " + p.On(series.LabelType) + " group_left(" + LabelPolarity + ") group by " +
		p.by(series.LabelType, LabelPolarity) + " (" + declared + ")"
	add(Conditions, paren(or(classified, lr(paren(declaredPolarity), LabelNamed, "true", "", "")))+
		" unless "+p.On(LabelNamed)+" "+ready)

	// Suspended: the spec says so, a condition naming a pause holds, a
	// state field holds a pause value.
	add(SuspendedSignal, p.signal(ReasonSuspend, "", series.LabelSuspended, info(Eq(series.LabelSuspended, "true"))))
	add(SuspendedSignal, p.signal(ReasonCondition, series.LabelType, "", or(
		p.Raw(series.Condition, Re(series.LabelType, model.SuspendedPattern), Eq(series.LabelStatus, "True")),
		p.Raw(series.Condition, Re(series.LabelReason, model.SuspendedPattern), Nre(series.LabelReason, model.NegatedFailurePattern)))))
	add(SuspendedSignal, p.signal(ReasonPhase, series.LabelField, "", or(
		p.classified(series.ClassSuspended),
		p.Raw(series.PhaseInfo, Re(series.LabelValues, series.ValuesOpen+"|"+series.ValuesDeclared), Re(series.LabelPhase, model.SuspendedPattern)))))

	// Silenced: being deleted, a status that lags the spec, suspended.
	add(Silenced, p.signal(ReasonDeleting, "", "deletionTimestamp", info(Ne(series.LabelDeleting, ""))))
	add(Silenced, p.signal(ReasonGeneration, "", "observedGeneration", lag))
	add(Silenced, Sel(SuspendedSignal))

	// Progressing: the spec not observed yet, a positive condition not
	// True, work under way (not for a reason saying it is done), a
	// progress state, a status not written yet, ready replicas short.
	add(ProgressingSignal, p.signal(ReasonGeneration, "", "observedGeneration", lag))
	add(ProgressingSignal, p.signal(ReasonGeneration, series.LabelType, "", stale))
	add(ProgressingSignal, p.conditionSignal(or(
		c(Eq(LabelPolarity, string(model.Positive)), Ne(series.LabelStatus, "True")),
		c(Re(LabelPolarity, string(model.Progress)+"|"+Activity), Eq(series.LabelStatus, "True"), Nre(series.LabelReason, doneReason)))))
	add(ProgressingSignal, p.signal(ReasonPhase, series.LabelField, "", paren(phaseProgress)+" unless "+p.On()+" "+ready))
	add(ProgressingSignal, p.signal(ReasonUnreported, "", "status", info(Ne(series.LabelReports, ""))+" unless "+p.On()+" "+
		paren(or(p.Raw(series.Condition), p.Raw(series.PhaseInfo), p.Raw(series.ObservedGeneration), p.Raw(series.ReplicasReady)))))
	// An expected Ready (the schema or a printer column names it) that is
	// absent while other conditions are reported: not judged yet.
	add(ProgressingSignal, p.signal(ReasonUnreported, "", "Ready", info(Eq(series.LabelExpectsReady, "true"), Eq(series.LabelReady, ""))+
		" and "+p.On()+" "+p.Raw(series.Condition)))
	// Desired replicas: the spec's, or status.replicas where an object
	// omits an optional spec.replicas.
	desired := paren(p.Raw(series.ReplicasDesired) + " or " + p.On() + " " + p.Raw(series.ReplicasCurrent))
	add(ProgressingSignal, p.signal(ReasonReplicas, "", "readyReplicas", paren(p.Raw(series.ReplicasReady)+" < "+p.On()+" "+desired)+" unless "+p.On()+" "+ready))

	// Failing: a negative condition True; a positive one not True for a
	// failure reason, or False for a reason unless the object says it is
	// working (kstatus); a failure state; an error field set; problems.
	working := or(c(Re(LabelPolarity, string(model.Progress)+"|"+Activity), Eq(series.LabelStatus, "True"), Nre(series.LabelReason, doneReason), Nre(series.LabelReason, retryReason)), paren(phaseProgress))
	failureReason := []string{Re(series.LabelReason, model.FailureReasonPattern), Nre(series.LabelReason, model.NegatedFailurePattern)}
	add(Failing, p.conditionSignal(or(
		c(Eq(LabelPolarity, string(model.Negative)), Eq(series.LabelStatus, "True")),
		// Cluster API: a condition False with severity Error.
		c(Eq(series.LabelSeverity, "Error"), Ne(series.LabelStatus, "True")),
		// A failure reason on a neutral condition not True, on a progress
		// condition False (ProgressDeadlineExceeded), on a positive
		// condition True (Complete=True, reason BackoffLimitExceeded).
		paren(c(failureReason...)+" and "+paren(or(
			c(Eq(LabelPolarity, ""), Re(series.LabelStatus, "False|Unknown")),
			c(Eq(LabelPolarity, string(model.Progress)), Eq(series.LabelStatus, "False")),
			c(Eq(LabelPolarity, string(model.Positive)), Eq(series.LabelStatus, "True"))))),
		c(Eq(LabelPolarity, string(model.Positive)), Re(series.LabelStatus, "False|Unknown"), Re(series.LabelReason, model.NegativeTypePattern), Nre(series.LabelReason, progressTail)),
		paren(c(Eq(LabelPolarity, string(model.Positive)), Eq(series.LabelStatus, "False"), Ne(series.LabelReason, ""), Nre(series.LabelReason, progressAnywhere))+" unless "+p.On()+" "+paren(working)))))
	add(Failing, p.signal(ReasonPhase, series.LabelField, "", or(
		p.classified(series.ClassFailure),
		p.Raw(series.PhaseInfo, Eq(series.LabelValues, series.ValuesError)),
		p.Raw(series.PhaseInfo, Eq(series.LabelValues, series.ValuesOpen), Re(series.LabelPhase, model.FailurePhasePattern)))))
	add(Failing, p.signal(ReasonProblems, series.LabelField, "", p.Raw(series.Problems)+" > 0"))

	// Layer 2: the first state that holds, one series per object.
	add(Metric, p.stateExpr())
	return out
}

// classified selects the state fields holding a value of class: an enum
// value (phase_class), a flag false (phase_info of values "flag", a bool
// that kube-state-metrics renders as a label but cannot match as a string), a value crdmon.yaml
// declares for the kind or, with kind "*", its group (the override table).
func (p Pack) classified(class string) string {
	declared := p.Raw(series.PhaseInfo, Eq(series.LabelValues, series.ValuesDeclared))
	row := func(ms ...string) string {
		return Sel(OverridePhase, append([]string{Eq(series.LabelClass, class)}, ms...)...)
	}
	return or(
		p.Raw(series.PhaseClass, Eq(series.LabelClass, class))+" == 1",
		p.Raw(series.PhaseInfo, Eq(series.LabelValues, series.ValuesFlag), Eq(series.LabelClass, class), Re(series.LabelPhase, "false|False")),
		declared+" * on("+series.LabelGroup+", "+series.LabelKind+", "+series.LabelField+", "+series.LabelPhase+") group_left() "+row(Ne(series.LabelKind, "*")),
		declared+" * on("+series.LabelGroup+", "+series.LabelField+", "+series.LabelPhase+") group_left() "+row(Eq(series.LabelKind, "*")))
}

// stateExpr is crdmon:health:state: the first (state, reason) whose signal
// holds for an object, in precedence order.
func (p Pack) stateExpr() string {
	notStale := " unless " + p.On() + " " + Sel(Silenced, Eq(LabelReason, ReasonGeneration))
	silenced := " unless " + p.On() + " " + Sel(Silenced)
	type branch struct{ state, reason, expr string }
	branches := []branch{
		{Progressing, ReasonDeleting, Sel(Silenced, Eq(LabelReason, ReasonDeleting))},
		{Suspended, ReasonSuspend, Sel(SuspendedSignal, Eq(LabelReason, ReasonSuspend))},
		{Suspended, ReasonCondition, Sel(SuspendedSignal, Eq(LabelReason, ReasonCondition)) + notStale},
		{Suspended, ReasonPhase, Sel(SuspendedSignal, Eq(LabelReason, ReasonPhase)) + notStale},
		{Degraded, ReasonCondition, Sel(Failing, Eq(LabelReason, ReasonCondition)) + silenced},
		{Degraded, ReasonPhase, Sel(Failing, Eq(LabelReason, ReasonPhase)) + silenced},
		{Degraded, ReasonProblems, Sel(Failing, Eq(LabelReason, ReasonProblems)) + silenced},
	}
	for _, r := range []string{ReasonGeneration, ReasonCondition, ReasonPhase, ReasonUnreported, ReasonReplicas} {
		branches = append(branches, branch{Progressing, r, Sel(ProgressingSignal, Eq(LabelReason, r))})
	}
	branches = append(branches, branch{Healthy, ReasonNone, p.Raw(series.Info)})
	terms := make([]string, len(branches))
	for i, b := range branches {
		terms[i] = lr(lr("group by "+p.by()+" ("+b.expr+")", LabelState, b.state, "", ""), LabelReason, b.reason, "", "")
	}
	return strings.Join(terms, "\nor "+p.On()+" ")
}

// Reasons returns, for each of States in order, the reasons that can decide
// it for kinds, in the order they are tried (crdmon inspect shows them).
func Reasons(kinds []model.Kind) [][]string {
	var has struct{ deleting, suspend, condSuspend, phaseSuspend, conditions, phases, failPhase, problems, generation, unreported, replicas bool }
	for _, k := range kinds {
		if !k.HasSignals() {
			continue
		}
		has.deleting = true
		has.suspend = has.suspend || k.Suspend != nil
		has.conditions = has.conditions || len(k.Conditions) > 0
		has.condSuspend = has.condSuspend || slices.ContainsFunc(k.Conditions, func(c model.ConditionSet) bool { return c.HasStatus })
		has.generation = has.generation || k.Generation != nil || series.HasConditionGeneration(k) // status.observedGeneration, or a condition's own
		has.replicas = has.replicas || k.Replicas != nil
		has.problems = has.problems || len(k.Problems) > 0
		for _, ph := range k.Phases {
			cl := model.ClassifyPhase(ph)
			has.phaseSuspend = has.phaseSuspend || SuspendablePhase(ph) || len(cl.Suspended) > 0
			has.failPhase = has.failPhase || cl.Values != model.PhaseValuesEnum || len(cl.Failure) > 0
			has.phases = has.phases || (cl.Values == model.PhaseValuesOpen || len(cl.Progress) > 0)
			has.unreported = has.unreported || !ph.Error
		}
		if slices.ContainsFunc(k.Conditions, func(c model.ConditionSet) bool { return c.HasStatus && !c.Assumed }) {
			has.unreported = true
		}
	}
	out := make([][]string, len(States))
	put := func(state, reason string, ok bool) {
		if ok {
			i := slices.Index(States, state)
			out[i] = append(out[i], reason)
		}
	}
	put(Suspended, ReasonSuspend, has.suspend)
	put(Suspended, ReasonCondition, has.condSuspend)
	put(Suspended, ReasonPhase, has.phaseSuspend)
	put(Degraded, ReasonCondition, has.conditions)
	put(Degraded, ReasonPhase, has.failPhase)
	put(Degraded, ReasonProblems, has.problems)
	put(Progressing, ReasonDeleting, has.deleting)
	put(Progressing, ReasonGeneration, has.generation)
	put(Progressing, ReasonCondition, has.conditions)
	put(Progressing, ReasonPhase, has.phases)
	put(Progressing, ReasonUnreported, has.unreported)
	put(Progressing, ReasonReplicas, has.replicas)
	put(Healthy, ReasonNone, has.deleting)
	return out
}
