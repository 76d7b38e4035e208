package detect

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/internal/golden"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/docpage"
)

// TestDetectionDoc fails when the rule table of docs/detection.md differs
// from Rules and what each rule finds in its fixture. Regenerate it with
// go test ./generator/detect/ -run TestDetectionDoc -update.
func TestDetectionDoc(t *testing.T) {
	docpage.Check(t, filepath.Join("..", "..", "docs", "detection.md"), "rules", rulesTable(t), golden.Update(),
		"go test ./generator/detect/ -run TestDetectionDoc -update")
}

// rulesTable renders Rules as a Markdown table, in the order they are
// tried, with the schema paths each rule finds in its fixture CRD.
func rulesTable(t *testing.T) string {
	var b strings.Builder
	b.WriteString("| # | rule | tried on | convention | found in its fixture |\n|---|---|---|---|---|\n")
	for i, r := range Rules {
		fixture := filepath.Join("testdata", "rules", r.Name+".yaml")
		in, err := load.Paths([]string{fixture}, nil)
		if err != nil || len(in.CRDs) != 1 {
			t.Fatalf("rule %s: fixture %s: %v", r.Name, fixture, err)
		}
		var found []string
		for _, f := range signalFields(Kind(in.CRDs[0])) {
			if strings.HasPrefix(f.Rule, r.Name) && !slices.Contains(found, "`"+f.SchemaPath+"`") {
				found = append(found, "`"+f.SchemaPath+"`")
			}
		}
		on := "each status field, in walk order"
		if r.Kind != nil {
			on = "each kind, after the walk"
		}
		fmt.Fprintf(&b, "| %d | [`%s`](../generator/detect/%s) | %s | %s | %s |\n",
			i+1, r.Name, filepath.ToSlash(fixture), on, mdEscape(r.Convention), strings.Join(found, ", "))
	}
	return b.String()
}

// mdEscape keeps a convention's globs and alternatives literal in a table cell.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "*", `\*`).Replace(s)
}
