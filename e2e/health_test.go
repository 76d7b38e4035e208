//go:build e2e

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/generator/simulate"
)

// checkHealth checks the crdmon:health:state series real Prometheus records
// for the sample objects: exactly one per object, with the state and reason
// crdmon simulate computes offline from the same objects, and Degraded for
// every sample that must fire a failure alert.
func checkHealth(t *testing.T, p *prometheus, res *generator.Result, objects []map[string]any, samples []sample) {
	t.Helper()
	rep, err := simulate.Run(res, objects, time.Now())
	if err != nil {
		t.Fatalf("simulate: %v", err)
	}
	want := map[string]string{}
	for _, h := range rep.Health {
		want[objectID(h.Group, h.Kind, h.Namespace, h.Name)] = h.State + "/" + h.Reason
	}
	var got map[string]string
	waitFor(t, 30*time.Second, "the health rule to record every sample", func() (bool, string) {
		rows, _, err := p.query(health.Metric, true)
		if err != nil {
			t.Fatal(err)
		}
		got = map[string]string{}
		for _, r := range rows {
			m := r.Metric
			id := objectID(m[series.LabelGroup], m[series.LabelKind], m[series.LabelNamespace], m[series.LabelName])
			if prev, dup := got[id]; dup {
				t.Fatalf("%s: two health series (%s and %s/%s)", id, prev, m[health.LabelState], m[health.LabelReason])
			}
			got[id] = m[health.LabelState] + "/" + m[health.LabelReason]
		}
		for _, s := range samples {
			if _, ok := got[s.id()]; !ok {
				return false, s.id() + " has no health series yet"
			}
		}
		return true, ""
	})
	counts := map[string]int{}
	for _, s := range samples {
		g := got[s.id()]
		counts[strings.Split(g, "/")[0]]++
		if g != want[s.id()] {
			t.Errorf("%s (%s): Prometheus records %s, crdmon simulate %s", s.id(), s.source, g, want[s.id()])
		}
		if failing(s) && !strings.HasPrefix(g, health.Degraded+"/") {
			t.Errorf("%s (%s): must fire %v, but its recorded state is %s", s.id(), s.source, s.alerts(), g)
		}
	}
	t.Logf("recorded health of %d samples: %s", len(samples), fmt.Sprint(counts))
}

// failing reports whether a sample must fire an alert that says "broken":
// a negative condition or a failure phase.
func failing(s sample) bool {
	for _, a := range s.alerts() {
		if strings.HasSuffix(a, "PhaseFailed") || strings.HasSuffix(a, "ConditionFailing") || strings.HasSuffix(a, "Stalled") {
			return true
		}
	}
	return false
}
