package accuracy

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/infer"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/simulate"
	"github.com/crdmon/crdmon/internal/testutil"
)

// userConfig is the crdmon.yaml a user of the labelled projects would write
// for the kinds whose status schema is untyped.
const userConfig = "testdata/crdmon.yaml"

// TestAccuracy runs every labelled object of ../shared/health (or
// $CRDMON_HEALTH) through crdmon simulate's path, three times: from the
// schemas alone; with each untyped status learned from the other objects of
// its kind; and with those and userConfig. It logs both reports and fails when a target
// of targets.go is missed. With CRDMON_ACCURACY_REPORT=FILE it also writes
// the reports and per-object listings to FILE, to diff runs. It runs when
// CRDMON_ACCURACY is set, as `make accuracy` (and CI) does.
func TestAccuracy(t *testing.T) {
	dir := testutil.Health(t)
	if os.Getenv("CRDMON_ACCURACY") == "" {
		t.Skip("the accuracy run generates and simulates 403 objects three times (about a minute on 2 cores): `make accuracy` runs it (CRDMON_ACCURACY=1)")
	}
	cfg, err := config.Read(userConfig)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	var modes []ModeFigures
	for _, run := range []struct {
		name         string
		cfg          *config.File
		learn        bool
		minDegraded  float64
		minAgree     float64
		maxSuspended float64
	}{
		{"schemas only", nil, false, MinDegradedFiringSchemasOnly, MinStateAgreementSchemasOnly, MaxSuspendedFiring},
		{"schemas + objects", nil, true, MinDegradedFiringObjects, MinStateAgreementObjects, MaxSuspendedFiringObjects},
		{"schemas + objects + " + userConfig, cfg, true, MinDegradedFiring, MinStateAgreement, MaxSuspendedFiring},
	} {
		if only := os.Getenv("CRDMON_ACCURACY_MODES"); only != "" && !strings.Contains(run.name, only) {
			continue
		}
		runFn := Run
		if run.learn {
			runFn = RunLearning
		}
		res, err := runFn(dir, run.cfg)
		if err != nil {
			t.Fatal(err)
		}
		modes = append(modes, res.Figures(run.name))
		var b strings.Builder
		if err := res.WriteSummary(&b); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: evaluated %d objects at %v after their latest timestamp\n%s", run.name, len(res.Outcomes), Margin(), b.String())
		fmt.Fprintf(&report, "== %s\n%s\nevery object: expected, what crdmon made of it, file, active alerts\n", run.name, b.String())
		if err := res.WriteObjects(&report); err != nil {
			t.Fatal(err)
		}
		checkTargets(t, run.name, res, run.minDegraded, run.minAgree, run.maxSuspended)
		checkDegradedAlerted(t, run.name, res)
	}
	var side strings.Builder
	if err := WriteModes(&side, modes); err != nil {
		t.Fatal(err)
	}
	t.Logf("the three modes side by side:\n%s", side.String())
	report.WriteString("== the three modes side by side\n" + side.String())
	if path := os.Getenv("CRDMON_ACCURACY_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkTargets fails the test for every target of targets.go res misses.
func checkTargets(t *testing.T, run string, res *Result, minDegraded, minAgree, maxSuspended float64) {
	t.Helper()
	pct := func(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }
	if d := res.Tally(Degraded); d.Rate() < minDegraded {
		t.Errorf("%s: Degraded: an alert fires for %d of %d (%s), target ≥ %s", run, d.Fires, d.Objects, pct(d.Rate()), pct(minDegraded))
	}
	if h := res.Tally(Healthy); h.Rate() > MaxHealthyFiring {
		t.Errorf("%s: Healthy: an alert fires for %d of %d (%s), target ≤ %s", run, h.Fires, h.Objects, pct(h.Rate()), pct(MaxHealthyFiring))
	}
	if s := res.Tally(Suspended); s.Rate() > maxSuspended {
		t.Errorf("%s: Suspended: an alert fires for %d of %d (%s), target ≤ %s", run, s.Fires, s.Objects, pct(s.Rate()), pct(maxSuspended))
	}
	if p := res.ProgressingFailureClass(); len(p) > MaxProgressingFailureClass {
		t.Errorf("%s: Progressing: a failure-class alert (%v) fires for %d objects, target ≤ %d", run, FailureClasses, len(p), MaxProgressingFailureClass)
	}
	if agree, n := res.StateAgreement(); n > 0 && float64(agree)/float64(n) < minAgree {
		t.Errorf("%s: recorded health state agrees with the label for %d of %d objects (%s), target ≥ %s", run, agree, n, pct(float64(agree)/float64(n)), pct(minAgree))
	}
	if deg, n := res.HealthyRecordedDegraded(); n > 0 && float64(deg)/float64(n) > MaxHealthyRecordedDegraded {
		t.Errorf("%s: Healthy: recorded Degraded for %d of %d (%s), target ≤ %s", run, deg, n, pct(float64(deg)/float64(n)), pct(MaxHealthyRecordedDegraded))
	}
	if k := res.StateLikeWithoutSignal(); len(k) > MaxStateLikeWithoutSignal {
		t.Errorf("%s: %d kinds have a state-like status field but no signal, target ≤ %d:\n  %s", run, len(k), MaxStateLikeWithoutSignal, strings.Join(k, "\n  "))
	}
}

// TestUserConfigOnlyForUntypedKinds keeps userConfig honest: each of its
// kind rules may only match kinds whose schema types no status field and in
// which detection finds no signal, so the accuracy it adds is knowledge no
// schema holds, never a per-kind tuning of what detection should find; and
// none of its signals may be one inference learns from the kind's labelled
// objects as is (a state field it only adds failure, progress or suspended
// values to is knowledge the objects do not hold).
func TestUserConfigOnlyForUntypedKinds(t *testing.T) {
	dir := testutil.Health(t)
	cfg, err := config.Read(userConfig)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := ReadIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var paths []string
	for _, c := range cases {
		if !seen[c.CRD] {
			seen[c.CRD] = true
			paths = append(paths, filepath.Join(filepath.Dir(filepath.Clean(dir)), c.CRD))
		}
	}
	loaded, err := load.Paths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	shared := filepath.Dir(filepath.Clean(dir))
	matched := 0
	for _, crd := range loaded.CRDs {
		k := detect.Kind(crd)
		for _, r := range cfg.Kinds {
			if !r.Matches(k) {
				continue
			}
			matched++
			if k.HasSignals() {
				t.Errorf("%s/%s: %s declares signals for a kind whose schema types its status", k.Group, k.Kind, userConfig)
			}
			learned := learnFromAll(t, shared, cases, crd)
			for _, sig := range r.Signals {
				if defaultValues(sig) && learnedAt(learned, sig.Field) {
					t.Errorf("%s/%s: %s declares %s, which inference learns from the objects already", k.Group, k.Kind, userConfig, sig.Field)
				}
			}
		}
	}
	if matched == 0 {
		t.Errorf("%s matches no kind", userConfig)
	}
}

// learnFromAll learns crd's kind from all its labelled objects.
func learnFromAll(t *testing.T, shared string, cases []Case, crd load.CRD) model.Kind {
	t.Helper()
	var objs []map[string]any
	for _, c := range cases {
		if c.Group == crd.Spec.Group && c.Kind == crd.Spec.Names.Kind {
			o, err := simulate.ReadObjects([]string{filepath.Join(shared, c.Object)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			objs = append(objs, o...)
		}
	}
	return infer.Learn(crd, objs).Model
}

// learnedAt reports whether k has a signal learned at field (a declared
// condition list names the list, detection its elements).
func learnedAt(k model.Kind, field string) bool {
	found := false
	k.Fields(func(f *model.Field) {
		found = found || (f.Learned != "" && strings.TrimSuffix(f.SchemaPath, "[]") == field)
	})
	return found
}

// defaultValues reports whether a declared signal's values are what a
// learned state field reads without them: failure values crdmon's failure
// words match, progress values its progress words, suspended values its
// pause words.
func defaultValues(s config.SignalRule) bool {
	for _, v := range s.Failure {
		if !model.IsFailurePhase(v) {
			return false
		}
	}
	for _, v := range s.Progress {
		if !slices.Contains(model.ProgressPhases, strings.ToLower(v)) {
			return false
		}
	}
	for _, v := range s.Suspended {
		if !model.IsSuspendedValue(v) {
			return false
		}
	}
	return true
}

// checkDegradedAlerted checks the rule pack's invariant on every object: it
// is recorded Degraded exactly when a failure-class alert (one reading
// crdmon:signal:failing) is pending or firing for it.
func checkDegradedAlerted(t *testing.T, run string, res *Result) {
	t.Helper()
	for _, o := range res.Outcomes {
		if o.State == "" {
			continue
		}
		alerted := false
		for _, a := range o.Alerts {
			alerted = alerted || IsFailureClass(a.Class)
		}
		if (o.State == Degraded) != alerted {
			t.Errorf("%s: %s/%s %s: recorded %s/%s, failure-class alert pending or firing: %v", run, o.Group, o.Kind, o.Object, o.State, o.Reason, alerted)
		}
	}
}
