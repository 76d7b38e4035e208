package cli

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/output"
)

const generateHelp = `Usage: crdmon generate -f PATH... [-o DIR] [flags]

Reads CRDs and writes, under DIR (default out/):
  kube-state-metrics/custom-resource-state.yaml      the config (--custom-resource-state-config-file)
  kube-state-metrics/rbac.yaml                       ClusterRole + binding kube-state-metrics needs
  kube-state-metrics/kube-prometheus-stack-values.yaml  the same as Helm values

Everything is rendered and validated in memory first; on any error nothing is
written. Files are written atomically and only when their content changed.

Examples:
  crdmon generate -f config/crd/bases -o monitoring/
  kustomize build config/crd | crdmon generate -f - --group '*.example.com'
  crdmon generate -f config/crd --check     # CI: exit 1 and a diff if monitoring/ is stale
`

// generateFlags are the flags shared by generate and inspect.
type generateFlags struct {
	inputs listFlag
	groups listFlag
	kinds  listFlag
	opts   generator.Options
}

func (g *generateFlags) register(fs *flag.FlagSet) {
	g.opts = generator.DefaultOptions()
	fs.Var(&g.inputs, "f", "CRD file, directory, glob or - for stdin (repeatable)")
	fs.Var(&g.groups, "group", "only kinds whose API group matches this glob (repeatable)")
	fs.Var(&g.kinds, "kind", "only kinds matching this glob, case-insensitive (repeatable)")
	fs.StringVar(&g.opts.KSM.Prefix, "prefix", g.opts.KSM.Prefix, "metric name prefix of the kube-state-metrics config")
}

func (g *generateFlags) options(env Env) generator.Options {
	o := g.opts
	o.Inputs, o.Groups, o.Kinds, o.Stdin = g.inputs, g.groups, g.kinds, env.Stdin
	return o
}

func runGenerate(args []string, env Env) int {
	fs := newFlagSet("generate", generateHelp, env)
	var g generateFlags
	g.register(fs)
	outDir := fs.String("o", "out", "output directory")
	check := fs.Bool("check", false, "compare with DIR instead of writing; exit 1 and print a diff on any difference")
	prune := fs.Bool("prune", false, "remove files in DIR that crdmon generated before but would not generate now")
	quiet := fs.Bool("q", false, "print nothing but errors (and the diff with --check)")
	fs.StringVar(&g.opts.KSM.Namespace, "ksm-namespace", g.opts.KSM.Namespace, "namespace of kube-state-metrics' ServiceAccount (RBAC binding)")
	fs.StringVar(&g.opts.KSM.ServiceAccount, "ksm-service-account", g.opts.KSM.ServiceAccount, "kube-state-metrics' ServiceAccount name (RBAC binding)")
	if code, ok := parse(fs, args, &g.inputs, env); !ok {
		return code
	}
	res, err := generator.Generate(g.options(env))
	if err != nil {
		return reportError(env, err)
	}
	if *check {
		changes, err := output.Compare(*outDir, res.Files)
		if err != nil {
			return reportError(env, err)
		}
		return printDrift(env, *outDir, changes, *quiet)
	}
	changes, err := output.Write(*outDir, res.Files, *prune)
	if err != nil {
		return reportError(env, err)
	}
	if !*quiet {
		printSummary(env.Stdout, res)
		printChanges(env.Stdout, *outDir, changes)
	}
	return ExitOK
}

// printChanges prints one line per written or removed file and a total.
func printChanges(w io.Writer, dir string, changes []output.Change) {
	counts := map[output.Status]int{}
	for _, c := range changes {
		counts[c.Status]++
		switch c.Status {
		case output.Created, output.Updated, output.Removed:
			fmt.Fprintf(w, "  %-9s %s\n", c.Status, joinPath(dir, c.Path))
		case output.Stale:
			fmt.Fprintf(w, "  %-9s %s (no longer generated; --prune removes it)\n", c.Status, joinPath(dir, c.Path))
		}
	}
	var parts []string
	for _, s := range []output.Status{output.Created, output.Updated, output.Unchanged, output.Removed, output.Stale} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	fmt.Fprintf(w, "wrote %s: %s\n", dir, strings.Join(parts, ", "))
}

func joinPath(dir, p string) string {
	return strings.TrimSuffix(dir, "/") + "/" + p
}
