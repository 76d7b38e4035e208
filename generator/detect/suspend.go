package detect

import (
	"maps"
	"slices"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/model"
)

// suspendNames are boolean spec fields that pause reconciliation when true.
var suspendNames = []string{"suspend", "paused"}

// suspendFlag finds a boolean spec.suspend or spec.paused, else the first
// such field one object below spec (spec.updateStrategy.paused).
func suspendFlag(d *detector, rule string) {
	spec := lookup(d.root, []string{"spec"})
	if spec == nil {
		return
	}
	if name, ok := firstBoolean(spec, suspendNames); ok {
		d.kind.Suspend = &model.Field{Path: []string{"spec", name}, SchemaPath: "spec." + name, Rule: rule}
		return
	}
	for _, child := range sortedKeys(spec.Properties) {
		p := spec.Properties[child]
		if p.Type != "object" || !SafeSegment(child) {
			continue
		}
		if name, ok := firstBoolean(&p, suspendNames); ok {
			f := field([]string{"spec", child, name}, rule)
			d.kind.Suspend = &f
			return
		}
	}
}

// firstBoolean returns the first of names that s has as a boolean field.
func firstBoolean(s *apiextensionsv1.JSONSchemaProps, names []string) (string, bool) {
	for _, n := range names {
		if p, ok := s.Properties[n]; ok && p.Type == "boolean" {
			return n, true
		}
	}
	return "", false
}

// sortedKeys returns a schema's property names in order.
func sortedKeys(m map[string]apiextensionsv1.JSONSchemaProps) []string {
	return slices.Sorted(maps.Keys(m))
}
