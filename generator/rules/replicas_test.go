package rules

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/crdmon/crdmon/generator/model"
)

// firingObjects evaluates expr over WebApplications whose replica counts are
// given as "name desired ready available updated" (a negative count is
// unreported: no series) and returns the names it selects.
func firingObjects(t *testing.T, expr string, objects ...[5]string) []string {
	t.Helper()
	var load strings.Builder
	load.WriteString("load 1m\n")
	for _, o := range objects {
		labels := `{customresource_group="apps.example.com", customresource_kind="WebApplication", customresource_version="v1alpha1", namespace="default", name="` + o[0] + `"}`
		load.WriteString("  kube_customresource_info" + labels + " 1x30\n")
		for i, member := range []string{"desired", "ready", "available", "updated"} {
			if !strings.HasPrefix(o[i+1], "-") {
				load.WriteString("  kube_customresource_replicas_" + member + labels + " " + o[i+1] + "x30\n")
			}
		}
	}
	st := promqltest.LoadedStorage(t, load.String(), func(o *tsdb.Options) { o.WALSegmentSize = -1 })
	defer st.Close()
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 10000, Timeout: time.Minute, Parser: promqlParser})
	defer engine.Close()
	q, err := engine.NewInstantQuery(context.Background(), st, nil, expr, time.Unix(0, 0).Add(30*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	res := q.Exec(context.Background())
	vec, err := res.Vector()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range vec {
		out = append(out, s.Metric.Get("name"))
	}
	slices.Sort(out)
	return out
}

// The replica alerts each measure one count against the desired one, and a
// ready shortfall raises ReplicasMismatch alone: available replicas are
// ready ones, so ReplicasUnavailable would only repeat it.
func TestReplicaFamilyAlerts(t *testing.T) {
	exprs := catchAllRules(t, model.Model{Kinds: []model.Kind{workloadKind()}}, DefaultOptions())
	objects := [][5]string{
		{"healthy", "3", "3", "3", "3"},
		{"unready", "3", "1", "1", "3"},
		{"unavailable", "3", "3", "2", "3"},
		{"rolling", "3", "3", "3", "1"},
		{"unreported", "3", "3", "-", "-"},
	}
	for alert, want := range map[string][]string{
		"WebApplicationReplicasMismatch":     {"unready"},
		"WebApplicationReplicasUnavailable":  {"unavailable"},
		"WebApplicationRolloutNotConverging": {"rolling"},
	} {
		expr, ok := exprs[alert]
		if !ok {
			t.Fatalf("no alert %s among %v", alert, exprs)
		}
		if got := firingObjects(t, expr, objects...); !slices.Equal(got, want) {
			t.Errorf("%s fires for %v, want %v", alert, got, want)
		}
	}
}
