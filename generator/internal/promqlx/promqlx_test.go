package promqlx

import (
	"testing"

	"github.com/prometheus/prometheus/promql/parser"
)

func TestSelectorsAndNames(t *testing.T) {
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(`sum(rate(a_total{x="1"}[5m])) / {__name__="b"} unless {__name__=~"c.*"}`)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, vs := range Selectors(expr) {
		names = append(names, MetricName(vs))
	}
	if len(names) != 3 || names[0] != "a_total" || names[1] != "b" || names[2] != "" {
		t.Fatalf("names = %q, want [a_total b \"\"]", names)
	}
}
