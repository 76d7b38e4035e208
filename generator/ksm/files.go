package ksm

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crdmon/crdmon/generator/internal/parallel"
	"github.com/crdmon/crdmon/generator/limits"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
)

// Options control the kube-state-metrics artifacts.
type Options struct {
	Prefix         string // metric name prefix; "" means no prefix
	Namespace      string // namespace of kube-state-metrics' ServiceAccount
	ServiceAccount string // kube-state-metrics' ServiceAccount name
	RoleName       string // name of the ClusterRole and ClusterRoleBinding

	// Wildcards says when the kinds of a group and version are merged into
	// one wildcard resource, where that serves exactly the same series (see
	// withWildcards): WildcardsAuto, WildcardsAlways or WildcardsNever ("").
	Wildcards string
	// Installed are the CRDs of the input, before filters, as the cluster is
	// assumed to have them; nil means the model's kinds.
	Installed []CRD
	// MaxConfig is the most bytes a config file may hold; a larger config is
	// split into shards, each for its own kube-state-metrics instance.
	// 0 means limits.KSMConfig.
	MaxConfig int
	// MaxObject is the most bytes a ClusterRole may reach once applied (see
	// limits.AppliedSize); more rules are split over several ClusterRoles.
	// 0 means limits.Annotations.
	MaxObject int
}

// DefaultOptions are the defaults of `crdmon generate`.
func DefaultOptions() Options {
	return Options{
		Prefix:         "kube_customresource",
		Namespace:      "monitoring",
		ServiceAccount: "kube-state-metrics",
		RoleName:       "crdmon-kube-state-metrics",
		Wildcards:      WildcardsAuto,
	}
}

// Wildcard policies (Options.Wildcards).
const (
	// WildcardsAuto merges only when the config with one resource per kind
	// is over MaxConfig: small configs stay explicit, large ones shrink
	// before they are split into shards.
	WildcardsAuto   = "auto"
	WildcardsAlways = "always" // merge wherever it is exact
	WildcardsNever  = "never"  // one resource per kind
)

// Output file paths, relative to the output directory.
const (
	ConfigFile     = "kube-state-metrics/custom-resource-state.yaml"
	RBACFile       = "kube-state-metrics/rbac.yaml"
	HelmValuesFile = "kube-state-metrics/kube-prometheus-stack-values.yaml"
)

// ShardConfigPattern matches (path.Match) the config files of a split config.
const ShardConfigPattern = "kube-state-metrics/custom-resource-state-*.yaml"

// ShardConfigFile is the config of shard i (from 1) of a split config.
func ShardConfigFile(i int) string {
	return fmt.Sprintf("kube-state-metrics/custom-resource-state-%d.yaml", i)
}

// ShardValuesFile holds the values of a kube-state-metrics chart release
// serving shard i (from 1) of a split config.
func ShardValuesFile(i int) string {
	return fmt.Sprintf("kube-state-metrics/kube-state-metrics-values-%d.yaml", i)
}

// Render returns the config and its files: the RBAC and, when the config
// fits in one file, the config and the kube-prometheus-stack values; else,
// per shard, a config file and the values of a kube-state-metrics chart
// release serving it.
func Render(m model.Model, opts Options) (Config, []output.File, error) {
	w, err := build(m, opts)
	if err != nil {
		return Config{}, nil, err
	}
	cfg := w.cfg
	shards := []written{w}
	size, err := w.size()
	if err != nil {
		return Config{}, nil, err
	}
	if budget := cmp.Or(opts.MaxConfig, limits.KSMConfig); size > budget {
		if shards, err = w.shards(budget); err != nil {
			return Config{}, nil, err
		}
	}
	rbac, err := rbacFile(opts, RBACRules(cfg.Spec.Resources))
	if err != nil {
		return Config{}, nil, err
	}
	files := []output.File{rbac}
	for i, shard := range shards {
		config, err := shard.file()
		if err != nil {
			return Config{}, nil, err
		}
		values := kubePrometheusStackValues(shard.cfg)
		configPath, valuesPath := ConfigFile, HelmValuesFile
		if len(shards) > 1 {
			values = chartValues(shard.cfg)
			configPath, valuesPath = ShardConfigFile(i+1), ShardValuesFile(i+1)
		}
		content, err := output.YAMLDocuments(values)
		if err != nil {
			return Config{}, nil, err
		}
		files = append(files, output.File{Path: configPath, Content: config}, output.File{Path: valuesPath, Content: content})
	}
	output.Sort(files)
	return cfg, files, nil
}

// written is a config as written: its file is its head followed by each
// resource's lines (see resourceLines). A large config is written resource
// by resource, never encoded whole: that took hundreds of MB; and its
// shards are written from the same lines.
type written struct {
	cfg   Config
	head  []byte   // nil when the config has no resources
	lines [][]byte // per resource
}

// write writes cfg resource by resource.
func write(cfg Config) (written, error) {
	w := written{cfg: cfg}
	if len(cfg.Spec.Resources) == 0 {
		return w, nil
	}
	var err error
	if w.head, err = configHead(cfg.Kind); err != nil {
		return written{}, err
	}
	// Resources are written side by side, in a few runs of consecutive
	// resources that each remember their strings' styles.
	res := cfg.Spec.Resources
	var runs [][2]int
	for start, n := 0, (len(res)+writeRuns-1)/writeRuns; start < len(res); start += n {
		runs = append(runs, [2]int{start, min(start+n, len(res))})
	}
	w.lines = make([][]byte, len(res))
	err = parallel.Each(runs, func(run [2]int) error {
		styles := output.NewFlowStyles()
		for i := run[0]; i < run[1]; i++ {
			var err error
			if w.lines[i], err = resourceLines(styles, cfg.Kind, w.head, res[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return written{}, err
	}
	return w, nil
}

// writeRuns is how many runs of resources write writes side by side.
const writeRuns = 8

// size is the length of the config's file.
func (w written) size() (int, error) {
	if w.head == nil {
		empty, err := emptyConfigFile(w.cfg.Kind)
		return len(empty), err
	}
	n := len(w.head)
	for _, l := range w.lines {
		n += len(l)
	}
	return n, nil
}

// file is the config's file, with the generated-file header.
func (w written) file() ([]byte, error) {
	if w.head == nil {
		return emptyConfigFile(w.cfg.Kind)
	}
	n, _ := w.size()
	out := make([]byte, 0, n)
	out = append(out, w.head...)
	for _, l := range w.lines {
		out = append(out, l...)
	}
	return out, nil
}

// emptyConfigFile is the file of a config without resources.
func emptyConfigFile(kind string) ([]byte, error) {
	body, err := output.FlowYAML(Config{Kind: kind, Spec: Spec{Resources: []Resource{}}})
	if err != nil {
		return nil, err
	}
	return append([]byte(output.Header("#")), body...), nil
}

// configHead is what a config file with resources holds before them: the
// empty config's file, its list opened instead of written empty.
func configHead(kind string) ([]byte, error) {
	empty, err := emptyConfigFile(kind)
	if err != nil {
		return nil, err
	}
	const emptyList = " []\n"
	if !bytes.HasSuffix(empty, []byte(emptyList)) {
		return nil, fmt.Errorf("the empty kube-state-metrics config does not end with its resources: %q", empty)
	}
	return append(empty[:len(empty)-len(emptyList):len(empty)-len(emptyList)], '\n'), nil
}

// resourceLines are the lines of one resource in a config file: the file
// of a config holding it alone, less the head. The resources are the last
// list of the config and FlowYAML writes each item of a list the same
// wherever it is, so a file is its head followed by its resources' lines.
func resourceLines(styles output.FlowStyles, kind string, head []byte, r Resource) ([]byte, error) {
	body, err := styles.YAML(Config{Kind: kind, Spec: Spec{Resources: []Resource{r}}})
	if err != nil {
		return nil, err
	}
	one := append([]byte(output.Header("#")), body...)
	if !bytes.HasPrefix(one, head) {
		return nil, fmt.Errorf("the kube-state-metrics config of %s/%s does not start as the others", r.GroupVersionKind.Group, r.GroupVersionKind.Kind)
	}
	return one[len(head):], nil
}

// Shards splits cfg, in order, into configs of at most budget bytes each as
// written, keeping the resources of an API group together unless the group
// alone is over budget. kube-state-metrics reads a single config, so each
// shard needs its own kube-state-metrics instance; no GVK is in two shards.
func Shards(cfg Config, budget int) ([]Config, error) {
	w, err := write(cfg)
	if err != nil {
		return nil, err
	}
	shards, err := w.shards(budget)
	if err != nil {
		return nil, err
	}
	out := make([]Config, len(shards))
	for i, s := range shards {
		out[i] = s.cfg
	}
	return out, nil
}

// shards is Shards for a config written.
func (w written) shards(budget int) ([]written, error) {
	cfg := w.cfg
	if w.head == nil {
		return []written{w}, nil
	}
	// A file's size is its head plus each resource's lines.
	base := len(w.head)
	cost := make([]int, len(w.lines))
	total := base
	for i, l := range w.lines {
		cost[i] = len(l)
		total += cost[i]
	}
	if total <= budget {
		return []written{w}, nil
	}
	// Items to pack: whole groups, or the resources of a group over budget;
	// each is a range of resources.
	type item struct{ start, end int }
	var items []item
	var sizes []int
	room := budget - base
	res := cfg.Spec.Resources
	for start := 0; start < len(res); {
		end, size := start, 0
		for end < len(res) && res[end].GroupVersionKind.Group == res[start].GroupVersionKind.Group {
			size += cost[end]
			end++
		}
		if size <= room {
			items, sizes = append(items, item{start, end}), append(sizes, size)
		} else {
			for i := start; i < end; i++ {
				items, sizes = append(items, item{i, i + 1}), append(sizes, cost[i])
			}
		}
		start = end
	}
	ends, err := limits.Pack(sizes, room)
	var big *limits.TooLargeError
	if errors.As(err, &big) {
		gvk := res[items[big.Index].start].GroupVersionKind
		return nil, &limits.Error{File: ConfigFile, What: fmt.Sprintf("the resource for %s/%s %s alone", gvk.Group, gvk.Version, gvk.Kind),
			Size: big.Size + base, Limit: budget, Reason: "a config file holds at least one resource"}
	}
	if err != nil {
		return nil, err
	}
	var out []written
	start := 0
	for _, end := range ends {
		// Packed items are consecutive: a shard is one range of resources.
		from, to := items[start].start, items[end-1].end
		shard := written{cfg: Config{Kind: cfg.Kind, Spec: Spec{Resources: append([]Resource{}, res[from:to]...)}}, head: w.head, lines: w.lines[from:to]}
		out = append(out, shard)
		start = end
	}
	return out, nil
}

// RBACRules grants list/watch on CRDs (kube-state-metrics resolves every
// configured resource through them) and on what each resource reaches: an
// explicit kind's plural, or for a wildcard kind every resource of its group
// ("*"). A wildcard reaches whatever kinds the cluster serves in the group,
// including kinds newer than the input; a kind kube-state-metrics may not
// list would leave it logging "forbidden" and serving nothing for that kind.
func RBACRules(resources []Resource) []rbacv1.PolicyRule {
	rules := []rbacv1.PolicyRule{{
		APIGroups: []string{"apiextensions.k8s.io"},
		Resources: []string{"customresourcedefinitions"},
		Verbs:     []string{"list", "watch"},
	}}
	plurals := map[string][]string{}
	for _, r := range resources {
		g, plural := r.GroupVersionKind.Group, r.ResourcePlural
		if IsWildcard(r.GroupVersionKind.Kind) {
			plural = "*"
		}
		if !slices.Contains(plurals[g], plural) {
			plurals[g] = append(plurals[g], plural)
		}
	}
	for _, g := range slices.Sorted(maps.Keys(plurals)) {
		ps := plurals[g]
		if slices.Contains(ps, "*") {
			ps = []string{"*"}
		}
		slices.Sort(ps)
		rules = append(rules, rbacv1.PolicyRule{APIGroups: []string{g}, Resources: ps, Verbs: []string{"list", "watch"}})
	}
	return rules
}

// rbacFile is a ClusterRole with the rules and its ClusterRoleBinding, or,
// when the rules do not fit one object, several such pairs named
// <RoleName>, <RoleName>-2, ...
func rbacFile(opts Options, rules []rbacv1.PolicyRule) (output.File, error) {
	envelope, err := limits.AppliedSize(clusterRole(opts.RoleName, nil))
	if err != nil {
		return output.File{}, err
	}
	sizes := make([]int, len(rules))
	for i, r := range rules {
		js, err := json.Marshal(r)
		if err != nil {
			return output.File{}, err
		}
		sizes[i] = len(js) + len(",")
	}
	ends, err := limits.Pack(sizes, cmp.Or(opts.MaxObject, limits.Annotations)-envelope)
	if err != nil {
		return output.File{}, fmt.Errorf("kube-state-metrics RBAC: %w", err)
	}
	var objs []any
	start := 0
	for i, end := range ends {
		name := opts.RoleName
		if i > 0 {
			name = fmt.Sprintf("%s-%d", opts.RoleName, i+1)
		}
		objs = append(objs, clusterRole(name, rules[start:end]), clusterRoleBinding(opts, name))
		start = end
	}
	content, err := output.YAMLDocuments(objs...)
	return output.File{Path: RBACFile, Content: content}, err
}

func clusterRole(name string, rules []rbacv1.PolicyRule) *rbacv1.ClusterRole {
	return &rbacv1.ClusterRole{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRole"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app.kubernetes.io/managed-by": "crdmon"}},
		Rules:      rules,
	}
}

func clusterRoleBinding(opts Options, role string) *rbacv1.ClusterRoleBinding {
	return &rbacv1.ClusterRoleBinding{
		TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "ClusterRoleBinding"},
		ObjectMeta: metav1.ObjectMeta{Name: role, Labels: map[string]string{"app.kubernetes.io/managed-by": "crdmon"}},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: role},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: opts.ServiceAccount, Namespace: opts.Namespace}},
	}
}

// kubePrometheusStackValues nests the config the way the kube-state-metrics
// chart, as kube-prometheus-stack's sub-chart, expects it, with the RBAC as
// extraRules.
func kubePrometheusStackValues(cfg Config) map[string]any {
	return map[string]any{"kube-state-metrics": stateValues(cfg)}
}

// chartValues are the values of a kube-state-metrics chart release serving
// only cfg (one shard): no built-in collectors, and a ServiceMonitor.
func chartValues(cfg Config) map[string]any {
	v := stateValues(cfg)
	v["collectors"] = []string{}
	v["extraArgs"] = []string{"--custom-resource-state-only=true"}
	v["prometheus"] = map[string]any{"monitor": map[string]any{"enabled": true}}
	return v
}

// stateValues are the kube-state-metrics chart values carrying cfg and the
// RBAC it needs.
func stateValues(cfg Config) map[string]any {
	return map[string]any{
		"customResourceState": map[string]any{
			"enabled": true,
			"config":  map[string]any{"kind": cfg.Kind, "spec": cfg.Spec},
		},
		"rbac": map[string]any{"extraRules": RBACRules(cfg.Spec.Resources)},
	}
}
