package simulate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/crdmon/crdmon/generator/alerting"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/output"
	crdrules "github.com/crdmon/crdmon/generator/rules"
)

// Step is the interval at which the snapshot is loaded and rules are evaluated.
const Step = time.Minute

// lookback is PromQL's default lookback delta: the window loaded before the
// first evaluation so that it sees the snapshot too.
const lookback = 5 * time.Minute

// promqlParser parses as Prometheus does without feature flags.
var promqlParser = parser.NewParser(parser.Options{})

// State is what an alert does for one object at the simulated time.
type State string

// States, from worst to best.
const (
	Firing  State = "firing"  // the expression held for the rule's whole for: duration
	Pending State = "pending" // it holds now, but not yet for the whole for: duration
	OK      State = "ok"      // it does not hold
)

// Rule is one alerting rule as Prometheus loads it.
type Rule struct {
	File          string // rule file path
	Group         string // rule group name
	Name          string // alert name
	Expr          parser.Expr
	For           time.Duration
	KeepFiringFor time.Duration
	Labels        map[string]string
	Annotations   map[string]string
}

// ParseRules reads the alerting rules of a plain Prometheus rule file with
// rulefmt, as Prometheus loads it; recording rules are skipped
// (PlainRecordingRules reads them). Errors name the file.
func ParseRules(file string, content []byte) ([]Rule, error) {
	groups, err := parseGroups(file, content)
	if err != nil {
		return nil, err
	}
	var out []Rule
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			expr, err := promqlParser.ParseExpr(r.Expr)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", file, r.Alert, err)
			}
			out = append(out, Rule{
				File: file, Group: g.Name, Name: r.Alert, Expr: expr,
				For: time.Duration(r.For), KeepFiringFor: time.Duration(r.KeepFiringFor),
				Labels: r.Labels, Annotations: r.Annotations,
			})
		}
	}
	return out, nil
}

// parseGroups reads a plain rule file with rulefmt, as Prometheus loads it.
func parseGroups(file string, content []byte) (*rulefmt.RuleGroups, error) {
	groups, errs := rulefmt.Parse(content, false, prommodel.UTF8Validation, promqlParser, slog.New(slog.DiscardHandler))
	if len(errs) > 0 {
		for i := range errs {
			errs[i] = fmt.Errorf("%s: %w", file, errs[i])
		}
		return nil, errors.Join(errs...)
	}
	return groups, nil
}

// PlainRules returns the alerting rules of the generated plain rule files
// (rules/<group>.rules.yaml) among files, in file order.
func PlainRules(files []output.File) ([]Rule, error) {
	var out []Rule
	for _, f := range files {
		if !crdrules.IsPlainPath(f.Path) {
			continue
		}
		rs, err := ParseRules(f.Path, f.Content)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

// Recording is one recording rule as Prometheus loads it.
type Recording struct {
	File, Record string
	Expr         string
	Labels       map[string]string
}

// PlainRecordingRules returns the recording rules of the generated plain
// rule files among files, in file and rule order.
func PlainRecordingRules(files []output.File) ([]Recording, error) {
	var out []Recording
	for _, f := range files {
		if !crdrules.IsPlainPath(f.Path) {
			continue
		}
		groups, err := parseGroups(f.Path, f.Content)
		if err != nil {
			return nil, err
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					out = append(out, Recording{File: f.Path, Record: r.Record, Expr: r.Expr, Labels: r.Labels})
				}
			}
		}
	}
	return out, nil
}

// Alert is one alert instance active at the simulated time.
type Alert struct {
	Rule        *Rule
	State       State             // Pending or Firing
	Labels      map[string]string // as Prometheus sends them: the series', the rule's, alertname
	Annotations map[string]string // expanded
	Value       float64           // the expression's value at the simulated time
	ActiveAt    time.Time         // first step it held at (the window start when it always held)
}

// Evaluate evaluates rules over a snapshot of samples, as Prometheus would at
// time at had the samples been scraped unchanged every Step before it: the
// samples are loaded at every Step from at-(longest for: + 5m) to at, and
// every rule is evaluated at each step as Prometheus' rule manager does
// (package alerting). An alert is Firing when its expression held at every
// step of the last for: duration, Pending when it holds at at but not for
// that long. Alerts are returned in rule order, then by labels.
func Evaluate(rs []Rule, recs []Recording, samples []ksmeval.Sample, at time.Time) ([]Alert, error) {
	s, err := newSession(rs, recs, samples, at)
	if err != nil {
		return nil, err
	}
	defer s.close()
	return s.alerts(rs)
}

// session is one loaded snapshot and the engine querying it.
type session struct {
	at     time.Time
	steps  []time.Time
	engine *promql.Engine
	query  alerting.QueryFunc
	cache  map[string]promql.Vector // instant query results at at
}

// The recording rules are evaluated first, in order, once, at the simulated
// time, and their results loaded like the snapshot, at every step: crdmon's
// recording rules read no clock (time() stays in the alerts), so over a
// constant snapshot they record the same at every step.
func newSession(rs []Rule, recs []Recording, samples []ksmeval.Sample, at time.Time) (*session, error) {
	at = time.UnixMilli(at.UnixMilli()).UTC()
	var longest time.Duration
	for _, r := range rs {
		longest = max(longest, r.For)
	}
	n := int((longest + lookback + Step - 1) / Step)
	s := &session{at: at, cache: map[string]promql.Vector{}}
	ts := make([]int64, 0, n+1)
	for k := n; k >= 0; k-- {
		t := at.Add(-time.Duration(k) * Step)
		s.steps = append(s.steps, t)
		ts = append(ts, t.UnixMilli())
	}
	seen := map[string]bool{}
	var series []alerting.Series
	for _, smp := range samples {
		m := make(map[string]string, len(smp.Labels)+1)
		for k, v := range smp.Labels {
			m[k] = v
		}
		m[labels.MetricName] = smp.Name
		l := labels.FromMap(m)
		if seen[l.String()] { // Prometheus keeps the first of a scrape's duplicates
			continue
		}
		seen[l.String()] = true
		points := make([]alerting.Sample, len(ts))
		for i, t := range ts {
			points[i] = alerting.Sample{T: t, F: smp.Value}
		}
		series = append(series, alerting.Series{Labels: l, Samples: points})
	}
	s.engine = promql.NewEngine(promql.EngineOpts{
		MaxSamples: 50_000_000, Timeout: time.Minute, LookbackDelta: lookback,
		NoStepSubqueryIntervalFn: func(int64) int64 { return Step.Milliseconds() },
		EnableAtModifier:         true, EnableNegativeOffset: true, Parser: promqlParser,
	})
	s.query = alerting.EngineQuery(s.engine, alerting.NewStorage(series))
	for _, r := range recs {
		v, err := s.query(context.Background(), r.Expr, s.at)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("%s: recording rule %s: %w", r.File, r.Record, err)
		}
		for _, smp := range v {
			b := labels.NewBuilder(smp.Metric).Set(labels.MetricName, r.Record)
			for k, val := range r.Labels {
				b.Set(k, val)
			}
			points := make([]alerting.Sample, len(ts))
			for i, t := range ts {
				points[i] = alerting.Sample{T: t, F: smp.F}
			}
			series = append(series, alerting.Series{Labels: b.Labels(), Samples: points})
		}
		s.query = alerting.EngineQuery(s.engine, alerting.NewStorage(series))
	}
	return s, nil
}

func (s *session) close() { s.engine.Close() }

// alerts runs every rule over the window and returns the active alerts at s.at.
func (s *session) alerts(rs []Rule) ([]Alert, error) {
	ctx := context.Background()
	var out []Alert
	for i := range rs {
		r := &rs[i]
		ev := alerting.NewEvaluator(alerting.Rule{Name: r.Name, Expr: r.Expr, For: r.For, KeepFiringFor: r.KeepFiringFor,
			Labels: r.Labels, Annotations: r.Annotations})
		for _, t := range s.steps {
			if err := ev.Eval(ctx, t, s.query); err != nil {
				return nil, fmt.Errorf("%s: alert %s at %s: %w", r.File, r.Name, t.Format(time.RFC3339), err)
			}
		}
		var got []Alert
		for _, a := range ev.Active() {
			st := Pending
			if a.State == alerting.Firing {
				st = Firing
			}
			got = append(got, Alert{Rule: r, State: st, Labels: a.Labels.Map(), Annotations: a.Annotations.Map(), Value: a.Value, ActiveAt: a.ActiveAt.UTC()})
		}
		sort.Slice(got, func(i, j int) bool {
			return labels.FromMap(got[i].Labels).String() < labels.FromMap(got[j].Labels).String()
		})
		out = append(out, got...)
	}
	return out, nil
}

// instant evaluates expr at the simulated time.
func (s *session) instant(expr string) (promql.Vector, error) {
	if v, ok := s.cache[expr]; ok {
		return v, nil
	}
	v, err := s.query(context.Background(), expr, s.at)
	if err == nil {
		s.cache[expr] = v
	}
	return v, err
}
