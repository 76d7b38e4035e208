package ksm

import (
	"sort"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
)

// Options control the kube-state-metrics artifacts.
type Options struct {
	Prefix         string // metric name prefix; "" means no prefix
	Namespace      string // namespace of kube-state-metrics' ServiceAccount
	ServiceAccount string // kube-state-metrics' ServiceAccount name
	RoleName       string // name of the ClusterRole and ClusterRoleBinding
}

// DefaultOptions are the defaults of `crdmon generate`.
func DefaultOptions() Options {
	return Options{
		Prefix:         "kube_customresource",
		Namespace:      "monitoring",
		ServiceAccount: "kube-state-metrics",
		RoleName:       "crdmon-kube-state-metrics",
	}
}

// Output file paths, relative to the output directory.
const (
	ConfigFile     = "kube-state-metrics/custom-resource-state.yaml"
	RBACFile       = "kube-state-metrics/rbac.yaml"
	HelmValuesFile = "kube-state-metrics/kube-prometheus-stack-values.yaml"
)

// Render returns the config, the RBAC and the kube-prometheus-stack values.
func Render(m model.Model, opts Options) (Config, []output.File, error) {
	cfg, err := Build(m, opts.Prefix)
	if err != nil {
		return Config{}, nil, err
	}
	rules := RBACRules(m)
	body, err := output.FlowYAML(cfg)
	if err != nil {
		return Config{}, nil, err
	}
	config := append([]byte(output.Header("#")), body...)
	rbac, err := output.YAMLDocuments(clusterRole(opts, rules), clusterRoleBinding(opts))
	if err != nil {
		return Config{}, nil, err
	}
	values, err := output.YAMLDocuments(helmValues(cfg, rules))
	if err != nil {
		return Config{}, nil, err
	}
	return cfg, []output.File{
		{Path: ConfigFile, Content: config},
		{Path: RBACFile, Content: rbac},
		{Path: HelmValuesFile, Content: values},
	}, nil
}

// RBACRules grants list/watch on CRDs (kube-state-metrics resolves every
// configured kind through them) and on each exposed kind's plural.
func RBACRules(m model.Model) []rbacv1.PolicyRule {
	rules := []rbacv1.PolicyRule{{
		APIGroups: []string{"apiextensions.k8s.io"},
		Resources: []string{"customresourcedefinitions"},
		Verbs:     []string{"list", "watch"},
	}}
	plurals := map[string][]string{}
	for _, k := range m.Kinds {
		if k.HasSignals() {
			plurals[k.Group] = append(plurals[k.Group], k.Plural)
		}
	}
	groups := make([]string, 0, len(plurals))
	for g := range plurals {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	for _, g := range groups {
		sort.Strings(plurals[g])
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: plurals[g], Verbs: []string{"list", "watch"}})
	}
	return rules
}

func clusterRole(opts Options, rules []rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: opts.RoleName, Labels: map[string]string{"app.kubernetes.io/managed-by": "crdmon"}},
		Rules:      rules,
	}
}

func clusterRoleBinding(opts Options) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: opts.RoleName, Labels: map[string]string{"app.kubernetes.io/managed-by": "crdmon"}},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: opts.RoleName},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: opts.ServiceAccount, Namespace: opts.Namespace}},
	}
}

// helmValues nests the config the way the kube-state-metrics chart (also as
// kube-prometheus-stack's sub-chart) expects it, with the RBAC as extraRules.
func helmValues(cfg Config, rules []rbacv1.PolicyRule) map[string]any {
	return map[string]any{
		"kube-state-metrics": map[string]any{
			"customResourceState": map[string]any{
				"enabled": true,
				"config":  map[string]any{"kind": cfg.Kind, "spec": cfg.Spec},
			},
			"rbac": map[string]any{"extraRules": rules},
		},
	}
}
