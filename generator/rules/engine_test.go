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
	perKind := DefaultOptions()
	perKind.InferControllers = true
	perGroup := perKind
	perGroup.Granularity = PerGroup
	perGroup.ExtraAlertLabels = map[string]string{"team": "platform"}
	// Listener gets rules of its own; its group's rules exclude it.
	perGroup.OverrideFor = func(k model.Kind) AlertSettings {
		if k.Kind == "Listener" {
			return AlertSettings{NegativeCondition: {Severity: "warning", For: 10 * time.Minute}}
		}
		return nil
	}
	custom := DefaultOptions()
	custom.Prefix = "crd"
	custom.Controllers = map[string][]string{"Certificate": {"certificates-issuing", "certificates-readiness"}}
	custom.Classes[ConditionNotTrue] = ClassSettings{Severity: "critical", For: 90 * time.Second}
	custom.Classes[ControllerSlow] = ClassSettings{Severity: "info", For: 10 * time.Minute, Threshold: 2.5}
	custom.TimestampFor = 2 * time.Minute
	return map[string]Options{"per-kind": perKind, "per-group": perGroup, "custom": custom}
}

// TestUnitTestsCanFail checks the harness and the cases: a rule that no
// longer fires for the failing object, or that also fires for the healthy
// one (which shares its test group), must fail the generated tests.
func TestUnitTestsCanFail(t *testing.T) {
	t.Parallel()
	for name, broken := range map[string]string{"never fires": `status="Nope"`, "fires when healthy": `status=~".+"`} {
		t.Run(name, func(t *testing.T) {
			files, err := Render(testModel(), DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			for i, f := range files {
				if f.Path == PlainPath("cert-manager.io") {
					files[i].Content = []byte(strings.Replace(string(f.Content), `status!="True"`, broken, 1))
				}
			}
			errs := runUnitTests(t, files)
			if len(errs) == 0 {
				t.Fatal("a broken rule passed its generated tests")
			}
			if !strings.Contains(errs[0].Error(), "CertificateNotReady") {
				t.Errorf("unexpected failure: %v", errs[0])
			}
		})
	}
}

func TestOverrideSplitsGroup(t *testing.T) {
	files, err := Render(testModel(), optionVariants()["per-group"])
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path != PlainPath("gateway.example.io") {
			continue
		}
		c := string(f.Content)
		for _, want := range []string{`customresource_kind!~"Listener"`, "alert: ListenerFailed", "alert: GatewayExampleNotAccepted"} {
			if !strings.Contains(c, want) {
				t.Errorf("%s lacks %s", f.Path, want)
			}
		}
		return
	}
	t.Fatal("no gateway.example.io rules")
}
