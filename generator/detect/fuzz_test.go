package detect

import (
	"testing"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/internal/testutil"
)

// Any bytes the loader accepts: detection does not panic and every signal
// has a usable kube-state-metrics path and a schema path.
func FuzzDetect(f *testing.F) {
	testutil.AddCorpusSeeds(f, 16<<10)
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := load.Bytes("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, k := range Model(r.CRDs).Kinds {
			for _, fl := range signalFields(k) {
				if len(fl.Path) == 0 || fl.SchemaPath == "" || fl.Rule == "" {
					t.Fatalf("%s: incomplete signal %+v", k.ID(), fl)
				}
				for _, s := range fl.Path {
					if !SafeSegment(s) {
						t.Fatalf("%s: unsafe path segment %q in %v", k.ID(), s, fl.Path)
					}
				}
			}
		}
	})
}

// signalFields lists every field a kind's signals read.
func signalFields(k model.Kind) []model.Field {
	var out []model.Field
	for _, c := range k.Conditions {
		out = append(out, c.Field)
	}
	if k.Replicas != nil {
		out = append(out, k.Replicas.Desired, k.Replicas.Ready)
		for _, m := range k.Replicas.Members() {
			out = append(out, m.Field)
		}
	}
	if k.Generation != nil {
		out = append(out, k.Generation.Observed)
	}
	for _, p := range k.Phases {
		out = append(out, p.Field)
	}
	if k.Suspend != nil {
		out = append(out, *k.Suspend)
	}
	for _, ts := range k.Timestamps {
		out = append(out, ts.Field)
	}
	out = append(out, k.Failures...)
	return out
}
