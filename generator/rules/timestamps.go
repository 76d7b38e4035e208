package rules

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	prommodel "github.com/prometheus/common/model"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// timestampMeaning is the meaning of the timestamp fields each class reads.
var timestampMeaning = map[Class]string{
	ExpiresSoon: model.Expiry, ExpiresVerySoon: model.Expiry, RenewalOverdue: model.Renewal,
}

// timestampAlert fires while an expiry time is closer than the class's
// threshold (ExpiresSoon, ExpiresVerySoon; an expiry already past counts
// too), or while a planned renewal time has passed by more than it
// (RenewalOverdue: the controller did not renew, or did not move the time
// forward). Both fire, one series per field, until the controller writes a
// new time; objects whose field is unset have no series.
func (b *builder) timestampAlert(s subject, c Class) (alert, bool) {
	meaning := timestampMeaning[c]
	k, ts, ok := firstTimestamp(s.kinds, meaning)
	if !ok {
		return alert{}, false
	}
	th := s.settings[c].Threshold
	limit := strconv.FormatFloat(th, 'f', -1, 64)
	a := b.newAlert(s, c, string(c), string(c))
	a.data.Limit = secondsString(th)
	// Only kinds with such a field produce series of this meaning, so no kind
	// matcher is needed.
	sel := selector(b.metric(series.TimestampSeconds), s.with(eq(series.LabelMeaning, meaning))...)
	expr := sel + " - time() < " + limit
	if c == RenewalOverdue {
		expr = "time() - " + sel + " > " + limit
	}
	a.expr = s.silence(expr, c, false, b.o.Prefix)
	a.fixture = b.timestampFixture(k, ts, c, th, a.forDur)
	return a, true
}

// firstTimestamp returns the first timestamp field of the given meaning
// among kinds, and its kind.
func firstTimestamp(kinds []model.Kind, meaning string) (model.Kind, model.Timestamp, bool) {
	for _, k := range kinds {
		if i := slices.IndexFunc(k.Timestamps, func(ts model.Timestamp) bool { return ts.Meaning == meaning }); i >= 0 {
			return k, k.Timestamps[i], true
		}
	}
	return model.Kind{}, model.Timestamp{}, false
}

// secondsString renders a threshold in seconds as a Prometheus duration, in
// days when it is a whole number of them (14d rather than 2w).
func secondsString(sec float64) string {
	if sec >= day && sec == float64(int64(sec)/day*day) {
		return fmt.Sprintf("%dd", int64(sec)/day)
	}
	return prommodel.Duration(time.Duration(sec) * time.Second).String()
}

// timestampFixture shows a timestamp alert firing for one object: an expiry
// half the threshold away, or a renewal time a minute more than the threshold
// past; healthy, an expiry twice the threshold away or a renewal time ahead.
func (b *builder) timestampFixture(k model.Kind, ts model.Timestamp, c Class, th float64, forDur time.Duration) fixture {
	info := b.infoSeries(k, false)
	eval := evalAfterFor(evalStep, forDur)
	at := func(v float64) inputSeries {
		return inputSeries{metric: b.metric(series.TimestampSeconds), start: v,
			labels: withLabels(objectLabels(k), series.LabelField, ts.SchemaPath, series.LabelMeaning, ts.Meaning)}
	}
	half := float64(int64(th) / 2) // whole seconds, as RFC 3339 times in objects are
	bad, good := at(half), at(eval.Seconds()+2*th)
	value := half - eval.Seconds()
	if c == RenewalOverdue {
		bad, good = at(-th-fixtureStep.Seconds()), at(eval.Seconds()+th)
		value = eval.Seconds() + th + fixtureStep.Seconds()
	}
	f := fixture{
		firing:  []inputSeries{info, bad},
		healthy: []inputSeries{info, good},
		eval:    eval,
		expect:  bad.labels, value: value,
	}
	return b.finish(f, k)
}
