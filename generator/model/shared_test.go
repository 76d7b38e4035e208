package model_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/detect"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/internal/testutil"
)

// shared holds the condition types and state values found in ../shared:
// the types the corpus CRDs name (enums, printer columns) and the enum
// values of their state fields, and the condition types, reasons and
// state-field values of the labelled objects.
type shared struct{ types, values []string }

// readShared collects them; it skips the test when ../shared is absent.
func readShared(t *testing.T) shared {
	t.Helper()
	var s shared
	add := func(list *[]string, v string) {
		if v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, p := range testutil.CorpusSample(t) {
		in, err := load.Paths([]string{p}, nil)
		if err != nil {
			continue // the corpus holds a few manifests crdmon rejects on purpose
		}
		for _, c := range in.CRDs {
			k := detect.Kind(c)
			for _, cs := range k.Conditions {
				for _, typ := range cs.KnownTypes {
					add(&s.types, typ)
				}
			}
			for _, ph := range k.Phases {
				for _, v := range ph.Values {
					add(&s.values, v)
				}
			}
		}
	}
	dir := filepath.Join(testutil.Health(t), "objects")
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var o map[string]any
		if yaml.Unmarshal(b, &o) != nil {
			return nil
		}
		var walk func(v any, key string)
		walk = func(v any, key string) {
			switch x := v.(type) {
			case map[string]any:
				if key == "conditions" {
					typ, _ := x["type"].(string)
					reason, _ := x["reason"].(string)
					add(&s.types, typ)
					add(&s.values, reason)
				}
				for k, c := range x {
					walk(c, k)
				}
			case []any:
				for _, c := range x {
					walk(c, key)
				}
			case string:
				lower := strings.ToLower(key)
				if strings.HasSuffix(lower, "phase") || strings.HasSuffix(lower, "state") || strings.HasSuffix(lower, "status") || strings.HasSuffix(lower, "health") {
					add(&s.values, x)
				}
			}
		}
		walk(o["status"], "status")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.types) < 50 || len(s.values) < 50 {
		t.Fatalf("read only %d condition types and %d values from ../shared", len(s.types), len(s.values))
	}
	return s
}

// promRE compiles a Prometheus regex as a label matcher applies it: fully
// anchored.
func promRE(pattern string) *regexp.Regexp { return regexp.MustCompile("^(?:" + pattern + ")$") }

// One list drives polarity, alerts and state: a type PolarityOf calls
// positive is exactly one the catch-all selects (PositiveTypePattern and
// not NegativeTypePattern, not a progress type), and a negative one exactly
// one NegativeTypePattern matches; over the lists, the condition types of
// ../shared and a few made-up ones.
func TestPolarityAgreesWithPatterns(t *testing.T) {
	s := readShared(t)
	types := slices.Concat(model.PositiveTypes, model.PositiveSuffixes, model.NegativeTypes, model.NegativeWords,
		model.ProgressTypes, s.types, s.values,
		[]string{"ReconcileCompleted", "JobComplete", "PodInitialized", "CSRApproved", "NamesAccepted", "WorkloadAdmitted",
			"NotComplete", "Incomplete", "completed", "Admittedly", "InitializedPartially", "FailedCompleted"})
	pos, neg := promRE(model.PositiveTypePattern), promRE(model.NegativeTypePattern)
	for _, typ := range types {
		p := model.PolarityOf(typ)
		selected := pos.MatchString(typ) && !neg.MatchString(typ) && !slices.Contains(model.ProgressTypes, typ)
		if (p == model.Positive) != selected {
			t.Errorf("%s: PolarityOf says %s, the positive catch-all selects it: %v", typ, p, selected)
		}
		if (p == model.Negative) != neg.MatchString(typ) {
			t.Errorf("%s: PolarityOf says %s, NegativeTypePattern matches: %v", typ, p, neg.MatchString(typ))
		}
	}
	for _, typ := range model.PositiveTypes {
		if model.PolarityOf(typ) != model.Positive {
			t.Errorf("%s is in PositiveTypes but PolarityOf says %s", typ, model.PolarityOf(typ))
		}
	}
}

// The value readings and their patterns agree on every condition type,
// reason and state value of ../shared.
func TestValueReadingsAgreeOnShared(t *testing.T) {
	s := readShared(t)
	model.CheckReadingsAgree(t, slices.Concat(s.types, s.values))
}
