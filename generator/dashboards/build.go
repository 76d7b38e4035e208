package dashboards

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
)

// schemaVersion is the dashboard JSON schema version written: Grafana 10.4
// and 11 read it as is, Grafana 12 migrates it on load.
const schemaVersion = 39

// stateColors are the colors of the health states.
var stateColors = map[string]string{
	health.Healthy:     "green",
	health.Degraded:    "red",
	health.Progressing: "yellow",
	health.Suspended:   "blue",
}

// stateDescs explain each health state (see package health).
var stateDescs = map[string]string{
	health.Suspended:   "Objects paused: a suspend field true, a condition or state value naming a pause (unless the status lags the spec). They are in no other state.",
	health.Degraded:    "Objects with a negative condition (Stalled, Degraded, *Failed...) True, a positive condition (Ready, Available, Synced...) False or failing, or a failure phase; not while the controller has yet to observe the latest spec. Suspended objects are not counted.",
	health.Progressing: "Objects being deleted, or not degraded but still converging: observedGeneration behind metadata.generation, a Reconciling/Progressing condition or one naming an activity (Issuing, Running) True, a positive condition not yet True, a progress phase, fewer ready than desired replicas, or no status reported yet.",
	health.Healthy:     "Objects neither suspended, degraded nor progressing.",
}

// descRecorded says where the health panels read the state.
const descRecorded = " Read from the " + health.Metric + " recording rule of crdmon's rule files, which must be deployed."

// build renders one board as dashboard JSON (see canonicalJSON).
func build(b board, opts Options) ([]byte, error) {
	d, err := buildDashboard(b, opts)
	if err != nil {
		return nil, err
	}
	return canonicalJSON(d)
}

// buildDashboard builds one board with the Grafana SDK.
func buildDashboard(b board, opts Options) (dashboard.Dashboard, error) {
	q := newQueries(b, opts)
	g := &grid{}
	tags := []string{"crdmon"}
	if b.group != "" {
		tags = append(tags, b.group)
	}
	db := dashboard.NewDashboardBuilder(b.title).
		Uid(uid(b.key)).
		Description(output.Marker+" "+describe(b)+" From kube-state-metrics custom-resource-state metrics (prefix "+opts.Prefix+") and crdmon's recording rules.").
		Tags(tags).
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Time("now-6h", "now").
		Refresh("1m").
		Timezone(common.TimeZoneBrowser).
		Link(dashboard.NewDashboardLinkBuilder("crdmon").
			Type(dashboard.DashboardLinkTypeDashboards).
			Tags([]string{"crdmon"}).
			AsDropdown(true).
			IncludeVars(true).
			KeepTime(true)).
		Variables(variables(b, q, opts))
	if b.scope == scopeAll {
		overviewBoard(db, g, q)
	} else {
		healthRow(db, g, q)
		activeSignalsRow(db, g, q)
		conditionsRow(db, g, q)
		signalRows(db, g, q)
		expiryRow(db, g, q)
		problemsRow(db, g, q)
		failuresRow(db, g, q)
		if q.hasControllers(opts) {
			controllerRow(db, g, q)
		}
	}
	d, err := db.Build()
	if err != nil {
		return d, err
	}
	d.SchemaVersion = schemaVersion
	return d, nil
}

// describe says what a board shows.
func describe(b board) string {
	switch b.scope {
	case scopeAll:
		return "Health of every custom resource crdmon monitors, across API groups and kinds: counts per state, the objects not healthy, the kinds most degraded, expiries."
	case scopeVars:
		return "Health of the custom resources of the selected API group, kinds and namespaces: states, signals, conditions, replicas, phases, generations, expiries and controllers."
	}
	names := make([]string, len(b.kinds))
	for i, k := range b.kinds {
		names[i] = k.Kind
	}
	return "Health of " + strings.Join(names, ", ") + " (" + b.group + ")."
}

// legend prefixes a legend format with the cluster when there is one.
func (q queries) legend(format string) string {
	if q.cluster == "" {
		return format
	}
	return "{{" + q.cluster + "}} " + format
}

// share is the width of the i-th of n panels filling a line.
func share(i, n int) uint32 {
	w := gridWidth / n
	if i < gridWidth%n {
		w++
	}
	return uint32(w)
}

func row(db *dashboard.DashboardBuilder, g *grid, title string) {
	pos, id := g.row()
	db.WithRow(dashboard.NewRowBuilder(title).Id(id).GridPos(pos))
}

// panel is any panel builder that takes a position and an id.
type panel[B any] interface {
	cog.Builder[dashboard.Panel]
	GridPos(dashboard.GridPos) B
	Id(uint32) B
}

// add places a panel of w×h on the grid and adds it to the dashboard.
func add[B panel[B]](db *dashboard.DashboardBuilder, g *grid, w, h uint32, p B) {
	pos, id := g.place(w, h)
	p.GridPos(pos)
	p.Id(id)
	db.WithPanel(p)
}

// healthRow: object counts by health state, the objects not healthy,
// the states per kind or reason, and history, all read from the recorded
// state.
func healthRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	row(db, g, "Health")
	stateStats(db, g, q, countStat("Objects", "Objects of the selected kinds and namespaces.", q.objects(), "text", ""))

	add(db, g, gridWidth*2/3, tableHeight, notHealthyTable(q))
	by, title, desc := column{series.LabelKind, "Kind"}, "Health by kind", "Objects in each health state per kind."
	if q.kind != "" || q.scope == scopeVars {
		by, title, desc = column{health.LabelReason, "Reason"}, "Health by reason", "Objects in each health state per reason deciding it."
	}
	add(db, g, gridWidth/3, tableHeight, stateMatrix(title, desc+descRecorded, q.stateCounts(by.field), by))

	add(db, g, gridWidth/2, chartHeight, healthChart(q))
	title = "Degraded objects by kind"
	if q.kind != "" {
		title = "Degraded objects over time"
	}
	add(db, g, gridWidth/2, chartHeight, chart(title, stateDescs[health.Degraded]+descRecorded, "short",
		target{expr: q.countByKind(q.state(matchEq(health.LabelState, health.Degraded))), legend: q.legend(q.kindLegend())}))
}

// stateStats is a line of big numbers: the given ones, then the objects in
// each health state.
func stateStats(db *dashboard.DashboardBuilder, g *grid, q queries, first ...*stat.PanelBuilder) {
	n := len(first) + len(states)
	for i, p := range first {
		add(db, g, share(i, n), statHeight, p)
	}
	for i, st := range states {
		base, alert := stateColors[st], ""
		if st == health.Degraded || st == health.Progressing {
			base, alert = stateColors[health.Healthy], stateColors[st]
		}
		add(db, g, share(len(first)+i, n), statHeight, countStat(st, stateDescs[st]+descRecorded, q.inState(st), base, alert))
	}
	g.newline()
}

// notHealthyTable lists the objects not Healthy with their state and reason.
func notHealthyTable(q queries) *table.PanelBuilder {
	cols := q.objectColumns(column{health.LabelState, "State"}, column{health.LabelReason, "Reason"})
	return objectTable("Objects not healthy", "Objects whose health state is not Healthy, with the reason: the signal that decided it (a condition type; condition, phase, generation, replicas, suspend, deleting or unreported)."+descRecorded, q.notHealthy(), cols).
		OverrideByName("State", stateCellColors()).
		OverrideByName("Kind", detailLink(q))
}

// healthChart is the object counts per health state over time, stacked.
func healthChart(q queries) *timeseries.PanelBuilder {
	c := chart("Objects by health", "Object counts per health state over time."+descRecorded, "short",
		target{expr: q.stateCounts(), legend: "{{" + health.LabelState + "}}"}).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal))
	for _, st := range states {
		c.OverrideByName(st, fixedColor(stateColors[st]))
	}
	return c
}

// activeSignalsRow: the layer-1 signals of the objects (failing,
// progressing, suspended, silenced), each with the signal it came from and
// its reason.
func activeSignalsRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	row(db, g, "Signals")
	add(db, g, gridWidth, tableHeight, objectTable("Active signals",
		"What the rule pack's layer-1 recording rules (crdmon:signal:*) see on each object: failing, progressing, suspended or silenced, the signal it came from (a condition, a phase, replicas...) and its reason. The health state derives from them; failing signals drive the alerts. Empty while those rules are not deployed.",
		q.activeSignals(), q.objectColumns(column{labelClass, "Class"}, column{labelSignal, "Signal"}, column{health.LabelReason, "Reason"})))
}

// conditionsRow: every condition of the objects, and their counts by type
// and status over time, for boards with kinds that have conditions.
func conditionsRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	nested := false
	has := false
	for _, k := range q.kinds {
		for _, cs := range k.Conditions {
			has = true
			nested = nested || cs.Scope != ""
		}
	}
	if !has {
		return
	}
	row(db, g, "Conditions")
	cols := q.objectColumns()
	if nested {
		cols = append(cols, column{series.LabelPath, "Path"})
	}
	cols = append(cols, column{series.LabelType, "Type"}, column{series.LabelStatus, "Status"}, column{series.LabelReason, "Reason"}, column{"Value", "Last transition"})
	add(db, g, gridWidth*2/3, tableHeight, objectTable("Conditions", "Every status condition of the objects with its status, reason and last transition time.", q.conditionTimes(), cols).
		OverrideByName("Last transition", []dashboard.DynamicConfigValue{
			{Id: "unit", Value: "dateTimeFromNow"},
			{Id: "mappings", Value: []any{map[string]any{"type": "value", "options": map[string]any{"0": map[string]any{"text": "not reported", "index": 0}}}}},
		}))
	add(db, g, gridWidth/3, tableHeight, chart("Conditions by type and status", "Conditions per kind, type and status over time.", "short",
		target{expr: q.conditionCounts(), legend: q.legend(q.kindLegend() + " {{" + series.LabelType + "}}={{" + series.LabelStatus + "}}")}))
}

// signalRows: replicas, generation and phases, for the kinds that have them.
func signalRows(db *dashboard.DashboardBuilder, g *grid, q queries) {
	s := q.signals()
	kindLegend := q.kindLegend()
	if s.replicas {
		row(db, g, "Replicas")
		add(db, g, gridWidth/2, chartHeight, replicaChart(q, s.replicaMembers))
		add(db, g, gridWidth/2, chartHeight, objectTable("Objects missing replicas", "Objects with fewer ready than desired replicas.", q.missingReplicas(),
			q.objectColumns(column{"Value", "Missing replicas"})))
	}
	if !s.generation && !s.phases {
		return
	}
	row(db, g, "Reconciliation")
	n, i := 0, 0
	if s.generation {
		n += 2
	}
	if s.phases {
		n++
	}
	next := func() uint32 { i++; return share(i-1, n) }
	if s.generation {
		add(db, g, next(), chartHeight, chart("Objects with unobserved generation",
			"Objects whose status.observedGeneration is behind metadata.generation: the controller has not yet acted on the latest spec.", "short",
			target{expr: q.generationLag(), legend: q.legend(kindLegend)}))
		add(db, g, next(), chartHeight, objectTable("Generation lag", "Objects whose status.observedGeneration is behind metadata.generation, by how many generations.",
			q.generationBehind(), q.objectColumns(column{"Value", "Generations behind"})))
	}
	if s.phases {
		legend := kindLegend + ": {{" + series.LabelPhase + "}}"
		if s.multiPhase {
			legend = kindLegend + " {{" + series.LabelField + "}}: {{" + series.LabelPhase + "}}"
		}
		add(db, g, next(), chartHeight, pie("Phase distribution", "Objects per value of their phase/state field.", q.phaseCounts(), q.legend(legend)))
	}
}

// replicaChart shows the replica family on one graph: per kind, the sums of
// desired and ready replicas and of the members the kinds have (current,
// available, updated), in that order.
func replicaChart(q queries, members []string) *timeseries.PanelBuilder {
	names := []string{"desired"}
	if slices.Contains(members, model.Current) {
		names = append(names, model.Current)
	}
	names = append(names, "ready")
	for _, m := range members {
		if m != model.Current {
			names = append(names, m)
		}
	}
	suffix := map[string]string{"desired": series.ReplicasDesired, "ready": series.ReplicasReady}
	var ts []target
	for _, n := range names {
		s, ok := suffix[n]
		if !ok {
			s = series.ReplicaMember(n)
		}
		ts = append(ts, target{expr: q.sumByKind(s), legend: q.legend(q.kindLegend() + " " + n)})
	}
	desc := "Sum of desired and of ready replicas per kind."
	if len(members) > 0 {
		gloss := map[string]string{model.Current: "current (existing)", "ready": "ready",
			model.Available: "available (ready long enough)", model.Updated: "updated (at the latest spec)"}
		reported := make([]string, len(names)-1)
		for i, n := range names[1:] {
			reported[i] = gloss[n]
		}
		desc = "Sum per kind of desired replicas and of the counts the controller reports: " +
			strings.Join(reported[:len(reported)-1], ", ") + " and " + reported[len(reported)-1] + "."
	}
	return chart("Replica counts", desc, "short", ts...)
}

// failuresRow: failure counters (failedIssuanceAttempts, installFailures...)
// per kind and field, and the objects whose counters are above 0.
func failuresRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	if !q.signals().failures {
		return
	}
	row(db, g, "Failures")
	add(db, g, gridWidth/2, chartHeight, chart("Failure counters", "Sum per kind and field of the failure counters in status (failed attempts, install or upgrade failures); a counter that keeps rising means retries that keep failing.", "short",
		target{expr: q.sumByKindField(series.Failures), legend: q.legend(q.kindLegend() + " {{" + series.LabelField + "}}")}))
	add(db, g, gridWidth/2, chartHeight, fieldTable(q, "Objects with failures",
		"Objects whose failure counters are above 0, most failures first.", q.aboveZero(series.Failures), "Failures", true))
}

// expiryRow: the objects' expiry times, soonest first.
func expiryRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	if !q.signals().expiry {
		return
	}
	row(db, g, "Expiry")
	t := fieldTable(q, "Expires in", "Time left before each object's expiry time (status.notAfter, *ExpiryDate...), soonest first; negative once expired.",
		q.expiresIn(), "Expires in", false).
		OverrideByName("Expires in", []dashboard.DynamicConfigValue{{Id: "unit", Value: "s"}})
	add(db, g, gridWidth, tableHeight, t)
}

// problemsRow: the objects whose problem counters (declared in crdmon.yaml,
// such as policy violations) are above zero, most first.
func problemsRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	if !q.signals().problems {
		return
	}
	row(db, g, "Problems")
	add(db, g, gridWidth, tableHeight, fieldTable(q, "Objects with problems",
		"Objects whose problem counters (counts that should be zero, declared in crdmon.yaml) are above zero, most first.",
		q.aboveZero(series.Problems), "Problems", true))
}

// fieldTable is a table of one value per object and status field, sorted
// by that value (its column is named value).
func fieldTable(q queries, title, desc, expr, value string, descending bool) *table.PanelBuilder {
	return objectTable(title, desc, expr, q.objectColumns(column{series.LabelField, "Field"}, column{"Value", value})).
		SortBy([]cog.Builder[common.TableSortByFieldState]{common.NewTableSortByFieldStateBuilder().DisplayName(value).Desc(descending)})
}

// controllerRow: controller-runtime metrics of the kinds' controllers, or
// of those the controller variable selects.
func controllerRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	title := "Controllers: " + strings.Join(q.ctrl, ", ")
	switch {
	case q.scope != scopeGroup:
		title = "Controllers: $" + varController
	case len(q.ctrl) > 3:
		title = fmt.Sprintf("Controllers: %d controller-runtime controllers", len(q.ctrl))
	}
	row(db, g, title)
	c := "{{controller}}"
	add(db, g, gridWidth/2, chartHeight, chart("Reconcile rate by result", "controller-runtime reconciles per second, by result.", "ops",
		target{expr: q.ctrlRate(series.ReconcileTotal, "controller", "result"), legend: q.legend(c + " {{result}}")}))
	add(db, g, gridWidth/2, chartHeight, chart("Reconcile errors", "controller-runtime reconcile errors per second.", "ops",
		target{expr: q.ctrlRate(series.ReconcileErrorsTotal, "controller"), legend: q.legend(c)}).
		OverrideByRegexp(".*", fixedColor(stateColors[health.Degraded])))
	add(db, g, gridWidth/2, chartHeight, chart("Reconcile latency", "p50 and p99 of controller-runtime reconcile duration.", "s",
		target{expr: q.reconcileQuantile("0.5"), legend: q.legend(c + " p50")},
		target{expr: q.reconcileQuantile("0.99"), legend: q.legend(c + " p99")}))
	add(db, g, gridWidth/2, chartHeight, chart("Workqueue depth", "Items waiting in each controller's workqueue.", "short",
		target{expr: q.workqueueDepth(), legend: q.legend("{{name}}")}))
}

// variables: data source and cluster (when asked); then, on the detail
// dashboard, group, kind and namespace (when some kind is namespaced) from
// the recorded health state, each chained to those before it, and the
// controller; on a group board, namespace and kind (the group's kinds, or
// those the series show for a wildcard kind).
func variables(b board, q queries, opts Options) []cog.Builder[dashboard.VariableModel] {
	ds := dashboard.NewDatasourceVariableBuilder(varDatasource).Label("Data source").Type("prometheus")
	if opts.Datasource != "" {
		ds.Current(option(opts.Datasource, opts.Datasource))
	}
	vars := []cog.Builder[dashboard.VariableModel]{ds}
	if q.cluster != "" {
		vars = append(vars, queryVariable(varCluster, "Cluster", q.labelValues(q.cluster)))
	}
	switch b.scope {
	case scopeVars:
		vars = append(vars,
			singleVariable(varGroup, "API group", q.labelValues(series.LabelGroup)),
			queryVariable(varKind, "Kind", q.labelValues(series.LabelKind)))
		if q.namespaced() {
			vars = append(vars, queryVariable(varNamespace, "Namespace", q.labelValues(series.LabelNamespace)))
		}
		if q.hasControllers(opts) {
			vars = append(vars, queryVariable(varController, "Controller", q.controllerValues()))
		}
	case scopeGroup:
		if q.namespaced() {
			vars = append(vars, queryVariable(varNamespace, "Namespace", q.labelValues(series.LabelNamespace)))
		}
		vars = append(vars, kindVariable(b, q)...)
	}
	return vars
}

// kindVariable is a group board's kind variable: none on a per-kind board,
// the kinds the series show for a wildcard kind, else the group's kinds.
func kindVariable(b board, q queries) []cog.Builder[dashboard.VariableModel] {
	if b.kind != "" {
		return nil
	}
	if slices.ContainsFunc(b.kinds, model.Kind.Wildcard) {
		return []cog.Builder[dashboard.VariableModel]{queryVariable(varKind, "Kind", q.labelValues(series.LabelKind))}
	}
	names := make([]string, len(b.kinds))
	for i, k := range b.kinds {
		names[i] = k.Kind
	}
	values := strings.Join(names, ",")
	return []cog.Builder[dashboard.VariableModel]{dashboard.NewCustomVariableBuilder(varKind).
		Label("Kind").
		Values(dashboard.StringOrMap{String: &values}).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(option("All", "$__all"))}
}

// queryVariable is a multi-value label_values variable with "All" = ".*".
func queryVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	return singleVariable(name, label, query).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(option("All", "$__all"))
}

// singleVariable is a label_values variable taking one value, the first
// listed until one is chosen.
func singleVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Query(dashboard.StringOrMap{String: &query}).
		Definition(query).
		Datasource(datasource()).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc)
}

func option(text, value string) dashboard.VariableOption {
	return dashboard.VariableOption{
		Text:  dashboard.StringOrArrayOfString{String: &text},
		Value: dashboard.StringOrArrayOfString{String: &value},
	}
}
