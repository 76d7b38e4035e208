package detect

import (
	"strings"

	"github.com/crdmon/crdmon/generator/model"
)

// maxTimestamps bounds the timestamp fields observed per kind (one series
// each per object).
const maxTimestamps = 4

// lifecycleWords in a description mark an expiry that is the object's planned
// end rather than a failure to come: a backup eligible for garbage
// collection, a request that can then be deleted.
var lifecycleWords = []string{"garbage", "deleted", "cleaned up"}

// timestampMeaning returns what a date-time field's name says it holds:
// X.509's notAfter and notBefore, validUntil and validFrom, *expir*
// (expiresAt, certificatesExpiryDate) and *renew* (renewalTime). Fields that
// record the past (lastRenewal) mean none of these.
func timestampMeaning(name string) (string, bool) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(lower, "last") || strings.HasPrefix(lower, "previous"):
		return "", false
	case lower == "notafter" || lower == "validuntil" || strings.Contains(lower, "expir"):
		return model.Expiry, true
	case lower == "notbefore" || lower == "validfrom":
		return model.ValidFrom, true
	case strings.Contains(lower, "renew"):
		return model.Renewal, true
	}
	return "", false
}

// expiryTime claims a date-time status field, outside lists, whose name says
// it is an expiry, a planned renewal or the start of a validity period.
func expiryTime(d *detector, f statusField, rule string) bool {
	if f.schema.Type != "string" || f.schema.Format != "date-time" || f.inList {
		return false
	}
	meaning, ok := timestampMeaning(f.name)
	if !ok {
		return false
	}
	desc := strings.ToLower(f.schema.Description)
	for _, w := range lifecycleWords {
		if meaning == model.Expiry && strings.Contains(desc, w) {
			d.note("%s: expiry not observed: its description mentions %q, so it is a planned end, not a failure to come", f.schemaPath, w)
			return true
		}
	}
	if len(d.kind.Timestamps) == maxTimestamps {
		d.note("%s: more than %d timestamp fields, not observed", f.schemaPath, maxTimestamps)
		return true
	}
	d.kind.Timestamps = append(d.kind.Timestamps, model.Timestamp{Field: field(f.path, rule), Meaning: meaning})
	return true
}
