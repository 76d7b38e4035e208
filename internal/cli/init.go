package cli

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/simulate"
)

const initHelp = `Usage: crdmon init -f PATH... [--objects OBJS...] [-o crdmon.yaml] [--force]

Writes a commented overrides file pre-filled with the kinds and conditions
found in the CRDs, every default shown in a comment, so you can tune alerts
without reading source. crdmon generate reads ./crdmon.yaml by default.

With --objects (kubectl get KIND -A -o yaml > objects.yaml), the status of
each kind whose CRD leaves it untyped is learned from its objects, and what
they show is written as declared signals, each with a comment saying which
objects it came from: review them and commit, and generate stays a pure
function of the CRDs and crdmon.yaml.
`

func runInit(args []string, env Env) int {
	fs := newFlagSet("init", initHelp, env)
	var g generateFlags
	g.register(fs)
	out := fs.String("o", defaultConfigFile, "file to write, or - for stdout")
	force := fs.Bool("force", false, "overwrite an existing file")
	var objects listFlag
	fs.Var(&objects, "objects", "objects file, directory, glob or - for stdin, as kubectl get -o yaml|json prints them: learn the status of kinds whose schema leaves it untyped (repeatable)")
	if code, ok := parse(fs, args, &g.inputs, env); !ok {
		return code
	}
	if stdinTwice(g.inputs, objects) {
		fmt.Fprintln(env.Stderr, "crdmon: -f - and --objects - both read stdin; give one of them as a file")
		return ExitUsage
	}
	g.noConfig = true // init writes the overrides file; it never reads one
	opts, err := g.options(env)
	if err != nil {
		return reportError(env, err)
	}
	opts.Config = nil
	opts.Only = []string{generator.ArtifactKSM}
	if len(objects) > 0 {
		if opts.Objects, err = simulate.ReadObjects(objects, env.Stdin); err != nil {
			return reportError(env, err)
		}
		opts.Learn = true
	}
	res, err := generator.Generate(opts)
	if err != nil {
		return reportError(env, err)
	}
	from := strings.Join(objects, ", ")
	if from == "" && g.sampleN > 0 {
		from = "listed from the cluster by --sample-objects"
	}
	text := initFile(res.Model, rules.DefaultOptions(), from)
	if _, err := config.Parse("generated "+defaultConfigFile, []byte(text)); err != nil {
		return reportError(env, fmt.Errorf("internal error: init wrote an invalid file: %w", err))
	}
	if *out == "-" {
		fmt.Fprint(env.Stdout, text)
		return ExitOK
	}
	if _, err := os.Stat(*out); err == nil && !*force {
		fmt.Fprintf(env.Stderr, "crdmon: %s exists; use --force to overwrite it\n", *out)
		return ExitUsage
	}
	if err := os.WriteFile(*out, []byte(text), 0o644); err != nil {
		return reportError(env, err)
	}
	fmt.Fprintf(env.Stdout, "wrote %s for %d kinds; edit it, then run crdmon generate\n", *out, countWithSignals(res.Model))
	for _, l := range res.Learned {
		fmt.Fprintf(env.Stdout, "learned from objects, declared in %s for review: %s\n", *out, l.Summary())
	}
	return ExitOK
}

func countWithSignals(m model.Model) int {
	n := 0
	for _, k := range m.Kinds {
		if k.HasSignals() {
			n++
		}
	}
	return n
}

// InitFile renders the commented overrides file for a model.
func InitFile(m model.Model, defaults rules.Options) string { return initFile(m, defaults, "") }

// initFile is InitFile, with the signals learned from the objects read
// from objects declared.
func initFile(m model.Model, defaults rules.Options, objects string) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# crdmon overrides file, written by `crdmon init` for %d kinds. Edit freely:", countWithSignals(m))
	w("# every key is optional, and a commented line shows the default it would change.")
	w("# Unknown keys are errors; a kinds entry that matches no kind is a warning.")
	w("apiVersion: %s", config.APIVersion)
	w("kind: %s", config.Kind)
	w("defaults:")
	w("  # prefix: %s          # metric name prefix, in every artifact", defaults.Prefix)
	w("  # labels: {team: my-team}             # added to every alert")
	w("  # annotations: {dashboard: https://grafana.example.com/d/my-dashboard}")
	w("  # ruleSelector: {release: kube-prometheus-stack}  # labels on PrometheusRule objects")
	w("  # ruleNamespace: monitoring")
	w("  # runbookURL: https://runbooks.example.com/[[ .Alert ]]")
	w("  # dashboardFolder: Operators")
	w("  alerts:")
	for _, c := range rules.Classes {
		w("    # %s", alertLine(c, defaults.Classes[c]))
	}
	w("kinds:")
	for _, k := range m.Kinds {
		if !k.HasSignals() {
			continue
		}
		w("  - group: %s", k.Group)
		w("    kind: %s", k.Kind)
		if hasLearned(k) || objects != "" && slices.ContainsFunc(k.Conditions, func(c model.ConditionSet) bool { return c.Assumed }) {
			// Learned, or an untyped status read by convention only:
			// say what learning made of the objects.
			for _, n := range k.Notes {
				w("    # note: %s", n)
			}
			for _, l := range learnedSignals(k, objects) {
				w("%s", l)
			}
		}
		for _, s := range signalWords(k) {
			w("    # found: %s", s)
		}
		if types := conditionTypes(k); len(types) > 0 {
			var pol []string
			for _, t := range types {
				pol = append(pol, t+": "+string(k.PolarityOf(t)))
			}
			w("    # conditions: {%s}  # positive, negative, progress or neutral", strings.Join(pol, ", "))
		}
		for _, p := range k.Phases {
			if p.Error {
				continue // any value is a failure: nothing to tune
			}
			if len(p.Values) == 0 {
				w("    # phases: [{field: %s, failure: [Failed]}]  # default: common failure words, any case", p.SchemaPath)
				continue
			}
			w("    # phases: [{field: %s, failure: [%s]}]  # values: %s", p.SchemaPath, strings.Join(p.Failure, ", "), strings.Join(p.Values, ", "))
		}
		w("    # controllers: [%s]  # controller-runtime controller names", strings.ToLower(k.Kind))
		w("    # alerts: {ConditionNotTrue: {for: 30m}, PhaseFailed: {disabled: true}}")
		w("    # signals: [{field: status.errorCount, meaning: problem-count}]  # %s", signalsHint)
	}
	for _, k := range m.Kinds {
		if k.HasSignals() {
			continue
		}
		w("  # No signal found in %s/%s; declare what its status holds:", k.Group, k.Kind)
		if objects != "" {
			for _, n := range k.Notes {
				w("  #   note: %s", n)
			}
		}
		w("  # - group: %s", k.Group)
		w("  #   kind: %s", k.Kind)
		w("  #   signals: [{field: status.errorCount, meaning: problem-count}]  # %s", signalsHint)
	}
	return b.String()
}

// signalsHint lists the meanings a declared signal may have.
var signalsHint = "meanings: " + strings.Join(config.Meanings, ", ")

func alertLine(c rules.Class, s rules.ClassSettings) string {
	line := fmt.Sprintf("%s: {for: %s, severity: %s", c, promDuration(s.For), s.Severity)
	switch {
	case rules.TimeThreshold(c):
		line += ", threshold: " + promDuration(time.Duration(s.Threshold)*time.Second)
	case s.Threshold != 0:
		line += fmt.Sprintf(", threshold: %g", s.Threshold)
	}
	return line + "}"
}

func promDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return fmt.Sprintf("%ds", d/time.Second)
}

func conditionTypes(k model.Kind) []string {
	set := map[string]bool{}
	for _, c := range k.Conditions {
		for _, t := range c.KnownTypes {
			set[t] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}
