package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/cluster"
	"github.com/crdmon/crdmon/generator/config"
	"github.com/crdmon/crdmon/generator/dashboards"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/templates"
)

const generateHelp = `Usage: crdmon generate -f PATH... [-o DIR] [flags]

Reads CRDs, finds their health signals and writes, under DIR (default out/):
  kube-state-metrics/custom-resource-state.yaml         --custom-resource-state-config-file
  kube-state-metrics/rbac.yaml                          ClusterRole + binding kube-state-metrics needs
  kube-state-metrics/kube-prometheus-stack-values.yaml  the same config as Helm values
  rules/crdmon-pack.yaml, rules/crdmon-pack.rules.yaml  the rule pack (PrometheusRule, plain): the same for any kinds
  rules/crdmon-overrides{.yaml,.rules.yaml}             per-kind exceptions from crdmon.yaml, when it sets any
  rules/tests/*.test.yaml                               promtool test rules: each alert firing and silent
  dashboards/overview.json, dashboards/detail.json      Grafana: every group and kind; a kind in detail
  dashboards/*.configmap.yaml                           the same in ConfigMaps for the Grafana sidecar
  dashboards/<group>.json                               one per API group (--dashboards per-group)

Everything fits Kubernetes' limits (objects within the 262144 bytes
client-side kubectl apply stores, ConfigMaps within 1 MiB). A config over
512 KiB gets one wildcard resource per group whose kinds share one signal
shape (--ksm-wildcards), then is split into custom-resource-state-<n>.yaml
shards, each with kube-state-metrics-values-<n>.yaml for a kube-state-metrics
chart release of its own. The rule pack's size does not depend on the
number of kinds (docs/rule-pack.md); --granularity is deprecated and ignored.

./crdmon.yaml (or -c FILE) tunes thresholds, severities, labels and signals;
crdmon init writes a commented one.

Everything is rendered and validated in memory first; on any error nothing is
written. Files are written atomically and only when their content changed.

Examples:
  crdmon generate -f config/crd/bases -o monitoring/
  kustomize build config/crd | crdmon generate -f - --group '*.example.com'
  crdmon generate -f config/crd --check     # CI: exit 1 and a diff if monitoring/ is stale
`

// generateFlags are the flags shared by generate and inspect.
type generateFlags struct {
	inputs      listFlag
	groups      listFlag
	kinds       listFlag
	controllers listFlag
	configFile  string
	noConfig    bool   // do not read an overrides file
	granularity string // deprecated: accepted, checked and ignored
	fromCluster bool
	cluster     cluster.Options
	opts        generator.Options
	// sampleN is --sample-objects: objects listed per kind whose status
	// is untyped, to learn it from; sampleSkipped says which kinds could
	// not be listed.
	sampleN       int64
	sampleSkipped []string
}

func (g *generateFlags) register(fs *flag.FlagSet) {
	g.opts = generator.DefaultOptions()
	fs.Var(&g.inputs, "f", "CRD file, directory, glob or - for stdin (repeatable)")
	fs.Var(&g.groups, "group", "only kinds whose API group matches this glob (repeatable)")
	fs.Var(&g.kinds, "kind", "only kinds matching this glob, case-insensitive (repeatable)")
	fs.StringVar(&g.opts.KSM.Prefix, "prefix", g.opts.KSM.Prefix, "metric name prefix, used by every artifact")
	fs.StringVar(&g.configFile, "c", "", "overrides file (default: ./"+defaultConfigFile+" when it exists)")
	fs.Var(&g.controllers, "controller", "KIND=NAME: controller-runtime controller reconciling KIND (repeatable)")
	fs.StringVar(&g.granularity, "granularity", "", "deprecated and ignored (kind|group): the rule pack covers every kind at once")
	fs.BoolVar(&g.fromCluster, "from-cluster", false, "read CRDs from the cluster of the current kubeconfig context (read-only: list customresourcedefinitions)")
	fs.StringVar(&g.cluster.Kubeconfig, "kubeconfig", "", "kubeconfig file for --from-cluster (default: $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&g.cluster.Context, "context", "", "kubeconfig context for --from-cluster")
	fs.StringVar(&g.cluster.Selector, "selector", "", "label selector on CRDs for --from-cluster, e.g. app.kubernetes.io/part-of=my-operator")
	fs.DurationVar(&g.cluster.Timeout, "timeout", 15*time.Second, "time limit for --from-cluster")
	fs.Int64Var(&g.sampleN, "sample-objects", 0, "with --from-cluster: list up to N objects of each kind whose status schema is untyped and learn its signals from them, for this run only (read-only: list with limit N; RBAC: list on those resources)")
}

// defaultConfigFile is read when -c is not given and it exists.
const defaultConfigFile = "crdmon.yaml"

// options returns the generator options, reading the overrides file.
func (g *generateFlags) options(env Env) (generator.Options, error) {
	o := g.opts
	o.Inputs, o.Groups, o.Kinds, o.Stdin = g.inputs, g.groups, g.kinds, env.Stdin
	if g.fromCluster {
		if len(g.inputs) > 0 {
			return o, fmt.Errorf("give either -f or --from-cluster, not both")
		}
		ctx, cancel := context.WithTimeout(context.Background(), g.cluster.Timeout)
		defer cancel()
		crds, err := cluster.ListCRDs(ctx, g.cluster)
		if err != nil {
			return o, err
		}
		name := "cluster"
		if g.cluster.Context != "" {
			name += ":" + g.cluster.Context
		}
		if o.Loaded, err = load.FromCluster(crds, name); err != nil {
			return o, err
		}
		if g.sampleN > 0 {
			if err := g.sampleObjects(&o, o.Loaded); err != nil {
				return o, err
			}
		}
	} else if g.sampleN != 0 {
		return o, fmt.Errorf("--sample-objects reads objects from the cluster: give --from-cluster too (for objects in files, crdmon init --objects writes what they show into crdmon.yaml)")
	}
	if g.sampleN < 0 {
		return o, fmt.Errorf("--sample-objects %d: want a positive number of objects per kind", g.sampleN)
	}
	file := g.configFile
	if file == "" && !g.noConfig {
		if _, err := os.Stat(defaultConfigFile); err == nil {
			file = defaultConfigFile
		}
	}
	if file != "" {
		cfg, err := config.Read(file)
		if err != nil {
			return o, err
		}
		o.Config = cfg
	}
	if len(g.controllers) > 0 {
		byKind := map[string][]string{}
		for _, kv := range g.controllers {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" || v == "" {
				return o, fmt.Errorf("--controller %q: want KIND=NAME, e.g. Certificate=certificates", kv)
			}
			byKind[k] = append(byKind[k], v)
		}
		o.Rules.Controllers, o.Dashboards.Controllers = byKind, byKind
	}
	switch g.granularity {
	case "":
	case "kind", "group":
		fmt.Fprintln(env.Stderr, granularityNote("--granularity"))
	default:
		return o, fmt.Errorf("--granularity %q: want kind or group (deprecated and ignored)", g.granularity)
	}
	if o.Config != nil && o.Config.Defaults.Granularity != "" {
		fmt.Fprintln(env.Stderr, granularityNote(file+": defaults.granularity"))
	}
	return o, nil
}

// granularityNote says that what is asked of a granularity no longer applies.
func granularityNote(what string) string {
	return "note: " + what + " is deprecated and ignored: crdmon writes one rule pack for every kind, with a rule file of exceptions for what crdmon.yaml sets per kind (docs/rule-pack.md)"
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
	fs.StringVar(&g.opts.KSM.Wildcards, "ksm-wildcards", g.opts.KSM.Wildcards, "one kube-state-metrics resource with kind \"*\" per group whose kinds share one signal shape and version (it also reaches kinds installed later; RBAC grants all of the group's resources): auto (when the config would be over 512 KiB), always or never")
	var only, ruleLabels listFlag
	fs.Var(&only, "only", "write only these artifacts: ksm, rules, dashboards (comma-separated)")
	fs.StringVar(&g.opts.Rules.Format, "rules-format", g.opts.Rules.Format, "rule output: prometheusrule, plain (groups: for Prometheus/Thanos/Mimir) or both")
	fs.StringVar(&g.opts.Rules.Namespace, "rule-namespace", "", "metadata.namespace of the PrometheusRule objects")
	fs.Var(&ruleLabels, "rule-label", "KEY=VALUE label on PrometheusRule objects, to match a ruleSelector, e.g. release=kube-prometheus-stack (repeatable)")
	fs.StringVar(&g.opts.Rules.RunbookURLTemplate, "runbook-url", "", "runbook_url template, e.g. 'https://runbooks.example.com/[[ .Alert ]]'")
	templatesDir := fs.String("templates", "", "directory of alert text templates overriding the embedded ones")
	fs.BoolVar(&g.opts.Rules.InferControllers, "infer-controllers", false, "controller alerts for every kind, assuming controller-runtime's default controller name (the lower-cased kind)")
	fs.StringVar(&g.opts.Dashboards.Layout, "dashboards", g.opts.Dashboards.Layout, "which dashboards: generic (an overview of every group and kind, and a detail dashboard with group/kind/namespace variables), per-group (those and one per API group) or per-kind (those and one per kind)")
	fs.BoolFunc("dashboard-per-kind", "same as --dashboards per-kind (deprecated)", func(v string) error {
		if b, err := strconv.ParseBool(v); err != nil || !b {
			return err
		}
		g.opts.Dashboards.Layout = dashboards.PerKind
		return nil
	})
	fs.StringVar(&g.opts.Dashboards.Folder, "dashboard-folder", "", "Grafana folder (grafana_folder annotation of the ConfigMaps)")
	fs.StringVar(&g.opts.Dashboards.Namespace, "dashboard-namespace", "", "namespace of the dashboard ConfigMaps")
	fs.StringVar(&g.opts.Dashboards.ClusterLabel, "cluster-label", "", "add a cluster variable filtering on this label to the dashboards, and keep it in the health recording rule (multi-cluster Prometheus, Thanos, Mimir)")
	fs.BoolVar(&g.opts.Dashboards.GrafanaOperator, "grafana-operator", false, "also write GrafanaDashboard objects for grafana-operator")
	if code, ok := parse(fs, args, &g.inputs, env); !ok {
		return code
	}
	opts, err := g.options(env)
	if err != nil {
		return reportError(env, err)
	}
	opts.Rules.ClusterLabel = opts.Dashboards.ClusterLabel
	if !slices.Contains(dashboards.Layouts, opts.Dashboards.Layout) {
		return reportError(env, fmt.Errorf("--dashboards %q: want %s", opts.Dashboards.Layout, strings.Join(dashboards.Layouts, ", ")))
	}
	for _, kv := range ruleLabels {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return reportError(env, fmt.Errorf("--rule-label %q: want KEY=VALUE", kv))
		}
		if opts.Rules.RuleLabels == nil {
			opts.Rules.RuleLabels = map[string]string{}
		}
		opts.Rules.RuleLabels[k] = v
	}
	for _, o := range only {
		if o != generator.ArtifactKSM && o != generator.ArtifactRules && o != generator.ArtifactDashboards {
			return reportError(env, fmt.Errorf("--only %q: want ksm, rules or dashboards", o))
		}
	}
	opts.Only = only
	if *templatesDir != "" {
		set, err := templates.Load(*templatesDir)
		if err != nil {
			return reportError(env, err)
		}
		opts.Rules.Templates = set
	}
	if !*quiet {
		opts.Progress = progressLine(env)
	}
	// Files are compared or staged as they are generated, so that large
	// runs never hold all their output; the output changes only once the
	// whole run has succeeded.
	if *check && g.sampleN > 0 {
		return reportError(env, fmt.Errorf("--check compares with what CRDs and crdmon.yaml give: --sample-objects would make it depend on the cluster's objects; write what they show into crdmon.yaml with crdmon init --objects"))
	}
	if *check {
		cmp := output.NewComparer(*outDir)
		opts.Sink = cmp.Put
		res, err := generator.Generate(opts)
		if err != nil {
			return reportError(env, err)
		}
		printWarnings(env, res)
		changes, err := cmp.Changes()
		if err != nil {
			return reportError(env, err)
		}
		return printDrift(env, *outDir, changes, *quiet)
	}
	w := output.NewWriter(*outDir)
	opts.Sink = w.Put
	res, err := generator.Generate(opts)
	if err != nil {
		w.Abort()
		return reportError(env, err)
	}
	printWarnings(env, res)
	changes, err := w.Commit(*prune)
	if err != nil {
		return reportError(env, err)
	}
	if !*quiet {
		printSummary(env.Stdout, res)
		printLearned(env.Stdout, env.Stderr, res, g.sampleSkipped)
		printChanges(env.Stdout, *outDir, changes)
	} else {
		printLearned(io.Discard, env.Stderr, res, g.sampleSkipped)
	}
	return ExitOK
}

// printWarnings prints the run's warnings on stderr.
func printWarnings(env Env, res *generator.Result) {
	for _, w := range res.Warnings {
		fmt.Fprintf(env.Stderr, "crdmon: warning: %s\n", w)
	}
}

// printChanges prints one line per written or removed file, or per
// directory when there are many, and a total.
func printChanges(w io.Writer, dir string, changes []output.Change) {
	counts := map[output.Status]int{}
	changed := 0
	for _, c := range changes {
		counts[c.Status]++
		if c.Status != output.Unchanged {
			changed++
		}
	}
	if changed <= maxListed {
		for _, c := range changes {
			switch c.Status {
			case output.Created, output.Updated, output.Removed:
				fmt.Fprintf(w, "  %-9s %s\n", c.Status, joinPath(dir, c.Path))
			case output.Stale:
				fmt.Fprintf(w, "  %-9s %s (no longer generated; --prune removes it)\n", c.Status, joinPath(dir, c.Path))
			}
		}
	} else {
		printChangesByDir(w, dir, changes)
	}
	fmt.Fprintf(w, "wrote %s: %s\n", dir, statusCounts(counts))
}

// printChangesByDir prints, per top-level directory, how many files changed how.
func printChangesByDir(w io.Writer, dir string, changes []output.Change) {
	var dirs []string
	byDir := map[string]map[output.Status]int{}
	for _, c := range changes {
		top, _, _ := strings.Cut(c.Path, "/")
		if byDir[top] == nil {
			dirs = append(dirs, top)
			byDir[top] = map[output.Status]int{}
		}
		byDir[top][c.Status]++
	}
	for _, d := range dirs {
		fmt.Fprintf(w, "  %-28s %s\n", joinPath(dir, d)+"/", statusCounts(byDir[d]))
	}
	for _, c := range changes {
		if c.Status == output.Stale {
			fmt.Fprintf(w, "  %-9s %s (no longer generated; --prune removes it)\n", c.Status, joinPath(dir, c.Path))
		}
	}
}

// statusCounts renders counts such as "3 created, 2 unchanged".
func statusCounts(counts map[output.Status]int) string {
	var parts []string
	for _, s := range []output.Status{output.Created, output.Updated, output.Unchanged, output.Removed, output.Stale} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	return strings.Join(parts, ", ")
}

func joinPath(dir, p string) string {
	return strings.TrimSuffix(dir, "/") + "/" + p
}

// progressLine reports the stages of a run on stderr once it has taken more
// than a second, so short runs stay quiet and long ones show they are alive.
func progressLine(env Env) func(string) {
	start := time.Now()
	return func(stage string) {
		if d := time.Since(start); d >= time.Second {
			fmt.Fprintf(env.Stderr, "crdmon: %s (%.1fs)\n", stage, d.Seconds())
		}
	}
}
