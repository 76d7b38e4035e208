//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql/parser"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/dashboards"
	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/internal/testcluster"
	"github.com/crdmon/crdmon/internal/testutil"
)

// ruleNamespace is where the generated PrometheusRule objects are created.
const ruleNamespace = "monitoring"

// operatorGroup is the API group of the prometheus-operator CRDs.
const operatorGroup = "monitoring.coreos.com"

// controllers are the synthetic controller-runtime controllers served next to
// the kube-state-metrics series: one per sample kind, under the name
// controller-runtime gives it by default (the lower-cased kind), which is
// what the dashboards and the rules (with InferControllers) assume. One fails
// half of its reconciles.
var controllers = []controller{
	{name: "certificate", reconciles: 2},
	{name: "kustomization", reconciles: 1, depth: 3},
	{name: "machinedeployment", reconciles: 4, errorShare: 0.5, alerts: []string{"CustomResourceControllerErrors"}},
	{name: "cluster", reconciles: 1},
}

// fastOptions are the generate options with every alert duration cut to
// seconds, so alerts reach firing within the test; the failing conditions of
// the samples have lastTransitionTimes long past, so timestamp thresholds
// are exceeded at once.
func fastOptions(base generator.Options) generator.Options {
	o := base
	o.Rules.Classes = rules.AlertSettings{}
	for c, s := range base.Rules.Classes {
		s.For = 2 * time.Second
		o.Rules.Classes[c] = s
	}
	o.Rules.TimestampFor = time.Second
	o.Rules.InferControllers = true
	return o
}

// TestEndToEnd generates everything from the corpus, validates the
// PrometheusRule objects on a real API server, stores sample objects there,
// runs the real kube-state-metrics on each shard of the generated config
// under exactly the generated RBAC, checks it serves the series crdmon's
// emulation computes, and checks a real Prometheus scraping it fires
// exactly the expected alerts and answers every dashboard query of the
// sample kinds' groups. Then it runs kube-state-metrics where it must go
// wrong: with a ClusterRole lacking a resource, and with a misspelled path.
func TestEndToEnd(t *testing.T) {
	begin := time.Now()
	step := func(what string, since time.Time) { t.Logf("%-40s %6.1fs", what, time.Since(since).Seconds()) }
	corpus := testutil.Corpus(t)
	promBin := prometheusBinary(t)
	ksmBin := ksmBinary(t)
	samples := loadSamples(t)
	groups := sampleGroups(samples)

	// Generate: the shipped defaults (PrometheusRule objects, dashboards,
	// KSM config) and the same with seconds-long alert durations, whose
	// kube-state-metrics config is also split into shards.
	t0 := time.Now()
	loaded, err := load.Paths([]string{corpus}, nil)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	opts := generator.DefaultOptions()
	opts.Rules.Namespace = ruleNamespace
	shipped, err := generator.FromCRDs(loaded, opts)
	if err != nil {
		t.Fatalf("generate: %v", err)
	}
	fast, err := generator.FromCRDs(loaded, fastOptions(opts))
	if err != nil {
		t.Fatalf("generate with short alert durations: %v", err)
	}
	ksmFiles := splitKSM(t, fast, fastOptions(opts))
	step("generate over the corpus (twice)", t0)

	// A real API server with the prometheus-operator CRDs and the samples'
	// CRDs, whose authorizer grants what the generated RBAC grants.
	t0 = time.Now()
	rbacFile, ok := findFile(ksmFiles, ksm.RBACFile)
	if !ok {
		t.Fatalf("no %s generated", ksm.RBACFile)
	}
	rbac, err := testcluster.NewRBAC(rbacFile.Content)
	if err != nil {
		t.Fatalf("%s: %v", ksm.RBACFile, err)
	}
	cluster := testcluster.StartWithAuthorizer(t, rbac.Authorize)
	step("start etcd and the API server", t0)
	t0 = time.Now()
	crds := neededCRDs(t, samples)
	cluster.ApplyCRDs(t, crds...)
	step(fmt.Sprintf("apply %d CRDs", len(crds)), t0)

	rs := resources{c: cluster, crds: crds}
	t.Run("PrometheusRules", func(t *testing.T) {
		t0 := time.Now()
		n := createPrometheusRules(t, rs, shipped.Files)
		step(fmt.Sprintf("create %d PrometheusRule objects", n), t0)
	})

	t0 = time.Now()
	for _, s := range samples {
		if err := createSample(context.Background(), rs, s); err != nil {
			t.Fatalf("%s (%s): %v", s.id(), s.source, err)
		}
	}
	objects := listBack(t, cluster, fast.KSM, crds, samples)
	step(fmt.Sprintf("create and list %d sample objects", len(samples)), t0)

	installed := installedOn(fast.Installed, crds)
	res, err := ksmeval.EvaluateInstalled(fast.KSM, installed, objects)
	if err != nil {
		t.Fatalf("evaluating the generated KSM config: %v", err)
	}
	for _, e := range res.Errors {
		if e.LogV == 0 { // shown at kube-state-metrics' default verbosity
			t.Errorf("kube-state-metrics would log: %s", e)
		}
	}

	// The real kube-state-metrics, one per shard, as the bound service account.
	t0 = time.Now()
	saNamespace, saName := boundServiceAccount(t, rbacFile.Content)
	kubeconfig := serviceAccountKubeconfig(t, cluster, saNamespace, saName)
	configs := ksmConfigFiles(ksmFiles)
	deployments := deployKSM(t, ksmBin, kubeconfig, configs, installed, objects)
	// The cases that must go wrong start now, to run beside the rest.
	single, _ := findFile(fast.Files, ksm.ConfigFile)
	negative := []negativeCase{
		lackingResource(t, ksmBin, cluster, rbac, rbacFile.Content, single, sampleCRD(t, crds, samples[0])),
		typoPath(t, ksmBin, kubeconfig, single, installed, objects),
	}
	step(fmt.Sprintf("start %d kube-state-metrics", len(deployments)+len(negative)), t0)
	t.Run("KubeStateMetrics", func(t *testing.T) {
		t0 := time.Now()
		checkKSMSeries(t, deployments)
		step("kube-state-metrics series", t0)
	})
	t.Run("RBAC", func(t *testing.T) {
		checkKSMAllowed(t, rbac, testcluster.ServiceAccountUser(saNamespace, saName), deployments)
		checkRBACNoMore(t, rbac, testcluster.ServiceAccountUser(saNamespace, saName), rbacFile.Content, installed)
	})

	exp := &exporter{controllers: controllers}
	targets := []string{exp.serve(t)}
	for _, d := range deployments {
		targets = append(targets, d.server.addr)
	}
	t0 = time.Now()
	ruleFiles := writeRuleFiles(t, fast.Files, groups)
	prom := startPrometheus(t, promBin, targets, ruleFiles)
	step("start prometheus", t0)

	t.Run("Scrape", func(t *testing.T) { checkScrape(t, prom, len(targets), res) })
	t.Run("Alerts", func(t *testing.T) {
		t0 := time.Now()
		checkAlerts(t, prom, samples)
		step("alerts firing", t0)
	})
	t.Run("Rules", func(t *testing.T) { checkRules(t, prom, fast.Files, groups) })
	t.Run("Health", func(t *testing.T) { checkHealth(t, prom, fast, objects, samples) })
	t.Run("Dashboards", func(t *testing.T) {
		t0 := time.Now()
		checkDashboards(t, prom, shipped, samples)
		step("dashboard queries", t0)
	})
	for _, c := range negative {
		t.Run(c.name, c.check)
	}
	step("total", begin)
}

// sampleCRD is the CRD of s's kind.
func sampleCRD(t *testing.T, crds []*apiextensionsv1.CustomResourceDefinition, s sample) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	for _, crd := range crds {
		if crd.Spec.Group == s.group() && crd.Spec.Names.Kind == s.kind() {
			return crd
		}
	}
	t.Fatalf("%s: no CRD", s.id())
	return nil
}

// neededCRDs returns the prometheus-operator CRDs and the CRDs of the
// samples' kinds, read (with their schemas) from the corpus.
func neededCRDs(t *testing.T, samples []sample) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	var out []*apiextensionsv1.CustomResourceDefinition
	found := map[string]bool{}
	for _, crd := range testcluster.CorpusCRDs(t, "") {
		need := crd.Spec.Group == operatorGroup
		for _, s := range samples {
			if crd.Spec.Group == s.group() && crd.Spec.Names.Kind == s.kind() {
				need = true
				found[s.group()+"/"+s.kind()] = true
			}
		}
		if need {
			out = append(out, crd)
		}
	}
	for _, s := range samples {
		if !found[s.group()+"/"+s.kind()] {
			t.Fatalf("%s (%s): no CRD for %s/%s in the corpus", s.id(), s.source, s.group(), s.kind())
		}
	}
	return out
}

// createPrometheusRules creates every generated PrometheusRule object on the
// server, reporting every object its schema rejects.
func createPrometheusRules(t *testing.T, rs resources, files []output.File) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	for _, f := range files {
		if !isPrometheusRuleFile(f.Path) {
			continue
		}
		var u unstructured.Unstructured
		if err := yaml.Unmarshal(f.Content, &u.Object); err != nil {
			t.Fatalf("%s: %v", f.Path, err)
		}
		if u.GetKind() != "PrometheusRule" || u.GetNamespace() != ruleNamespace {
			t.Fatalf("%s: %s %s/%s, want a PrometheusRule in %s", f.Path, u.GetKind(), u.GetNamespace(), u.GetName(), ruleNamespace)
		}
		res, err := rs.of(&u)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := res.Create(ctx, &u, metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}); err != nil {
			t.Errorf("%s: the API server rejects it: %v", f.Path, err)
			continue
		}
		n++
	}
	if n == 0 && !t.Failed() {
		t.Fatal("no PrometheusRule files generated")
	}
	return n
}

// isPrometheusRuleFile reports whether path is a PrometheusRule file
// (rules/<group>.yaml), not a plain rule file or a promtool test.
func isPrometheusRuleFile(path string) bool {
	dir, base := filepath.Split(path)
	return dir == rules.Dir+"/" && strings.HasSuffix(base, ".yaml") && !strings.HasSuffix(base, ".rules.yaml")
}

// listBack lists, as kube-state-metrics would, every resource of the config
// whose CRD is on the server, and checks each sample came back.
func listBack(t *testing.T, c *testcluster.Cluster, cfg ksm.Config, crds []*apiextensionsv1.CustomResourceDefinition, samples []sample) []map[string]any {
	t.Helper()
	ctx := context.Background()
	var objects []map[string]any
	seen := map[string]bool{}
	for _, r := range cfg.Spec.Resources {
		gvk := r.GroupVersionKind
		for _, crd := range crds {
			kindMatches := ksm.IsWildcard(gvk.Kind) || crd.Spec.Names.Kind == gvk.Kind
			if crd.Spec.Group != gvk.Group || !kindMatches || !serves(crd, gvk.Version) {
				continue
			}
			gvr := schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: crd.Spec.Names.Plural}
			list, err := c.Dynamic.Resource(gvr).List(ctx, metav1.ListOptions{})
			if err != nil {
				t.Fatalf("listing %s: %v", gvr, err)
			}
			for _, item := range list.Items {
				objects = append(objects, item.Object)
				seen[objectID(gvk.Group, crd.Spec.Names.Kind, item.GetNamespace(), item.GetName())] = true
			}
		}
	}
	for _, s := range samples {
		if !seen[s.id()] {
			t.Fatalf("%s (%s): not listed back through the generated KSM config's resources", s.id(), s.source)
		}
	}
	return objects
}

func serves(crd *apiextensionsv1.CustomResourceDefinition, version string) bool {
	for _, v := range crd.Spec.Versions {
		if v.Name == version && v.Served {
			return true
		}
	}
	return false
}

// writeRuleFiles writes the plain rule files of groups to a temp dir.
func writeRuleFiles(t *testing.T, files []output.File, groups map[string][]string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for _, f := range files {
		if !rules.IsPlainPath(f.Path) {
			continue // the pack and the overrides: the same for any groups
		}
		p := filepath.Join(dir, filepath.Base(f.Path))
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func findFile(files []output.File, path string) (output.File, bool) {
	for _, f := range files {
		if f.Path == path {
			return f, true
		}
	}
	return output.File{}, false
}

// checkScrape waits for the n targets to be scraped and checks every series
// of res arrived.
func checkScrape(t *testing.T, p *prometheus, n int, res ksmeval.Result) {
	waitFor(t, 30*time.Second, "every target to be scraped", func() (bool, string) {
		ts, err := p.targets()
		if err != nil || len(ts) != n {
			return false, fmt.Sprintf("targets %+v, %v", ts, err)
		}
		for _, tg := range ts {
			if tg.Health != "up" {
				return false, fmt.Sprintf("target %s: %s %s", tg.ScrapeURL, tg.Health, tg.LastError)
			}
		}
		return true, ""
	})
	want := len(res.Samples())
	if want == 0 {
		t.Fatal("the generated KSM config produced no series for the samples")
	}
	got, _, err := p.query(`count({__name__=~"`+series.DefaultPrefix+`_.+"})`, true)
	if err != nil {
		t.Fatal(err)
	}
	if n := value(got); n != float64(want) {
		t.Errorf("Prometheus holds %v %s_* series, crdmon's emulation computes %d", n, series.DefaultPrefix, want)
	}
}

// alertKey identifies an alert by name and subject: the object, or the controller.
func alertKey(labels map[string]string) string {
	if c := labels["controller"]; c != "" {
		return labels["alertname"] + " controller=" + c
	}
	return labels["alertname"] + " " + objectID(labels[series.LabelGroup], labels[series.LabelKind], labels[series.LabelNamespace], labels[series.LabelName])
}

// checkAlerts waits until every expected alert fires, then requires that no
// other alert is pending or firing.
func checkAlerts(t *testing.T, p *prometheus, samples []sample) {
	want := map[string]bool{}
	for _, s := range samples {
		for _, a := range s.alerts() {
			want[a+" "+s.id()] = true
		}
	}
	for _, c := range controllers {
		for _, a := range c.alerts {
			want[a+" controller="+c.name] = true
		}
	}
	var got map[string]string // key -> state
	read := func() {
		alerts, err := p.alerts()
		if err != nil {
			t.Fatal(err)
		}
		got = map[string]string{}
		for _, a := range alerts {
			got[alertKey(a.Labels)] = a.State
		}
	}
	allFiring := func() bool {
		for k := range want {
			if got[k] != "firing" {
				return false
			}
		}
		return true
	}
	deadline := time.Now().Add(60 * time.Second)
	for read(); !allFiring() && time.Now().Before(deadline); read() {
		time.Sleep(500 * time.Millisecond)
	}
	if allFiring() {
		// Healthy objects' series were there from the first scrape, as long
		// as the unhealthy ones': give rules a few more evaluations, then compare.
		time.Sleep(3 * time.Second)
		read()
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if !want[k] {
			t.Errorf("unexpected alert: %s (%s)", k, got[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if got[k] != "firing" {
			t.Errorf("alert not firing: %s (%s)", k, orNone(got[k]))
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%d alerts firing, as expected", len(want))
}

func orNone(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// checkRules requires every generated rule group of the sample groups to be
// loaded with all its rules, each evaluated without error.
func checkRules(t *testing.T, p *prometheus, files []output.File, groups map[string][]string) {
	want := map[string]int{}
	for _, f := range files {
		if !rules.IsPlainPath(f.Path) {
			continue
		}
		var doc struct {
			Groups []struct {
				Name  string           `json:"name"`
				Rules []map[string]any `json:"rules"`
			} `json:"groups"`
		}
		if err := yaml.Unmarshal(f.Content, &doc); err != nil {
			t.Fatal(err)
		}
		for _, rg := range doc.Groups {
			want[rg.Name] = len(rg.Rules)
		}
	}
	var loaded []promRuleGroup
	waitFor(t, 30*time.Second, "every rule to be evaluated", func() (bool, string) {
		var err error
		if loaded, err = p.rules(); err != nil {
			t.Fatal(err)
		}
		for _, g := range loaded {
			for _, r := range g.Rules {
				if r.LastEvaluation.IsZero() {
					return false, fmt.Sprintf("rule %s of %s not evaluated yet", r.Name, g.Name)
				}
			}
		}
		return true, ""
	})
	got := map[string]int{}
	n := 0
	for _, g := range loaded {
		got[g.Name] = len(g.Rules)
		for _, r := range g.Rules {
			n++
			if r.Health != "ok" || r.LastError != "" {
				t.Errorf("group %s rule %s: health %s: %s\n  query: %s", g.Name, r.Name, r.Health, r.LastError, r.Query)
			}
		}
	}
	for name, count := range want {
		if got[name] != count {
			t.Errorf("rule group %s: Prometheus loaded %d rules, the file has %d", name, got[name], count)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Prometheus loaded groups %v, want %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	t.Logf("%d rules in %d groups evaluated without error", n, len(got))
}

// checkDashboards runs every query of the overview and, for each group of
// the samples, of the detail dashboard with its variables set as a user
// picking the samples would: $group the group, $kind the samples' kinds of
// it, $namespace their namespaces. It requires data from each query about
// those kinds: one selecting a family the sample kinds produce, the recorded
// health state or a controller-runtime metric. Queries only on families the
// sample kinds lack (say, generations when they have none) are left out, and
// so are queries counting objects in a health state no selected sample is
// recorded in, and queries on the layer-1 signal series while no rule
// records them. The label_values variables must list the sample groups,
// kinds and namespaces.
func checkDashboards(t *testing.T, p *prometheus, gen *generator.Result, samples []sample) {
	files := gen.Files
	groups := sampleGroups(samples)
	known := map[string]*model.Model{} // by group, "" for all
	known[""] = &model.Model{}
	for _, k := range gen.Model.Kinds {
		if slices.Contains(groups[k.Group], k.Kind) {
			if known[k.Group] == nil {
				known[k.Group] = &model.Model{}
			}
			known[k.Group].Kinds = append(known[k.Group].Kinds, k)
			known[""].Kinds = append(known[""].Kinds, k)
		}
	}
	namespaces := map[string][]string{} // by group
	for _, s := range samples {
		if ns := s.obj.GetNamespace(); !slices.Contains(namespaces[s.group()], ns) {
			namespaces[s.group()] = append(namespaces[s.group()], ns)
			sort.Strings(namespaces[s.group()])
		}
	}
	// states are the health states recorded for the selected samples.
	states := func(group string) map[string]bool {
		sel := health.Metric
		if group != "" {
			sel += `{customresource_group="` + group + `", customresource_kind=~"` + strings.Join(groups[group], "|") + `"}`
		}
		got, _, err := p.query("count by (state) ("+sel+")", true)
		if err != nil {
			t.Fatalf("recorded states: %v", err)
		}
		out := map[string]bool{}
		for _, s := range got {
			out[s.Metric["state"]] = true
		}
		return out
	}
	// recorded reports whether some rule records the metric.
	recorded := func(metric string) bool {
		got, _, err := p.query("count("+metric+")", true)
		return err == nil && len(got) > 0
	}
	total, skipped, boards := 0, 0, 0
	check := func(path, group string) {
		boards++
		f, ok := findFile(files, path)
		if !ok {
			t.Errorf("no %s generated", path)
			return
		}
		variables, err := dashboards.Variables(f.Content)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		queries, err := dashboards.Queries(f.Content)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		vals := map[string]string{"datasource": "prometheus", "cluster": ".*", "controller": ".*",
			"group": group, "kind": strings.Join(groups[group], "|"), "namespace": strings.Join(namespaces[group], "|")}
		for k, v := range grafanaBuiltins {
			vals[k] = v
		}
		for _, v := range variables {
			sel, label, ok := dashboards.LabelValuesQuery(v.Query)
			if v.Type != "query" || !ok {
				continue
			}
			sel, unknown := dashboards.Expand(sel, vals)
			if len(unknown) > 0 {
				t.Errorf("%s: variable %s: unknown Grafana variables %v", path, v.Name, unknown)
				continue
			}
			got, err := p.labelValues(label, sel)
			if err != nil {
				t.Errorf("%s: variable %s: %v", path, v.Name, err)
				continue
			}
			var want []string
			switch v.Name {
			case "group":
				want = slices.Sorted(maps.Keys(groups))
			case "kind":
				want = groups[group]
			case "namespace":
				want = namespaces[group]
			}
			switch {
			case want == nil && len(got) == 0:
				t.Errorf("%s: variable %s lists no values", path, v.Name)
			case v.Name == "namespace" && strings.Join(got, ",") != strings.Join(want, ","):
				t.Errorf("%s: variable namespace lists %v, want the samples' %v", path, got, want)
			case want != nil && v.Name != "namespace":
				for _, w := range want {
					if !slices.Contains(got, w) {
						t.Errorf("%s: variable %s lists %v, without the samples' %s", path, v.Name, got, w)
					}
				}
			}
		}
		if len(queries) == 0 {
			t.Errorf("%s: no panel queries", path)
		}
		inState := states(group)
		for _, q := range queries {
			total++
			expr, unknown := dashboards.Expand(q.Expr, vals)
			if len(unknown) > 0 {
				t.Errorf("%s: %s: unknown Grafana variables %v in %s", path, q, unknown, q.Expr)
				continue
			}
			metrics, err := selectedMetrics(expr)
			if err != nil {
				t.Errorf("%s: %s: %v\n  query: %s", path, q, err, expr)
				continue
			}
			got, warnings, err := p.query(expr, q.Instant)
			why := ""
			switch m := stateMatcher.FindStringSubmatch(expr); {
			case !anyKnown(metrics, dashboards.KnownMetrics(*known[group], series.DefaultPrefix, nil)):
				why = fmt.Sprintf("selects only %v, none about kinds %s", metrics, vals["kind"])
			case !rawKnown(metrics, dashboards.KnownMetrics(*known[group], series.DefaultPrefix, nil)):
				why = fmt.Sprintf("joins %v, not all of them about kinds %s", metrics, vals["kind"])
			case (m != nil && m[1] == "!=" || onlySignals(metrics)) && len(inState) == 1 && inState[health.Healthy]:
				why = "every selected sample is Healthy"
			case m != nil && m[1] == "=" && !inState[m[2]]:
				why = "no selected sample is " + m[2]
			case !slices.ContainsFunc(metrics, recorded):
				why = fmt.Sprintf("no rule records %v", metrics)
			}
			switch {
			case err != nil:
				t.Errorf("%s: %s: %v\n  query: %s", path, q, err, expr)
			case len(warnings) > 0:
				t.Errorf("%s: %s: warnings %v\n  query: %s", path, q, warnings, expr)
			case len(got) == 0 && why != "":
				t.Logf("%s: %s: no data, not required: %s", path, q, why)
				skipped++
			case len(got) == 0:
				t.Errorf("%s: %s: no data for kinds %s\n  query: %s", path, q, vals["kind"], expr)
			}
		}
	}
	check(dashboards.Dir+"/"+dashboards.OverviewKey+".json", "")
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		check(dashboards.Dir+"/"+dashboards.DetailKey+".json", g)
	}
	t.Logf("%d dashboard queries over %d dashboard views returned data (%d not required to)", total-skipped, boards, skipped)
}

// onlySignals reports whether metrics are all layer-1 signal series.
func onlySignals(metrics []string) bool {
	for _, m := range metrics {
		if !strings.HasPrefix(m, "crdmon:signal:") {
			return false
		}
	}
	return len(metrics) > 0
}

// stateMatcher finds the health state a query counts: the operator and the state.
var stateMatcher = regexp.MustCompile(`\bstate(=|!=)"(\w+)"`)

// promParser parses PromQL as a default Prometheus server does.
var promParser = parser.NewParser(parser.Options{})

// selectedMetrics returns the metric names expr selects.
func selectedMetrics(expr string) ([]string, error) {
	node, err := promParser.ParseExpr(expr)
	if err != nil {
		return nil, err
	}
	var out []string
	parser.Inspect(node, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok && !slices.Contains(out, vs.Name) {
			out = append(out, vs.Name)
		}
		return nil
	})
	return out, nil
}

func anyKnown(metrics []string, known map[string]bool) bool {
	for _, m := range metrics {
		if known[m] {
			return true
		}
	}
	return false
}

// rawKnown reports whether every kube-state-metrics family among metrics
// is known: a query joining two families (observed_generation <
// generation) has data only for kinds that have both.
func rawKnown(metrics []string, known map[string]bool) bool {
	for _, m := range metrics {
		if strings.HasPrefix(m, series.DefaultPrefix+"_") && !known[m] {
			return false
		}
	}
	return true
}

// value is the first sample's value of an instant query result, or -1.
func value(s []querySeries) float64 {
	if len(s) == 0 || len(s[0].Value) != 2 {
		return -1
	}
	var f float64
	if str, ok := s[0].Value[1].(string); ok {
		fmt.Sscan(str, &f)
	}
	return f
}

// waitFor polls cond every 500ms until it holds, failing after timeout with
// cond's last explanation.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s: %s", timeout, what, why)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
