// Package detect finds health signals in CRD schemas: condition lists,
// state fields, readiness flags, replica and health counts,
// observedGeneration and suspend flags. It knows nothing about PromQL or
// kube-state-metrics; it only fills the model.
//
// Detection is a table of small rules (Rules), one per file, each resting on
// a published convention and recorded on every signal it finds, so `crdmon
// inspect` can say why a signal exists. No rule names an API group or a
// kind: per-kind knowledge belongs in the user's crdmon.yaml.
package detect

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/version"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

// maxDepth bounds the schema walk; real status schemas are far shallower, and
// it keeps hostile, deeply nested schemas cheap.
const maxDepth = 12

// Model detects the signals of every CRD and returns them sorted by group and kind.
func Model(crds []load.CRD) model.Model {
	var m model.Model
	for _, c := range crds {
		m.Kinds = append(m.Kinds, Kind(c))
	}
	SortKinds(m.Kinds)
	return m
}

// SortKinds sorts kinds by group and kind, as Model returns them.
func SortKinds(kinds []model.Kind) {
	sort.Slice(kinds, func(i, j int) bool {
		a, b := kinds[i], kinds[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.Kind < b.Kind
	})
}

// Kind detects the signals of one CRD.
func Kind(c load.CRD) model.Kind {
	v := WatchedVersion(&c.CustomResourceDefinition)
	k := model.Kind{
		Group:      c.Spec.Group,
		Kind:       c.Spec.Names.Kind,
		Plural:     c.Spec.Names.Plural,
		Version:    v.Name,
		Namespaced: c.Spec.Scope == apiextensionsv1.NamespaceScoped,
		Source:     c.Source,
	}
	if v.Schema == nil || v.Schema.OpenAPIV3Schema == nil {
		k.Notes = append(k.Notes, "version "+v.Name+" has no schema")
		return k
	}
	d := &detector{kind: &k, root: v.Schema.OpenAPIV3Schema, columns: v.AdditionalPrinterColumns, subresources: v.Subresources}
	status, hasStatus := d.root.Properties["status"]
	switch {
	case !hasStatus:
		k.Notes = append(k.Notes, "schema has no status")
	case len(status.Properties) == 0:
		k.Notes = append(k.Notes, "status schema lists no fields (x-kubernetes-preserve-unknown-fields or untyped): detection reads no field of it; declare its signals in crdmon.yaml or learn them from objects")
	default:
		d.status = &status
		d.walkStatus(&status, []string{"status"}, "status", 0, false)
		sort.SliceStable(k.Conditions, func(i, j int) bool {
			return k.Conditions[i].Scope < k.Conditions[j].Scope
		})
	}
	for _, r := range Rules {
		if r.Kind != nil {
			r.Kind(d, r.Name)
		}
	}
	d.limitPhases()
	return k
}

// WatchedVersion is the storage version when it is served, else the highest
// served version in Kubernetes version order.
func WatchedVersion(crd *apiextensionsv1.CustomResourceDefinition) apiextensionsv1.CustomResourceDefinitionVersion {
	var best *apiextensionsv1.CustomResourceDefinitionVersion
	for i := range crd.Spec.Versions {
		v := &crd.Spec.Versions[i]
		if !v.Served {
			continue
		}
		if v.Storage {
			return *v
		}
		if best == nil || version.CompareKubeAwareVersionStrings(v.Name, best.Name) > 0 {
			best = v
		}
	}
	if best == nil { // load rejects CRDs with no served version
		return crd.Spec.Versions[0]
	}
	return *best
}

// detector holds what the rules read and the kind they fill.
type detector struct {
	kind         *model.Kind
	root         *apiextensionsv1.JSONSchemaProps // openAPIV3Schema of the watched version
	status       *apiextensionsv1.JSONSchemaProps // its status, nil when it lists no fields
	columns      []apiextensionsv1.CustomResourceColumnDefinition
	subresources *apiextensionsv1.CustomResourceSubresources
}

// note records why a candidate was not used.
func (d *detector) note(format string, args ...any) {
	d.kind.Notes = append(d.kind.Notes, fmt.Sprintf(format, args...))
}

// statusField is one field below status, as the walk offers it to the rules.
type statusField struct {
	name       string
	schema     *apiextensionsv1.JSONSchemaProps
	path       []string // kube-state-metrics path, "0" for the first element of a list
	schemaPath string   // dotted schema path with [] for lists, e.g. status.parents[].conditions
	parent     string   // schemaPath of the enclosing object
	inList     bool     // below a list: only its first element is observed
}

// walkStatus offers every field below status to the field rules, in name
// order, and descends into objects and lists of objects that no rule claimed.
// kube-state-metrics cannot iterate nested lists, so below a list only the
// first element is observed.
func (d *detector) walkStatus(s *apiextensionsv1.JSONSchemaProps, path []string, schemaPath string, depth int, inList bool) {
	if depth > maxDepth {
		d.note("%s: schema deeper than %d levels, not searched further", schemaPath, maxDepth)
		return
	}
	for _, name := range sortedKeys(s.Properties) {
		prop := s.Properties[name]
		f := statusField{
			name: name, schema: &prop, path: append(slices.Clip(path), name),
			schemaPath: schemaPath + "." + name, parent: schemaPath, inList: inList,
		}
		switch {
		case name == "deprecated":
			d.note("%s: skipped (deprecated copy of the status)", f.schemaPath)
			continue
		case !SafeSegment(name):
			if prop.Type == "object" || prop.Type == "array" || prop.Type == "string" || prop.Type == "boolean" {
				d.note("%s: field name %q cannot be a kube-state-metrics path segment, not searched", schemaPath, name)
			}
			continue
		}
		if d.offer(f) {
			continue
		}
		switch {
		case prop.Type == "object":
			d.walkStatus(&prop, f.path, f.schemaPath, depth+1, inList)
		case prop.Type == "array" && prop.Items != nil && prop.Items.Schema != nil && prop.Items.Schema.Type == "object":
			d.walkStatus(prop.Items.Schema, append(f.path, "0"), f.schemaPath+"[]", depth+1, true)
		}
	}
}

// offer gives f to the field rules in table order; true when one claimed it.
func (d *detector) offer(f statusField) bool {
	for _, r := range Rules {
		if r.Field != nil && r.Field(d, f, r.Name) {
			return true
		}
	}
	return false
}

// SafeSegment reports whether a schema field name can be used as one
// kube-state-metrics path segment and read back as that field: not empty, no
// control characters, and not "[...]" (a list lookup, which kube-state-metrics
// refuses, with the whole config, when it has no "=") nor "k=v" (which
// kube-state-metrics may read as a value match). Quotes, braces, colons and
// the like are fine: the config is YAML-escaped.
func SafeSegment(name string) bool {
	if name == "" || strings.Contains(name, "=") || (strings.HasPrefix(name, "[") && strings.HasSuffix(name, "]")) {
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// enumStrings returns the string values of an enum; other JSON values are
// dropped.
func enumStrings(enum []apiextensionsv1.JSON) []string {
	var out []string
	for _, e := range enum {
		var v string
		if json.Unmarshal(e.Raw, &v) == nil && v != "" {
			out = append(out, v)
		}
	}
	return out
}

// scope renders a KSM path as status.parents[0].
func scope(path []string) string {
	var b strings.Builder
	for i, seg := range path {
		switch {
		case isIndex(seg):
			b.WriteString("[" + seg + "]")
		case i == 0:
			b.WriteString(seg)
		default:
			b.WriteString("." + seg)
		}
	}
	return b.String()
}

func isIndex(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func field(path []string, rule string) model.Field {
	return model.Field{Path: path, SchemaPath: strings.Join(path, "."), Rule: rule}
}

// lookup follows object properties; nil when the path is not in the schema.
func lookup(s *apiextensionsv1.JSONSchemaProps, path []string) *apiextensionsv1.JSONSchemaProps {
	for _, name := range path {
		if s == nil {
			return nil
		}
		p, ok := s.Properties[name]
		if !ok {
			return nil
		}
		s = &p
	}
	return s
}
