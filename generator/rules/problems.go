package rules

import (
	"strconv"
	"time"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// problemsAlert fires while a problem counter (a count that should be zero,
// such as the policy violations an audit found) is above the class's
// threshold, default 0, for the class's duration. Unlike FailuresRising it
// needs no history: a count above the threshold is the problem.
func (b *builder) problemsAlert(s subject, c Class) (alert, bool) {
	limit := strconv.FormatFloat(s.settings[c].Threshold, 'g', -1, 64)
	a, sel, k, ok := b.counterAlert(s, c, series.Problems, func(k model.Kind) []model.Field { return k.Problems }, limit)
	if !ok {
		return alert{}, false
	}
	a.expr = s.silence(sel+" > "+limit, c, false, b.o.Prefix)
	a.fixture = b.problemsFixture(k, s.settings[c].Threshold, a.forDur)
	return a, true
}

// problemsFixture shows a problem counter one above the threshold (firing)
// and one at zero (healthy).
func (b *builder) problemsFixture(k model.Kind, threshold float64, forDur time.Duration) fixture {
	info := b.infoSeries(k, false)
	counter := func(v float64) inputSeries {
		return inputSeries{metric: b.metric(series.Problems), start: v,
			labels: withLabels(objectLabels(k), series.LabelField, k.Problems[0].SchemaPath)}
	}
	bad := counter(float64(int64(threshold)) + 1)
	f := fixture{
		firing:  []inputSeries{info, bad},
		healthy: []inputSeries{info, counter(0)},
		eval:    evalAfterFor(evalStep, forDur),
		expect:  bad.labels,
		value:   bad.start,
	}
	return b.finish(f, k)
}
