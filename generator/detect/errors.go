package detect

import (
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator/model"
)

// errorNames are status fields (compared case-insensitively) that hold the
// controller's last error only while there is one.
var errorNames = []string{"error", "errordescription", "errormessage", "failuremessage", "failurereason"}

// errorMessage claims a string field of status named in errorNames, or the
// message of an object status.error, as a phase whose every value means
// failure; one per kind (Cluster API sets failureReason and failureMessage
// together), besides the state fields limitPhases bounds.
func errorMessage(d *detector, f statusField, rule string) bool {
	if f.schema.Type != "string" || f.inList {
		return false
	}
	lower := strings.ToLower(f.name)
	top := f.parent == "status" && slices.Contains(errorNames, lower)
	nested := strings.EqualFold(f.parent, "status.error") && lower == "message"
	if !top && !nested {
		return false
	}
	if !slices.ContainsFunc(d.kind.Phases, func(p model.Phase) bool { return p.Error }) {
		d.kind.Phases = append(d.kind.Phases, model.Phase{Field: model.Field{Path: f.path, SchemaPath: f.schemaPath, Rule: rule}, Error: true})
	}
	return true
}
