package dashboards

import (
	"context"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/internal/promqlx"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/series"
)

// panelQuery is one target of one panel of a rendered dashboard.
type panelQuery struct {
	board string
	Query
}

func (q panelQuery) String() string { return fmt.Sprintf("%s / %s: %s", q.board, q.Panel, q.Expr) }

// renderedBoard is a rendered dashboard read back through the SDK.
type renderedBoard struct {
	file       string
	key        string // the file's base name: OverviewKey, DetailKey, a group or a kind's ID
	title      string
	namespaced bool // has the namespace variable
	kindVar    bool // has the kind variable
	groupVar   bool // has the group variable
	queries    []panelQuery
}

// readBoards decodes every dashboard JSON file and lists its queries.
func readBoards(t *testing.T, files []output.File) []renderedBoard {
	t.Helper()
	var out []renderedBoard
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".json") {
			continue
		}
		d, err := decode(f.Content)
		if err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		b := renderedBoard{file: f.Path, key: strings.TrimSuffix(path.Base(f.Path), ".json"), title: d.Title}
		for _, v := range d.Templating.List {
			b.namespaced = b.namespaced || v.Name == varNamespace
			b.kindVar = b.kindVar || v.Name == varKind
			b.groupVar = b.groupVar || v.Name == varGroup
		}
		for _, q := range d.queries() {
			b.queries = append(b.queries, panelQuery{board: b.title, Query: q})
		}
		out = append(out, b)
	}
	return out
}

// engine runs dashboard queries over a storage at the end of the fixture data.
type engine struct {
	t  *testing.T
	ng *promql.Engine
	db storage.Queryable
}

func newEngine(t *testing.T, db storage.Queryable) *engine {
	ng := promql.NewEngine(promql.EngineOpts{
		MaxSamples:    50_000_000,
		Timeout:       time.Minute,
		LookbackDelta: 5 * time.Minute,
		Parser:        parser.NewParser(parser.Options{}),
	})
	t.Cleanup(func() { ng.Close() })
	return &engine{t: t, ng: ng, db: db}
}

// vars are Grafana variable values for a test run; every controller is selected.
func vars(group, namespace, kind, cluster string) map[string]string {
	v := map[string]string{varDatasource: "prometheus", varGroup: group, varNamespace: namespace, varKind: kind, varCluster: cluster, varController: ".*"}
	for k, b := range builtinValues {
		if _, set := v[k]; !set {
			v[k] = b
		}
	}
	return v
}

var queryEnd = scrapeStart.Add(scrapeDuration)

// run evaluates a query as Grafana would: instant at the end, or over the
// last hour in 1m steps. It returns the series, each with its last value.
func (e *engine) run(q panelQuery, vals map[string]string) []promql.Sample {
	e.t.Helper()
	expr, _ := Expand(q.Expr, vals)
	ctx := context.Background()
	var (
		qry promql.Query
		err error
	)
	if q.Instant {
		qry, err = e.ng.NewInstantQuery(ctx, e.db, nil, expr, queryEnd)
	} else {
		qry, err = e.ng.NewRangeQuery(ctx, e.db, nil, expr, queryEnd.Add(-time.Hour), queryEnd, time.Minute)
	}
	if err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		e.t.Fatalf("%s: %v", q, res.Err)
	}
	var out []promql.Sample
	switch v := res.Value.(type) {
	case promql.Vector:
		out = v
	case promql.Matrix:
		for _, s := range v {
			if len(s.Floats) > 0 {
				out = append(out, promql.Sample{Metric: s.Metric, F: s.Floats[len(s.Floats)-1].F, T: s.Floats[len(s.Floats)-1].T})
			}
		}
	case promql.Scalar:
		out = []promql.Sample{{F: v.V, T: v.T}}
	default:
		e.t.Fatalf("%s: unexpected result type %T", q, res.Value)
	}
	return out
}

// optionVariants are the renderings the engine tests cover.
func optionVariants() map[string]Options {
	def := DefaultOptions()
	cluster := DefaultOptions()
	cluster.ClusterLabel = "cluster"
	cluster.Layout = PerGroup
	perKind := DefaultOptions()
	perKind.Layout = PerKind

	prefix := DefaultOptions()
	prefix.Prefix = "crd"
	prefix.Controllers = map[string][]string{"certificate.cert-manager.io": {"certificates-trigger", "certificates-readiness"}, "Gateway": {}}
	return map[string]Options{"default": def, "cluster": cluster, "per-kind": perKind, "prefix": prefix}
}

// variantDashboards builds every board of the hand-built models under every
// option variant.
func variantDashboards(t *testing.T) []dashboard.Dashboard {
	t.Helper()
	var out []dashboard.Dashboard
	for _, o := range optionVariants() {
		for _, b := range boards(allModel(), o.Layout) {
			d, err := buildDashboard(b, o)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, d)
		}
	}
	return out
}

// scenario is a model rendered and loaded with its fixture series and the
// health state the generated recording rules record for them.
type scenario struct {
	opts   Options
	objs   []fixtureObject
	boards []renderedBoard
	eng    *engine
	// recorded is each object's health.Metric labels (state, reason) at
	// the end of the data, by objectKey.
	recorded map[string]recordedState
}

// recordedState is the state and reason the health rule records for an object.
type recordedState struct{ state, reason string }

// objectKey names an object as its series' labels do.
func objectKey(l labels.Labels) string {
	return l.Get(series.LabelGroup) + "/" + l.Get(series.LabelKind) + "/" + l.Get(series.LabelNamespace) + "/" + l.Get(series.LabelName)
}

func (o fixtureObject) key() string {
	return o.kind.Group + "/" + o.kind.Kind + "/" + o.namespace + "/" + o.name
}

func newScenario(t *testing.T, m model.Model, opts Options) scenario {
	t.Helper()
	files, err := Render(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	objs := fixtureObjects(m)
	db := loadFixtures(t, m, opts.Prefix, objs, controllers(m.Kinds, opts.Controllers), opts.ClusterLabel)
	sc := scenario{opts: opts, objs: objs, boards: readBoards(t, files), eng: newEngine(t, db)}
	sc.recorded = sc.recordHealth(t, m, db)
	return sc
}

// recordHealth evaluates the health recording rules the rules package
// writes for m over the fixture data, at every scrape as Prometheus' rule
// manager would, and appends the recorded series to db. It returns each object's last recorded state
// and requires one per fixture object, and the state each sure object was
// built in.
func (sc scenario) recordHealth(t *testing.T, m model.Model, db *tsdb.DB) map[string]recordedState {
	t.Helper()
	ro := rules.DefaultOptions()
	ro.Prefix, ro.Format, ro.ClusterLabel = sc.opts.Prefix, rules.FormatPlain, sc.opts.ClusterLabel
	files, err := rules.Render(m, ro)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := rules.RecordingRules(files)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out := map[string]recordedState{}
	for _, rec := range recs { // in order: each reads what the ones before recorded
		app := db.Appender(ctx)
		qry, err := sc.eng.ng.NewRangeQuery(ctx, db, nil, rec.Expr, scrapeStart, queryEnd, scrapeInterval)
		if err != nil {
			t.Fatal(err)
		}
		res := qry.Exec(ctx)
		if res.Err != nil {
			t.Fatalf("%s: %v", rec.Record, res.Err)
		}
		for _, s := range res.Value.(promql.Matrix) {
			b := labels.NewBuilder(s.Metric).Set(labels.MetricName, rec.Record)
			for k, v := range rec.Labels {
				b.Set(k, v)
			}
			l := b.Labels()
			for _, p := range s.Floats {
				if _, err := app.Append(0, l, p.T, p.F); err != nil {
					t.Fatal(err)
				}
			}
			if rec.Record == health.Metric && s.Floats[len(s.Floats)-1].T == queryEnd.UnixMilli() {
				key := objectKey(s.Metric)
				if prev, dup := out[key]; dup {
					t.Errorf("%s: two states, %v and %s", key, prev, s.Metric)
				}
				out[key] = recordedState{s.Metric.Get(health.LabelState), s.Metric.Get(health.LabelReason)}
			}
		}
		qry.Close()
		if err := app.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range sc.objs {
		got, ok := out[o.key()]
		switch {
		case !ok:
			t.Errorf("%s: no recorded health state", o.key())
		case o.sure && got.state != o.state:
			t.Errorf("%s: recorded %s (%s), built %s", o.key(), got.state, got.reason, o.state)
		}
	}
	return out
}

// TestEveryPanelShowsData runs every target of every dashboard over series
// shaped exactly like the generated config's output and requires data.
func TestEveryPanelShowsData(t *testing.T) {
	for name, opts := range optionVariants() {
		t.Run(name, func(t *testing.T) {
			sc := newScenario(t, allModel(), opts)
			if len(sc.boards) == 0 {
				t.Fatal("no dashboards")
			}
			sc.requireData(t)
		})
	}
}

// requireData runs every query of every board with all namespaces and
// kinds, and the fixtures' cluster, selected and requires data from each:
// on the detail dashboard, for some group. Queries counting the objects in
// a state no object of the board is in, and those reading only the
// layer-1 signal series, which main's rules do not record, must run but
// may return nothing.
func (sc scenario) requireData(t *testing.T) {
	t.Helper()
	n, optional := 0, 0
	for _, b := range sc.boards {
		for _, q := range b.queries {
			n++
			data, inState := false, false
			m := stateMatcher.FindStringSubmatch(q.Expr)
			for _, g := range sc.groups(b) {
				vals := vars(g, ".*", ".*", "east")
				if len(sc.eng.run(q, vals)) > 0 {
					data = true
					break
				}
				inState = inState || m != nil && len(sc.expected(b, vals, func(o fixtureObject) bool { return sc.recorded[o.key()].state == m[1] }, fixtureObject.key)) > 0
			}
			switch {
			case data:
			case m != nil && !inState: // no object of the board is in the state counted
				optional++
			case onlySignalSeries(t, q.Expr):
				optional++
			default:
				t.Errorf("no data: %s", q)
			}
		}
	}
	t.Logf("%d dashboards, %d queries (%d without data: no object in the state counted, or layer-1 signal series)", len(sc.boards), n, optional)
}

// onlySignalSeries reports whether expr selects only layer-1 signal series.
func onlySignalSeries(t *testing.T, expr string) bool {
	node, err := promParser.ParseExpr(expr)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	for _, vs := range promqlx.Selectors(node) {
		if !slices.ContainsFunc(signalMetrics, func(s struct{ class, metric string }) bool { return s.metric == promqlx.MetricName(vs) }) {
			return false
		}
	}
	return true
}

// groups are the values of the group variable to run a board's queries
// with: every fixture object's group on the detail dashboard, else none.
func (sc scenario) groups(b renderedBoard) []string {
	if !b.groupVar {
		return []string{""}
	}
	var out []string
	for _, o := range sc.objs {
		if !slices.Contains(out, o.kind.Group) {
			out = append(out, o.kind.Group)
		}
	}
	sort.Strings(out)
	return out
}

// expected counts the fixture objects of a board matching the variables
// and keep, by the key of each (its kind, say).
func (sc scenario) expected(b renderedBoard, vals map[string]string, keep func(fixtureObject) bool, key func(fixtureObject) string) map[string]float64 {
	full := func(re string) *regexp.Regexp { return regexp.MustCompile("^(?:" + re + ")$") }
	ns, kind := full(vals[varNamespace]), full(vals[varKind])
	if !b.namespaced {
		ns = full(".*") // no namespace variable
	}
	if !b.kindVar {
		kind = full(".*") // a per-kind board, or the overview
	}
	out := map[string]float64{}
	for _, o := range sc.objs {
		if !boardHas(b, o.kind, sc.opts.Layout) || !ns.MatchString(o.namespace) || !kind.MatchString(o.kind.Kind) || !keep(o) {
			continue
		}
		if b.groupVar && o.kind.Group != vals[varGroup] {
			continue
		}
		out[key(o)]++
	}
	return out
}

// boardHas reports whether board b shows kind k's objects (the detail
// dashboard: those of the selected group).
func boardHas(b renderedBoard, k model.Kind, layout string) bool {
	switch {
	case b.key == OverviewKey || b.key == DetailKey:
		return true
	case layout == PerKind && !k.Wildcard(): // a wildcard kind has its group's board
		return b.key == k.ID()
	}
	return b.key == k.Group
}

func total(m map[string]float64) float64 {
	var s float64
	for _, v := range m {
		s += v
	}
	return s
}

// TestHealthCounts checks the overview's numbers, per-kind histories and
// state tables against the state the health rules record for each fixture
// object, for several variable selections.
func TestHealthCounts(t *testing.T) {
	for _, name := range []string{"default", "per-kind"} {
		t.Run(name, func(t *testing.T) {
			sc := newScenario(t, allModel(), optionVariants()[name])
			sc.checkCounts(t, [][2]string{{".*", ".*"}, {prodNS, ".*"}, {devNS, "Certificate|Gateway"}, {".*", "Pool"}})
		})
	}
}

// stateMatcher finds the state a query counts the objects of.
var stateMatcher = regexp.MustCompile(health.LabelState + `="(\w+)"`)

// checkCounts runs the counting panels with each {namespace, kind}
// selection (and, on the detail dashboard, each group) and compares them
// with the objects' recorded states.
func (sc scenario) checkCounts(t *testing.T, selections [][2]string) {
	t.Helper()
	state := func(o fixtureObject) string { return sc.recorded[o.key()].state }
	all := func(fixtureObject) bool { return true }
	inState := func(st string) func(fixtureObject) bool {
		return func(o fixtureObject) bool { return state(o) == st }
	}
	checked := 0
	for _, b := range sc.boards {
		byKind, kindLabels := func(o fixtureObject) string { return o.kind.Kind }, []string{series.LabelKind}
		if b.key == OverviewKey {
			byKind, kindLabels = func(o fixtureObject) string { return o.kind.Group + "/" + o.kind.Kind }, []string{series.LabelGroup, series.LabelKind}
		}
		for _, sel := range selections {
			for _, group := range sc.groups(b) {
				vals := vars(group, sel[0], sel[1], ".*")
				for _, q := range b.queries {
					keep, key, labels, top := all, byKind, kindLabels, false
					switch q.Panel {
					case "Objects":
					case "Kinds":
						// counted below: the keys of want
					case health.Healthy, health.Degraded, health.Progressing, health.Suspended:
						keep = inState(q.Panel)
					case "Degraded objects by kind", "Degraded objects over time":
						keep = inState(health.Degraded)
					case "Most degraded kinds", "Degraded objects, most degraded kinds":
						keep, top = inState(health.Degraded), true
					case "Objects by health":
						key, labels = state, []string{health.LabelState}
					case "Health by kind":
						if m := stateMatcher.FindStringSubmatch(q.Expr); m != nil { // one query per state
							keep = inState(m[1])
							break
						}
						key = func(o fixtureObject) string { return o.kind.Kind + "/" + state(o) }
						labels = []string{series.LabelKind, health.LabelState}
					case "Health by API group":
						key = func(o fixtureObject) string { return o.kind.Group + "/" + state(o) }
						labels = []string{series.LabelGroup, health.LabelState}
					case "Health by reason":
						key = func(o fixtureObject) string { return sc.recorded[o.key()].reason + "/" + state(o) }
						labels = []string{health.LabelReason, health.LabelState}
					case "Objects with unobserved generation":
						keep = func(o fixtureObject) bool { return o.lagging }
					default:
						continue
					}
					checked++
					want := sc.expected(b, vals, keep, key)
					got := sc.eng.run(q, vals)
					if q.PanelType == "stat" {
						var v float64
						if len(got) == 1 {
							v = got[0].F
						}
						w := total(want)
						if q.Panel == "Kinds" {
							w = float64(len(want))
						}
						if len(got) > 1 || v != w {
							t.Errorf("%s %s %v: got %v, want %v", q, group, sel, got, w)
						}
						continue
					}
					gotBy := map[string]float64{}
					for _, s := range got {
						var k []string
						for _, l := range labels {
							k = append(k, s.Metric.Get(l))
						}
						gotBy[strings.Join(k, "/")] = s.F
					}
					if top {
						want = topOf(want, gotBy, 10)
					}
					if fmt.Sprint(gotBy) != fmt.Sprint(want) {
						t.Errorf("%s %s %v: got %v, want %v", q, group, sel, gotBy, want)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no counting panel checked")
	}
}

// topOf is want cut to the n largest counts as topk gives them: when there
// are more, the ones got are kept if they are among the largest (topk
// breaks ties in no documented order).
func topOf(want, got map[string]float64, n int) map[string]float64 {
	if len(want) <= n {
		return want
	}
	counts := slices.Sorted(maps.Values(want))
	least := counts[len(counts)-n] // the n-th largest
	out := map[string]float64{}
	for k, v := range got {
		if want[k] == v && v >= least {
			out[k] = v
		}
	}
	if len(out) != n {
		return want // the comparison fails and shows all
	}
	return out
}

// TestObjectTables checks the rows of the not-healthy, missing-replicas
// and generation-lag tables: exactly the right objects, with their recorded
// state and reason, the number of missing replicas or of generations
// behind. Per-group boards are rendered too.
func TestObjectTables(t *testing.T) {
	opts := DefaultOptions()
	opts.Layout = PerGroup
	sc := newScenario(t, allModel(), opts)
	checked := 0
	for _, b := range sc.boards {
		for _, q := range b.queries {
			var keep func(fixtureObject) bool
			var want func(fixtureObject) string
			var got func(promql.Sample) string
			switch q.Panel {
			case "Objects not healthy":
				keep = func(o fixtureObject) bool { return sc.recorded[o.key()].state != health.Healthy }
				want = func(o fixtureObject) string { r := sc.recorded[o.key()]; return r.state + " " + r.reason }
				got = func(s promql.Sample) string {
					return s.Metric.Get(health.LabelState) + " " + s.Metric.Get(health.LabelReason)
				}
			case "Objects missing replicas":
				keep = func(o fixtureObject) bool { return o.replicas }
				want = func(fixtureObject) string { return "2" }
				got = func(s promql.Sample) string { return fmt.Sprint(s.F) }
			case "Generation lag":
				keep = func(o fixtureObject) bool { return o.lagging }
				want = func(fixtureObject) string { return "1" }
				got = func(s promql.Sample) string { return fmt.Sprint(s.F) }
			default:
				continue
			}
			for _, group := range sc.groups(b) {
				checked++
				vals := vars(group, ".*", ".*", ".*")
				var wantRows []string
				for _, o := range sc.objs {
					if boardHas(b, o.kind, opts.Layout) && (!b.groupVar || o.kind.Group == group) && keep(o) {
						wantRows = append(wantRows, o.key()+"="+want(o))
					}
				}
				var gotRows []string
				for _, s := range sc.eng.run(q, vals) {
					gotRows = append(gotRows, objectKey(s.Metric)+"="+got(s))
				}
				sort.Strings(wantRows)
				sort.Strings(gotRows)
				if strings.Join(gotRows, "\n") != strings.Join(wantRows, "\n") {
					t.Errorf("%s %s:\ngot  %v\nwant %v", q, group, gotRows, wantRows)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no table checked")
	}
}
