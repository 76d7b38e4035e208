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

	"github.com/crdmon/crdmon/generator/model"
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
