package simulate

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectionConventions evaluates the recording rule and the alerts over
// one object per detection convention of issue 20: positive types the
// schema does not name (Completed, Admitted), state values read by their
// words, pauses as words, condition types that name no activity, and an
// abbreviated error field.
func TestDetectionConventions(t *testing.T) {
	obj := func(kind, name string, status map[string]any) map[string]any {
		return map[string]any{"apiVersion": "detection.crdmon.dev/v1", "kind": kind,
			"metadata": map[string]any{"name": name, "namespace": "x"}, "status": status}
	}
	job := func(name, typ, status, reason string) map[string]any {
		return obj("Job", name, map[string]any{"conditions": []any{map[string]any{
			"type": typ, "status": status, "reason": reason, "lastTransitionTime": "2026-11-26T10:00:00Z"}}})
	}
	pool := func(name, state string) map[string]any { return obj("Pool", name, map[string]any{"state": state}) }
	cases := []convention{
		{job("completed-failed", "Completed", "False", "BackoffLimitExceeded"), "Degraded", true},
		{job("not-admitted", "Admitted", "False", "QuotaExceeded"), "Degraded", true},
		{job("reconcile-completed", "ReconcileCompleted", "True", "Done"), "Healthy", false},
		{job("plan-missing", "InstallPlanMissing", "True", "NoPlan"), "Healthy", false},
		{job("restarting", "PoolRestarting", "True", "Restart"), "Progressing", false},
		{job("stopped", "Stopped", "True", "ByUser"), "Suspended", false},
		{job("unpaused", "Unpaused", "True", "ByUser"), "Healthy", false},
		{pool("upgrading", "NodesUpgrading"), "Progressing", true}, // PhaseStuck, pending until it lasts
		{pool("failed-step", "WaitingAfterFailedStep"), "Degraded", true},
		{pool("status-err", "STATUS_ERR"), "Degraded", true},
		{pool("status-warn", "STATUS_WARN"), "Degraded", true},
		{pool("running", "Running"), "Healthy", false},
		{pool("missing", "Missing"), "Healthy", false},
		{pool("step-paused", "StepPaused"), "Suspended", false},
		{pool("no-pause", "NoPause"), "Healthy", false},
		{obj("Link", "err-msg", map[string]any{"connected": "yes", "errMsg": "dial tcp: i/o timeout"}), "Degraded", true},
		{obj("Link", "no-err", map[string]any{"connected": "yes"}), "Healthy", false},
	}
	checkConventions(t, "detection.yaml", cases)
}

// convention is one object of a convention test: the state it must be
// recorded in, and whether an alert must be active for it.
type convention struct {
	obj     map[string]any
	state   string
	alerted bool
}

// checkConventions evaluates the recording rule and the alerts generated
// from testdata/<crds> over the cases' objects and checks each case; it
// returns the report.
func checkConventions(t *testing.T, crds string, cases []convention) *Report {
	t.Helper()
	var objs []map[string]any
	for _, c := range cases {
		objs = append(objs, c.obj)
	}
	rep := runOn(t, crds, objs)
	got := map[string]string{}
	for _, h := range rep.Health {
		got[h.Name] = h.State + "/" + h.Reason
	}
	active := map[string][]string{}
	for _, r := range rep.Rows {
		if r.State != OK {
			active[r.Name] = append(active[r.Name], r.Alert)
		}
	}
	for _, c := range cases {
		name := c.obj["metadata"].(map[string]any)["name"].(string)
		if st, _, _ := strings.Cut(got[name], "/"); st != c.state {
			t.Errorf("%s: recorded %s, want %s", name, got[name], c.state)
		}
		if (len(active[name]) > 0) != c.alerted {
			t.Errorf("%s: alerts %v active, want one active: %v", name, active[name], c.alerted)
		}
	}
	return rep
}

// runOn generates plain rule files from testdata/<crds> and evaluates them
// over objs at testAt.
func runOn(t *testing.T, crds string, objs []map[string]any) *Report {
	t.Helper()
	return generateAndRun(t, []string{filepath.Join("testdata", crds)}, nil, objs)
}
