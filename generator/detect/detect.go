// Package detect finds health signals in CRD schemas: condition lists,
// replica pairs, observedGeneration, phase fields and suspend flags. It knows
// nothing about PromQL or kube-state-metrics; it only fills the model.
package detect

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
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
	sort.Slice(m.Kinds, func(i, j int) bool {
		a, b := m.Kinds[i], m.Kinds[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		return a.Kind < b.Kind
	})
	return m
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
	root := v.Schema.OpenAPIV3Schema
	status, hasStatus := root.Properties["status"]
	switch {
	case !hasStatus:
		k.Notes = append(k.Notes, "schema has no status")
	case len(status.Properties) == 0:
		k.Notes = append(k.Notes, "status schema lists no fields (x-kubernetes-preserve-unknown-fields or untyped): no signal can be read from it")
	default:
		d := &detector{kind: &k, columns: v.AdditionalPrinterColumns}
		d.walkStatus(&status, []string{"status"}, "status", 0)
		sort.SliceStable(k.Conditions, func(i, j int) bool {
			return k.Conditions[i].Scope < k.Conditions[j].Scope
		})
		k.Generation = generation(&status)
	}
	if spec, ok := root.Properties["spec"]; ok {
		k.Suspend = suspend(&spec)
	}
	var note string
	k.Replicas, note = replicas(root, v.Subresources)
	if note != "" {
		k.Notes = append(k.Notes, note)
	}
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

type detector struct {
	kind    *model.Kind
	columns []apiextensionsv1.CustomResourceColumnDefinition
}

// walkStatus looks for condition lists and phase fields below status. path
// is the kube-state-metrics path, schemaPath the dotted path with [] for lists.
func (d *detector) walkStatus(s *apiextensionsv1.JSONSchemaProps, path []string, schemaPath string, depth int) {
	if depth > maxDepth {
		d.kind.Notes = append(d.kind.Notes, schemaPath+": schema deeper than "+strconv.Itoa(maxDepth)+" levels, not searched further")
		return
	}
	for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
		prop := s.Properties[name]
		childPath := append(append([]string(nil), path...), name)
		childSchema := schemaPath + "." + name
		switch {
		case name == "deprecated":
			d.kind.Notes = append(d.kind.Notes, childSchema+": skipped (deprecated copy of the status)")
		case !SafeSegment(name):
			if prop.Type == "object" || prop.Type == "array" || (prop.Type == "string" && isPhaseField(name, schemaPath)) {
				d.kind.Notes = append(d.kind.Notes, fmt.Sprintf("%s: field name %q cannot be a kube-state-metrics path segment, not searched", schemaPath, name))
			}
		case name == "conditions" && prop.Type == "array":
			d.conditions(&prop, childPath, childSchema)
		case prop.Type == "string" && isPhaseField(name, schemaPath) && !strings.Contains(schemaPath, "[]"):
			d.kind.Phases = append(d.kind.Phases, phase(&prop, childPath, childSchema))
		case prop.Type == "object":
			d.walkStatus(&prop, childPath, childSchema, depth+1)
		case prop.Type == "array" && prop.Items != nil && prop.Items.Schema != nil && prop.Items.Schema.Type == "object":
			// kube-state-metrics cannot iterate nested lists: observe the first element.
			d.walkStatus(prop.Items.Schema, append(childPath, "0"), childSchema+"[]", depth+1)
		}
	}
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

// isPhaseField reports whether a string field names the object's state:
// phase or state anywhere below status, or status inside health/sync (Argo CD).
func isPhaseField(name, parent string) bool {
	switch strings.ToLower(name) {
	case "phase", "state":
		return true
	case "status":
		return strings.HasSuffix(parent, ".health") || strings.HasSuffix(parent, ".sync")
	}
	return false
}

func phase(s *apiextensionsv1.JSONSchemaProps, path []string, schemaPath string) model.Phase {
	p := model.Phase{Field: model.Field{Path: path, SchemaPath: schemaPath, Rule: "phase-field"}}
	p.Values = enumStrings(s.Enum)
	if len(p.Values) == 0 {
		// No enum: renderers match model.FailurePhases case-insensitively.
		return p
	}
	p.Rule = "phase-field-enum"
	for _, v := range p.Values {
		switch {
		case model.IsFailurePhase(v):
			p.Failure = append(p.Failure, v)
		case slices.Contains(model.ProgressPhases, strings.ToLower(v)):
			p.Progress = append(p.Progress, v)
		}
	}
	return p
}

// conditions records a list of objects with a type field and at least one
// other condition field as a condition set.
func (d *detector) conditions(s *apiextensionsv1.JSONSchemaProps, path []string, schemaPath string) {
	if s.Items == nil || s.Items.Schema == nil {
		d.kind.Notes = append(d.kind.Notes, schemaPath+"[]: conditions list without an item schema, ignored")
		return
	}
	item := s.Items.Schema.Properties
	typ, hasType := item["type"]
	_, hasStatus := item["status"]
	_, hasReason := item["reason"]
	_, hasTime := item["lastTransitionTime"]
	_, hasMessage := item["message"]
	if !hasType || typ.Type != "string" || !(hasStatus || hasTime || hasReason || hasMessage) {
		d.kind.Notes = append(d.kind.Notes, schemaPath+"[]: not status conditions (needs a string type and a status, reason, message or lastTransitionTime)")
		return
	}
	set := model.ConditionSet{
		Field:             model.Field{Path: path, SchemaPath: schemaPath + "[]", Rule: "conditions-list"},
		HasStatus:         hasStatus,
		HasReason:         hasReason,
		HasTransitionTime: hasTime,
	}
	if parent := strings.Join(path[:len(path)-1], "."); parent != "status" {
		set.Scope = scope(path[:len(path)-1])
		set.Rule = "nested-conditions-list"
	}
	if !hasStatus {
		d.kind.Notes = append(d.kind.Notes, schemaPath+"[]: conditions have no status field; a present condition counts as True")
	}
	known := map[string]bool{}
	for _, v := range enumStrings(typ.Enum) {
		known[v] = true
	}
	if set.Scope == "" {
		for _, t := range printerColumnTypes(d.columns) {
			known[t] = true
		}
	}
	set.KnownTypes = slices.Sorted(maps.Keys(known))
	d.kind.Conditions = append(d.kind.Conditions, set)
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

// printerColumnTypes returns condition types named by printer columns such as
// .status.conditions[?(@.type=="Ready")].status.
func printerColumnTypes(cols []apiextensionsv1.CustomResourceColumnDefinition) []string {
	var out []string
	for _, c := range cols {
		p := strings.ReplaceAll(c.JSONPath, " ", "")
		const prefix = ".status.conditions[?(@.type=="
		if !strings.HasPrefix(p, prefix) {
			continue
		}
		rest := p[len(prefix):]
		if end := strings.Index(rest, ")]"); end > 0 {
			out = append(out, strings.Trim(rest[:end], `"'`))
		}
	}
	return out
}

func generation(status *apiextensionsv1.JSONSchemaProps) *model.Generation {
	og, ok := status.Properties["observedGeneration"]
	if !ok || og.Type != "integer" {
		return nil
	}
	return &model.Generation{Observed: model.Field{
		Path: []string{"status", "observedGeneration"}, SchemaPath: "status.observedGeneration", Rule: "observed-generation",
	}}
}

func suspend(spec *apiextensionsv1.JSONSchemaProps) *model.Field {
	for _, name := range []string{"suspend", "paused"} {
		if p, ok := spec.Properties[name]; ok && p.Type == "boolean" {
			return &model.Field{Path: []string{"spec", name}, SchemaPath: "spec." + name, Rule: "suspend-flag"}
		}
	}
	return nil
}
