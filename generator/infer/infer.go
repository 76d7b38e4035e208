// Package infer learns the status shape of a kind whose CRD says nothing
// about it (status untyped: x-kubernetes-preserve-unknown-fields or no
// properties, or no status at all) from real objects of the kind, and runs
// the same detection rules on the schema it learned: the same names, values
// and conventions as for a typed status, nothing per kind. Every signal
// found this way is marked with how many objects showed it
// (model.Field.Learned); what kube-state-metrics cannot follow (map keys
// that differ per object) or what names no state (integer codes) is left
// out with a note.
package infer

import (
	"fmt"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

// Result is what was learned for one kind.
type Result struct {
	Group, Kind string
	Objects     int        // objects of the kind learned from
	Model       model.Kind // the kind as detected on the learned schema
	Notes       []string   // what was left out and why, or why nothing was learned
}

// Learned counts the status signals learned from objects.
func (r Result) Learned() int {
	n := 0
	r.Model.Fields(func(f *model.Field) {
		if f.Learned != "" {
			n++
		}
	})
	return n
}

// Summary says in one line what was learned: "gloo.solo.io/Proxy: 2
// signals learned from 8 objects".
func (r Result) Summary() string {
	name := r.Group + "/" + r.Kind
	switch {
	case r.Objects == 0:
		return name + ": status untyped and no object of the kind given: nothing learned"
	case r.Learned() == 0:
		return fmt.Sprintf("%s: status untyped; %d objects show no health signal: nothing learned", name, r.Objects)
	}
	return fmt.Sprintf("%s: %d signals learned from %d objects", name, r.Learned(), r.Objects)
}

// Untyped reports whether the version of c crdmon watches leaves status,
// or an object below it, without fields: no schema, no status, a status
// listing no properties, or an object of it that lists none (Gloo's
// status.statuses: x-kubernetes-preserve-unknown-fields).
func Untyped(c load.CRD) bool {
	v := detect.WatchedVersion(&c.CustomResourceDefinition)
	if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
		return true
	}
	status, ok := v.Schema.OpenAPIV3Schema.Properties["status"]
	return !ok || hasUntyped(&status, 0)
}

// hasUntyped reports whether s, or an object or list element below it, is
// an object listing no fields.
func hasUntyped(s *apiextensionsv1.JSONSchemaProps, depth int) bool {
	switch {
	case depth > maxDepth:
		return false
	case untypedObject(s):
		return true
	case s.Items != nil && s.Items.Schema != nil:
		return hasUntyped(s.Items.Schema, depth+1)
	}
	for _, p := range s.Properties {
		if hasUntyped(&p, depth+1) {
			return true
		}
	}
	return false
}

// untypedObject reports whether s is an object (or of no type) that lists
// no fields and types no map values.
func untypedObject(s *apiextensionsv1.JSONSchemaProps) bool {
	if s.Type != "" && s.Type != "object" {
		return false
	}
	typedMap := s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil
	return len(s.Properties) == 0 && !typedMap
}

// merge returns typed with each object that lists no fields replaced by
// what was learned at the same path, recording the paths replaced.
func merge(typed, learned *apiextensionsv1.JSONSchemaProps, path string, regions *[]string, depth int) apiextensionsv1.JSONSchemaProps {
	out := *typed
	switch {
	case learned == nil || depth > maxDepth:
	case untypedObject(typed):
		*regions = append(*regions, path)
		return *learned
	case typed.Items != nil && typed.Items.Schema != nil && learned.Items != nil && learned.Items.Schema != nil:
		items := merge(typed.Items.Schema, learned.Items.Schema, path+"[]", regions, depth+1)
		out.Items = &apiextensionsv1.JSONSchemaPropsOrArray{Schema: &items}
	case len(typed.Properties) > 0:
		out.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
		for name, p := range typed.Properties {
			if l, ok := learned.Properties[name]; ok {
				out.Properties[name] = merge(&p, &l, path+"."+name, regions, depth+1)
			} else {
				out.Properties[name] = p
			}
		}
	}
	return out
}

// inRegion reports whether schemaPath lies in one of regions.
func inRegion(schemaPath string, regions []string) bool {
	for _, r := range regions {
		if schemaPath == r || strings.HasPrefix(schemaPath, r+".") || strings.HasPrefix(schemaPath, r+"[]") {
			return true
		}
	}
	return false
}

// Of returns the objects of c's kind (group from apiVersion, and kind),
// whatever their version.
func Of(c load.CRD, objects []map[string]any) []map[string]any {
	var out []map[string]any
	for _, o := range objects {
		apiVersion, _ := o["apiVersion"].(string)
		kind, _ := o["kind"].(string)
		group, _, _ := strings.Cut(apiVersion, "/")
		if !strings.Contains(apiVersion, "/") {
			group = ""
		}
		if group == c.Spec.Group && kind == c.Spec.Names.Kind {
			out = append(out, o)
		}
	}
	return out
}

// Learn infers the status schema of c's kind from those of objects that are
// of the kind and detects its signals on it. c's status should be untyped
// (Untyped): a typed status is taken as is.
func Learn(c load.CRD, objects []map[string]any) Result {
	objs := Of(c, objects)
	r := Result{Group: c.Spec.Group, Kind: c.Spec.Names.Kind, Objects: len(objs)}
	if !Untyped(c) {
		r.Model = detect.Kind(c)
		return r
	}
	statuses := make([]any, len(objs))
	for i, o := range objs {
		statuses[i] = o["status"]
	}
	schema, seen, notes := Schema("status", statuses)
	r.Notes = notes
	switch {
	case len(objs) == 0:
		r.Notes = append(r.Notes, "status untyped and no object of the kind given: nothing learned")
		r.Model = detect.Kind(c)
		r.Model.Notes = append(r.Model.Notes, r.Notes...)
		return r
	case schema == nil:
		r.Notes = append(r.Notes, fmt.Sprintf("none of the %d objects has a status: nothing learned", len(objs)))
		r.Model = detect.Kind(c)
		r.Model.Notes = append(r.Model.Notes, r.Notes...)
		return r
	case schema.Type != "object":
		r.Notes = append(r.Notes, fmt.Sprintf("status is a %s, not an object: nothing learned", schema.Type))
		r.Model = detect.Kind(c)
		r.Model.Notes = append(r.Model.Notes, r.Notes...)
		return r
	}
	patched, regions := withStatus(c, schema)
	r.Model = detect.Kind(patched)
	r.Model.Fields(func(f *model.Field) {
		if inRegion(f.SchemaPath, regions) {
			f.Learned = fmt.Sprintf("%d of %d objects have it", seen[f.SchemaPath], len(objs))
		}
	})
	r.Model.Notes = append(append([]string{fmt.Sprintf("%s untyped in the schema: learned from %d objects", strings.Join(regions, ", "), len(objs))}, notes...), r.Model.Notes...)
	return r
}

// withStatus returns a copy of c whose watched version's status schema has
// each object that lists no fields replaced by what was learned, and the
// schema paths replaced.
func withStatus(c load.CRD, learned *apiextensionsv1.JSONSchemaProps) (load.CRD, []string) {
	c.CustomResourceDefinition = *c.CustomResourceDefinition.DeepCopy()
	name := detect.WatchedVersion(&c.CustomResourceDefinition).Name
	var regions []string
	for i := range c.Spec.Versions {
		v := &c.Spec.Versions[i]
		if v.Name != name {
			continue
		}
		if v.Schema == nil {
			v.Schema = &apiextensionsv1.CustomResourceValidation{}
		}
		if v.Schema.OpenAPIV3Schema == nil {
			v.Schema.OpenAPIV3Schema = &apiextensionsv1.JSONSchemaProps{Type: "object"}
		}
		root := v.Schema.OpenAPIV3Schema
		if root.Properties == nil {
			root.Properties = map[string]apiextensionsv1.JSONSchemaProps{}
		}
		typed := root.Properties["status"]
		root.Properties["status"] = merge(&typed, learned, "status", &regions, 0)
		break
	}
	return c, regions
}
