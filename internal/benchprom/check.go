package benchprom

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/generator/simulate"
)

// AlertKey names one alert of one object: alertname and the object's
// group, kind, namespace and name labels.
type AlertKey struct{ Alert, Group, Kind, Namespace, Name string }

func (k AlertKey) String() string {
	obj := k.Group + "/" + k.Kind + " "
	if k.Namespace != "" {
		obj += k.Namespace + "/"
	}
	return k.Alert + " " + obj + k.Name
}

// keyOf is the AlertKey of an alert's labels.
func keyOf(l map[string]string) AlertKey {
	return AlertKey{Alert: l["alertname"], Group: l[series.LabelGroup], Kind: l[series.LabelKind],
		Namespace: l[series.LabelNamespace], Name: l[series.LabelName]}
}

// ExpectedAlerts counts the alerts simulate found pending or firing, by key.
// State is not compared: a snapshot simulated as constant for longer than
// any for: duration fires where a freshly started Prometheus is still
// pending.
func ExpectedAlerts(rep *simulate.Report) map[AlertKey]int {
	out := map[AlertKey]int{}
	for _, r := range rep.Rows {
		if r.State == simulate.OK {
			continue
		}
		out[keyOf(r.Labels)]++
	}
	return out
}

// ActualAlerts counts Prometheus' pending and firing alerts, by key.
func ActualAlerts(alerts []APIAlert) map[AlertKey]int {
	out := map[AlertKey]int{}
	for _, a := range alerts {
		out[keyOf(a.Labels)]++
	}
	return out
}

// DiffCounts lists, sorted, every key whose count differs: what is missing
// (expected more times than found) and what is unexpected.
func DiffCounts[K interface {
	comparable
	fmt.Stringer
}](want, got map[K]int) (missing, unexpected []string) {
	for k, n := range want {
		if g := got[k]; g < n {
			missing = append(missing, fmt.Sprintf("%s (×%d, found ×%d)", k, n, g))
		}
	}
	for k, n := range got {
		if w := want[k]; n > w {
			unexpected = append(unexpected, fmt.Sprintf("%s (×%d, expected ×%d)", k, n, w))
		}
	}
	slices.Sort(missing)
	slices.Sort(unexpected)
	return missing, unexpected
}

// ObjectKey names one object.
type ObjectKey struct{ Group, Kind, Namespace, Name string }

func (k ObjectKey) String() string {
	if k.Namespace == "" {
		return k.Group + "/" + k.Kind + " " + k.Name
	}
	return k.Group + "/" + k.Kind + " " + k.Namespace + "/" + k.Name
}

// HealthState is an object's recorded state and reason.
type HealthState struct{ State, Reason string }

// CheckHealth compares the health series Prometheus recorded with the
// states simulate computed: every object must have exactly one series,
// with simulate's state and reason, and no other object any. It returns
// one line per difference, sorted.
func CheckHealth(want []simulate.ObjectHealth, got []VectorSample) []string {
	exp := map[ObjectKey]HealthState{}
	for _, h := range want {
		exp[ObjectKey{h.Group, h.Kind, h.Namespace, h.Name}] = HealthState{h.State, h.Reason}
	}
	found := map[ObjectKey][]HealthState{}
	for _, s := range got {
		l := s.Metric
		k := ObjectKey{l[series.LabelGroup], l[series.LabelKind], l[series.LabelNamespace], l[series.LabelName]}
		found[k] = append(found[k], HealthState{l[health.LabelState], l[health.LabelReason]})
	}
	var out []string
	for _, k := range slices.SortedFunc(maps.Keys(exp), func(a, b ObjectKey) int { return strings.Compare(a.String(), b.String()) }) {
		switch f := found[k]; {
		case len(f) == 0:
			out = append(out, fmt.Sprintf("%s: no %s series (simulate: %s/%s)", k, health.Metric, exp[k].State, exp[k].Reason))
		case len(f) > 1:
			out = append(out, fmt.Sprintf("%s: %d %s series %v, want 1", k, len(f), health.Metric, f))
		case f[0] != exp[k]:
			out = append(out, fmt.Sprintf("%s: recorded %s/%s, simulate says %s/%s", k, f[0].State, f[0].Reason, exp[k].State, exp[k].Reason))
		}
	}
	for k, f := range found {
		if _, ok := exp[k]; !ok {
			out = append(out, fmt.Sprintf("%s: %d %s series for an object simulate does not know", k, len(f), health.Metric))
		}
	}
	slices.Sort(out)
	return out
}
