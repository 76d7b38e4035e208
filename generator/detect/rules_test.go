package detect

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/internal/golden"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
)

// Every rule of the table has a fixture CRD, testdata/rules/<name>.yaml,
// whose detected kind is pinned by testdata/rules/<name>.golden.json and
// holds at least one signal the rule found; and every fixture belongs to a
// rule. A rule may have more fixtures, testdata/rules/<name>.<case>.yaml,
// one per convention it applies, pinned the same way. Adding a rule is
// adding its function, its table entry and these two files.
func TestEveryRuleHasAFixture(t *testing.T) {
	names := map[string]bool{}
	for _, r := range Rules {
		names[r.Name] = true
		if r.Convention == "" || (r.Field == nil) == (r.Kind == nil) {
			t.Errorf("rule %s: needs a convention and exactly one of Field and Kind", r.Name)
		}
		cases, _ := filepath.Glob(filepath.Join("testdata", "rules", r.Name+".*.yaml"))
		for _, fixture := range append([]string{r.Name}, fixtureNames(cases)...) {
			t.Run(fixture, func(t *testing.T) { checkFixture(t, r.Name, fixture) })
		}
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "rules", "*.yaml"))
	for _, f := range fixtureNames(files) {
		if rule, _, _ := strings.Cut(f, "."); !names[rule] {
			t.Errorf("%s: fixture of no rule", f)
		}
	}
}

// fixtureNames returns the fixture names of fixture files: their base
// names without .yaml.
func fixtureNames(files []string) []string {
	var out []string
	for _, f := range files {
		out = append(out, strings.TrimSuffix(filepath.Base(f), ".yaml"))
	}
	return out
}

// checkFixture detects the kind of testdata/rules/<fixture>.yaml, checks
// that rule found one of its signals and compares it with the golden.
func checkFixture(t *testing.T, rule, fixture string) {
	in, err := load.Paths([]string{filepath.Join("testdata", "rules", fixture+".yaml")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.CRDs) != 1 {
		t.Fatalf("fixture holds %d CRDs, want 1", len(in.CRDs))
	}
	k := Kind(in.CRDs[0])
	k.Source.File = filepath.Base(k.Source.File)
	if !slices.ContainsFunc(signalFields(k), func(f model.Field) bool { return strings.HasPrefix(f.Rule, rule) }) {
		t.Errorf("no signal of the fixture was found by rule %s: %+v", rule, signalFields(k))
	}
	got, _ := json.MarshalIndent(k, "", "  ")
	golden.Check(t, filepath.Join("testdata", "rules", fixture+".golden.json"), append(got, '\n'))
}
