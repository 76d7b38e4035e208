package rules

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"

	"github.com/crdmon/crdmon/generator/alerting"
)

// UnitTestFile is a `promtool test rules` file.
type UnitTestFile struct {
	RuleFiles          []string    `json:"rule_files"`
	EvaluationInterval string      `json:"evaluation_interval"`
	Tests              []TestGroup `json:"tests"`
}

// TestGroup is one test case: input series and the alerts expected from them.
type TestGroup struct {
	Name        string      `json:"name"`
	Interval    string      `json:"interval"`
	InputSeries []TestInput `json:"input_series"`
	AlertTests  []AlertTest `json:"alert_rule_test,omitempty"`
	ExprTests   []ExprTest  `json:"promql_expr_test,omitempty"`
}

// ExprTest is the samples expected from a PromQL expression at one time.
type ExprTest struct {
	Expr       string      `json:"expr"`
	EvalTime   string      `json:"eval_time"`
	ExpSamples []ExpSample `json:"exp_samples"`
}

// ExpSample is one expected sample: its series (metric{labels}) and value.
type ExpSample struct {
	Labels string  `json:"labels"`
	Value  float64 `json:"value"`
}

// TestInput is one input series in promtool's expanding notation.
type TestInput struct {
	Series string `json:"series"`
	Values string `json:"values"`
}

// AlertTest is the alerts expected firing under one name at one time.
type AlertTest struct {
	EvalTime  string     `json:"eval_time"`
	Alertname string     `json:"alertname"`
	ExpAlerts []ExpAlert `json:"exp_alerts"`
}

// ExpAlert is one expected firing alert.
type ExpAlert struct {
	ExpLabels      map[string]string `json:"exp_labels"`
	ExpAnnotations map[string]string `json:"exp_annotations"`
}

// testFile writes, for every alert, a case where it fires for one object
// (with its exact labels and annotations) and stays silent for a healthy
// object and, for suspendable kinds, a suspended one; pack puts the cases
// into as few test groups as can hold them without changing any outcome.
// The objects of a kind's second, third... alert are numbered (example-2,
// healthy-2...) so that they can share a test group. Then comes a case for
// every state the health recording rule can record.
func (b *builder) testFile(group string, rg monitoringv1.RuleGroup, alerts []alert, hg healthGroup) (UnitTestFile, error) {
	rel := "../" + path.Base(PlainPath(group))
	tf := UnitTestFile{RuleFiles: []string{rel}, EvaluationInterval: prommodel.Duration(evalStep).String()}
	perKind := map[string]int{}
	sets := make([]caseSet, len(alerts))
	for i, a := range alerts {
		f := a.fixture
		if k := f.kind(); k != "" {
			perKind[k]++
			f = f.numbered(perKind[k])
		}
		want, err := expected(rg.Rules[i], f)
		if err != nil {
			return UnitTestFile{}, fmt.Errorf("rules: alert %s: %w", a.name, err)
		}
		c := caseSet{test: AlertTest{
			EvalTime: prommodel.Duration(f.eval).String(), Alertname: a.name, ExpAlerts: []ExpAlert{want},
		}}
		if c.selectors, err = ruleSelectors(a.expr); err != nil {
			return UnitTestFile{}, fmt.Errorf("rules: alert %s: %w", a.name, err)
		}
		n := int(f.eval / fixtureStep)
		for _, s := range slices.Concat(f.firing, f.healthy, f.suspended) {
			c.inputs = append(c.inputs, TestInput{Series: seriesString(s), Values: valuesString(s, n)})
			c.series = append(c.series, labels.FromMap(withLabels(s.labels, labels.MetricName, s.metric)))
		}
		for j, sel := range c.selectors {
			if sel.removesOn != nil {
				c.selectors[j].own = map[string]bool{}
				for _, s := range c.series {
					c.selectors[j].own[labelValues(s, sel.removesOn)] = true
				}
			}
		}
		sets[i] = c
	}
	tf.Tests = append(pack(group, sets), b.healthTests(hg)...)
	return tf, nil
}

// expected returns the alert rule r fires with on fixture f.
func expected(r monitoringv1.Rule, f fixture) (ExpAlert, error) {
	want := ExpAlert{ExpLabels: map[string]string{}, ExpAnnotations: map[string]string{}}
	for k, v := range f.expect {
		want.ExpLabels[k] = v
	}
	for k, v := range r.Labels {
		want.ExpLabels[k] = v
	}
	for k, text := range r.Annotations {
		v, err := expandAnnotation(r.Alert, text, f.expect, f.value, f.eval)
		if err != nil {
			return want, fmt.Errorf("annotation %s: %w", k, err)
		}
		want.ExpAnnotations[k] = v
	}
	return want, nil
}

// expandAnnotation expands an annotation as Prometheus does when the alert
// fires with the given labels and value at time at.
func expandAnnotation(alertName, text string, labels map[string]string, value float64, at time.Duration) (string, error) {
	noQuery := func(context.Context, string, time.Time) (promql.Vector, error) {
		return nil, errors.New("crdmon cannot compute the expected value of a template that queries")
	}
	return alerting.Expand(context.Background(), alertName, text, labels, value, time.UnixMilli(at.Milliseconds()), noQuery)
}

// seriesString renders metric{labels} with sorted labels.
func seriesString(s inputSeries) string {
	keys := make([]string, 0, len(s.labels))
	for k := range s.labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(s.labels[k])
	}
	return s.metric + "{" + strings.Join(parts, ", ") + "}"
}

// valuesString renders n+1 samples: "startxn" or "start+stepxn".
func valuesString(s inputSeries, n int) string {
	v := strconv.FormatFloat(s.start, 'f', -1, 64)
	if s.step != 0 {
		v += "+" + strconv.FormatFloat(s.step, 'f', -1, 64)
	}
	return v + "x" + strconv.Itoa(n)
}
