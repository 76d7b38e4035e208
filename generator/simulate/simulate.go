// Package simulate answers "would these alerts fire on my cluster right
// now?" offline: it evaluates the kube-state-metrics config crdmon generated
// over Kubernetes objects (with ksmeval, the same semantics as
// kube-state-metrics), loads the resulting series into Prometheus' PromQL
// engine at a simulated time, and evaluates every generated alert as
// Prometheus' rule manager does (package alerting), reporting each alert as
// firing, pending or ok for each object.
//
// The objects are a snapshot, so their series are taken as constant over a
// window before the simulated time; condition timestamps
// (lastTransitionTime) still make "for 15m" thresholds meaningful.
package simulate

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
	crdrules "github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/series"
)

// Row is one alert for one object.
type Row struct {
	Group       string            `json:"group"`
	Kind        string            `json:"kind"`
	Namespace   string            `json:"namespace,omitempty"`
	Name        string            `json:"name"`
	Alert       string            `json:"alert"`
	State       State             `json:"state"`
	Why         string            `json:"why,omitempty"`         // what makes the alert hold (active alerts)
	Value       *float64          `json:"value,omitempty"`       // the expression's value (active alerts)
	Labels      map[string]string `json:"labels,omitempty"`      // as Prometheus would send them (active alerts)
	Annotations map[string]string `json:"annotations,omitempty"` // expanded (active alerts)
}

// KindName is the row's kind as crdmon prints kinds: group/Kind.
func (r Row) KindName() string { return r.Group + "/" + r.Kind }

// ObjectHealth is the health state the crdmon:health:state recording rule
// gives one object (package health).
type ObjectHealth struct {
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
	State     string `json:"state"`  // Suspended, Degraded, Progressing or Healthy
	Reason    string `json:"reason"` // the signal that decided it
}

// KindName is the object's kind as crdmon prints kinds: group/Kind.
func (h ObjectHealth) KindName() string { return h.Group + "/" + h.Kind }

// Report is the outcome of one simulation.
type Report struct {
	At      time.Time `json:"at"`
	Objects int       `json:"objects"` // objects the kube-state-metrics config covers
	// Health is the recorded health state of every object, sorted by kind,
	// namespace and name.
	Health []ObjectHealth `json:"health"`
	// Rows lists, sorted by kind, namespace, name and alert, every active
	// alert, and an ok row for every alert of an object's kind that is not
	// active for it.
	Rows []Row `json:"rows"`
	// Skipped explains the objects the config does not cover, one line per
	// apiVersion and kind.
	Skipped []string `json:"skipped,omitempty"`
	// Converted lists, per apiVersion and kind, objects exported at another
	// version of a kind the config watches: they are evaluated as served at
	// the watched version.
	Converted []string `json:"converted,omitempty"`
	// Unnamed lists, per apiVersion and kind, objects without metadata.name
	// and the names they were evaluated under.
	Unnamed []string `json:"unnamed,omitempty"`
	// NoSignals is set when no kind among the inputs has a health signal:
	// there is no alert to evaluate.
	NoSignals bool `json:"noSignals,omitempty"`
	// NotEvaluated lists alerts that read neither kube-state-metrics series
	// nor what the recording rules make of them (controller-runtime
	// alerts): objects cannot tell whether they fire.
	NotEvaluated []string `json:"notEvaluated,omitempty"`
	// Series is what kube-state-metrics would serve for the objects.
	Series ksmeval.Result `json:"-"`
}

// Count returns how many rows are in state st.
func (r *Report) Count(st State) int {
	n := 0
	for _, row := range r.Rows {
		if row.State == st {
			n++
		}
	}
	return n
}

// Run evaluates res's kube-state-metrics config over objects and every alert
// of res's plain rule files over the series at time at. res must include
// the rules artifact in a format with plain rule files (plain or both),
// unless no kind has a health signal. Objects are taken as the API server
// would serve them (see served): at the watched version, and named.
func Run(res *generator.Result, objects []map[string]any, at time.Time) (*Report, error) {
	objects, converted, unnamed := served(objects, res.Model)
	ev, err := ksmeval.EvaluateInstalled(res.KSM, withObjectKinds(res.Installed, objects, res.Model), objects)
	if err != nil {
		return nil, fmt.Errorf("kube-state-metrics config: %w", err)
	}
	rs, err := PlainRules(res.Files)
	if err != nil {
		return nil, err
	}
	noSignals := !anySignals(res.Model)
	if len(rs) == 0 && !noSignals && !hasPlainRuleFile(res) {
		return nil, fmt.Errorf("no plain rule files generated: simulate needs the rules artifact in format plain or both")
	}
	recs, err := PlainRecordingRules(res.Files)
	if err != nil {
		return nil, err
	}
	samples := ev.Samples()
	s, err := newSession(rs, recs, samples, at)
	if err != nil {
		return nil, err
	}
	defer s.close()
	alerts, err := s.alerts(rs)
	if err != nil {
		return nil, err
	}
	prefix := prefixOf(res.KSM)
	rep := &Report{At: s.at, Series: ev, Converted: converted, Unnamed: unnamed, NoSignals: noSignals}

	// The objects, from their info series, and what each alert reads.
	kindShapes := shapes(ev.Resources)
	recorded, err := records(recs)
	if err != nil {
		return nil, err
	}
	var objs []Row
	seen := map[string]bool{}
	for _, smp := range samples {
		if smp.Name != series.Name(prefix, series.Info) {
			continue
		}
		o := Row{Group: smp.Labels[series.LabelGroup], Kind: smp.Labels[series.LabelKind],
			Namespace: smp.Labels[series.LabelNamespace], Name: smp.Labels[series.LabelName]}
		if !seen[objectKey(o)] { // an object given twice counts once
			seen[objectKey(o)] = true
			objs = append(objs, o)
		}
	}
	rep.Objects = len(objs)
	rep.Skipped = skipped(objects, ev, res.Model)

	for i := range rs {
		if !readsObjects(&rs[i], prefix) && !slices.Contains(rep.NotEvaluated, rs[i].Name) {
			rep.NotEvaluated = append(rep.NotEvaluated, rs[i].Name)
		}
	}

	if rep.Health, err = s.health(); err != nil {
		return nil, err
	}

	ex := newExplainer(s, prefix, samples)
	active := map[string]bool{} // object key + alert
	for _, a := range alerts {
		l := a.Labels
		row := Row{Group: l[series.LabelGroup], Kind: l[series.LabelKind], Namespace: l[series.LabelNamespace], Name: l[series.LabelName],
			Alert: a.Rule.Name, State: a.State, Why: ex.why(a), Labels: a.Labels, Annotations: a.Annotations}
		v := a.Value
		row.Value = &v
		active[objectKey(row)+"\x00"+row.Alert] = true
		rep.Rows = append(rep.Rows, row)
	}
	for _, o := range objs {
		for i := range rs {
			r := &rs[i]
			if active[objectKey(o)+"\x00"+r.Name] || !reads(r, recorded, prefix, kindShapes[kindKey{o.Group, o.Kind}]) {
				continue
			}
			row := o
			row.Alert, row.State = r.Name, OK
			active[objectKey(o)+"\x00"+r.Name] = true // an alert in two rule files is listed once
			rep.Rows = append(rep.Rows, row)
		}
	}
	sort.SliceStable(rep.Rows, func(i, j int) bool {
		a, b := rep.Rows[i], rep.Rows[j]
		if a.KindName() != b.KindName() {
			return a.KindName() < b.KindName()
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Alert != b.Alert {
			return a.Alert < b.Alert
		}
		return labels.FromMap(a.Labels).String() < labels.FromMap(b.Labels).String()
	})
	return rep, nil
}

// health reads what the recording rule health.Metric recorded at the
// simulated time.
func (s *session) health() ([]ObjectHealth, error) {
	out := []ObjectHealth{}
	seen := map[string]bool{}
	v, err := s.instant(health.Metric)
	if err != nil {
		return nil, fmt.Errorf("recording rule %s: %w", health.Metric, err)
	}
	for _, smp := range v {
		l := smp.Metric.Map()
		h := ObjectHealth{Group: l[series.LabelGroup], Kind: l[series.LabelKind], Namespace: l[series.LabelNamespace],
			Name: l[series.LabelName], State: l[health.LabelState], Reason: l[health.LabelReason]}
		key := h.KindName() + "/" + h.Namespace + "/" + h.Name
		if !seen[key] {
			seen[key] = true
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.KindName() != b.KindName() {
			return a.KindName() < b.KindName()
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		return a.Name < b.Name
	})
	return out, nil
}

// anySignals reports whether a kind of m has a health signal.
func anySignals(m model.Model) bool {
	for _, k := range m.Kinds {
		if k.HasSignals() {
			return true
		}
	}
	return false
}

func hasPlainRuleFile(res *generator.Result) bool {
	for _, f := range res.Files {
		if crdrules.IsPlainPath(f.Path) {
			return true
		}
	}
	return false
}

func objectKey(r Row) string {
	return r.Group + "/" + r.Kind + "/" + r.Namespace + "/" + r.Name
}

// prefixOf returns the metric name prefix of a generated config.
func prefixOf(cfg ksm.Config) string {
	for _, r := range cfg.Spec.Resources {
		if r.MetricNamePrefix != nil {
			return *r.MetricNamePrefix
		}
	}
	return ksmeval.DefaultPrefix
}

// skipped explains, per apiVersion and kind, the objects the config does not
// cover (objects are already at the watched version of the model's kinds).
func skipped(objects []map[string]any, ev ksmeval.Result, m model.Model) []string {
	covered := map[ksm.GroupVersionKind]bool{}
	for _, f := range ev.Families {
		covered[f.GVK] = true
	}
	count := map[ksm.GroupVersionKind]int{}
	for _, o := range objects {
		if g := ksmeval.ObjectGVK(o); !covered[g] {
			count[g]++
		}
	}
	var out []string
	for g, n := range count {
		reason := "not a kind crdmon monitors here (no CRD with health signals among the inputs, or filtered out)"
		for _, k := range m.Kinds {
			if k.Group == g.Group && k.Kind == g.Kind && !k.HasSignals() {
				reason = "its CRD has no health signal crdmon recognises (crdmon inspect shows what was found)"
			}
		}
		out = append(out, fmt.Sprintf("%s ×%d: %s", gvkString(g), n, reason))
	}
	sort.Strings(out)
	return out
}
