package simulate

import (
	"strings"
	"time"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/internal/promqlx"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// explainer says in a few words why an alert is active for an object: the
// condition, phase field or values that make its expression hold.
type explainer struct {
	s      *session
	prefix string
	conds  map[string][]ksmeval.Sample // condition samples by object
	times  map[string][]ksmeval.Sample // their lastTransitionTime samples
	phases map[string][]ksmeval.Sample // state field samples by object
}

func newExplainer(s *session, prefix string, samples []ksmeval.Sample) explainer {
	e := explainer{s: s, prefix: prefix, conds: map[string][]ksmeval.Sample{}, times: map[string][]ksmeval.Sample{}, phases: map[string][]ksmeval.Sample{}}
	for _, smp := range samples {
		k := objectID(smp.Labels)
		switch smp.Name {
		case series.Name(prefix, series.Condition):
			e.conds[k] = append(e.conds[k], smp)
		case series.Name(prefix, series.ConditionTime):
			e.times[k] = append(e.times[k], smp)
		case series.Name(prefix, series.PhaseInfo):
			e.phases[k] = append(e.phases[k], smp)
		}
	}
	return e
}

// signal explains a rule pack alert by the layer-1 signal it read (labels
// reason and signal): the condition of that type, or the state field's
// value, as the object's series show them.
func (e explainer) signal(l map[string]string) string {
	id := objectID(l)
	switch l[health.LabelReason] {
	case health.ReasonCondition:
		// The condition of that type, the one in the state the signal
		// reads when the type appears in several lists (parents[0],
		// parents[1]): not True for a positive type, True otherwise.
		found := ""
		for _, smp := range e.conds[id] {
			if smp.Labels[series.LabelType] != l[health.LabelSignal] {
				continue
			}
			if (smp.Labels[series.LabelStatus] == "True") != (l[health.LabelPolarity] == string(model.Positive)) {
				return e.condition(smp.Labels)
			}
			if found == "" {
				found = e.condition(smp.Labels)
			}
		}
		return found
	case health.ReasonPhase:
		for _, smp := range e.phases[id] {
			if smp.Labels[series.LabelField] == l[health.LabelSignal] && smp.Labels[series.LabelPhase] != "" {
				return smp.Labels[series.LabelField] + "=" + smp.Labels[series.LabelPhase]
			}
		}
	}
	return ""
}

// objectID keys a label set by the object it belongs to.
func objectID(l map[string]string) string {
	var b strings.Builder
	for _, n := range series.ObjectLabels {
		b.WriteString(l[n] + "\x00")
	}
	return b.String()
}

func (e explainer) why(a Alert) string {
	l := a.Labels
	switch {
	case l[series.LabelType] != "":
		return e.condition(l)
	case l[series.LabelPhase] != "":
		if f := l[series.LabelField]; f != "" {
			return f + "=" + l[series.LabelPhase]
		}
		return "phase " + l[series.LabelPhase]
	case l[series.LabelMeaning] != "":
		return timestamp(l, a.Value)
	}
	if w := e.signal(l); w != "" {
		return w
	}
	if w := e.expr(a.Rule.Expr, a); w != "" {
		return w
	}
	return "value " + ksmeval.FormatValue(a.Value)
}

// timestamp renders "field expires in D", "field expired D ago" or
// "field passed D ago" from a timestamp alert's value: the seconds left
// before an expiry, or past a renewal time.
func timestamp(l map[string]string, v float64) string {
	d := time.Duration(v) * time.Second
	switch {
	case l[series.LabelMeaning] != model.Expiry:
		return l[series.LabelField] + " passed " + formatDuration(d) + " ago"
	case d < 0:
		return l[series.LabelField] + " expired " + formatDuration(-d) + " ago"
	}
	return l[series.LabelField] + " expires in " + formatDuration(d)
}

// conditionLabels are the labels of a condition series besides the object's.
var conditionLabels = []string{series.LabelPath, series.LabelType, series.LabelStatus, series.LabelReason}

// condition renders "[path ]Type[=Status][ (Reason)][ for D]", the duration
// since the condition's lastTransitionTime when it has one.
func (e explainer) condition(l map[string]string) string {
	var b strings.Builder
	if p := l[series.LabelPath]; p != "" {
		b.WriteString(p + " ")
	}
	b.WriteString(l[series.LabelType])
	if st := l[series.LabelStatus]; st != "" {
		b.WriteString("=" + st)
	}
	if r := l[series.LabelReason]; r != "" {
		b.WriteString(" (" + r + ")")
	}
	for _, smp := range e.times[objectID(l)] {
		if !sameLabels(smp.Labels, l, conditionLabels) {
			continue
		}
		if smp.Value > 0 {
			since := time.Unix(int64(smp.Value), 0).UTC()
			if d := e.s.at.Sub(since); d >= 0 {
				b.WriteString(" for " + formatDuration(d))
			} else {
				b.WriteString(" since " + since.Format(time.RFC3339))
			}
		}
		break
	}
	return b.String()
}

// formatDuration renders d to the second in Prometheus' notation (1d2h3m).
func formatDuration(d time.Duration) string {
	if d < time.Second {
		return "0s"
	}
	return prommodel.Duration(d.Truncate(time.Second)).String()
}

// expr explains an alert from the shape of its expression: a comparison of
// two of the object's gauges, or of one with a number, or the absence of a
// series.
func (e explainer) expr(x parser.Expr, a Alert) string {
	switch n := x.(type) {
	case *parser.ParenExpr:
		return e.expr(n.Expr, a)
	case *parser.BinaryExpr:
		switch {
		case n.Op == parser.LUNLESS && e.isInfo(n.LHS):
			return "no " + describe(n.RHS, e.prefix)
		case n.Op == parser.LUNLESS: // a silence: suspended, stale, Ready
			return e.expr(n.LHS, a)
		case n.Op == parser.LAND: // a gate: a rollout under way
			return e.expr(n.LHS, a)
		case n.Op == parser.LOR:
			if e.produced(n.LHS, a) {
				return e.expr(n.LHS, a)
			}
			return e.expr(n.RHS, a)
		case n.Op.IsComparisonOperator():
			l, lok := promqlx.Unparen(n.LHS).(*parser.VectorSelector)
			r, rok := promqlx.Unparen(n.RHS).(*parser.VectorSelector)
			if num, ok := promqlx.Unparen(n.RHS).(*parser.NumberLiteral); lok && ok {
				// A gauge against a threshold: "status.totalViolations 3 > 0".
				lv, found := e.value(l, a)
				if !found {
					return ""
				}
				name := a.Labels[series.LabelField]
				if name == "" {
					name = shortName(l, e.prefix)
				}
				return name + " " + lv + " " + n.Op.String() + " " + ksmeval.FormatValue(num.Val)
			}
			if !lok || !rok {
				return ""
			}
			lv, lfound := e.value(l, a)
			rv, rfound := e.value(r, a)
			if !lfound || !rfound {
				return ""
			}
			return shortName(l, e.prefix) + " " + lv + " " + n.Op.String() + " " + shortName(r, e.prefix) + " " + rv
		}
	}
	return ""
}

// produced reports whether x yields, at the simulated time, the series the alert came from.
func (e explainer) produced(x parser.Expr, a Alert) bool {
	vec, err := e.s.instant(x.String())
	if err != nil {
		return false
	}
	for _, smp := range vec {
		match := true
		smp.Metric.Range(func(l labels.Label) {
			if l.Name != labels.MetricName && a.Labels[l.Name] != l.Value {
				match = false
			}
		})
		if match {
			return true
		}
	}
	return false
}

// value returns the object's value of a selector at the simulated time.
func (e explainer) value(sel *parser.VectorSelector, a Alert) (string, bool) {
	vec, err := e.s.instant(sel.String())
	if err != nil {
		return "", false
	}
	for _, smp := range vec {
		if sameObject(smp.Metric.Map(), a.Labels) {
			return ksmeval.FormatValue(smp.F), true
		}
	}
	return "", false
}

// describe names what a selector looks for: "Ready condition", or the selector.
func describe(x parser.Expr, prefix string) string {
	sel, ok := promqlx.Unparen(x).(*parser.VectorSelector)
	if !ok {
		return x.String()
	}
	if promqlx.MetricName(sel) == series.Name(prefix, series.Condition) {
		for _, m := range sel.LabelMatchers {
			if m.Name == series.LabelType && m.Type == labels.MatchEqual {
				return m.Value + " condition"
			}
		}
	}
	return sel.String()
}

// shortName is a selector's metric name without the prefix, in words.
func shortName(sel *parser.VectorSelector, prefix string) string {
	name := strings.TrimPrefix(promqlx.MetricName(sel), series.Name(prefix, ""))
	return strings.ReplaceAll(name, "_", " ")
}

// isInfo reports whether x is the info selector: `info unless on(...) X`
// alerts on the absence of X, where any other `A unless B` silences A.
func (e explainer) isInfo(x parser.Expr) bool {
	sel, ok := promqlx.Unparen(x).(*parser.VectorSelector)
	return ok && promqlx.MetricName(sel) == series.Name(e.prefix, series.Info)
}

// sameObject reports whether two label sets name the same object.
func sameObject(a, b map[string]string) bool {
	return sameLabels(a, b, series.ObjectLabels)
}

func sameLabels(a, b map[string]string, names []string) bool {
	for _, n := range names {
		if a[n] != b[n] {
			return false
		}
	}
	return true
}
