package rules

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"time"

	prommodel "github.com/prometheus/common/model"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

// TemplateData is what annotation templates are executed with.
type TemplateData struct {
	Alert       string   // alert name
	Class       string   // alert class, e.g. "ConditionNotTrue"
	Subject     string   // what one object is called: the kind, or "<group> object"
	Group       string   // API group
	Kinds       []string // kinds the alert covers
	Condition   string   // condition type (condition alerts); for a catch-all, the template {{ $labels.type }}
	Phase       bool     // the alert reads state fields (phase_info), not conditions
	Threshold   string   // how long the problem must last, e.g. "15m"
	Limit       string   // numeric threshold (controller alerts)
	Crossplane  bool     // the kinds have Crossplane's Ready and Synced conditions
	Controllers []string // controller names (controller alerts)
	// Learned ends the description when a kind the alert covers has
	// signals learned from objects (model.LearnedNote).
	Learned string
}

// alert is one alerting rule with the fixture that shows it firing.
type alert struct {
	class    Class
	name     string
	expr     string
	forDur   time.Duration
	settings ClassSettings
	data     TemplateData
	fixture  fixture
}

// catchAllPatterns are the Prometheus regexes of the condition types a
// catch-all alert of each polarity selects (model.PolarityOf's defaults).
var catchAllPatterns = map[model.Polarity]string{
	model.Negative: model.NegativeTypePattern,
	model.Positive: model.PositiveTypePattern,
}

// catchAllREs are catchAllPatterns anchored, as Prometheus anchors label regexes.
var catchAllREs = map[model.Polarity]*regexp.Regexp{
	model.Negative: regexp.MustCompile("^(?:" + model.NegativeTypePattern + ")$"),
	model.Positive: regexp.MustCompile("^(?:" + model.PositiveTypePattern + ")$"),
}

// catchAllFixtureTypes are the condition types fixtures of catch-all alerts
// set: the first that no per-type alert of the subject covers.
var catchAllFixtureTypes = map[model.Polarity][]string{
	model.Negative: {"ExampleFailed", "ExampleError", "SomethingFailed", "SomethingError"},
	model.Positive: {"ExampleHealthy", "ExampleReady", "SomethingHealthy", "SomethingReady"},
}

// catchAllSuffix ends the name of each polarity's catch-all alert.
var catchAllSuffix = map[model.Polarity]string{model.Negative: "ConditionFailing", model.Positive: "ConditionFalse"}

// crossplaneStyle reports whether a condition set has both Ready and Synced.
func crossplaneStyle(cs model.ConditionSet) bool {
	return slices.Contains(cs.KnownTypes, "Ready") && slices.Contains(cs.KnownTypes, "Synced")
}

// builder turns subjects into alerts.
type builder struct {
	o     Options
	names *namer
}

func (b *builder) metric(suffix string) string { return series.Name(b.o.Prefix, suffix) }

// alerts returns the subject's alerts in class order.
func (b *builder) alerts(s subject) []alert {
	var out []alert
	for _, c := range Classes {
		if s.settings[c].Disabled {
			continue
		}
		switch c {
		case ConditionNotTrue:
			out = append(out, b.conditionAlerts(s, c, model.Positive)...)
		case NegativeCondition:
			out = append(out, b.conditionAlerts(s, c, model.Negative)...)
		case ProgressTooLong:
			out = append(out, b.conditionAlerts(s, c, model.Progress)...)
			if a, ok := b.phaseAlert(s, c); ok {
				out = append(out, a)
			}
		case ReplicasMismatch, GenerationLag:
			if a, ok := b.pairAlert(s, c); ok {
				out = append(out, a)
			}
		case ReplicasUnavailable, RolloutNotConverging:
			if a, ok := b.replicaMemberAlert(s, c); ok {
				out = append(out, a)
			}
		case PhaseFailed:
			if a, ok := b.phaseAlert(s, c); ok {
				out = append(out, a)
			}
		case ExpiresSoon, ExpiresVerySoon, RenewalOverdue:
			if a, ok := b.timestampAlert(s, c); ok {
				out = append(out, a)
			}
		case FailuresRising:
			if a, ok := b.failuresAlert(s, c); ok {
				out = append(out, a)
			}
		case ProblemCount:
			if a, ok := b.problemsAlert(s, c); ok {
				out = append(out, a)
			}
		default:
			if a, ok := b.controllerAlert(s, c); ok {
				out = append(out, a)
			}
		}
	}
	return out
}

// newAlert fills what every alert shares.
func (b *builder) newAlert(s subject, c Class, key, suffix string) alert {
	st := s.settings[c]
	a := alert{class: c, settings: st, forDur: st.For}
	a.name = b.names.name(s.key+"/"+key, suffix, s.names...)
	var kinds []string
	for _, k := range s.kinds {
		kinds = append(kinds, k.Kind)
	}
	a.data = TemplateData{
		Alert: a.name, Class: string(c), Subject: s.display, Group: s.group, Kinds: kinds,
		Threshold: prommodel.Duration(st.For).String(),
		Learned:   model.LearnedNote(s.kinds),
	}
	return a
}

// condPart is the kinds whose condition sets at one scope share one shape.
type condPart struct {
	scope              string
	hasStatus, hasTime bool
	kinds              []model.Kind
	sets               []model.ConditionSet // per kind
	// catchAll parts select every type of their polarity's pattern but
	// excluded (sorted).
	catchAll bool
	excluded []string
}

func (b *builder) conditionAlerts(s subject, c Class, pol model.Polarity) []alert {
	var types []string
	scopes := map[string]bool{}
	for _, k := range s.kinds {
		for _, cs := range k.Conditions {
			scopes[cs.Scope] = true
			for _, t := range health.TypesOf(cs) {
				if k.PolarityOf(t) == pol && !slices.Contains(types, t) {
					types = append(types, t)
				}
			}
		}
	}
	var out []alert
	for _, t := range types {
		var parts []*condPart
		for _, k := range s.kinds {
			for _, cs := range k.Conditions {
				if !slices.Contains(health.TypesOf(cs), t) {
					continue
				}
				p := findPart(parts, cs, false, nil)
				if p == nil {
					p = &condPart{scope: cs.Scope, hasStatus: cs.HasStatus, hasTime: cs.HasTransitionTime}
					parts = append(parts, p)
				}
				if len(p.kinds) == 0 || p.kinds[len(p.kinds)-1].ID() != k.ID() {
					p.kinds = append(p.kinds, k)
					p.sets = append(p.sets, cs)
				}
			}
		}
		out = append(out, b.conditionAlert(s, c, pol, t, parts, len(scopes) > 1 || !scopes[""]))
	}
	if _, ok := catchAllPatterns[pol]; ok && len(scopes) > 0 {
		if a, ok := b.catchAllAlert(s, c, pol, types, len(scopes) > 1 || !scopes[""]); ok {
			out = append(out, a)
		}
	}
	return out
}

// catchAllAlert alerts on any condition type of polarity pol that has no
// alert of its own: schemas rarely name every type a controller sets (Argo
// CD's ComparisonError, Gateway API's ResolvedRefs in a route's parents). A
// negative type is alerted on when True, a positive one when False (Unknown
// is work in progress). Each kind excludes the types with their own alert
// (alerted) and the types it gives another polarity. Positive catch-alls
// need a status field.
func (b *builder) catchAllAlert(s subject, c Class, pol model.Polarity, alerted []string, pathLabel bool) (alert, bool) {
	var parts []*condPart
	for _, k := range s.kinds {
		excluded := excludedTypes(k, pol, alerted)
		for _, cs := range k.Conditions {
			if pol == model.Positive && !cs.HasStatus {
				continue
			}
			p := findPart(parts, cs, true, excluded)
			if p == nil {
				p = &condPart{scope: cs.Scope, hasStatus: cs.HasStatus, hasTime: cs.HasTransitionTime,
					catchAll: true, excluded: excluded}
				parts = append(parts, p)
			}
			if len(p.kinds) == 0 || p.kinds[len(p.kinds)-1].ID() != k.ID() {
				p.kinds = append(p.kinds, k)
				p.sets = append(p.sets, cs)
			}
		}
	}
	if len(parts) == 0 {
		return alert{}, false
	}
	return b.conditionAlert(s, c, pol, "", parts, pathLabel), true
}

// excludedTypes returns the types matching pol's catch-all pattern that the
// catch-all must not select for kind k: those with an alert of their own, and
// those k (or the default lists) give another polarity.
func excludedTypes(k model.Kind, pol model.Polarity, alerted []string) []string {
	candidates := slices.Concat(alerted, model.PositiveTypes, model.ProgressTypes, slices.Collect(maps.Keys(k.Polarity)))
	for _, cs := range k.Conditions {
		candidates = append(candidates, health.TypesOf(cs)...)
	}
	var out []string
	for _, t := range candidates {
		if catchAllREs[pol].MatchString(t) && (slices.Contains(alerted, t) || k.PolarityOf(t) != pol) {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func findPart(parts []*condPart, cs model.ConditionSet, catchAll bool, excluded []string) *condPart {
	for _, p := range parts {
		if p.scope == cs.Scope && p.hasStatus == cs.HasStatus && p.hasTime == cs.HasTransitionTime &&
			p.catchAll == catchAll && slices.Equal(p.excluded, excluded) {
			return p
		}
	}
	return nil
}

// typeMatchers select the part's condition type: typ, or for a catch-all
// part every type of pol's pattern but its excluded ones (and, for positive
// types, but the negative ones: PartiallyReady is negative).
func (p *condPart) typeMatchers(typ string, pol model.Polarity) []matcher {
	if !p.catchAll {
		return []matcher{eq(series.LabelType, typ)}
	}
	ms := []matcher{{series.LabelType, "=~", catchAllPatterns[pol]}}
	if pol == model.Positive {
		ms = append(ms, matcher{series.LabelType, "!~", model.NegativeTypePattern})
	}
	if len(p.excluded) > 0 {
		ms = append(ms, matcher{series.LabelType, "!~", model.Alternation(p.excluded)})
	}
	return ms
}

// fixtureType is the condition type a part's fixture sets: typ, or for a
// catch-all part a type of pol no other alert covers.
func (p *condPart) fixtureType(typ string, pol model.Polarity) string {
	if !p.catchAll {
		return typ
	}
	for _, t := range catchAllFixtureTypes[pol] {
		if !slices.Contains(p.excluded, t) {
			return t
		}
	}
	panic("rules: every catch-all fixture type is excluded")
}

// absent reports whether the part detects a positive condition by its absence
// (condition lists without status fields: present means True).
func (p *condPart) absent(pol model.Polarity) bool { return pol == model.Positive && !p.hasStatus }

// needsKinds reports whether a part's selector must name its kinds: when some
// other kind of the subject could produce matching series of another meaning
// (for a catch-all part: any other kind with conditions at its scope, which
// another part covers).
func (p *condPart) needsKinds(s subject, pol model.Polarity) bool {
	for _, k := range s.kinds {
		if slices.ContainsFunc(p.kinds, func(x model.Kind) bool { return x.ID() == k.ID() }) {
			continue
		}
		if p.absent(pol) {
			return true
		}
		for _, cs := range k.Conditions {
			if cs.Scope == p.scope && (p.catchAll || cs.HasStatus != p.hasStatus || cs.HasTransitionTime != p.hasTime) {
				return true
			}
		}
	}
	return false
}

var condSuffix = map[model.Polarity]string{model.Positive: "Not%s", model.Negative: "%s", model.Progress: "Stuck%s"}

// conditionAlert alerts on condition type typ over parts, or, with typ ""
// and catch-all parts, on the negative types the parts do not exclude.
func (b *builder) conditionAlert(s subject, c Class, pol model.Polarity, typ string, parts []*condPart, pathLabel bool) alert {
	var a alert
	if typ == "" {
		a = b.newAlert(s, c, string(c)+"/*", catchAllSuffix[pol])
		a.data.Condition = "{{ $labels.type }}"
	} else {
		a = b.newAlert(s, c, string(c)+"/"+typ, fmt.Sprintf(condSuffix[pol], camel(typ)))
		a.data.Condition = typ
	}
	timed := true
	for _, p := range parts {
		timed = timed && p.hasTime && !p.absent(pol)
	}
	threshold := s.settings[c].For
	var exprs []string
	for _, p := range parts {
		ms := s.with(p.kindsMatcherFor(s, pol)...)
		if pathLabel {
			ms = append(ms, eq(series.LabelPath, p.scope))
		}
		ms = append(ms, p.typeMatchers(typ, pol)...)
		cond := b.metric(series.Condition)
		switch {
		case p.absent(pol):
			info := selector(b.metric(series.Info), s.with(p.kindsMatcherFor(s, pol)...)...)
			exprs = append(exprs, info+" unless "+onObject+" "+selector(cond, ms...))
			continue
		case !p.hasStatus:
		case pol == model.Positive && p.catchAll:
			ms = append(ms, eq(series.LabelStatus, "False"))
		case pol == model.Positive:
			ms = append(ms, matcher{series.LabelStatus, "!=", "True"})
		default:
			ms = append(ms, eq(series.LabelStatus, "True"))
		}
		e := selector(cond, ms...)
		if timed {
			e = fmt.Sprintf("time() - %s > %d", e, int64(threshold/time.Second))
		}
		exprs = append(exprs, e)
		for _, cs := range p.sets {
			a.data.Crossplane = a.data.Crossplane || (crossplaneStyle(cs) && (typ == "Ready" || typ == "Synced"))
		}
	}
	a.expr = s.silence(or(exprs), c, typ == "", b.o.Prefix)
	if timed {
		a.forDur = b.o.TimestampFor
	}
	a.fixture = b.conditionFixture(s, pol, parts[0].fixtureType(typ, pol), parts[0], pathLabel, timed, threshold, a.forDur)
	return a
}

func (p *condPart) kindsMatcherFor(s subject, pol model.Polarity) []matcher {
	return s.kindsMatcher(p.kinds, p.needsKinds(s, pol))
}

// pairAlert compares two gauges of one object: ready < desired replicas, or
// observed < metadata generation.
func (b *builder) pairAlert(s subject, c Class) (alert, bool) {
	var kinds []model.Kind
	for _, k := range s.kinds {
		if (c == ReplicasMismatch && k.Replicas != nil) || (c == GenerationLag && k.Generation != nil) {
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return alert{}, false
	}
	lhs, rhs, suffix := series.ReplicasReady, series.ReplicasDesired, "ReplicasMismatch"
	if c == GenerationLag {
		lhs, rhs, suffix = series.ObservedGeneration, series.Generation, "GenerationMismatch"
	}
	a := b.newAlert(s, c, string(c), suffix)
	// Only kinds with the signal produce these families, so no kind matcher is
	// needed; both series of an object carry the same labels, so they match
	// one-to-one on all of them and the alert keeps them all.
	a.expr = s.silence(selector(b.metric(lhs), s.base()...)+" < "+selector(b.metric(rhs), s.base()...),
		c, c == ReplicasMismatch, b.o.Prefix)
	a.fixture = b.pairFixture(kinds[0], lhs, rhs, a.forDur)
	return a, true
}

// phasePart is the kinds whose phase field at one schema path matches the
// same bad values.
type phasePart struct {
	field string
	match matcher
	bad   string // a value the alert fires on, for the fixture
	good  string // a value it does not fire on, for the fixture
	kinds []model.Kind
}

// phaseMatcher returns the values of a phase an alert of class c fires on:
// for PhaseFailed its failure values (model.FailurePhases in any case when
// the field has no enum), for ProgressTooLong its progress values
// (model.ProgressPhases in any case when it has no enum). A field whose
// values were declared (an enum, or crdmon.yaml's failure values) matches
// only what was declared.
func phaseMatcher(ph model.Phase, c Class) (m matcher, bad, good string, ok bool) {
	op, value, ok := health.PhaseMatch(ph, c == PhaseFailed)
	if !ok {
		return matcher{}, "", "", false
	}
	m, bad, good = matcher{series.LabelPhase, op, value}, phaseExample(ph, c == PhaseFailed), "Running"
	if ph.Error {
		return m, bad, "", true // fine while the field is unset
	}
	if len(ph.Failure) > 0 || len(ph.Progress) > 0 {
		good = "Healthy"
		for _, v := range ph.Values {
			if !slices.Contains(ph.Failure, v) && !slices.Contains(ph.Progress, v) && !slices.Contains(ph.Suspended, v) {
				good = v
				break
			}
		}
	}
	return m, bad, good, true
}

// phaseSuffix ends the name of each class's phase alert.
var phaseSuffix = map[Class]string{PhaseFailed: "PhaseFailed", ProgressTooLong: "PhaseStuck"}

// phaseAlert fires while a phase field holds a failure value (PhaseFailed)
// or a progress value for longer than the class's threshold
// (ProgressTooLong: a readiness flag false, a phase Pending).
func (b *builder) phaseAlert(s subject, c Class) (alert, bool) {
	var parts []*phasePart
	universe := map[string][]model.Kind{}
	for _, k := range s.kinds {
		for _, ph := range k.Phases {
			universe[ph.SchemaPath] = append(universe[ph.SchemaPath], k)
			m, bad, good, ok := phaseMatcher(ph, c)
			if !ok {
				continue
			}
			var p *phasePart
			for _, q := range parts {
				if q.field == ph.SchemaPath && q.match == m {
					p = q
				}
			}
			if p == nil {
				p = &phasePart{field: ph.SchemaPath, match: m, bad: bad, good: good}
				parts = append(parts, p)
			}
			p.kinds = append(p.kinds, k)
		}
	}
	if len(parts) == 0 {
		return alert{}, false
	}
	a := b.newAlert(s, c, string(c)+"/phase", phaseSuffix[c])
	a.data.Phase = true
	var exprs []string
	for _, p := range parts {
		ms := s.with(s.kindsMatcher(p.kinds, len(p.kinds) != len(universe[p.field]))...)
		ms = append(ms, eq(series.LabelField, p.field), p.match)
		exprs = append(exprs, selector(b.metric(series.PhaseInfo), ms...))
	}
	a.expr = s.silence(or(exprs), c, c == ProgressTooLong, b.o.Prefix)
	a.fixture = b.phaseFixture(parts[0], a.forDur)
	return a, true
}

// controllerAlert watches the controller-runtime metrics of the subject's controllers.
func (b *builder) controllerAlert(s subject, c Class) (alert, bool) {
	ctrls := s.controllers(b.o)
	if len(ctrls) == 0 {
		return alert{}, false
	}
	th := s.settings[c].Threshold
	limit := strconv.FormatFloat(th, 'g', -1, 64)
	by := "sum by (namespace, job, controller) "
	rate := func(metric string) string {
		return by + "(rate(" + selector(metric, oneOf("controller", ctrls)) + "[5m]))"
	}
	var a alert
	switch c {
	case ControllerErrors:
		a = b.newAlert(s, c, string(c), "ReconcileErrors")
		a.expr = rate(series.ReconcileErrorsTotal) + " / " + rate(series.ReconcileTotal) + " > " + limit
	case ControllerSlow:
		a = b.newAlert(s, c, string(c), "ReconcileSlow")
		a.expr = "histogram_quantile(0.99, sum by (namespace, job, controller, le) (rate(" +
			selector(series.ReconcileTimeSeconds+"_bucket", oneOf("controller", ctrls)) + "[5m]))) > " + limit
	case WorkqueueDepth:
		a = b.newAlert(s, c, string(c), "WorkqueueDepth")
		a.expr = "sum by (namespace, job, name) (" + selector(series.WorkqueueDepth, oneOf("name", ctrls)) + ") > " + limit
	default:
		panic("rules: unknown class " + c)
	}
	a.data.Limit = limit
	a.data.Controllers = ctrls
	a.fixture = controllerFixture(c, ctrls[0], th, a.forDur)
	return a, true
}

// objectLabels are the labels KSM puts on every series of the fixture object.
func objectLabels(k model.Kind) map[string]string {
	l := map[string]string{
		series.LabelGroup: k.Group, series.LabelKind: k.Kind, series.LabelVersion: k.Version,
		series.LabelName: "example",
	}
	if k.Namespaced {
		l[series.LabelNamespace] = "default"
	}
	return l
}

func withLabels(base map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}
