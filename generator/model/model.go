// Package model holds crdmon's intermediate model: the kinds read from CRDs
// and the health signals detected in their schemas. Every renderer reads only
// this model; every signal records where in the schema it was found and which
// detection rule found it, so `crdmon inspect` can explain it.
package model

import "strings"

// Model is everything detected from one set of CRDs, sorted by group then kind.
type Model struct {
	Kinds []Kind
}

// Source locates a CRD in the input.
type Source struct {
	File string // path as given by the user, or "-" for stdin
	Line int    // 1-based line where the CRD's document starts
}

// Kind is one custom resource kind and its signals.
type Kind struct {
	Group      string
	Kind       string
	Plural     string
	Version    string // the version to watch: storage version, unless it is not served
	Namespaced bool
	Source     Source

	Conditions []ConditionSet // status condition lists, top-level first
	Replicas   *Replicas      // desired vs ready replica counts
	Generation *Generation    // status.observedGeneration
	Phases     []Phase        // phase/state string fields
	Suspend    *Field         // boolean spec.suspend or spec.paused
	Notes      []string       // detection notes: candidates rejected and why
}

// ID is "kind.group", unique within a model.
func (k Kind) ID() string { return strings.ToLower(k.Kind) + "." + k.Group }

// HasSignals reports whether any health signal was found for the kind.
func (k Kind) HasSignals() bool {
	return len(k.Conditions) > 0 || k.Replicas != nil || k.Generation != nil || len(k.Phases) > 0
}

// Field is one schema field used as a signal.
type Field struct {
	Path       []string // kube-state-metrics path segments, e.g. [status, observedGeneration]
	SchemaPath string   // dotted schema path with [] for lists, e.g. status.parents[].conditions
	Rule       string   // the detection rule that found it
}

// ConditionSet is a list of conditions in the object's status.
type ConditionSet struct {
	Field
	// Scope is empty for status.conditions and a short path such as
	// "status.parents[0]" for nested lists; kube-state-metrics cannot iterate
	// nested lists, so only the first element of the outer list is observed.
	Scope             string
	HasStatus         bool     // elements carry a status field (True/False/Unknown)
	HasReason         bool     // elements carry a reason field
	HasTransitionTime bool     // elements carry lastTransitionTime
	KnownTypes        []string // condition types named by the schema (enum, printer columns, description)
}

// Replicas is a desired/ready pair of replica counts.
type Replicas struct {
	Desired Field
	Ready   Field
}

// Generation is the observed generation field compared with metadata.generation.
type Generation struct {
	Observed Field
}

// Phase is a string field whose value names the object's state.
type Phase struct {
	Field
	Values   []string // enum values, when the schema has them
	Failure  []string // values that mean the object failed
	Progress []string // values that mean work is ongoing
}
