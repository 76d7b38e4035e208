package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/table"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/series"
)

// topN is how many kinds or objects the overview's top lists show.
const topN = "10"

// overviewBoard: the health of every group and kind, from the recorded
// state: counts per state, states per group and per kind, the objects not
// healthy, the most degraded kinds, history, and the soonest expiries.
func overviewBoard(db *dashboard.DashboardBuilder, g *grid, q queries) {
	row(db, g, "Health")
	stateStats(db, g, q,
		countStat("Objects", "Objects of every monitored kind.", q.objects(), "text", ""),
		countStat("Kinds", "Kinds with at least one object.", q.kindCount(), "text", ""))

	add(db, g, gridWidth/3, tableHeight, stateMatrix("Health by API group", "Objects in each health state per API group."+descRecorded,
		q.stateCounts(series.LabelGroup), column{series.LabelGroup, "API group"}))
	add(db, g, gridWidth*2/3, tableHeight, kindStates(q))

	add(db, g, gridWidth*2/3, tableHeight, notHealthyTable(q))
	add(db, g, gridWidth/3, tableHeight, objectTable("Most degraded kinds", "The "+topN+" kinds with the most Degraded objects."+descRecorded,
		"topk("+topN+", "+q.countByKind(q.state(matchEq(health.LabelState, health.Degraded)))+")",
		q.kindColumns(column{"Value", health.Degraded})).
		OverrideByName("Kind", detailLink(q)).
		SortBy(sortDesc(health.Degraded)))

	add(db, g, gridWidth/2, chartHeight, healthChart(q))
	add(db, g, gridWidth/2, chartHeight, chart("Degraded objects, most degraded kinds", "Degraded objects over time of the "+topN+" kinds with the most."+descRecorded, "short",
		target{expr: "topk(" + topN + ", " + q.countByKind(q.state(matchEq(health.LabelState, health.Degraded))) + ")", legend: q.legend(q.kindLegend())}))

	if q.signals().expiry {
		row(db, g, "Expiry")
		t := fieldTable(q, "Soonest expiries", "The 20 expiry times (status.notAfter, *ExpiryDate...) nearest, of any kind: the time left, negative once expired.",
			"bottomk(20, "+q.expiresIn()+")", "Expires in", false).
			OverrideByName("Expires in", []dashboard.DynamicConfigValue{{Id: "unit", Value: "s"}})
		add(db, g, gridWidth, tableHeight, t)
	}
}

// kindStates is a table of the kinds with their object counts per health
// state, one query per state merged into one row per kind, most degraded
// first.
func kindStates(q queries) *table.PanelBuilder {
	ts := make([]target, len(states))
	rename := map[string]any{}
	index := map[string]any{}
	cols := q.kindColumns()
	for i, c := range cols {
		rename[c.field] = c.header
		index[c.field] = i
	}
	for i, st := range states {
		ts[i] = target{expr: q.countByKind(q.state(matchEq(health.LabelState, st)))}
		field := "Value #" + refID(i)
		rename[field] = st
		index[field] = len(cols) + i
	}
	b := table.NewPanelBuilder().
		Title("Health by kind").
		Description("Objects in each health state per kind, most Degraded first."+descRecorded).
		Datasource(datasource()).
		Targets(promTargets(tableQuery, ts)).
		NoValue("0").
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)).
		Thresholds(thresholds("text", "")).
		CellHeight(common.TableCellHeightSm).
		Filterable(true).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"})).
		WithTransformation(dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}).
		WithTransformation(dashboard.DataTransformerConfig{
			Id:      "organize",
			Options: map[string]any{"excludeByName": map[string]any{"Time": true}, "indexByName": index, "renameByName": rename},
		}).
		OverrideByName("Kind", detailLink(q)).
		SortBy(sortDesc(health.Degraded))
	for _, st := range states {
		b.OverrideByName(st, append(fixedColor(stateColors[st]), colorText))
	}
	return b
}

// sortDesc sorts a table by a column, largest first.
func sortDesc(column string) []cog.Builder[common.TableSortByFieldState] {
	return []cog.Builder[common.TableSortByFieldState]{common.NewTableSortByFieldStateBuilder().DisplayName(column).Desc(true)}
}

// detailLink is a field override linking a table's kind cells to the
// detail dashboard of that kind, keeping the data source, cluster and time.
func detailLink(q queries) []dashboard.DynamicConfigValue {
	group := "${__data.fields." + series.LabelGroup + "}"
	switch q.scope {
	case scopeVars:
		group = "${" + varGroup + "}"
	case scopeGroup:
		group = q.group
	}
	url := "/d/" + uid(DetailKey) + "?var-" + varGroup + "=" + group +
		"&var-" + varKind + "=${__data.fields." + series.LabelKind + "}&${" + varDatasource + ":queryparam}&${__url_time_range}"
	if q.cluster != "" {
		url += "&${" + varCluster + ":queryparam}"
	}
	return []dashboard.DynamicConfigValue{{Id: "links", Value: []any{map[string]any{
		"title": "Detail of ${__data.fields." + series.LabelKind + "}",
		"url":   url,
	}}}}
}
