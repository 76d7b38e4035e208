package alerting_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/alerting"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/internal/testutil"
)

// promqlParser parses as promtool does without feature flags.
var promqlParser = parser.NewParser(parser.Options{})

// PromtoolEnv names the promtool binary; default bin/promtool in the repository.
const PromtoolEnv = "PROMTOOL"

// promtoolBinary finds the promtool binary or skips the test.
func promtoolBinary(t *testing.T) string {
	t.Helper()
	bin, ok := testutil.RepoBinary(t, PromtoolEnv, "promtool")
	if !ok {
		t.Skipf("no promtool at %s: run `make tools` or set %s", bin, PromtoolEnv)
	}
	return bin
}

// parseRules reads the alerting rules of a rule file as promtool loads it.
// recording is one recording rule of a rule file.
type recording struct {
	name, expr string
	labels     map[string]string
}

func parseRules(t *testing.T, name string, content []byte) ([]alerting.Rule, []recording) {
	t.Helper()
	groups, errs := rulefmt.Parse(content, false, prommodel.UTF8Validation, promqlParser, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		t.Fatalf("%s: %v", name, errs)
	}
	var out []alerting.Rule
	var recs []recording
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				recs = append(recs, recording{r.Record, r.Expr, r.Labels})
				continue
			}
			x, err := promqlParser.ParseExpr(r.Expr)
			if err != nil {
				t.Fatalf("%s: %s: %v", name, r.Alert, err)
			}
			out = append(out, alerting.Rule{Name: r.Alert, Expr: x, For: time.Duration(r.For),
				KeepFiringFor: time.Duration(r.KeepFiringFor), Labels: r.Labels, Annotations: r.Annotations})
		}
	}
	return out, recs
}

// evaluate loads a test group's input series and evaluates rs at every
// interval from 0 to end, as `promtool test rules` does, returning the
// active alerts of all rules after each step.
func evaluate(t *testing.T, rs []alerting.Rule, recs []recording, tg rules.TestGroup, end time.Duration) [][]alerting.Alert {
	t.Helper()
	interval, err := prommodel.ParseDuration(tg.Interval)
	if err != nil {
		t.Fatal(err)
	}
	step := time.Duration(interval)
	var series []alerting.Series
	for _, in := range tg.InputSeries {
		l, values, err := promqlParser.ParseSeriesDesc(in.Series + " " + in.Values)
		if err != nil {
			t.Fatalf("%s: %s: %v", tg.Name, in.Series, err)
		}
		s := alerting.Series{Labels: l}
		for i, v := range values {
			if v.Histogram != nil {
				t.Fatalf("%s: %s: histograms are not supported", tg.Name, in.Series)
			}
			if !v.Omitted {
				s.Samples = append(s.Samples, alerting.Sample{T: (time.Duration(i) * step).Milliseconds(), F: v.Value})
			}
		}
		series = append(series, s)
	}
	engine := promql.NewEngine(promql.EngineOpts{
		MaxSamples: 10000, Timeout: 100 * time.Second, LookbackDelta: 5 * time.Minute,
		NoStepSubqueryIntervalFn: func(int64) int64 { return step.Milliseconds() },
		EnableAtModifier:         true, EnableNegativeOffset: true, Parser: promqlParser,
	})
	defer engine.Close()
	query := alerting.EngineQuery(engine, alerting.NewStorage(series))
	// Recording rules in order, each at every step, reading what the rules
	// before it recorded (as a rule group's evaluation does).
	for _, r := range recs {
		recorded := map[string]*alerting.Series{}
		var keys []string
		for at := time.Duration(0); at <= end; at += step {
			v, err := query(context.Background(), r.expr, time.Unix(0, 0).UTC().Add(at))
			if err != nil {
				t.Fatalf("%s: %s at %s: %v", tg.Name, r.name, at, err)
			}
			for _, smp := range v {
				b := labels.NewBuilder(smp.Metric).Set(labels.MetricName, r.name)
				for k, val := range r.labels {
					b.Set(k, val)
				}
				l := b.Labels()
				key := l.String()
				if recorded[key] == nil {
					recorded[key] = &alerting.Series{Labels: l}
					keys = append(keys, key)
				}
				recorded[key].Samples = append(recorded[key].Samples, alerting.Sample{T: at.Milliseconds(), F: smp.F})
			}
		}
		for _, k := range keys {
			series = append(series, *recorded[k])
		}
		query = alerting.EngineQuery(engine, alerting.NewStorage(series))
	}
	evs := make([]*alerting.Evaluator, len(rs))
	for i, r := range rs {
		evs[i] = alerting.NewEvaluator(r)
	}
	var out [][]alerting.Alert
	for at := time.Duration(0); at <= end; at += step {
		var active []alerting.Alert
		for i, ev := range evs {
			if err := ev.Eval(context.Background(), time.Unix(0, 0).UTC().Add(at), query); err != nil {
				t.Fatalf("%s: %s at %s: %v", tg.Name, rs[i].Name, at, err)
			}
			active = append(active, ev.Active()...)
		}
		out = append(out, active)
	}
	return out
}

// firing renders the firing alerts named name as promtool compares them.
func firing(alerts []alerting.Alert, name string) []string {
	var out []string
	for _, a := range alerts {
		if a.State == alerting.Firing && a.Labels.Get(labels.AlertName) == name {
			out = append(out, testutil.AlertString(a.Labels, a.Annotations))
		}
	}
	sort.Strings(out)
	return out
}

// generated renders the KSM config, plain rule files and promtool tests for
// the CRDs under dir.
func generated(t *testing.T, dir string, tweak func(*generator.Options)) []output.File {
	t.Helper()
	loaded, err := load.Paths([]string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	opts := generator.DefaultOptions()
	opts.Only = []string{generator.ArtifactRules}
	opts.Rules.Format = rules.FormatPlain
	if tweak != nil {
		tweak(&opts)
	}
	res, err := generator.FromCRDs(loaded, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res.Files
}

// optionVariants are generator options the generated tests are taken under:
// per kind and per group, both with controller alerts (series that change
// over time).
var optionVariants = map[string]func(*generator.Options){
	"defaults": func(o *generator.Options) { o.Rules.InferControllers = true },
	"labels": func(o *generator.Options) {
		o.Rules.InferControllers = true
		o.Rules.ExtraAlertLabels = map[string]string{"team": "platform"}
	},
}

// testFile is a generated promtool test file and the rules it tests.
type testFile struct {
	path  string
	tests rules.UnitTestFile
	rules []alerting.Rule
	recs  []recording
}

// testFiles returns the promtool test files among files.
func testFiles(t *testing.T, files []output.File) []testFile {
	t.Helper()
	byPath := map[string]output.File{}
	for _, f := range files {
		byPath[f.Path] = f
	}
	var out []testFile
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".test.yaml") {
			continue
		}
		tf := testFile{path: f.Path}
		if err := yaml.UnmarshalStrict(f.Content, &tf.tests); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		for _, rf := range tf.tests.RuleFiles {
			p := path.Join(path.Dir(f.Path), rf)
			rs, recs := parseRules(t, p, byPath[p].Content)
			tf.rules = append(tf.rules, rs...)
			tf.recs = append(tf.recs, recs...)
		}
		out = append(out, tf)
	}
	return out
}

// lastEval is the latest eval_time of a test group's alert tests.
func lastEval(t *testing.T, tg rules.TestGroup) time.Duration {
	t.Helper()
	var end time.Duration
	for _, at := range tg.AlertTests {
		d, err := prommodel.ParseDuration(at.EvalTime)
		if err != nil {
			t.Fatal(err)
		}
		end = max(end, time.Duration(d))
	}
	return end
}

// disagreements evaluates every case of every generated promtool test file
// among files with package alerting and lists those whose firing alerts
// differ from the test's expectation.
func disagreements(t *testing.T, files []output.File) (checked int, errs []error) {
	t.Helper()
	for _, tf := range testFiles(t, files) {
		for _, tg := range tf.tests.Tests {
			var named []alerting.Rule // only the rules under test: the others cannot change their alerts
			for _, r := range tf.rules {
				for _, at := range tg.AlertTests {
					if r.Name == at.Alertname {
						named = append(named, r)
						break
					}
				}
			}
			steps := evaluate(t, named, tf.recs, tg, lastEval(t, tg))
			step, _ := prommodel.ParseDuration(tg.Interval)
			for _, at := range tg.AlertTests {
				checked++
				d, _ := prommodel.ParseDuration(at.EvalTime)
				got := firing(steps[int(time.Duration(d)/time.Duration(step))], at.Alertname)
				var want []string
				for _, e := range at.ExpAlerts {
					want = append(want, testutil.ExpectedAlert(at.Alertname, e.ExpLabels, e.ExpAnnotations))
				}
				sort.Strings(want)
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					errs = append(errs, fmt.Errorf("%s: %s: %s at %s:\n  promtool test wants %q\n  alerting fires     %q", tf.path, tg.Name, at.Alertname, at.EvalTime, want, got))
				}
			}
		}
	}
	return checked, errs
}

// TestGeneratedCases: every case of the generated promtool tests (the
// alerts firing, with their labels and annotations, at the test's time),
// including controller alerts over changing series, comes out of package
// alerting as the test expects, for the example CRDs and the corpus
// (CRDMON_FULL_CORPUS=1: every API group, else a few).
func TestGeneratedCases(t *testing.T) {
	sources := map[string]func(t *testing.T) string{
		"testdata": func(t *testing.T) string { return testutil.TestdataCRDs(t) },
		"corpus":   func(t *testing.T) string { return testutil.Corpus(t) },
	}
	for src, dir := range sources {
		t.Run(src, func(t *testing.T) {
			for name, tweak := range optionVariants {
				t.Run(name, func(t *testing.T) {
					if src == "corpus" && !testutil.FullCorpus() {
						// Generate only the groups checked: rendering
						// the rest of the corpus would be thrown away.
						groups := []string{"cert-manager.io", "kustomize.toolkit.fluxcd.io", "postgresql.cnpg.io", "cluster.x-k8s.io"}
						tweak = onlyGroups(optionVariants[name], groups)
					}
					files := generated(t, dir(t), tweak)
					checked, errs := disagreements(t, files)
					for _, err := range errs {
						t.Error(err)
					}
					if checked == 0 {
						t.Fatal("no promtool test case checked")
					}
					t.Logf("%d promtool test cases agree", checked)
				})
			}
		})
	}
}

// onlyGroups returns tweak that also keeps only the kinds of groups.
func onlyGroups(tweak func(*generator.Options), groups []string) func(*generator.Options) {
	return func(o *generator.Options) {
		tweak(o)
		o.Groups = groups
	}
}

// TestGeneratedCasesCanFail checks the comparison: a rule that no longer
// matches its failing condition must disagree with its promtool test.
func TestGeneratedCasesCanFail(t *testing.T) {
	files := generated(t, testutil.TestdataCRDs(t), nil)
	broken := false
	for i, f := range files {
		if strings.HasSuffix(f.Path, ".rules.yaml") && strings.Contains(string(f.Content), `status="True"`) {
			files[i].Content = []byte(strings.ReplaceAll(string(f.Content), `status="True"`, `status="Nope"`))
			broken = true
		}
	}
	if !broken {
		t.Fatal(`no rule with status="True" to break`)
	}
	if _, errs := disagreements(t, files); len(errs) == 0 {
		t.Fatal("a broken rule agreed with its promtool test")
	}
}

// scenarioRules exercise what generated rules do not: keep_firing_for,
// flapping, missing and stale samples, labels templated with $value, a
// scalar result and a counter.
const scenarioRules = `groups:
- name: scenarios
  rules:
  - alert: Held
    expr: m > 0
    for: 3m
    labels: {severity: warning, who: '{{ $labels.name }}'}
    annotations: {summary: '{{ $labels.name }} is {{ $value }}'}
  - alert: Kept
    expr: m > 0
    for: 1m
    keep_firing_for: 2m
  - alert: ByValue
    expr: m > 1
    labels: {v: '{{ $value }}'}
  - alert: Total
    expr: sum(m) > 2
    for: 1m
  - alert: Scalar
    expr: scalar(m{name="b"})
  - alert: Rising
    expr: rate(c[3m]) > 0
    for: 2m
    annotations: {rate: '{{ $value | humanize }}/s'}
`

// scenarioGroup is the input the scenario rules are tested on.
var scenarioGroup = rules.TestGroup{Name: "scenarios", Interval: "1m", InputSeries: []rules.TestInput{
	{Series: `m{name="a"}`, Values: "1 1 0 1 1 1 1 0 0 0 1 _ _ 1 stale 1"},
	{Series: `m{name="b"}`, Values: "0 1 2 2 3 3 3 0 2 2 2 2 2 2 2 2"},
	{Series: `c`, Values: "0+1x5 5x10"},
}}

// expectEveryStep returns tg expecting, at every step up to end, what
// package alerting reports: the firing alerts named in names with their
// labels and annotations, and every pending and firing alert with the
// ALERTS and ALERTS_FOR_STATE series Prometheus writes for it (its state,
// and since when it is active).
func expectEveryStep(t *testing.T, rs []alerting.Rule, recs []recording, tg rules.TestGroup, end time.Duration, names []string) rules.TestGroup {
	t.Helper()
	out := rules.TestGroup{Name: tg.Name, Interval: tg.Interval, InputSeries: tg.InputSeries}
	step, _ := prommodel.ParseDuration(tg.Interval)
	for i, alerts := range evaluate(t, rs, recs, tg, end) {
		at := prommodel.Duration(time.Duration(i) * time.Duration(step)).String()
		for _, name := range names {
			test := rules.AlertTest{EvalTime: at, Alertname: name, ExpAlerts: []rules.ExpAlert{}}
			for _, a := range alerts {
				if a.State == alerting.Firing && a.Labels.Get(labels.AlertName) == name {
					l := a.Labels.Map()
					delete(l, labels.AlertName)
					test.ExpAlerts = append(test.ExpAlerts, rules.ExpAlert{ExpLabels: l, ExpAnnotations: a.Annotations.Map()})
				}
			}
			out.AlertTests = append(out.AlertTests, test)
		}
		states := rules.ExprTest{Expr: "ALERTS", EvalTime: at, ExpSamples: []rules.ExpSample{}}
		since := rules.ExprTest{Expr: "ALERTS_FOR_STATE", EvalTime: at, ExpSamples: []rules.ExpSample{}}
		for _, a := range alerts {
			withState := labels.NewBuilder(a.Labels).Set("alertstate", a.State.String()).Labels()
			states.ExpSamples = append(states.ExpSamples, rules.ExpSample{Labels: "ALERTS" + withState.String(), Value: 1})
			since.ExpSamples = append(since.ExpSamples, rules.ExpSample{Labels: "ALERTS_FOR_STATE" + a.Labels.String(), Value: float64(a.ActiveAt.Unix())})
		}
		out.ExprTests = append(out.ExprTests, states, since)
	}
	return out
}

// promtoolSuite is rule files and promtool test files, by relative path.
type promtoolSuite map[string][]byte

// addScenarios adds the scenario rules and their test, expected as package
// alerting evaluates rs.
func (s promtoolSuite) addScenarios(t *testing.T, rs []alerting.Rule) {
	t.Helper()
	var names []string
	for _, r := range rs {
		names = append(names, r.Name)
	}
	s["scenarios.rules.yaml"] = []byte(scenarioRules)
	s.addTest(t, "scenarios.test.yaml", rules.UnitTestFile{RuleFiles: []string{"scenarios.rules.yaml"}, EvaluationInterval: "1m",
		Tests: []rules.TestGroup{expectEveryStep(t, rs, nil, scenarioGroup, 15*time.Minute, names)}})
}

func (s promtoolSuite) addTest(t *testing.T, name string, f rules.UnitTestFile) {
	t.Helper()
	b, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	s[name] = b
}

// run writes the suite to a directory and runs `promtool test rules` on its
// test files.
func (s promtoolSuite) run(t *testing.T, promtool string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	var tests []string
	for name, content := range s {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".test.yaml") {
			tests = append(tests, p)
		}
	}
	sort.Strings(tests)
	out, err := exec.Command(promtool, append([]string{"test", "rules"}, tests...)...).CombinedOutput()
	return string(out), err
}

// TestAgreesWithPromtool is the property "package alerting evaluates alerts
// as Prometheus does": real `promtool test rules` confirms, at every
// evaluation step, the alerts it reports (state, since when, labels and
// annotations) for the scenario rules and for every generated promtool test
// case of the example CRDs; CRDMON_FULL_CORPUS=1 adds extra alert labels
// rules and the corpus (promtool takes about 40ms a test case).
func TestAgreesWithPromtool(t *testing.T) {
	promtool := promtoolBinary(t)
	suite := promtoolSuite{}
	scenarios, _ := parseRules(t, "scenarios", []byte(scenarioRules))
	suite.addScenarios(t, scenarios)
	sources := map[string]string{"testdata": testutil.TestdataCRDs(t)}
	variants := []string{"defaults"}
	if os.Getenv("CRDMON_FULL_CORPUS") != "" {
		sources["corpus"] = testutil.Corpus(t)
		variants = append(variants, "labels")
	}
	for src, dir := range sources {
		for _, variant := range variants {
			files := generated(t, dir, optionVariants[variant])
			for _, f := range files {
				if strings.HasSuffix(f.Path, ".rules.yaml") {
					suite[path.Join(src, variant, f.Path)] = f.Content
				}
			}
			for _, tf := range testFiles(t, files) {
				if len(tf.tests.Tests) == 0 {
					continue // an overrides file of controller alerts only
				}
				// Package alerting steps at the series interval; so does
				// promtool here, whatever evaluation_interval the file has.
				pf := rules.UnitTestFile{RuleFiles: tf.tests.RuleFiles, EvaluationInterval: tf.tests.Tests[0].Interval}
				for _, tg := range tf.tests.Tests {
					var names []string
					for _, at := range tg.AlertTests {
						names = append(names, at.Alertname)
					}
					pf.Tests = append(pf.Tests, expectEveryStep(t, tf.rules, tf.recs, tg, lastEval(t, tg), names))
				}
				suite.addTest(t, path.Join(src, variant, tf.path), pf)
			}
		}
	}
	if out, err := suite.run(t, promtool); err != nil {
		t.Fatalf("promtool test rules disagrees with package alerting: %v\n%s", err, out)
	}
}

// TestAgreesWithPromtoolCanFail checks the comparison: expectations from a
// rule held 2m must fail promtool's test of the rule held 3m.
func TestAgreesWithPromtoolCanFail(t *testing.T) {
	promtool := promtoolBinary(t)
	rs, _ := parseRules(t, "scenarios", []byte(scenarioRules))
	if rs[0].Name != "Held" || rs[0].For != 3*time.Minute {
		t.Fatalf("the first scenario rule is not Held for 3m: %+v", rs[0])
	}
	rs[0].For = 2 * time.Minute
	suite := promtoolSuite{}
	suite.addScenarios(t, rs)
	out, err := suite.run(t, promtool)
	if err == nil {
		t.Fatal("promtool accepted expectations of a rule held 2m for the rule held 3m")
	}
	if !strings.Contains(out, "Held") {
		t.Errorf("promtool failed for another reason:\n%s", out)
	}
}
