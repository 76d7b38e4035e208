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

// replicaMemberSuffix ends the name of each class's alert.
var replicaMemberSuffix = map[Class]string{
	ReplicasUnavailable:  "ReplicasUnavailable",
	RolloutNotConverging: "RolloutNotConverging",
}

// replicaMemberAlert compares a replica family member with the desired
// count, as Deployment semantics read them: fewer available replicas than
// desired (ReplicasUnavailable), fewer updated (up-to-date) replicas than
// desired for longer than the class's duration (RolloutNotConverging).
//
// Available replicas are ready ones that stayed ready (minReadySeconds), so
// a ready shortfall is an availability shortfall too: ReplicasUnavailable
// leaves objects whose ready count is short to ReplicasMismatch, and the two
// never fire for one object. RolloutNotConverging measures another count and
// may fire beside either.
func (b *builder) replicaMemberAlert(s subject, c Class) (alert, bool) {
	member := replicaMemberOf[c]
	has := func(k model.Kind) bool {
		return k.Replicas != nil && slices.ContainsFunc(k.Replicas.Members(), func(m model.ReplicaMember) bool { return m.Name == member })
	}
	i := slices.IndexFunc(s.kinds, has)
	if i < 0 {
		return alert{}, false
	}
	a := b.newAlert(s, c, string(c), replicaMemberSuffix[c])
	// Only kinds with the member produce its family, and every kind with a
	// family member has the desired count: no kind matcher is needed.
	desired := selector(b.metric(series.ReplicasDesired), s.base()...)
	expr := selector(b.metric(series.ReplicaMember(member)), s.base()...) + " < " + desired
	if c == ReplicasUnavailable {
		expr = "(" + expr + ") unless " + onObject + " (" + selector(b.metric(series.ReplicasReady), s.base()...) + " < " + desired + ")"
	}
	a.expr = s.silence(expr, c, true, b.o.Prefix)
	a.fixture = b.replicaMemberFixture(s.kinds[i], member, a.forDur)
	return a, true
}

// replicaMemberFixture shows an object with one of three replicas in the
// member's count, its ready count complete (firing), and one with all three
// (healthy).
func (b *builder) replicaMemberFixture(k model.Kind, member string, forDur time.Duration) fixture {
	info := b.infoSeries(k, false)
	obj := objectLabels(k)
	gauge := func(suffix string, v float64) inputSeries {
		return inputSeries{metric: b.metric(suffix), labels: obj, start: v}
	}
	base := []inputSeries{info, gauge(series.ReplicasDesired, 3), gauge(series.ReplicasReady, 3)}
	f := fixture{
		firing:  append(slices.Clip(base), gauge(series.ReplicaMember(member), 1)),
		healthy: append(slices.Clip(base), gauge(series.ReplicaMember(member), 3)),
		eval:    evalAfterFor(evalStep, forDur),
		expect:  obj, value: 1,
	}
	return b.finish(f, k)
}
