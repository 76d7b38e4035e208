package detect

import (
	"strings"
)

// maxFailureCounters bounds the failure counters observed per kind (one
// series each per object).
const maxFailureCounters = 3

// notCounterWords in a field name mark a setting, not a count
// (failureThreshold, maxFailures).
var notCounterWords = []string{"threshold", "limit", "max", "min", "policy"}

// isFailureCounterName reports whether an integer field's name says it counts
// failures: failed*, *failures, *errors, or *attempts whose description
// speaks of failures (failedIssuanceAttempts, installFailures, errors).
func isFailureCounterName(name, description string) bool {
	lower := strings.ToLower(name)
	for _, w := range notCounterWords {
		if strings.Contains(lower, w) {
			return false
		}
	}
	switch {
	case strings.HasPrefix(lower, "failed"), strings.HasSuffix(lower, "failures"), strings.HasSuffix(lower, "errors"):
		return true
	case strings.HasSuffix(lower, "attempts"):
		return strings.Contains(strings.ToLower(description), "fail")
	}
	return false
}

// failureCounter claims an integer status field, outside lists, that counts
// failures.
func failureCounter(d *detector, f statusField, rule string) bool {
	if f.schema.Type != "integer" || f.inList || !isFailureCounterName(f.name, f.schema.Description) {
		return false
	}
	if len(d.kind.Failures) == maxFailureCounters {
		d.note("%s: more than %d failure counters, not observed", f.schemaPath, maxFailureCounters)
		return true
	}
	d.kind.Failures = append(d.kind.Failures, field(f.path, rule))
	return true
}
