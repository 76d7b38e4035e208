package dashboards

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

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
		if !ok {
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
	conditions, withStatus, withoutStatus bool
	replicas, generation, phases, suspend bool
	multiPhase                            bool // some kind has more than one phase field
	expiry                                bool // some kind has an expiry timestamp
}

func (q queries) signals() signals {
	var s signals
	for _, k := range q.kinds {
		for _, c := range k.Conditions {
			s.conditions = true
			if c.HasStatus {
				s.withStatus = true
			} else {
				s.withoutStatus = true
			}
		}
		s.replicas = s.replicas || k.Replicas != nil
		s.generation = s.generation || k.Generation != nil
		s.phases = s.phases || len(k.Phases) > 0
		s.multiPhase = s.multiPhase || len(k.Phases) > 1
		s.suspend = s.suspend || k.Suspend != nil
		s.expiry = s.expiry || slices.ContainsFunc(k.Timestamps, func(ts model.Timestamp) bool { return ts.Meaning == model.Expiry })
	}
	return s
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
	return series.Name(q.prefix, suffix) + "{" + strings.Join(m, ", ") + "}"
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

func matchEq(label, value string) string { return label + "=" + quote(value) }
func matchRe(label, re string) string    { return label + "=~" + quote(re) }

// alternation is a regex matching any of the names exactly.
func alternation(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(q, "|")
}

func matchNotRe(label, re string) string { return label + "!~" + quote(re) }

// Condition type regexes, after model.PolarityOf: positive types are the
// exact list or a positive suffix, unless a negative word wins.
var (
	positiveRe = alternation(model.PositiveTypes) + "|" + model.PositiveTypePattern
	negativeRe = model.NegativeTypePattern
	progressRe = alternation(model.ProgressTypes)
)

// positiveTypeMatchers select the condition types that read as positive.
func positiveTypeMatchers() []string {
	return []string{matchRe(series.LabelType, positiveRe), matchNotRe(series.LabelType, negativeRe)}
}

// trueStatus matches a condition that is True; a condition without a status
// field means True by being present.
func (q queries) trueStatus() string {
	if q.signals().withoutStatus {
		return matchRe(series.LabelStatus, "True|")
	}
	return matchEq(series.LabelStatus, "True")
}

// phaseRe is a case-insensitive regex of the failure or progress values of
// the board's phase fields: the generic lists plus what detection found.
func (q queries) phaseRe(failure bool) string {
	set := map[string]bool{}
	add := func(vs []string) {
		for _, v := range vs {
			set[strings.ToLower(v)] = true
		}
	}
	if failure {
		add(model.FailurePhases)
	} else {
		add(model.ProgressPhases)
	}
	for _, k := range q.kinds {
		for _, p := range k.Phases {
			if failure {
				add(p.Failure)
			} else {
				add(p.Progress)
			}
		}
	}
	vals := make([]string, 0, len(set))
	for v := range set {
		vals = append(vals, v)
	}
	sort.Strings(vals)
	return "(?i)" + alternation(vals)
}

// troubleSeries are the raw series that make an object unhealthy: positive
// conditions False, negative conditions True, failure phases. Each keeps the
// object labels and type/status/reason (phases: type=<field>, status=<phase>).
// The phase series have value 0 (no transition time known).
func (q queries) troubleSeries() []string {
	s := q.signals()
	var parts []string
	if s.withStatus {
		parts = append(parts, q.sel(series.Condition, append(positiveTypeMatchers(), matchEq(series.LabelStatus, "False"))...))
	}
	if s.conditions {
		parts = append(parts, q.sel(series.Condition, matchRe(series.LabelType, negativeRe), q.trueStatus()))
	}
	if s.phases {
		phase := q.sel(series.PhaseInfo, matchRe(series.LabelPhase, q.phaseRe(true)))
		parts = append(parts, `label_replace(label_replace(0 * `+phase+`, "type", "$1", "field", "(.+)"), "status", "$1", "phase", "(.+)")`)
	}
	return parts
}

// progressSeries are the raw series that mean work is ongoing.
func (q queries) progressSeries() []string {
	s := q.signals()
	var parts []string
	if s.conditions {
		parts = append(parts, q.sel(series.Condition, matchRe(series.LabelType, progressRe), q.trueStatus()))
	}
	if s.withStatus {
		parts = append(parts, q.sel(series.Condition, append(positiveTypeMatchers(), matchEq(series.LabelStatus, "Unknown"))...))
	}
	if s.phases {
		parts = append(parts, q.sel(series.PhaseInfo, matchRe(series.LabelPhase, q.phaseRe(false))))
	}
	if s.generation {
		parts = append(parts, "("+q.sel(series.ObservedGeneration)+" < "+q.sel(series.Generation)+")")
	}
	if s.replicas {
		parts = append(parts, "("+q.sel(series.ReplicasReady)+" < "+q.sel(series.ReplicasDesired)+")")
	}
	return parts
}

// perObject groups series by object; "" when there are none.
func (q queries) perObject(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return "group by (" + q.objectBy() + ") (" + strings.Join(parts, " or ") + ")"
}

// unless removes the objects of each non-empty subtrahend from expr.
func unless(expr string, subtrahends ...string) string {
	for _, s := range subtrahends {
		if s != "" {
			expr += " unless " + s
		}
	}
	return expr
}

// Health state expressions: one series per object, mutually exclusive, in
// precedence order suspended > unhealthy > progressing > healthy. An empty
// string means the board's kinds cannot be in that state.
func (q queries) suspended() string {
	if !q.signals().suspend {
		return ""
	}
	return q.perObject([]string{q.sel(series.Info, matchEq(series.LabelSuspended, "true"))})
}

func (q queries) unhealthy() string {
	u := q.perObject(q.troubleSeries())
	if u == "" {
		return ""
	}
	return unless(u, q.suspended())
}

func (q queries) progressing() string {
	p := q.perObject(q.progressSeries())
	if p == "" {
		return ""
	}
	return unless(p, q.perObject(q.troubleSeries()), q.suspended())
}

func (q queries) healthy() string {
	return unless(q.perObject([]string{q.sel(series.Info)}), q.perObject(q.troubleSeries()), q.perObject(q.progressSeries()), q.suspended())
}

func (q queries) objects() string { return "count(" + q.sel(series.Info) + ")" }

// unhealthyTable lists the trouble of unhealthy objects, one row per
// object and condition; the value is when it started, in milliseconds since
// the epoch (0: unknown).
func (q queries) unhealthyTable() string {
	parts := q.troubleSeries()
	if len(parts) == 0 {
		return ""
	}
	by := q.by(series.LabelKind, series.LabelNamespace, series.LabelName, series.LabelType, series.LabelStatus, series.LabelReason)
	expr := "1000 * max by (" + by + ") (" + strings.Join(parts, " or ") + ")"
	if s := q.suspended(); s != "" {
		expr += " unless on (" + q.by(series.LabelKind, series.LabelNamespace, series.LabelName) + ") " + s
	}
	return expr
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

// expiresIn is the seconds left before each expiry timestamp (negative once
// past).
func (q queries) expiresIn() string {
	return "min by (" + q.by(append(slices.Clone(series.ObjectLabels), series.LabelField)...) + ") (" +
		q.sel(series.TimestampSeconds, matchEq(series.LabelMeaning, model.Expiry)) + ") - time()"
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
	m := append([]string{matchRe(label, alternation(q.ctrl))}, q.clusterMatcher()...)
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
