package simulate

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/internal/promqlx"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/internal/testutil"
)

// generateRules renders the KSM config and plain rule files with their
// promtool tests for the CRDs under dir.
func generateRules(t *testing.T, dir string, tweak func(*generator.Options)) *generator.Result {
	t.Helper()
	loaded, err := load.Paths([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rulesFrom(t, loaded, tweak)
}

// rulesFrom is generateRules for CRDs already loaded.
func rulesFrom(t *testing.T, loaded *load.Result, tweak func(*generator.Options)) *generator.Result {
	t.Helper()
	opts := generator.DefaultOptions()
	opts.Only = []string{generator.ArtifactKSM, generator.ArtifactRules}
	opts.Rules.Format = rules.FormatPlain
	if tweak != nil {
		tweak(&opts)
	}
	res, err := generator.FromCRDs(loaded, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// verdicts compares, for every alert_rule_test of the promtool test files
// among files, the alerts the test expects firing with those simulate's
// engine reports firing on the test's input series at its eval_time. Alert
// tests whose rule reads series that change over time (controller counters:
// simulate only sees snapshots) are counted as skipped.
func verdicts(t *testing.T, files []output.File) (checked, skipped int, errs []error) {
	t.Helper()
	byPath := map[string]output.File{}
	for _, f := range files {
		byPath[f.Path] = f
	}
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".test.yaml") {
			continue
		}
		var tf rules.UnitTestFile
		if err := yaml.UnmarshalStrict(f.Content, &tf); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		var rs []Rule
		var ruleFiles []output.File
		for _, rf := range tf.RuleFiles {
			p := path.Join(path.Dir(f.Path), rf)
			parsed, err := ParseRules(p, byPath[p].Content)
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, parsed...)
			ruleFiles = append(ruleFiles, byPath[p])
		}
		recs, err := PlainRecordingRules(ruleFiles)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range tf.Tests {
			samples, varying := snapshot(t, tg)
			for _, at := range tg.AlertTests {
				eval, err := prommodel.ParseDuration(at.EvalTime)
				if err != nil {
					t.Fatal(err)
				}
				var named []Rule // only the rule under test: the others cannot change its verdict
				for _, r := range rs {
					if r.Name == at.Alertname {
						named = append(named, r)
					}
				}
				if len(named) == 0 {
					errs = append(errs, fmt.Errorf("%s: %s: no rule %s", f.Path, tg.Name, at.Alertname))
					continue
				}
				if readsAny(named, varying) {
					skipped++
					continue
				}
				checked++
				alerts, err := Evaluate(named, recs, samples, time.Unix(0, 0).Add(time.Duration(eval)))
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %s: %w", f.Path, tg.Name, err))
					continue
				}
				var got, want []string
				for _, a := range alerts {
					if a.Rule.Name == at.Alertname && a.State == Firing {
						got = append(got, testutil.AlertString(labels.FromMap(a.Labels), labels.FromMap(a.Annotations)))
					}
				}
				for _, e := range at.ExpAlerts {
					want = append(want, testutil.ExpectedAlert(at.Alertname, e.ExpLabels, e.ExpAnnotations))
				}
				sort.Strings(got)
				sort.Strings(want)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					errs = append(errs, fmt.Errorf("%s: %s: %s at %s:\n  promtool test wants %q\n  simulate fires     %q", f.Path, tg.Name, at.Alertname, at.EvalTime, want, got))
				}
			}
		}
	}
	return checked, skipped, errs
}

// snapshot turns the input series of a test that hold one value throughout
// into samples, and returns the others apart.
func snapshot(t *testing.T, tg rules.TestGroup) (constant []ksmeval.Sample, varying []labels.Labels) {
	t.Helper()
	if tg.Interval != "" && tg.Interval != prommodel.Duration(Step).String() {
		t.Fatalf("%s: interval %s, simulate steps %s", tg.Name, tg.Interval, Step)
	}
	for _, in := range tg.InputSeries {
		lset, values, err := promqlParser.ParseSeriesDesc(in.Series + " " + in.Values)
		if err != nil {
			t.Fatalf("%s: %s: %v", tg.Name, in.Series, err)
		}
		if len(values) == 0 {
			continue
		}
		if slices.ContainsFunc(values, func(v parser.SequenceValue) bool {
			return v.Omitted || v.Histogram != nil || v.Value != values[0].Value
		}) {
			varying = append(varying, lset)
			continue
		}
		m := lset.Map()
		name := m[labels.MetricName]
		delete(m, labels.MetricName)
		constant = append(constant, ksmeval.Sample{Name: name, Labels: m, Value: values[0].Value})
	}
	return constant, varying
}

// readsAny reports whether a selector of the rules matches one of the series.
func readsAny(rs []Rule, series []labels.Labels) bool {
	for _, r := range rs {
		for _, vs := range promqlx.Selectors(r.Expr) {
			for _, s := range series {
				if promqlx.Matches(s, vs.LabelMatchers) {
					return true
				}
			}
		}
	}
	return false
}

// variants are generator options the property is checked under.
func variants() map[string]func(*generator.Options) {
	return map[string]func(*generator.Options){
		"defaults": nil,
		"labels": func(o *generator.Options) {
			o.Rules.InferControllers = true
			o.Rules.ExtraAlertLabels = map[string]string{"team": "platform"}
		},
		"custom": func(o *generator.Options) {
			o.KSM.Prefix = "crd"
			o.Rules.Classes[rules.ConditionNotTrue] = rules.ClassSettings{Severity: "critical", For: 90 * time.Second}
			o.Rules.Classes[rules.ReplicasMismatch] = rules.ClassSettings{Severity: "info", For: 7 * time.Minute}
			o.Rules.TimestampFor = 2 * time.Minute
		},
	}
}

// TestAgreesWithPromtoolTests is the property "simulate judges an alert as
// Prometheus does": every case of the generated promtool unit tests (an
// alert firing with exact labels and annotations, or silent when healthy or
// suspended) gives the same verdict in simulate's engine, for the example
// CRDs and the corpus (a sample, all with CRDMON_FULL_CORPUS=1, which also
// adds the custom options' variant over the corpus).
func TestAgreesWithPromtoolTests(t *testing.T) {
	sources := map[string]func(t testing.TB) []string{
		"testdata": func(t testing.TB) []string { return []string{testutil.TestdataCRDs(t)} },
		"corpus":   testutil.CorpusSample,
	}
	for src, inputs := range sources {
		t.Run(src, func(t *testing.T) {
			loaded, err := load.Paths(inputs(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			for name, tweak := range variants() {
				t.Run(name, func(t *testing.T) {
					if src == "corpus" && name == "custom" && !testutil.FullCorpus() {
						t.Skipf("the custom options over the corpus: set %s=1", testutil.FullCorpusEnv)
					}
					res := rulesFrom(t, loaded, tweak)
					checked, skipped, errs := verdicts(t, res.Files)
					for _, err := range errs {
						t.Error(err)
					}
					if checked == 0 {
						t.Fatal("no promtool test case checked")
					}
					t.Logf("%d alert tests agree, %d controller tests skipped", checked, skipped)
				})
			}
		})
	}
}

// TestPropertyCanFail checks the comparison: a rule that no longer matches
// its failing condition must disagree with its promtool test.
func TestPropertyCanFail(t *testing.T) {
	res := generateRules(t, testutil.TestdataCRDs(t), nil)
	broken := false
	for i, f := range res.Files {
		if rules.IsPlainPath(f.Path) && strings.Contains(string(f.Content), `status="True"`) {
			res.Files[i].Content = []byte(strings.ReplaceAll(string(f.Content), `status="True"`, `status="Nope"`))
			broken = true
		}
	}
	if !broken {
		t.Fatal(`no rule with status="True" to break`)
	}
	_, _, errs := verdicts(t, res.Files)
	if len(errs) == 0 {
		t.Fatal("a broken rule agreed with its promtool test")
	}
}
