package rules

import (
	"context"
	"errors"
	"time"

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

// expandAnnotation expands an annotation as Prometheus does when the alert
// fires with the given labels and value at time at.
func expandAnnotation(alertName, text string, labels map[string]string, value float64, at time.Duration) (string, error) {
	noQuery := func(context.Context, string, time.Time) (promql.Vector, error) {
		return nil, errors.New("crdmon cannot compute the expected value of a template that queries")
	}
	return alerting.Expand(context.Background(), alertName, text, labels, value, time.UnixMilli(at.Milliseconds()), noQuery)
}
