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
	"Accepted", "Admitted", "Approved", "Available", "Complete", "Completed", "Established",
	"Healthy", "Initialized", "Programmed", "Ready", "Reconciled", "ResolvedRefs",
	"Succeeded", "Synced",
}

// PositiveSuffixes end condition types that read as positive whatever precedes
// them (ChildResourcesHealthy, ResourcesApplied, ProgressiveUpgradeSucceeded,
// ReconcileCompleted), after the Kubernetes API conventions' advice to name
// conditions for the healthy state ("Ready", not "NotReady"). Every one of
// PositiveTypes is one, so that the one list drives PolarityOf, the
// catch-all alerts and the recorded state (PositiveTypePattern): a type the
// polarity table calls positive is alerted on and read alike whether or not
// a schema names it. Case-sensitive: they are words of a CamelCase type.
var PositiveSuffixes = sortedUnion(PositiveTypes, []string{
	"Applied", "Compliant", "Configured", "Deployed", "Installed", "Valid",
})

// sortedUnion returns the words of a and b, sorted, each once.
func sortedUnion(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
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
// end in one of PositiveSuffixes; PolarityOf calls exactly those positive
// that do not also match NegativeTypePattern (nor are ProgressTypes).
var PositiveTypePattern = ".*(?:" + Alternation(PositiveSuffixes) + ")"

var (
	negativeRE = regexp.MustCompile("^(?:" + NegativeTypePattern + ")$")
	positiveRE = regexp.MustCompile("^(?:" + PositiveTypePattern + ")$")
)

// PolarityOf returns the default polarity of a condition type: negative
// words anywhere first, then the progress types, then positive suffixes.
// It reads only the patterns the alerts and the recorded state use
// (NegativeTypePattern, PositiveTypePattern), so the three cannot disagree.
func PolarityOf(conditionType string) Polarity {
	switch {
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
// any one of them exactly (PromQL label matchers, the patterns here); a
// word given twice is written once, where it first stands.
func Alternation(words []string) string {
	var q []string
	for i, w := range words {
		if !slices.Contains(words[:i], w) {
			q = append(q, regexp.QuoteMeta(w))
		}
	}
	return strings.Join(q, "|")
}
