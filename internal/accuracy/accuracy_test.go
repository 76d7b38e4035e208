package accuracy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// userConfig is the crdmon.yaml a user of the labelled projects would write
// for the kinds whose status schema is untyped.
const userConfig = "testdata/crdmon.yaml"

// TestAccuracy runs every labelled object of ../shared/health (or
// $CRDMON_HEALTH) through crdmon simulate's path, twice: from the schemas
// alone, and with userConfig. It logs both reports and fails when a target
// of targets.go is missed. With CRDMON_ACCURACY_REPORT=FILE it also writes
// the reports and per-object listings to FILE, to diff runs. It runs when
// CRDMON_ACCURACY is set, as `make accuracy` (and CI) does.
func TestAccuracy(t *testing.T) {
	dir := testutil.Health(t)
	if os.Getenv("CRDMON_ACCURACY") == "" {
		t.Skip("the accuracy run generates and simulates 403 objects twice (about a minute on 2 cores): `make accuracy` runs it (CRDMON_ACCURACY=1)")
	}
	cfg, err := config.Read(userConfig)
	if err != nil {
		t.Fatal(err)
	}
	var report strings.Builder
	for _, run := range []struct {
		name        string
		cfg         *config.File
		minDegraded float64
		minAgree    float64
	}{
		{"schemas only", nil, MinDegradedFiringSchemasOnly, MinStateAgreementSchemasOnly},
		{"with " + userConfig, cfg, MinDegradedFiring, MinStateAgreement},
	} {
		res, err := Run(dir, run.cfg)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := res.WriteSummary(&b); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: evaluated %d objects at %v after their latest timestamp\n%s", run.name, len(res.Outcomes), Margin(), b.String())
		fmt.Fprintf(&report, "== %s\n%s\nevery object: expected, what crdmon made of it, file, active alerts\n", run.name, b.String())
		if err := res.WriteObjects(&report); err != nil {
			t.Fatal(err)
		}
		checkTargets(t, run.name, res, run.minDegraded, run.minAgree)
		checkDegradedAlerted(t, run.name, res)
	}
	if path := os.Getenv("CRDMON_ACCURACY_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkTargets fails the test for every target of targets.go res misses.
func checkTargets(t *testing.T, run string, res *Result, minDegraded, minAgree float64) {
	t.Helper()
	pct := func(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }
	if d := res.Tally(Degraded); d.Rate() < minDegraded {
		t.Errorf("%s: Degraded: an alert fires for %d of %d (%s), target ≥ %s", run, d.Fires, d.Objects, pct(d.Rate()), pct(minDegraded))
	}
	if h := res.Tally(Healthy); h.Rate() > MaxHealthyFiring {
		t.Errorf("%s: Healthy: an alert fires for %d of %d (%s), target ≤ %s", run, h.Fires, h.Objects, pct(h.Rate()), pct(MaxHealthyFiring))
	}
	if s := res.Tally(Suspended); s.Rate() > MaxSuspendedFiring {
		t.Errorf("%s: Suspended: an alert fires for %d of %d (%s), target ≤ %s", run, s.Fires, s.Objects, pct(s.Rate()), pct(MaxSuspendedFiring))
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
// schema holds, never a per-kind tuning of what detection should find.
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
	matched := 0
	for _, k := range detect.Model(loaded.CRDs).Kinds {
		for _, r := range cfg.Kinds {
			if !r.Matches(k) {
				continue
			}
			matched++
			if k.HasSignals() {
				t.Errorf("%s/%s: %s declares signals for a kind whose schema types its status", k.Group, k.Kind, userConfig)
			}
		}
	}
	if matched == 0 {
		t.Errorf("%s matches no kind", userConfig)
	}
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
