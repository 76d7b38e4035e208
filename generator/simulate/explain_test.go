package simulate

import (
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/internal/testutil"
)

// obj returns the identity labels of object name plus extra labels.
func obj(name string, kv ...string) map[string]string {
	l := map[string]string{"customresource_group": "example.com", "customresource_kind": "Widget",
		"customresource_version": "v1", "namespace": "default", "name": name}
	for i := 0; i+1 < len(kv); i += 2 {
		l[kv[i]] = kv[i+1]
	}
	return l
}

// TestWhy pins the explanation of each shape of generated alert.
func TestWhy(t *testing.T) {
	p := "kube_customresource_"
	samples := []ksmeval.Sample{
		{Name: p + "info", Labels: obj("absent"), Value: 1},
		{Name: p + "info", Labels: obj("failed"), Value: 1},
		{Name: p + "condition", Labels: obj("failed", "type", "Ready", "status", "False", "reason", "Boom"), Value: 1},
		{Name: p + "condition_transition_seconds", Labels: obj("failed", "type", "Ready", "status", "False", "reason", "Boom"), Value: ago(2*time.Hour + 5*time.Minute)},
		{Name: "crdmon:signal:failing", Labels: obj("failed", "reason", "condition", "signal", "Ready"), Value: 1},
		{Name: "crdmon:signal:failing", Labels: obj("phased", "reason", "phase", "signal", "status.phase"), Value: 1},
		{Name: p + "condition", Labels: obj("nested", "path", "status.parents[0]", "type", "Stalled"), Value: 0},
		{Name: p + "replicas_ready", Labels: obj("short"), Value: 1},
		{Name: p + "replicas_desired", Labels: obj("short"), Value: 3},
		{Name: p + "phase_info", Labels: obj("phased", "field", "status.phase", "phase", "Failed"), Value: 1},
		{Name: p + "info", Labels: obj("suspended", "suspended", "true"), Value: 1},
		{Name: p + "replicas_ready", Labels: obj("suspended"), Value: 0},
		{Name: p + "replicas_desired", Labels: obj("suspended"), Value: 1},
		{Name: p + "replicas_updated", Labels: obj("rolling"), Value: 1},
		{Name: p + "replicas_current", Labels: obj("rolling"), Value: 4},
		{Name: p + "replicas_desired", Labels: obj("rolling"), Value: 3},
	}
	on := " unless on(customresource_group, customresource_kind, namespace, name) "
	rs := []Rule{
		rule(t, "NotReady", `(`+p+`info`+on+p+`condition{type="Ready"}) or (time() - `+p+`condition{type="Ready", status!="True"} > 900)`, 0),
		rule(t, "Stalled", p+`condition{type="Stalled"}`, 0),
		rule(t, "Replicas", `(`+p+`replicas_ready < `+p+`replicas_desired)`+on+p+`info{suspended="true"}`, 0),
		rule(t, "Rollout", `(`+p+`replicas_updated < `+p+`replicas_desired) and on(customresource_group, customresource_kind, namespace, name) (`+
			p+`replicas_current > `+p+`replicas_desired)`, 0),
		rule(t, "Phase", p+`phase_info{phase="Failed"}`, 0),
		rule(t, "Other", `count by (customresource_kind) (`+p+`info) > 2`, 0),
		rule(t, "Failing", `crdmon:signal:failing`, 0), // the rule pack's: the signal it read
	}
	s, err := newSession(rs, nil, samples, testAt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	alerts, err := s.alerts(rs)
	if err != nil {
		t.Fatal(err)
	}
	ex := newExplainer(s, "kube_customresource", samples)
	got := map[string]string{}
	for _, a := range alerts {
		got[a.Rule.Name+"/"+a.Labels["name"]] = ex.why(a)
	}
	want := map[string]string{
		"NotReady/absent":    "no Ready condition",
		"NotReady/failed":    "Ready=False (Boom) for 2h5m",
		"NotReady/suspended": "no Ready condition",
		"Stalled/nested":     "status.parents[0] Stalled",
		"Replicas/short":     "replicas ready 1 < replicas desired 3",
		"Rollout/rolling":    "replicas updated 1 < replicas desired 3",
		"Phase/phased":       "status.phase=Failed",
		"Other/":             "value 3",
		"Failing/failed":     "Ready=False (Boom) for 2h5m",
		"Failing/phased":     "status.phase=Failed",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: why %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
}

// An object given twice (two overlapping exports) is one object.
func TestObjectGivenTwice(t *testing.T) {
	rep := report(t, []string{testutil.TestdataCRDs(t)}, []string{"testdata/objects/databases.yaml", "testdata/objects/databases.yaml"}, nil)
	once := report(t, []string{testutil.TestdataCRDs(t)}, []string{"testdata/objects/databases.yaml"}, nil)
	if rep.Objects != once.Objects || len(rep.Rows) != len(once.Rows) {
		t.Errorf("twice: %d objects, %d rows; once: %d objects, %d rows", rep.Objects, len(rep.Rows), once.Objects, len(once.Rows))
	}
}
