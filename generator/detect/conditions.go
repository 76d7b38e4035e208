package detect

import (
	"maps"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/model"
)

// conditionsList claims status.conditions.
func conditionsList(d *detector, f statusField, rule string) bool {
	if f.name != "conditions" || f.schema.Type != "array" || f.parent != "status" {
		return false
	}
	d.conditions(f, rule)
	return true
}

// nestedConditionsList claims a conditions list anywhere else below status.
func nestedConditionsList(d *detector, f statusField, rule string) bool {
	if f.name != "conditions" || f.schema.Type != "array" {
		return false
	}
	d.conditions(f, rule)
	return true
}

// conditions records a list of objects with a type field and at least one
// other condition field as a condition set.
func (d *detector) conditions(f statusField, rule string) {
	s := f.schema
	if s.Items == nil || s.Items.Schema == nil {
		d.note("%s[]: conditions list without an item schema, ignored", f.schemaPath)
		return
	}
	item := s.Items.Schema.Properties
	typ, hasType := item["type"]
	_, hasStatus := item["status"]
	_, hasReason := item["reason"]
	_, hasTime := item["lastTransitionTime"]
	_, hasMessage := item["message"]
	og, hasOG := item["observedGeneration"]
	sev, hasSeverity := item["severity"]
	if !hasType || typ.Type != "string" || !(hasStatus || hasTime || hasReason || hasMessage) {
		d.note("%s[]: not status conditions (needs a string type and a status, reason, message or lastTransitionTime)", f.schemaPath)
		return
	}
	set := model.ConditionSet{
		Field:             model.Field{Path: f.path, SchemaPath: f.schemaPath + "[]", Rule: rule},
		HasStatus:         hasStatus,
		HasReason:         hasReason,
		HasTransitionTime: hasTime,
		// metav1.Condition's observedGeneration; Cluster API's severity.
		HasObservedGeneration: hasOG && og.Type == "integer",
		HasSeverity:           hasSeverity && sev.Type == "string",
	}
	if f.parent != "status" {
		set.Scope = scope(f.path[:len(f.path)-1])
	}
	if !hasStatus {
		d.note("%s[]: conditions have no status field; a present condition counts as True", f.schemaPath)
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
