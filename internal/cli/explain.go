package cli

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/series"
)

// generatedAlert is one alert read back from a generated plain rule file,
// with the label matchers of its expression.
type generatedAlert struct {
	Name     string            `json:"alert"`
	Record   string            `json:"record"`
	Expr     string            `json:"expr"`
	For      string            `json:"for"`
	Labels   map[string]string `json:"labels"`
	File     string            `json:"-"`
	matchers map[string]string // label → value or regex, from every selector (several type matchers joined)
	sources  []string          // the kube-state-metrics families it reads, through the recording rules
}

// readAlerts parses the generated plain rule files; prefix is the metric
// prefix they were written with.
func readAlerts(files []output.File, prefix string) ([]generatedAlert, error) {
	p := parser.NewParser(parser.Options{})
	var alerts []generatedAlert
	var exprs []parser.Expr
	records := map[string]parser.Expr{}
	for _, f := range files {
		if !strings.HasPrefix(f.Path, rules.Dir+"/") || !strings.HasSuffix(f.Path, ".rules.yaml") {
			continue
		}
		var doc struct {
			Groups []struct {
				Rules []generatedAlert `json:"rules"`
			} `json:"groups"`
		}
		if err := yaml.Unmarshal(f.Content, &doc); err != nil {
			return nil, fmt.Errorf("%s: %v", f.Path, err)
		}
		for _, g := range doc.Groups {
			for _, a := range g.Rules {
				expr, err := p.ParseExpr(a.Expr)
				if err != nil {
					return nil, fmt.Errorf("%s: %s%s: %v", f.Path, a.Name, a.Record, err)
				}
				switch {
				case a.Record != "":
					rules.AddRecord(records, a.Record, expr)
				case a.Name != "":
					a.File, a.matchers = f.Path, map[string]string{}
					alerts, exprs = append(alerts, a), append(exprs, expr)
				}
			}
		}
	}
	for i := range alerts {
		a := &alerts[i]
		for _, vs := range rules.UnsilencedSelectors(exprs[i], prefix) {
			for _, m := range vs.LabelMatchers {
				switch prev, ok := a.matchers[m.Name]; {
				case m.Name == "__name__":
				case ok && m.Name == series.LabelType && !strings.Contains(prev, m.Type.String()+m.Value):
					// A catch-all's type=~"..." and type!~"...".
					a.matchers[m.Name] = prev + ", " + m.Name + m.Type.String() + m.Value
				default:
					a.matchers[m.Name] = m.Type.String() + m.Value
				}
			}
		}
		for _, vs := range rules.SourceSelectors(exprs[i], records, prefix) {
			a.sources = append(a.sources, vs.Name)
		}
	}
	return alerts, nil
}

// alertsOf returns the names of the alerts whose matchers select kind k.
func alertsOf(alerts []generatedAlert, k model.Kind, prefix string) []string {
	var out []string
	for _, a := range alerts {
		if selects(a, k, prefix) {
			out = append(out, a.Name)
		}
	}
	sort.Strings(out)
	return slices.Compact(out) // an alert of two rules (timed, untimed) once
}

// selects reports whether alert a can fire for objects of kind k: an alert
// of the rule pack (no group matcher) covers every kind with a family it
// reads, through the recording rules.
func selects(a generatedAlert, k model.Kind, prefix string) bool {
	if a.matchers[series.LabelGroup] == "" {
		return slices.ContainsFunc(series.Families(k), func(f string) bool { return slices.Contains(a.sources, series.Name(prefix, f)) })
	}
	return a.matchers[series.LabelGroup] == "="+k.Group &&
		(a.matchers[series.LabelKind] == "" || a.matchers[series.LabelKind] == "="+k.Kind ||
			strings.HasPrefix(a.matchers[series.LabelKind], "=~") && matchesAlternation(a.matchers[series.LabelKind][2:], k.Kind))
}

func matchesAlternation(re, s string) bool {
	for _, alt := range strings.Split(strings.Trim(re, "()"), "|") {
		if alt == s {
			return true
		}
	}
	return false
}

// explain traces one alert back to the schema fields behind it.
func explain(w io.Writer, res *generator.Result, alerts []generatedAlert, name, prefix string) bool {
	for _, a := range alerts {
		if a.Name != name {
			continue
		}
		fmt.Fprintf(w, "%s (%s, severity %s, for %s)\n", a.Name, a.File, a.Labels["severity"], a.For)
		fmt.Fprintf(w, "  expr: %s\n", a.Expr)
		for _, k := range res.Model.Kinds {
			if !selects(a, k, prefix) {
				continue
			}
			fmt.Fprintf(w, "  %s, from %s:%d\n", kindName(k), k.Source.File, k.Source.Line)
			for _, line := range evidence(a, k) {
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
		return true
	}
	return false
}

// evidence names the signals of k that the alert's matchers and metrics use.
func evidence(a generatedAlert, k model.Kind) []string {
	var out []string
	if t, ok := a.matchers[series.LabelType]; ok {
		for _, c := range k.Conditions {
			out = append(out, fmt.Sprintf("condition type%s (%s) from %s, found by rule %s", t, polarityWord(k, t), c.SchemaPath, c.Rule))
		}
	}
	if f, ok := a.matchers[series.LabelField]; ok {
		for _, p := range k.Phases {
			if "="+p.SchemaPath == f {
				out = append(out, fmt.Sprintf("phase field %s, failure values %s, found by rule %s", p.SchemaPath, a.matchers[series.LabelPhase], p.Rule))
			}
		}
	}
	if strings.Contains(a.Expr, series.ReplicasReady) && k.Replicas != nil {
		out = append(out, fmt.Sprintf("replicas %s vs %s, found by rule %s", k.Replicas.Ready.SchemaPath, k.Replicas.Desired.SchemaPath, k.Replicas.Desired.Rule))
	}
	if k.Replicas != nil {
		for _, m := range k.Replicas.Members() {
			if strings.Contains(a.Expr, series.ReplicaMember(m.Name)) {
				out = append(out, fmt.Sprintf("%s replicas %s vs %s, found by rule %s", m.Name, m.Field.SchemaPath, k.Replicas.Desired.SchemaPath, m.Field.Rule))
			}
		}
	}
	if strings.Contains(a.Expr, series.ObservedGeneration) && k.Generation != nil {
		out = append(out, fmt.Sprintf("%s vs metadata.generation, found by rule %s", k.Generation.Observed.SchemaPath, k.Generation.Observed.Rule))
	}
	if strings.Contains(a.Expr, `suspended="true"`) && k.Suspend != nil {
		out = append(out, fmt.Sprintf("silenced while %s is true, found by rule %s", k.Suspend.SchemaPath, k.Suspend.Rule))
	}
	if strings.Contains(a.Expr, "controller_runtime_") || strings.Contains(a.Expr, "workqueue_") {
		out = append(out, "controller-runtime metrics of the controller reconciling "+k.Kind)
	}
	return out
}

func polarityWord(k model.Kind, matcher string) string {
	t := strings.TrimLeft(matcher, "=~!")
	if strings.ContainsAny(t, "|()") {
		return "several types"
	}
	return string(k.PolarityOf(t)) + " polarity"
}
