package dashboards

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// Synthetic cluster state: objects of every kind in every health state the
// kind can be in, turned into series by evaluating the generated
// kube-state-metrics config over them (ksm.Build + ksmeval), so the series
// are exactly what kube-state-metrics would serve; plus controller-runtime
// series for every controller.

// Health states of fixture objects: the state each was built in.
const (
	stHealthy     = health.Healthy
	stDegraded    = health.Degraded
	stProgressing = health.Progressing
	stSuspended   = health.Suspended
)

// Namespaces of fixture objects: every variant lives in prodNS, one more
// healthy object in devNS.
const (
	prodNS = "prod"
	devNS  = "dev"
)

// lastTransition is the lastTransitionTime of every fixture condition.
var lastTransition = time.Date(2023, 11, 14, 0, 0, 0, 0, time.UTC)

// fixtureObject is one object and the health state it was built in. The
// health rules may judge otherwise (a detail signal gives way to Ready=True,
// a phase value may be neither failure nor progress for its field); sure
// marks the objects whose state they must agree with.
type fixtureObject struct {
	kind      model.Kind
	namespace string // "" for cluster-scoped kinds
	name      string
	state     string
	sure      bool // healthy, suspended or being deleted: no rule may judge otherwise
	replicas  bool // fewer ready than desired replicas
	lagging   bool // observedGeneration behind generation
	obj       map[string]any
}

// variant changes a healthy object into another state.
type variant struct {
	name, state       string
	sure              bool
	replicas, lagging bool
	suspend           bool
	field             string // what apply changes
	apply             func(o *objectBuilder)
}

// stateVariants lists the states kind k can be in, one object per way of getting there.
func stateVariants(k model.Kind) []variant {
	out := []variant{
		{name: "ok", state: stHealthy, sure: true, apply: func(*objectBuilder) {}},
		{name: "deleting", state: stProgressing, sure: true, apply: func(o *objectBuilder) {
			o.set([]string{"metadata", "deletionTimestamp"}, lastTransition.Format(time.RFC3339))
		}},
	}
	if len(k.Conditions) > 0 {
		cs := k.Conditions[0]
		if cs.HasStatus {
			out = append(out,
				variant{name: "positive-false", state: stDegraded, field: positiveType(cs), apply: func(o *objectBuilder) { o.setCondition(0, positiveType(cs), "False") }},
				variant{name: "positive-unknown", state: stProgressing, field: positiveType(cs), apply: func(o *objectBuilder) { o.setCondition(0, positiveType(cs), "Unknown") }})
		}
		out = append(out,
			variant{name: "negative-true", state: stDegraded, field: negativeType(cs), apply: func(o *objectBuilder) { o.setCondition(0, negativeType(cs), "True") }},
			variant{name: "reconciling", state: stProgressing, field: "Reconciling", apply: func(o *objectBuilder) { o.setCondition(0, "Reconciling", "True") }})
	}
	for i, p := range k.Phases {
		out = append(out, variant{name: fmt.Sprintf("phase%d-failed", i), state: stDegraded, field: p.SchemaPath, apply: func(o *objectBuilder) { o.set(p.Path, failurePhase(p)) }})
		if !p.Error { // an error field has no progress value
			out = append(out, variant{name: fmt.Sprintf("phase%d-progress", i), state: stProgressing, field: p.SchemaPath, apply: func(o *objectBuilder) { o.set(p.Path, progressPhase(p)) }})
		}
	}
	for i, f := range k.Problems {
		out = append(out, variant{name: fmt.Sprintf("problems%d", i), state: stDegraded, field: f.SchemaPath, apply: func(o *objectBuilder) { o.set(f.Path, int64(4)) }})
	}
	if k.Generation != nil {
		out = append(out, variant{name: "generation-lag", state: stProgressing, lagging: true, apply: func(o *objectBuilder) { o.set(k.Generation.Observed.Path, int64(2)) }})
	}
	if len(k.Failures) > 0 {
		// Failure counters do not decide the health state.
		out = append(out, variant{name: "failing-retries", state: stHealthy, sure: true, apply: func(o *objectBuilder) { o.set(k.Failures[0].Path, int64(2)) }})
	}
	if k.Replicas != nil {
		out = append(out, variant{name: "replicas-missing", state: stProgressing, replicas: true, apply: func(o *objectBuilder) { o.set(k.Replicas.Ready.Path, int64(1)) }})
	}
	// Trouble wins over progress.
	if u, p := firstOf(out, stDegraded, ""), lastOf(out, stProgressing, firstField(out, stDegraded)); u != nil && p != nil {
		both := *u
		both.name = u.name + "-and-" + p.name
		both.replicas, both.lagging = p.replicas, p.lagging
		both.apply = func(o *objectBuilder) { u.apply(o); p.apply(o) }
		out = append(out, both)
	}
	if len(k.Conditions) > 0 && k.Conditions[0].HasStatus {
		out = append(out, variant{name: "paused-condition", state: stSuspended, sure: true, apply: func(o *objectBuilder) { o.setCondition(0, "Paused", "True") }})
	}
	for i, p := range k.Phases {
		if v, ok := pausedPhase(p); ok {
			out = append(out, variant{name: fmt.Sprintf("phase%d-paused", i), state: stSuspended, sure: true, apply: func(o *objectBuilder) { o.set(p.Path, v) }})
			break
		}
	}
	if k.Suspend != nil {
		out = append(out, variant{name: "suspended", state: stSuspended, sure: true, suspend: true, apply: func(*objectBuilder) {}})
		// A suspended object in trouble counts as suspended only.
		for _, v := range out {
			if v.state == stDegraded {
				sv := v
				sv.name, sv.state, sv.suspend, sv.sure = "suspended-"+v.name, stSuspended, true, true
				out = append(out, sv)
				break
			}
		}
	}
	return out
}

// firstOf and lastOf find a variant in a state, changing another field
// than notField (when not empty).
func firstOf(vs []variant, state, notField string) *variant {
	for i := range vs {
		if vs[i].state == state && (notField == "" || vs[i].field != notField) {
			return &vs[i]
		}
	}
	return nil
}

func lastOf(vs []variant, state, notField string) *variant {
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].state == state && (notField == "" || vs[i].field != notField) {
			return &vs[i]
		}
	}
	return nil
}

func firstField(vs []variant, state string) string {
	if v := firstOf(vs, state, ""); v != nil {
		return v.field
	}
	return ""
}

func positiveType(cs model.ConditionSet) string {
	for _, t := range cs.KnownTypes {
		if model.PolarityOf(t) == model.Positive {
			return t
		}
	}
	return "Ready"
}

func negativeType(cs model.ConditionSet) string {
	for _, t := range cs.KnownTypes {
		if model.PolarityOf(t) == model.Negative {
			return t
		}
	}
	return "Stalled"
}

func failurePhase(p model.Phase) string {
	if len(p.Failure) > 0 {
		return p.Failure[0]
	}
	return "Failed"
}

// pausedPhase is a value of p that names a pause, when it may hold one.
func pausedPhase(p model.Phase) (string, bool) {
	if !health.SuspendablePhase(p) {
		return "", false
	}
	for _, v := range p.Values {
		if model.IsSuspendedValue(v) {
			return v, true
		}
	}
	return "Paused", true
}

func progressPhase(p model.Phase) string {
	if len(p.Progress) > 0 {
		return p.Progress[0]
	}
	return "Pending"
}

// healthyPhase is a value neither failing nor in progress.
func healthyPhase(p model.Phase) string {
	bad := map[string]bool{}
	for _, l := range [][]string{model.FailurePhases, model.ProgressPhases, p.Failure, p.Progress} {
		for _, v := range l {
			bad[strings.ToLower(v)] = true
		}
	}
	for _, v := range p.Values {
		if !bad[strings.ToLower(v)] && !strings.EqualFold(v, "unknown") && !model.IsSuspendedValue(v) {
			return v
		}
	}
	return "Ready"
}

// objectBuilder writes an object's fields along kube-state-metrics paths.
type objectBuilder struct {
	kind       model.Kind
	obj        map[string]any
	conditions [][]map[string]any // per condition set
}

func newObject(k model.Kind, namespace, name string) *objectBuilder {
	meta := map[string]any{"name": name, "generation": int64(3)}
	if namespace != "" {
		meta["namespace"] = namespace
	}
	o := &objectBuilder{kind: k, obj: map[string]any{
		"apiVersion": k.Group + "/" + k.Version,
		"kind":       k.Kind,
		"metadata":   meta,
	}}
	for _, cs := range k.Conditions {
		types := cs.KnownTypes
		if len(types) == 0 {
			types = []string{"Ready"}
		}
		var list []map[string]any
		for _, t := range types {
			status := "True"
			switch {
			case model.PolarityOf(t) == model.Negative, model.PolarityOf(t) == model.Progress, model.IsSuspendedValue(t):
				status = "False" // not in trouble, not working, not paused (Paused=False)
			}
			if !cs.HasStatus && status == "False" {
				continue // without a status field, presence means True
			}
			list = append(list, condition(cs, t, status))
		}
		o.conditions = append(o.conditions, list)
	}
	for _, p := range k.Phases {
		if !p.Error { // unset while healthy
			o.set(p.Path, healthyPhase(p))
		}
	}
	if k.Generation != nil {
		o.set(k.Generation.Observed.Path, int64(3))
	}
	if k.Replicas != nil {
		o.set(k.Replicas.Desired.Path, int64(3))
		o.set(k.Replicas.Ready.Path, int64(3))
		for _, m := range k.Replicas.Members() {
			o.set(m.Field.Path, int64(3))
		}
	}
	for _, f := range k.Failures {
		o.set(f.Path, int64(0))
	}
	if k.Suspend != nil {
		o.set(k.Suspend.Path, false)
	}
	for _, ts := range k.Timestamps {
		o.set(ts.Path, lastTransition.Add(30*24*time.Hour).Format(time.RFC3339))
	}
	for _, f := range k.Problems {
		o.set(f.Path, int64(0))
	}
	return o
}

func condition(cs model.ConditionSet, typ, status string) map[string]any {
	c := map[string]any{"type": typ}
	if cs.HasStatus {
		c["status"] = status
	}
	if cs.HasReason {
		c["reason"] = "Because" + status
	}
	if cs.HasTransitionTime {
		c["lastTransitionTime"] = lastTransition.Format(time.RFC3339)
	}
	return c
}

// setCondition sets (or adds) a condition of set i.
func (o *objectBuilder) setCondition(i int, typ, status string) {
	cs := o.kind.Conditions[i]
	for j, c := range o.conditions[i] {
		if c["type"] == typ {
			o.conditions[i][j] = condition(cs, typ, status)
			return
		}
	}
	o.conditions[i] = append(o.conditions[i], condition(cs, typ, status))
}

// set writes v at path, creating maps, and lists for numeric segments.
func (o *objectBuilder) set(path []string, v any) {
	o.obj = setPath(o.obj, path, v).(map[string]any)
}

func setPath(node any, path []string, v any) any {
	if len(path) == 0 {
		return v
	}
	if i, err := strconv.Atoi(path[0]); err == nil {
		list, _ := node.([]any)
		for len(list) <= i {
			list = append(list, map[string]any{})
		}
		list[i] = setPath(list[i], path[1:], v)
		return list
	}
	m, ok := node.(map[string]any)
	if !ok {
		m = map[string]any{}
	}
	m[path[0]] = setPath(m[path[0]], path[1:], v)
	return m
}

func (o *objectBuilder) build() map[string]any {
	for i, cs := range o.kind.Conditions {
		list := make([]any, len(o.conditions[i]))
		for j, c := range o.conditions[i] {
			list[j] = c
		}
		o.set(cs.Path, list)
	}
	return o.obj
}

// fixtureObjects returns every variant of every kind with signals in prodNS
// and one more healthy object in devNS (cluster-scoped kinds: no namespace).
func fixtureObjects(m model.Model) []fixtureObject {
	var out []fixtureObject
	for _, k := range m.Kinds {
		if !k.HasSignals() {
			continue
		}
		ns := func(n string) string {
			if k.Namespaced {
				return n
			}
			return ""
		}
		for _, v := range stateVariants(k) {
			name := strings.ToLower(k.Kind) + "-" + v.name
			b := newObject(k, ns(prodNS), name)
			v.apply(b)
			if v.suspend {
				b.set(k.Suspend.Path, true)
			}
			out = append(out, fixtureObject{kind: k, namespace: ns(prodNS), name: name, state: v.state, sure: v.sure,
				replicas: v.replicas, lagging: v.lagging, obj: b.build()})
		}
		name := strings.ToLower(k.Kind) + "-other"
		out = append(out, fixtureObject{kind: k, namespace: ns(devNS), name: name + "-" + devNS, state: stHealthy, sure: true,
			obj: newObject(k, ns(devNS), name+"-"+devNS).build()})
	}
	return out
}

// Scrape geometry of the synthetic data.
var (
	scrapeStart    = time.Unix(1_700_000_000, 0).UTC()
	scrapeInterval = 30 * time.Second
	scrapeDuration = 70 * time.Minute
)

// scrapeLabels are added to every series, as a Prometheus scrape would.
var scrapeLabels = map[string]string{"job": "kube-state-metrics", "instance": "10.0.0.7:8080"}

// loadFixtures evaluates the generated config over the objects and writes
// the resulting series, constant, plus controller-runtime series for ctrls,
// into a fresh TSDB. The cluster label, when set, is added to every series.
func loadFixtures(t *testing.T, m model.Model, prefix string, objs []fixtureObject, ctrls []string, clusterLabel string) *tsdb.DB {
	t.Helper()
	cfg, err := ksm.Build(m, prefix)
	if err != nil {
		t.Fatal(err)
	}
	raw := make([]map[string]any, len(objs))
	for i, o := range objs {
		raw[i] = o.obj
	}
	res, err := ksmeval.Evaluate(cfg, raw)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range res.Errors {
		// Only optional fields may be missing, at a quiet log level (a
		// nested list's later elements); every fixture object is complete.
		if e.LogV == 0 {
			t.Errorf("kube-state-metrics would log: %s", e)
		}
	}
	type sample struct {
		lset  labels.Labels
		value func(step int) float64
	}
	extra := func(l map[string]string) map[string]string {
		out := map[string]string{}
		for k, v := range scrapeLabels {
			out[k] = v
		}
		if clusterLabel != "" {
			out[clusterLabel] = "east"
		}
		for k, v := range l {
			out[k] = v
		}
		return out
	}
	var samples []sample
	for _, s := range res.Samples() {
		l := extra(s.Labels)
		l[labels.MetricName] = s.Name
		v := s.Value
		samples = append(samples, sample{labels.FromMap(l), func(int) float64 { return v }})
	}
	// controller-runtime: 10 reconciles per scrape (8 success, 1 error, 1
	// requeue), 1 reconcile error, latencies spread over the buckets.
	counter := func(perStep float64) func(int) float64 { return func(s int) float64 { return perStep * float64(s) } }
	for _, c := range ctrls {
		add := func(name string, l map[string]string, v func(int) float64) {
			l = extra(l)
			l[labels.MetricName] = name
			samples = append(samples, sample{labels.FromMap(l), v})
		}
		for result, n := range map[string]float64{"success": 8, "error": 1, "requeue": 1} {
			add(series.ReconcileTotal, map[string]string{"controller": c, "result": result}, counter(n))
		}
		add(series.ReconcileErrorsTotal, map[string]string{"controller": c}, counter(1))
		for le, n := range map[string]float64{"0.01": 2, "0.1": 6, "1": 9, "+Inf": 10} {
			add(series.ReconcileTimeSeconds+"_bucket", map[string]string{"controller": c, "le": le}, counter(n))
		}
		add(series.ReconcileTimeSeconds+"_count", map[string]string{"controller": c}, counter(10))
		add(series.ReconcileTimeSeconds+"_sum", map[string]string{"controller": c}, counter(1.5))
		add(series.WorkqueueDepth, map[string]string{"name": c, "controller": c}, func(int) float64 { return 4 })
	}
	sort.Slice(samples, func(i, j int) bool { return labels.Compare(samples[i].lset, samples[j].lset) < 0 })

	opts := tsdb.DefaultOptions()
	opts.RetentionDuration = 0
	// Recorded series (see recordHealth) are appended afterwards, for the
	// whole time range.
	opts.OutOfOrderTimeWindow = scrapeDuration.Milliseconds()
	db, err := tsdb.Open(t.TempDir(), nil, nil, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	app := db.Appender(context.Background())
	steps := int(scrapeDuration / scrapeInterval)
	for step := 0; step <= steps; step++ {
		ts := scrapeStart.Add(time.Duration(step) * scrapeInterval).UnixMilli()
		for _, s := range samples {
			if _, err := app.Append(0, s.lset, ts, s.value(step)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	return db
}
