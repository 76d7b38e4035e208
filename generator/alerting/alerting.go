// Package alerting evaluates Prometheus alerting rules step by step in
// Prometheus' PromQL engine, with the semantics of Prometheus' rule manager
// (rules.AlertingRule, as `promtool test rules` runs it): an alert becomes
// pending at the first evaluation whose result has its label set, fires
// once it has been pending for the rule's for: duration, keeps firing for
// keep_firing_for after the result loses it, and has its labels and
// annotations expanded with Prometheus' alert templates.
//
// It exists so that crdmon need not import prometheus/rules, which brings
// the notifier, service discovery and remote-write authentication (and
// with them the AWS, Azure and Google Cloud SDKs and gRPC) into every
// module that installs crdmon.
package alerting

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/template"
)

// Rule is one alerting rule.
type Rule struct {
	Name          string
	Expr          parser.Expr
	For           time.Duration     // how long an alert is pending before it fires
	KeepFiringFor time.Duration     // how long a firing alert outlives its series
	Labels        map[string]string // templates, expanded per alert
	Annotations   map[string]string // templates, expanded per alert
}

// State is the state of an alert.
type State int

// States, from best to worst.
const (
	Inactive State = iota // resolved: the expression no longer returns it
	Pending               // returned, but for less than the rule's for: duration
	Firing                // returned for at least the for: duration, or kept firing
)

// String names the state as Prometheus does.
func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Firing:
		return "firing"
	}
	return "inactive"
}

// Alert is one instance of a rule: one series of the expression's result.
type Alert struct {
	// Labels are the series' labels without the metric name, the rule's
	// labels (expanded) and alertname.
	Labels labels.Labels
	// Annotations are the rule's annotations, expanded at the last
	// evaluation whose result had the alert.
	Annotations labels.Labels
	State       State
	Value       float64   // the series' value at that evaluation
	ActiveAt    time.Time // the first evaluation of the current pending and firing period
	// KeepFiringSince is the first evaluation that kept the alert firing
	// without its series (zero when its series is there).
	KeepFiringSince time.Time
}

// QueryFunc runs an instant query at time t and returns its result as a
// vector, as the rule manager's query function does.
type QueryFunc func(ctx context.Context, expr string, t time.Time) (promql.Vector, error)

// EngineQuery returns a QueryFunc running queries in engine over q. A scalar
// result becomes one sample without labels; any other type but a vector is
// an error (rules.EngineQueryFunc).
func EngineQuery(engine promql.QueryEngine, q storage.Queryable) QueryFunc {
	return func(ctx context.Context, expr string, t time.Time) (promql.Vector, error) {
		query, err := engine.NewInstantQuery(ctx, q, nil, expr, t)
		if err != nil {
			return nil, err
		}
		defer query.Close()
		res := query.Exec(ctx)
		if res.Err != nil {
			return nil, res.Err
		}
		switch v := res.Value.(type) {
		case promql.Vector:
			return v, nil
		case promql.Scalar:
			return promql.Vector{{T: v.T, F: v.V, Metric: labels.EmptyLabels()}}, nil
		}
		return nil, errors.New("rule result is not a vector or scalar")
	}
}

// ErrDuplicateLabelSet is returned when two series of a result give the same
// alert label set (Prometheus' rules.ErrDuplicateAlertLabelSet).
var ErrDuplicateLabelSet = errors.New("vector contains metrics with the same labelset after applying alert labels")

// Evaluator holds one rule's alerts across evaluations. Evaluate it at
// increasing times, one evaluation interval apart, as Prometheus would.
type Evaluator struct {
	rule   Rule
	active map[string]*Alert // by labels.String()
}

// NewEvaluator returns an evaluator of r with no alerts yet.
func NewEvaluator(r Rule) *Evaluator {
	return &Evaluator{rule: r, active: map[string]*Alert{}}
}

// Eval evaluates the rule at ts with query and updates its alerts. A query
// error or ErrDuplicateLabelSet leaves the alerts as they were.
func (e *Evaluator) Eval(ctx context.Context, ts time.Time, query QueryFunc) error {
	res, err := query(ctx, e.rule.Expr.String(), ts)
	if err != nil {
		return err
	}
	current := make(map[string]*Alert, len(res))
	for _, smpl := range res {
		l := smpl.Metric.Map()
		expandText := func(text string) string {
			out, err := expand(ctx, e.rule.Name, text, l, smpl, ts, query)
			if err != nil {
				return fmt.Sprintf("<error expanding template: %s>", err)
			}
			return out
		}
		lb := labels.NewBuilder(smpl.Metric)
		lb.Del(labels.MetricName)
		for name, text := range e.rule.Labels {
			lb.Set(name, expandText(text))
		}
		lb.Set(labels.AlertName, e.rule.Name)
		annotations := make(map[string]string, len(e.rule.Annotations))
		for name, text := range e.rule.Annotations {
			annotations[name] = expandText(text)
		}
		lset := lb.Labels()
		key := lset.String()
		if _, dup := current[key]; dup {
			return ErrDuplicateLabelSet
		}
		current[key] = &Alert{Labels: lset, Annotations: labels.FromMap(annotations), State: Pending, Value: smpl.F, ActiveAt: ts}
	}

	for key, a := range current {
		if old, ok := e.active[key]; ok {
			old.Value, old.Annotations = a.Value, a.Annotations
			old.KeepFiringSince = time.Time{}
			continue
		}
		e.active[key] = a
	}
	for key, a := range e.active {
		if current[key] == nil {
			if a.State != Firing || e.rule.KeepFiringFor <= 0 {
				// Resolved. Prometheus keeps a resolved firing alert a
				// while to notify its end, but never reports it active
				// again: a new series starts a new alert.
				delete(e.active, key)
				continue
			}
			if a.KeepFiringSince.IsZero() {
				a.KeepFiringSince = ts
			}
			if ts.Sub(a.KeepFiringSince) >= e.rule.KeepFiringFor {
				delete(e.active, key)
				continue
			}
		}
		if a.State == Pending && ts.Sub(a.ActiveAt) >= e.rule.For {
			a.State = Firing
		}
	}
	return nil
}

// Active returns copies of the pending and firing alerts, sorted by labels.
func (e *Evaluator) Active() []Alert {
	out := make([]Alert, 0, len(e.active))
	for _, a := range e.active {
		out = append(out, *a)
	}
	sort.Slice(out, func(i, j int) bool { return labels.Compare(out[i].Labels, out[j].Labels) < 0 })
	return out
}

// Expand expands a label or annotation template of the alerting rule named
// ruleName as Prometheus does for an alert whose series has labels
// seriesLabels and value value at time ts: with $labels, $value,
// $externalLabels (empty) and $externalURL (empty) defined. query serves
// templates that run queries.
func Expand(ctx context.Context, ruleName, text string, seriesLabels map[string]string, value float64, ts time.Time, query QueryFunc) (string, error) {
	return expand(ctx, ruleName, text, seriesLabels, promql.Sample{F: value}, ts, query)
}

// defs are the variables Prometheus defines in front of every alert template.
const defs = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"

func expand(ctx context.Context, ruleName, text string, seriesLabels map[string]string, smpl promql.Sample, ts time.Time, query QueryFunc) (string, error) {
	data := template.AlertTemplateData(seriesLabels, map[string]string{}, "", smpl)
	e := template.NewTemplateExpander(ctx, defs+text, "__alert_"+ruleName, data,
		prommodel.Time(ts.UnixMilli()), template.QueryFunc(query), &url.URL{}, nil)
	return e.Expand()
}
