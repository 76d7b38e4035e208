package dashboards

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
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
	title      string
	namespaced bool // has the namespace variable
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
		b := renderedBoard{file: f.Path, title: d.Title}
		for _, v := range d.Templating.List {
			b.namespaced = b.namespaced || v.Name == varNamespace
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

// vars are Grafana variable values for a test run.
func vars(namespace, kind, cluster string) map[string]string {
	v := map[string]string{varDatasource: "prometheus", varNamespace: namespace, varKind: kind, varCluster: cluster}
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
	perKind := DefaultOptions()
	perKind.PerKind = true
	prefix := DefaultOptions()
	prefix.Prefix = "crd"
	prefix.Controllers = map[string][]string{"certificate.cert-manager.io": {"certificates-trigger", "certificates-readiness"}, "Gateway": {}}
	return map[string]Options{"default": def, "cluster": cluster, "per-kind": perKind, "prefix": prefix}
}

// scenario is a model rendered and loaded with its fixture series.
type scenario struct {
	opts   Options
	objs   []fixtureObject
	boards []renderedBoard
	eng    *engine
}

func newScenario(t *testing.T, m model.Model, opts Options) scenario {
	t.Helper()
	files, err := Render(m, opts)
	if err != nil {
		t.Fatal(err)
	}
	objs := fixtureObjects(m)
	db := loadFixtures(t, m, opts.Prefix, objs, controllers(m.Kinds, opts.Controllers), opts.ClusterLabel)
	return scenario{opts: opts, objs: objs, boards: readBoards(t, files), eng: newEngine(t, db)}
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

// requireData runs every query of every board with all namespaces, kinds
// and clusters selected and requires data from each.
func (sc scenario) requireData(t *testing.T) {
	t.Helper()
	n := 0
	for _, b := range sc.boards {
		for _, q := range b.queries {
			n++
			if len(sc.eng.run(q, vars(".*", ".*", ".*"))) == 0 {
				t.Errorf("no data: %s", q)
			}
		}
	}
	t.Logf("%d dashboards, %d queries", len(sc.boards), n)
}

// expected counts the fixture objects of a board matching the variables.
func (sc scenario) expected(b renderedBoard, vals map[string]string, keep func(fixtureObject) bool) map[string]float64 {
	full := func(re string) *regexp.Regexp { return regexp.MustCompile("^(?:" + re + ")$") }
	ns, kind := full(vals[varNamespace]), full(vals[varKind])
	if !b.namespaced {
		ns = full(".*") // no namespace variable
	}
	out := map[string]float64{}
	for _, o := range sc.objs {
		if !boardHas(b, o.kind, sc.opts.PerKind) || !ns.MatchString(o.namespace) || !kind.MatchString(o.kind.Kind) || !keep(o) {
			continue
		}
		out[o.kind.Kind]++
	}
	return out
}

func boardHas(b renderedBoard, k model.Kind, perKind bool) bool {
	if perKind {
		return b.file == Dir+"/"+k.ID()+".json"
	}
	return b.file == Dir+"/"+k.Group+".json"
}

func total(m map[string]float64) float64 {
	var s float64
	for _, v := range m {
		s += v
	}
	return s
}

// TestHealthCounts checks the overview's numbers and per-kind histories
// against the state each fixture object was built in, for several
// variable selections.
func TestHealthCounts(t *testing.T) {
	sc := newScenario(t, allModel(), DefaultOptions())
	sc.checkCounts(t, [][2]string{{".*", ".*"}, {prodNS, ".*"}, {devNS, "Certificate|Gateway"}, {".*", "Pool"}})
}

// checkCounts runs the counting panels with each {namespace, kind}
// selection and compares them with the fixture objects' states.
func (sc scenario) checkCounts(t *testing.T, selections [][2]string) {
	t.Helper()
	checked := 0
	for _, b := range sc.boards {
		for _, sel := range selections {
			vals := vars(sel[0], sel[1], ".*")
			for _, q := range b.queries {
				var keep func(fixtureObject) bool
				switch q.Panel {
				case "Objects":
					keep = func(fixtureObject) bool { return true }
				case stHealthy, stUnhealthy, stProgressing, stSuspended:
					state := q.Panel
					keep = func(o fixtureObject) bool { return o.state == state }
				case "Unhealthy objects by kind", "Unhealthy objects over time":
					keep = func(o fixtureObject) bool { return o.state == stUnhealthy }
				case "Objects with unobserved generation":
					keep = func(o fixtureObject) bool { return o.lagging }
				default:
					continue
				}
				checked++
				want := sc.expected(b, vals, keep)
				got := sc.eng.run(q, vals)
				if q.PanelType == "stat" {
					var v float64
					if len(got) == 1 {
						v = got[0].F
					}
					if len(got) > 1 || v != total(want) {
						t.Errorf("%s %v: got %v, want %v", q, sel, got, total(want))
					}
					continue
				}
				gotByKind := map[string]float64{}
				for _, s := range got {
					gotByKind[s.Metric.Get(series.LabelKind)] = s.F
				}
				if fmt.Sprint(gotByKind) != fmt.Sprint(want) {
					t.Errorf("%s %v: got %v, want %v", q, sel, gotByKind, want)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no counting panel checked")
	}
}

// TestObjectTables checks the rows of the unhealthy-objects and
// missing-replicas tables: exactly the right objects, with the condition's
// lastTransitionTime (ms) or 0 for phases as "Since".
func TestObjectTables(t *testing.T) {
	sc := newScenario(t, allModel(), DefaultOptions())
	vals := vars(".*", ".*", ".*")
	checked := 0
	for _, b := range sc.boards {
		for _, q := range b.queries {
			var keep func(fixtureObject) bool
			var value func(fixtureObject) float64
			switch q.Panel {
			case "Unhealthy objects":
				keep = func(o fixtureObject) bool { return o.state == stUnhealthy }
				value = func(o fixtureObject) float64 {
					if o.timed {
						return float64(lastTransition.Unix() * 1000)
					}
					return 0
				}
			case "Objects missing replicas":
				keep = func(o fixtureObject) bool { return o.replicas }
				value = func(fixtureObject) float64 { return 2 }
			default:
				continue
			}
			checked++
			var want []string
			for _, o := range sc.objs {
				if boardHas(b, o.kind, false) && keep(o) {
					want = append(want, fmt.Sprintf("%s/%s/%s=%v", o.kind.Kind, o.namespace, o.name, value(o)))
				}
			}
			var got []string
			for _, s := range sc.eng.run(q, vals) {
				got = append(got, fmt.Sprintf("%s/%s/%s=%v", s.Metric.Get(series.LabelKind), s.Metric.Get(series.LabelNamespace), s.Metric.Get(series.LabelName), s.F))
			}
			sort.Strings(want)
			sort.Strings(got)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s:\ngot  %v\nwant %v", q, got, want)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no table checked")
	}
}
