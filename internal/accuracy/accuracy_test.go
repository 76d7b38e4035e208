package accuracy

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/internal/testutil"
)

// TestAccuracy runs every labelled object of ../shared/health (or
// $CRDMON_HEALTH) through crdmon simulate's path, logs the report and fails
// when a target of targets.go is missed. With CRDMON_ACCURACY_REPORT=FILE
// it also writes the report and a per-object listing to FILE, to diff runs.
// `make accuracy` runs it.
func TestAccuracy(t *testing.T) {
	dir := testutil.Health(t)
	res, err := Run(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := res.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("evaluated %d objects at %v after their latest timestamp\n%s", len(res.Outcomes), Margin(), b.String())
	if path := os.Getenv("CRDMON_ACCURACY_REPORT"); path != "" {
		b.WriteString("\nevery object: expected, what crdmon made of it, file, active alerts\n")
		if err := res.WriteObjects(&b); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	pct := func(f float64) string { return fmt.Sprintf("%.1f %%", 100*f) }
	if d := res.Tally(Degraded); d.Rate() < MinDegradedFiring {
		t.Errorf("Degraded: an alert fires for %d of %d (%s), target ≥ %s", d.Fires, d.Objects, pct(d.Rate()), pct(MinDegradedFiring))
	}
	if h := res.Tally(Healthy); h.Rate() > MaxHealthyFiring {
		t.Errorf("Healthy: an alert fires for %d of %d (%s), target ≤ %s", h.Fires, h.Objects, pct(h.Rate()), pct(MaxHealthyFiring))
	}
	if s := res.Tally(Suspended); s.Rate() > MaxSuspendedFiring {
		t.Errorf("Suspended: an alert fires for %d of %d (%s), target ≤ %s", s.Fires, s.Objects, pct(s.Rate()), pct(MaxSuspendedFiring))
	}
	if p := res.ProgressingFailureClass(); len(p) > MaxProgressingFailureClass {
		t.Errorf("Progressing: a failure-class alert (%v) fires for %d objects, target ≤ %d", FailureClasses, len(p), MaxProgressingFailureClass)
	}
	if k := res.StateLikeWithoutSignal(); len(k) > MaxStateLikeWithoutSignal {
		t.Errorf("%d kinds have a state-like status field but no signal, target ≤ %d:\n  %s", len(k), MaxStateLikeWithoutSignal, strings.Join(k, "\n  "))
	}
}
