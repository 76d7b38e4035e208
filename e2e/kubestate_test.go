//go:build e2e

package e2e

import (
	"bytes"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/internal/testcluster"
)

// splitKSM renders the kube-state-metrics files of gen again with a config
// budget of a third of its config, so that the config is split into shards
// as a large provider's is (README, "Large providers"), each to be served
// by its own kube-state-metrics. The shards together must be gen's config.
func splitKSM(t *testing.T, gen *generator.Result, opts generator.Options) []output.File {
	t.Helper()
	single, ok := findFile(gen.Files, ksm.ConfigFile)
	if !ok {
		t.Fatalf("no %s generated", ksm.ConfigFile)
	}
	o := opts.KSM
	o.Installed = gen.Installed
	o.MaxConfig = len(single.Content)/3 + 1
	// A smaller budget must not change which resources are wildcards.
	o.Wildcards = ksm.WildcardsNever
	if slices.ContainsFunc(gen.KSM.Spec.Resources, func(r ksm.Resource) bool { return ksm.IsWildcard(r.GroupVersionKind.Kind) }) {
		o.Wildcards = ksm.WildcardsAlways
	}
	cfg, files, err := ksm.Render(gen.Model, o)
	if err != nil {
		t.Fatalf("rendering the kube-state-metrics config in shards: %v", err)
	}
	if !reflect.DeepEqual(cfg, gen.KSM) {
		t.Fatal("the config rendered in shards is not the generated config")
	}
	if len(ksmConfigFiles(files)) < 2 {
		t.Fatalf("the config of %d bytes is not split at a budget of %d", len(single.Content), o.MaxConfig)
	}
	return files
}

// ksmConfigFiles are the generated config files, one per kube-state-metrics:
// the config, or each shard of a split one.
func ksmConfigFiles(files []output.File) []output.File {
	var out []output.File
	for _, f := range files {
		if shard, _ := path.Match(ksm.ShardConfigPattern, f.Path); shard || f.Path == ksm.ConfigFile {
			out = append(out, f)
		}
	}
	return out
}

// readConfig decodes a config file as written.
func readConfig(t *testing.T, f output.File) ksm.Config {
	t.Helper()
	var cfg ksm.Config
	if err := yaml.UnmarshalStrict(f.Content, &cfg); err != nil {
		t.Fatalf("%s: %v", f.Path, err)
	}
	return cfg
}

// installedOn is what kube-state-metrics' discovery finds on the server:
// the CRDs of all (the generated result's) applied there.
func installedOn(all []ksm.CRD, crds []*apiextensionsv1.CustomResourceDefinition) []ksm.CRD {
	var out []ksm.CRD
	for _, c := range all {
		if slices.ContainsFunc(crds, func(d *apiextensionsv1.CustomResourceDefinition) bool {
			return d.Spec.Group == c.Group && d.Spec.Names.Kind == c.Kind
		}) {
			out = append(out, c)
		}
	}
	return out
}

// generatedRBAC decodes the generated RBAC file.
func generatedRBAC(t *testing.T, rbac []byte) (roles []rbacv1.ClusterRole, bindings []rbacv1.ClusterRoleBinding) {
	t.Helper()
	for _, doc := range bytes.Split(rbac, []byte("\n---\n")) {
		var head metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &head); err != nil {
			t.Fatal(err)
		}
		var err error
		switch head.Kind {
		case "ClusterRole":
			roles = append(roles, rbacv1.ClusterRole{})
			err = yaml.UnmarshalStrict(doc, &roles[len(roles)-1])
		case "ClusterRoleBinding":
			bindings = append(bindings, rbacv1.ClusterRoleBinding{})
			err = yaml.UnmarshalStrict(doc, &bindings[len(bindings)-1])
		default:
			err = fmt.Errorf("a %s", head.Kind)
		}
		if err != nil {
			t.Fatalf("%s: %v", ksm.RBACFile, err)
		}
	}
	if len(roles) == 0 || len(bindings) == 0 {
		t.Fatalf("%s: %d ClusterRoles, %d ClusterRoleBindings", ksm.RBACFile, len(roles), len(bindings))
	}
	return roles, bindings
}

// boundServiceAccount is the service account the generated
// ClusterRoleBindings bind: all of them must name the same one.
func boundServiceAccount(t *testing.T, rbac []byte) (namespace, name string) {
	t.Helper()
	_, bindings := generatedRBAC(t, rbac)
	for _, b := range bindings {
		if len(b.Subjects) != 1 || b.Subjects[0].Kind != rbacv1.ServiceAccountKind {
			t.Fatalf("ClusterRoleBinding %s binds %+v, want one ServiceAccount", b.Name, b.Subjects)
		}
		s := b.Subjects[0]
		if name != "" && (s.Namespace != namespace || s.Name != name) {
			t.Fatalf("the ClusterRoleBindings bind %s/%s and %s/%s", namespace, name, s.Namespace, s.Name)
		}
		namespace, name = s.Namespace, s.Name
	}
	return namespace, name
}

// serviceAccountKubeconfig writes a kubeconfig whose user is the service
// account: a client certificate for its user name and groups.
func serviceAccountKubeconfig(t *testing.T, c *testcluster.Cluster, namespace, name string) string {
	t.Helper()
	user := testcluster.ServiceAccountUser(namespace, name)
	return testcluster.WriteKubeconfig(t, testcluster.KubeconfigFor(c.UserConfig(t, user, testcluster.ServiceAccountGroups(namespace)...), name))
}

// deployed is a kube-state-metrics serving one config file, and what crdmon's
// emulation computes for that config over the same objects.
type deployed struct {
	server *ksmServer
	want   ksmeval.Result
}

// deployKSM starts one kube-state-metrics per config file, as the user of
// kubeconfig, and evaluates each config with crdmon's emulation over the
// objects on the server.
func deployKSM(t *testing.T, bin, kubeconfig string, configs []output.File, installed []ksm.CRD, objects []map[string]any) []deployed {
	t.Helper()
	var out []deployed
	for _, f := range configs {
		want, err := ksmeval.EvaluateInstalled(readConfig(t, f), installed, objects)
		if err != nil {
			t.Fatalf("%s: crdmon's emulation: %v", f.Path, err)
		}
		out = append(out, deployed{server: startKSM(t, bin, kubeconfig, f.Path, writeTemp(t, f)), want: want})
	}
	return out
}

// familyNames are the metric names a config's resources produce.
func familyNames(r ksmeval.Result) map[string]bool {
	out := map[string]bool{}
	for _, f := range r.Families {
		out[f.Name] = true
	}
	return out
}

// checkKSMSeries requires each kube-state-metrics to serve, once its stores
// have filled, exactly the series and HELP/TYPE lines crdmon's emulation
// computes for its config: label for label, value for value.
func checkKSMSeries(t *testing.T, ds []deployed) {
	for _, d := range ds {
		names := familyNames(d.want)
		want, err := parseExposition(string(d.want.Exposition()), names)
		if err != nil {
			t.Fatalf("%s: crdmon's exposition: %v", d.server.config, err)
		}
		var diff []string
		deadline := time.Now().Add(30 * time.Second)
		for {
			text, err := d.server.metrics()
			if err != nil {
				t.Fatalf("%s: %v", d.server.config, err)
			}
			got, err := parseExposition(text, names)
			if err != nil {
				t.Fatalf("%s: kube-state-metrics' /metrics: %v", d.server.config, err)
			}
			if diff = diffExpositions(want, got); len(diff) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(500 * time.Millisecond)
		}
		if len(diff) > 0 {
			t.Errorf("%s: kube-state-metrics serves other series than crdmon's emulation computes:\n  %s",
				d.server.config, strings.Join(diff, "\n  "))
			continue
		}
		t.Logf("%s: kube-state-metrics serves the %d series crdmon's emulation computes, in %d families", d.server.config, len(want.samples), len(names))
	}
}

// checkKSMAllowed requires every request of the service account's user to
// have been allowed by the generated RBAC, and kube-state-metrics to log
// neither a refusal nor a failure to build its stores.
func checkKSMAllowed(t *testing.T, rbac *testcluster.RBAC, user string, ds []deployed) {
	n := 0
	for _, d := range rbac.Decisions(user) {
		n++
		if !d.Allowed {
			t.Errorf("the generated RBAC refuses kube-state-metrics: %s", d)
		}
	}
	if n == 0 {
		t.Errorf("the authorizer was never asked about %s", user)
	}
	for _, d := range ds {
		for _, bad := range []string{"forbidden", "failed to update custom resource stores", "failed to create metrics factory"} {
			if line, ok := d.server.logLine(bad); ok {
				t.Errorf("%s: kube-state-metrics logs: %s", d.server.config, line)
			}
		}
	}
	t.Logf("the generated RBAC allowed all %d requests of %s", n, user)
}

// checkRBACNoMore requires the generated ClusterRole to grant no more than
// kube-state-metrics uses: only list and watch, no wildcard, and every
// grant on a resource the cluster serves asked for by the service account.
// Grants on kinds the test cluster does not install cannot be exercised;
// their count is logged.
func checkRBACNoMore(t *testing.T, rbac *testcluster.RBAC, user string, rbacYAML []byte, installed []ksm.CRD) {
	asked := map[string]bool{}
	for _, d := range rbac.Decisions(user) {
		asked[d.Request] = asked[d.Request] || d.Allowed
	}
	served := map[string]bool{"apiextensions.k8s.io/customresourcedefinitions": true}
	for _, c := range installed {
		served[c.Group+"/"+c.Plural] = true
	}
	used, unexercised := 0, 0
	roles, _ := generatedRBAC(t, rbacYAML)
	for _, role := range roles {
		for _, rule := range role.Rules {
			if len(rule.NonResourceURLs) > 0 || len(rule.ResourceNames) > 0 {
				t.Errorf("ClusterRole %s: rule %v grants non-resource URLs or names kube-state-metrics does not ask for", role.Name, rule)
			}
			for _, v := range rule.Verbs {
				if v != "list" && v != "watch" {
					t.Errorf("ClusterRole %s grants %q; kube-state-metrics only lists and watches", role.Name, v)
				}
			}
			for _, g := range rule.APIGroups {
				for _, r := range rule.Resources {
					if g == "*" || r == "*" || strings.Contains(r, "/") {
						t.Errorf("ClusterRole %s grants %s/%s: a wildcard or a subresource", role.Name, g, r)
						continue
					}
					for _, v := range rule.Verbs {
						req := v + " " + g + "/" + r
						switch {
						case !served[g+"/"+r]:
							unexercised++
						case !asked[req]:
							t.Errorf("ClusterRole %s grants %q, which kube-state-metrics never asked for", role.Name, req)
						default:
							used++
						}
					}
				}
			}
		}
	}
	if used == 0 {
		t.Errorf("no grant of the generated ClusterRole was used: the check proves nothing")
	}
	t.Logf("the generated ClusterRole grants nothing unused: %d grants asked for, %d on kinds the test cluster does not install", used, unexercised)
}

// predictedLogs are the distinct log lines crdmon's emulation says
// kube-state-metrics writes at its default verbosity, as
// `"<family>" err="<message>"` (kube-state-metrics does not name the object).
func predictedLogs(r ksmeval.Result) []string {
	var out []string
	for _, e := range r.Errors {
		if line := fmt.Sprintf("%q err=%q", e.Family, e.Message); e.LogV == 0 && !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	return out
}
