//go:build e2e

package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	rbacv1 "k8s.io/api/rbac/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/series"
	"github.com/crdmon/crdmon/internal/testcluster"
)

// negativeCase is a kube-state-metrics run the test expects to go wrong in
// a known way: started first, checked once it had time to.
type negativeCase struct {
	name  string
	check func(t *testing.T)
}

// lackingResource starts kube-state-metrics, with the single generated
// config, as a service account bound to the generated ClusterRole less
// the plural of crd; check then requires kube-state-metrics' own error for
// that kind, the authorizer's refusal, and the series of the other kinds.
func lackingResource(t *testing.T, bin string, c *testcluster.Cluster, rbac *testcluster.RBAC, rbacYAML []byte, config output.File, crd *apiextensionsv1.CustomResourceDefinition) negativeCase {
	t.Helper()
	const namespace, name = "monitoring", "kube-state-metrics-lacking"
	group, plural := crd.Spec.Group, crd.Spec.Names.Plural
	role := lessResource(t, rbacYAML, group, plural)
	role.Name = "crdmon-e2e-lacking"
	binding := rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: role.Name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role.Name},
		Subjects:   []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Namespace: namespace, Name: name}},
	}
	docs, err := output.YAMLDocuments(role, binding)
	if err != nil {
		t.Fatal(err)
	}
	if err := rbac.Add(docs); err != nil {
		t.Fatal(err)
	}
	server := startKSM(t, bin, serviceAccountKubeconfig(t, c, namespace, name), config.Path+" (ClusterRole without "+plural+")", writeTemp(t, config))
	user := testcluster.ServiceAccountUser(namespace, name)
	return negativeCase{name: "ClusterRole without " + group + "/" + plural, check: func(t *testing.T) {
		// client-go's reflector logs the refusal, with the API server's words.
		want := []string{"forbidden", plural, group, "at the cluster scope"}
		line, ok := server.waitLog(20*time.Second, want...)
		if !ok {
			t.Fatalf("kube-state-metrics logged no line with %q", want)
		}
		t.Logf("kube-state-metrics logs: %s", line)
		refused := slices.ContainsFunc(rbac.Decisions(user), func(d testcluster.Decision) bool {
			return !d.Allowed && strings.HasSuffix(d.Request, " "+group+"/"+plural)
		})
		if !refused {
			t.Errorf("the authorizer refused %s nothing on %s/%s: %v", user, group, plural, rbac.Decisions(user))
		}
		// Its own metrics count the failed lists, without naming the kind.
		self, err := server.selfMetrics()
		if err != nil {
			t.Fatal(err)
		}
		if line, ok := listErrors(self); ok {
			t.Logf("kube-state-metrics' own metrics: %s", line)
		} else {
			t.Error("kube-state-metrics' own metrics count no failed list")
		}
		text, err := server.metrics()
		if err != nil {
			t.Fatal(err)
		}
		var others int
		for _, line := range strings.Split(text, "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			s, err := parseSample(line)
			if err != nil {
				t.Fatal(err)
			}
			if s.labels[series.LabelGroup] == group && s.labels[series.LabelKind] == crd.Spec.Names.Kind {
				t.Errorf("a series of the refused kind: %s", line)
			} else {
				others++
			}
		}
		if others == 0 {
			t.Error("no series of the kinds still allowed")
		}
	}}
}

// listErrors finds kube-state-metrics' count of failed lists, above zero,
// in its own metrics.
func listErrors(self string) (string, bool) {
	for _, line := range strings.Split(self, "\n") {
		if s, err := parseSample(line); err == nil && s.name == "kube_state_metrics_list_total" && s.labels["result"] == "error" && s.value > 0 {
			return line, true
		}
	}
	return "", false
}

// lessResource is the generated ClusterRole (the first) without plural in group.
func lessResource(t *testing.T, rbacYAML []byte, group, plural string) rbacv1.ClusterRole {
	t.Helper()
	roles, _ := generatedRBAC(t, rbacYAML)
	role := roles[0]
	removed := false
	var rules []rbacv1.PolicyRule
	for _, r := range role.Rules {
		if slices.Equal(r.APIGroups, []string{group}) && slices.Contains(r.Resources, plural) {
			r.Resources = slices.DeleteFunc(slices.Clone(r.Resources), func(p string) bool { return p == plural })
			removed = true
			if len(r.Resources) == 0 {
				continue
			}
		}
		rules = append(rules, r)
	}
	if !removed {
		t.Fatalf("the generated ClusterRole %s grants no %s in %s", role.Name, plural, group)
	}
	role.Rules = rules
	return role
}

// typoPath starts kube-state-metrics with the single generated config in
// which every [metadata, generation] path is misspelled, as a hand edit
// would. crdmon's emulation, over the same objects, predicts what
// kube-state-metrics logs before it runs; check then requires
// kube-state-metrics to log exactly the predicted lines.
func typoPath(t *testing.T, bin, kubeconfig string, config output.File, installed []ksm.CRD, objects []map[string]any) negativeCase {
	t.Helper()
	const right, typo = "[metadata, generation]", "[metadata, generaton]"
	if !bytes.Contains(config.Content, []byte(right)) {
		t.Fatalf("%s has no path %s to misspell", config.Path, right)
	}
	config.Content = bytes.ReplaceAll(config.Content, []byte(right), []byte(typo))
	predicted, err := ksmeval.EvaluateInstalled(readConfig(t, config), installed, objects)
	if err != nil {
		t.Fatalf("crdmon's emulation of the misspelled config: %v", err)
	}
	want := predictedLogs(predicted)
	server := startKSM(t, bin, kubeconfig, config.Path+" (path misspelled)", writeTemp(t, config))
	return negativeCase{name: "config path misspelled", check: func(t *testing.T) {
		if len(want) == 0 {
			t.Fatal("crdmon's emulation predicts no error for the misspelled path")
		}
		for _, w := range want {
			line, ok := server.waitLog(20*time.Second, w)
			if !ok {
				t.Fatalf("kube-state-metrics did not log the predicted %s", w)
			}
			t.Logf("predicted by crdmon's emulation, logged by kube-state-metrics: %s", line)
		}
		for _, line := range strings.Split(server.logs.String(), "\n") {
			if strings.Contains(line, "registry_factory.go") && strings.Contains(line, " err=") &&
				!slices.ContainsFunc(want, func(w string) bool { return strings.Contains(line, w) }) {
				t.Errorf("kube-state-metrics logs an error crdmon's emulation does not predict: %s", line)
			}
		}
	}}
}

// writeTemp writes f's content to a temp file named as f and returns its path.
func writeTemp(t *testing.T, f output.File) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), filepath.Base(f.Path))
	if err := os.WriteFile(p, f.Content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
