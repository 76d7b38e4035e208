package model

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	for v, want := range map[string]string{
		"NodesUpgrading": "nodes upgrading", "STATUS_ERR": "status err", "Failing over": "failing over",
		"PENDING_RERUN": "pending rerun", "STATUSError": "status error", "cnpg.io/hibernation": "cnpg io hibernation",
		"EKSControlPlaneUpdating": "eks control plane updating", "v1beta1": "v beta", "": "",
	} {
		if got := strings.Join(Words(v), " "); got != want {
			t.Errorf("Words(%q) = %q, want %q", v, got, want)
		}
	}
}

// The readings of issue 20: words anywhere in a value, -ing activities but
// the states that hold, pauses as words.
func TestValueReadings(t *testing.T) {
	for _, c := range []struct {
		v                            string
		failure, progress, suspended bool
	}{
		{"Failed", true, false, false}, {"FAILED", true, false, false}, {"errored", true, false, false},
		{"Unavailable", true, false, false}, {"NotReady", true, false, false}, {"FinalizingPartiallyFailed", true, true, false},
		{"ConfigError", true, false, false}, {"Error, secret not found", true, false, false},
		{"WaitingAfterFailedStep", true, true, false}, {"STATUS_ERR", true, false, false}, {"STATUS_WARN", true, false, false},
		{"Warning", true, false, false}, {"Failing over", true, false, false}, {"FailedNotVisible", true, false, false},
		{"NodesUpgrading", false, true, false}, {"PoolRestarting", false, true, false}, {"PENDING_RERUN", false, true, false},
		{"Pending", false, true, false}, {"Setting up primary", false, true, false}, {"UPGRADING", false, true, false},
		{"NotReadyInProgress", false, true, false}, {"yellow", false, true, false}, {"ScalingUp", false, true, false},
		{"Running", false, false, false}, {"RUNNING", false, false, false}, {"PoolRunning", false, false, false},
		{"Missing", false, false, false}, {"MISSING", false, false, false}, {"Completed", false, false, false},
		{"Ready", false, false, false}, {"Ring", false, false, false},
		{"StepPaused", false, false, true}, {"SUSPENDED", false, false, true}, {"paused", false, false, true},
		{"ReconcilePaused", false, false, true}, {"Stopped", false, false, true}, {"cnpg.io/hibernation", false, false, true},
		{"Unpaused", false, false, false}, {"NoPause", false, false, false}, {"Hibernating", false, true, true},
		{"MonoVertexPausingOrPaused", false, true, true}, {"PausingPipelines", false, true, false},
	} {
		if got := IsFailurePhase(c.v); got != c.failure {
			t.Errorf("IsFailurePhase(%q) = %v", c.v, got)
		}
		if got := IsProgressPhase(c.v); got != c.progress {
			t.Errorf("IsProgressPhase(%q) = %v", c.v, got)
		}
		if got := IsSuspendedValue(c.v); got != c.suspended {
			t.Errorf("IsSuspendedValue(%q) = %v", c.v, got)
		}
	}
}

func TestIsActivityType(t *testing.T) {
	for typ, want := range map[string]bool{
		"Issuing": true, "EKSControlPlaneUpdating": true, "Running": true, "Reconciling": true,
		"InstallPlanMissing": false, "CanaryChecksSucceeding": false, "Failing": false, "Ready": false,
		"PausingPipelines": false, "ContinuousArchiving": true, "Ring": false, "Upgrading2": false,
	} {
		if got := IsActivityType(typ); got != want {
			t.Errorf("IsActivityType(%q) = %v", typ, got)
		}
	}
}

// readings pairs each reading with its Prometheus regex.
var readings = []struct {
	name    string
	f       func(string) bool
	pattern string
}{
	{"IsFailurePhase", IsFailurePhase, FailurePhasePattern},
	{"IsProgressPhase", IsProgressPhase, ProgressPhasePattern},
	{"IsSuspendedValue", IsSuspendedValue, SuspendedPattern},
}

// CheckReadingsAgree fails t for every value on which a reading and its
// regex, anchored as a Prometheus label matcher anchors it, disagree.
func CheckReadingsAgree(t *testing.T, values []string) {
	t.Helper()
	anchored := func(p string) *regexp.Regexp { return regexp.MustCompile("^(?:" + p + ")$") }
	activity, notActivity := anchored(ActivityTypePattern), anchored(NotActivityTypePattern)
	failure, suspended, negated := anchored(FailureReasonPattern), anchored(SuspendedPattern), anchored(NegatedFailurePattern)
	// Readings the rule pack writes as a matcher and a negated one.
	pairs := []struct {
		name    string
		f       func(string) bool
		in, out *regexp.Regexp
	}{
		{"IsActivityType", IsActivityType, activity, notActivity},
		{"IsFailureReason", IsFailureReason, failure, negated},
		{"IsPauseReason", IsPauseReason, suspended, negated},
	}
	for _, r := range pairs {
		bad := 0
		for _, v := range values {
			if r.f(v) != (r.in.MatchString(v) && !r.out.MatchString(v)) && bad < 10 {
				bad++
				t.Errorf("%s(%q) = %v, its patterns say %v", r.name, v, r.f(v), !r.f(v))
			}
		}
	}
	for _, r := range readings {
		re := regexp.MustCompile("^(?:" + r.pattern + ")$")
		bad := 0
		for _, v := range values {
			if r.f(v) != re.MatchString(v) && bad < 10 {
				bad++
				t.Errorf("%s(%q) = %v, its pattern says %v", r.name, v, r.f(v), !r.f(v))
			}
		}
	}
}

// Each reading and its pattern agree on the lists' words in their three
// spellings, glued to each other and to other words, and on random values
// made of the pieces where the word boundaries lie.
func TestValueReadingsAgree(t *testing.T) {
	var words []string
	for _, w := range slices.Concat(FailurePhases, FailureWords, HealthyPhases, ProgressPhases, ProgressWords,
		NonActivities, SuspendedWords, GaveUpWords, []string{"upgrading", "restarting", "ring", "doing", "pause", "unpaused", "not", "no", "without", "zero", "step", "x"}) {
		words = append(words, w, strings.ToUpper(w[:1])+w[1:], strings.ToUpper(w))
	}
	seps := []string{"", "", "", "_", " ", "-", "/", "1", "\n", "é"}
	values := slices.Clone(words)
	rng := rand.New(rand.NewPCG(20, 3))
	for range 20000 {
		var b strings.Builder
		for j := rng.IntN(4); j >= 0; j-- {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		values = append(values, b.String())
	}
	CheckReadingsAgree(t, values)
}

// Reasons: a failure, a deadline, a timeout, an abort fail; their negations
// and ordinary reasons do not; a pause is read as a word, not negated.
func TestReasonReadings(t *testing.T) {
	for reason, want := range map[string][2]bool{ // failure, pause
		"ProgressDeadlineExceeded": {true, false},
		"JobFailed":                {true, false},
		"ConnectionError":          {true, false},
		"TimedOut":                 {true, false},
		"RolloutAborted":           {true, false},
		"NoErrors":                 {false, false},
		"WithoutFailures":          {false, false},
		"NewReplicaSetAvailable":   {false, false},
		"ReconcilePaused":          {false, true},
		"NotPaused":                {false, false},
		"Unpaused":                 {false, false},
	} {
		if got := [2]bool{IsFailureReason(reason), IsPauseReason(reason)}; got != want {
			t.Errorf("%s: failure, pause = %v, want %v", reason, got, want)
		}
	}
}
