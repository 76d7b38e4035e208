// Package health derives one health state per object from the
// kube-state-metrics series crdmon generates: Suspended, Degraded,
// Progressing or Healthy, as Argo CD shows them, with the signal that
// decided it. It writes the PromQL of the recording rule
// crdmon:health:state, which the rule renderer, `crdmon simulate` and the
// dashboards share, so the state logic lives in one place.
//
// The states follow the alerts' semantics (package rules) and the
// conventions of kstatus and Argo CD (see the reference notes):
//   - first of all, an object being deleted is Progressing (Argo CD's
//     generic "Pending deletion", kstatus' Terminating);
//   - Suspended: a true suspend field; a condition naming a pause True, a
//     state field holding such a value, unless the status lags the spec;
//   - Degraded: a negative condition True, a positive condition False for a
//     reason (without one, kstatus' Ready=False is InProgress), a failure
//     phase, an error field set, a problem counter (declared in
//     crdmon.yaml) above 0; not while the controller has yet to observe the
//     latest spec (observedGeneration behind generation);
//   - Progressing: Reconciling/Progressing True (not for a reason saying
//     the work is done), a type naming an activity True (Issuing,
//     Running), a positive condition not True, a progress phase or
//     readiness flag false, observedGeneration behind generation, fewer
//     ready replicas than desired, a status not written yet;
//   - Healthy: none of these.
//
// A state decided by a detail signal (a condition type no schema names, a
// progress phase, a replica shortfall) gives way to a top-level Ready=True,
// as the alerts do. The rules are instantaneous: durations stay in alerts.
package health

import (
	"slices"
	"strconv"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Metric is the recording rule's name: 1 per object, for its one state.
const Metric = "crdmon:health:state"

// Labels the recording rule adds to the object labels.
const (
	LabelState  = "state"
	LabelReason = "reason"
)

// States, by precedence: an object is in the first whose signals hold.
const (
	Suspended   = "Suspended"
	Degraded    = "Degraded"
	Progressing = "Progressing"
	Healthy     = "Healthy"
)

// States lists the states in precedence order.
var States = []string{Suspended, Degraded, Progressing, Healthy}

// Reasons that are not a condition type (a condition decides with its type,
// or ReasonCondition for a type no schema names).
const (
	ReasonDeleting   = "deleting"   // metadata.deletionTimestamp set (Progressing)
	ReasonSuspend    = "suspend"    // a true suspend field
	ReasonCondition  = "condition"  // a condition type the schema does not name
	ReasonPhase      = "phase"      // a phase or readiness field
	ReasonGeneration = "generation" // observedGeneration behind generation
	ReasonReplicas   = "replicas"   // fewer ready replicas than desired
	ReasonProblems   = "problems"   // a problem counter above 0
	ReasonUnreported = "unreported" // a kind with a status signal whose object reports none yet
	ReasonNone       = "none"       // Healthy: nothing says otherwise
)

// kstatusTypes are the condition types kstatus reads on any kind.
var kstatusTypes = []string{"Ready", "Stalled", "Reconciling"}

// abnormalTrueTypes are the kstatus types whose presence means trouble: the
// defaults for condition lists without a status field, where a listed
// condition counts as True and an absent Ready means nothing.
var abnormalTrueTypes = []string{"Stalled", "Reconciling"}

// TypesOf returns the condition types of a set that are read one by one:
// the types the schema (or the overrides file) names, plus kstatus'
// conventions. Other types are left to the catch-all patterns.
func TypesOf(cs model.ConditionSet) []string {
	defaults := kstatusTypes
	if !cs.HasStatus {
		defaults = abnormalTrueTypes
	}
	out := append([]string(nil), cs.KnownTypes...)
	for _, t := range defaults {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// PhaseMatch returns the label matcher operator and value selecting a phase
// field's failure values (failure) or progress values: the declared ones
// (an enum, or crdmon.yaml's failure values) exactly, or, for a field with
// none declared, model.FailurePhasePattern or model.ProgressPhasePattern
// (a failure or progress word anywhere in the value: "Error, secret not
// found", NodesUpgrading); every value of an error message field is a
// failure. ok is false when the field has values of neither kind.
func PhaseMatch(ph model.Phase, failure bool) (op, value string, ok bool) {
	if ph.Error {
		return "=~", anyValue, failure
	}
	values, pattern := ph.Progress, model.ProgressPhasePattern
	if failure {
		values, pattern = ph.Failure, model.FailurePhasePattern
	}
	if len(values) > 0 {
		return exactly(values)
	}
	if len(ph.Values) == 0 && len(ph.Failure) == 0 && len(ph.Progress) == 0 && len(ph.Suspended) == 0 {
		return "=~", pattern, true
	}
	return "", "", false
}

// SuspendMatch returns the label matcher operator and value selecting the
// values crdmon.yaml declares to mean a pause for a phase field; ok is false
// when it declares none (SuspendablePhase covers values that name a pause).
func SuspendMatch(ph model.Phase) (op, value string, ok bool) {
	return exactly(ph.Suspended)
}

// exactly selects the given values, exactly; ok is false for none.
func exactly(values []string) (op, value string, ok bool) {
	switch len(values) {
	case 0:
		return "", "", false
	case 1:
		return "=", values[0], true
	}
	return "=~", model.Alternation(values), true
}

// anyValue matches every non-empty value, across lines (an error message).
const anyValue = "(?s).+"

// SuspendablePhase reports whether a phase field may hold a value that names
// a pause: any value when it has no enum, else one of its enum values; never
// an error message field.
func SuspendablePhase(ph model.Phase) bool {
	if ph.Error {
		return false
	}
	if len(ph.Values) == 0 {
		return true
	}
	return slices.ContainsFunc(ph.Values, model.IsSuspendedValue)
}

// Matcher is one PromQL label matcher, e.g. {"type", "=~", "Ready|Synced"}.
type Matcher struct{ Name, Op, Value string }

func eq(name, value string) Matcher { return Matcher{name, "=", value} }

// String renders the matcher as PromQL.
func (m Matcher) String() string { return m.Name + m.Op + quote(m.Value) }

func quote(s string) string { return strconv.Quote(s) }

// Signal is one way an object reaches a state: a PromQL expression whose
// result holds (at least) the object labels of every object it applies to.
type Signal struct {
	State  string
	Reason string
	Expr   string
}

// Query writes the health PromQL of a set of kinds for selectors that carry
// Base (the API group, say, or dashboard variables) and read metrics named
// with Prefix.
type Query struct {
	Prefix string
	Base   []Matcher
	Kinds  []model.Kind
	// By is the label list one object is grouped by; nil means
	// series.ObjectLabels (dashboards put their cluster label first).
	By []string
}

func (q Query) by() []string {
	if q.By != nil {
		return q.By
	}
	return series.ObjectLabels
}

// sel renders a selector of the family suffix with the base matchers and ms.
func (q Query) sel(suffix string, ms ...Matcher) string {
	all := append(append([]Matcher(nil), q.Base...), ms...)
	parts := make([]string, len(all))
	for i, m := range all {
		parts[i] = m.String()
	}
	return series.Name(q.Prefix, suffix) + "{" + strings.Join(parts, ", ") + "}"
}

// onObject is the vector matching of one object's series.
func (q Query) onObject() string { return "on(" + strings.Join(q.by(), ", ") + ")" }

// kindMatcher restricts a selector to kinds unless they are all the kinds
// of universe (those that could produce a matching series).
func (q Query) kindMatcher(kinds, universe []string) []Matcher {
	if len(kinds) == len(universe) {
		return nil
	}
	if len(kinds) == 1 {
		return []Matcher{eq(series.LabelKind, kinds[0])}
	}
	return []Matcher{{series.LabelKind, "=~", model.Alternation(kinds)}}
}
