// Package promqlx holds the questions crdmon asks of parsed PromQL: which
// series selectors an expression has, which metric each reads, and which
// series its matchers match.
package promqlx

import (
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
// not a selector of metric absentFrom. crdmon writes `A unless B` to silence
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
	}
	return Selectors(expr)
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
