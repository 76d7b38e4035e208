package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/piechart"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/series"
)

// Grafana grid geometry.
const (
	gridWidth   = 24
	statHeight  = 4
	chartHeight = 8
	tableHeight = 9
)

// grid places panels left to right, top to bottom, and numbers them.
type grid struct {
	x, y, lineHeight uint32
	lastID           uint32
}

// row starts a new line with a full-width row header.
func (g *grid) row() (dashboard.GridPos, uint32) {
	g.newline()
	pos := dashboard.GridPos{X: 0, Y: g.y, W: gridWidth, H: 1}
	g.y++
	return pos, g.id()
}

// place reserves a w×h cell, wrapping to the next line when it does not fit.
func (g *grid) place(w, h uint32) (dashboard.GridPos, uint32) {
	if g.x+w > gridWidth {
		g.newline()
	}
	pos := dashboard.GridPos{X: g.x, Y: g.y, W: w, H: h}
	g.x += w
	g.lineHeight = max(g.lineHeight, h)
	return pos, g.id()
}

func (g *grid) newline() {
	g.y += g.lineHeight
	g.x, g.lineHeight = 0, 0
}

func (g *grid) id() uint32 {
	g.lastID++
	return g.lastID
}

// datasource is the panels' data source: the dashboard's variable.
func datasource() common.DataSourceRef {
	typ, uid := "prometheus", "${"+varDatasource+"}"
	return common.DataSourceRef{Type: &typ, Uid: &uid}
}

// target is one PromQL query of a panel.
type target struct {
	expr, legend string
}

// queryMode says how a panel's queries run.
type queryMode int

const (
	rangeQuery queryMode = iota // time series over the dashboard's range
	instantQuery
	tableQuery // instant, table format
)

func promTargets(mode queryMode, ts []target) []cog.Builder[variants.Dataquery] {
	out := make([]cog.Builder[variants.Dataquery], len(ts))
	for i, t := range ts {
		b := prometheus.NewDataqueryBuilder().
			Expr(t.expr).
			RefId(refID(i)).
			Datasource(datasource())
		if t.legend != "" {
			b.LegendFormat(t.legend)
		}
		switch mode {
		case rangeQuery:
			b.Range()
		case instantQuery:
			b.Instant()
		case tableQuery:
			b.Instant().Format(prometheus.PromQueryFormatTable)
		}
		out[i] = b
	}
	return out
}

// refID is the refId of a panel's i-th target: A, B, ...
func refID(i int) string { return string(rune('A' + i)) }

func ptr[T any](v T) *T { return &v }

// thresholds are the base color and, from 1 on, the alert color ("" for none).
func thresholds(base, from1 string) *dashboard.ThresholdsConfigBuilder {
	steps := []dashboard.Threshold{{Value: nil, Color: base}}
	if from1 != "" {
		steps = append(steps, dashboard.Threshold{Value: ptr(1.0), Color: from1})
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

// countStat is a big number of objects: colored by threshold (base, then
// alert from 1 on) when alert is set, else in the fixed base color.
func countStat(title, desc, expr, base, alert string) *stat.PanelBuilder {
	color := dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)
	if alert == "" {
		color = dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdFixed).FixedColor(base)
	}
	return stat.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasource()).
		Targets(promTargets(instantQuery, []target{{expr: expr}})).
		Unit("short").
		Decimals(0).
		NoValue("0").
		ColorScheme(color).
		Thresholds(thresholds(base, alert)).
		ColorMode(common.BigValueColorModeBackground).
		GraphMode(common.BigValueGraphModeNone).
		TextMode(common.BigValueTextModeValue).
		JustifyMode(common.BigValueJustifyModeCenter).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false))
}

// chart is a time series panel; counts start at 0 and read as whole numbers.
func chart(title, desc, unit string, ts ...target) *timeseries.PanelBuilder {
	b := timeseries.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasource()).
		Targets(promTargets(rangeQuery, ts)).
		Unit(unit).
		Min(0).
		LineWidth(1).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeNever).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdPaletteClassic)).
		Thresholds(thresholds("green", "")).
		Legend(common.NewVizLegendOptionsBuilder().
			ShowLegend(true).
			DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementBottom).
			Calcs([]string{"lastNotNull", "max"})).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
	if unit == "short" {
		b.Decimals(0).NoValue("0")
	}
	return b
}

// fixedColor is a field override giving a series a fixed color.
func fixedColor(color string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": color}}}
}

// column is one table column: the frame field and its header.
type column struct{ field, header string }

// kindColumns are the columns naming a kind (its group too on the
// overview) followed by extra.
func (q queries) kindColumns(extra ...column) []column {
	var cols []column
	if q.cluster != "" {
		cols = append(cols, column{q.cluster, "Cluster"})
	}
	if q.scope == scopeAll {
		cols = append(cols, column{series.LabelGroup, "API group"})
	}
	return append(append(cols, column{series.LabelKind, "Kind"}), extra...)
}

// objectColumns are the columns naming an object (kind, namespace when the
// board's kinds have one, name) followed by extra.
func (q queries) objectColumns(extra ...column) []column {
	cols := q.kindColumns()
	if q.namespaced() {
		cols = append(cols, column{series.LabelNamespace, "Namespace"})
	}
	return append(append(cols, column{series.LabelName, "Name"}), extra...)
}

// instantTable is a table of one instant query.
func instantTable(title, desc, expr string) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasource()).
		Targets(promTargets(tableQuery, []target{{expr: expr}})).
		NoValue("None").
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)).
		Thresholds(thresholds("text", "")).
		CellHeight(common.TableCellHeightSm).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}))
}

// objectTable is an instant table of objects with the columns in order and
// the time, group and (unless a column shows it) value hidden.
func objectTable(title, desc, expr string, cols []column) *table.PanelBuilder {
	rename := map[string]any{}
	index := map[string]any{}
	exclude := map[string]any{"Time": true, series.LabelGroup: true, "Value": true}
	for i, c := range cols {
		delete(exclude, c.field)
		rename[c.field] = c.header
		index[c.field] = i
	}
	return instantTable(title, desc, expr).
		Filterable(true).
		WithTransformation(dashboard.DataTransformerConfig{
			Id: "organize",
			Options: map[string]any{
				"excludeByName": exclude,
				"indexByName":   index,
				"renameByName":  rename,
			},
		})
}

// pie is an instant donut chart of counts.
func pie(title, desc, expr, legend string) *piechart.PanelBuilder {
	return piechart.NewPanelBuilder().
		Title(title).
		Description(desc).
		Datasource(datasource()).
		Targets(promTargets(instantQuery, []target{{expr: expr, legend: legend}})).
		Unit("short").
		Decimals(0).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdPaletteClassic)).
		PieType(piechart.PieChartTypeDonut).
		DisplayLabels([]piechart.PieChartLabels{piechart.PieChartLabelsValue}).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false)).
		Legend(piechart.NewPieChartLegendOptionsBuilder().
			ShowLegend(true).
			DisplayMode(common.LegendDisplayModeTable).
			Placement(common.LegendPlacementRight).
			Values([]piechart.PieChartLegendValues{piechart.PieChartLegendValuesValue, piechart.PieChartLegendValuesPercent}))
}

// stateCellColors colors a table column holding health states.
func stateCellColors() []dashboard.DynamicConfigValue {
	options := map[string]any{}
	for i, st := range states {
		options[st] = map[string]any{"color": stateColors[st], "index": i}
	}
	return []dashboard.DynamicConfigValue{
		{Id: "mappings", Value: []any{map[string]any{"type": "value", "options": options}}},
		colorText,
	}
}

// colorText shows a table cell's text in the field's color.
var colorText = dashboard.DynamicConfigValue{Id: "custom.cellOptions", Value: map[string]any{"type": "color-text"}}

// stateMatrix is an instant table of object counts, one row per value of
// the row column's label and one column per health state, from a
// count by (label, state).
func stateMatrix(title, desc, expr string, row column) *table.PanelBuilder {
	corner := row.field + "\\" + health.LabelState // the row header groupingToMatrix names
	index := map[string]any{corner: 0}
	rename := map[string]any{corner: row.header}
	for i, st := range states {
		index[st] = i + 1
	}
	b := instantTable(title, desc, expr).
		WithTransformation(dashboard.DataTransformerConfig{
			Id:      "groupingToMatrix",
			Options: map[string]any{"columnField": health.LabelState, "rowField": row.field, "valueField": "Value"},
		}).
		WithTransformation(dashboard.DataTransformerConfig{
			Id:      "organize",
			Options: map[string]any{"indexByName": index, "renameByName": rename},
		})
	for _, st := range states {
		b.OverrideByName(st, append(fixedColor(stateColors[st]), colorText))
	}
	return b
}
