package rules

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/templates"
)

// overrideRow is one row of the override table: a kind whose settings of a
// class differ from the pack's.
type overrideRow struct {
	group, kind string
	class       Class
	settings    ClassSettings
}

// controllerSet is the controllers whose kinds share the settings of the
// controller classes.
type controllerSet struct {
	settings AlertSettings
	names    []string
}

// phaseRow is one row of the state-value table: a value crdmon.yaml
// declares for a state field without an enum, and its class.
type phaseRow struct {
	group, kind, field, value, class string
}

// overrideTable is the exception layer: its rows, in model order, and the
// controllers to watch.
type overrideTable struct {
	rows        []overrideRow
	phases      []phaseRow
	controllers []controllerSet
}

func (t overrideTable) empty() bool {
	return len(t.rows) == 0 && len(t.phases) == 0 && len(t.controllers) == 0
}

// controllerClasses read controller-runtime metrics, not object series.
var controllerClasses = []Class{ControllerErrors, ControllerSlow, WorkqueueDepth}

// overrides collects the exception layer of m: for each kind with signals,
// the classes whose settings crdmon.yaml changes; and the controllers of
// every kind, grouped by their settings. A wildcard kind (kind "*") names no
// kind a row could match: its settings reach the kinds of its group that
// the input has.
func (b packBuilder) overrides(m model.Model) (overrideTable, error) {
	var t overrideTable
	for _, k := range m.Kinds {
		st := b.o.settingsFor(k)
		if k.Kind != model.AnyKind && k.HasSignals() {
			if err := checkSettings(k.ID(), st); err != nil {
				return t, err
			}
			for _, c := range Classes {
				if !slices.Contains(controllerClasses, c) && st[c] != b.o.Classes[c] {
					t.rows = append(t.rows, overrideRow{group: k.Group, kind: k.Kind, class: c, settings: st[c]})
				}
			}
		}
		if k.HasSignals() {
			for _, ph := range k.Phases {
				c := model.ClassifyPhase(ph)
				if c.Values != model.PhaseValuesDeclared {
					continue
				}
				for _, cl := range []struct {
					name   string
					values []string
				}{{series.ClassFailure, c.Failure}, {series.ClassProgress, c.Progress}, {series.ClassSuspended, c.Suspended}} {
					for _, v := range cl.values {
						t.phases = append(t.phases, phaseRow{group: k.Group, kind: k.Kind, field: ph.SchemaPath, value: v, class: cl.name})
					}
				}
			}
		}
		ctrls := controllersOf(k, b.o)
		if len(ctrls) == 0 {
			continue
		}
		i := slices.IndexFunc(t.controllers, func(s controllerSet) bool { return s.settings.equal(st) })
		if i < 0 {
			t.controllers = append(t.controllers, controllerSet{settings: st})
			i = len(t.controllers) - 1
		}
		for _, c := range ctrls {
			if !slices.Contains(t.controllers[i].names, c) {
				t.controllers[i].names = append(t.controllers[i].names, c)
			}
		}
	}
	for i := range t.controllers {
		sort.Strings(t.controllers[i].names)
	}
	return t, nil
}

// controllersOf returns the controller-runtime controllers that own k.
func controllersOf(k model.Kind, o Options) []string {
	if c, ok := o.Controllers[k.ID()]; ok {
		return c
	}
	if c, ok := o.Controllers[k.Kind]; ok {
		return c
	}
	if o.InferControllers && !k.Wildcard() { // a wildcard kind has no kind name to infer from
		return []string{strings.ToLower(k.Kind)}
	}
	return nil
}

// exception is one exception alert: a class and one setting of it.
type exception struct {
	class    Class
	settings ClassSettings
	id       string
}

// exceptions returns the distinct settings of the table's rows, but
// disabled ones, in class order.
func (t overrideTable) exceptions() []exception {
	var out []exception
	for _, c := range Classes {
		for _, r := range t.rows {
			if r.class != c || r.settings.Disabled {
				continue
			}
			id := settingID(c, r.settings)
			if !slices.ContainsFunc(out, func(e exception) bool { return e.class == c && e.id == id }) {
				out = append(out, exception{class: c, settings: r.settings, id: id})
			}
		}
	}
	return out
}

// overrideGroups renders the exception layer: the override table as
// constant rows, one exception alert per distinct setting, the controller
// alerts; and their promtool tests.
func (b packBuilder) overrideGroups(t overrideTable, set *templates.Set) ([]monitoringv1.RuleGroup, []TestGroup, error) {
	g := monitoringv1.RuleGroup{Name: OverridesGroup}
	for _, r := range t.rows {
		g.Rules = append(g.Rules, monitoringv1.Rule{
			Record: OverrideMetric, Expr: intstr.FromString("vector(1)"),
			Labels: map[string]string{
				series.LabelGroup: r.group, series.LabelKind: r.kind,
				series.LabelClass: string(r.class), LabelSetting: settingID(r.class, r.settings),
			},
		})
	}
	for _, r := range t.phases {
		g.Rules = append(g.Rules, monitoringv1.Rule{
			Record: health.OverridePhase, Expr: intstr.FromString("vector(1)"),
			Labels: map[string]string{
				series.LabelGroup: r.group, series.LabelKind: r.kind,
				series.LabelField: r.field, series.LabelPhase: r.value, series.LabelClass: r.class,
			},
		})
	}
	var tests []TestGroup
	for _, e := range t.exceptions() {
		a, ok := b.classAlert(e.class, e.settings, exceptionScope(e.class, e.id))
		if !ok {
			return nil, nil, fmt.Errorf("rules: class %s cannot be set per kind", e.class)
		}
		rs, err := b.rules(a, set)
		if err != nil {
			return nil, nil, err
		}
		g.Rules = append(g.Rules, rs...)
		i := slices.IndexFunc(t.rows, func(r overrideRow) bool { return r.class == e.class && settingID(r.class, r.settings) == e.id })
		tg, err := b.exceptionTest(t.rows[i], rs)
		if err != nil {
			return nil, nil, err
		}
		tests = append(tests, tg)
	}
	for _, c := range Classes {
		// A class disabled for a kind: the pack's alert stays silent for it.
		i := slices.IndexFunc(t.rows, func(r overrideRow) bool { return r.class == c && r.settings.Disabled })
		if i < 0 || b.o.Classes[c].Disabled {
			continue
		}
		tg, err := b.exceptionTest(t.rows[i], nil)
		if err != nil {
			return nil, nil, err
		}
		tests = append(tests, tg)
	}
	for _, cs := range t.controllers {
		for _, c := range controllerClasses {
			st := cs.settings[c]
			if st.Disabled {
				continue
			}
			rs, err := b.rules(controllerAlert(c, st, cs.names), set)
			if err != nil {
				return nil, nil, err
			}
			g.Rules = append(g.Rules, rs...)
		}
	}
	return []monitoringv1.RuleGroup{g}, tests, nil
}
