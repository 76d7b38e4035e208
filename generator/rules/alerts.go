package rules

import (
	"strconv"
	"strings"
	"time"

	prommodel "github.com/prometheus/common/model"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// AlertNames is the pack's alert of each class: one name for every kind,
// the object in labels (customresource_group, customresource_kind,
// namespace, name), so that Alertmanager routes by kind with a label
// matcher. docs/rule-pack.md lists the per-kind names they replace.
var AlertNames = map[Class]string{
	ConditionNotTrue:     "CustomResourceNotReady",
	NegativeCondition:    "CustomResourceFailing",
	ProgressTooLong:      "CustomResourceStuck",
	ReplicasMismatch:     "CustomResourceReplicasMismatch",
	ReplicasUnavailable:  "CustomResourceReplicasUnavailable",
	RolloutNotConverging: "CustomResourceRolloutNotConverging",
	GenerationLag:        "CustomResourceGenerationLag",
	PhaseFailed:          "CustomResourceFailed",
	ExpiresSoon:          "CustomResourceExpiresSoon",
	ExpiresVerySoon:      "CustomResourceExpiresVerySoon",
	RenewalOverdue:       "CustomResourceRenewalOverdue",
	FailuresRising:       "CustomResourceFailuresRising",
	ProblemCount:         "CustomResourceProblems",
	ControllerErrors:     "CustomResourceControllerErrors",
	ControllerSlow:       "CustomResourceControllerSlow",
	WorkqueueDepth:       "CustomResourceWorkqueueDepth",
}

// FailureClasses are the classes whose alerts read crdmon:signal:failing:
// with the default settings, an object is recorded Degraded exactly when
// one of them is pending or firing for it.
var FailureClasses = []Class{NegativeCondition, PhaseFailed, ProblemCount}

// Override table: one constant row per kind and class whose settings
// crdmon.yaml changes (labels customresource_group, customresource_kind,
// class, setting). The pack's alerts leave those kinds out; the exception
// alert of each distinct setting covers them.
const (
	OverrideMetric = "crdmon:override:info"
	LabelSetting   = "setting"
)

// alertRule is one rule of a class's alert (a class may need two: one
// timed from lastTransitionTime, one with for:).
type alertRule struct {
	expr   string
	forDur time.Duration
	timed  bool // measured from lastTransitionTime: labelled LabelAgeFrom
}

// LabelAgeFrom tells a class's two rules apart (promtool reads two rules of
// one alert name with the same labels as duplicates): the rule measuring a
// condition's age from its lastTransitionTime carries it, with value
// "lastTransitionTime"; the rule counting with for: does not.
const LabelAgeFrom = "age_from"

// classAlert is a class's alert with the settings it is written for.
type classAlert struct {
	class       Class
	settings    ClassSettings
	rules       []alertRule
	controllers []string // controller classes: the controllers watched
}

// packBuilder writes the alerts of the pack and of the exception layer.
type packBuilder struct {
	o Options
	p health.Pack
}

func newPackBuilder(o Options) packBuilder {
	return packBuilder{o: o, p: health.Pack{Prefix: o.Prefix, ClusterLabel: o.ClusterLabel}}
}

func sel(metric string, ms ...string) string { return health.Sel(metric, ms...) }

// quiet keeps an alert quiet for silenced objects (being deleted, status
// behind the spec, suspended) and applies scope, the override clause.
func (b packBuilder) quiet(expr, scope string, silence string) string {
	out := "(" + expr + ")"
	if silence != "" {
		out += " unless " + b.p.On() + " " + silence
	}
	return out + scope
}

// classAlert returns the alert of class c with settings st; scope is
// appended to every rule (the override clause). ok is false when the class
// reads no object series (controller classes).
func (b packBuilder) classAlert(c Class, st ClassSettings, scope string) (classAlert, bool) {
	silenced := sel(health.Silenced)
	reason := func(m, r string, ms ...string) string {
		return sel(m, append([]string{health.Eq(health.LabelReason, r)}, ms...)...)
	}
	forDur := st.For
	secs := strconv.FormatInt(int64(st.For/time.Second), 10)
	limit := strconv.FormatFloat(st.Threshold, 'f', -1, 64)
	timed := func(signal string) []alertRule {
		// A condition's age comes from its lastTransitionTime (value > 1):
		// a Prometheus restart does not reset it. Without one, for: counts.
		return []alertRule{
			{expr: b.quiet("time() - ("+signal+" > 1) > "+secs, scope, silenced), forDur: b.o.TimestampFor, timed: true},
			{expr: b.quiet(signal+" == 1", scope, silenced), forDur: forDur},
		}
	}
	one := func(expr string) []alertRule { // one rule, quiet for silenced objects
		return []alertRule{{expr: b.quiet(expr, scope, silenced), forDur: forDur}}
	}
	ready := b.p.Raw(series.Info, health.Eq(series.LabelReady, "True"))
	raw := func(suffix string, ms ...string) string { return b.p.Raw(suffix, ms...) }
	a := classAlert{class: c, settings: st}
	switch c {
	case ConditionNotTrue:
		a.rules = timed(reason(health.ProgressingSignal, health.ReasonCondition, health.Eq(health.LabelPolarity, string(model.Positive))))
	case NegativeCondition:
		a.rules = one(reason(health.Failing, health.ReasonCondition))
	case PhaseFailed:
		a.rules = one(reason(health.Failing, health.ReasonPhase))
	case ProblemCount:
		expr := reason(health.Failing, health.ReasonProblems)
		if st.Threshold != 0 {
			expr = raw(series.Problems) + " > " + limit
		}
		a.rules = one(expr)
	case ProgressTooLong:
		progress := reason(health.ProgressingSignal, health.ReasonCondition, health.Eq(health.LabelPolarity, string(model.Progress)))
		a.rules = []alertRule{
			{expr: b.quiet("time() - ("+progress+" > 1) > "+secs, scope, silenced), forDur: b.o.TimestampFor, timed: true},
			{expr: b.quiet(reason(health.ProgressingSignal, health.ReasonPhase)+" or "+progress+" == 1", scope, silenced), forDur: forDur},
		}
	case ReplicasMismatch:
		a.rules = one(reason(health.ProgressingSignal, health.ReasonReplicas))
	case GenerationLag:
		lag := reason(health.Silenced, health.ReasonGeneration)
		a.rules = []alertRule{{expr: b.quiet(lag, scope, sel(health.Silenced, health.Ne(health.LabelReason, health.ReasonGeneration))), forDur: forDur}}
	case ReplicasUnavailable:
		desired := raw(series.ReplicasDesired)
		expr := "(" + raw(series.ReplicasAvailable) + " < " + desired + ") unless " + b.p.On() + " (" + raw(series.ReplicasReady) + " < " + desired + " or " + ready + ")"
		a.rules = one(expr)
	case RolloutNotConverging:
		desired := raw(series.ReplicasDesired)
		underWay := raw(series.ReplicasCurrent) + " > " + desired + " or " + raw(series.ReplicasReady) + " < " + desired
		expr := "(" + raw(series.ReplicasUpdated) + " < " + desired + ") and " + b.p.On() + " (" + underWay + ") unless " + b.p.On() + " " + ready
		a.rules = one(expr)
	case ExpiresSoon, ExpiresVerySoon:
		a.rules = one(raw(series.TimestampSeconds, health.Eq(series.LabelMeaning, model.Expiry)) + " - time() < " + limit)
	case RenewalOverdue:
		a.rules = one("time() - " + raw(series.TimestampSeconds, health.Eq(series.LabelMeaning, model.Renewal)) + " > " + limit)
	case FailuresRising:
		window := "[" + secondsString(st.Threshold) + "]"
		f := raw(series.Failures)
		a.rules = one("changes(" + f + window + ") >= 2 and delta(" + f + window + ") > 0")
	default:
		return classAlert{}, false
	}
	return a, true
}

// packScope leaves out the kinds whose settings of class c the override
// table changes.
func packScope(c Class) string {
	return " unless on(" + series.LabelGroup + ", " + series.LabelKind + ") " +
		sel(OverrideMetric, health.Eq(series.LabelClass, string(c)))
}

// exceptionScope keeps only the kinds given one setting of class c.
func exceptionScope(c Class, setting string) string {
	return " and on(" + series.LabelGroup + ", " + series.LabelKind + ") " +
		sel(OverrideMetric, health.Eq(series.LabelClass, string(c)), health.Eq(LabelSetting, setting))
}

// controllerAlert watches the controller-runtime metrics of the named
// controllers (crdmon.yaml's controllers, or inferred): one alert for all.
func controllerAlert(c Class, st ClassSettings, ctrls []string) classAlert {
	limit := strconv.FormatFloat(st.Threshold, 'g', -1, 64)
	match := func(label string) string {
		if len(ctrls) == 1 {
			return health.Eq(label, ctrls[0])
		}
		return health.Re(label, model.Alternation(ctrls))
	}
	by := "sum by (namespace, job, controller) "
	rate := func(metric string) string {
		return by + "(rate(" + sel(metric, match("controller")) + "[5m]))"
	}
	var expr string
	switch c {
	case ControllerErrors:
		expr = rate(series.ReconcileErrorsTotal) + " / " + rate(series.ReconcileTotal) + " > " + limit
	case ControllerSlow:
		expr = "histogram_quantile(0.99, sum by (namespace, job, controller, le) (rate(" +
			sel(series.ReconcileTimeSeconds+"_bucket", match("controller")) + "[5m]))) > " + limit
	case WorkqueueDepth:
		expr = "sum by (namespace, job, name) (" + sel(series.WorkqueueDepth, match("name")) + ") > " + limit
	}
	return classAlert{class: c, settings: st, rules: []alertRule{{expr: expr, forDur: st.For}}, controllers: ctrls}
}

// secondsString renders seconds as a Prometheus duration ("14d", "6h").
func secondsString(sec float64) string {
	if sec >= day && sec == float64(int64(sec)/day*day) {
		return strconv.FormatInt(int64(sec)/day, 10) + "d"
	}
	return prommodel.Duration(time.Duration(sec) * time.Second).String()
}

// settingID names one setting of a class in the override table, e.g.
// "severity=critical,for=1h".
func settingID(c Class, st ClassSettings) string {
	if st.Disabled {
		return "disabled"
	}
	parts := []string{"severity=" + st.Severity, "for=" + prommodel.Duration(st.For).String()}
	if TimeThreshold(c) {
		parts = append(parts, "threshold="+secondsString(st.Threshold))
	} else if st.Threshold != 0 || c == ProblemCount {
		parts = append(parts, "threshold="+strconv.FormatFloat(st.Threshold, 'g', -1, 64))
	}
	return strings.Join(parts, ",")
}
