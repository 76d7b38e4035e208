package model

import (
	"slices"
	"strings"
)

// PhaseClasses is how the values of one state field are judged, decided at
// generation time so that the rule pack reads classes, not per-kind values.
type PhaseClasses struct {
	// Values is how the field's value is matched at query time: "open" (no
	// values known: failure, progress and pause words decide), "declared"
	// (no enum; crdmon.yaml declares values, matched by the override
	// table; pause words besides), "enum" (only the classified values
	// below, as strings), "flag" (a true/false flag: the class of its false
	// value) or "error" (an error message field: any value is a failure).
	Values string
	// The values of each class, matched exactly.
	Failure, Progress, Suspended []string
}

// Values of PhaseClasses.Values.
const (
	PhaseValuesOpen     = "open"
	PhaseValuesDeclared = "declared"
	PhaseValuesEnum     = "enum"
	PhaseValuesFlag     = "flag"
	PhaseValuesError    = "error"
)

// ClassifyPhase classifies a state field's values: the failure and progress
// values its enum or crdmon.yaml gives, and the values meaning a pause
// (declared, or enum values naming one, IsSuspendedValue).
func ClassifyPhase(ph Phase) PhaseClasses {
	if ph.Error {
		return PhaseClasses{Values: PhaseValuesError}
	}
	c := PhaseClasses{Failure: ph.Failure, Progress: ph.Progress, Suspended: slices.Clone(ph.Suspended)}
	for _, v := range ph.Values {
		if IsSuspendedValue(v) && !slices.Contains(c.Suspended, v) {
			c.Suspended = append(c.Suspended, v)
		}
	}
	switch {
	case isFlag(ph.Values):
		c.Values = PhaseValuesFlag
	case len(ph.Values) > 0:
		c.Values = PhaseValuesEnum
	case len(ph.Failure)+len(ph.Progress)+len(ph.Suspended) > 0:
		c.Values = PhaseValuesDeclared
	default:
		c.Values = PhaseValuesOpen
	}
	return c
}

// Classified reports whether any value is classified (the field has
// phase_class series).
func (c PhaseClasses) Classified() bool {
	return len(c.Failure)+len(c.Progress)+len(c.Suspended) > 0
}

// isFlag reports whether values are those of a true/false flag, which
// kube-state-metrics reads as a gauge (1, 0) but cannot match as a string.
func isFlag(values []string) bool {
	if len(values) == 0 {
		return false
	}
	for _, v := range values {
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return false
		}
	}
	return true
}

// FalseClass returns the class of a flag's false value ("failure",
// "progress", "suspended"), or "" when it has none.
func (c PhaseClasses) FalseClass() string {
	for class, values := range map[string][]string{"failure": c.Failure, "progress": c.Progress, "suspended": c.Suspended} {
		if slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, "false") }) {
			return class
		}
	}
	return ""
}
