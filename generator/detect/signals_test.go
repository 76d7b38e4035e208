package detect

import (
	"slices"
	"testing"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// corpusSignals are signals experts monitor that the corpus schemas reveal
// (issue #11's table), by kind ID and "<what> <schema path>". The test fails
// when detection stops finding one.
var corpusSignals = map[string][]string{
	"certificate.cert-manager.io": {
		"expiry status.notAfter", "valid-from status.notBefore", "renewal status.renewalTime",
		"failures status.failedIssuanceAttempts",
	},
	"helmrelease.helm.toolkit.fluxcd.io": {
		"failures status.failures", "failures status.installFailures", "failures status.upgradeFailures",
	},
	"machine.cluster.x-k8s.io": {"expiry status.certificatesExpiryDate"},
}

// corpusNonSignals are look-alikes that must not be read as those signals: a
// backup's expiration is when it is garbage-collected, as planned.
var corpusNonSignals = map[string][]string{
	"backup.velero.io":          {"expiry status.expiration"},
	"downloadrequest.velero.io": {"expiry status.expiration"},
}

// detectedSignals lists, by kind ID, the corpus' signals of the sorts
// corpusSignals speaks of; every kind of the corpus has an entry.
func detectedSignals(t *testing.T) map[string][]string {
	t.Helper()
	in, err := load.Paths([]string{testutil.Corpus(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, k := range Model(in.CRDs).Kinds {
		out[k.ID()] = []string{}
		for _, ts := range k.Timestamps {
			out[k.ID()] = append(out[k.ID()], ts.Meaning+" "+ts.SchemaPath)
		}
		for _, f := range k.Failures {
			out[k.ID()] = append(out[k.ID()], "failures "+f.SchemaPath)
		}
	}
	return out
}

func TestCorpusSignals(t *testing.T) {
	got := detectedSignals(t)
	for id, want := range corpusSignals {
		if got[id] == nil {
			t.Errorf("%s: not in the corpus", id)
		}
		for _, s := range want {
			if !slices.Contains(got[id], s) {
				t.Errorf("%s: %s not detected (got %v)", id, s, got[id])
			}
		}
	}
	for id, not := range corpusNonSignals {
		if got[id] == nil {
			t.Errorf("%s: not in the corpus", id)
		}
		for _, s := range not {
			if slices.Contains(got[id], s) {
				t.Errorf("%s: %s detected, but it is no such signal", id, s)
			}
		}
	}
}
