package rules

import (
	"slices"
	"time"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// replicaMemberOf is the replica family member each class compares with the
// desired count.
var replicaMemberOf = map[Class]string{
	ReplicasUnavailable:  model.Available,
	RolloutNotConverging: model.Updated,
}

// replicaMemberAlert compares a replica family member with the desired
// count, as Deployment semantics read them: fewer available replicas than
// desired (ReplicasUnavailable); fewer updated (up-to-date) replicas than
// desired while a rollout is under way, for longer than the class's
// duration (RolloutNotConverging).
//
// Available replicas are ready ones that stayed ready (minReadySeconds), so
// a ready shortfall is an availability shortfall too: ReplicasUnavailable
// leaves objects whose ready count is short to ReplicasMismatch, and the two
// never fire for one object.
//
// A rollout under way shows in the other counts: new replicas beside old
// ones (more current replicas than desired: a surge) or replicas not ready
// (old ones taken down, new ones not up). A rollout held on purpose (a
// StatefulSet-style partition, an OnDelete strategy) leaves old replicas
// ready and none extra, and converges only when someone lets it: it does
// not raise RolloutNotConverging. That alert measures another count than
// ReplicasMismatch and may fire beside it.
func (b *builder) replicaMemberAlert(s subject, c Class) (alert, bool) {
	member := replicaMemberOf[c]
	i := slices.IndexFunc(s.kinds, func(k model.Kind) bool { return hasMember(k, member) })
	if i < 0 {
		return alert{}, false
	}
	a := b.newAlert(s, c, string(c), string(c))
	// Only kinds with a family member produce its series, and every kind
	// with a replica family has desired and ready counts: no kind matcher is
	// needed.
	sel := func(suffix string) string { return selector(b.metric(suffix), s.base()...) }
	desired := sel(series.ReplicasDesired)
	unready := sel(series.ReplicasReady) + " < " + desired
	expr := sel(series.ReplicaMember(member)) + " < " + desired
	switch c {
	case ReplicasUnavailable:
		expr = "(" + expr + ") unless " + onObject + " (" + unready + ")"
	case RolloutNotConverging:
		underWay := unready
		if slices.ContainsFunc(s.kinds, func(k model.Kind) bool { return hasMember(k, model.Current) }) {
			underWay = sel(series.ReplicasCurrent) + " > " + desired + " or " + unready
		}
		expr = "(" + expr + ") and " + onObject + " (" + underWay + ")"
	}
	a.expr = s.silence(expr, c, true, b.o.Prefix)
	a.fixture = b.replicaMemberFixture(s.kinds[i], member, a.forDur)
	return a, true
}

// hasMember reports whether k's replica family has the member.
func hasMember(k model.Kind, member string) bool {
	return k.Replicas != nil && slices.ContainsFunc(k.Replicas.Members(), func(m model.ReplicaMember) bool { return m.Name == member })
}

// replicaMemberFixture shows an object with one of three replicas in the
// member's count (firing) and one with all three (healthy), both with three
// ready. An updated count is short during a rollout: the firing object has
// a fourth, surge replica, or, for kinds that do not count current
// replicas, only two ready.
func (b *builder) replicaMemberFixture(k model.Kind, member string, forDur time.Duration) fixture {
	info := b.infoSeries(k, false)
	obj := objectLabels(k)
	gauge := func(suffix string, v float64) inputSeries {
		return inputSeries{metric: b.metric(suffix), labels: obj, start: v}
	}
	healthy := []inputSeries{info, gauge(series.ReplicasDesired, 3), gauge(series.ReplicasReady, 3), gauge(series.ReplicaMember(member), 3)}
	firing := []inputSeries{info, gauge(series.ReplicasDesired, 3), gauge(series.ReplicasReady, 3), gauge(series.ReplicaMember(member), 1)}
	if member == model.Updated {
		if hasMember(k, model.Current) {
			healthy = append(healthy, gauge(series.ReplicasCurrent, 3))
			firing = append(firing, gauge(series.ReplicasCurrent, 4))
		} else {
			firing[2] = gauge(series.ReplicasReady, 2)
		}
	}
	f := fixture{
		firing:  firing,
		healthy: healthy,
		eval:    evalAfterFor(evalStep, forDur),
		expect:  obj, value: 1,
	}
	return b.finish(f, k)
}
