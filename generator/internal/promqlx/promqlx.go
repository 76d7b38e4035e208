// Package promqlx holds the questions crdmon asks of parsed PromQL: which
// series selectors an expression has, which metric each reads, and which
// series its matchers match.
package promqlx

import (
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// Selectors returns every vector selector of an expression, in walk order.
func Selectors(expr parser.Node) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// MetricName is the metric a selector reads, "" when it names none exactly.
func MetricName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName && m.Type == labels.MatchEqual {
			return m.Value
		}
	}
	return ""
}

// Matches reports whether every matcher matches the series l.
func Matches(l labels.Labels, ms []*labels.Matcher) bool {
	for _, m := range ms {
		if !m.Matches(l.Get(m.Name)) {
			return false
		}
	}
	return true
}

// Unsilenced returns the vector selectors of an expression that decide what
// it alerts on: all but those on the right of an `unless` whose left side is
// not a selector of metric absentFrom, wherever the unless stands. crdmon writes `A unless B` to silence
// A (suspended, stale or Ready objects), and `<info> unless X` to alert on
// the absence of X, where X decides.
func Unsilenced(expr parser.Expr, absentFrom string) []*parser.VectorSelector {
	switch n := expr.(type) {
	case *parser.ParenExpr:
		return Unsilenced(n.Expr, absentFrom)
	case *parser.BinaryExpr:
		if n.Op == parser.LUNLESS {
			if vs, ok := Unparen(n.LHS).(*parser.VectorSelector); !ok || MetricName(vs) != absentFrom {
				return Unsilenced(n.LHS, absentFrom)
			}
		}
		return append(Unsilenced(n.LHS, absentFrom), Unsilenced(n.RHS, absentFrom)...)
	case *parser.VectorSelector:
		return []*parser.VectorSelector{n}
	}
	var out []*parser.VectorSelector // through calls, aggregations, ranges
	for _, c := range parser.Children(expr) {
		if e, ok := c.(parser.Expr); ok {
			out = append(out, Unsilenced(e, absentFrom)...)
		}
	}
	return out
}

// Unparen strips the parentheses around an expression.
func Unparen(x parser.Expr) parser.Expr {
	for {
		p, ok := x.(*parser.ParenExpr)
		if !ok {
			return x
		}
		x = p.Expr
	}
}

// Sources returns the selectors of series that are not recorded which an
// expression reads (Unsilenced's), following every recorded series through
// records, its recording rule by name: a selector of a recorded series
// stands for the sources of those alternatives of its rule (the operands of
// its top-level "or") whose constant labels, set by label_replace from no
// source label, the selector's matchers accept. A rule's
// crdmon:signal:failing{reason="phase"} thus leads to the state fields'
// series only, not to the conditions'.
func Sources(expr parser.Expr, records map[string]parser.Expr, absentFrom string) []*parser.VectorSelector {
	return sources(expr, records, absentFrom, nil, map[string]bool{})
}

// sources follows expr's selectors; carried are the matchers of the
// recorded selector expr is an alternative of, which also judge the
// recorded selectors inside it (crdmon:signal:silenced{reason="generation"}
// reads crdmon:signal:suspended: only its alternatives of that reason).
func sources(expr parser.Expr, records map[string]parser.Expr, absentFrom string, carried []*labels.Matcher, visiting map[string]bool) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	for _, vs := range Unsilenced(expr, absentFrom) {
		name := MetricName(vs)
		rule, ok := records[name]
		if !ok || visiting[name] {
			out = append(out, vs)
			continue
		}
		ms := append(slices.Clone(vs.LabelMatchers), carried...)
		visiting[name] = true
		for _, alt := range alternatives(rule) {
			constant := constantLabels(alt)
			if !accepts(ms, constant) {
				continue
			}
			var down []*labels.Matcher
			for _, m := range ms {
				if _, set := constant[m.Name]; !set && m.Name != labels.MetricName {
					down = append(down, m)
				}
			}
			out = append(out, sources(alt, records, absentFrom, down, visiting)...)
		}
		delete(visiting, name)
	}
	return out
}

// alternatives are the operands of an expression's top-level "or".
func alternatives(x parser.Expr) []parser.Expr {
	if b, ok := Unparen(x).(*parser.BinaryExpr); ok && b.Op == parser.LOR {
		return append(alternatives(b.LHS), alternatives(b.RHS)...)
	}
	return []parser.Expr{x}
}

// constantLabels are the labels an expression's outer aggregations and
// label_replace calls set to a constant (label_replace(x, dst, "value",
// "", "")).
func constantLabels(x parser.Expr) map[string]string {
	out := map[string]string{}
	for {
		switch n := Unparen(x).(type) {
		case *parser.AggregateExpr:
			x = n.Expr
			continue
		case *parser.Call:
			if n.Func.Name == "label_replace" && len(n.Args) == 5 {
				dst, value, src := stringArg(n.Args[1]), stringArg(n.Args[2]), stringArg(n.Args[3])
				if _, set := out[dst]; src == "" && !set {
					out[dst] = value
				}
				x = n.Args[0]
				continue
			}
		}
		return out
	}
}

func stringArg(x parser.Expr) string {
	if s, ok := Unparen(x).(*parser.StringLiteral); ok {
		return s.Val
	}
	return "\x00" // not a literal: never a constant
}

// accepts reports whether matchers accept a series carrying labels (the
// matchers on other labels are not judged).
func accepts(ms []*labels.Matcher, l map[string]string) bool {
	for _, m := range ms {
		if v, ok := l[m.Name]; ok && !m.Matches(v) {
			return false
		}
	}
	return true
}
