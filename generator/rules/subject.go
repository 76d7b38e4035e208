package rules

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// subject is what one set of alerts covers: one kind, or the kinds of an API group.
type subject struct {
	group    string
	kinds    []model.Kind
	perKind  bool     // selectors match customresource_kind too
	exclude  []string // PerGroup: kinds that have rules of their own
	names    []string // candidate subjects of alert names, best first
	display  string   // how summaries name one object
	settings AlertSettings
	key      string
}

// subjects splits the model into what alerts are written for, grouped by API
// group in a stable order.
func subjects(m model.Model, o Options) map[string][]subject {
	byGroup := map[string][]model.Kind{}
	for _, k := range m.Kinds {
		if k.HasSignals() || len(controllersOf(k, o)) > 0 {
			byGroup[k.Group] = append(byGroup[k.Group], k)
		}
	}
	out := map[string][]subject{}
	for g, kinds := range byGroup {
		sort.SliceStable(kinds, func(i, j int) bool { return kinds[i].Kind < kinds[j].Kind })
		// The group's rules carry the default settings, or the settings
		// every kind of the group shares (a crdmon.yaml rule for kind "*"
		// of the group): then they also cover kinds the input lacks.
		settings := make([]AlertSettings, len(kinds))
		for i, k := range kinds {
			settings[i] = o.settingsFor(k)
		}
		groupSettings := o.Classes
		if first := settings[0]; !first.equal(o.Classes) && allEqual(settings, first) {
			groupSettings = first
		}
		var shared []model.Kind
		var own []subject
		for i, k := range kinds {
			s := settings[i]
			// A wildcard kind stands for its whole group: group rules.
			if (o.Granularity == PerGroup || k.Wildcard()) && s.equal(groupSettings) {
				shared = append(shared, k)
				continue
			}
			own = append(own, subject{
				group: g, kinds: []model.Kind{k}, perKind: true,
				names:    []string{camel(k.Kind), groupSubject(g) + camel(k.Kind)},
				display:  k.Kind,
				settings: s, key: k.ID(),
			})
		}
		if len(shared) > 0 {
			gs := subject{
				group: g, kinds: shared,
				names:    []string{groupSubject(g), camel(g)},
				display:  g + " object",
				settings: groupSettings, key: g,
			}
			for _, s := range own {
				gs.exclude = append(gs.exclude, s.kinds[0].Kind)
			}
			out[g] = append(out[g], gs)
		}
		out[g] = append(out[g], own...)
	}
	return out
}

// allEqual reports whether every one of settings is s.
func allEqual(settings []AlertSettings, s AlertSettings) bool {
	for _, t := range settings {
		if !t.equal(s) {
			return false
		}
	}
	return true
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

func (s subject) controllers(o Options) []string {
	var out []string
	for _, k := range s.kinds {
		for _, c := range controllersOf(k, o) {
			if !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	sort.Strings(out)
	return out
}

func (s subject) suspendable() bool {
	for _, k := range s.kinds {
		if k.Suspend != nil {
			return true
		}
	}
	return false
}

// matcher is one PromQL label matcher.
type matcher struct{ name, op, value string }

func eq(name, value string) matcher { return matcher{name, "=", value} }

// oneOf matches any of values exactly.
func oneOf(name string, values []string) matcher {
	if len(values) == 1 {
		return eq(name, values[0])
	}
	return matcher{name, "=~", model.Alternation(values)}
}

// selector renders metric{matchers}.
func selector(metric string, ms ...matcher) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = m.name + m.op + strconv.Quote(m.value)
	}
	return metric + "{" + strings.Join(parts, ", ") + "}"
}

// base returns the matchers every selector of the subject carries.
func (s subject) base() []matcher {
	ms := []matcher{eq(series.LabelGroup, s.group)}
	switch {
	case s.perKind:
		ms = append(ms, eq(series.LabelKind, s.kinds[0].Kind))
	case len(s.exclude) > 0:
		ms = append(ms, matcher{series.LabelKind, "!~", model.Alternation(s.exclude)})
	}
	return ms
}

// with returns the subject's base matchers followed by ms.
func (s subject) with(ms ...matcher) []matcher { return append(s.base(), ms...) }

// kindsMatcher restricts a selector to kinds when they are not all the
// subject's kinds that could match.
func (s subject) kindsMatcher(kinds []model.Kind, needed bool) []matcher {
	if s.perKind || !needed {
		return nil
	}
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = k.Kind
	}
	return []matcher{oneOf(series.LabelKind, names)}
}

// onObject is the vector matching that pairs series of one object.
var onObject = "on(" + strings.Join(series.ObjectLabels, ", ") + ")"

// silence keeps an alert of class c quiet for objects whose status does not
// speak for them, with one `unless on(object) (...)`:
//   - objects being deleted (metadata.deletionTimestamp set: kstatus'
//     Terminating);
//   - suspended objects: a true suspend field, a condition whose type names
//     a pause (Paused, Suspended, cnpg.io/hibernation) True, or a state field
//     holding such a value or a value crdmon.yaml declares suspended;
//   - objects whose controller has not yet observed their latest spec
//     (kstatus: observedGeneration behind generation means in progress;
//     GenerationLag covers a controller that never catches up);
//   - for a detail signal (a condition type the schema does not name, a
//     replica shortfall, a long progress state), objects that report a
//     top-level Ready=True: their controller says they are healthy.
func (s subject) silence(expr string, c Class, detail bool, prefix string) string {
	info := series.Name(prefix, series.Info)
	by := []string{selector(info, s.with(matcher{series.LabelDeleting, "!=", ""})...)}
	if s.suspendable() {
		by = append(by, selector(info, s.with(eq(series.LabelSuspended, "true"))...))
	}
	var conds, top, phases, generation bool
	for _, k := range s.kinds {
		for _, cs := range k.Conditions {
			conds = conds || cs.HasStatus
			top = top || (cs.HasStatus && cs.Scope == "")
		}
		for _, ph := range k.Phases {
			phases = phases || health.SuspendablePhase(ph)
		}
		generation = generation || k.Generation != nil
	}
	cond := series.Name(prefix, series.Condition)
	if conds {
		by = append(by, selector(cond, s.with(matcher{series.LabelType, "=~", model.SuspendedPattern}, eq(series.LabelStatus, "True"))...))
	}
	if phases {
		by = append(by, selector(series.Name(prefix, series.PhaseInfo), s.with(matcher{series.LabelPhase, "=~", model.SuspendedPattern})...))
	}
	for _, k := range s.kinds {
		for _, ph := range k.Phases {
			if op, value, ok := health.SuspendMatch(ph); ok {
				sel := selector(series.Name(prefix, series.PhaseInfo), s.with(eq(series.LabelField, ph.SchemaPath), matcher{series.LabelPhase, op, value})...)
				if !slices.Contains(by, sel) {
					by = append(by, sel)
				}
			}
		}
	}
	if generation && c != GenerationLag {
		by = append(by, selector(series.Name(prefix, series.ObservedGeneration), s.base()...)+
			" < "+selector(series.Name(prefix, series.Generation), s.base()...))
	}
	if detail && top {
		by = append(by, selector(cond, s.with(eq(series.LabelType, "Ready"), eq(series.LabelStatus, "True"), eq(series.LabelPath, ""))...))
	}
	return "(" + expr + ") unless " + onObject + " (" + strings.Join(by, " or ") + ")"
}

// or joins alternatives, parenthesised when there are several.
func or(exprs []string) string {
	if len(exprs) == 1 {
		return exprs[0]
	}
	return "(" + strings.Join(exprs, ") or (") + ")"
}
