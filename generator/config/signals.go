package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/model"
)

// SignalRule declares a signal no schema shows (an untyped status, a field
// whose meaning only its documentation gives). Declared signals go through
// the same model, renderers and validation as detected ones, and replace a
// detected signal at the same path.
type SignalRule struct {
	// Field is the object path, dotted: status.totalViolations. A segment
	// ending in [] steps into the first element of a list
	// (status.parents[].conditions): kube-state-metrics cannot iterate
	// nested lists.
	Field    string   `yaml:"field"`
	Meaning  string   `yaml:"meaning"`  // one of Meanings
	Failure  []string `yaml:"failure"`  // phase: values that mean failure
	Progress []string `yaml:"progress"` // phase: values that mean work under way
	// Suspended lists, for a phase, values that mean paused on purpose
	// (the object is Suspended and its alerts are silent).
	Suspended []string `yaml:"suspended"`
	// Learned, written by `crdmon init --objects`, says the signal was
	// learned from objects rather than read from the schema ("14 of 14
	// objects have it"): inspect and every alert on it say so.
	Learned string `yaml:"learned"`

	line int
}

// Signal meanings a SignalRule may declare.
const (
	MeaningConditionList      = "condition-list"      // a list of Kubernetes conditions (type, status, reason, lastTransitionTime)
	MeaningPhase              = "phase"               // a string naming the state; failure, progress and suspended list its values
	MeaningBoolHealthy        = "bool-healthy"        // a boolean, true when healthy; false reads as not ready yet
	MeaningDesiredCount       = "desired-count"       // the count to reach (spec.replicas); needs a ready-count
	MeaningReadyCount         = "ready-count"         // the count ready; needs a desired-count
	MeaningObservedGeneration = "observed-generation" // the generation the controller last acted on
	MeaningExpiry             = model.Expiry          // a date-time after which the object is no longer valid
	MeaningRenewal            = model.Renewal         // a date-time at which the controller plans to renew it
	MeaningValidFrom          = model.ValidFrom       // a date-time before which it is not valid
	MeaningFailureCount       = "failure-count"       // an integer counting failed attempts; rising means trouble
	MeaningProblemCount       = "problem-count"       // an integer that should be zero (violations); above the threshold means trouble
)

// Meanings lists the meanings a signal may have, in documentation order.
var Meanings = []string{
	MeaningConditionList, MeaningPhase, MeaningBoolHealthy, MeaningDesiredCount, MeaningReadyCount,
	MeaningObservedGeneration, MeaningExpiry, MeaningRenewal, MeaningValidFrom, MeaningFailureCount, MeaningProblemCount,
}

// checkSignals validates one kind rule's signals; where names the rule.
func checkSignals(signals []SignalRule, where string) (line int, err error) {
	seen := map[string]bool{}
	counts := map[string]int{} // count meaning → line
	for i, s := range signals {
		at := fmt.Sprintf("%s.signals[%d]", where, i)
		if !slices.Contains(Meanings, s.Meaning) {
			return s.line, fmt.Errorf("%s: meaning %q: want one of %s", at, s.Meaning, strings.Join(Meanings, ", "))
		}
		if _, _, err := parseField(s.Field, s.Meaning); err != nil {
			return s.line, fmt.Errorf("%s: field %q: %v", at, s.Field, err)
		}
		if seen[s.Field] {
			return s.line, fmt.Errorf("%s: field %s is declared twice", at, s.Field)
		}
		seen[s.Field] = true
		if (len(s.Failure) > 0 || len(s.Progress) > 0 || len(s.Suspended) > 0) && s.Meaning != MeaningPhase {
			return s.line, fmt.Errorf("%s: failure, progress and suspended values are for meaning phase, not %s", at, s.Meaning)
		}
		if s.Meaning == MeaningDesiredCount || s.Meaning == MeaningReadyCount {
			if counts[s.Meaning] > 0 {
				return s.line, fmt.Errorf("%s: a second %s: a kind has one pair of counts", at, s.Meaning)
			}
			counts[s.Meaning] = s.line
		}
	}
	for _, pair := range [][2]string{{MeaningDesiredCount, MeaningReadyCount}, {MeaningReadyCount, MeaningDesiredCount}} {
		if line := counts[pair[0]]; line > 0 && counts[pair[1]] == 0 {
			return line, fmt.Errorf("%s.signals: %s without %s: declare both in the same rule", where, pair[0], pair[1])
		}
	}
	return 0, nil
}

// parseField turns a declared field into kube-state-metrics path segments
// ("0" for the first element of a list) and, for a condition list inside a
// list, the scope the series carry (status.parents[0]).
func parseField(field, meaning string) (path []string, scope string, err error) {
	segs := strings.Split(field, ".")
	roots := []string{"status"}
	if meaning == MeaningDesiredCount {
		roots = append(roots, "spec")
	}
	if len(segs) < 2 || !slices.Contains(roots, segs[0]) {
		return nil, "", fmt.Errorf("want a dotted path under %s, e.g. %s.totalViolations", strings.Join(roots, " or "), roots[0])
	}
	for i, seg := range segs {
		name, list := strings.CutSuffix(seg, "[]")
		if list && i == len(segs)-1 {
			return nil, "", fmt.Errorf("ends in a list element: name the field inside it")
		}
		if !detect.SafeSegment(name) || strings.ContainsAny(name, "[]") || strings.Trim(name, "0123456789") == "" {
			return nil, "", fmt.Errorf("segment %q is not a field name (write list elements as name[])", seg)
		}
		path = append(path, name)
		if list {
			path = append(path, "0")
		}
	}
	if meaning == MeaningConditionList && slices.Contains(path, "0") {
		for i, seg := range path[:len(path)-1] {
			switch {
			case seg == "0":
				scope += "[0]"
			case i > 0:
				scope += "." + seg
			default:
				scope = seg
			}
		}
	}
	return path, scope, nil
}

// applySignals adds a kind rule's declared signals to k, each replacing any
// signal, detected or declared by an earlier rule, at the same path.
func applySignals(k *model.Kind, signals []SignalRule) {
	var replicas model.Replicas
	for _, s := range signals {
		path, scope, _ := parseField(s.Field, s.Meaning) // checked by Parse
		f := model.Field{Path: path, SchemaPath: s.Field, Rule: model.RuleDeclared, Line: s.line, Learned: s.Learned}
		drop(k, s.Field, path)
		switch s.Meaning {
		case MeaningConditionList:
			k.Conditions = append(k.Conditions, model.ConditionSet{Field: f, Scope: scope, HasStatus: true, HasReason: true, HasTransitionTime: true})
			slices.SortStableFunc(k.Conditions, func(a, b model.ConditionSet) int { return strings.Compare(a.Scope, b.Scope) })
		case MeaningPhase:
			k.Phases = append(k.Phases, model.Phase{Field: f, Failure: s.Failure, Progress: s.Progress, Suspended: s.Suspended})
		case MeaningBoolHealthy:
			// As a detected readiness flag: false is work not done yet,
			// alerted on when it lasts (ProgressTooLong), never a failure.
			k.Phases = append(k.Phases, model.Phase{Field: f, Values: []string{"true", "false"}, Progress: []string{"false"}})
		case MeaningObservedGeneration:
			k.Generation = &model.Generation{Observed: f}
		case MeaningExpiry, MeaningRenewal, MeaningValidFrom:
			k.Timestamps = append(k.Timestamps, model.Timestamp{Field: f, Meaning: s.Meaning})
		case MeaningFailureCount:
			k.Failures = append(k.Failures, f)
		case MeaningProblemCount:
			k.Problems = append(k.Problems, f)
		case MeaningDesiredCount:
			replicas.Desired = f
		case MeaningReadyCount:
			replicas.Ready = f
		}
	}
	if replicas.Desired.Rule != "" { // checkSignals: both counts or neither
		k.Replicas = &replicas
	}
}

// drop removes every signal of k read from schemaPath, or from path (an
// assumed status.conditions[] a declaration of status.conditions replaces).
func drop(k *model.Kind, schemaPath string, path []string) {
	at := func(f model.Field) bool { return f.SchemaPath == schemaPath || slices.Equal(f.Path, path) }
	k.Conditions = slices.DeleteFunc(k.Conditions, func(c model.ConditionSet) bool { return at(c.Field) })
	k.Phases = slices.DeleteFunc(k.Phases, func(p model.Phase) bool { return at(p.Field) })
	k.Timestamps = slices.DeleteFunc(k.Timestamps, func(t model.Timestamp) bool { return at(t.Field) })
	k.Failures = slices.DeleteFunc(k.Failures, at)
	k.Problems = slices.DeleteFunc(k.Problems, at)
	if g := k.Generation; g != nil && at(g.Observed) {
		k.Generation = nil
	}
	if r := k.Replicas; r != nil && (at(r.Desired) || at(r.Ready)) {
		k.Replicas = nil
	}
	if r := k.Replicas; r != nil {
		for _, m := range []**model.Field{&r.Current, &r.Available, &r.Updated} {
			if *m != nil && at(**m) {
				*m = nil
			}
		}
	}
}
