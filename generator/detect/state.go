package detect

import (
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
// object), the most telling ones first (limitPhases).
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
// failure, progress or pause value (model.IsSuspendedValue, read at run
// time); other enums carry no health meaning.
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
		case model.IsSuspendedValue(v):
			// read as a pause (model.SuspendedPattern), before progress
		case model.IsProgressPhase(v):
			p.Progress = append(p.Progress, v)
		}
	}
	if len(p.Failure) == 0 && len(p.Progress) == 0 && !slices.ContainsFunc(values, model.IsSuspendedValue) {
		d.note("%s: enum %v names no failure, progress or pause value, not used", f.schemaPath, values)
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

// limitPhases keeps the maxPhases state fields that say most about the
// object's state (stateRank), in walk order, and notes each one left out
// and why. An error message field (at most one per kind) is kept besides
// them.
func (d *detector) limitPhases() {
	states := slices.DeleteFunc(slices.Clone(d.kind.Phases), func(p model.Phase) bool { return p.Error })
	if len(states) <= maxPhases {
		return
	}
	columns := d.columnPaths()
	ranked := slices.SortedStableFunc(slices.Values(states), func(a, b model.Phase) int {
		return compareRanks(stateRank(a, columns), stateRank(b, columns))
	})
	keep := map[string]bool{}
	for _, p := range d.kind.Phases {
		keep[p.SchemaPath] = p.Error
	}
	var kept []string
	for _, p := range ranked[:maxPhases] {
		keep[p.SchemaPath] = true
		kept = append(kept, p.SchemaPath)
	}
	last := stateRank(ranked[maxPhases-1], columns)
	for _, p := range ranked[maxPhases:] {
		d.note("%s: state field left out (at most %d per kind): it ranks below %s, being %s", p.SchemaPath, maxPhases, strings.Join(kept, ", "), lostOn(stateRank(p, columns), last))
	}
	d.kind.Phases = slices.DeleteFunc(d.kind.Phases, func(p model.Phase) bool { return !keep[p.SchemaPath] })
}

// rank is what a state field says about the object's state, criterion by
// criterion, most telling first; lower is better on each.
type rank struct {
	lists  int    // lists above it: below a list only the first element's state is seen
	depth  int    // fields above it under status: the object's own state is shallow
	name   int    // 0 for a state name (phase, state...), a readiness flag; 1 for a *State, *Phase...
	enum   int    // 0 when its enum names a failure, progress or pause value
	column int    // 0 when a printer column shows it: the CRD's author reads the state there
	path   string // the last resort, so that the order is stable
}

// rankCriteria say, for each criterion of rank in order, why a field
// ranked lower on it.
var rankCriteria = []string{"inside a list", "deeper under status", "named less plainly (a *State, *Status... suffix)", "without an enum naming a failure, progress or pause value", "shown in no printer column", "later in path order"}

// stateRank ranks a state field; columns are the paths the printer columns
// show.
func stateRank(p model.Phase, columns []string) rank {
	r := rank{lists: strings.Count(p.SchemaPath, "[]"), depth: len(p.Path), name: 1, enum: 1, column: 1, path: p.SchemaPath}
	if slices.Contains(columns, p.SchemaPath) {
		r.column = 0
	}
	if len(p.Failure) > 0 || len(p.Progress) > 0 || len(p.Suspended) > 0 || slices.ContainsFunc(p.Values, model.IsSuspendedValue) {
		r.enum = 0
	}
	if _, exact := isStateName(p.Path[len(p.Path)-1]); exact || p.Rule == "readiness-flag" {
		r.name = 0
	}
	return r
}

// keys returns a rank's criteria in order, the path last.
func (r rank) keys() []int { return []int{r.lists, r.depth, r.name, r.enum, r.column} }

// compareRanks orders ranks criterion by criterion.
func compareRanks(a, b rank) int {
	if c := slices.Compare(a.keys(), b.keys()); c != 0 {
		return c
	}
	return strings.Compare(a.path, b.path)
}

// lostOn says why a ranked below b: the first criterion it loses on.
func lostOn(a, b rank) string {
	ka, kb := a.keys(), b.keys()
	for i := range ka {
		if ka[i] != kb[i] {
			return rankCriteria[i]
		}
	}
	return rankCriteria[len(rankCriteria)-1]
}

// columnPaths returns the schema paths of the status fields the printer
// columns show (.status.phase → status.phase).
func (d *detector) columnPaths() []string {
	var out []string
	for _, c := range d.columns {
		p := strings.TrimPrefix(strings.ReplaceAll(c.JSONPath, " ", ""), ".")
		if strings.HasPrefix(p, "status.") && !strings.ContainsAny(p, "[?@") {
			out = append(out, p)
		}
	}
	return out
}
