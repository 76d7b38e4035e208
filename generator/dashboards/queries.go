package dashboards

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Grafana variable names the queries use.
const (
	varDatasource = "datasource"
	varCluster    = "cluster"
	varNamespace  = "namespace"
	varKind       = "kind"
)

// queries writes the PromQL of one dashboard. Every object-level expression
// yields one series per object, labelled with objectLabels.
type queries struct {
	prefix  string
	group   string
	kind    string // fixed kind of a per-kind board, else "" (the $kind variable)
	cluster string // cluster label, or ""
	kinds   []model.Kind
	ctrl    []string // controller names, sorted
}

func newQueries(b board, opts Options) queries {
	return queries{
		prefix:  opts.Prefix,
		group:   b.group,
		kind:    b.kind,
		cluster: opts.ClusterLabel,
		kinds:   b.kinds,
		ctrl:    controllers(b.kinds, opts.Controllers),
	}
}

// controllers returns the controller names reconciling kinds.
func controllers(kinds []model.Kind, override map[string][]string) []string {
	set := map[string]bool{}
	for _, k := range kinds {
		names, ok := override[k.ID()]
		if !ok {
			names, ok = override[k.Kind]
		}
		if !ok && !k.Wildcard() { // a wildcard kind has no kind name to infer from
			names = []string{strings.ToLower(k.Kind)}
		}
		for _, n := range names {
			set[n] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// signals summarizes what the board's kinds expose.
type signals struct {
	replicas, generation, phases bool
	multiPhase                   bool // some kind has more than one phase field
	expiry                       bool // some kind has an expiry timestamp
	problems                     bool // some kind has a problem counter
	failures                     bool // some kind has a failure counter
	// replicaMembers are the replica family members some kind has, in
	// model.Replicas.Members order.
	replicaMembers []string
}

func (q queries) signals() signals {
	var s signals
	for _, k := range q.kinds {
		s.replicas = s.replicas || k.Replicas != nil
		if k.Replicas != nil {
			for _, m := range k.Replicas.Members() {
				if !slices.Contains(s.replicaMembers, m.Name) {
					s.replicaMembers = append(s.replicaMembers, m.Name)
				}
			}
		}
		s.failures = s.failures || len(k.Failures) > 0
		s.generation = s.generation || k.Generation != nil
		s.phases = s.phases || len(k.Phases) > 0
		s.multiPhase = s.multiPhase || len(k.Phases) > 1
		s.problems = s.problems || len(k.Problems) > 0
		s.expiry = s.expiry || slices.ContainsFunc(k.Timestamps, func(ts model.Timestamp) bool { return ts.Meaning == model.Expiry })
	}
	slices.SortFunc(s.replicaMembers, func(a, b string) int { return memberOrder(a) - memberOrder(b) })
	return s
}

// states lists the health states the board's kinds can be in (those
// package health has a signal for), in the order panels show them.
func (q queries) states() []string {
	reasons := health.Reasons(q.kinds)
	var out []string
	for _, st := range []string{health.Healthy, health.Degraded, health.Progressing, health.Suspended} {
		if len(reasons[slices.Index(health.States, st)]) > 0 {
			out = append(out, st)
		}
	}
	return out
}

func (q queries) namespaced() bool {
	for _, k := range q.kinds {
		if k.Namespaced {
			return true
		}
	}
	return false
}

// quote renders a PromQL string literal.
func quote(s string) string { return strconv.Quote(s) }

// sel is a selector of a crdmon family filtered by the dashboard's group and
// variables, with extra matchers appended.
func (q queries) sel(suffix string, extra ...string) string {
	return q.selector(series.Name(q.prefix, suffix), extra...)
}

// state selects the recorded health state (health.Metric) of the
// dashboard's objects, with extra matchers appended.
func (q queries) state(extra ...string) string { return q.selector(health.Metric, extra...) }

// selector is a selector of metric filtered by the dashboard's group and
// variables, with extra matchers appended.
func (q queries) selector(metric string, extra ...string) string {
	m := []string{series.LabelGroup + "=" + quote(q.group)}
	if q.kind != "" {
		m = append(m, series.LabelKind+"="+quote(q.kind))
	} else {
		m = append(m, series.LabelKind+`=~"$`+varKind+`"`)
	}
	if q.namespaced() {
		m = append(m, series.LabelNamespace+`=~"$`+varNamespace+`"`)
	}
	m = append(m, q.clusterMatcher()...)
	m = append(m, extra...)
	return metric + "{" + strings.Join(m, ", ") + "}"
}

func (q queries) clusterMatcher() []string {
	if q.cluster == "" {
		return nil
	}
	return []string{q.cluster + `=~"$` + varCluster + `"`}
}

// objectBy is the label list identifying one object.
func (q queries) objectBy() string { return q.by(series.ObjectLabels...) }

// by is a grouping label list, with the cluster label first when set.
func (q queries) by(labels ...string) string {
	if q.cluster != "" {
		labels = append([]string{q.cluster}, labels...)
	}
	return strings.Join(labels, ", ")
}

func matchEq(label, value string) string    { return label + "=" + quote(value) }
func matchNotEq(label, value string) string { return label + "!=" + quote(value) }
func matchRe(label, re string) string       { return label + "=~" + quote(re) }

func (q queries) objects() string { return "count(" + q.sel(series.Info) + ")" }

// inState counts the objects in a health state.
func (q queries) inState(state string) string {
	return "count(" + q.state(matchEq(health.LabelState, state)) + ")"
}

// notHealthy lists the objects not Healthy, with their state and reason.
func (q queries) notHealthy() string {
	return q.state(matchNotEq(health.LabelState, health.Healthy))
}

// stateCounts counts the objects per state and each of labels.
func (q queries) stateCounts(labels ...string) string {
	return "count by (" + strings.Join(append(labels, health.LabelState), ", ") + ") (" + q.state() + ")"
}

// countByKind counts the objects of a per-object expression per kind.
func (q queries) countByKind(expr string) string {
	return "count by (" + q.by(series.LabelKind) + ") (" + expr + ")"
}

func (q queries) sumByKind(suffix string) string {
	return "sum by (" + q.by(series.LabelKind) + ") (" + q.sel(suffix) + ")"
}

func (q queries) missingReplicas() string {
	return "max by (" + q.objectBy() + ") (" + q.sel(series.ReplicasDesired) + " - " + q.sel(series.ReplicasReady) + ") > 0"
}

// memberOrder ranks replica family members as model.Replicas.Members does.
func memberOrder(member string) int {
	return slices.Index([]string{model.Current, model.Available, model.Updated}, member)
}

// sumByKindField sums a family per kind and field.
func (q queries) sumByKindField(suffix string) string {
	return "sum by (" + q.by(series.LabelKind, series.LabelField) + ") (" + q.sel(suffix) + ")"
}

// expiresIn is the seconds left before each expiry timestamp (negative once
// past).
func (q queries) expiresIn() string {
	return "min by (" + q.by(append(slices.Clone(series.ObjectLabels), series.LabelField)...) + ") (" +
		q.sel(series.TimestampSeconds, matchEq(series.LabelMeaning, model.Expiry)) + ") - time()"
}

// aboveZero is each counter of a family with a field label (problems,
// failures) that is above zero, per object and field.
func (q queries) aboveZero(suffix string) string {
	return "max by (" + q.by(append(slices.Clone(series.ObjectLabels), series.LabelField)...) + ") (" + q.sel(suffix) + ") > 0"
}

func (q queries) generationLag() string {
	return q.countByKind(q.sel(series.ObservedGeneration) + " < " + q.sel(series.Generation))
}

func (q queries) phaseCounts() string {
	labels := []string{series.LabelKind, series.LabelPhase}
	if q.signals().multiPhase {
		labels = []string{series.LabelKind, series.LabelField, series.LabelPhase}
	}
	return "count by (" + q.by(labels...) + ") (" + q.sel(series.PhaseInfo) + ")"
}

// ctrlSel selects a controller-runtime metric of the board's controllers;
// label is "controller" or, for workqueue metrics, "name".
func (q queries) ctrlSel(metric, label string) string {
	m := append([]string{matchRe(label, model.Alternation(q.ctrl))}, q.clusterMatcher()...)
	return metric + "{" + strings.Join(m, ", ") + "}"
}

func (q queries) ctrlRate(metric string, by ...string) string {
	return "sum by (" + q.by(by...) + ") (rate(" + q.ctrlSel(metric, "controller") + "[$__rate_interval]))"
}

func (q queries) reconcileQuantile(quantile string) string {
	return "histogram_quantile(" + quantile + ", " + q.ctrlRate(series.ReconcileTimeSeconds+"_bucket", "controller", "le") + ")"
}

func (q queries) workqueueDepth() string {
	return "sum by (" + q.by("name") + ") (" + q.ctrlSel(series.WorkqueueDepth, "name") + ")"
}

// labelValues is a Grafana variable query listing a label's values.
func (q queries) labelValues(label string, withCluster bool) string {
	m := []string{matchEq(series.LabelGroup, q.group)}
	if withCluster {
		m = append(m, q.clusterMatcher()...)
	}
	return "label_values(" + series.Name(q.prefix, series.Info) + "{" + strings.Join(m, ", ") + "}, " + label + ")"
}
