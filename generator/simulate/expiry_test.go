package simulate

import (
	"testing"
)

// Certificates at the simulated time: one expiring in 2 days gets the
// critical expiry alert (and the warning one, and renewal overdue); one
// renewed yesterday, one not issued yet get none; an expired one is alerted
// on too.
func TestExpiry(t *testing.T) {
	rep := report(t, []string{"testdata/expiry/crd.yaml"}, []string{"generator/simulate/testdata/expiry/objects.yaml"}, nil)
	active := map[string]map[string]Row{}
	for _, r := range rep.Rows {
		if active[r.Name] == nil {
			active[r.Name] = map[string]Row{}
		}
		if r.State != OK {
			active[r.Name][r.Alert] = r
		}
	}
	want := map[string]map[string]string{
		"expiring": {
			"CustomResourceExpiresVerySoon": "status.notAfter expires in 2d",
			"CustomResourceExpiresSoon":     "status.notAfter expires in 2d",
			"CustomResourceRenewalOverdue":  "status.renewalTime passed 4w ago",
		},
		"expired": {
			"CustomResourceExpiresVerySoon": "status.notAfter expired 1d ago",
			"CustomResourceExpiresSoon":     "status.notAfter expired 1d ago",
			"CustomResourceRenewalOverdue":  "status.renewalTime passed 31d ago",
		},
		"renewed": {},
		"new":     {},
	}
	for name, alerts := range want {
		if len(active[name]) != len(alerts) {
			t.Errorf("%s: active alerts %v, want %v", name, keys(active[name]), alerts)
		}
		for alert, why := range alerts {
			r, ok := active[name][alert]
			if !ok || r.State != Firing || r.Why != why {
				t.Errorf("%s: %s = %+v, want firing because %q", name, alert, r, why)
			}
		}
	}
	if sev := active["expiring"]["CustomResourceExpiresVerySoon"].Labels["severity"]; sev != "critical" {
		t.Errorf("ExpiresVerySoon severity %q, want critical", sev)
	}
}

func keys(m map[string]Row) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
