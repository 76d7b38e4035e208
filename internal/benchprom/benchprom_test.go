package benchprom

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/simulate"
	"github.com/crdmon/crdmon/internal/testutil"
)

// generated is the plain rules of the repository's example CRDs.
func generated(t *testing.T) *generator.Result {
	t.Helper()
	res, err := generateRules([]string{testutil.TestdataCRDs(t)})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestSynthesizeDeterministic(t *testing.T) {
	res := generated(t)
	kinds := PickKinds(res.Model, 0)
	if len(kinds) == 0 {
		t.Fatal("no kind with signals among the example CRDs")
	}
	a := Synthesize(kinds, 101, 7, 0.3)
	b := Synthesize(kinds, 101, 7, 0.3)
	if !reflect.DeepEqual(Maps(a), Maps(b)) {
		t.Error("the same arguments synthesized different objects")
	}
	c := Synthesize(kinds, 101, 8, 0.3)
	if reflect.DeepEqual(Maps(a), Maps(c)) {
		t.Error("another seed synthesized the same objects")
	}
	broken, names := 0, map[string]bool{}
	for _, o := range a {
		if o.Fault != "" {
			broken++
		}
		meta := o.Obj["metadata"].(map[string]any)
		key := fmt.Sprint(o.Obj["kind"], meta["namespace"], meta["name"])
		if names[key] {
			t.Errorf("two objects named %s", key)
		}
		names[key] = true
	}
	// 30 of 101, less any object whose kind allows no fault.
	if broken > 30 || broken < 20 {
		t.Errorf("%d broken objects, want about 30", broken)
	}
	if got := PickKinds(res.Model, 1); len(got) != 1 {
		t.Errorf("PickKinds(1) = %d kinds", len(got))
	}
}

// Every fault makes its object a trouble simulate reports, and every
// healthy object is Healthy with no alert: the checks against Prometheus
// compare something.
func TestFaultsAreDetected(t *testing.T) {
	res := generated(t)
	objs := Synthesize(PickKinds(res.Model, 0), 120, 3, 0.5)
	rep, err := simulate.Run(res, Maps(objs), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	alerted := map[ObjectKey]bool{}
	for k := range ExpectedAlerts(rep) {
		alerted[ObjectKey{k.Group, k.Kind, k.Namespace, k.Name}] = true
	}
	states := map[ObjectKey]string{}
	for _, h := range rep.Health {
		states[ObjectKey{h.Group, h.Kind, h.Namespace, h.Name}] = h.State + "/" + h.Reason
	}
	if len(rep.Health) != len(objs) {
		t.Errorf("%d health states for %d objects", len(rep.Health), len(objs))
	}
	for _, o := range objs {
		meta := o.Obj["metadata"].(map[string]any)
		ns, _ := meta["namespace"].(string)
		k := ObjectKey{o.Kind.Group, o.Kind.Kind, ns, meta["name"].(string)}
		switch {
		case o.Fault != "" && !alerted[k]:
			t.Errorf("%s (%s): no alert", k, o.Fault)
		case o.Fault == "" && alerted[k]:
			t.Errorf("%s (healthy): alerted", k)
		case o.Fault == "" && !strings.HasPrefix(states[k], "Healthy/"):
			t.Errorf("%s (healthy): recorded %s", k, states[k])
		}
	}
}

// The exposition the exporter serves parses with Prometheus' own text
// parser into exactly the samples ksmeval computed.
func TestExpositionParses(t *testing.T) {
	res := generated(t)
	ev, err := simulate.Series(res, Maps(Synthesize(PickKinds(res.Model, 0), 40, 1, 0.25)))
	if err != nil {
		t.Fatal(err)
	}
	body := ev.Exposition()
	// Prometheus' own parser of the text format, as kube-state-metrics
	// serves it.
	parser := expfmt.NewTextParser(prommodel.UTF8Validation)
	mf, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for name, f := range mf {
		for _, x := range f.GetMetric() {
			m := map[string]string{labels.MetricName: name}
			for _, l := range x.GetLabel() {
				m[l.GetName()] = l.GetValue()
			}
			got[labels.FromMap(m).String()] = x.GetGauge().GetValue() + x.GetUntyped().GetValue() + x.GetCounter().GetValue()
		}
	}
	samples := ev.Samples()
	if len(got) != len(samples) || len(samples) == 0 {
		t.Fatalf("parsed %d series, ksmeval computed %d", len(got), len(samples))
	}
	for _, s := range samples {
		m := map[string]string{labels.MetricName: s.Name}
		for k, v := range s.Labels {
			m[k] = v
		}
		if v, ok := got[labels.FromMap(m).String()]; !ok || v != s.Value {
			t.Errorf("%s %v: parsed %v (%t)", s.Name, s.Labels, v, ok)
		}
	}
	// The exporter serves it as is.
	exp, err := StartExporter(body)
	if err != nil {
		t.Fatal(err)
	}
	defer exp.Close()
	m, err := (&Prometheus{Addr: exp.Addr, client: testClient}).Metrics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for name := range m {
		n += m.Count(name)
	}
	if n != len(samples) || exp.Scrapes() != 1 {
		t.Errorf("served %d samples in %d scrapes, want %d in 1", n, exp.Scrapes(), len(samples))
	}
}

func TestMeasure(t *testing.T) {
	with := Window{
		Start:   Reading{CPU: 10, RSS: 300e6, Heap: 100e6, Missed: 1, Iter: 10},
		Rounds:  []Reading{{CPU: 12, RuleEval: 0.5}, {CPU: 14, RuleEval: 0.7}, {CPU: 16, RSS: 310e6, Heap: 120e6, RuleEval: 0.6, Missed: 3, Iter: 16, Series: 900}},
		PeakRSS: 400e6,
	}
	base := Window{
		Start:   Reading{CPU: 1, RSS: 100e6},
		Rounds:  []Reading{{CPU: 1.1}, {CPU: 1.2}, {CPU: 1.3, RSS: 110e6, Heap: 40e6}},
		PeakRSS: 150e6,
	}
	c := Measure(with, base)
	c.PerGroup(2) // 6 iterations of 2 groups, 2 missed: 2 rounds run of 3
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	for _, x := range []struct {
		name      string
		got, want float64
	}{
		{"CPU", c.CPU, 2}, {"CPUBase", c.CPUBase, 0.1}, {"NetCPU", c.NetCPU(), 1.9},
		{"NetRSS", c.NetRSS(), 200e6}, {"NetHeap", c.NetHeap(), 80e6}, {"NetPeakRSS", c.NetPeakRSS(), 250e6},
		{"RuleEval", c.RuleEval, 0.6}, {"Missed", c.Missed, 2}, {"Series", c.Series, 900},
		{"Rounds", float64(c.Rounds), 3}, {"Evaluated", c.Evaluated, 2}, {"NetCPUPerEvaluated", c.NetCPUPerEvaluated(), 2.85},
	} {
		if !near(x.got, x.want) {
			t.Errorf("%s = %v, want %v", x.name, x.got, x.want)
		}
	}
	c.Rules, c.RuleBytes, c.LoadRules = 12, 2_500_000, 1500*time.Millisecond
	if got, want := c.MarkdownRow("x"), "| x | 12 | 2.50 MB | 1.900 s | +200 MB | +80 MB | 1.50 s | 0.600 s |"; got != want {
		t.Errorf("MarkdownRow = %q, want %q", got, want)
	}
	var b bytes.Buffer
	c.Print(&b)
	if !strings.Contains(b.String(), "1.900 s net") {
		t.Errorf("Print:\n%s", b.String())
	}
}

func TestReadingOf(t *testing.T) {
	m, err := ParseMetrics(strings.NewReader(`# TYPE process_cpu_seconds_total counter
process_cpu_seconds_total 12.5
process_resident_memory_bytes 2e+08
go_memstats_heap_inuse_bytes 1e+08
prometheus_rule_group_last_duration_seconds{rule_group="a;x"} 0.25
prometheus_rule_group_last_duration_seconds{rule_group="b;y"} 0.5
prometheus_rule_group_rules{rule_group="a;x"} 3
prometheus_rule_group_rules{rule_group="b;y"} 4
`))
	if err != nil {
		t.Fatal(err)
	}
	r := ReadingOf(m)
	if r.CPU != 12.5 || r.RSS != 2e8 || r.Heap != 1e8 || r.RuleEval != 0.75 {
		t.Errorf("ReadingOf = %+v", r)
	}
	if m.Sum(metricGroupRules) != 7 || m.Count(metricGroupRules) != 2 {
		t.Errorf("rules %v in %d groups", m.Sum(metricGroupRules), m.Count(metricGroupRules))
	}
}

func TestParseRulesLoadTime(t *testing.T) {
	log := `time=2026-12-07T05:00:00.000Z level=INFO source=main.go:1 msg="Loading configuration file" filename=/x/prometheus.yml
time=2026-12-07T05:00:17.000Z level=INFO source=main.go:2 msg="Completed loading of configuration file" db_storage=1.1µs remote_storage=2µs web_handler=400ns query_engine=800ns scrape=300µs scrape_sd=40µs notify=1µs notify_sd=1µs rules=17.25s tracing=5µs filename=/x/prometheus.yml totalDuration=17.3s
`
	d, ok := parseRulesLoadTime(strings.NewReader(log))
	if !ok || d != 17250*time.Millisecond {
		t.Errorf("parseRulesLoadTime = %s, %t", d, ok)
	}
	if _, ok := parseRulesLoadTime(strings.NewReader("nothing\n")); ok {
		t.Error("found a load time in a log without one")
	}
}

func TestChecks(t *testing.T) {
	rep := &simulate.Report{
		Rows: []simulate.Row{
			{Alert: "A", State: simulate.Firing, Labels: map[string]string{"alertname": "A", "customresource_group": "g", "customresource_kind": "K", "name": "x"}},
			{Alert: "B", State: simulate.Pending, Labels: map[string]string{"alertname": "B", "customresource_group": "g", "customresource_kind": "K", "name": "x"}},
			{Alert: "C", State: simulate.OK},
		},
		Health: []simulate.ObjectHealth{{Group: "g", Kind: "K", Name: "x", State: "Degraded", Reason: "Ready"},
			{Group: "g", Kind: "K", Name: "y", State: "Healthy", Reason: "Ready"}},
	}
	got := ActualAlerts([]APIAlert{
		{Labels: map[string]string{"alertname": "A", "customresource_group": "g", "customresource_kind": "K", "name": "x"}, State: "pending"},
		{Labels: map[string]string{"alertname": "C", "customresource_group": "g", "customresource_kind": "K", "name": "y"}, State: "firing"},
	})
	missing, unexpected := DiffCounts(ExpectedAlerts(rep), got)
	if fmt.Sprint(missing) != "[B g/K x (×1, found ×0)]" || fmt.Sprint(unexpected) != "[C g/K y (×1, expected ×0)]" {
		t.Errorf("missing %q, unexpected %q", missing, unexpected)
	}
	series := func(name, state string) VectorSample {
		return VectorSample{Metric: map[string]string{"customresource_group": "g", "customresource_kind": "K", "name": name, "state": state, "reason": "Ready"}}
	}
	if p := CheckHealth(rep.Health, []VectorSample{series("x", "Degraded"), series("y", "Healthy")}); len(p) != 0 {
		t.Errorf("CheckHealth of matching series: %q", p)
	}
	p := CheckHealth(rep.Health, []VectorSample{series("x", "Degraded"), series("x", "Healthy"), series("z", "Healthy")})
	if len(p) != 3 || !strings.Contains(p[0], "2 crdmon:health:state series") || !strings.Contains(p[1], "g/K y: no") || !strings.Contains(p[2], "g/K z: 1") {
		t.Errorf("CheckHealth = %q", p)
	}
}

func TestPromConfig(t *testing.T) {
	got := PromConfig{Interval: 15 * time.Second, Target: "127.0.0.1:9", RuleGlob: "/r/*"}.YAML()
	for _, want := range []string{"scrape_interval: 15s", "evaluation_interval: 15s", "scrape_timeout: 10s", `targets: ["127.0.0.1:9"]`, "honor_labels: true", `- "/r/*"`} {
		if !strings.Contains(got, want) {
			t.Errorf("config lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(PromConfig{Interval: 5 * time.Second}.YAML(), "rule_files") {
		t.Error("a config without rules has rule_files")
	}
}

// The real thing, in quick mode, over the example CRDs: set
// CRDMON_BENCH_PROMETHEUS=1 (it takes about half a minute), with
// bin/prometheus from make tools or $PROMETHEUS_BIN.
func TestRunQuick(t *testing.T) {
	if os.Getenv("CRDMON_BENCH_PROMETHEUS") == "" {
		t.Skip("set CRDMON_BENCH_PROMETHEUS=1 to run two real Prometheus processes")
	}
	bin, ok := testutil.RepoBinary(t, "PROMETHEUS_BIN", "prometheus")
	if !ok {
		t.Skipf("no prometheus at %s (make tools)", bin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var log bytes.Buffer
	res, err := Run(ctx, Options{Inputs: []string{testutil.TestdataCRDs(t)}, Objects: 60, Broken: 0.3, Seed: 1,
		Rounds: 2, Interval: 3 * time.Second, Prometheus: bin, Dir: t.TempDir(), Log: &log})
	t.Log(log.String())
	if res != nil {
		var b bytes.Buffer
		res.Cost.Print(&b)
		res.Summary(&b)
		t.Log(b.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	if res.Cost.Rules == 0 || res.Expected == 0 || res.Firing+res.Pending != res.Expected || res.Cost.CPU <= 0 {
		t.Errorf("implausible result: %+v", res)
	}
}

var testClient = &http.Client{Timeout: 10 * time.Second}

func TestPickKinds(t *testing.T) {
	var m model.Model
	signals := &model.Generation{}
	for g, n := range []int{5, 1, 2, 1, 3, 1} {
		for i := 0; i < n; i++ {
			m.Kinds = append(m.Kinds, model.Kind{Group: fmt.Sprintf("g%d", g), Kind: fmt.Sprintf("K%d", i), Generation: signals})
		}
	}
	m.Kinds = append(m.Kinds, model.Kind{Group: "g9", Kind: "NoSignals"})
	names := func(ks []model.Kind) string {
		var out []string
		for _, k := range ks {
			out = append(out, k.Group+"/"+k.Kind)
		}
		return strings.Join(out, " ")
	}
	for _, c := range []struct {
		k    int
		want string
	}{
		{0, "g0/K0 g0/K1 g0/K2 g0/K3 g0/K4 g1/K0 g2/K0 g2/K1 g3/K0 g4/K0 g4/K1 g4/K2 g5/K0"},
		{99, "g0/K0 g0/K1 g0/K2 g0/K3 g0/K4 g1/K0 g2/K0 g2/K1 g3/K0 g4/K0 g4/K1 g4/K2 g5/K0"},
		// 13 kinds for 6: every other group, g2 giving one of its two.
		{6, "g0/K0 g0/K1 g0/K2 g0/K3 g0/K4 g2/K0"},
		// 13 kinds for 3: every fourth group, g0 giving three.
		{3, "g0/K0 g0/K1 g0/K2"},
		{2, "g0/K0 g0/K1"},
	} {
		if got := names(PickKinds(m, c.k)); got != c.want {
			t.Errorf("PickKinds(%d) = %s, want %s", c.k, got, c.want)
		}
	}
	// Strides that leave too few kinds start over one group further.
	var wrap model.Model
	for g, n := range []int{1, 9, 1, 9} {
		for i := 0; i < n; i++ {
			wrap.Kinds = append(wrap.Kinds, model.Kind{Group: fmt.Sprintf("g%d", g), Kind: fmt.Sprintf("K%d", i), Generation: signals})
		}
	}
	if got, want := names(PickKinds(wrap, 4)), "g0/K0 g1/K0 g1/K1 g1/K2"; got != want {
		t.Errorf("PickKinds(4) = %s, want %s", got, want)
	}
	if got := Groups(PickKinds(m, 6)); fmt.Sprint(got) != "[g0 g2]" {
		t.Errorf("Groups = %v", got)
	}
}

func TestFilesFor(t *testing.T) {
	files := []output.File{
		{Path: "rules/a.rules.yaml", Content: []byte(`expr: x{customresource_group="a"}`)},
		{Path: "rules/b.rules.yaml", Content: []byte(`expr: x{customresource_group="b"} or y{customresource_group="c"}`)},
		{Path: "rules/pack.rules.yaml", Content: []byte(`expr: x{crdmon="true"}`)},
	}
	var got []string
	for _, f := range filesFor(files, []string{"c"}) {
		got = append(got, f.Path)
	}
	if fmt.Sprint(got) != "[rules/b.rules.yaml rules/pack.rules.yaml]" {
		t.Errorf("filesFor = %v", got)
	}
}
