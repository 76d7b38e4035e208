package rules

import (
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Test fixtures: input series shaped exactly as the generated kube-state-metrics
// config exposes them, sampled every fixtureStep from time 0; the test files
// evaluate the rules every evalStep (promtool's evaluation_interval). Every
// rule of a file is evaluated at every step of every test group, so a coarse
// evalStep keeps the tests of big API groups fast.
const (
	fixtureStep = time.Minute
	evalStep    = 10 * time.Minute
)

// ltt is the lastTransitionTime (Unix seconds) of fixture conditions.
const ltt = 60

// inputSeries is one series of a fixture: start, start+step, ... per sample.
type inputSeries struct {
	metric string
	labels map[string]string
	start  float64
	step   float64
}

// fixture shows one alert firing for one object, and silent for a healthy
// and a suspended one. The three are distinct objects (named example,
// healthy and suspended; for controller alerts, distinct jobs), so that one
// test case can hold them all.
type fixture struct {
	firing, healthy, suspended []inputSeries
	eval                       time.Duration     // when to check, from time 0: a whole number of evalSteps
	expect                     map[string]string // labels of the firing sample
	value                      float64           // its value
}

// Names of the healthy and suspended fixture objects (the failing one is
// objectLabels' "example").
const (
	healthyName   = "healthy"
	suspendedName = "suspended"
)

// ceilEval rounds d up to a whole number of evaluation steps.
func ceilEval(d time.Duration) time.Duration {
	return (d + evalStep - 1) / evalStep * evalStep
}

// firstEvalAfter is the first evaluation strictly after d.
func firstEvalAfter(d time.Duration) time.Duration {
	return (d/evalStep + 1) * evalStep
}

// evalAfterFor is when an alert whose expression holds from the evaluation
// at or before activeBy on has fired: for: later, rounded up to evaluations.
func evalAfterFor(activeBy, forDur time.Duration) time.Duration {
	return activeBy + ceilEval(forDur)
}

// kind is the kind of the fixture's objects, "" for controller fixtures.
func (f fixture) kind() string {
	for _, s := range f.firing {
		if s.labels[series.LabelGroup] != "" {
			return s.labels[series.LabelKind]
		}
	}
	return ""
}

// numbered renames the fixture's objects with suffix -n (n > 1): example-n,
// healthy-n, suspended-n.
func (f fixture) numbered(n int) fixture {
	if n <= 1 {
		return f
	}
	suffix := "-" + strconv.Itoa(n)
	rename := func(in []inputSeries) []inputSeries {
		if in == nil {
			return nil
		}
		out := make([]inputSeries, len(in))
		for i, s := range in {
			if name, ok := s.labels[series.LabelName]; ok && s.labels[series.LabelGroup] != "" {
				s.labels = withLabels(s.labels, series.LabelName, name+suffix)
			}
			out[i] = s
		}
		return out
	}
	f.firing, f.healthy, f.suspended = rename(f.firing), rename(f.healthy), rename(f.suspended)
	if name, ok := f.expect[series.LabelName]; ok && f.expect[series.LabelGroup] != "" {
		f.expect = withLabels(f.expect, series.LabelName, name+suffix)
	}
	return f
}

// renamed returns copies of in with label set to value.
func renamed(in []inputSeries, label, value string) []inputSeries {
	out := make([]inputSeries, len(in))
	for i, s := range in {
		s.labels = withLabels(s.labels, label, value)
		out[i] = s
	}
	return out
}

// infoSeries is the object's <prefix>_info series.
func (b *builder) infoSeries(k model.Kind, suspended bool) inputSeries {
	l := objectLabels(k)
	if k.Suspend != nil {
		l[series.LabelSuspended] = strconv.FormatBool(suspended)
	}
	return inputSeries{metric: b.metric(series.Info), labels: l, start: 1}
}

// phaseSeries is the object's phase_info series of a state field holding
// value.
func (b *builder) phaseSeries(k model.Kind, field, value string) inputSeries {
	return inputSeries{metric: b.metric(series.PhaseInfo), start: 1,
		labels: withLabels(objectLabels(k), series.LabelField, field, series.LabelPhase, value)}
}

// finish completes each case with the series kube-state-metrics emits for
// unset fields, adds the suspended case when the kind has a suspend field
// (the firing series with the object suspended), and names the healthy and
// suspended objects.
func (b *builder) finish(f fixture, k model.Kind) fixture {
	if k.Suspend != nil {
		f.suspended = []inputSeries{b.infoSeries(k, true)}
		for _, s := range f.firing {
			if s.metric != b.metric(series.Info) {
				f.suspended = append(f.suspended, s)
			}
		}
	}
	f.firing = b.complete(k, f.firing)
	f.healthy = renamed(b.complete(k, f.healthy), series.LabelName, healthyName)
	if f.suspended != nil {
		f.suspended = renamed(b.complete(k, f.suspended), series.LabelName, suspendedName)
	}
	return f
}

// complete adds the series of nilIsZero families the case leaves unset: a
// condition list (read with nilIsZero, so that a condition without
// lastTransitionTime still shows) that is absent yields one series of value
// 0 without type, status or reason; an unset failure or problem counter
// reads 0.
func (b *builder) complete(k model.Kind, in []inputSeries) []inputSeries {
	out := append([]inputSeries(nil), in...)
	has := func(metric, label, value string) bool {
		return slices.ContainsFunc(in, func(s inputSeries) bool {
			return s.metric == metric && s.labels[label] == value
		})
	}
	for _, cs := range k.Conditions {
		if !has(b.metric(series.Condition), series.LabelPath, cs.Scope) {
			l := objectLabels(k)
			if cs.Scope != "" {
				l[series.LabelPath] = cs.Scope
			}
			out = append(out, inputSeries{metric: b.metric(series.Condition), labels: l})
		}
	}
	counters := []struct {
		family string
		fields []model.Field
	}{{series.Failures, k.Failures}, {series.Problems, k.Problems}}
	for _, c := range counters {
		metric := b.metric(c.family)
		for _, f := range c.fields {
			if !has(metric, series.LabelField, f.SchemaPath) {
				out = append(out, inputSeries{metric: metric, labels: withLabels(objectLabels(k), series.LabelField, f.SchemaPath)})
			}
		}
	}
	return out
}

func (b *builder) conditionFixture(s subject, pol model.Polarity, typ string, p *condPart, pathLabel, timed bool, threshold, forDur time.Duration) fixture {
	k, cs := p.kinds[0], p.sets[0]
	info := b.infoSeries(k, false)
	cond := func(t, status string) inputSeries {
		l := withLabels(objectLabels(k), series.LabelType, t)
		if cs.HasStatus {
			l[series.LabelStatus] = status
		}
		if cs.HasReason {
			l[series.LabelReason] = "ExampleReason"
		}
		if pathLabel && cs.Scope != "" {
			l[series.LabelPath] = cs.Scope
		}
		v := 0.0
		if cs.HasTransitionTime {
			v = ltt
		}
		return inputSeries{metric: b.metric(series.Condition), labels: l, start: v}
	}
	f := fixture{firing: []inputSeries{info}, healthy: []inputSeries{info}}
	if crossplaneStyle(cs) && typ == "Synced" {
		// The failure Crossplane users miss: Ready=True while Synced=False.
		ready := cond("Ready", "True")
		f.firing = append(f.firing, ready)
		f.healthy = append(f.healthy, ready)
	}
	var bad inputSeries
	switch {
	case p.absent(pol):
		f.healthy = append(f.healthy, cond(typ, "True"))
		f.expect, f.value = info.labels, 1
	case pol == model.Positive:
		bad = cond(typ, "False")
		f.firing = append(f.firing, bad)
		f.healthy = append(f.healthy, cond(typ, "True"))
	default:
		bad = cond(typ, "True")
		f.firing = append(f.firing, bad)
		if cs.HasStatus {
			f.healthy = append(f.healthy, cond(typ, "False"))
		}
	}
	if bad.labels != nil {
		f.expect, f.value = bad.labels, bad.start
	}
	if timed {
		// time() - ltt exceeds threshold after ltt+threshold; then for: runs.
		f.eval = evalAfterFor(firstEvalAfter(ltt*time.Second+threshold), forDur)
		f.value = f.eval.Seconds() - ltt
	} else {
		f.eval = evalAfterFor(evalStep, forDur)
	}
	return b.finish(f, k)
}

func (b *builder) pairFixture(k model.Kind, lhs, rhs string, forDur time.Duration) fixture {
	info := b.infoSeries(k, false)
	obj := objectLabels(k)
	want := inputSeries{metric: b.metric(rhs), labels: obj, start: 3}
	f := fixture{
		firing:  []inputSeries{info, want, {metric: b.metric(lhs), labels: obj, start: 1}},
		healthy: []inputSeries{info, want, {metric: b.metric(lhs), labels: obj, start: 3}},
		eval:    evalAfterFor(evalStep, forDur),
		expect:  obj, value: 1,
	}
	return b.finish(f, k)
}

func (b *builder) phaseFixture(p *phasePart, forDur time.Duration) fixture {
	k := p.kinds[0]
	info := b.infoSeries(k, false)
	phase := func(v string) inputSeries { return b.phaseSeries(k, p.field, v) }
	bad := phase(p.bad)
	healthy := []inputSeries{info}
	if p.good != "" { // else the field is unset while healthy
		healthy = append(healthy, phase(p.good))
	}
	f := fixture{
		firing:  []inputSeries{info, bad},
		healthy: healthy,
		eval:    evalAfterFor(evalStep, forDur),
		expect:  bad.labels, value: 1,
	}
	return b.finish(f, k)
}

// controllerFixture builds controller-runtime series for controller ctrl that
// cross threshold th (firing) or stay well within it (healthy, in another
// job). Rates need two samples in their window: the first evaluation after
// time 0 has them.
func controllerFixture(c Class, ctrl string, th float64, forDur time.Duration) fixture {
	target := map[string]string{"job": "example-operator", "namespace": "example-system"}
	l := withLabels(target, "controller", ctrl)
	f := fixture{eval: evalAfterFor(evalStep, forDur)}
	switch c {
	case ControllerErrors:
		// Half the reconciles fail: the share is 0.5 whatever the window.
		total := inputSeries{metric: series.ReconcileTotal, labels: l, step: 12}
		f.firing = []inputSeries{total, {metric: series.ReconcileErrorsTotal, labels: l, step: 6}}
		f.healthy = []inputSeries{total, {metric: series.ReconcileErrorsTotal, labels: l}}
		f.expect, f.value = l, 0.5
	case ControllerSlow:
		// All observations above 2*th: the p99 is the highest finite bound, 2*th.
		// Healthy: all below th/2.
		bucket := func(le float64, step float64) inputSeries {
			return inputSeries{metric: series.ReconcileTimeSeconds + "_bucket", step: step,
				labels: withLabels(l, "le", formatLe(le))}
		}
		f.firing = []inputSeries{bucket(th/2, 0), bucket(2*th, 0), bucket(posInf, 10)}
		f.healthy = []inputSeries{bucket(th/2, 10), bucket(2*th, 10), bucket(posInf, 10)}
		f.expect, f.value = l, 2*th
	case WorkqueueDepth:
		q := withLabels(target, "name", ctrl)
		f.firing = []inputSeries{{metric: series.WorkqueueDepth, labels: q, start: 2 * th}}
		f.healthy = []inputSeries{{metric: series.WorkqueueDepth, labels: q}}
		f.expect, f.value = q, 2*th
	}
	f.healthy = renamed(f.healthy, "job", healthyName+"-operator")
	return f
}

var posInf = math.Inf(1)

// formatLe renders a histogram bucket bound as client libraries do.
func formatLe(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
