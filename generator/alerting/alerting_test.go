package alerting

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

var testParser = parser.NewParser(parser.Options{})

// minute returns the time of evaluation step i (one a minute from the epoch).
func minute(i int) time.Time { return time.Unix(0, 0).UTC().Add(time.Duration(i) * time.Minute) }

// queryOver serves queries over series whose i-th value is at minute i;
// NaN values (but stale markers) are left out.
func queryOver(t *testing.T, values map[string][]float64) QueryFunc {
	t.Helper()
	var series []Series
	for desc, vs := range values {
		l, err := testParser.ParseMetric(desc)
		if err != nil {
			t.Fatal(err)
		}
		s := Series{Labels: l}
		for i, v := range vs {
			if !math.IsNaN(v) || math.Float64bits(v) == staleNaN {
				s.Samples = append(s.Samples, Sample{T: minute(i).UnixMilli(), F: v})
			}
		}
		series = append(series, s)
	}
	engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 10000, Timeout: time.Minute, LookbackDelta: 5 * time.Minute, Parser: testParser})
	t.Cleanup(func() { engine.Close() })
	return EngineQuery(engine, NewStorage(series))
}

func testRule(t *testing.T, expr string, forDur, keep time.Duration) Rule {
	t.Helper()
	x, err := testParser.ParseExpr(expr)
	if err != nil {
		t.Fatal(err)
	}
	return Rule{Name: "A", Expr: x, For: forDur, KeepFiringFor: keep}
}

// states evaluates r at minutes 0..n-1 and returns, per minute, the state of
// its one alert ("-" when there is none) and when it became active.
func states(t *testing.T, r Rule, query QueryFunc, n int) string {
	t.Helper()
	e := NewEvaluator(r)
	var out []string
	for i := range n {
		if err := e.Eval(context.Background(), minute(i), query); err != nil {
			t.Fatal(err)
		}
		switch active := e.Active(); len(active) {
		case 0:
			out = append(out, "-")
		case 1:
			out = append(out, fmt.Sprintf("%s@%d", active[0].State, int(active[0].ActiveAt.Sub(minute(0)).Minutes())))
		default:
			t.Fatalf("minute %d: %d alerts, want at most 1", i, len(active))
		}
	}
	return strings.Join(out, " ")
}

var nan = math.NaN()

// TestStates pins the rule manager's state machine: pending until held for
// for:, reset by a gap, kept firing (but never kept pending) for
// keep_firing_for after the series goes, a stale series ending an alert.
func TestStates(t *testing.T) {
	cases := []struct {
		name       string
		values     []float64
		for_, keep time.Duration
		want       string
	}{
		{"for 3m", []float64{1, 1, 1, 1, 1}, 3 * time.Minute, 0, "pending@0 pending@0 pending@0 firing@0 firing@0"},
		{"no for", []float64{0, 1, 1}, 0, 0, "- firing@1 firing@1"},
		{"a gap resets for", []float64{1, 1, 0, 1, 1, 1}, 2 * time.Minute, 0, "pending@0 pending@0 - pending@3 pending@3 firing@3"},
		{"resolved at once", []float64{1, 1, 0, 0}, time.Minute, 0, "pending@0 firing@0 - -"},
		{"keep firing", []float64{1, 1, 0, 0, 0, 0}, time.Minute, 2 * time.Minute, "pending@0 firing@0 firing@0 firing@0 - -"},
		{"keep firing restarts", []float64{1, 1, 0, 1, 0, 0, 0}, time.Minute, 2 * time.Minute, "pending@0 firing@0 firing@0 firing@0 firing@0 firing@0 -"},
		{"never keeps pending", []float64{1, 0, 1}, 5 * time.Minute, 2 * time.Minute, "pending@0 - pending@2"},
		{"stale ends the series", []float64{1, 1, math.Float64frombits(staleNaN), nan}, 0, 0, "firing@0 firing@0 - -"},
		{"lookback keeps a missing sample", []float64{1, nan, nan, 1}, 2 * time.Minute, 0, "pending@0 pending@0 firing@0 firing@0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := queryOver(t, map[string][]float64{`m{name="x"}`: c.values})
			if got := states(t, testRule(t, "m > 0", c.for_, c.keep), q, len(c.values)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
}

// staleNaN is Prometheus' stale marker (value.StaleNaN).
const staleNaN = 0x7ff0000000000002

// TestLabelsAndAnnotations: the series' labels without __name__, the rule's
// labels expanded (overriding the series'), alertname last; a label set that
// changes (here with $value) starts a new alert; annotations are expanded
// with $labels and $value at every evaluation; a template error is in the
// text, as Prometheus puts it.
func TestLabelsAndAnnotations(t *testing.T) {
	q := queryOver(t, map[string][]float64{`m{name="x", severity="low", alertname="no"}`: {2, 3, 3}})
	r := testRule(t, "m", time.Minute, 0)
	r.Labels = map[string]string{"severity": "high", "who": "{{ $labels.name }}-{{ $value }}"}
	r.Annotations = map[string]string{"summary": "{{ $labels.__name__ }} {{ $labels.name }} is {{ $value | humanize }}", "bad": "{{ nope }}"}
	e := NewEvaluator(r)
	for i := range 3 {
		if err := e.Eval(context.Background(), minute(i), q); err != nil {
			t.Fatal(err)
		}
	}
	got := e.Active()
	if len(got) != 1 {
		t.Fatalf("%d alerts, want 1", len(got))
	}
	a := got[0]
	if want := `{alertname="A", name="x", severity="high", who="x-3"}`; a.Labels.String() != want {
		t.Errorf("labels %s, want %s", a.Labels, want)
	}
	if a.State != Firing || !a.ActiveAt.Equal(minute(1)) || a.Value != 3 {
		t.Errorf("state %s since %s value %v, want firing since minute 1 (the label set changed then), value 3", a.State, a.ActiveAt, a.Value)
	}
	if s := a.Annotations.Get("summary"); s != "m x is 3" {
		t.Errorf("summary %q", s)
	}
	if b := a.Annotations.Get("bad"); !strings.HasPrefix(b, "<error expanding template: ") || !strings.Contains(b, "nope") {
		t.Errorf("bad annotation %q", b)
	}
}

// A label set twice in one result is an error that leaves the alerts as they were.
func TestDuplicateLabelSet(t *testing.T) {
	q := queryOver(t, map[string][]float64{`m{name="x"}`: {1, 1}, `n{name="x"}`: {nan, 1}})
	e := NewEvaluator(testRule(t, `{__name__=~"m|n"}`, 0, 0))
	if err := e.Eval(context.Background(), minute(0), q); err != nil {
		t.Fatal(err)
	}
	if err := e.Eval(context.Background(), minute(1), q); !errors.Is(err, ErrDuplicateLabelSet) {
		t.Fatalf("got %v, want ErrDuplicateLabelSet", err)
	}
	if got := e.Active(); len(got) != 1 || !got[0].ActiveAt.Equal(minute(0)) {
		t.Errorf("alerts changed: %+v", got)
	}
}

// Scalars become one series without labels; strings are errors.
func TestEngineQueryResultTypes(t *testing.T) {
	q := queryOver(t, nil)
	v, err := q(context.Background(), "2", minute(0))
	if err != nil || len(v) != 1 || v[0].F != 2 || !labels.Equal(v[0].Metric, labels.EmptyLabels()) {
		t.Errorf("scalar: got %v, %v", v, err)
	}
	if _, err := q(context.Background(), `"s"`, minute(0)); err == nil {
		t.Error("a string result is no error")
	}
}

func TestExpand(t *testing.T) {
	got, err := Expand(context.Background(), "A", "{{ $labels.name }}: {{ $value | humanizePercentage }}", map[string]string{"name": "x"}, 0.25, minute(0), nil)
	if err != nil || got != "x: 25%" {
		t.Errorf("got %q, %v", got, err)
	}
	if _, err := Expand(context.Background(), "A", "{{ nope }}", nil, 0, minute(0), nil); err == nil {
		t.Error("a bad template expanded")
	}
}
