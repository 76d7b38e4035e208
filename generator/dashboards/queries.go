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
	varGroup      = "group"
	varNamespace  = "namespace"
	varKind       = "kind"
	varController = "controller"
)

// queries writes the PromQL of one dashboard. Every object-level expression
// yields one series per object, labelled with objectLabels.
type queries struct {
	scope   scope
	prefix  string
	group   string // fixed group of a scopeGroup board, else ""
	kind    string // fixed kind of a per-kind board, else "" (the $kind variable, or every kind)
	cluster string // cluster label, or ""
	kinds   []model.Kind
	// ctrl are the controller names of a scopeGroup board, sorted; boards
	// of all kinds select controllers with the $controller variable.
	ctrl []string
}

func newQueries(b board, opts Options) queries {
	q := queries{
		scope:   b.scope,
		prefix:  opts.Prefix,
		group:   b.group,
		kind:    b.kind,
		cluster: opts.ClusterLabel,
		kinds:   b.kinds,
	}
	if b.scope == scopeGroup {
		q.ctrl = controllers(b.kinds, opts.Controllers)
	}
	return q
}

// hasControllers reports whether the board has a controller row: boards of
// all kinds have one unless every kind's controllers were set to none.
func (q queries) hasControllers(opts Options) bool {
	if q.scope == scopeGroup {
		return len(q.ctrl) > 0
	}
	return len(controllers(q.kinds, opts.Controllers)) > 0
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

// states are the health states in the order panels show them. Every kind
// may be in any of them (a deleting object is Progressing, a status not yet
// reported too), so boards show all four, read from the recorded state.
var states = []string{health.Healthy, health.Degraded, health.Progressing, health.Suspended}

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

// sel is a selector of a crdmon family (a series of the generated
// kube-state-metrics config) filtered by the dashboard's scope and
// variables, with extra matchers appended.
func (q queries) sel(suffix string, extra ...string) string {
	metric, scoped := q.raw(suffix)
	return q.selector(metric, append(scoped, extra...)...)
}

// raw names a family of crdmon's kube-state-metrics config and the
// matchers that tell its series from other custom-resource-state metrics of
// the same prefix. Every selector of such a series in the dashboards (panel
// queries and label_values variables) is built from it, so a scoping label
// is added here and only here.
func (q queries) raw(suffix string) (metric string, scoped []string) {
	return series.Name(q.prefix, suffix), []string{series.LabelScope + "=" + strconv.Quote(series.ScopeValue)}
}

// state selects the recorded health state (health.Metric) of the
// dashboard's objects, with extra matchers appended.
func (q queries) state(extra ...string) string { return q.selector(health.Metric, extra...) }

// selector is a selector of metric filtered by the dashboard's scope and
// variables, with extra matchers appended.
func (q queries) selector(metric string, extra ...string) string {
	var m []string
	switch q.scope {
	case scopeVars:
		m = append(m, matchEq(series.LabelGroup, "$"+varGroup), matchRe(series.LabelKind, "$"+varKind))
	case scopeGroup:
		m = append(m, matchEq(series.LabelGroup, q.group))
		if q.kind != "" {
			m = append(m, matchEq(series.LabelKind, q.kind))
		} else {
			m = append(m, matchRe(series.LabelKind, "$"+varKind))
		}
	}
	if q.scope != scopeAll && q.namespaced() {
		m = append(m, matchRe(series.LabelNamespace, "$"+varNamespace))
	}
	m = append(m, q.clusterMatcher()...)
	m = append(m, extra...)
	if len(m) == 0 {
		return metric
	}
	return metric + "{" + strings.Join(m, ", ") + "}"
}

func (q queries) clusterMatcher() []string {
	if q.cluster == "" {
		return nil
	}
	return []string{matchRe(q.cluster, "$"+varCluster)}
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

// kindCount counts the kinds that have objects.
func (q queries) kindCount() string {
	return "count(count by (" + series.LabelGroup + ", " + series.LabelKind + ") (" + q.sel(series.Info) + "))"
}

// activeSignals lists the layer-1 signal series (signalMetrics) of the
// objects, each labelled with its class.
func (q queries) activeSignals() string {
	parts := make([]string, len(signalMetrics))
	for i, s := range signalMetrics {
		parts[i] = "label_replace(" + q.selector(s.metric) + ", " + quote(labelClass) + ", " + quote(s.class) + `, "", "")`
	}
	return strings.Join(parts, " or ")
}

// conditionTimes are the objects' conditions, valued with their last
// transition time in milliseconds (0: none reported).
func (q queries) conditionTimes() string { return q.sel(series.Condition) + " * 1000" }

// conditionCounts counts the conditions per kind, type and status.
func (q queries) conditionCounts() string {
	return "count by (" + q.by(append(q.kindLabels(), series.LabelType, series.LabelStatus)...) + ") (" + q.sel(series.Condition) + ")"
}

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

// kindLabels name a kind on the board: the kind, and its group on the
// overview, which spans groups.
func (q queries) kindLabels() []string {
	if q.scope == scopeAll {
		return []string{series.LabelGroup, series.LabelKind}
	}
	return []string{series.LabelKind}
}

// kindLegend is the legend naming a kind.
func (q queries) kindLegend() string {
	if q.scope == scopeAll {
		return "{{" + series.LabelKind + "}}.{{" + series.LabelGroup + "}}"
	}
	return "{{" + series.LabelKind + "}}"
}

// countByKind counts the objects of a per-object expression per kind.
func (q queries) countByKind(expr string) string {
	return "count by (" + q.by(q.kindLabels()...) + ") (" + expr + ")"
}

func (q queries) sumByKind(suffix string) string {
	return "sum by (" + q.by(q.kindLabels()...) + ") (" + q.sel(suffix) + ")"
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
	return "sum by (" + q.by(append(q.kindLabels(), series.LabelField)...) + ") (" + q.sel(suffix) + ")"
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

// generationBehind is, per object whose controller has not observed its
// latest spec, how many generations it is behind.
func (q queries) generationBehind() string {
	return "max by (" + q.objectBy() + ") (" + q.sel(series.Generation) + " - " + q.sel(series.ObservedGeneration) + ") > 0"
}

func (q queries) generationLag() string {
	return q.countByKind(q.sel(series.ObservedGeneration) + " < " + q.sel(series.Generation))
}

func (q queries) phaseCounts() string {
	labels := []string{series.LabelPhase}
	if q.signals().multiPhase {
		labels = []string{series.LabelField, series.LabelPhase}
	}
	return "count by (" + q.by(append(q.kindLabels(), labels...)...) + ") (" + q.sel(series.PhaseInfo) + ")"
}

// ctrlSel selects a controller-runtime metric of the board's controllers,
// or of the $controller variable's; label is "controller" or, for
// workqueue metrics, "name".
func (q queries) ctrlSel(metric, label string) string {
	re := "$" + varController
	if q.scope == scopeGroup {
		re = model.Alternation(q.ctrl)
	}
	m := append([]string{matchRe(label, re)}, q.clusterMatcher()...)
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

// labelValues is a Grafana variable query listing a label's values: on a
// scopeGroup board from the group's info series, else from the recorded
// health state, each variable filtered by the ones before it (chained).
func (q queries) labelValues(label string) string {
	metric, m := health.Metric, []string(nil)
	if q.scope == scopeGroup {
		metric, m = q.raw(series.Info)
		m = append(m, matchEq(series.LabelGroup, q.group))
	}
	if label != q.cluster {
		m = append(m, q.clusterMatcher()...)
	}
	if q.scope == scopeVars {
		switch label {
		case series.LabelKind:
			m = append(m, matchEq(series.LabelGroup, "$"+varGroup))
		case series.LabelNamespace:
			m = append(m, matchEq(series.LabelGroup, "$"+varGroup), matchRe(series.LabelKind, "$"+varKind))
		}
	}
	sel := metric
	if len(m) > 0 {
		sel += "{" + strings.Join(m, ", ") + "}"
	}
	return "label_values(" + sel + ", " + label + ")"
}

// controllerValues is the Grafana variable query listing the controllers
// controller-runtime reports.
func (q queries) controllerValues() string {
	sel := series.ReconcileTotal
	if m := q.clusterMatcher(); len(m) > 0 {
		sel += "{" + strings.Join(m, ", ") + "}"
	}
	return "label_values(" + sel + ", controller)"
}
