package simulate

import (
	"path/filepath"
	"testing"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/internal/golden"
)

// TestStateConventions evaluates the recording rule and the alerts over one
// object per state-side convention of issue 20 (docs/detection-conventions.md):
// a condition's own observedGeneration, Cluster API's severity, failure and
// pause reasons, an expected Ready that is absent, status.replicas when
// spec.replicas is omitted, every parent of a nested condition list, and an
// untyped status read as kstatus reads any object. The table is pinned by
// testdata/states.conventions.txt.
func TestStateConventions(t *testing.T) {
	const at = "2026-11-26T10:00:00Z"
	obj := func(kind, name string, generation int, status map[string]any) map[string]any {
		meta := map[string]any{"name": name, "namespace": "x"}
		if generation > 0 {
			meta["generation"] = generation
		}
		o := map[string]any{"apiVersion": "states.crdmon.dev/v1", "kind": kind, "metadata": meta}
		if status != nil {
			o["status"] = status
		}
		return o
	}
	cond := func(typ, status, reason string, more ...any) map[string]any {
		c := map[string]any{"type": typ, "status": status, "lastTransitionTime": at}
		if reason != "" {
			c["reason"] = reason
		}
		for i := 0; i+1 < len(more); i += 2 {
			c[more[i].(string)] = more[i+1]
		}
		return c
	}
	gadget := func(name string, generation int, conds ...map[string]any) map[string]any {
		list := make([]any, len(conds))
		for i, c := range conds {
			list[i] = c
		}
		return obj("Gadget", name, generation, map[string]any{"conditions": list})
	}
	ready := cond("Ready", "True", "Available")
	route := func(name string, parents ...[]any) map[string]any {
		list := make([]any, len(parents))
		for i, p := range parents {
			list[i] = map[string]any{"name": "gw", "conditions": p}
		}
		return obj("Route", name, 2, map[string]any{"parents": list})
	}
	cases := []convention{
		// A condition's observedGeneration behind metadata.generation: it
		// describes an older spec, so it says Progressing and its failure
		// stays quiet; at the current generation it counts.
		{gadget("stale-ready", 3, cond("Ready", "True", "Available", "observedGeneration", 2)), "Progressing", false},
		{gadget("stale-failure", 3, cond("Ready", "False", "CrashLoop", "observedGeneration", 2)), "Progressing", false},
		{gadget("fresh-failure", 3, cond("Ready", "False", "CrashLoop", "observedGeneration", 3)), "Degraded", true},
		// The printer column names Ready: other conditions but no Ready yet.
		{gadget("ready-absent", 1, cond("Synced", "True", "Applied")), "Progressing", false},
		// Cluster API: False with severity Error is a failure, with
		// severity Warning (and no reason) work still under way.
		{gadget("severity-error", 1, cond("Ready", "False", "", "severity", "Error")), "Degraded", true},
		{gadget("severity-warning", 1, cond("Ready", "False", "", "severity", "Warning")), "Progressing", true}, // NotReady, as it lasts
		// A failure reason on a condition of no known polarity; like every
		// type no schema names, it is a detail a top-level Ready=True
		// outranks.
		{gadget("neutral-failure", 1, cond("Storage", "False", "ConnectionError")), "Degraded", true},
		{gadget("neutral-detail", 1, ready, cond("Storage", "False", "ConnectionError")), "Healthy", false},
		{gadget("neutral-quiet", 1, cond("Ready", "False", ""), cond("Storage", "False", "NotConfigured")), "Progressing", true}, // NotReady, as it lasts
		// Progressing=False: the Deployment's deadline is a failure, a
		// finished rollout is not.
		{gadget("deadline", 1, ready, cond("Progressing", "False", "ProgressDeadlineExceeded")), "Degraded", true},
		{gadget("rolled-out", 1, ready, cond("Progressing", "False", "NewReplicaSetAvailable")), "Healthy", false},
		// A positive condition True for a failure reason; a reason that
		// denies one is no failure.
		{gadget("complete-failed", 1, ready, cond("Complete", "True", "JobFailed")), "Degraded", true},
		{gadget("no-errors", 1, cond("Ready", "True", "NoErrors")), "Healthy", false},
		// A reason naming a pause, as a word; its negation is none.
		{gadget("paused-reason", 1, cond("Ready", "False", "ReconcilePaused")), "Suspended", false},
		{gadget("not-paused", 1, cond("Ready", "True", "NotPaused")), "Healthy", false},
		// spec.replicas omitted: ready replicas against status.replicas.
		{obj("Pool", "short", 1, map[string]any{"replicas": 3, "readyReplicas": 1}), "Progressing", true}, // ReplicasMismatch, as it lasts
		{obj("Pool", "full", 1, map[string]any{"replicas": 3, "readyReplicas": 3}), "Healthy", false},
		// Every parent of a nested list is seen, not only the first; one
		// with no condition yet has not been judged.
		{route("second-parent", []any{cond("Accepted", "True", "Accepted")}, []any{cond("Accepted", "False", "NotAllowedByListeners")}), "Degraded", true},
		{route("unjudged", []any{}), "Progressing", false},
		// An untyped status: its conditions are read as kstatus reads them;
		// an object without any is not "waiting for status".
		{obj("Plugin", "failing", 1, map[string]any{"conditions": []any{cond("Failure", "True", "Error")}}), "Degraded", true},
		{obj("Plugin", "silent", 1, map[string]any{"version": "1.2"}), "Healthy", false},
	}
	rep := checkConventions(t, "states.conventions.yaml", cases)
	golden.Check(t, filepath.Join("testdata", "states.conventions.txt"), tableWithNotes(t, rep))
}

// A condition type crdmon.yaml declares takes its polarity in every list of
// the object, nested ones included: a negative type True in a later parent
// is a failure, as in the first.
func TestDeclaredPolarityInEveryList(t *testing.T) {
	cfg, err := config.Parse("crdmon.yaml", []byte("apiVersion: crdmon.dev/v1alpha1\nkind: Config\nkinds:\n"+
		"  - group: states.crdmon.dev\n    kind: Route\n    conditions: {Blocked: negative}\n"))
	if err != nil {
		t.Fatal(err)
	}
	route := func(name, second string) map[string]any {
		parent := func(status string) map[string]any {
			return map[string]any{"name": "gw", "conditions": []any{map[string]any{"type": "Blocked", "status": status, "reason": "Policy"}}}
		}
		return map[string]any{"apiVersion": "states.crdmon.dev/v1", "kind": "Route",
			"metadata": map[string]any{"name": name, "namespace": "x", "generation": 1},
			"status":   map[string]any{"parents": []any{parent("False"), parent(second)}}}
	}
	rep := generateAndRun(t, []string{filepath.Join("testdata", "states.conventions.yaml")},
		func(o *generator.Options) { o.Config = cfg }, []map[string]any{route("blocked", "True"), route("open", "False")})
	got := map[string]string{}
	for _, h := range rep.Health {
		got[h.Name] = h.State
	}
	if got["blocked"] != "Degraded" || got["open"] != "Healthy" {
		t.Errorf("states %v, want blocked Degraded (second parent Blocked=True) and open Healthy", got)
	}
}
