package rules

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/promslog"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/internal/testutil"
)

// runUnitTests evaluates every promtool test file among files with
// Prometheus' own rule manager and PromQL engine, the way `promtool test
// rules` does (cmd/promtool/unittest.go: evaluate every group at each step
// from 0 to eval_time, then compare the firing alerts' labels and annotations),
// and returns one error per failed expectation.
func runUnitTests(t *testing.T, files []output.File) []error {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var errs []error
	n := 0
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".test.yaml") {
			continue
		}
		var tf UnitTestFile
		if err := yaml.UnmarshalStrict(f.Content, &tf); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		var ruleFiles []string
		for _, rf := range tf.RuleFiles {
			ruleFiles = append(ruleFiles, filepath.Join(dir, filepath.FromSlash(filepath.Dir(f.Path)), rf))
		}
		evalInterval, err := time.ParseDuration(tf.EvaluationInterval)
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		for _, tg := range tf.Tests {
			n++
			for _, err := range runTestGroup(t, tg, evalInterval, ruleFiles) {
				errs = append(errs, fmt.Errorf("%s: %s: %w", f.Path, tg.Name, err))
			}
		}
	}
	if n == 0 {
		t.Fatal("no promtool test cases rendered")
	}
	return errs
}

// runTestGroup runs one test group as promtool does: input series sampled
// every tg.Interval; every rule group evaluated every evalInterval up to the
// last eval_time, each alert test checked at the step it falls in; then each
// expression test queried at its eval_time.
func runTestGroup(t *testing.T, tg TestGroup, evalInterval time.Duration, ruleFiles []string) []error {
	interval, err := time.ParseDuration(tg.Interval)
	if err != nil {
		return []error{err}
	}
	var load strings.Builder
	fmt.Fprintf(&load, "load %s\n", tg.Interval)
	for _, s := range tg.InputSeries {
		fmt.Fprintf(&load, "  %s %s\n", s.Series, s.Values)
	}
	// Like promtool, but with all samples loaded up front (the rules only look
	// back) into a TSDB without write-ahead log, which makes it much faster.
	st := promqltest.LoadedStorage(t, load.String(), func(o *tsdb.Options) { o.WALSegmentSize = -1 })
	defer st.Close()
	engine := promql.NewEngine(promql.EngineOpts{
		MaxSamples: 10000, Timeout: 100 * time.Second,
		NoStepSubqueryIntervalFn: func(int64) int64 { return evalInterval.Milliseconds() },
		EnableAtModifier:         true, EnableNegativeOffset: true, Parser: promqlParser,
	})
	defer engine.Close()
	ctx := context.Background()
	m := rules.NewManager(&rules.ManagerOptions{
		QueryFunc:    rules.EngineQueryFunc(engine, st),
		AppendableV2: st,
		Context:      ctx,
		NotifyFunc:   func(context.Context, string, ...*rules.Alert) {},
		Logger:       promslog.NewNopLogger(),
		Parser:       promqlParser,
	})
	groups, lerrs := m.LoadGroups(interval, labels.EmptyLabels(), "", nil, false, ruleFiles...)
	if lerrs != nil {
		return lerrs
	}
	var names []string
	for name, g := range groups {
		names = append(names, name)
		for _, r := range g.Rules() {
			if ar, ok := r.(*rules.AlertingRule); ok {
				ar.SetRestored(true)
			}
		}
	}
	sort.Strings(names)

	var last time.Duration
	byStep := map[time.Duration][]AlertTest{}
	for _, at := range tg.AlertTests {
		evalAt, err := time.ParseDuration(at.EvalTime)
		if err != nil {
			return []error{err}
		}
		step := evalAt.Truncate(evalInterval)
		byStep[step] = append(byStep[step], at)
		last = max(last, evalAt)
	}
	for _, et := range tg.ExprTests {
		evalAt, err := time.ParseDuration(et.EvalTime)
		if err != nil {
			return []error{err}
		}
		last = max(last, evalAt)
	}
	var errs []error
	for at := time.Duration(0); at <= last; at += evalInterval {
		ts := time.Unix(0, 0).UTC().Add(at)
		for _, name := range names {
			g := groups[name]
			g.Eval(ctx, ts)
			for _, r := range g.Rules() {
				if r.LastError() != nil {
					errs = append(errs, fmt.Errorf("rule %s at %v: %w", r.Name(), ts, r.LastError()))
				}
			}
		}
		for _, test := range byStep[at] {
			if err := checkFiring(groups, test); err != nil {
				errs = append(errs, err)
			}
		}
	}
	for _, et := range tg.ExprTests {
		if err := runExprTest(ctx, engine, st, et); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// checkFiring compares the alerts firing under test's alert name with those
// it expects.
func checkFiring(groups map[string]*rules.Group, test AlertTest) error {
	var got []string
	for _, g := range groups {
		for _, r := range g.Rules() {
			ar, ok := r.(*rules.AlertingRule)
			if !ok || ar.Name() != test.Alertname {
				continue
			}
			for _, a := range ar.ActiveAlerts() {
				if a.State == rules.StateFiring {
					got = append(got, testutil.AlertString(a.Labels, a.Annotations))
				}
			}
		}
	}
	var want []string
	for _, e := range test.ExpAlerts {
		want = append(want, testutil.ExpectedAlert(test.Alertname, e.ExpLabels, e.ExpAnnotations))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		return fmt.Errorf("alert %s at %s:\n  want %q\n  got  %q", test.Alertname, test.EvalTime, want, got)
	}
	return nil
}

// runExprTest queries an expression test's expression at its time, once
// the rules have been evaluated, and compares the samples.
func runExprTest(ctx context.Context, engine *promql.Engine, st storage.Queryable, et ExprTest) error {
	evalAt, err := time.ParseDuration(et.EvalTime)
	if err != nil {
		return err
	}
	q, err := engine.NewInstantQuery(ctx, st, nil, et.Expr, time.Unix(0, 0).UTC().Add(evalAt))
	if err != nil {
		return err
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return res.Err
	}
	vec, _ := res.Value.(promql.Vector)
	var got, want []string
	for _, smp := range vec {
		got = append(got, fmt.Sprintf("%s %g", smp.Metric, smp.F))
	}
	for _, e := range et.ExpSamples {
		l, err := promqlParser.ParseMetric(e.Labels)
		if err != nil {
			return err
		}
		want = append(want, fmt.Sprintf("%s %g", l, e.Value))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		return fmt.Errorf("expr %s at %s:\n  want %q\n  got  %q", et.Expr, et.EvalTime, want, got)
	}
	return nil
}

// TestGeneratedUnitTestsPass is the property "the promtool tests we ship are
// correct": every generated case holds when evaluated by Prometheus' engine.
func TestGeneratedUnitTestsPass(t *testing.T) {
	t.Parallel()
	for name, o := range optionVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(testModel(), o)
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range runUnitTests(t, files) {
				t.Error(err)
			}
		})
	}
}

func optionVariants() map[string]Options {
	plain := DefaultOptions()
	plain.InferControllers = true
	overrides := plain
	overrides.ExtraAlertLabels = map[string]string{"team": "platform"}
	overrides.ClusterLabel = "cluster"
	// Listener and Route get exceptions; Certificate a disabled alert.
	overrides.OverrideFor = func(k model.Kind) AlertSettings {
		switch k.Kind {
		case "Listener", "Route":
			return AlertSettings{NegativeCondition: {Severity: "warning", For: 10 * time.Minute}, ReplicasMismatch: {Severity: "critical", For: time.Hour}}
		case "Certificate":
			return AlertSettings{ExpiresSoon: {Disabled: true}, ProblemCount: {Severity: "critical", For: 15 * time.Minute, Threshold: 3}}
		}
		return nil
	}
	custom := DefaultOptions()
	custom.Prefix = "crd"
	custom.Controllers = map[string][]string{"Certificate": {"certificates-issuing", "certificates-readiness"}}
	custom.Classes[ConditionNotTrue] = ClassSettings{Severity: "critical", For: 90 * time.Second}
	custom.Classes[ControllerSlow] = ClassSettings{Severity: "info", For: 10 * time.Minute, Threshold: 2.5}
	custom.Classes[GenerationLag] = ClassSettings{Disabled: true}
	custom.TimestampFor = 2 * time.Minute
	return map[string]Options{"defaults": plain, "overrides": overrides, "custom": custom}
}

// TestUnitTestsCanFail checks the harness and the cases: a rule that no
// longer fires for the failing object, or that also fires for a healthy
// one (which shares its test group), must fail the generated tests.
func TestUnitTestsCanFail(t *testing.T) {
	t.Parallel()
	for name, broken := range map[string][2]string{
		"never fires":        {`status="True"`, `status="Nope"`},
		"fires when healthy": {`status!="True"`, `status=~".*"`},
	} {
		t.Run(name, func(t *testing.T) {
			files, err := Render(testModel(), DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range files {
				if f.Path == PlainPath(PackName) {
					var pf plainFile
					if err := yaml.Unmarshal(f.Content, &pf); err != nil {
						t.Fatal(err)
					}
					for _, g := range pf.Groups {
						for j := range g.Rules {
							g.Rules[j].Expr = intstr.FromString(strings.ReplaceAll(g.Rules[j].Expr.String(), broken[0], broken[1]))
						}
					}
					b, err := yaml.Marshal(pf)
					if err != nil {
						t.Fatal(err)
					}
					files[i].Content = b
				}
			}
			errs := runUnitTests(t, files)
			if len(errs) == 0 {
				t.Fatal("a broken rule passed its generated tests")
			}
		})
	}
}

// TestOverridesAreExceptions checks the exception layer: rows for the kinds
// and classes crdmon.yaml changes, one exception alert per distinct setting
// (two kinds share one), none for a disabled class, and a pack that does
// not change.
func TestOverridesAreExceptions(t *testing.T) {
	files, err := Render(testModel(), optionVariants()["overrides"])
	if err != nil {
		t.Fatal(err)
	}
	plain, err := Render(testModel(), optionVariants()["defaults"])
	if err != nil {
		t.Fatal(err)
	}
	content := func(fs []output.File, p string) string {
		for _, f := range fs {
			if f.Path == p {
				return string(f.Content)
			}
		}
		t.Fatalf("no %s", p)
		return ""
	}
	c := content(files, PlainPath(OverridesName))
	if n := strings.Count(c, "record: "+OverrideMetric); n != 6 {
		t.Errorf("%d override rows, want 6 (2 classes × 2 gateway kinds, 2 for Certificate)\n%s", n, c)
	}
	for alert, want := range map[string]int{AlertNames[NegativeCondition]: 1, AlertNames[ReplicasMismatch]: 1, AlertNames[ProblemCount]: 1, AlertNames[ExpiresSoon]: 0} {
		if n := strings.Count(c, "alert: "+alert+"\n"); n != want {
			t.Errorf("%d exception rules %s, want %d", n, alert, want)
		}
	}
	pack := content(files, PlainPath(PackName))
	if strings.Contains(pack, "Listener") || strings.Contains(pack, "gateway.example.io") {
		t.Error("the pack names a kind or group")
	}
	if strings.Count(pack, "alert: ") != strings.Count(content(plain, PlainPath(PackName)), "alert: ") {
		t.Error("overrides changed the pack's alerts")
	}
}

// TestPackIsConstant checks the pack does not grow with the kinds: the same
// rules for one kind and for all the test kinds.
func TestPackIsConstant(t *testing.T) {
	one, err := Render(model.Model{Kinds: testModel().Kinds[:1]}, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	all, err := Render(testModel(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != len(all) {
		t.Fatalf("%d files for one kind, %d for all", len(one), len(all))
	}
	for i := range one {
		if one[i].Path != all[i].Path || string(one[i].Content) != string(all[i].Content) {
			t.Errorf("%s differs between one kind and all", one[i].Path)
		}
	}
}
