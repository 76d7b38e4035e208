package rules

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	prommodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/internal/promqlx"
)

// Packing alerts' promtool cases into test groups. promtool evaluates every
// rule of a test file at every step of every test group, so the fewer test
// groups, the faster the tests: one per alert would cost the square of the
// alerts. But cases may share a test group only when none can change
// another's outcome. A rule's result depends only on the series its
// selectors match, so two alerts' cases may share a test group when neither
// rule selects any of the other's input series (and no series is given
// twice): each alert then fires, or stays silent, exactly as it would alone.
//
// One refinement: a selector that only takes results away, on the right of
// `unless on(labels)` (through `or` and plain comparisons only), removes
// just the results whose values of those labels it matches. Such a selector
// may match another case's series as long as none of the alert's own series
// has the same values of those labels: the objects of different cases
// differ in name, so alerts silenced by the same kind of series (deleting,
// suspended, a rollout in progress) still share test groups.

// caseSet is one alert's promtool cases: the input series of its firing,
// healthy and suspended objects, and the alert test checking them.
type caseSet struct {
	test      AlertTest
	inputs    []TestInput
	series    []labels.Labels // the inputs' series, with their metric name
	selectors []ruleSelector  // of the alert's rule
}

// ruleSelector is one selector of a rule.
type ruleSelector struct {
	matchers []*labels.Matcher
	// removesOn, for a selector that only takes results away, are the
	// labels it removes them on; nil for one whose series can add results.
	removesOn []string
	// own are the values of removesOn of the alert's own series.
	own map[string]bool
}

// matches reports whether s conflicts with the selector: it selects s and
// either adds results or removes them on the labels of one of the alert's
// own series.
func (sel ruleSelector) matches(s labels.Labels) bool {
	return promqlx.Matches(s, sel.matchers) && (sel.removesOn == nil || sel.own[labelValues(s, sel.removesOn)])
}

// labelValues joins the values of names in s.
func labelValues(s labels.Labels, names []string) string {
	values := make([]string, len(names))
	for i, n := range names {
		values[i] = s.Get(n)
	}
	return strings.Join(values, "\x00")
}

// ruleSelectors returns the selectors of expr, with the labels each removes
// results on when it only takes them away.
func ruleSelectors(expr string) ([]ruleSelector, error) {
	node, err := promqlParser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var out []ruleSelector
	var walk func(n parser.Node, removesOn []string)
	walk = func(n parser.Node, removesOn []string) {
		switch n := n.(type) {
		case *parser.VectorSelector:
			out = append(out, ruleSelector{matchers: n.LabelMatchers, removesOn: removesOn})
			return
		case *parser.ParenExpr:
			walk(n.Expr, removesOn)
			return
		case *parser.BinaryExpr:
			vm := n.VectorMatching
			switch {
			case removesOn == nil && n.Op == parser.LUNLESS && vm != nil && vm.On && len(vm.MatchingLabels) > 0:
				walk(n.LHS, nil)
				walk(n.RHS, vm.MatchingLabels)
				return
			case removesOn != nil && (n.Op == parser.LOR ||
				n.Op.IsComparisonOperator() && !n.ReturnBool && vm != nil && !vm.On && len(vm.MatchingLabels) == 0):
				// Elements keep the labels of the series they come from.
				walk(n.LHS, removesOn)
				walk(n.RHS, removesOn)
				return
			}
		}
		// Anything else: every selector below may add results.
		for _, child := range parser.Children(n) {
			walk(child, nil)
		}
	}
	walk(node, nil)
	return out, nil
}

// anyKind keys selectors that do not match one kind exactly.
const anyKind = "\x00any"

// packedGroup is a test group being filled, with its series and the
// selectors of its rules indexed by metric and kind.
type packedGroup struct {
	tg        TestGroup
	series    map[string]map[string][]labels.Labels // metric → kind → series
	selectors map[string]map[string][]ruleSelector  // metric ("" when not one) → kind (or anyKind) → selectors
	given     map[string]bool                       // series already given
}

// pack puts the case sets, in order, each into the first test group that
// can take it, named after the API group (numbered from the second on:
// "example.com (2)").
func pack(group string, sets []caseSet) []TestGroup {
	var groups []*packedGroup
	for _, c := range sets {
		var g *packedGroup
		for _, candidate := range groups {
			if candidate.accepts(c) {
				g = candidate
				break
			}
		}
		if g == nil {
			name := group
			if len(groups) > 0 {
				name += " (" + strconv.Itoa(len(groups)+1) + ")"
			}
			g = &packedGroup{
				tg:        TestGroup{Name: name, Interval: prommodel.Duration(fixtureStep).String()},
				series:    map[string]map[string][]labels.Labels{},
				selectors: map[string]map[string][]ruleSelector{},
				given:     map[string]bool{},
			}
			groups = append(groups, g)
		}
		g.insert(c)
	}
	out := make([]TestGroup, len(groups))
	for i, g := range groups {
		out[i] = g.tg
	}
	return out
}

// accepts reports whether c's rule conflicts with none of g's series, and
// g's rules with none of c's.
func (g *packedGroup) accepts(c caseSet) bool {
	for _, sel := range c.selectors {
		if g.selectsAny(sel) {
			return false
		}
	}
	for _, s := range c.series {
		if g.given[s.String()] || g.anySelects(s) {
			return false
		}
	}
	return true
}

func (g *packedGroup) insert(c caseSet) {
	g.tg.AlertTests = append(g.tg.AlertTests, c.test)
	g.tg.InputSeries = append(g.tg.InputSeries, c.inputs...)
	for _, s := range c.series {
		g.given[s.String()] = true
		m, k := s.Get(labels.MetricName), s.Get(series.LabelKind)
		if g.series[m] == nil {
			g.series[m] = map[string][]labels.Labels{}
		}
		g.series[m][k] = append(g.series[m][k], s)
	}
	for _, sel := range c.selectors {
		m, k := selectorKey(sel.matchers)
		if g.selectors[m] == nil {
			g.selectors[m] = map[string][]ruleSelector{}
		}
		g.selectors[m][k] = append(g.selectors[m][k], sel)
	}
}

// selectsAny reports whether sel conflicts with a series of g.
func (g *packedGroup) selectsAny(sel ruleSelector) bool {
	var candidates [][]labels.Labels
	switch m, k := selectorKey(sel.matchers); {
	case m == "":
		for _, byKind := range g.series {
			candidates = slices.AppendSeq(candidates, maps.Values(byKind))
		}
	case k == anyKind:
		candidates = slices.AppendSeq(candidates, maps.Values(g.series[m]))
	default:
		candidates = append(candidates, g.series[m][k])
	}
	for _, ss := range candidates {
		for _, s := range ss {
			if sel.matches(s) {
				return true
			}
		}
	}
	return false
}

// anySelects reports whether a selector of g's rules conflicts with s.
func (g *packedGroup) anySelects(s labels.Labels) bool {
	m, k := s.Get(labels.MetricName), s.Get(series.LabelKind)
	for _, sels := range [][]ruleSelector{g.selectors[m][k], g.selectors[m][anyKind], g.selectors[""][anyKind]} {
		for _, sel := range sels {
			if sel.matches(s) {
				return true
			}
		}
	}
	return false
}

// selectorKey indexes a selector by the metric and the kind it matches
// exactly: "" and anyKind when it does not.
func selectorKey(sel []*labels.Matcher) (metric, kind string) {
	kind = anyKind
	for _, m := range sel {
		if m.Type != labels.MatchEqual {
			continue
		}
		switch m.Name {
		case labels.MetricName:
			metric = m.Value
		case series.LabelKind:
			kind = m.Value
		}
	}
	if metric == "" {
		kind = anyKind
	}
	return metric, kind
}
