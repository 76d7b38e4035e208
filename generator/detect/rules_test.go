package detect

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/internal/golden"
)

// Every rule of the table has a fixture CRD, testdata/rules/<name>.yaml,
// whose detected kind is pinned by testdata/rules/<name>.golden.json and
// holds at least one signal the rule found; and every fixture belongs to a
// rule. Adding a rule is adding its function, its table entry and these two
// files.
func TestEveryRuleHasAFixture(t *testing.T) {
	names := map[string]bool{}
	for _, r := range Rules {
		names[r.Name] = true
		if r.Convention == "" || (r.Field == nil) == (r.Kind == nil) {
			t.Errorf("rule %s: needs a convention and exactly one of Field and Kind", r.Name)
		}
		t.Run(r.Name, func(t *testing.T) {
			in, err := load.Paths([]string{filepath.Join("testdata", "rules", r.Name+".yaml")}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.CRDs) != 1 {
				t.Fatalf("fixture holds %d CRDs, want 1", len(in.CRDs))
			}
			k := Kind(in.CRDs[0])
			k.Source.File = filepath.Base(k.Source.File)
			if !slices.ContainsFunc(signalFields(k), func(f model.Field) bool { return strings.HasPrefix(f.Rule, r.Name) }) {
				t.Errorf("no signal of the fixture was found by rule %s: %+v", r.Name, signalFields(k))
			}
			got, _ := json.MarshalIndent(k, "", "  ")
			golden.Check(t, filepath.Join("testdata", "rules", r.Name+".golden.json"), append(got, '\n'))
		})
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "rules", "*.yaml"))
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".yaml"); !names[name] {
			t.Errorf("%s: fixture of no rule", f)
		}
	}
}
