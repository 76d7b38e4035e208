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
		for _, tg := range tf.Tests {
			n++
			for _, err := range runTestGroup(t, tg, ruleFiles) {
				errs = append(errs, fmt.Errorf("%s: %s: %w", f.Path, tg.Name, err))
			}
		}
	}
	if n == 0 {
		t.Fatal("no promtool test cases rendered")
	}
	return errs
}

func runTestGroup(t *testing.T, tg TestGroup, ruleFiles []string) []error {
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
		NoStepSubqueryIntervalFn: func(int64) int64 { return interval.Milliseconds() },
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

	var errs []error
	for _, at := range tg.AlertTests {
		evalAt, err := time.ParseDuration(at.EvalTime)
		if err != nil {
			return []error{err}
		}
		var got []string
		for ts := time.Unix(0, 0).UTC(); !ts.After(time.Unix(0, 0).Add(evalAt)); ts = ts.Add(interval) {
			got = nil
			for _, name := range names {
				g := groups[name]
				g.Eval(ctx, ts)
				for _, r := range g.Rules() {
					if r.LastError() != nil {
						errs = append(errs, fmt.Errorf("rule %s at %v: %w", r.Name(), ts, r.LastError()))
					}
					ar, ok := r.(*rules.AlertingRule)
					if !ok || ar.Name() != at.Alertname {
						continue
					}
					for _, a := range ar.ActiveAlerts() {
						if a.State == rules.StateFiring {
							got = append(got, a.Labels.String()+" "+a.Annotations.String())
						}
					}
				}
			}
		}
		var want []string
		for _, e := range at.ExpAlerts {
			l := labels.FromMap(e.ExpLabels)
			b := labels.NewBuilder(l)
			b.Set(labels.AlertName, at.Alertname)
			want = append(want, b.Labels().String()+" "+labels.FromMap(e.ExpAnnotations).String())
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			errs = append(errs, fmt.Errorf("alert %s at %s:\n  want %q\n  got  %q", at.Alertname, at.EvalTime, want, got))
		}
	}
	for _, et := range tg.ExprTests {
		errs = append(errs, runExprTest(ctx, engine, st, groups, names, interval, et)...)
	}
	return errs
}

// runExprTest evaluates the rule groups up to an expression test's time,
// as promtool does, then compares the expression's samples.
func runExprTest(ctx context.Context, engine *promql.Engine, st storage.Queryable, groups map[string]*rules.Group, names []string, interval time.Duration, et ExprTest) []error {
	evalAt, err := time.ParseDuration(et.EvalTime)
	if err != nil {
		return []error{err}
	}
	end := time.Unix(0, 0).UTC().Add(evalAt)
	for ts := time.Unix(0, 0).UTC(); !ts.After(end); ts = ts.Add(interval) {
		for _, name := range names {
			groups[name].Eval(ctx, ts)
		}
	}
	q, err := engine.NewInstantQuery(ctx, st, nil, et.Expr, end)
	if err != nil {
		return []error{err}
	}
	defer q.Close()
	res := q.Exec(ctx)
	if res.Err != nil {
		return []error{res.Err}
	}
	vec, _ := res.Value.(promql.Vector)
	var got, want []string
	for _, smp := range vec {
		got = append(got, fmt.Sprintf("%s %g", smp.Metric, smp.F))
	}
	for _, e := range et.ExpSamples {
		l, err := promqlParser.ParseMetric(e.Labels)
		if err != nil {
			return []error{err}
		}
		want = append(want, fmt.Sprintf("%s %g", l, e.Value))
	}
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		return []error{fmt.Errorf("expr %s at %s:\n  want %q\n  got  %q", et.Expr, et.EvalTime, want, got)}
	}
	return nil
}

// TestGeneratedUnitTestsPass is the property "the promtool tests we ship are
// correct": every generated case holds when evaluated by Prometheus' engine.
func TestGeneratedUnitTestsPass(t *testing.T) {
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

// TestUnitTestsCanFail checks the harness: a rule file whose alert no longer
// fires must fail the generated tests.
func TestUnitTestsCanFail(t *testing.T) {
	files, err := Render(testModel(), DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		if f.Path == PlainPath("cert-manager.io") {
			files[i].Content = []byte(strings.Replace(string(f.Content), `status!="True"`, `status="Nope"`, 1))
		}
	}
	errs := runUnitTests(t, files)
	if len(errs) == 0 {
		t.Fatal("a broken rule passed its generated tests")
	}
	if !strings.Contains(errs[0].Error(), "CertificateNotReady") {
		t.Errorf("unexpected failure: %v", errs[0])
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
