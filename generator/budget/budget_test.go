package budget

import (
	"testing"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/internal/testutil"
)

func field(path ...string) model.Field {
	return model.Field{Path: path, SchemaPath: "x", Rule: "test"}
}

func TestSeriesPerObject(t *testing.T) {
	base := model.Kind{Group: "example.com", Kind: "Widget", Plural: "widgets", Version: "v1", Namespaced: true}
	conds := model.ConditionSet{Field: field("status", "conditions"), HasStatus: true, HasReason: true, HasTransitionTime: true}
	nested := model.ConditionSet{Field: field("status", "parents", "0", "conditions"), Scope: "status.parents[0]", HasStatus: true, HasTransitionTime: true}
	noTime := model.ConditionSet{Field: field("status", "conditions"), HasStatus: true}
	full := base
	full.Conditions = []model.ConditionSet{conds, nested}
	available, updated := field("status", "availableReplicas"), field("status", "updatedReplicas")
	full.Replicas = &model.Replicas{Desired: field("spec", "replicas"), Ready: field("status", "readyReplicas"), Available: &available, Updated: &updated}
	full.Generation = &model.Generation{Observed: field("status", "observedGeneration")}
	full.Phases = []model.Phase{{Field: field("status", "phase")}, {Field: field("status", "health", "status"), Values: []string{"Healthy"}}}
	full.Suspend = &model.Field{Path: []string{"spec", "suspend"}}
	withNoTime := base
	withNoTime.Conditions = []model.ConditionSet{noTime}
	phaseOnly := base
	phaseOnly.Namespaced = false
	phaseOnly.Phases = []model.Phase{{Field: field("status", "phase")}}
	for _, c := range []struct {
		name string
		kind model.Kind
		want int
	}{
		{"no signals: not configured", base, 0},
		{"info + 2 conditions", withNoTime, 3},
		{"info + phase", phaseOnly, 2},
		// info 1, conditions 2+2 and their transition times 2+2, replicas
		// 2+2, generation 2, phases 2
		{"everything", full, 17},
	} {
		if got := SeriesPerObject(c.kind, series.DefaultPrefix); got != c.want {
			t.Errorf("%s: %d series per object, want %d", c.name, got, c.want)
		}
	}
}

// The typical object fills every signal's path, so each family yields samples
// of the expected values.
func TestTypicalObject(t *testing.T) {
	k := model.Kind{Group: "example.com", Kind: "Widget", Plural: "widgets", Version: "v1",
		Conditions: []model.ConditionSet{{Field: field("status", "items", "2", "conditions"), KnownTypes: []string{"Done"}, HasStatus: true}},
		Replicas:   &model.Replicas{Desired: field("spec", "replicas"), Ready: field("status", "readyReplicas")},
	}
	obj := TypicalObject(k)
	items := obj["status"].(map[string]any)["items"].([]any)
	if len(items) != 3 || items[0] != nil {
		t.Fatalf("items = %#v", items)
	}
	conds := items[2].(map[string]any)["conditions"].([]any)
	if len(conds) != ConditionsPerSet || conds[0].(map[string]any)["type"] != "Done" || conds[1].(map[string]any)["type"] != "Synced" {
		t.Errorf("conditions = %#v", conds)
	}
	if obj["spec"].(map[string]any)["replicas"] != int64(3) {
		t.Errorf("spec = %#v", obj["spec"])
	}
	if _, ok := obj["metadata"].(map[string]any)["namespace"]; ok {
		t.Error("cluster-scoped kind got a namespace")
	}
}

// Over the corpus, a typical monitored object costs at most 6 series.
func TestCorpusAverage(t *testing.T) {
	r, err := load.Paths([]string{testutil.Corpus(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	total, kinds, max, maxKind := 0, 0, 0, ""
	for _, k := range detect.Model(r.CRDs).Kinds {
		if !k.HasSignals() {
			continue
		}
		n := SeriesPerObject(k, series.DefaultPrefix)
		if n < 1 {
			t.Fatalf("%s: %d series per object", k.ID(), n)
		}
		total, kinds = total+n, kinds+1
		if n > max {
			max, maxKind = n, k.ID()
		}
	}
	avg := float64(total) / float64(kinds)
	t.Logf("%d monitored kinds, %.2f series per typical object on average, at most %d (%s)", kinds, avg, max, maxKind)
	// A condition's lastTransitionTime is a series of its own (so that a
	// time kube-state-metrics cannot parse loses the age, not the
	// condition): about one more series per object than before.
	if avg > 7 {
		t.Errorf("average %.2f series per object, budget is 7", avg)
	}
}
