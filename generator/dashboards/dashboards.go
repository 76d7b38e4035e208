// Package dashboards renders Grafana dashboards from the model: an overview
// across every group and kind and a detail dashboard whose group, kind and
// namespace are variables, both read from the recorded health state, plus,
// when asked, one dashboard per API group (or per kind). They are written
// in the classic dashboard JSON that Grafana file provisioning, the
// kube-prometheus-stack sidecar and grafana-operator load, with the
// ConfigMap and GrafanaDashboard wrappers. Every dashboard is validated
// before it is returned (see Validate).
package dashboards

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/internal/parallel"
	"github.com/crdmon/crdmon/generator/internal/shapes"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
)

// Dir is the output directory of dashboard files, relative to out/.
const Dir = "dashboards"

// Options control the dashboards and their wrappers.
type Options struct {
	// Prefix is the kube-state-metrics metric name prefix.
	Prefix string
	// Layout chooses the dashboards: Generic (the overview and the detail
	// dashboard only, the default), PerGroup or PerKind (those two plus one
	// dashboard per API group, or per kind).
	Layout string
	// ClusterLabel, when set, adds a cluster variable filtering on this label.
	ClusterLabel string
	// Folder is the Grafana folder: the ConfigMap's grafana_folder annotation
	// and the GrafanaDashboard's spec.folder. Empty leaves it to Grafana.
	Folder string
	// Namespace of the ConfigMap and GrafanaDashboard objects; empty omits it.
	Namespace string
	// ConfigMapLabels label the ConfigMaps so the Grafana sidecar finds them.
	ConfigMapLabels map[string]string
	// GrafanaOperator also renders a grafana.integreatly.org/v1beta1 GrafanaDashboard per dashboard.
	GrafanaOperator bool
	// InstanceSelector is the GrafanaDashboard's spec.instanceSelector.matchLabels.
	InstanceSelector map[string]string
	// Controllers maps a kind, as model.Kind.ID() ("certificate.cert-manager.io")
	// or as its Kind name ("Certificate"), to the controller-runtime controller
	// names that reconcile it. Default: the lower-cased kind. An empty list
	// drops the kind from a per-group or per-kind board's controller row; the
	// detail dashboard selects controllers with its controller variable and
	// has no controller row when every kind's list is empty.
	Controllers map[string][]string
	// RecordingRules are extra metric names panels may use.
	RecordingRules []string
	// Datasource is the Prometheus data source selected by default; empty
	// leaves Grafana's default data source.
	Datasource string
}

// Layouts: which dashboards Render writes.
const (
	Generic  = "generic"   // the overview and the detail dashboard
	PerGroup = "per-group" // those and one dashboard per API group
	PerKind  = "per-kind"  // those and one dashboard per kind (a wildcard kind: per group)
)

// Layouts lists the layouts in the order help texts name them.
var Layouts = []string{Generic, PerGroup, PerKind}

// Keys of the generic dashboards: their files are Dir/<key>.json. API
// groups (and so per-group and per-kind keys) always hold a dot, so they
// never collide.
const (
	OverviewKey = "overview"
	DetailKey   = "detail"
)

// DefaultOptions are the defaults of `crdmon generate`.
func DefaultOptions() Options {
	return Options{
		Prefix:           series.DefaultPrefix,
		Layout:           Generic,
		ConfigMapLabels:  map[string]string{"grafana_dashboard": "1"},
		InstanceSelector: map[string]string{"dashboards": "grafana"},
	}
}

// scope is what a board's queries select.
type scope int

const (
	scopeAll   scope = iota // every group and kind: the overview
	scopeVars               // the group, kinds and namespaces of the variables: the detail dashboard
	scopeGroup              // one API group (or one kind of it): per-group and per-kind boards
)

// board is one dashboard to render.
type board struct {
	scope scope
	key   string       // file base name: OverviewKey, DetailKey, the group, or the kind's ID
	title string       // dashboard title
	group string       // API group of a scopeGroup board, else ""
	kinds []model.Kind // kinds with signals, sorted by group and kind: what decides the panels
	kind  string       // the one kind of a per-kind board, else ""
}

// names are the names a board's JSON holds: what sets boards of one shape apart.
func (b board) names(opts Options) []string {
	out := []string{b.key, b.group, uid(b.key)}
	if b.scope != scopeGroup { // the boards of all kinds are one of a kind
		return out[:1]
	}
	for _, k := range b.kinds {
		out = append(out, k.Kind)
	}
	return append(out, controllers(b.kinds, opts.Controllers)...)
}

// boards splits the model into dashboards: the overview and the detail
// dashboard, then, for PerGroup or PerKind, one per group or per kind (any
// other layout, "" included, is Generic).
// Kinds without signals have no series in the generated kube-state-metrics
// config and are left out; a model without such kinds has no dashboard.
func boards(m model.Model, layout string) []board {
	var all []model.Kind
	byGroup := map[string][]model.Kind{}
	for _, k := range m.Kinds {
		if k.HasSignals() {
			all = append(all, k)
			byGroup[k.Group] = append(byGroup[k.Group], k)
		}
	}
	if len(all) == 0 {
		return nil
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID() < all[j].ID() })
	out := []board{
		{scope: scopeAll, key: OverviewKey, title: "Custom resources: overview", kinds: all},
		{scope: scopeVars, key: DetailKey, title: "Custom resources: detail", kinds: all},
	}
	if layout != PerGroup && layout != PerKind {
		return out
	}
	groups := make([]string, 0, len(byGroup))
	for g := range byGroup {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		kinds := byGroup[g]
		sort.Slice(kinds, func(i, j int) bool { return kinds[i].Kind < kinds[j].Kind })
		if layout != PerKind || slices.ContainsFunc(kinds, model.Kind.Wildcard) {
			out = append(out, board{scope: scopeGroup, key: g, title: g + " custom resources", group: g, kinds: kinds})
			continue
		}
		for _, k := range kinds {
			out = append(out, board{scope: scopeGroup, key: k.ID(), title: k.Kind + " (" + g + ")", group: g, kinds: []model.Kind{k}, kind: k.Kind})
		}
	}
	return out
}

// signalMetrics are the layer-1 series the generic rule pack records: per
// object and class of trouble, with the object labels, the reason and the
// signal it came from. Panels reading them show nothing while the pack's
// rules are not deployed.
var signalMetrics = []struct{ class, metric string }{
	{"failing", health.Failing},
	{"progressing", health.ProgressingSignal},
	{"suspended", health.SuspendedSignal},
	{"silenced", health.Silenced},
}

// Labels of the layer-1 signal series, and the one the dashboards add.
const (
	labelSignal = "signal"
	labelClass  = "class" // which of signalMetrics a row comes from
)

// Render returns the dashboards of the model and their wrappers, validated
// with Validate against the metrics the generated config produces, sorted
// by path.
func Render(m model.Model, opts Options) ([]output.File, error) {
	var files output.Collector
	if err := RenderTo(m, opts, files.Put); err != nil {
		return nil, err
	}
	return files.Sorted(), nil
}

// RenderTo is Render handing each dashboard's files to emit as soon as they
// have validated, in no particular order and from several goroutines at
// once, so they need not all be in memory.
func RenderTo(m model.Model, opts Options, emit output.Sink) error {
	if err := opts.check(); err != nil {
		return err
	}
	known := KnownMetrics(m, opts.Prefix, opts.RecordingRules)
	var validated shapes.Cache
	return parallel.Each(boards(m, opts.Layout), func(b board) error {
		fs, err := renderBoard(b, opts, known, &validated)
		if err != nil {
			return err
		}
		return emit.PutAll(fs)
	})
}

// renderBoard builds, validates and wraps one dashboard. Dashboards of one
// shape (the same JSON but for the names of the board) are validated once;
// the only check that depends on a name, the UID's length, runs for each.
func renderBoard(b board, opts Options, known map[string]bool, validated *shapes.Cache) ([]output.File, error) {
	js, err := build(b, opts)
	if err != nil {
		return nil, fmt.Errorf("dashboard %q: %w", b.title, err)
	}
	if id := uid(b.key); len(id) > maxUID {
		return nil, fmt.Errorf("dashboard %q: uid %q is longer than %d characters", b.title, id, maxUID)
	}
	if err := validated.Validate(b.names(opts), func() error { return Validate(js, known) }, js); err != nil {
		return nil, err
	}
	wrapped, err := wrappers(b, js, opts)
	if err != nil {
		return nil, fmt.Errorf("dashboard %q: %w", b.title, err)
	}
	return append([]output.File{{Path: Dir + "/" + b.key + ".json", Content: js}}, wrapped...), nil
}

func (o Options) check() error {
	if o.Layout != "" && !slices.Contains(Layouts, o.Layout) {
		return fmt.Errorf("dashboard layout %q: want %s", o.Layout, strings.Join(Layouts, ", "))
	}
	if o.Prefix != "" && !series.ValidName(o.Prefix) {
		return fmt.Errorf("metric prefix %q is not a valid Prometheus name", o.Prefix)
	}
	if o.ClusterLabel != "" && (!series.ValidName(o.ClusterLabel) || strings.Contains(o.ClusterLabel, ":")) {
		return fmt.Errorf("cluster label %q is not a valid Prometheus label name", o.ClusterLabel)
	}
	for _, r := range o.RecordingRules {
		if !series.ValidName(r) {
			return fmt.Errorf("recording rule %q is not a valid Prometheus metric name", r)
		}
	}
	return nil
}

// KnownMetrics returns every metric name a dashboard may query: the families
// the generated kube-state-metrics config produces for the model's kinds
// (kinds without signals produce none), the health state the generated
// rule files record for those kinds (health.Metric and the layer-1
// signalMetrics), the given recording rules and the controller-runtime
// metrics.
func KnownMetrics(m model.Model, prefix string, recordingRules []string) map[string]bool {
	known := map[string]bool{}
	for _, k := range m.Kinds {
		if !k.HasSignals() {
			continue
		}
		for _, f := range series.Families(k) {
			known[series.Name(prefix, f)] = true
		}
		known[health.Metric] = true
		for _, s := range signalMetrics {
			known[s.metric] = true
		}
	}
	for _, r := range recordingRules {
		known[r] = true
	}
	for _, c := range series.ControllerMetrics {
		known[c] = true
	}
	return known
}
