package dashboards

import (
	"fmt"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
)

// schemaVersion is the dashboard JSON schema version written: Grafana 10.4
// and 11 read it as is, Grafana 12 migrates it on load.
const schemaVersion = 39

// Health state colors.
const (
	colorHealthy     = "green"
	colorUnhealthy   = "red"
	colorProgressing = "yellow"
	colorSuspended   = "blue"
)

// Panel descriptions explaining the health model.
const (
	descUnhealthy = "Objects with a positive condition (Ready, Available, Synced...) False, a negative condition (Stalled, Degraded, *Failed...) True, or a failure phase. Suspended objects are not counted."
	descProgress  = "Objects not unhealthy but still converging: a Reconciling/Progressing condition True, a positive condition Unknown, a progress phase, an observedGeneration behind metadata.generation, or fewer ready than desired replicas."
	descHealthy   = "Objects neither suspended, unhealthy nor progressing."
	descSuspended = "Objects whose suspend/paused field is true; they are excluded from the other counts."
)

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
	db := dashboard.NewDashboardBuilder(b.title).
		Uid(uid(b.key)).
		Description(output.Marker+" Health of "+describeKinds(b)+" from kube-state-metrics custom-resource-state metrics (prefix "+opts.Prefix+").").
		Tags([]string{"crdmon", b.group}).
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Time("now-6h", "now").
		Refresh("1m").
		Timezone(common.TimeZoneBrowser).
		Variables(variables(b, q, opts))
	overviewRow(db, g, q)
	signalRows(db, g, q)
	expiryRow(db, g, q)
	controllerRow(db, g, q)
	d, err := db.Build()
	if err != nil {
		return d, err
	}
	d.SchemaVersion = schemaVersion
	return d, nil
}

func describeKinds(b board) string {
	names := make([]string, len(b.kinds))
	for i, k := range b.kinds {
		names[i] = k.Kind
	}
	return strings.Join(names, ", ") + " (" + b.group + ")"
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

// overviewRow: object counts by health, the unhealthy objects, and history.
func overviewRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	row(db, g, "Overview")
	s := q.signals()
	type count struct {
		title, desc, expr, base, alert string
	}
	stats := []count{{"Objects", "Objects of the selected kinds and namespaces.", q.objects(), "text", ""}}
	stats = append(stats, count{"Healthy", descHealthy, "count(" + q.healthy() + ")", colorHealthy, ""})
	if e := q.unhealthy(); e != "" {
		stats = append(stats, count{"Unhealthy", descUnhealthy, "count(" + e + ")", colorHealthy, colorUnhealthy})
	}
	if e := q.progressing(); e != "" {
		stats = append(stats, count{"Progressing", descProgress, "count(" + e + ")", colorHealthy, colorProgressing})
	}
	if e := q.suspended(); e != "" {
		stats = append(stats, count{"Suspended", descSuspended, "count(" + e + ")", colorSuspended, ""})
	}
	for i, st := range stats {
		add(db, g, share(i, len(stats)), statHeight, countStat(st.title, st.desc, st.expr, st.base, st.alert))
	}
	g.newline()

	if e := q.unhealthyTable(); e != "" {
		cols := []column{{series.LabelKind, "Kind"}}
		if q.namespaced() {
			cols = append(cols, column{series.LabelNamespace, "Namespace"})
		}
		cols = append(cols, column{series.LabelName, "Name"}, column{series.LabelType, "Condition"})
		if s.withStatus || s.phases {
			cols = append(cols, column{series.LabelStatus, "Status"})
		}
		cols = append(cols, column{series.LabelReason, "Reason"}, column{"Value", "Since"})
		t := objectTable("Unhealthy objects", descUnhealthy+" One row per failing condition or phase field; Since is the condition's lastTransitionTime.", e, cols).
			OverrideByName("Since", []dashboard.DynamicConfigValue{
				{Id: "unit", Value: "dateTimeFromNow"},
				{Id: "mappings", Value: []any{map[string]any{
					"type":    "value",
					"options": map[string]any{"0": map[string]any{"text": "unknown", "index": 0}},
				}}},
			})
		add(db, g, gridWidth, tableHeight, t)
	}

	byHealth := chart("Objects by health", "Object counts per health state over time. "+descSuspended, "short")
	var ts []target
	for _, st := range []struct{ name, expr, color string }{
		{"Healthy", q.healthy(), colorHealthy},
		{"Unhealthy", q.unhealthy(), colorUnhealthy},
		{"Progressing", q.progressing(), colorProgressing},
		{"Suspended", q.suspended(), colorSuspended},
	} {
		if st.expr == "" {
			continue
		}
		ts = append(ts, target{expr: "count(" + st.expr + ")", legend: st.name})
		byHealth.OverrideByName(st.name, fixedColor(st.color))
	}
	byHealth.Targets(promTargets(rangeQuery, ts)).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal))
	add(db, g, gridWidth/2, chartHeight, byHealth)
	if e := q.unhealthy(); e != "" {
		title := "Unhealthy objects by kind"
		if q.kind != "" {
			title = "Unhealthy objects over time"
		}
		add(db, g, gridWidth/2, chartHeight, chart(title, descUnhealthy, "short",
			target{expr: q.countByKind(e), legend: q.legend("{{" + series.LabelKind + "}}")}))
	} else {
		add(db, g, gridWidth/2, chartHeight, chart("Objects by kind", "Objects per kind over time.", "short",
			target{expr: "count by (" + q.by(series.LabelKind) + ") (" + q.sel(series.Info) + ")", legend: q.legend("{{" + series.LabelKind + "}}")}))
	}
}

// signalRows: replicas, generation and phases, for the kinds that have them.
func signalRows(db *dashboard.DashboardBuilder, g *grid, q queries) {
	s := q.signals()
	kindLegend := "{{" + series.LabelKind + "}}"
	if s.replicas {
		row(db, g, "Replicas")
		add(db, g, gridWidth/2, chartHeight, chart("Desired vs ready replicas", "Sum of desired and of ready replicas per kind.", "short",
			target{expr: q.sumByKind(series.ReplicasDesired), legend: q.legend(kindLegend + " desired")},
			target{expr: q.sumByKind(series.ReplicasReady), legend: q.legend(kindLegend + " ready")}))
		cols := []column{{series.LabelKind, "Kind"}}
		if q.namespaced() {
			cols = append(cols, column{series.LabelNamespace, "Namespace"})
		}
		cols = append(cols, column{series.LabelName, "Name"}, column{"Value", "Missing replicas"})
		add(db, g, gridWidth/2, chartHeight, objectTable("Objects missing replicas", "Objects with fewer ready than desired replicas.", q.missingReplicas(), cols))
	}
	if !s.generation && !s.phases {
		return
	}
	row(db, g, "Reconciliation")
	w := uint32(gridWidth)
	if s.generation && s.phases {
		w = gridWidth / 2
	}
	if s.generation {
		add(db, g, w, chartHeight, chart("Objects with unobserved generation",
			"Objects whose status.observedGeneration is behind metadata.generation: the controller has not yet acted on the latest spec.", "short",
			target{expr: q.generationLag(), legend: q.legend(kindLegend)}))
	}
	if s.phases {
		legend := kindLegend + ": {{" + series.LabelPhase + "}}"
		if s.multiPhase {
			legend = kindLegend + " {{" + series.LabelField + "}}: {{" + series.LabelPhase + "}}"
		}
		add(db, g, w, chartHeight, pie("Phase distribution", "Objects per value of their phase/state field.", q.phaseCounts(), q.legend(legend)))
	}
}

// expiryRow: the objects' expiry times, soonest first.
func expiryRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	if !q.signals().expiry {
		return
	}
	row(db, g, "Expiry")
	cols := []column{{series.LabelKind, "Kind"}}
	if q.namespaced() {
		cols = append(cols, column{series.LabelNamespace, "Namespace"})
	}
	cols = append(cols, column{series.LabelName, "Name"}, column{series.LabelField, "Field"}, column{"Value", "Expires in"})
	t := objectTable("Expires in", "Time left before each object's expiry time (status.notAfter, *ExpiryDate...), soonest first; negative once expired.", q.expiresIn(), cols).
		SortBy([]cog.Builder[common.TableSortByFieldState]{common.NewTableSortByFieldStateBuilder().DisplayName("Expires in").Desc(false)}).
		OverrideByName("Expires in", []dashboard.DynamicConfigValue{{Id: "unit", Value: "s"}})
	add(db, g, gridWidth, tableHeight, t)
}

// controllerRow: controller-runtime metrics of the kinds' controllers.
func controllerRow(db *dashboard.DashboardBuilder, g *grid, q queries) {
	if len(q.ctrl) == 0 {
		return
	}
	title := "Controllers: " + strings.Join(q.ctrl, ", ")
	if len(q.ctrl) > 3 {
		title = fmt.Sprintf("Controllers: %d controller-runtime controllers", len(q.ctrl))
	}
	row(db, g, title)
	c := "{{controller}}"
	add(db, g, gridWidth/2, chartHeight, chart("Reconcile rate by result", "controller-runtime reconciles per second, by result.", "ops",
		target{expr: q.ctrlRate(series.ReconcileTotal, "controller", "result"), legend: q.legend(c + " {{result}}")}))
	add(db, g, gridWidth/2, chartHeight, chart("Reconcile errors", "controller-runtime reconcile errors per second.", "ops",
		target{expr: q.ctrlRate(series.ReconcileErrorsTotal, "controller"), legend: q.legend(c)}).
		OverrideByRegexp(".*", fixedColor(colorUnhealthy)))
	add(db, g, gridWidth/2, chartHeight, chart("Reconcile latency", "p50 and p99 of controller-runtime reconcile duration.", "s",
		target{expr: q.reconcileQuantile("0.5"), legend: q.legend(c + " p50")},
		target{expr: q.reconcileQuantile("0.99"), legend: q.legend(c + " p99")}))
	add(db, g, gridWidth/2, chartHeight, chart("Workqueue depth", "Items waiting in each controller's workqueue.", "short",
		target{expr: q.workqueueDepth(), legend: q.legend("{{name}}")}))
}

// variables: data source, cluster (when asked), namespace (namespaced kinds)
// and kind (group boards).
func variables(b board, q queries, opts Options) []cog.Builder[dashboard.VariableModel] {
	ds := dashboard.NewDatasourceVariableBuilder(varDatasource).Label("Data source").Type("prometheus")
	if opts.Datasource != "" {
		ds.Current(option(opts.Datasource, opts.Datasource))
	}
	vars := []cog.Builder[dashboard.VariableModel]{ds}
	if q.cluster != "" {
		vars = append(vars, queryVariable(varCluster, "Cluster", q.labelValues(q.cluster, false)))
	}
	if q.namespaced() {
		vars = append(vars, queryVariable(varNamespace, "Namespace", q.labelValues(series.LabelNamespace, true)))
	}
	if b.kind == "" {
		names := make([]string, len(b.kinds))
		for i, k := range b.kinds {
			names[i] = k.Kind
		}
		values := strings.Join(names, ",")
		vars = append(vars, dashboard.NewCustomVariableBuilder(varKind).
			Label("Kind").
			Values(dashboard.StringOrMap{String: &values}).
			Multi(true).
			IncludeAll(true).
			AllValue(".*").
			Current(option("All", "$__all")))
	}
	return vars
}

// queryVariable is a multi-value label_values variable with "All" = ".*".
func queryVariable(name, label, query string) *dashboard.QueryVariableBuilder {
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Query(dashboard.StringOrMap{String: &query}).
		Definition(query).
		Datasource(datasource()).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(option("All", "$__all"))
}

func option(text, value string) dashboard.VariableOption {
	return dashboard.VariableOption{
		Text:  dashboard.StringOrArrayOfString{String: &text},
		Value: dashboard.StringOrArrayOfString{String: &value},
	}
}
