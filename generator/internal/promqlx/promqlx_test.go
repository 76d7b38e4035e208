package promqlx

import (
	"strings"
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

// Sources follows a recorded series to the alternatives of its rule whose
// constant labels the selector accepts, through a recorded series read by
// another (the matchers carried down), leaving out what unless subtracts
// wherever it stands.
func TestSources(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	parse := func(s string) parser.Expr {
		x, err := p.ParseExpr(s)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	records := map[string]parser.Expr{
		"r:paused": parse(`label_replace(flag{on="true"}, "reason", "suspend", "", "") or label_replace(paused_phase, "reason", "phase", "", "")`),
		"r:quiet": parse(`group by (name, reason) (label_replace(deleting, "reason", "deleting", "", ""))
			or group by (name, reason) (label_replace(observed < generation, "reason", "generation", "", ""))
			or r:paused`),
		"r:progress": parse(`group by (name, reason) (label_replace(label_replace((ready < desired) unless on(name) info{ready="True"}, "signal", "ready", "", ""), "reason", "replicas", "", ""))
			or group by (name, reason) (label_replace(info{reports!=""} unless on(name) (conditions or phases), "reason", "unreported", "", ""))`),
	}
	for _, c := range []struct{ expr, want string }{
		{`r:progress{reason="replicas"} unless on(name) r:quiet`, "ready desired"},
		{`r:progress{reason="unreported"}`, "info conditions phases"},
		{`r:progress`, "ready desired info conditions phases"},
		{`r:quiet{reason="generation"}`, "observed generation"},
		{`r:quiet{reason="phase"}`, "paused_phase"},
		{`r:quiet{reason="none"}`, ""},
		{`time() - raw > 3`, "raw"},
	} {
		var got []string
		for _, vs := range Sources(parse(c.expr), records, "info") {
			got = append(got, MetricName(vs))
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("Sources(%s) = %v, want %s", c.expr, got, c.want)
		}
	}
}
