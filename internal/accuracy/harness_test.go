package accuracy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/simulate"
	"github.com/crdmon/crdmon/internal/testutil"
)

// fixture objects of the example Database kind, as a health directory holds them.
var fixture = []struct {
	file, expected, object string
}{
	// An older apiVersion: evaluated at v1, where its failed phase alerts.
	{"degraded-old-version.yaml", Degraded, `apiVersion: example.crdmon.dev/v1alpha1
kind: Database
metadata: {name: db, namespace: shop, generation: 2}
status:
  observedGeneration: 2
  phase: Failed
  conditions:
  - {type: Ready, status: "False", reason: VolumeFull, lastTransitionTime: "2026-03-01T10:00:00Z"}
`},
	// Degraded, but nothing the schema's signals show.
	{"degraded-quiet.yaml", Degraded, `apiVersion: example.crdmon.dev/v1
kind: Database
metadata: {name: db, namespace: shop, generation: 1}
status:
  observedGeneration: 1
  phase: Running
  conditions:
  - {type: Ready, status: "True", lastTransitionTime: "2026-03-01T10:00:00Z"}
`},
	// No name: evaluated under a made-up one. The latest timestamp is a
	// field of its own; one inside a message does not count.
	{"healthy-unnamed.yaml", Healthy, `apiVersion: example.crdmon.dev/v1
kind: Database
metadata: {namespace: shop, generation: 1}
status:
  observedGeneration: 1
  phase: Running
  conditions:
  - {type: Ready, status: "True", lastTransitionTime: "2026-03-01T10:00:00Z", message: "up until 2027-01-01T00:00:00Z"}
  lastUpdated: "2026-03-02T00:00:00Z"
`},
	// Not Ready for good reason: the evaluation time is past NotReady's threshold.
	{"progressing.yaml", Progressing, `apiVersion: example.crdmon.dev/v1
kind: Database
metadata: {name: db, namespace: shop, generation: 1}
status:
  observedGeneration: 1
  phase: Provisioning
  conditions:
  - {type: Ready, status: "False", reason: Provisioning, lastTransitionTime: "2026-03-01T10:00:00Z"}
`},
	// No timestamp at all.
	{"suspended.yaml", Suspended, `apiVersion: example.crdmon.dev/v1
kind: Database
metadata: {name: db, namespace: shop, generation: 1}
spec: {suspend: true}
status: {observedGeneration: 1, phase: Pending}
`},
	// A kind the CRD does not define.
	{"widget.yaml", Degraded, `apiVersion: example.crdmon.dev/v1
kind: Widget
metadata: {name: w}
status: {phase: Failed}
`},
}

// healthDir writes the fixture as a health directory beside a crds directory
// holding the example Database CRD, and returns the health directory.
func healthDir(t *testing.T) string {
	t.Helper()
	shared := t.TempDir()
	crd, err := os.ReadFile(filepath.Join(testutil.TestdataCRDs(t), "databases.example.crdmon.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for dir, files := range map[string]map[string]string{"crds": {"databases.yaml": string(crd)}, "health/objects": {}} {
		if err := os.MkdirAll(filepath.Join(shared, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(shared, dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	index := "group\tkind\tobject\tcrd\tstatus\tmessage\n"
	for _, f := range fixture {
		if err := os.WriteFile(filepath.Join(shared, "health", "objects", f.file), []byte(f.object), 0o644); err != nil {
			t.Fatal(err)
		}
		kind := "Database"
		if strings.HasPrefix(f.file, "widget") {
			kind = "Widget"
		}
		index += "example.crdmon.dev\t" + kind + "\thealth/objects/" + f.file + "\tcrds/databases.yaml\t" + f.expected + "\tline one\\nline two\n"
	}
	if err := os.WriteFile(filepath.Join(shared, "health", "INDEX.tsv"), []byte(index), 0o644); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(shared, "health")
}

func TestRunOnFixture(t *testing.T) {
	res, err := Run(healthDir(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Outcomes) != len(fixture) {
		t.Fatalf("%d outcomes, want %d", len(res.Outcomes), len(fixture))
	}
	latest := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	want := []struct {
		reason string
		at     time.Time
		alerts []string // firing alerts
		note   string
	}{
		{"alerts", latest.Add(Margin()), []string{"CustomResourceFailed", "CustomResourceFailing", "CustomResourceNotReady"}, "objects converted: example.crdmon.dev/v1alpha1 Database ×1"},
		{"signals, quiet", latest.Add(Margin()), nil, ""},
		{"signals, quiet", time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC).Add(Margin()), nil, "objects unnamed: example.crdmon.dev/v1 Database ×1 without metadata.name (the API server always sets one): evaluated as unnamed-1"},
		{"alerts", latest.Add(Margin()), []string{"CustomResourceNotReady", "CustomResourceStuck"}, ""},
		{"signals, quiet", ReferenceTime, nil, ""},
		{"no signal: the CRD does not define the kind", ReferenceTime, nil, "objects skipped: example.crdmon.dev/v1 Widget ×1"},
	}
	for i, o := range res.Outcomes {
		w := want[i]
		var firing []string
		for _, a := range o.Alerts {
			if a.State == simulate.Firing {
				firing = append(firing, a.Name)
			}
		}
		notes := strings.Join(o.Notes, "\n")
		if o.reason() != w.reason || !o.At.Equal(w.at) || strings.Join(firing, ",") != strings.Join(w.alerts, ",") ||
			!strings.Contains(notes, w.note) {
			t.Errorf("%s: %q at %v firing %v, notes:\n%s\nwant %q at %v firing %v, a note with %q",
				o.Object, o.reason(), o.At, firing, notes, w.reason, w.at, w.alerts, w.note)
		}
	}
	for _, s := range []struct {
		status string
		want   Tally
	}{
		{Degraded, Tally{Objects: 3, Fires: 1, Quiet: 1, NoSignal: 1}},
		{Healthy, Tally{Objects: 1, Quiet: 1}},
		{Progressing, Tally{Objects: 1, Fires: 1}},
		{Suspended, Tally{Objects: 1, Quiet: 1}},
	} {
		if got := res.Tally(s.status); got != s.want {
			t.Errorf("%s: %+v, want %+v", s.status, got, s.want)
		}
	}
	// Not ready and stuck in a progress phase for long: "stuck" alerts, no
	// failure-class one.
	if p := res.ProgressingFailureClass(); len(p) != 0 {
		t.Errorf("progressing objects with a failure-class alert: %+v", p)
	}
	// The example CRD's phase and conditions have signals: no kind to list.
	if k := res.StateLikeWithoutSignal(); len(k) != 0 {
		t.Errorf("state-like kinds without signal: %v", k)
	}

	var summary, objects strings.Builder
	if err := res.WriteSummary(&summary); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"expected     objects  an alert fires  quiet  the kind has no signal at all\n",
		"Degraded     3        1 (33.3 %)      1      1\n",
		"Degraded objects where no alert fires: 2 (1 no signal: the CRD does not define the kind, 1 signals, quiet)\n",
		"      check: line one line two\n",
		"      CustomResourceNotReady firing [ConditionNotTrue] Ready=False (Provisioning) for 32m\n",
		"      CustomResourceStuck firing [ProgressTooLong] status.phase=Provisioning\n",
	} {
		if !strings.Contains(summary.String(), line) {
			t.Errorf("summary lacks %q:\n%s", line, summary.String())
		}
	}
	if err := res.WriteObjects(&objects); err != nil {
		t.Fatal(err)
	}
	if want := "Degraded\tDegraded/condition\talerts\thealth/objects/degraded-old-version.yaml\tCustomResourceFailed=firing,CustomResourceFailing=firing,CustomResourceNotReady=firing\n"; !strings.HasPrefix(objects.String(), want) {
		t.Errorf("objects listing starts:\n%s\nwant:\n%s", objects.String(), want)
	}
}

// The margin outlasts every default threshold, so an object evaluated after
// it has had time to alert.
func TestMargin(t *testing.T) {
	o := rules.DefaultOptions()
	for _, c := range rules.Classes {
		if Margin() <= o.Classes[c].For+o.TimestampFor {
			t.Errorf("margin %v, %s's threshold %v + %v", Margin(), c, o.Classes[c].For, o.TimestampFor)
		}
	}
}

func TestReadIndexRejectsShortRows(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "INDEX.tsv"), []byte("group\tkind\tobject\tcrd\tstatus\tmessage\na\tb\tc\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadIndex(dir)
	if err == nil || !strings.Contains(err.Error(), "INDEX.tsv:2: 3 columns, want 6") {
		t.Errorf("got %v, want an error naming line 2", err)
	}
}
