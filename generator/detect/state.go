package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
)

// stateNames are field names (compared case-insensitively) that hold the
// object's state as a string.
var stateNames = []string{
	"compliance", "compliant", "currentphase", "currentstate", "health", "healthstatus",
	"overallstatus", "phase", "result", "state", "status",
}

// stateSuffixes end CamelCase field names that hold a state
// (jobManagerDeploymentStatus, lifecycleState).
var stateSuffixes = []string{"Health", "Phase", "State", "Status"}

// notCurrentPrefixes start field names that hold some other state than the
// current one (lastState, desiredPhase, targetStatus).
var notCurrentPrefixes = []string{"desired", "expected", "initial", "last", "old", "previous", "requested", "target"}

// maxPhases bounds the state fields observed per kind (one series each per
// object), shallow and well-named ones first.
const maxPhases = 3

// isStateName reports whether a string field's name says it holds a state;
// exact reports a name from stateNames rather than a suffix match.
func isStateName(name string) (ok, exact bool) {
	lower := strings.ToLower(name)
	for _, p := range notCurrentPrefixes {
		if strings.HasPrefix(lower, p) && lower != p {
			return false, false
		}
	}
	if slices.Contains(stateNames, lower) {
		return true, true
	}
	for _, s := range stateSuffixes {
		if len(name) > len(s) && strings.HasSuffix(name, s) {
			return true, false
		}
	}
	return false, false
}

// stateCandidate reports whether f is a string state field the phase rules
// may claim: named like a state, not a timestamp, and at most one list deep
// (kube-state-metrics observes the first element of a list).
func stateCandidate(f statusField) bool {
	if f.schema.Type != "string" || f.schema.Format == "date-time" || strings.Count(f.schemaPath, "[]") > 1 {
		return false
	}
	ok, _ := isStateName(f.name)
	return ok
}

// phaseField claims a state field without an enum: renderers match
// model.FailurePhases in any case.
func phaseField(d *detector, f statusField, rule string) bool {
	if !stateCandidate(f) || len(enumStrings(f.schema.Enum)) > 0 {
		return false
	}
	d.kind.Phases = append(d.kind.Phases, model.Phase{Field: model.Field{Path: f.path, SchemaPath: f.schemaPath, Rule: rule}})
	return true
}

// phaseFieldEnum claims a state field with an enum that names at least one
// failure or progress value; other enums carry no health meaning.
func phaseFieldEnum(d *detector, f statusField, rule string) bool {
	values := enumStrings(f.schema.Enum)
	if !stateCandidate(f) || len(values) == 0 {
		return false
	}
	p := model.Phase{Field: model.Field{Path: f.path, SchemaPath: f.schemaPath, Rule: rule}, Values: values}
	for _, v := range values {
		switch {
		case model.IsFailurePhase(v):
			p.Failure = append(p.Failure, v)
		case slices.Contains(model.ProgressPhases, strings.ToLower(v)):
			p.Progress = append(p.Progress, v)
		}
	}
	if len(p.Failure) == 0 && len(p.Progress) == 0 {
		d.note("%s: enum %v names no failure or progress value, not used", f.schemaPath, values)
		return true
	}
	d.kind.Phases = append(d.kind.Phases, p)
	return true
}

// readinessNames are boolean field names (compared case-insensitively) that
// are true when the object, or the part the field sits in, is ready.
var readinessNames = []string{"applied", "available", "healthy", "ready", "readytouse", "succeeded", "success", "synced", "valid"}

// readinessFlag claims a boolean readiness field, observed as a state field
// with values "true" and "false" where false means not ready yet: alerts
// treat it as progress that has lasted too long, never as failure.
func readinessFlag(d *detector, f statusField, rule string) bool {
	if f.schema.Type != "boolean" || !slices.Contains(readinessNames, strings.ToLower(f.name)) || strings.Count(f.schemaPath, "[]") > 1 {
		return false
	}
	d.kind.Phases = append(d.kind.Phases, model.Phase{
		Field:  model.Field{Path: f.path, SchemaPath: f.schemaPath, Rule: rule},
		Values: []string{"true", "false"}, Progress: []string{"false"},
	})
	return true
}

// limitPhases keeps the maxPhases best state fields, in walk order: outside
// lists first, then shallow, then with exact state names, then by path. An
// error message field (at most one per kind) is kept besides them.
func (d *detector) limitPhases() {
	states := slices.DeleteFunc(slices.Clone(d.kind.Phases), func(p model.Phase) bool { return p.Error })
	if len(states) <= maxPhases {
		return
	}
	key := func(p model.Phase) string {
		_, exact := isStateName(p.Path[len(p.Path)-1])
		e := "1"
		if exact || p.Rule == "readiness-flag" {
			e = "0"
		}
		return fmt.Sprintf("%d/%03d/%s/%s", strings.Count(p.SchemaPath, "[]"), len(p.Path), e, p.SchemaPath)
	}
	ranked := slices.SortedFunc(slices.Values(states), func(a, b model.Phase) int { return strings.Compare(key(a), key(b)) })
	keep := map[string]bool{}
	for _, p := range d.kind.Phases {
		keep[p.SchemaPath] = p.Error
	}
	for i, p := range ranked {
		if i < maxPhases {
			keep[p.SchemaPath] = true
		} else {
			d.note("%s: state field not observed (at most %d per kind)", p.SchemaPath, maxPhases)
		}
	}
	d.kind.Phases = slices.DeleteFunc(d.kind.Phases, func(p model.Phase) bool { return !keep[p.SchemaPath] })
}
