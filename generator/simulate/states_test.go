package simulate

import (
	"path/filepath"
	"testing"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/rules"
)

// TestHealthStateConventions evaluates the recording rule over one object
// per convention the health states follow (package health), each a case
// the conventions decide differently from the rule next to it.
func TestHealthStateConventions(t *testing.T) {
	cond := func(typ, status, reason string) map[string]any {
		c := map[string]any{"type": typ, "status": status, "lastTransitionTime": "2026-11-26T10:00:00Z"}
		if reason != "" {
			c["reason"] = reason
		}
		return c
	}
	task := func(name string, meta map[string]any, spec map[string]any, conds ...map[string]any) map[string]any {
		m := map[string]any{"name": name, "namespace": "x", "generation": int64(1)}
		for k, v := range meta {
			m[k] = v
		}
		var list []any
		for _, c := range conds {
			list = append(list, c)
		}
		status := map[string]any{"observedGeneration": int64(1), "conditions": list}
		return map[string]any{"apiVersion": "states.crdmon.dev/v1", "kind": "Task", "metadata": m, "spec": spec, "status": status}
	}
	snapshot := func(name string, status map[string]any) map[string]any {
		o := map[string]any{"apiVersion": "states.crdmon.dev/v1", "kind": "Snapshot", "metadata": map[string]any{"name": name, "namespace": "x"}}
		if status != nil {
			o["status"] = status
		}
		return o
	}
	paused := map[string]any{"updateStrategy": map[string]any{"rollingUpdate": map[string]any{"paused": true}}}
	cases := []struct {
		obj          map[string]any
		state, cause string
	}{
		{task("ready", nil, nil, cond("Ready", "True", "Done")), "Healthy", "none"},
		{task("deleting", map[string]any{"deletionTimestamp": "2026-11-26T11:00:00Z"}, paused, cond("Stalled", "True", "Broken")), "Progressing", "deleting"},
		{task("paused", nil, paused, cond("Ready", "True", "Done")), "Suspended", "suspend"},
		{task("stale-pause", map[string]any{"generation": int64(2)}, nil, cond("Paused", "True", "ByUser")), "Progressing", "generation"},
		{task("fresh-pause", nil, nil, cond("Paused", "True", "ByUser")), "Suspended", "condition"},
		{task("failed", nil, nil, cond("Ready", "False", "QuotaExceeded")), "Degraded", "condition"},
		{task("no-reason", nil, nil, cond("Ready", "False", "")), "Progressing", "condition"},
		{task("in-progress", nil, nil, cond("Ready", "False", "NotReadyInProgress")), "Progressing", "condition"},
		{task("provisioning-failed", nil, nil, cond("Ready", "False", "ProvisioningFailed")), "Degraded", "condition"},
		{task("reconciling", nil, nil, cond("Reconciling", "True", "Progressing"), cond("Ready", "False", "TokenNotFound")), "Progressing", "condition"},
		{task("retrying", nil, nil, cond("Reconciling", "True", "ProgressingWithRetry"), cond("Ready", "False", "TokenNotFound")), "Degraded", "condition"},
		{task("rolled-out", nil, nil, cond("Progressing", "True", "NewReplicaSetAvailable")), "Healthy", "none"},
		{task("rolling-out", nil, nil, cond("Progressing", "True", "ReplicaSetUpdated")), "Progressing", "condition"},
		{task("issuing", nil, nil, cond("Issuing", "True", "Renewing"), cond("Ready", "False", "DoesNotExist")), "Progressing", "condition"},
		{task("running", nil, nil, cond("Running", "True", "Running")), "Progressing", "condition"},
		{task("archiving", nil, nil, cond("Archiving", "True", "ArchivingSuccess")), "Healthy", "none"},
		{task("succeeding", nil, nil, cond("CanaryChecksSucceeding", "True", "CanaryChecksSucceeding")), "Healthy", "none"},
		{task("fallback", nil, nil, cond("Active", "True", "ScalerActive"), cond("Fallback", "True", "FallbackExists")), "Degraded", "condition"},
		{snapshot("unwritten", nil), "Progressing", "unreported"},
		{snapshot("green", map[string]any{"health": "green", "readyToUse": true}), "Healthy", "none"},
		{snapshot("yellow", map[string]any{"health": "yellow", "readyToUse": true}), "Progressing", "phase"},
		{snapshot("error", map[string]any{"readyToUse": false, "error": map[string]any{"message": "volume\nnot found"}}), "Degraded", "phase"},
	}
	var objs []map[string]any
	for _, c := range cases {
		objs = append(objs, c.obj)
	}
	rep := runOn(t, "states.yaml", objs)
	got := map[string]ObjectHealth{}
	for _, h := range rep.Health {
		got[h.Name] = h
	}
	for _, c := range cases {
		name := c.obj["metadata"].(map[string]any)["name"].(string)
		if h := got[name]; h.State != c.state || h.Reason != c.cause {
			t.Errorf("%s: %s/%s, want %s/%s", name, h.State, h.Reason, c.state, c.cause)
		}
	}
}

// TestDeclaredSuspendedValues checks a phase value crdmon.yaml declares
// suspended: the object is recorded Suspended and its alerts stay quiet,
// even one its readiness flag would raise, while a declared failure value
// still records Degraded and fires.
func TestDeclaredSuspendedValues(t *testing.T) {
	cfg, err := config.Parse("crdmon.yaml", []byte(`apiVersion: crdmon.dev/v1alpha1
kind: Config
kinds:
  - group: states.crdmon.dev
    kind: Snapshot
    signals:
      - {field: status.health, meaning: phase, failure: [red], progress: [yellow], suspended: [frozen]}
`))
	if err != nil {
		t.Fatal(err)
	}
	opts := generator.DefaultOptions()
	opts.Inputs = []string{filepath.Join("testdata", "states.yaml")}
	opts.Rules.Format = rules.FormatPlain
	opts.Config = cfg
	res, err := generator.Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	snapshot := func(name, health string) map[string]any {
		return map[string]any{"apiVersion": "states.crdmon.dev/v1", "kind": "Snapshot",
			"metadata": map[string]any{"name": name, "namespace": "x"},
			"status":   map[string]any{"health": health, "readyToUse": false}}
	}
	rep, err := Run(res, []map[string]any{snapshot("frozen", "frozen"), snapshot("broken", "red")}, testAt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"frozen": "Suspended/phase", "broken": "Degraded/phase"}
	for _, h := range rep.Health {
		if got := h.State + "/" + h.Reason; got != want[h.Name] {
			t.Errorf("%s: recorded %s, want %s", h.Name, got, want[h.Name])
		}
		delete(want, h.Name)
	}
	if len(want) > 0 {
		t.Errorf("no recorded state for %v", want)
	}
	active := map[string][]string{}
	for _, r := range rep.Rows {
		if r.State != OK {
			active[r.Name] = append(active[r.Name], r.Alert)
		}
	}
	if len(active["frozen"]) > 0 {
		t.Errorf("frozen: alerts %v active, want none (declared suspended)", active["frozen"])
	}
	if len(active["broken"]) == 0 {
		t.Errorf("broken: no alert active, want the failed phase's")
	}
}
