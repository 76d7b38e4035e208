package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/series"
)

const inspectHelp = `Usage: crdmon inspect -f PATH... [-o text|json] [flags]

Prints, per kind, each detected signal, the schema path it was found at, the
detection rule that found it, and the metric families it produces. Kinds
without signals are listed with the reason.
`

func runInspect(args []string, env Env) int {
	fs := newFlagSet("inspect", inspectHelp, env)
	var g generateFlags
	g.register(fs)
	format := fs.String("o", "text", "output format: text or json")
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
	res, err := generator.Generate(opts)
	if err != nil {
		return reportError(env, err)
	}
	if *format == "json" {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res.Model); err != nil {
			return reportError(env, err)
		}
		return ExitOK
	}
	for _, k := range res.Model.Kinds {
		printKind(env, k, g.opts.KSM.Prefix)
	}
	return ExitOK
}

func printKind(env Env, k model.Kind, prefix string) {
	w := env.Stdout
	scope := "cluster-scoped"
	if k.Namespaced {
		scope = "namespaced"
	}
	fmt.Fprintf(w, "%s %s (%s, %s, from %s:%d)\n", kindName(k), k.Version, k.Plural, scope, k.Source.File, k.Source.Line)
	row := func(signal, path, rule string) {
		detail := ""
		if i := strings.IndexByte(signal, ' '); i > 0 && !strings.HasPrefix(signal, "replicas") {
			signal, detail = signal[:i], signal[i+1:]
		}
		line := fmt.Sprintf("  %-18s %-34s %-31s %s", signal, path, rule, detail)
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	for _, c := range k.Conditions {
		desc := "conditions"
		if len(c.KnownTypes) > 0 {
			var typed []string
			for _, t := range c.KnownTypes {
				typed = append(typed, t+"("+string(model.PolarityOf(t))+")")
			}
			desc += " " + strings.Join(typed, " ")
		}
		row(desc, c.SchemaPath, c.Rule)
	}
	if r := k.Replicas; r != nil {
		row("replicas desired", r.Desired.SchemaPath, r.Desired.Rule)
		row("replicas ready", r.Ready.SchemaPath, r.Ready.Rule)
	}
	if g := k.Generation; g != nil {
		row("observedGeneration", g.Observed.SchemaPath, g.Observed.Rule)
	}
	for _, p := range k.Phases {
		desc := "phase"
		if len(p.Values) > 0 {
			desc += " " + strings.Join(p.Values, "|")
		}
		row(desc, p.SchemaPath, p.Rule)
	}
	if s := k.Suspend; s != nil {
		row("suspend", s.SchemaPath, s.Rule)
	}
	for _, n := range k.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if !k.HasSignals() {
		fmt.Fprintf(w, "  no health signal: not monitored\n\n")
		return
	}
	var names []string
	for _, f := range series.Families(k) {
		names = append(names, series.Name(prefix, f))
	}
	fmt.Fprintf(w, "  series: %s\n\n", strings.Join(names, ", "))
}
