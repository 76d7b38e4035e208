package detect

import (
	"maps"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
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
	level := [][]string{{"spec"}}
	for depth := 0; depth <= 2; depth++ {
		var next [][]string
		for _, path := range level {
			s := lookup(d.root, path)
			if s == nil {
				continue // no spec
			}
			if name, ok := firstBoolean(s, suspendNames); ok {
				f := field(append(slices.Clip(path), name), rule)
				d.kind.Suspend = &f
				return
			}
			if depth == 2 {
				continue // nothing deeper is searched
			}
			for _, child := range sortedKeys(s.Properties) {
				p := s.Properties[child]
				if p.Type == "object" && SafeSegment(child) && !isTemplate(child, &p) {
					next = append(next, append(slices.Clip(path), child))
				}
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
