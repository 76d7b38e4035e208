package dashboards

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/piechart"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/crdmon/crdmon/generator/internal/promqlx"
)

// panelPlugins are the panel types crdmon's dashboards use: the SDK decodes
// their options and field config strictly. Validate rejects other types.
var panelPlugins = map[string]variants.PanelcfgConfig{
	"piechart": piechart.VariantConfig(), "stat": stat.VariantConfig(),
	"table": table.VariantConfig(), "timeseries": timeseries.VariantConfig(),
}

// registerPlugins registers panelPlugins and the Prometheus query with the
// SDK. (The SDK's plugins.RegisterDefaultPlugins would register every panel
// and data source it knows, CloudWatch and Azure Monitor among them, and
// link all their packages into crdmon.)
var registerPlugins = sync.OnceFunc(func() {
	runtime := cog.NewRuntime()
	for _, p := range panelPlugins {
		runtime.RegisterPanelcfgVariant(p)
	}
	runtime.RegisterDataqueryVariant(prometheus.VariantConfig())
})

// promParser parses PromQL as a default Prometheus server does.
var promParser = parser.NewParser(parser.Options{})

// Validate checks one dashboard's JSON: it must decode with the SDK's strict
// unmarshal and pass its Validate(); the UID must be a valid Grafana UID;
// panels need unique ids and a grid position inside the 24-column grid;
// every panel target and label_values variable query must parse as PromQL
// once Grafana variables are substituted; and, when known is not nil, every
// metric a query selects must be in known (see KnownMetrics). Errors name the
// dashboard, the panel and the reason; all problems are reported together.
func Validate(dashboardJSON []byte, known map[string]bool) error {
	raw, err := decode(dashboardJSON)
	if err != nil {
		return fmt.Errorf("dashboard: not a valid Grafana dashboard: %w", err)
	}
	name := fmt.Sprintf("dashboard %q", raw.Title)
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(name+": "+format, args...))
	}
	if err := sdkError(raw.sdk.Validate()); err != nil {
		fail("%v", err)
	}
	if raw.UID == "" {
		fail("no uid")
	} else if len(raw.UID) > maxUID || notUIDChar.MatchString(raw.UID) {
		fail("uid %q is not at most %d characters of [a-zA-Z0-9_-]", raw.UID, maxUID)
	}
	vals := raw.parseValues()
	ids := map[uint32]string{}
	for _, p := range raw.allPanels() {
		what := fmt.Sprintf("panel %q", p.Title)
		if p.Type == "row" {
			what = fmt.Sprintf("row %q", p.Title)
		} else if panelPlugins[p.Type].Identifier == "" {
			fail("%s: panel type %q is not one crdmon validates (%s)", what, p.Type, strings.Join(slices.Sorted(maps.Keys(panelPlugins)), ", "))
		}
		switch {
		case p.ID == nil:
			fail("%s: no id", what)
		case ids[*p.ID] != "":
			fail("%s: id %d already used by %s", what, *p.ID, ids[*p.ID])
		default:
			ids[*p.ID] = what
		}
		switch pos := p.GridPos; {
		case pos == nil:
			fail("%s: no gridPos", what)
		case pos.W == 0 || pos.H == 0 || pos.X+pos.W > gridWidth:
			fail("%s: gridPos %+v is outside the %d-column grid", what, *pos, gridWidth)
		}
		for i, t := range p.Targets {
			if t.Expr == nil {
				fail("%s: target %d: not a Prometheus query (no expr)", what, i)
				continue
			}
			if err := checkExpr(*t.Expr, vals, known); err != nil {
				fail("%s: target %s: %v", what, t.RefID, err)
			}
		}
	}
	for _, v := range raw.Templating.List {
		if v.Type != "query" {
			continue
		}
		if sel, _, ok := LabelValuesQuery(v.query()); ok {
			if err := checkExpr(sel, vals, known); err != nil {
				fail("variable %q: %v", v.Name, err)
			}
		}
	}
	return errors.Join(errs...)
}

// sdkError drops the empty cog.BuildErrors the SDK returns for success.
func sdkError(err error) error {
	var be cog.BuildErrors
	if errors.As(err, &be) && len(be) == 0 {
		return nil
	}
	return err
}

// rawDashboard is the part of a dashboard the checks read. The SDK's strict
// unmarshal (v0.0.22) checks every field but drops panels, targets and
// options from its result (it takes its own empty error lists for failures),
// so they are read here with encoding/json.
type rawDashboard struct {
	UID        string     `json:"uid"`
	Title      string     `json:"title"`
	Panels     []rawPanel `json:"panels"`
	Templating struct {
		List []rawVariable `json:"list"`
	} `json:"templating"`
	sdk dashboard.Dashboard // strictly decoded, panels re-decoded one by one
}

type rawPanel struct {
	Type    string             `json:"type"`
	Title   string             `json:"title"`
	ID      *uint32            `json:"id"`
	GridPos *dashboard.GridPos `json:"gridPos"`
	Targets []rawTarget        `json:"targets"`
	Panels  []rawPanel         `json:"panels"` // of a collapsed row
}

type rawTarget struct {
	RefID   string  `json:"refId"`
	Expr    *string `json:"expr"`
	Instant *bool   `json:"instant"`
	Format  string  `json:"format"`
}

type rawVariable struct {
	Type  string          `json:"type"`
	Name  string          `json:"name"`
	Query json.RawMessage `json:"query"`
}

// query is the variable's query: a string, or an object's "query" field.
func (v rawVariable) query() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var m struct {
		Query string `json:"query"`
	}
	_ = json.Unmarshal(v.Query, &m)
	return m.Query
}

// decode strictly decodes a dashboard with the SDK and reads its panels.
func decode(js []byte) (rawDashboard, error) {
	registerPlugins()
	var raw rawDashboard
	if err := sdkError(raw.sdk.UnmarshalJSONStrict(js)); err != nil {
		return raw, err
	}
	if err := json.Unmarshal(js, &raw); err != nil {
		return raw, err
	}
	var panels struct {
		Panels []json.RawMessage `json:"panels"`
	}
	if err := json.Unmarshal(js, &panels); err != nil {
		return raw, err
	}
	raw.sdk.Panels = nil
	for i, p := range panels.Panels {
		var pr dashboard.PanelOrRowPanel
		var err error
		if raw.Panels[i].Type == "row" {
			pr.RowPanel = &dashboard.RowPanel{}
			err = pr.RowPanel.UnmarshalJSONStrict(p)
		} else {
			pr.Panel = &dashboard.Panel{}
			err = pr.Panel.UnmarshalJSONStrict(p)
		}
		if err := sdkError(err); err != nil {
			return raw, fmt.Errorf("panels[%d]: %w", i, err)
		}
		raw.sdk.Panels = append(raw.sdk.Panels, pr)
	}
	return raw, nil
}

// allPanels lists rows, panels and the panels of collapsed rows.
func (d rawDashboard) allPanels() []rawPanel {
	var out []rawPanel
	for _, p := range d.Panels {
		out = append(out, p)
		out = append(out, p.Panels...)
	}
	return out
}

// Query is one Prometheus target of one panel of a dashboard.
type Query struct {
	Panel     string // the panel's title
	PanelType string // the panel's type, such as "timeseries" or "stat"
	RefID     string
	Expr      string // "" when the target has no expr
	Instant   bool
}

func (q Query) String() string { return fmt.Sprintf("panel %q target %s", q.Panel, q.RefID) }

// Queries decodes a dashboard's JSON as Validate does and lists the targets
// of its panels, the panels of collapsed rows included, in panel order.
func Queries(dashboardJSON []byte) ([]Query, error) {
	d, err := decode(dashboardJSON)
	if err != nil {
		return nil, err
	}
	return d.queries(), nil
}

func (d rawDashboard) queries() []Query {
	var out []Query
	for _, p := range d.allPanels() {
		for _, t := range p.Targets {
			q := Query{Panel: p.Title, PanelType: p.Type, RefID: t.RefID}
			if t.Expr != nil {
				q.Expr = *t.Expr
			}
			if t.Instant != nil {
				q.Instant = *t.Instant
			}
			out = append(out, q)
		}
	}
	return out
}

// Variable is one templating variable of a dashboard.
type Variable struct {
	Name, Type string
	Query      string // the variable's query: a string, or an object's "query" field
}

// Variables decodes a dashboard's JSON as Validate does and lists its
// templating variables.
func Variables(dashboardJSON []byte) ([]Variable, error) {
	d, err := decode(dashboardJSON)
	if err != nil {
		return nil, err
	}
	var out []Variable
	for _, v := range d.Templating.List {
		out = append(out, Variable{Name: v.Name, Type: v.Type, Query: v.query()})
	}
	return out, nil
}

var labelValuesRe = regexp.MustCompile(`^\s*label_values\((.+),\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$`)

// LabelValuesQuery splits a label_values(selector, label) variable query;
// ok is false for other queries.
func LabelValuesQuery(q string) (selector, label string, ok bool) {
	m := labelValuesRe.FindStringSubmatch(q)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// checkExpr parses expr after substituting variables and checks the metrics
// it selects against known (nil: any).
func checkExpr(expr string, vals map[string]string, known map[string]bool) error {
	expanded, _ := Expand(expr, vals)
	node, err := promParser.ParseExpr(expanded)
	if err != nil {
		return fmt.Errorf("PromQL does not parse: %v (query with variables substituted: %s)", err, expanded)
	}
	var unknown []string
	for _, vs := range promqlx.Selectors(node) {
		name := promqlx.MetricName(vs)
		switch {
		case name == "":
			return fmt.Errorf("selector %s has no fixed metric name", vs)
		case known != nil && !known[name]:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("metric %s is not produced by the generated kube-state-metrics config, a recording rule or controller-runtime", strings.Join(unknown, ", "))
	}
	return nil
}

// builtinValues are values for Grafana's global variables, as a 1h range
// with a 1m interval would give them.
var builtinValues = map[string]string{
	"__rate_interval":    "1m",
	"__interval":         "1m",
	"__interval_ms":      "60000",
	"__range":            "1h",
	"__range_s":          "3600",
	"__range_ms":         "3600000",
	"__auto_interval":    "1m",
	"__dashboard":        "dashboard",
	"__name":             "name",
	"__org":              "1",
	"__user":             "user",
	"__from":             "0",
	"__to":               "3600000",
	"__timeFilter":       "true",
	"__rate_interval_ms": "60000",
}

// parseValues gives every variable of the dashboard a value that keeps the
// PromQL syntax intact: interval variables a duration, constants their
// value, the others a plain word.
func (d rawDashboard) parseValues() map[string]string {
	vals := map[string]string{}
	for k, v := range builtinValues {
		vals[k] = v
	}
	for _, v := range d.Templating.List {
		switch {
		case v.Type == "interval":
			vals[v.Name] = "1m"
		case (v.Type == "constant" || v.Type == "textbox") && v.query() != "":
			vals[v.Name] = v.query()
		default:
			vals[v.Name] = "x"
		}
	}
	return vals
}

// varRef matches Grafana variable references: $var, ${var}, ${var:format}, [[var]].
var varRef = regexp.MustCompile(`\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)`)

// Expand substitutes the Grafana variable references in expr ($var,
// ${var}, ${var:format}, [[var]]) that vals holds a value for, leaving other
// references as they are. It returns the references left, except $1-style
// regex group references (label_replace), which Grafana leaves alone too.
func Expand(expr string, vals map[string]string) (expanded string, unknown []string) {
	expanded = varRef.ReplaceAllStringFunc(expr, func(ref string) string {
		m := varRef.FindStringSubmatch(ref)
		name := m[1] + m[2] + m[3]
		if v, ok := vals[name]; ok {
			return v
		}
		if strings.Trim(name, "0123456789") != "" {
			unknown = append(unknown, ref)
		}
		return ref
	})
	return expanded, unknown
}
