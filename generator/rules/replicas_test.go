package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/model"
)

// firingObjects evaluates expr over WebApplications whose replica counts are
// given as name, desired, ready, available, updated, current ("-": not
// reported, no series) and returns the names it selects.
func firingObjects(t *testing.T, expr string, objects ...[6]string) []string {
	t.Helper()
	var load strings.Builder
	load.WriteString("load 1m\n")
	for _, o := range objects {
		labels := `{customresource_group="apps.example.com", customresource_kind="WebApplication", customresource_version="v1alpha1", namespace="default", name="` + o[0] + `"}`
		load.WriteString("  kube_customresource_info" + labels + " 1x30\n")
		for i, member := range []string{"desired", "ready", "available", "updated", "current"} {
			if !strings.HasPrefix(o[i+1], "-") {
				load.WriteString("  kube_customresource_replicas_" + member + labels + " " + o[i+1] + "x30\n")
			}
		}
	}
	vec := evalAt30m(t, load.String(), expr)
	var out []string
	for _, s := range vec {
		out = append(out, s.Metric.Get("name"))
	}
	slices.Sort(out)
	return out
}

// The replica alerts each measure one count against the desired one. A
// ready shortfall raises ReplicasMismatch alone: available replicas are
// ready ones, so ReplicasUnavailable would only repeat it. An updated count
// below desired is a rollout not converging while it is under way (a surge
// replica, or replicas not ready), not while a partition holds it.
func TestReplicaFamilyAlerts(t *testing.T) {
	exprs := catchAllRules(t, model.Model{Kinds: []model.Kind{workloadKind()}}, DefaultOptions())
	objects := [][6]string{
		{"healthy", "3", "3", "3", "3", "3"},
		{"unready", "3", "1", "1", "3", "3"},
		{"unavailable", "3", "3", "2", "3", "3"},
		{"surging", "3", "3", "3", "1", "4"},
		{"stuck", "3", "2", "2", "1", "3"},
		{"partitioned", "3", "3", "3", "1", "3"},
		{"unreported", "3", "3", "-", "-", "-"},
	}
	for alert, want := range map[string][]string{
		"WebApplicationReplicasMismatch":     {"stuck", "unready"},
		"WebApplicationReplicasUnavailable":  {"unavailable"},
		"WebApplicationRolloutNotConverging": {"stuck", "surging"},
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

// A kind that does not count current replicas sees a rollout under way only
// in its ready count; its generated promtool cases still hold (catchAllRules
// runs them).
func TestRolloutWithoutCurrentCount(t *testing.T) {
	k := workloadKind()
	k.Replicas.Current = nil
	exprs := catchAllRules(t, model.Model{Kinds: []model.Kind{k}}, DefaultOptions())
	objects := [][6]string{
		{"stuck", "3", "2", "2", "1", "-"},
		{"partitioned", "3", "3", "3", "1", "-"},
	}
	if got := firingObjects(t, exprs["WebApplicationRolloutNotConverging"], objects...); !slices.Equal(got, []string{"stuck"}) {
		t.Errorf("WebApplicationRolloutNotConverging fires for %v, want [stuck]", got)
	}
}
