package detect

import (
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
)

// errorNames are status fields (compared case-insensitively) that hold the
// controller's last error only while there is one, abbreviations included
// (err, errMsg).
var errorNames = []string{"err", "errmsg", "error", "errordescription", "errormessage", "errormsg", "failuremessage", "failurereason"}

// errorSuffixes end CamelCase status fields that hold the error of one
// step only while it fails (reconcileError, syncErr, provisionErrorMessage),
// as errorMessage does for the whole object.
var errorSuffixes = []string{"Err", "ErrMsg", "Error", "ErrorMessage", "ErrorMsg"}

// isErrorName reports whether a string field of status is named as the
// current error: one of errorNames, or a name ending in one of
// errorSuffixes that does not say it keeps an older one (lastError,
// previousSyncError: notCurrentPrefixes).
func isErrorName(name string) bool {
	lower := strings.ToLower(name)
	if slices.Contains(errorNames, lower) {
		return true
	}
	if slices.ContainsFunc(notCurrentPrefixes, func(p string) bool { return strings.HasPrefix(lower, p) }) {
		return false
	}
	return slices.ContainsFunc(errorSuffixes, func(s string) bool { return len(name) > len(s) && strings.HasSuffix(name, s) })
}

// errorMessage claims a string field of status named as its current error
// (isErrorName), or the message of an object status.error, as a phase
// whose every value means failure; one per kind (Cluster API sets
// failureReason and failureMessage together), besides the state fields
// limitPhases bounds.
func errorMessage(d *detector, f statusField, rule string) bool {
	if f.schema.Type != "string" || f.inList {
		return false
	}
	top := f.parent == "status" && isErrorName(f.name)
	nested := strings.EqualFold(f.parent, "status.error") && strings.ToLower(f.name) == "message"
	if !top && !nested {
		return false
	}
	if !slices.ContainsFunc(d.kind.Phases, func(p model.Phase) bool { return p.Error }) {
		d.kind.Phases = append(d.kind.Phases, model.Phase{Field: model.Field{Path: f.path, SchemaPath: f.schemaPath, Rule: rule}, Error: true})
	}
	return true
}
