package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
)

// Large inputs get a summary of one screen: groups instead of kinds,
// directories instead of files.
func TestSummaryStaysOneScreen(t *testing.T) {
	res := &generator.Result{Load: &load.Result{Documents: 400, Skipped: map[string]int{}}}
	var changes []output.Change
	for g := 0; g < 40; g++ {
		for k := 0; k < 10; k++ {
			res.Model.Kinds = append(res.Model.Kinds, model.Kind{
				Group: fmt.Sprintf("g%02d.example.com", g), Kind: fmt.Sprintf("Kind%d", k),
				Generation: &model.Generation{},
			})
		}
		changes = append(changes,
			output.Change{Path: fmt.Sprintf("rules/g%02d.example.com.yaml", g), Status: output.Created},
			output.Change{Path: fmt.Sprintf("dashboards/g%02d.example.com.json", g), Status: output.Updated})
	}
	var b bytes.Buffer
	printSummary(&b, res)
	printChanges(&b, "out", changes)
	got := b.String()
	if lines := strings.Count(got, "\n"); lines > 24 {
		t.Errorf("summary has %d lines:\n%s", lines, got)
	}
	for _, want := range []string{
		"  g00.example.com                  10: Kind0, Kind1, Kind2, Kind3, Kind4 and 5 more\n",
		"  ... and 25 more groups (crdmon inspect lists every kind)\n",
		"400 kinds with signals\n",
		"  out/rules/                   40 created\n",
		"  out/dashboards/              40 updated\n",
		"wrote out: 40 created, 40 updated\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// A nested condition list is named by its outer list, every element of
// which is read: "conditions@status.parents[]".
func TestSignalWordsNestedList(t *testing.T) {
	k := model.Kind{Conditions: []model.ConditionSet{
		{KnownTypes: []string{"Ready"}},
		{Scope: "status.parents[0]"},
	}}
	got := strings.Join(signalWords(k), ", ")
	if want := "conditions Ready, conditions@status.parents[]"; got != want {
		t.Errorf("signalWords = %q, want %q", got, want)
	}
}
