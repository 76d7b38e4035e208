package ksm_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// A condition whose lastTransitionTime is not RFC 3339 (an offset without a
// colon) keeps its condition series, type, status and reason: only its age
// is lost. An empty condition list gives no condition series, as an absent
// one does, and the info series says the kind reports conditions.
func TestConditionsSurviveOddTimestamps(t *testing.T) {
	k := model.Kind{Group: "g.example.io", Kind: "Thing", Plural: "things", Version: "v1",
		Conditions: []model.ConditionSet{{Field: model.Field{Path: []string{"status", "conditions"}, SchemaPath: "status.conditions"},
			HasStatus: true, HasReason: true, HasTransitionTime: true}}}
	cfg, err := ksm.Build(model.Model{Kinds: []model.Kind{k}}, series.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	obj := func(name string, conditions []any) map[string]any {
		return map[string]any{"apiVersion": "g.example.io/v1", "kind": "Thing", "metadata": map[string]any{"name": name},
			"status": map[string]any{"conditions": conditions}}
	}
	res, err := ksmeval.Evaluate(cfg, []map[string]any{
		obj("odd", []any{map[string]any{"type": "Degraded", "status": "True", "reason": "Broken", "lastTransitionTime": "2024-01-01T16:05:43+0000"}}),
		obj("empty", []any{}),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := string(res.Exposition())
	for _, want := range []string{
		`kube_customresource_condition{crdmon="true",customresource_group="g.example.io",customresource_kind="Thing",customresource_version="v1",name="odd",reason="Broken",status="True",type="Degraded"} 1`,
		`kube_customresource_info{crdmon="true",customresource_group="g.example.io",customresource_kind="Thing",customresource_version="v1",name="empty",reports="conditions"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in\n%s", want, got)
		}
	}
	for _, unwanted := range []string{`kube_customresource_condition_transition_seconds{crdmon="true",customresource_group="g.example.io",customresource_kind="Thing",customresource_version="v1",name="odd"`, `kube_customresource_condition{crdmon="true",customresource_group="g.example.io",customresource_kind="Thing",customresource_version="v1",name="empty"`} {
		if strings.Contains(got, unwanted) {
			t.Errorf("unexpected %s in\n%s", unwanted, got)
		}
	}
}

// A nested condition list is read at each of the first ksm.NestedElements
// elements of its outer list, labelled with the element's path; a list that
// keeps a history is read at its first element only.
func TestNestedListsUnrolled(t *testing.T) {
	nested := func(list string) model.ConditionSet {
		return model.ConditionSet{Field: model.Field{Path: []string{"status", list, "0", "conditions"}, SchemaPath: "status." + list + "[].conditions[]"},
			Scope: "status." + list + "[0]", HasStatus: true, HasReason: true}
	}
	k := model.Kind{Group: "g.example.io", Kind: "Route", Plural: "routes", Version: "v1",
		Conditions: []model.ConditionSet{nested("parents"), nested("history")}}
	cfg, err := ksm.Build(model.Model{Kinds: []model.Kind{k}}, series.DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	cond := func(reason string) map[string]any {
		return map[string]any{"conditions": []any{map[string]any{"type": "Accepted", "status": "False", "reason": reason}}}
	}
	entries := make([]any, ksm.NestedElements+1)
	for i := range entries {
		entries[i] = cond("P" + strconv.Itoa(i))
	}
	res, err := ksmeval.Evaluate(cfg, []map[string]any{{"apiVersion": "g.example.io/v1", "kind": "Route", "metadata": map[string]any{"name": "r"},
		"status": map[string]any{"parents": entries, "history": entries}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range res.Samples() {
		if s.Name == "kube_customresource_condition" {
			got = append(got, s.Labels[series.LabelPath]+" "+s.Labels[series.LabelReason])
		}
	}
	slices.Sort(got)
	want := []string{"status.history[0] P0", "status.parents[0] P0", "status.parents[1] P1", "status.parents[2] P2", "status.parents[3] P3"}
	if !slices.Equal(got, want) {
		t.Errorf("condition series %v, want %v", got, want)
	}
}
