package rules

import (
	"path"
	"slices"
	"strconv"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/limits"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
)

// IsPlainPath reports whether p is the path of a plain rule file (PlainPath).
func IsPlainPath(p string) bool {
	ok, _ := path.Match(Dir+"/*.rules.yaml", p)
	return ok
}

// HealthRules returns the expressions of the rules recording health.Metric
// in the plain rule files among files, in file order.
func HealthRules(files []output.File) ([]string, error) {
	var v validator
	var out []string
	for _, f := range files {
		if !IsPlainPath(f.Path) {
			continue
		}
		groups, err := v.parse(f)
		if err != nil {
			return nil, err
		}
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				if r.Record == health.Metric {
					out = append(out, r.Expr)
				}
			}
		}
	}
	return out, nil
}

// HealthGroupName is the rule group of an API group's health recording rule.
func HealthGroupName(group string) string { return GroupName(group) + ".health" }

// healthGroup is the recording rule of one API group's health state and
// the kinds it covers.
type healthGroup struct {
	rules monitoringv1.RuleGroup
	query health.Query
}

// healthGroup records health.Metric for the objects of the group's kinds
// that have a health signal, per cluster with Options.ClusterLabel.
func (b *builder) healthGroup(group string, kinds []model.Kind) healthGroup {
	q := health.Query{Prefix: b.o.Prefix, Base: []health.Matcher{{Name: series.LabelGroup, Op: "=", Value: group}}}
	if b.o.ClusterLabel != "" {
		q.By = append([]string{b.o.ClusterLabel}, series.ObjectLabels...)
	}
	for _, k := range kinds {
		if k.HasSignals() {
			q.Kinds = append(q.Kinds, k)
		}
	}
	return healthGroup{
		rules: monitoringv1.RuleGroup{Name: HealthGroupName(group), Rules: []monitoringv1.Rule{
			{Record: health.Metric, Expr: intstr.FromString(q.Expr())},
		}},
		query: q,
	}
}

// withHealth adds the health rule group to the last PrometheusRule part of a
// group's alerts, or to a part of its own when the last one would outgrow
// the object limit.
func (b *builder) withHealth(group string, parts []monitoringv1.RuleGroup, hg monitoringv1.RuleGroup) ([][]monitoringv1.RuleGroup, error) {
	out := make([][]monitoringv1.RuleGroup, len(parts))
	for i, p := range parts {
		out[i] = []monitoringv1.RuleGroup{p}
	}
	last := len(out) - 1
	size, err := limits.AppliedSize(b.prometheusRule(group, last+1, out[last][0], hg))
	if err != nil {
		return nil, err
	}
	if size <= b.maxObject() {
		out[last] = append(out[last], hg)
		return out, nil
	}
	return append(out, []monitoringv1.RuleGroup{hg}), nil
}

// healthCase is input series of one object and the state and reason the
// health rule must record for it.
type healthCase struct {
	kind          model.Kind
	input         []inputSeries
	state, reason string
}

// healthTests writes a promtool case for every state the group's kinds can
// reach: Healthy (nothing wrong), Progressing (being deleted), Suspended
// (suspended by its flag), Degraded (Ready=False for a reason, a negative
// condition listed, a failure phase) and Progressing (generation behind,
// Reconciling=True, replicas short, a progress phase), the first that
// applies to one of its kinds.
// Each case is an object of its own, named after its state, and one test
// group holds them all: the rule records each object's state from its own
// series, and promtool evaluates every rule of the file for each test group.
func (b *builder) healthTests(hg healthGroup) []TestGroup {
	kinds := hg.query.Kinds
	if len(kinds) == 0 {
		return nil
	}
	k0 := kinds[0]
	deleting := b.infoSeries(k0, false)
	deleting.labels = withLabels(deleting.labels, series.LabelDeleting, "2026-01-01T00:00:00Z")
	cases := []healthCase{
		{k0, b.healthyObject(k0), health.Healthy, health.ReasonNone},
		{k0, []inputSeries{deleting}, health.Progressing, health.ReasonDeleting},
	}
	if c, ok := b.suspendCase(kinds); ok {
		cases = append(cases, c)
	}
	if c, ok := b.stateCase(kinds, true); ok {
		cases = append(cases, c)
	}
	if c, ok := b.stateCase(kinds, false); ok {
		cases = append(cases, c)
	}
	const eval = 2 * fixtureStep
	tg := TestGroup{Name: health.Metric, Interval: prommodel.Duration(fixtureStep).String()}
	test := ExprTest{Expr: health.Metric, EvalTime: prommodel.Duration(eval).String()}
	named := map[string]int{}
	for _, c := range cases {
		name := strings.ToLower(c.state)
		if named[name]++; named[name] > 1 {
			name += "-" + strconv.Itoa(named[name])
		}
		want := withLabels(objectLabels(c.kind), series.LabelName, name)
		delete(want, series.LabelVersion)
		want = withLabels(want, health.LabelState, c.state, health.LabelReason, c.reason)
		test.ExpSamples = append(test.ExpSamples, ExpSample{Labels: seriesString(inputSeries{metric: health.Metric, labels: want}), Value: 1})
		for _, s := range renamed(b.complete(c.kind, c.input), series.LabelName, name) {
			tg.InputSeries = append(tg.InputSeries, TestInput{Series: seriesString(s), Values: valuesString(s, int(eval/fixtureStep))})
		}
	}
	tg.ExprTests = []ExprTest{test}
	return []TestGroup{tg}
}

// healthyObject is the series of a healthy object of kind k: its info
// series, and Ready=True when it reports top-level conditions with status,
// else a healthy value of its first state field (an object that reports
// none is still to be reconciled).
func (b *builder) healthyObject(k model.Kind) []inputSeries {
	out := []inputSeries{b.infoSeries(k, false)}
	for _, cs := range k.Conditions {
		if cs.HasStatus && cs.Scope == "" {
			l := withLabels(objectLabels(k), series.LabelType, "Ready", series.LabelStatus, "True")
			return append(out, inputSeries{metric: b.metric(series.Condition), labels: l, start: ltt})
		}
	}
	for _, ph := range k.Phases {
		if v, ok := healthyValue(ph); ok {
			return append(out, b.phaseSeries(k, ph.SchemaPath, v))
		}
	}
	return out
}

// healthyValue is a value of a state field that means neither failure,
// progress nor a pause; none for an error message field.
func healthyValue(ph model.Phase) (string, bool) {
	if ph.Error {
		return "", false
	}
	if len(ph.Values) == 0 {
		return "Running", true
	}
	for _, v := range ph.Values {
		if !slices.Contains(ph.Failure, v) && !slices.Contains(ph.Progress, v) && !slices.Contains(ph.Suspended, v) && !model.IsSuspendedValue(v) {
			return v, true
		}
	}
	return "", false
}

// suspendCase is an object suspended by its suspend flag.
func (b *builder) suspendCase(kinds []model.Kind) (healthCase, bool) {
	for _, k := range kinds {
		if k.Suspend != nil {
			return healthCase{k, []inputSeries{b.infoSeries(k, true)}, health.Suspended, health.ReasonSuspend}, true
		}
	}
	return healthCase{}, false
}

// stateCase is an object Degraded (degraded) or Progressing by the first
// signal, in the order healthTests lists them, that one of kinds has.
func (b *builder) stateCase(kinds []model.Kind, degraded bool) (healthCase, bool) {
	obj := func(k model.Kind, extra ...inputSeries) []inputSeries {
		return append([]inputSeries{b.infoSeries(k, false)}, extra...)
	}
	cond := func(k model.Kind, cs model.ConditionSet, typ, status string) inputSeries {
		l := withLabels(objectLabels(k), series.LabelType, typ)
		if cs.HasStatus {
			l[series.LabelStatus] = status
		}
		if cs.Scope != "" {
			l[series.LabelPath] = cs.Scope
		}
		return inputSeries{metric: b.metric(series.Condition), labels: l, start: ltt}
	}
	pair := func(k model.Kind, lhs, rhs string) []inputSeries {
		return obj(k, inputSeries{metric: b.metric(lhs), labels: objectLabels(k), start: 1},
			inputSeries{metric: b.metric(rhs), labels: objectLabels(k), start: 2})
	}
	state, typ, status, pol := health.Progressing, "Reconciling", "True", model.Progress
	if degraded {
		state, typ, status, pol = health.Degraded, "Ready", "False", model.Positive
	}
	// pairCase is the first kind with a pair of gauges, the first one lower.
	pairCase := func(has func(model.Kind) bool, lhs, rhs, reason string) (healthCase, bool) {
		for _, k := range kinds {
			if has(k) {
				return healthCase{k, pair(k, lhs, rhs), state, reason}, true
			}
		}
		return healthCase{}, false
	}
	if !degraded {
		if c, ok := pairCase(func(k model.Kind) bool { return k.Generation != nil }, series.ObservedGeneration, series.Generation, health.ReasonGeneration); ok {
			return c, true
		}
	}
	for _, k := range kinds {
		for _, cs := range k.Conditions {
			// Ready=False is Degraded only with a reason that says why.
			if cs.HasStatus && k.PolarityOf(typ) == pol && (!degraded || cs.HasReason) {
				c := cond(k, cs, typ, status)
				if degraded {
					c.labels[series.LabelReason] = "Failed"
				}
				return healthCase{k, obj(k, c), state, typ}, true
			}
			if !cs.HasStatus && degraded && k.PolarityOf("Stalled") == model.Negative {
				return healthCase{k, obj(k, cond(k, cs, "Stalled", "")), state, "Stalled"}, true
			}
		}
	}
	if !degraded {
		if c, ok := pairCase(func(k model.Kind) bool { return k.Replicas != nil }, series.ReplicasReady, series.ReplicasDesired, health.ReasonReplicas); ok {
			return c, true
		}
	}
	for _, k := range kinds {
		for _, ph := range k.Phases {
			if _, _, ok := health.PhaseMatch(ph, degraded); ok {
				return healthCase{k, obj(k, b.phaseSeries(k, ph.SchemaPath, phaseExample(ph, degraded))), state, health.ReasonPhase}, true
			}
		}
	}
	for _, k := range kinds {
		if degraded && len(k.Problems) > 0 {
			problems := inputSeries{metric: b.metric(series.Problems), start: 2,
				labels: withLabels(objectLabels(k), series.LabelField, k.Problems[0].SchemaPath)}
			return healthCase{k, obj(k, problems), state, health.ReasonProblems}, true
		}
	}
	return healthCase{}, false
}

// phaseExample is a failure (or progress) value of a phase field.
func phaseExample(ph model.Phase, failure bool) string {
	values, example := ph.Progress, "Pending"
	if failure {
		values, example = ph.Failure, "Failed"
	}
	if len(values) > 0 {
		return values[0]
	}
	return example
}
