package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/budget"
	"github.com/crdmon/crdmon/generator/dashboards"
	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/series"
)

const inspectHelp = `Usage: crdmon inspect -f PATH... [-o text|json] [flags]

Prints, per kind, each detected signal, the schema path it was found at, the
detection rule that found it (or "from crdmon.yaml (line N)" for a signal
declared there), the metric families it produces, and what
decides each health state the crdmon:health:state recording rule records
(Suspended > Degraded > Progressing > Healthy, each with the signals tried in
order; a deletion, listed under Progressing, is tried before all). Kinds
without signals are listed with the reason.
`

func runInspect(args []string, env Env) int {
	fs := newFlagSet("inspect", inspectHelp, env)
	var g generateFlags
	g.register(fs)
	format := fs.String("o", "text", "output format: text or json")
	explainName := fs.String("explain", "", "trace the alert with this name back to the schema fields behind it")
	if code, ok := parse(fs, args, &g.inputs, env); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(env.Stderr, "crdmon: -o must be text or json, not %q\n", *format)
		return ExitUsage
	}
	opts, err := g.options(env)
	if err != nil {
		return reportError(env, err)
	}
	opts.Rules.Format = rules.FormatBoth
	res, err := generator.Generate(opts)
	if err != nil {
		return reportError(env, err)
	}
	alerts, err := readAlerts(res.Files, opts.KSM.Prefix)
	if err != nil {
		return reportError(env, err)
	}
	if *explainName != "" {
		if !explain(env.Stdout, res, alerts, *explainName, opts.KSM.Prefix) {
			fmt.Fprintf(env.Stderr, "crdmon: no generated alert is named %q (crdmon inspect lists them)\n", *explainName)
			return ExitUsage
		}
		return ExitOK
	}
	if *format == "json" {
		type kindReport struct {
			model.Kind
			Series          []string `json:"series,omitempty"`
			SeriesPerObject int      `json:"seriesPerObject"`
			Alerts          []string `json:"alerts,omitempty"`
			Health          string   `json:"health,omitempty"` // what decides each health state
		}
		var report []kindReport
		for _, k := range res.Model.Kinds {
			r := kindReport{Kind: k, Alerts: alertsOf(alerts, k, opts.KSM.Prefix)}
			if k.HasSignals() {
				r.Series = familyNames(k, opts.KSM.Prefix)
				r.SeriesPerObject = budget.SeriesPerObject(k, opts.KSM.Prefix)
				r.Health = healthSummary(k, opts.KSM.Prefix)
			}
			report = append(report, r)
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(report); err != nil {
			return reportError(env, err)
		}
		return ExitOK
	}
	for _, k := range res.Model.Kinds {
		printKind(env, k, opts.KSM.Prefix, alertsOf(alerts, k, opts.KSM.Prefix))
	}
	return ExitOK
}

// healthSummary lists the signals that decide each health state of k's
// objects, as the crdmon:health:state rule tries them:
// "Suspended (suspend) > Degraded (Ready, phase) > Progressing (deleting,
// ...) > Healthy".
func healthSummary(k model.Kind, prefix string) string {
	reasons := health.Reasons([]model.Kind{k})
	var parts []string
	for i, st := range health.States {
		if st == health.Healthy {
			parts = append(parts, st)
		} else if len(reasons[i]) > 0 {
			parts = append(parts, st+" ("+strings.Join(reasons[i], ", ")+")")
		}
	}
	return strings.Join(parts, " > ")
}

// ruleOf names what found a signal: its detection rule, or the line of
// crdmon.yaml that declared it.
func ruleOf(f model.Field) string {
	rule := f.Rule
	if f.Declared() {
		rule = fmt.Sprintf("from crdmon.yaml (line %d)", f.Line)
	}
	if f.Learned != "" {
		rule += " (from objects: " + f.Learned + ")"
	}
	return rule
}

func familyNames(k model.Kind, prefix string) []string {
	var names []string
	for _, f := range series.Families(k) {
		names = append(names, series.Name(prefix, f))
	}
	return names
}

func printKind(env Env, k model.Kind, prefix string, alerts []string) {
	w := env.Stdout
	scope := "cluster-scoped"
	if k.Namespaced {
		scope = "namespaced"
	}
	if k.Wildcard() {
		fmt.Fprintf(w, "%s %s (every kind of the group, declared in %s:%d)\n", kindName(k), k.Version, k.Source.File, k.Source.Line)
	} else {
		fmt.Fprintf(w, "%s %s (%s, %s, from %s:%d)\n", kindName(k), k.Version, k.Plural, scope, k.Source.File, k.Source.Line)
	}
	row := func(signal, path, rule string) {
		detail := ""
		if i := strings.IndexByte(signal, ' '); i > 0 && !strings.HasPrefix(signal, "replicas") {
			signal, detail = signal[:i], signal[i+1:]
		}
		line := fmt.Sprintf("  %-18s %-34s %-31s %s", signal, path, rule, detail)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	field := func(signal string, f model.Field) { row(signal, f.SchemaPath, ruleOf(f)) }
	for _, c := range k.Conditions {
		desc := "conditions"
		if len(c.KnownTypes) > 0 {
			var typed []string
			for _, t := range c.KnownTypes {
				typed = append(typed, t+"("+string(model.PolarityOf(t))+")")
			}
			desc += " " + strings.Join(typed, " ")
		}
		field(desc, c.Field)
	}
	if r := k.Replicas; r != nil {
		field("replicas desired", r.Desired)
		field("replicas ready", r.Ready)
		for _, m := range r.Members() {
			field("replicas "+m.Name, m.Field)
		}
	}
	if g := k.Generation; g != nil {
		field("observedGeneration", g.Observed)
	}
	for _, p := range k.Phases {
		desc := "phase"
		if p.Error {
			desc = "error"
		}
		if len(p.Values) > 0 {
			desc += " " + strings.Join(p.Values, "|")
		}
		field(desc, p.Field)
	}
	if s := k.Suspend; s != nil {
		field("suspend", *s)
	}
	for _, ts := range k.Timestamps {
		field(ts.Meaning, ts.Field)
	}
	for _, f := range k.Failures {
		field("failures", f)
	}
	for _, f := range k.Problems {
		field("problems", f)
	}
	for _, n := range k.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if !k.HasSignals() {
		fmt.Fprintf(w, "  no health signal: not monitored\n\n")
		return
	}
	fmt.Fprintf(w, "  series: %s\n", strings.Join(familyNames(k, prefix), ", "))
	fmt.Fprintf(w, "  series per object: %d (typical object, %d conditions per list)\n", budget.SeriesPerObject(k, prefix), budget.ConditionsPerSet)
	fmt.Fprintf(w, "  health: %s\n", healthSummary(k, prefix))
	if len(alerts) > 0 {
		fmt.Fprintf(w, "  alerts: %s\n", strings.Join(alerts, ", "))
	}
	fmt.Fprintf(w, "  dashboard: %s/%s.json (group %s, kind %s)\n\n", dashboards.Dir, dashboards.DetailKey, k.Group, k.Kind)
}
