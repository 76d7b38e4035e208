package detect

import (
	"maps"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/model"
)

// suspendNames are boolean spec fields that pause reconciliation when true.
var suspendNames = []string{"suspend", "paused"}

// suspendFlag finds a boolean spec.suspend or spec.paused, else the first
// such field one object below spec (spec.updateStrategy.paused), else two
// (spec.updateStrategy.rollingUpdate.paused, as OpenKruise's workloads
// pause a rollout). Objects that template another object (a jobTemplate,
// anything with its own spec or metadata) are not searched: their fields
// pause the objects they make (spec.jobTemplate.spec.suspend), not this one.
func suspendFlag(d *detector, rule string) {
	spec := lookup(d.root, []string{"spec"})
	if spec == nil {
		return
	}
	if name, ok := firstBoolean(spec, suspendNames); ok {
		d.kind.Suspend = &model.Field{Path: []string{"spec", name}, SchemaPath: "spec." + name, Rule: rule}
		return
	}
	level := [][]string{{"spec"}}
	for depth := 1; depth <= 2; depth++ {
		var next [][]string
		for _, path := range level {
			parent := lookup(d.root, path)
			for _, child := range sortedKeys(parent.Properties) {
				p := parent.Properties[child]
				if p.Type != "object" || !SafeSegment(child) || isTemplate(child, &p) {
					continue
				}
				at := append(slices.Clip(path), child)
				if name, ok := firstBoolean(&p, suspendNames); ok {
					f := field(append(at, name), rule)
					d.kind.Suspend = &f
					return
				}
				next = append(next, at)
			}
		}
		level = next
	}
}

// isTemplate reports whether an object field describes another object: it
// is named a template or holds a spec or metadata of its own.
func isTemplate(name string, s *apiextensionsv1.JSONSchemaProps) bool {
	_, spec := s.Properties["spec"]
	_, meta := s.Properties["metadata"]
	return spec || meta || strings.HasSuffix(strings.ToLower(name), "template")
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
