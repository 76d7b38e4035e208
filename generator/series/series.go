// Package series is the contract between the kube-state-metrics config crdmon
// generates and everything that queries it (rules, dashboards, tests): metric
// names, label names, and which families a kind produces.
//
// All kinds share one family of names, told apart by the labels
// kube-state-metrics adds (customresource_group, customresource_kind,
// customresource_version), so one rule or panel can serve many kinds.
package series

import (
	"regexp"
	"slices"

	"github.com/crdmon/crdmon/generator/model"
)

// DefaultPrefix is kube-state-metrics' own default metricNamePrefix.
const DefaultPrefix = "kube_customresource"

// Metric name suffixes, joined to the prefix with "_".
const (
	// Info is 1 per object; labels name, namespace, deleting (while the object
	// is being deleted) and suspended (when the kind has a suspend field).
	Info = "info"
	// Condition is 1 series per condition, value 1; labels type, status,
	// reason (and path for nested lists). A list without a status field
	// carries status="True": a listed condition holds. It does not depend on
	// lastTransitionTime, so a condition whose timestamp kube-state-metrics
	// cannot parse is still seen; an empty or absent list gives no series.
	Condition = "condition"
	// ConditionTime is the lastTransitionTime of each condition in Unix
	// seconds, with the labels of Condition; no series when the time is
	// absent or not RFC 3339 (only the age of the condition is lost then).
	ConditionTime = "condition_transition_seconds"
	// ConditionGeneration is the observedGeneration of each condition that
	// has one (metav1.Condition), labels type (and path): a condition set
	// for an older metadata.generation describes an older spec.
	ConditionGeneration = "condition_observed_generation"
	// ConditionDeclared is 1 per object and condition type whose polarity
	// crdmon.yaml declares for its kind; labels type and polarity, which
	// the rules give to every condition of that type.
	ConditionDeclared = "condition_declared"
	// PhaseClass is one StateSet series per value of a state field that
	// generation classified (an enum's values, crdmon.yaml's declared
	// values): labels field, class (ClassFailure, ClassProgress,
	// ClassSuspended) and phase; 1 for the value the field holds, else 0.
	PhaseClass = "phase_class"

	// ReplicasDesired is the desired replica count (spec, or a status total
	// such as desiredNumberScheduled).
	ReplicasDesired = "replicas_desired"
	// ReplicasReady is the ready replica count (status); no series while the
	// controller has not reported it, so an unreported count never reads as 0.
	ReplicasReady = "replicas_ready"
	// ReplicasCurrent, ReplicasAvailable and ReplicasUpdated are the other
	// members of a replica family (status.replicas, availableReplicas,
	// updatedReplicas or upToDateReplicas), for kinds that have them; like
	// ReplicasReady, no series while the controller has not reported them.
	ReplicasCurrent   = "replicas_current"
	ReplicasAvailable = "replicas_available"
	ReplicasUpdated   = "replicas_updated"
	// Generation is metadata.generation.
	Generation = "generation"
	// ObservedGeneration is status.observedGeneration.
	ObservedGeneration = "observed_generation"
	// PhaseInfo is 1 per phase field that has a value; labels field, phase
	// and values (how the value is classified: Values*); for a true/false
	// flag, class: the class of its false value.
	PhaseInfo = "phase_info"
	// TimestampSeconds is one series per timestamp field that has a value,
	// in Unix seconds; labels field and meaning (model.Expiry, model.Renewal,
	// model.ValidFrom). No series while the field is unset.
	TimestampSeconds = "timestamp_seconds"
	// Failures is one series per failure counter field; label field. An
	// unset counter reads as 0 (no failures).
	Failures = "failures"
	// Problems is one series per problem counter field (a count that should
	// be zero, such as policy violations); label field. An unset counter
	// reads as 0.
	Problems = "problems"
)

// AllFamilies lists every family suffix crdmon's config can produce.
var AllFamilies = []string{
	Info, Condition, ConditionTime, ConditionGeneration, ConditionDeclared, ReplicasDesired, ReplicasReady,
	ReplicasCurrent, ReplicasAvailable, ReplicasUpdated, Generation, ObservedGeneration,
	PhaseInfo, PhaseClass, TimestampSeconds, Failures, Problems,
}

// Label names added by crdmon's config. kube-state-metrics adds the GVK labels itself.
const (
	LabelName      = "name"
	LabelNamespace = "namespace"
	LabelSuspended = "suspended" // "true"/"false" on Info, absent when unset
	LabelDeleting  = "deleting"  // metadata.deletionTimestamp on Info, absent unless the object is being deleted
	LabelType      = "type"
	LabelStatus    = "status"
	LabelReason    = "reason"
	LabelSeverity  = "severity" // Cluster API's condition severity (Error, Warning, Info)
	LabelPath      = "path"     // nested condition list, e.g. "status.parents[0]"
	LabelField     = "field"    // schema path of a phase field, e.g. "status.phase"
	LabelPhase     = "phase"
	LabelMeaning   = "meaning"  // what a timestamp field means: expiry, renewal, valid-from
	LabelPolarity  = "polarity" // a declared condition type's polarity (model.Polarity)
	LabelClass     = "class"    // PhaseClass: ClassFailure, ClassProgress or ClassSuspended
	LabelValues    = "values"   // PhaseInfo: ValuesOpen, ValuesDeclared, ValuesEnum or ValuesError
	// LabelReady is the status of the object's top-level Ready condition on
	// Info ("True", "False", "Unknown"; absent without one), for kinds
	// whose top-level condition list has a status field.
	LabelReady = "ready"
	// LabelReports says on Info what status the kind is expected to report:
	// ReportsConditions (a top-level condition list with status) or
	// ReportsState (a state field and no such list); absent otherwise. An
	// object reporting none of its status signals yet is Progressing.
	LabelReports = "reports"
	// LabelExpectsReady is "true" on Info when the schema or a printer
	// column names a top-level Ready condition: an object reporting other
	// conditions but no Ready has not been judged yet.
	LabelExpectsReady = "expects_ready"
	// LabelScope is the static label every series of crdmon's config
	// carries, with value ScopeValue, so that the rule pack judges only
	// crdmon's series and not other custom-resource-state metrics sharing
	// the prefix.
	LabelScope = "crdmon"
	ScopeValue = "true"

	LabelGroup   = "customresource_group"
	LabelKind    = "customresource_kind"
	LabelVersion = "customresource_version"
)

// Values of LabelReports.
const (
	ReportsConditions = "conditions"
	ReportsState      = "state"
)

// Values of LabelClass.
const (
	ClassFailure   = "failure"
	ClassProgress  = "progress"
	ClassSuspended = "suspended"
)

// Values of LabelValues: how a state field's value is judged.
const (
	ValuesOpen     = model.PhaseValuesOpen     // no values known: failure, progress and pause words decide
	ValuesDeclared = model.PhaseValuesDeclared // no enum, values declared in crdmon.yaml (PhaseClass); pause words besides
	ValuesEnum     = model.PhaseValuesEnum     // an enum: its values are classified in PhaseClass only
	ValuesFlag     = model.PhaseValuesFlag     // a true/false flag: PhaseInfo carries the class of its false value
	ValuesError    = model.PhaseValuesError    // an error message field: any value is a failure
)

// ObjectLabels are the labels that identify one object across families.
var ObjectLabels = []string{LabelGroup, LabelKind, LabelNamespace, LabelName}

var validName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)

// ValidName reports whether s is a valid Prometheus metric or prefix name.
func ValidName(s string) bool { return validName.MatchString(s) }

// Name joins a prefix and a suffix the way kube-state-metrics does.
func Name(prefix, suffix string) string {
	if prefix == "" {
		return suffix
	}
	return prefix + "_" + suffix
}

// ReplicaMember is the metric suffix of a replica family member
// (model.Current, model.Available, model.Updated).
func ReplicaMember(member string) string {
	switch member {
	case model.Current:
		return ReplicasCurrent
	case model.Available:
		return ReplicasAvailable
	case model.Updated:
		return ReplicasUpdated
	}
	panic("series: unknown replica family member " + member)
}

// Families returns the metric suffixes the generated config produces for a kind,
// in a stable order. Info is always produced.
func Families(k model.Kind) []string {
	out := []string{Info}
	if len(k.Conditions) > 0 {
		out = append(out, Condition)
		if slices.ContainsFunc(k.Conditions, func(c model.ConditionSet) bool { return c.HasTransitionTime }) {
			out = append(out, ConditionTime)
		}
		if HasConditionGeneration(k) {
			out = append(out, ConditionGeneration)
		}
		if len(k.Polarity) > 0 {
			out = append(out, ConditionDeclared)
		}
	}
	if k.Replicas != nil {
		out = append(out, ReplicasDesired, ReplicasReady)
		for _, m := range k.Replicas.Members() {
			out = append(out, ReplicaMember(m.Name))
		}
	}
	if k.Generation != nil || HasConditionGeneration(k) {
		out = append(out, Generation)
	}
	if k.Generation != nil {
		out = append(out, ObservedGeneration)
	}
	if len(k.Phases) > 0 {
		out = append(out, PhaseInfo)
		if slices.ContainsFunc(k.Phases, func(p model.Phase) bool {
			c := model.ClassifyPhase(p)
			return c.Values == model.PhaseValuesEnum && c.Classified()
		}) {
			out = append(out, PhaseClass)
		}
	}
	if len(k.Timestamps) > 0 {
		out = append(out, TimestampSeconds)
	}
	if len(k.Failures) > 0 {
		out = append(out, Failures)
	}
	if len(k.Problems) > 0 {
		out = append(out, Problems)
	}
	return out
}

// HasConditionGeneration reports whether a condition list of the kind
// carries per-condition observedGeneration, to compare with
// metadata.generation (Generation).
func HasConditionGeneration(k model.Kind) bool {
	return slices.ContainsFunc(k.Conditions, func(c model.ConditionSet) bool { return c.HasObservedGeneration })
}
