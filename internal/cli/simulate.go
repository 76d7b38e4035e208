package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/simulate"
)

const simulateHelp = `Usage: crdmon simulate -f PATH... --objects OBJS... [--at TIME] [flags]

Answers "would these alerts fire on my cluster right now?" offline. It
generates the kube-state-metrics config and rules as 'crdmon generate' would
(same flags, same crdmon.yaml), computes the series kube-state-metrics would
serve for the objects, loads them into Prometheus' engine at the simulated
time and evaluates every generated alert, printing per object and alert:

  firing   the alert's expression held for its whole for: duration
  pending  it holds now, but not yet for the whole for: duration
  ok       it does not hold (listed for the alerts that read the kind's series)

and why (the condition, phase field or values that make it hold). A first
table gives each object's health state as the crdmon:health:state recording
rule records it, Argo CD-like: Suspended, Degraded, Progressing or Healthy,
and the signal that decided it (-o json: the "health" field). The objects
are a snapshot: their series are taken as constant before --at, while
condition lastTransitionTimes still count toward "for 15m" thresholds.
Objects are taken as the API server would serve them: one exported at
another version of a kind is evaluated at the version the config watches,
one without metadata.name under a made-up name, each with a note.

OBJS are files, directories, globs or - for stdin, as kubectl prints them:
  kubectl get certificates,kustomizations -A -o yaml > objects.yaml
  crdmon simulate -f crds/ --objects objects.yaml
  kubectl get certificates -A -o yaml | crdmon simulate -f crds/ --objects - --fail-on firing

Exit codes: 0 ok (whatever the alerts do, unless --fail-on), 1 an alert
reached the --fail-on state, 2 bad input or usage.
`

func runSimulate(args []string, env Env) int {
	fs := newFlagSet("simulate", simulateHelp, env)
	var g generateFlags
	g.register(fs)
	var objects listFlag
	fs.Var(&objects, "objects", "objects file, directory, glob or - for stdin, as kubectl get -o yaml|json prints them (repeatable)")
	atFlag := fs.String("at", "", "simulated evaluation time, RFC3339 (default now)")
	showSeries := fs.Bool("series", false, "print the series kube-state-metrics would serve (exposition format; JSON with -o json) instead of alerts")
	failOn := fs.String("fail-on", "", "exit 1 when an alert is firing, or with pending when one is pending or firing")
	format := fs.String("o", "text", "output format: text or json")
	if code, ok := parse(fs, args, &g.inputs, env); !ok {
		return code
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(env.Stderr, "crdmon: -o must be text or json, not %q\n", *format)
		return ExitUsage
	}
	if *failOn != "" && *failOn != string(simulate.Firing) && *failOn != string(simulate.Pending) {
		fmt.Fprintf(env.Stderr, "crdmon: --fail-on must be firing or pending, not %q\n", *failOn)
		return ExitUsage
	}
	at := time.Now().UTC().Truncate(time.Second)
	if *atFlag != "" {
		t, err := time.Parse(time.RFC3339, *atFlag)
		if err != nil {
			fmt.Fprintf(env.Stderr, "crdmon: --at %q: want RFC3339, e.g. 2026-11-26T12:00:00Z\n", *atFlag)
			return ExitUsage
		}
		at = t
	}
	if stdinTwice(g.inputs, objects) {
		fmt.Fprintln(env.Stderr, "crdmon: -f - and --objects - both read stdin; give one of them as a file")
		return ExitUsage
	}
	opts, err := g.options(env)
	if err != nil {
		return reportError(env, err)
	}
	// simulate evaluates the plain rule files; generate's --rules-format is not a flag here.
	opts.Rules.Format = rules.FormatPlain
	objs, err := simulate.ReadObjects(objects, env.Stdin)
	if err != nil {
		return reportError(env, err)
	}
	// A kind whose status schema is untyped is learned from the objects
	// given, so that `kubectl get KIND -o yaml | crdmon simulate` works.
	opts.Learn, opts.Objects = true, objs
	res, err := generator.Generate(opts)
	if err != nil {
		return reportError(env, err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(env.Stderr, "crdmon: warning: %s\n", w)
	}
	for _, l := range res.Learned {
		if l.Objects == 0 {
			continue // no object of the kind to simulate either
		}
		fmt.Fprintf(env.Stderr, "crdmon: note: the status schema is untyped; learned from the objects given: %s\n", l.Summary())
	}
	rep, err := simulate.Run(res, objs, at)
	if err != nil {
		return reportError(env, err)
	}
	for _, n := range rep.Notes() {
		fmt.Fprintf(env.Stderr, "crdmon: note: %s\n", n)
	}
	switch {
	case *showSeries && *format == "json":
		err = writeSeriesJSON(env, rep.Series.Samples())
	case *showSeries:
		_, err = env.Stdout.Write(rep.Series.Exposition())
	case *format == "json":
		err = rep.WriteJSON(env.Stdout)
	default:
		err = rep.WriteTable(env.Stdout)
	}
	if err != nil {
		return reportError(env, err)
	}
	n, what := rep.Count(simulate.Firing), "firing"
	if *failOn == string(simulate.Pending) {
		n, what = n+rep.Count(simulate.Pending), "pending or firing"
	}
	if *failOn != "" && n > 0 {
		fmt.Fprintf(env.Stderr, "crdmon: --fail-on %s: %d alerts %s\n", *failOn, n, what)
		return ExitDrift
	}
	return ExitOK
}

// writeSeriesJSON prints samples as a JSON array of {name, labels, value}.
func writeSeriesJSON(env Env, samples []ksmeval.Sample) error {
	type sample struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
		Value  float64           `json:"value"`
	}
	out := make([]sample, 0, len(samples))
	for _, s := range samples {
		out = append(out, sample{s.Name, s.Labels, s.Value})
	}
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func stdinTwice(inputs, objects []string) bool {
	in, obj := false, false
	for _, p := range inputs {
		in = in || p == "-"
	}
	for _, p := range objects {
		obj = obj || p == "-"
	}
	return in && obj
}
