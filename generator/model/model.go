// Package model holds crdmon's intermediate model: the kinds read from CRDs
// and the health signals detected in their schemas. Every renderer reads only
// this model; every signal records where in the schema it was found and which
// detection rule found it, so `crdmon inspect` can explain it.
package model

import "strings"

// Model is everything detected from one set of CRDs, sorted by group then kind.
type Model struct {
	Kinds []Kind `json:"kinds,omitempty"`
}

// Source locates a CRD in the input.
type Source struct {
	File string `json:"file"` // path as given by the user, or "-" for stdin
	Line int    `json:"line"` // 1-based line where the CRD's document starts
}

// Kind is one custom resource kind and its signals.
type Kind struct {
	Group      string `json:"group"`
	Kind       string `json:"kind"`
	Plural     string `json:"plural"`
	Version    string `json:"version"` // the version to watch: storage version, unless it is not served
	Namespaced bool   `json:"namespaced"`
	Source     Source `json:"source"`

	Conditions []ConditionSet `json:"conditions,omitempty"` // status condition lists, top-level first
	Replicas   *Replicas      `json:"replicas,omitempty"`   // desired vs ready replica counts
	Generation *Generation    `json:"generation,omitempty"` // status.observedGeneration
	Phases     []Phase        `json:"phases,omitempty"`     // phase/state string fields
	Suspend    *Field         `json:"suspend,omitempty"`    // boolean spec.suspend or spec.paused
	Timestamps []Timestamp    `json:"timestamps,omitempty"` // date-time status fields: expiry, renewal, validity start
	Failures   []Field        `json:"failures,omitempty"`   // integer status fields counting failures
	Problems   []Field        `json:"problems,omitempty"`   // integer status fields counting problems that should be zero (declared in crdmon.yaml)
	Notes      []string       `json:"notes,omitempty"`      // detection notes: candidates rejected and why

	// Polarity overrides PolarityOf for condition types of this kind (from
	// the overrides file).
	Polarity map[string]Polarity `json:"polarity,omitempty"`
}

// PolarityOf returns the polarity of a condition type of this kind: the
// kind's override when there is one, else the default lists.
func (k Kind) PolarityOf(conditionType string) Polarity {
	if p, ok := k.Polarity[conditionType]; ok {
		return p
	}
	return PolarityOf(conditionType)
}

// AnyKind is the Kind of a wildcard kind: every kind of its group, declared
// in crdmon.yaml for kinds created at run time, which no input CRD shows.
const AnyKind = "*"

// Wildcard reports whether k stands for every kind of its group.
func (k Kind) Wildcard() bool { return k.Kind == AnyKind }

// ID is "kind.group", unique within a model.
func (k Kind) ID() string { return strings.ToLower(k.Kind) + "." + k.Group }

// HasSignals reports whether any health signal was found for the kind.
func (k Kind) HasSignals() bool {
	return len(k.Conditions) > 0 || k.Replicas != nil || k.Generation != nil || len(k.Phases) > 0 ||
		len(k.Timestamps) > 0 || len(k.Failures) > 0 || len(k.Problems) > 0
}

// Field is one schema field used as a signal.
type Field struct {
	Path       []string `json:"path,omitempty"` // kube-state-metrics path segments, e.g. [status, observedGeneration]
	SchemaPath string   `json:"schemaPath"`     // dotted schema path with [] for lists, e.g. status.parents[].conditions
	Rule       string   `json:"rule,omitempty"` // the detection rule that found it, or RuleDeclared
	Line       int      `json:"line,omitempty"` // with RuleDeclared: the line of crdmon.yaml declaring it
	// Learned, when set, says the field was learned from objects rather
	// than read from the schema, and how many objects show it: "14 of 14
	// objects have it" (see package infer).
	Learned string `json:"learned,omitempty"`
}

// RuleDeclared is the Rule of signals declared in crdmon.yaml rather than
// detected in a schema.
const RuleDeclared = "crdmon.yaml"

// Declared reports whether the field was declared in crdmon.yaml.
func (f Field) Declared() bool { return f.Rule == RuleDeclared }

// ConditionSet is a list of conditions in the object's status.
type ConditionSet struct {
	Field
	// Scope is empty for status.conditions and a short path such as
	// "status.parents[0]" for nested lists; kube-state-metrics cannot iterate
	// nested lists, so the config reads elements one by one (package ksm's
	// NestedElements).
	Scope             string `json:"scope,omitempty"`
	HasStatus         bool   `json:"hasStatus"`         // elements carry a status field (True/False/Unknown)
	HasReason         bool   `json:"hasReason"`         // elements carry a reason field
	HasTransitionTime bool   `json:"hasTransitionTime"` // elements carry lastTransitionTime
	// HasObservedGeneration: elements carry the metav1.Condition field
	// observedGeneration, the generation the condition was set for.
	HasObservedGeneration bool `json:"hasObservedGeneration,omitempty"`
	// HasSeverity: elements carry Cluster API's severity (Error, Warning,
	// Info), set while the condition is False.
	HasSeverity bool `json:"hasSeverity,omitempty"`
	// Assumed: the schema does not show the list (an untyped status read
	// by convention), so an object without it may simply not have one: its
	// absence does not mean the status is unreported.
	Assumed    bool     `json:"assumed,omitempty"`
	KnownTypes []string `json:"knownTypes,omitempty"` // condition types named by the schema (enum, printer columns, description)
}

// Replicas is a desired/ready pair of replica counts and, when the kind has
// them, the other members of its replica family (Deployment semantics): each
// is an integer sibling of the ready count in the same status object.
type Replicas struct {
	Desired Field `json:"desired"`
	Ready   Field `json:"ready"`

	Current   *Field `json:"current,omitempty"`   // replicas that exist (status.replicas)
	Available *Field `json:"available,omitempty"` // replicas available (ready for minReadySeconds)
	Updated   *Field `json:"updated,omitempty"`   // replicas at the latest spec (updatedReplicas, upToDateReplicas)
}

// Members of a replica family besides desired and ready.
const (
	Current   = "current"
	Available = "available"
	Updated   = "updated"
)

// ReplicaMember is one optional member of a replica family.
type ReplicaMember struct {
	Name  string // Current, Available or Updated
	Field Field
}

// Members returns the optional members the family has, in the order
// current, available, updated.
func (r Replicas) Members() []ReplicaMember {
	var out []ReplicaMember
	for _, m := range []struct {
		name string
		f    *Field
	}{{Current, r.Current}, {Available, r.Available}, {Updated, r.Updated}} {
		if m.f != nil {
			out = append(out, ReplicaMember{Name: m.name, Field: *m.f})
		}
	}
	return out
}

// Generation is the observed generation field compared with metadata.generation.
type Generation struct {
	Observed Field `json:"observed"`
}

// Phase is a string field whose value names the object's state.
type Phase struct {
	Field
	Values   []string `json:"values,omitempty"`   // enum values, when the schema has them
	Failure  []string `json:"failure,omitempty"`  // values that mean failure; empty without an enum: FailurePhases, any case
	Progress []string `json:"progress,omitempty"` // values that mean work is ongoing
	// Suspended lists values that mean paused on purpose, as crdmon.yaml
	// declares them (a field that may name a pause matches
	// SuspendedPattern besides).
	Suspended []string `json:"suspended,omitempty"`
	// Error marks a field that holds the controller's last error only while
	// there is one (failureMessage, status.error.message): any value means
	// failure.
	Error bool `json:"error,omitempty"`
}

// What a timestamp field means.
const (
	Expiry    = "expiry"     // the object (a certificate, a credential) stops being valid then
	Renewal   = "renewal"    // the controller plans to renew the object then
	ValidFrom = "valid-from" // the object is not valid before then
)

// Timestamp is a date-time status field whose value is a deadline.
type Timestamp struct {
	Field
	Meaning string `json:"meaning"` // Expiry, Renewal or ValidFrom
}
