package model

import (
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

// PositiveTypes are condition types that are healthy when True.
var PositiveTypes = []string{
	"Accepted", "Active", "Approved", "Available", "Complete", "Completed", "Established",
	"Healthy", "Initialized", "Programmed", "Ready", "Reconciled", "ResolvedRefs",
	"Succeeded", "Synced",
}

// NegativeTypes are condition types that are unhealthy when True.
var NegativeTypes = []string{
	"Degraded", "Denied", "Error", "ErrorOccurred", "Failed", "Failure", "HasErrors",
	"Invalid", "InvalidSpec", "NotReady", "Stalled",
}

// NegativeSuffixes end condition types that are negative whatever precedes
// them (SyncError, UploadFailed...).
var NegativeSuffixes = []string{"Failed", "Error"}

// ProgressTypes are condition types that are True while work is ongoing.
var ProgressTypes = []string{"Progressing", "Reconciling"}

// PolarityOf returns the polarity of a condition type. Types ending in one
// of NegativeSuffixes are negative.
func PolarityOf(conditionType string) Polarity {
	switch {
	case slices.Contains(PositiveTypes, conditionType):
		return Positive
	case slices.Contains(NegativeTypes, conditionType),
		slices.ContainsFunc(NegativeSuffixes, func(s string) bool { return strings.HasSuffix(conditionType, s) }):
		return Negative
	case slices.Contains(ProgressTypes, conditionType):
		return Progress
	}
	return Neutral
}

// FailurePhases are phase values (compared case-insensitively) that mean failure.
var FailurePhases = []string{
	"failed", "failure", "error", "errored", "invalid", "rejected", "configerror",
	"degraded", "unhealthy", "crashloopbackoff", "createfailed", "updatefailed",
	"deletefailed", "syncfailed", "upgradefailed", "expired", "partiallyfailed",
	"failedvalidation", "unavailable", "notready",
}

// IsFailurePhase reports whether an enum value of a phase field means
// failure: one of FailurePhases, or a value ending in "Failed" or "Error",
// compared case-insensitively (Velero's FinalizingPartiallyFailed, say).
func IsFailurePhase(value string) bool {
	lower := strings.ToLower(value)
	return slices.Contains(FailurePhases, lower) || strings.HasSuffix(lower, "failed") || strings.HasSuffix(lower, "error")
}

// ProgressPhases are phase values (compared case-insensitively) that mean work is ongoing.
var ProgressPhases = []string{
	"pending", "progressing", "provisioning", "creating", "updating", "deleting",
	"scalingup", "scalingdown", "scaling", "inprogress", "initializing", "processing",
	"waiting", "new",
}
