package detect

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/internal/golden"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// The model detected from testdata/crds is pinned by a golden file.
func TestGoldenModel(t *testing.T) {
	r, err := load.Paths([]string{testutil.TestdataCRDs(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	m := Model(r.CRDs)
	for i := range m.Kinds { // sources hold machine paths
		m.Kinds[i].Source.File = filepath.Base(m.Kinds[i].Source.File)
	}
	got, _ := json.MarshalIndent(m, "", "  ")
	golden.Check(t, filepath.Join("testdata", "model.golden.json"), append(got, '\n'))
}

// censusRow is one CRD as ../shared/corpus/CENSUS.tsv describes it,
// written independently of crdmon.
type censusRow struct {
	file, name, conditions, shape, observedGeneration, scale string
}

func readCensus(t *testing.T, corpus string) map[string]censusRow {
	f, err := os.Open(filepath.Join(corpus, "CENSUS.tsv"))
	if err != nil {
		t.Skipf("no CENSUS.tsv in corpus: %v", err)
	}
	defer f.Close()
	rows := map[string]censusRow{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 16 || c[0] == "subset" {
			continue
		}
		rows[c[3]] = censusRow{file: c[2], name: c[3], conditions: c[13], shape: c[14], observedGeneration: c[15], scale: c[11]}
	}
	return rows
}

// Detection agrees with the census on every corpus CRD: top-level and nested
// condition lists, observedGeneration and scale-subresource replicas.
func TestCorpusAgreesWithCensus(t *testing.T) {
	corpus := testutil.Corpus(t)
	census := readCensus(t, corpus)
	r, err := load.Paths([]string{corpus}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(census) != len(r.CRDs) {
		t.Fatalf("census has %d rows, corpus %d CRDs", len(census), len(r.CRDs))
	}
	for _, c := range r.CRDs {
		row, ok := census[c.Name]
		if !ok {
			t.Errorf("%s: not in census", c.Name)
			continue
		}
		k := Kind(c)
		top, nested := false, map[string]bool{}
		for _, cs := range k.Conditions {
			if cs.Scope == "" {
				top = true
			} else {
				nested[cs.SchemaPath] = true
			}
		}
		if want := strings.HasPrefix(row.conditions, "status.conditions"); top != want {
			t.Errorf("%s: top-level conditions detected=%v, census %q", c.Name, top, row.conditions)
		}
		for _, part := range strings.Split(row.conditions, ";") {
			part = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(part), "nested:"))
			if !strings.Contains(part, "[].conditions") {
				continue // deprecated map copies are skipped on purpose
			}
			if !nested[part+"[]"] {
				t.Errorf("%s: nested conditions %s not detected (got %v)", c.Name, part, nested)
			}
		}
		if want := row.observedGeneration == "status.observedGeneration"; (k.Generation != nil) != want {
			t.Errorf("%s: observedGeneration detected=%v, census %q", c.Name, k.Generation != nil, row.observedGeneration)
		}
		if row.scale != "" {
			// The scale subresource is used when its status path has a
			// ready-count sibling; otherwise a note says why not.
			spec := strings.TrimPrefix(strings.Fields(row.scale)[0], "spec=.")
			scaled := k.Replicas != nil && strings.HasPrefix(k.Replicas.Desired.Rule, "scale-subresource")
			switch {
			case scaled && k.Replicas.Desired.SchemaPath != spec:
				t.Errorf("%s: scale %q, detected replicas %+v", c.Name, row.scale, k.Replicas)
			case !scaled && !slices.ContainsFunc(k.Notes, func(n string) bool { return strings.HasPrefix(n, "scale subresource") }):
				t.Errorf("%s: scale %q not used and no note says why (replicas %+v)", c.Name, row.scale, k.Replicas)
			}
		}
		if strings.Contains(row.shape, "custom(") && !strings.Contains(row.shape, "status") && top {
			for _, cs := range k.Conditions {
				if cs.Scope == "" && cs.HasStatus {
					t.Errorf("%s: census says conditions lack status, detected HasStatus", c.Name)
				}
			}
		}
	}
}

// A conditions list under spec, or one whose items lack a type, is not status conditions.
func TestNoFalsePositives(t *testing.T) {
	r, err := load.Paths([]string{testutil.TestdataCRDs(t)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range Model(r.CRDs).Kinds {
		for _, c := range k.Conditions {
			if strings.HasPrefix(c.SchemaPath, "spec.") {
				t.Errorf("%s: spec list %s taken for conditions", k.Kind, c.SchemaPath)
			}
		}
		if k.Kind == "Settings" && k.HasSignals() {
			t.Errorf("Settings has no health signal, detected %+v", k)
		}
	}
}
