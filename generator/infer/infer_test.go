package infer_test

import (
	"os"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/infer"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

func crd(t *testing.T, kind string) load.CRD {
	t.Helper()
	loaded, err := load.Paths([]string{"testdata/routes.crd.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range loaded.CRDs {
		if c.Spec.Names.Kind == kind {
			return c
		}
	}
	t.Fatalf("no CRD of kind %s", kind)
	return load.CRD{}
}

func objects(t *testing.T, file string) []map[string]any {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objs, err := ksmeval.LoadObjects(f, file)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func parse(t *testing.T, text string) []map[string]any {
	t.Helper()
	objs, err := ksmeval.LoadObjects(strings.NewReader(text), "test")
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// signals lists a kind's signal fields as "schemaPath rule learned".
func signals(k model.Kind) []string {
	var out []string
	k.Fields(func(f *model.Field) { out = append(out, f.SchemaPath+" "+f.Rule+" "+f.Learned) })
	return out
}

// The state under a map keyed by a namespace name that every object shares
// is learned as a fixed path, with conditions and observedGeneration, by the
// same detection rules a typed status goes through.
func TestLearnStateUnderNamespaceKey(t *testing.T) {
	c := crd(t, "Route")
	if !infer.Untyped(c) {
		t.Fatal("Route's status should read as untyped")
	}
	r := infer.Learn(c, objects(t, "testdata/routes.yaml"))
	want := []string{
		"status.conditions[] conditions-list 2 of 3 objects have it",
		"status.observedGeneration observed-generation 2 of 3 objects have it",
		"status.statuses.routing-system.state phase-field 2 of 3 objects have it",
	}
	if got := signals(r.Model); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("signals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.Objects != 3 || r.Learned() != 3 {
		t.Errorf("objects %d, learned %d; want 3 and 3", r.Objects, r.Learned())
	}
	if got := r.Summary(); got != "example.crdmon.dev/Route: 3 signals learned from 3 objects" {
		t.Errorf("summary %q", got)
	}
	if p := r.Model.Phases[0].Path; strings.Join(p, ".") != "status.statuses.routing-system.state" {
		t.Errorf("phase path %v", p)
	}
}

// Keys that differ between objects make a map: nothing below it is
// learned, and a note says why.
func TestLearnMapWithVaryingKeys(t *testing.T) {
	r := infer.Learn(crd(t, "Route"), parse(t, `
apiVersion: example.crdmon.dev/v1
kind: Route
metadata: {name: a}
status: {statuses: {team-a: {state: Accepted}}}
---
apiVersion: example.crdmon.dev/v1
kind: Route
metadata: {name: b}
status: {statuses: {team-b: {state: Rejected}}}
`))
	if r.Model.HasSignals() {
		t.Errorf("signals learned under a varying map: %v", signals(r.Model))
	}
	wantNote(t, r.Notes, "status.statuses: a map whose keys differ between objects (team-a, team-b): kube-state-metrics paths name fixed keys")
	if got := r.Summary(); got != "example.crdmon.dev/Route: status untyped; 2 objects show no health signal: nothing learned" {
		t.Errorf("summary %q", got)
	}
}

// An integer state code names no state: skipped with a message, while the
// readiness flag beside it is learned. The CRD has no status schema at all.
func TestLearnIntegerStateCode(t *testing.T) {
	r := infer.Learn(crd(t, "Listener"), objects(t, "testdata/listeners.yaml"))
	wantNote(t, r.Notes, "status.state: integer state codes (1, 2) name no state: not learned; declare it in crdmon.yaml")
	want := []string{"status.ready readiness-flag 2 of 2 objects have it"}
	if got := signals(r.Model); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("signals %v, want %v", got, want)
	}
}

// Objects that disagree on a field's type: a clear note, no crash, and
// strings mixed with integer codes read as a string.
func TestLearnDisagreeingTypes(t *testing.T) {
	r := infer.Learn(crd(t, "Route"), parse(t, `
apiVersion: example.crdmon.dev/v1
kind: Route
metadata: {name: a}
status: {phase: Failed, conditions: [{type: Ready, status: "True"}], ready: true}
---
apiVersion: example.crdmon.dev/v1
kind: Route
metadata: {name: b}
status: {phase: 2, conditions: {Ready: true}, ready: "yes"}
`))
	wantNote(t, r.Notes, "status.conditions: the objects disagree on its type (object in 1, array in 1): not learned")
	wantNote(t, r.Notes, "status.ready: the objects disagree on its type (string in 1, boolean in 1): not learned")
	wantNote(t, r.Notes, "status.phase: strings in 1 values, integers (2) in 1: learned as a string")
	want := []string{"status.phase phase-field 2 of 2 objects have it"}
	if got := signals(r.Model); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("signals %v, want %v", got, want)
	}
}

// No objects, or none with a status: nothing learned, said plainly; the
// kind keeps only what detection assumes of an untyped status.
func TestLearnNothing(t *testing.T) {
	c := crd(t, "Route")
	r := infer.Learn(c, nil)
	assumed := strings.Join([]string{"status.conditions[] untyped-status ", "status.observedGeneration untyped-status "}, "\n")
	if strings.Join(signals(r.Model), "\n") != assumed || r.Summary() != "example.crdmon.dev/Route: status untyped and no object of the kind given: nothing learned" {
		t.Errorf("0 objects: %q, signals %v", r.Summary(), signals(r.Model))
	}
	wantNote(t, r.Model.Notes, "no object of the kind given: nothing learned")
	r = infer.Learn(c, parse(t, "apiVersion: example.crdmon.dev/v1\nkind: Route\nmetadata: {name: a}\n---\napiVersion: example.crdmon.dev/v2\nkind: Other\nmetadata: {name: b}\nstatus: {phase: Failed}\n"))
	if r.Objects != 1 || strings.Join(signals(r.Model), "\n") != assumed {
		t.Errorf("objects %d, signals %v; want 1 and none", r.Objects, signals(r.Model))
	}
	wantNote(t, r.Notes, "none of the 1 objects has a status: nothing learned")
}

// A typed status is left to the schema.
func TestLearnTypedStatusUntouched(t *testing.T) {
	loaded, err := load.Paths([]string{"../../testdata/crds/databases.example.crdmon.dev.yaml"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := loaded.CRDs[0]
	if infer.Untyped(c) {
		t.Fatal("Database's status is typed")
	}
	r := infer.Learn(c, parse(t, "apiVersion: example.crdmon.dev/v1\nkind: Database\nmetadata: {name: a}\nstatus: {weird: Failed}\n"))
	r.Model.Fields(func(f *model.Field) {
		if f.Learned != "" {
			t.Errorf("%s marked learned on a typed status", f.SchemaPath)
		}
	})
}

func wantNote(t *testing.T, notes []string, want string) {
	t.Helper()
	for _, n := range notes {
		if strings.Contains(n, want) {
			return
		}
	}
	t.Errorf("no note with %q in:\n%s", want, strings.Join(notes, "\n"))
}

// A typed status with an untyped object in it: only that object is
// learned, and only what is found in it is marked learned.
func TestLearnUntypedObjectInTypedStatus(t *testing.T) {
	c := crd(t, "Backend")
	if !infer.Untyped(c) {
		t.Fatal("Backend's status.statuses should read as untyped")
	}
	r := infer.Learn(c, parse(t, `
apiVersion: example.crdmon.dev/v1
kind: Backend
metadata: {name: a, generation: 1}
status: {observedGeneration: 1, statuses: {routing-system: {state: Rejected}}}
`))
	want := []string{
		"status.observedGeneration observed-generation ",
		"status.statuses.routing-system.state phase-field 1 of 1 objects have it",
	}
	if got := signals(r.Model); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("signals:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
