package load

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/internal/testutil"
)

// maxSeed keeps the seed inputs small enough for the fuzzer to mutate quickly;
// bigger corpus CRDs add nothing the small ones do not already exercise.
const maxSeed = 16 << 10

// AddSeeds adds the example CRDs and the corpus CRDs (when the corpus is
// present, no skip otherwise) of at most maxSeed bytes to f.
func addSeeds(f *testing.F) {
	dirs := []string{testutil.TestdataCRDs(f)}
	corpus := os.Getenv("CRDMON_CORPUS")
	if corpus == "" {
		corpus = filepath.Join(testutil.RepoRoot(f), "..", "shared", "corpus")
	}
	dirs = append(dirs, corpus)
	var files []string
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && isManifest(p) {
				files = append(files, p)
			}
			return nil
		})
	}
	sort.Strings(files)
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) <= maxSeed {
			f.Add(b)
		}
	}
}

// Any bytes: no panic; an accepted input yields CRDs the rest of crdmon can
// rely on (names checked, a served version, sorted and unique by name).
func FuzzLoad(f *testing.F) {
	addSeeds(f)
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
