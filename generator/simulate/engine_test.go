package simulate

import (
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/ksmeval"
)

var testAt = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func rule(t *testing.T, name, expr string, forDur time.Duration) Rule {
	t.Helper()
	x, err := promqlParser.ParseExpr(expr)
	if err != nil {
		t.Fatal(err)
	}
	return Rule{Name: name, Expr: x, For: forDur, Labels: map[string]string{"severity": "warning"},
		Annotations: map[string]string{"summary": "{{ $labels.name }} is {{ $value }}"}}
}

func sample(name string, v float64) ksmeval.Sample {
	return ksmeval.Sample{Name: "m", Labels: map[string]string{"name": name}, Value: v}
}

// ago is the Unix time d before testAt, as a condition timestamp.
func ago(d time.Duration) float64 { return float64(testAt.Add(-d).Unix()) }

// TestForSemantics pins how a snapshot meets for: a constant series holds
// over the whole window; a timestamp series crosses its threshold at a
// known step, and the alert fires once it held for the whole for: duration.
func TestForSemantics(t *testing.T) {
	cases := []struct {
		name  string
		rule  Rule
		value float64
		want  State // OK: no alert
	}{
		{"constant, for 15m", rule(t, "A", "m > 0", 15*time.Minute), 1, Firing},
		{"constant, no for", rule(t, "A", "m > 0", 0), 1, Firing},
		{"constant, false", rule(t, "A", "m > 1", 0), 1, OK},
		{"threshold crossed 20s ago", rule(t, "A", "time() - m > 600", 5*time.Minute), ago(620 * time.Second), Pending},
		{"threshold crossed 6m40s ago", rule(t, "A", "time() - m > 600", 5*time.Minute), ago(1000 * time.Second), Firing},
		{"threshold not crossed", rule(t, "A", "time() - m > 600", 5*time.Minute), ago(100 * time.Second), OK},
		// for: 90s needs the expression to hold 2 steps (2m) back.
		{"for 90s, held 1 step back", rule(t, "A", "time() - m > 600", 90*time.Second), ago(680 * time.Second), Pending},
		{"for 90s, held 2 steps back", rule(t, "A", "time() - m > 600", 90*time.Second), ago(750 * time.Second), Firing},
		{"transition after at", rule(t, "A", "time() - m > 600", 0), ago(-time.Hour), OK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			alerts, err := Evaluate([]Rule{c.rule}, nil, []ksmeval.Sample{sample("x", c.value)}, testAt)
			if err != nil {
				t.Fatal(err)
			}
			got := OK
			if len(alerts) > 1 {
				t.Fatalf("%d alerts, want at most 1", len(alerts))
			}
			if len(alerts) == 1 {
				got = alerts[0].State
			}
			if got != c.want {
				t.Errorf("state %s, want %s", got, c.want)
			}
		})
	}
}

func TestAlertLabelsAndAnnotations(t *testing.T) {
	alerts, err := Evaluate([]Rule{rule(t, "Big", "m > 1", time.Minute)}, nil,
		[]ksmeval.Sample{sample("b", 3), sample("a", 2), sample("c", 1)}, testAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 2 {
		t.Fatalf("got %d alerts, want 2: %+v", len(alerts), alerts)
	}
	a := alerts[0]
	if a.Labels["name"] != "a" || alerts[1].Labels["name"] != "b" {
		t.Errorf("alerts not sorted by labels: %v, %v", a.Labels, alerts[1].Labels)
	}
	want := map[string]string{"alertname": "Big", "name": "a", "severity": "warning"}
	if len(a.Labels) != len(want) {
		t.Errorf("labels %v, want %v", a.Labels, want)
	}
	for k, v := range want {
		if a.Labels[k] != v {
			t.Errorf("label %s=%q, want %q", k, a.Labels[k], v)
		}
	}
	if a.Annotations["summary"] != "a is 2" || a.Value != 2 || a.State != Firing {
		t.Errorf("got %+v", a)
	}
}

// A series repeated within one scrape keeps its first value, as Prometheus
// keeps the first sample it ingests.
func TestDuplicateSeriesKeepFirst(t *testing.T) {
	alerts, err := Evaluate([]Rule{rule(t, "A", "m", 0)}, nil, []ksmeval.Sample{sample("x", 7), sample("x", 9)}, testAt)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].Value != 7 {
		t.Fatalf("got %+v, want one alert of value 7", alerts)
	}
}

func TestParseRules(t *testing.T) {
	rs, err := ParseRules("r.yaml", []byte(`groups:
- name: g
  rules:
  - record: r
    expr: m
  - alert: A
    expr: m > 1
    for: 5m
    keep_firing_for: 1m
    labels: {severity: critical}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].Name != "A" || rs[0].Group != "g" || rs[0].For != 5*time.Minute ||
		rs[0].KeepFiringFor != time.Minute || rs[0].Labels["severity"] != "critical" || rs[0].Expr.String() != "m > 1" {
		t.Fatalf("got %+v", rs)
	}
	if _, err := ParseRules("bad.yaml", []byte("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: m >\n")); err == nil {
		t.Fatal("a bad expression parsed")
	} else if got := err.Error(); len(got) < 9 || got[:9] != "bad.yaml:" {
		t.Errorf("error does not name the file: %v", err)
	}
}
