package rules

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	prommodel "github.com/prometheus/common/model"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// The pack's promtool tests: objects of several kinds, shaped exactly as
// the generated kube-state-metrics config exposes them, each showing one
// class of trouble (or none); every test group checks, at one time, the
// alerts of every class (none but the expected ones fire) and the health
// state of every object. The expectations are written by hand: promtool,
// not crdmon, decides whether the pack meets them.

// evalStep is the tests' evaluation interval and the step of input series.
const evalStep = time.Minute

// inputSeries is one input series: start, start+step, ... per step.
type inputSeries struct {
	metric string
	labels map[string]string
	start  float64
	step   float64
}

// testObject is an object of the tests: its labels as kube-state-metrics
// puts them on every series, and its series.
type testObject struct {
	labels map[string]string
	state  string // expected state and reason
	reason string
	inputs []inputSeries
}

// expectation is one alert expected to fire for an object at the test time.
type expectation struct {
	class  Class
	labels map[string]string // the alert's labels but the rule's
	value  float64
}

// testScenario is one test group: objects and the alerts they fire.
type testScenario struct {
	name    string
	objects []*testObject
	want    []expectation
}

// testGroupName is the API group of the tests' objects.
const testGroupName = "example.com"

// object returns a test object of kind named name.
func (b packBuilder) object(kind, name, state, reason string) *testObject {
	l := map[string]string{
		series.LabelScope: series.ScopeValue, series.LabelGroup: testGroupName, series.LabelKind: kind,
		series.LabelVersion: "v1", series.LabelNamespace: "default", series.LabelName: name,
	}
	if b.o.ClusterLabel != "" {
		l[b.o.ClusterLabel] = "test"
	}
	return &testObject{labels: l, state: state, reason: reason}
}

// with adds a series of family suffix with extra labels (name, value pairs).
func (b packBuilder) with(o *testObject, suffix string, value float64, kv ...string) *testObject {
	o.inputs = append(o.inputs, inputSeries{metric: series.Name(b.o.Prefix, suffix), labels: withLabels(o.labels, kv...), start: value})
	return o
}

// objectOnly is o's object labels as the recorded series keep them.
func (b packBuilder) objectOnly(o *testObject) map[string]string {
	out := map[string]string{}
	for _, l := range b.p.ObjectLabels() {
		if v := o.labels[l]; v != "" {
			out[l] = v
		}
	}
	return out
}

// signal expects an alert of class c from a layer-1 series of o.
func (b packBuilder) signal(c Class, o *testObject, value float64, kv ...string) expectation {
	return expectation{class: c, labels: withLabels(b.objectOnly(o), kv...), value: value}
}

// rawSeries expects an alert of class c keeping the labels of o's series
// with the extra labels kv.
func rawSeries(c Class, o *testObject, value float64, kv ...string) expectation {
	return expectation{class: c, labels: withLabels(o.labels, kv...), value: value}
}

func withLabels(base map[string]string, kv ...string) map[string]string {
	out := maps.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// evalTime is when the tests check the alerts: after the longest for: of
// an enabled class, and after a condition changed at time 60 has been in
// its state for longer than the longest threshold.
func (b packBuilder) evalTime() time.Duration {
	longest := b.o.TimestampFor
	for _, c := range Classes {
		if st := b.o.Classes[c]; !st.Disabled {
			longest = max(longest, st.For)
		}
	}
	return (longest+b.o.TimestampFor+2*time.Minute+evalStep-1)/evalStep*evalStep + evalStep
}

// Labels of the recorded series, shortened.
const (
	lReason   = health.LabelReason
	lSignal   = health.LabelSignal
	lPolarity = health.LabelPolarity
)

// scenarios are the pack's test groups.
func (b packBuilder) scenarios(at time.Duration) []testScenario {
	secs := at.Seconds()
	const since = 60 // lastTransitionTime of timed conditions
	cond, tr := series.Condition, series.ConditionTime
	ready := func(v string) []string {
		return []string{series.LabelReports, series.ReportsConditions, series.LabelReady, v}
	}
	var s []testScenario

	// Conditions, of two kinds.
	failed := b.with(b.with(b.with(b.object("Widget", "failed", health.Degraded, health.ReasonCondition), series.Info, 1, ready("False")...),
		cond, 1, "type", "Ready", "status", "False", "reason", "InstallFailed"),
		tr, since, "type", "Ready", "status", "False", "reason", "InstallFailed")
	stalled := b.with(b.with(b.object("Gadget", "stalled", health.Degraded, health.ReasonCondition), series.Info, 1, ready("True")...),
		cond, 1, "type", "Stalled", "status", "True", "reason", "Timeout")
	healthy := b.with(b.with(b.object("Widget", "healthy", health.Healthy, health.ReasonNone), series.Info, 1, ready("True")...),
		cond, 1, "type", "Ready", "status", "True", "reason", "Available")
	reconciling := b.with(b.with(b.object("Gadget", "reconciling", health.Progressing, health.ReasonCondition), series.Info, 1, series.LabelReports, series.ReportsConditions),
		cond, 1, "type", "Reconciling", "status", "True", "reason", "Applying")
	detail := b.with(b.with(b.with(b.object("Widget", "detail", health.Healthy, health.ReasonNone), series.Info, 1, ready("True")...),
		cond, 1, "type", "Ready", "status", "True", "reason", "Available"),
		cond, 1, "type", "SyncError", "status", "True", "reason", "Conflict")
	waiting := b.with(b.object("Gadget", "waiting", health.Progressing, health.ReasonUnreported), series.Info, 1, series.LabelReports, series.ReportsConditions)
	declared := b.with(b.with(b.with(b.with(b.object("Widget", "declared", health.Degraded, health.ReasonCondition), series.Info, 1, ready("True")...),
		cond, 1, "type", "Ready", "status", "True", "reason", "Available"),
		cond, 1, "type", "VolumeFull", "status", "True"),
		series.ConditionDeclared, 1, "type", "VolumeFull", "polarity", string(model.Negative))
	s = append(s, testScenario{name: "conditions",
		objects: []*testObject{failed, stalled, healthy, reconciling, detail, waiting, declared},
		want: []expectation{
			b.signal(NegativeCondition, failed, since, lReason, health.ReasonCondition, lSignal, "Ready", lPolarity, string(model.Positive)),
			b.signal(ConditionNotTrue, failed, secs-since, lReason, health.ReasonCondition, lSignal, "Ready", lPolarity, string(model.Positive)),
			b.signal(NegativeCondition, stalled, 1, lReason, health.ReasonCondition, lSignal, "Stalled", lPolarity, string(model.Negative)),
			b.signal(ProgressTooLong, reconciling, 1, lReason, health.ReasonCondition, lSignal, "Reconciling", lPolarity, string(model.Progress)),
			b.signal(NegativeCondition, declared, 1, lReason, health.ReasonCondition, lSignal, "VolumeFull", lPolarity, string(model.Negative)),
		}})

	// State fields, replicas, generation, suspension and deletion.
	field := series.LabelField
	jobFailed := b.with(b.with(b.object("Job", "failed", health.Degraded, health.ReasonPhase), series.Info, 1, series.LabelReports, series.ReportsState),
		series.PhaseInfo, 1, field, "status.phase", series.LabelValues, series.ValuesOpen, series.LabelPhase, "Failed")
	broken := b.with(b.with(b.with(b.with(b.object("Pool", "broken", health.Degraded, health.ReasonPhase), series.Info, 1, series.LabelReports, series.ReportsState),
		series.PhaseInfo, 1, field, "status.state", series.LabelValues, series.ValuesEnum, series.LabelPhase, "Broken"),
		series.PhaseClass, 1, field, "status.state", series.LabelClass, series.ClassFailure, series.LabelPhase, "Broken"),
		series.PhaseClass, 0, field, "status.state", series.LabelClass, series.ClassProgress, series.LabelPhase, "Busy")
	pending := b.with(b.with(b.object("Job", "pending", health.Progressing, health.ReasonPhase), series.Info, 1, series.LabelReports, series.ReportsState),
		series.PhaseInfo, 1, field, "status.phase", series.LabelValues, series.ValuesOpen, series.LabelPhase, "Pending")
	paused := b.with(b.with(b.object("Job", "paused", health.Suspended, health.ReasonPhase), series.Info, 1, series.LabelReports, series.ReportsState),
		series.PhaseInfo, 1, field, "status.phase", series.LabelValues, series.ValuesOpen, series.LabelPhase, "Paused")
	errored := b.with(b.with(b.object("Cert", "errored", health.Degraded, health.ReasonPhase), series.Info, 1),
		series.PhaseInfo, 1, field, "status.failureMessage", series.LabelValues, series.ValuesError, series.LabelPhase, "secret not found")
	unready := b.with(b.with(b.object("Pool", "unready", health.Progressing, health.ReasonPhase), series.Info, 1, series.LabelReports, series.ReportsState),
		series.PhaseInfo, 1, field, "status.readyToUse", series.LabelValues, series.ValuesFlag, series.LabelClass, series.ClassProgress, series.LabelPhase, "false")
	scaling := b.with(b.with(b.with(b.object("Pool", "scaling", health.Progressing, health.ReasonReplicas), series.Info, 1),
		series.ReplicasDesired, 3), series.ReplicasReady, 1)
	lagging := b.with(b.with(b.with(b.with(b.object("Gadget", "lagging", health.Progressing, health.ReasonGeneration), series.Info, 1, series.LabelReports, series.ReportsConditions),
		series.Generation, 2), series.ObservedGeneration, 1),
		cond, 1, "type", "Stalled", "status", "True", "reason", "Timeout")
	unavailable := b.with(b.with(b.with(b.with(b.object("Pool", "unavailable", health.Healthy, health.ReasonNone), series.Info, 1),
		series.ReplicasDesired, 3), series.ReplicasReady, 3), series.ReplicasAvailable, 2)
	rolling := b.with(b.with(b.with(b.with(b.with(b.object("Pool", "rolling", health.Healthy, health.ReasonNone), series.Info, 1),
		series.ReplicasDesired, 3), series.ReplicasReady, 3), series.ReplicasUpdated, 1), series.ReplicasCurrent, 4)
	suspended := b.with(b.with(b.object("Widget", "suspended", health.Suspended, health.ReasonSuspend), series.Info, 1, series.LabelReports, series.ReportsConditions, series.LabelSuspended, "true"),
		cond, 1, "type", "Ready", "status", "False", "reason", "InstallFailed")
	deleting := b.with(b.with(b.object("Widget", "deleting", health.Progressing, health.ReasonDeleting), series.Info, 1, series.LabelReports, series.ReportsConditions, series.LabelDeleting, "2026-01-01T00:00:00Z"),
		cond, 1, "type", "Stalled", "status", "True", "reason", "Timeout")
	s = append(s, testScenario{name: "states",
		objects: []*testObject{jobFailed, broken, pending, unready, paused, errored, scaling, lagging, unavailable, rolling, suspended, deleting},
		want: []expectation{
			b.signal(PhaseFailed, jobFailed, 1, lReason, health.ReasonPhase, lSignal, "status.phase"),
			b.signal(PhaseFailed, broken, 1, lReason, health.ReasonPhase, lSignal, "status.state"),
			b.signal(ProgressTooLong, pending, 1, lReason, health.ReasonPhase, lSignal, "status.phase"),
			b.signal(ProgressTooLong, unready, 1, lReason, health.ReasonPhase, lSignal, "status.readyToUse"),
			b.signal(PhaseFailed, errored, 1, lReason, health.ReasonPhase, lSignal, "status.failureMessage"),
			b.signal(ReplicasMismatch, scaling, 1, lReason, health.ReasonReplicas, lSignal, "readyReplicas"),
			b.signal(GenerationLag, lagging, 1, lReason, health.ReasonGeneration, lSignal, "observedGeneration"),
			rawSeries(ReplicasUnavailable, unavailable, 2),
			rawSeries(RolloutNotConverging, rolling, 1),
		}})

	// Timestamps and counters.
	soon, verySoon := b.o.Classes[ExpiresSoon].Threshold, b.o.Classes[ExpiresVerySoon].Threshold
	renewal, window := b.o.Classes[RenewalOverdue].Threshold, b.o.Classes[FailuresRising].Threshold
	expiring := b.with(b.with(b.object("Cert", "expiring", health.Healthy, health.ReasonNone), series.Info, 1),
		series.TimestampSeconds, secs+soon/2, field, "status.notAfter", series.LabelMeaning, model.Expiry)
	critical := b.with(b.with(b.object("Cert", "critical", health.Healthy, health.ReasonNone), series.Info, 1),
		series.TimestampSeconds, secs+verySoon/2, field, "status.notAfter", series.LabelMeaning, model.Expiry)
	overdue := b.with(b.with(b.object("Cert", "overdue", health.Healthy, health.ReasonNone), series.Info, 1),
		series.TimestampSeconds, -2*renewal, field, "status.renewalTime", series.LabelMeaning, model.Renewal)
	flapping := b.with(b.object("Gadget", "flapping", health.Healthy, health.ReasonNone), series.Info, 1)
	flapping.inputs = append(flapping.inputs, inputSeries{metric: series.Name(b.o.Prefix, series.Failures), labels: withLabels(flapping.labels, field, "status.failures"), start: 1, step: 1})
	violations := b.with(b.with(b.object("Gadget", "violations", health.Degraded, health.ReasonProblems), series.Info, 1),
		series.Problems, b.o.Classes[ProblemCount].Threshold+2, field, "status.violations")
	want := []expectation{
		rawSeries(ExpiresSoon, expiring, soon/2, field, "status.notAfter", series.LabelMeaning, model.Expiry),
		rawSeries(ExpiresSoon, critical, verySoon/2, field, "status.notAfter", series.LabelMeaning, model.Expiry),
		rawSeries(ExpiresVerySoon, critical, verySoon/2, field, "status.notAfter", series.LabelMeaning, model.Expiry),
		rawSeries(RenewalOverdue, overdue, secs+2*renewal, field, "status.renewalTime", series.LabelMeaning, model.Renewal),
		rawSeries(FailuresRising, flapping, float64(min(at, time.Duration(window)*time.Second)/evalStep), field, "status.failures"),
	}
	if soon/2 < verySoon {
		want = append(want, rawSeries(ExpiresVerySoon, expiring, soon/2, field, "status.notAfter", series.LabelMeaning, model.Expiry))
	}
	if b.o.Classes[ProblemCount].Threshold == 0 {
		want = append(want, b.signal(ProblemCount, violations, 1, lReason, health.ReasonProblems, lSignal, "status.violations"))
	} else {
		want = append(want, rawSeries(ProblemCount, violations, b.o.Classes[ProblemCount].Threshold+2, field, "status.violations"))
	}
	s = append(s, testScenario{name: "timestamps and counters",
		objects: []*testObject{expiring, critical, overdue, flapping, violations}, want: want})
	return s
}

// packTests writes the pack's promtool test groups.
func (b packBuilder) packTests(groups []monitoringv1.RuleGroup) ([]TestGroup, error) {
	at := b.evalTime()
	rules := map[string]monitoringv1.Rule{}
	for _, g := range groups {
		for _, r := range g.Rules {
			if _, seen := rules[r.Alert]; r.Alert != "" && !seen {
				rules[r.Alert] = r // a class's first rule: the timed one, when it has one
			}
		}
	}
	var out []TestGroup
	for _, sc := range b.scenarios(at) {
		var inputs []inputSeries
		for _, o := range sc.objects {
			inputs = append(inputs, o.inputs...)
		}
		tg := b.testGroup(sc.name, inputs, at)
		for _, c := range Classes {
			r, ok := rules[AlertNames[c]]
			if !ok {
				continue // disabled, or a controller class
			}
			test := AlertTest{EvalTime: prommodel.Duration(at).String(), Alertname: r.Alert, ExpAlerts: []ExpAlert{}}
			for _, w := range sc.want {
				if w.class != c {
					continue
				}
				e, err := expectedAlert(r, w.labels, w.value, at)
				if err != nil {
					return nil, err
				}
				test.ExpAlerts = append(test.ExpAlerts, e)
			}
			tg.AlertTests = append(tg.AlertTests, test)
		}
		tg.ExprTests = []ExprTest{b.stateTest(sc.objects, at)}
		out = append(out, tg)
	}
	return out, nil
}

// testGroup is a test group of inputs, sampled every evalStep until at.
func (b packBuilder) testGroup(name string, inputs []inputSeries, at time.Duration) TestGroup {
	tg := TestGroup{Name: name, Interval: prommodel.Duration(evalStep).String()}
	n := int(at / evalStep)
	for _, in := range inputs {
		tg.InputSeries = append(tg.InputSeries, TestInput{Series: seriesString(in), Values: valuesString(in, n)})
	}
	return tg
}

// stateTest expects every object's health state.
func (b packBuilder) stateTest(objects []*testObject, at time.Duration) ExprTest {
	t := ExprTest{Expr: health.Metric, EvalTime: prommodel.Duration(at).String()}
	for _, o := range objects {
		l := withLabels(b.objectOnly(o), health.LabelState, o.state, health.LabelReason, o.reason)
		t.ExpSamples = append(t.ExpSamples, ExpSample{Labels: seriesString(inputSeries{metric: health.Metric, labels: l}), Value: 1})
	}
	sort.Slice(t.ExpSamples, func(i, j int) bool { return t.ExpSamples[i].Labels < t.ExpSamples[j].Labels })
	return t
}

// exceptionTest shows an exception alert firing for a kind the override
// table names, with its setting, and the pack's alert of the class silent
// for it.
// A disabled class shows the pack's alert silent for the kind.
func (b packBuilder) exceptionTest(row overrideRow, rs []monitoringv1.Rule) (TestGroup, error) {
	eb := b
	eb.o.Classes = maps.Clone(b.o.Classes)
	for c := range eb.o.Classes {
		if c != row.class {
			st := eb.o.Classes[c]
			st.Disabled = true
			eb.o.Classes[c] = st
		}
	}
	st := row.settings
	if st.Disabled {
		st = b.o.Classes[row.class]
		st.Disabled = false
	}
	eb.o.Classes[row.class] = st
	at := eb.evalTime()
	var sc testScenario
	for _, s := range eb.scenarios(at) {
		if i := slices.IndexFunc(s.want, func(w expectation) bool { return w.class == row.class }); i >= 0 {
			sc = s
			sc.want = []expectation{s.want[i]}
			break
		}
	}
	if len(sc.want) == 0 {
		return TestGroup{}, fmt.Errorf("rules: no test shows class %s", row.class)
	}
	// The object of the expectation becomes an object of the kind.
	w := sc.want[0]
	var inputs []inputSeries
	for _, o := range sc.objects {
		if o.labels[series.LabelName] != w.labels[series.LabelName] || o.labels[series.LabelKind] != w.labels[series.LabelKind] {
			continue
		}
		for _, in := range o.inputs {
			in.labels = withLabels(in.labels, series.LabelGroup, row.group, series.LabelKind, row.kind)
			inputs = append(inputs, in)
		}
	}
	w.labels = withLabels(w.labels, series.LabelGroup, row.group, series.LabelKind, row.kind)
	tg := b.testGroup(AlertNames[row.class]+" for "+row.kind+"."+row.group+" ("+settingID(row.class, row.settings)+")", inputs, at)
	// The exception fires once, with its severity: the pack's alert of the
	// class leaves the kind out.
	want := []ExpAlert{}
	if !row.settings.Disabled {
		e, err := expectedAlert(rs[0], w.labels, w.value, at)
		if err != nil {
			return TestGroup{}, err
		}
		want = append(want, e)
	}
	tg.AlertTests = []AlertTest{{EvalTime: prommodel.Duration(at).String(), Alertname: AlertNames[row.class], ExpAlerts: want}}
	return tg, nil
}

// expectedAlert is the alert rule r (a class's first rule) fires with for a
// series with labels and value at time at.
func expectedAlert(r monitoringv1.Rule, labels map[string]string, value float64, at time.Duration) (ExpAlert, error) {
	want := ExpAlert{ExpLabels: maps.Clone(labels), ExpAnnotations: map[string]string{}}
	for k, v := range r.Labels {
		want.ExpLabels[k] = v
	}
	if value == 1 {
		// The class's rule counting with for: (value 1) has no age_from.
		delete(want.ExpLabels, LabelAgeFrom)
	}
	for k, text := range r.Annotations {
		v, err := expandAnnotation(r.Alert, text, labels, value, at)
		if err != nil {
			return want, fmt.Errorf("rules: alert %s: annotation %s: %w", r.Alert, k, err)
		}
		want.ExpAnnotations[k] = v
	}
	return want, nil
}

// seriesString renders metric{labels} with sorted labels.
func seriesString(s inputSeries) string {
	keys := slices.Sorted(maps.Keys(s.labels))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.Quote(s.labels[k])
	}
	return s.metric + "{" + strings.Join(parts, ", ") + "}"
}

// valuesString renders n+1 samples: "startxn" or "start+stepxn".
func valuesString(s inputSeries, n int) string {
	v := strconv.FormatFloat(s.start, 'f', -1, 64)
	if s.step != 0 {
		v += "+" + strconv.FormatFloat(s.step, 'f', -1, 64)
	}
	return v + "x" + strconv.Itoa(n)
}
