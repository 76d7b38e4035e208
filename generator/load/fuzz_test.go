package load

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/internal/testutil"
)

// maxSeed keeps the seed inputs small enough for the fuzzer to mutate quickly;
// bigger corpus CRDs add nothing the small ones do not already exercise.
const maxSeed = 16 << 10

// Any bytes: no panic; an accepted input yields CRDs the rest of crdmon can
// rely on (names checked, a served version, sorted and unique by name).
func FuzzLoad(f *testing.F) {
	testutil.AddCorpusSeeds(f, maxSeed)
	f.Add([]byte(crd))
	f.Fuzz(func(t *testing.T, data []byte) {
		onePass = false
		slowR, slowErr := Bytes("fuzz.yaml", data)
		onePass = true
		r, err := Bytes("fuzz.yaml", data)
		if fmt.Sprint(err) != fmt.Sprint(slowErr) || !reflect.DeepEqual(r, slowR) {
			t.Fatalf("one-pass decoding differs:\n%v\n%v", err, slowErr)
		}
		if err != nil {
			le, ok := err.(*Error)
			if !ok {
				t.Fatalf("error %T %v is not a *load.Error", err, err)
			}
			if le.Source.File != "fuzz.yaml" || le.Msg == "" {
				t.Fatalf("error without file or message: %#v", le)
			}
			return
		}
		if len(r.CRDs) == 0 {
			t.Fatal("accepted an input without CRDs")
		}
		for i, c := range r.CRDs {
			if c.Spec.Group == "" || c.Spec.Names.Kind == "" || c.Spec.Names.Plural == "" || len(c.Spec.Versions) == 0 {
				t.Fatalf("accepted an incomplete CRD: %+v", c.Spec)
			}
			if c.Name != c.Spec.Names.Plural+"."+c.Spec.Group || strings.ContainsAny(c.Spec.Group+c.Spec.Names.Kind, "\"'\n:#{}") {
				t.Fatalf("accepted bad names: %q %q %q", c.Name, c.Spec.Group, c.Spec.Names.Kind)
			}
			if c.Source.Line < 1 {
				t.Fatalf("CRD %s without a line", c.Name)
			}
			if i > 0 && r.CRDs[i-1].Name >= c.Name {
				t.Fatalf("CRDs not sorted and unique: %s, %s", r.CRDs[i-1].Name, c.Name)
			}
		}
	})
}
