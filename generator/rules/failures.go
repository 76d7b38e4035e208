package rules

import (
	"slices"
	"time"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// failuresAlert fires while a failure counter keeps rising: it changed at
// least twice within the class's threshold (a window in seconds) and ends
// the window higher than it started. One failure that is then retried
// successfully (the counter resets or disappears) does not fire it; retries
// that keep failing do, whether or not the object still reports Ready (a
// certificate stays Ready while its renewals fail).
func (b *builder) failuresAlert(s subject, c Class) (alert, bool) {
	th := s.settings[c].Threshold
	a, sel, k, ok := b.counterAlert(s, c, series.Failures, func(k model.Kind) []model.Field { return k.Failures }, secondsString(th))
	if !ok {
		return alert{}, false
	}
	window := "[" + secondsString(th) + "]"
	a.expr = s.silence("changes("+sel+window+") >= 2 and delta("+sel+window+") > 0", c, false, b.o.Prefix)
	a.fixture = b.failuresFixture(k, a.forDur)
	return a, true
}

// counterAlert starts the alert of class c on a counter family (failures,
// problems) when a kind of the subject has such counters (fields): the
// alert with its limit, the family's selector, and the first kind with a
// counter, for the fixture. Only kinds with a counter produce the family,
// so the selector needs no kind matcher.
func (b *builder) counterAlert(s subject, c Class, family string, fields func(model.Kind) []model.Field, limit string) (a alert, sel string, k model.Kind, ok bool) {
	i := slices.IndexFunc(s.kinds, func(k model.Kind) bool { return len(fields(k)) > 0 })
	if i < 0 {
		return alert{}, "", model.Kind{}, false
	}
	a = b.newAlert(s, c, string(c), string(c))
	a.data.Limit = limit
	return a, selector(b.metric(family), s.base()...), s.kinds[i], true
}

// failuresFixture shows a failure counter rising by one every step (firing)
// and one that stays put (healthy).
func (b *builder) failuresFixture(k model.Kind, forDur time.Duration) fixture {
	info := b.infoSeries(k, false)
	counter := func(step float64) inputSeries {
		return inputSeries{metric: b.metric(series.Failures), start: 1, step: step,
			labels: withLabels(objectLabels(k), series.LabelField, k.Failures[0].SchemaPath)}
	}
	bad := counter(1)
	eval := evalAfterFor(evalStep, forDur)
	f := fixture{
		firing:  []inputSeries{info, bad},
		healthy: []inputSeries{info, counter(0)},
		eval:    eval,
		expect:  bad.labels,
		value:   float64(eval / fixtureStep),
	}
	return b.finish(f, k)
}
