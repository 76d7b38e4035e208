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

	"github.com/crdmon/crdmon/generator/model"
)

// DefaultPrefix is kube-state-metrics' own default metricNamePrefix.
const DefaultPrefix = "kube_customresource"

// Metric name suffixes, joined to the prefix with "_".
const (
	// Info is 1 per object; labels name, namespace, deleting (while the object
	// is being deleted) and suspended (when the kind has a suspend field).
	Info = "info"
	// Condition is 1 series per condition; labels type, status, reason (and path for nested lists).
	// Its value is the condition's lastTransitionTime in Unix seconds, or 0 when the
	// condition has no transition time.
	Condition = "condition"
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
	// PhaseInfo is 1 per phase field that has a value; labels field and phase.
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

// Label names added by crdmon's config. kube-state-metrics adds the GVK labels itself.
const (
	LabelName      = "name"
	LabelNamespace = "namespace"
	LabelSuspended = "suspended" // "true"/"false" on Info, absent when unset
	LabelDeleting  = "deleting"  // metadata.deletionTimestamp on Info, absent unless the object is being deleted
	LabelType      = "type"
	LabelStatus    = "status"
	LabelReason    = "reason"
	LabelPath      = "path"  // nested condition list, e.g. "status.parents[0]"
	LabelField     = "field" // schema path of a phase field, e.g. "status.phase"
	LabelPhase     = "phase"
	LabelMeaning   = "meaning" // what a timestamp field means: expiry, renewal, valid-from

	LabelGroup   = "customresource_group"
	LabelKind    = "customresource_kind"
	LabelVersion = "customresource_version"
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
	}
	if k.Replicas != nil {
		out = append(out, ReplicasDesired, ReplicasReady)
		for _, m := range k.Replicas.Members() {
			out = append(out, ReplicaMember(m.Name))
		}
	}
	if k.Generation != nil {
		out = append(out, Generation, ObservedGeneration)
	}
	if len(k.Phases) > 0 {
		out = append(out, PhaseInfo)
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
