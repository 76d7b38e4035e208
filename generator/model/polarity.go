package model

import (
	"regexp"
	"slices"
	"strings"
)

// Polarity says which status of a condition type means trouble.
type Polarity string

// Condition polarities, after kstatus and ../shared/reference/health-semantics.md.
const (
	Positive Polarity = "positive" // healthy when True (Ready, Available, Synced...)
	Negative Polarity = "negative" // unhealthy when True (Stalled, Degraded, Failed...)
	Progress Polarity = "progress" // expected True for a while (Reconciling, Progressing)
	Neutral  Polarity = "neutral"  // no health meaning known
)

// PositiveTypes are condition types that are healthy when True. Only these
// get an alert of their own when a schema names them; other types that read
// as positive (PositiveSuffixes) are covered by one catch-all per kind.
// Active is not one: it means "doing work now" (an autoscaler with nothing
// to scale is Active=False and healthy).
var PositiveTypes = []string{
	"Accepted", "Approved", "Available", "Complete", "Completed", "Established",
	"Healthy", "Initialized", "Programmed", "Ready", "Reconciled", "ResolvedRefs",
	"Succeeded", "Synced",
}

// PositiveSuffixes end condition types that read as positive whatever precedes
// them (ChildResourcesHealthy, ResourcesApplied, ProgressiveUpgradeSucceeded),
// after the Kubernetes API conventions' advice to name conditions for the
// healthy state ("Ready", not "NotReady"). Case-sensitive: they are words of a
// CamelCase type.
var PositiveSuffixes = []string{
	"Accepted", "Applied", "Available", "Compliant", "Configured", "Deployed", "Healthy",
	"Installed", "Programmed", "Ready", "Reconciled", "ResolvedRefs", "Succeeded", "Synced", "Valid",
}

// NegativeTypes are well-known condition types that are unhealthy when True;
// NegativeWords cover every one of them. Fallback is one of the abnormal-true
// failure types the reference notes list by name (an autoscaler serving its
// fallback because a trigger fails).
var NegativeTypes = []string{
	"Degraded", "Denied", "Error", "ErrorOccurred", "Failed", "Failure", "Fallback", "HasErrors",
	"Invalid", "InvalidSpec", "NotReady", "Stalled",
}

// NegativeWords make a condition type negative wherever they stand in it as
// a word of its CamelCase name (SyncError, UploadFailed, PartiallyReady,
// CatalogSourcesUnhealthy), or lower-case at its start (violation). A
// negative word wins over a positive suffix. Installed holds no word:
// a word ends where the next one (an upper-case letter) or the type ends.
var NegativeWords = []string{
	"Conflict", "Degraded", "Denied", "Error", "Errors", "Failed", "Failing", "Failure", "Fallback", "Invalid",
	"NotReady", "Partial", "Partially", "Rejected", "Stalled", "Unavailable", "Unhealthy", "Violation",
}

// ProgressTypes are condition types that are True while work is ongoing.
var ProgressTypes = []string{"Progressing", "Reconciling"}

// NegativeTypePattern is a Prometheus (RE2, fully anchored) regex matching
// every condition type that PolarityOf calls negative by default: a
// NegativeWord followed by the end or by a character that is not a
// lower-case letter, at the start in lower case or anywhere capitalized.
var NegativeTypePattern = func() string {
	lower := make([]string, len(NegativeWords))
	for i, w := range NegativeWords {
		lower[i] = strings.ToLower(w)
	}
	return "(?:.*(?:" + Alternation(NegativeWords) + ")|(?:" + Alternation(lower) + "))(?:[^a-z].*)?"
}()

// PositiveTypePattern is a Prometheus regex matching the condition types that
// end in one of PositiveSuffixes; PolarityOf calls those positive unless they
// also match NegativeTypePattern.
var PositiveTypePattern = ".*(?:" + Alternation(PositiveSuffixes) + ")"

var (
	negativeRE = regexp.MustCompile("^(?:" + NegativeTypePattern + ")$")
	positiveRE = regexp.MustCompile("^(?:" + PositiveTypePattern + ")$")
)

// PolarityOf returns the default polarity of a condition type: the exact
// lists first, then negative words anywhere, then positive suffixes.
func PolarityOf(conditionType string) Polarity {
	switch {
	case slices.Contains(PositiveTypes, conditionType):
		return Positive
	case negativeRE.MatchString(conditionType):
		return Negative
	case slices.Contains(ProgressTypes, conditionType):
		return Progress
	case positiveRE.MatchString(conditionType):
		return Positive
	}
	return Neutral
}

// Alternation joins literal words into a regex alternation that matches
// any one of them exactly (PromQL label matchers, the patterns here).
func Alternation(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = regexp.QuoteMeta(w)
	}
	return strings.Join(q, "|")
}

// SuspendedWords name a paused object in a condition type (Paused,
// Suspended, cnpg.io/hibernation) that is True, or in a state field's value.
// Alerts stay quiet for such objects, as for a true spec.suspend.
var SuspendedWords = []string{"hibernat", "paused", "suspend"}

// SuspendedPattern is a Prometheus regex matching condition types and state
// values that contain one of SuspendedWords, in any case.
var SuspendedPattern = "(?i).*(?:" + Alternation(SuspendedWords) + ").*"

var suspendedRE = regexp.MustCompile("^(?:" + SuspendedPattern + ")$")

// IsSuspendedValue reports whether a condition type or state value names a
// pause (SuspendedPattern).
func IsSuspendedValue(v string) bool { return suspendedRE.MatchString(v) }

// FailurePhases are phase values (compared case-insensitively) that mean failure.
var FailurePhases = []string{
	"failed", "failure", "failing", "error", "errored", "invalid", "rejected", "configerror",
	"degraded", "unhealthy", "crashloopbackoff", "createfailed", "updatefailed",
	"deletefailed", "syncfailed", "upgradefailed", "expired", "partiallyfailed",
	"failedvalidation", "unavailable", "notready", "noncompliant", "red",
}

// IsFailurePhase reports whether an enum value of a phase field means
// failure: one of FailurePhases, a value ending in "Failed" or "Error", or
// the negation of a healthy word (NonCompliant, Unhealthy, NotReady),
// compared case-insensitively (Velero's FinalizingPartiallyFailed, say).
func IsFailurePhase(value string) bool {
	lower := strings.ToLower(value)
	if slices.Contains(FailurePhases, lower) || strings.HasSuffix(lower, "failed") || strings.HasSuffix(lower, "error") {
		return true
	}
	for _, neg := range []string{"non", "not", "un", "in"} {
		if rest, ok := strings.CutPrefix(lower, neg); ok && slices.Contains(HealthyPhases, rest) {
			return true
		}
	}
	return false
}

// HealthyPhases are phase values (compared case-insensitively) that mean the
// object is fine; their negations (NonCompliant, Unhealthy, NotReady,
// Unavailable) mean failure.
var HealthyPhases = []string{
	"available", "compliant", "green", "healthy", "ready", "running", "succeeded", "valid",
}

// ProgressPhases are phase values (compared case-insensitively) that mean work
// is ongoing. Yellow is the middle of the traffic-light health scale (green
// is in HealthyPhases, red in FailurePhases): Argo CD's checks read it as
// Progressing (Elastic: replicas still being allocated).
var ProgressPhases = []string{
	"pending", "progressing", "provisioning", "creating", "updating", "deleting",
	"scalingup", "scalingdown", "scaling", "inprogress", "initializing", "processing",
	"waiting", "new", "deploying", "reconciling", "yellow",
}
