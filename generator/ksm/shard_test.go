package ksm_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/limits"
	"github.com/crdmon/crdmon/generator/model"
)

// manyGroups has n groups of three kinds of different shapes each, so that
// no wildcard applies.
func manyGroups(n int) model.Model {
	var m model.Model
	for i := 0; i < n; i++ {
		g := fmt.Sprintf("g%03d.example.com", i)
		a := managed(g, "Alpha", "v1", true)
		b := managed(g, "Beta", "v1", true)
		b.Generation = nil
		c := managed(g, "Gamma", "v1", false)
		c.Suspend = &model.Field{Path: []string{"spec", "suspend"}, SchemaPath: "spec.suspend"}
		m.Kinds = append(m.Kinds, a, b, c)
	}
	return m
}

// A config over MaxConfig is split into shards that each fit, together hold
// every resource once, in order, with each group in one shard; each shard
// has a config file and chart values, and the RBAC covers all.
func TestShards(t *testing.T) {
	m := manyGroups(40)
	o := wildcardOptions(installedOf(m))
	o.MaxConfig = 20 << 10
	cfg, files, err := ksm.Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Content
	}
	if _, ok := byPath[ksm.ConfigFile]; ok {
		t.Fatalf("a split config still writes %s", ksm.ConfigFile)
	}
	var all []ksm.Resource
	shardOf := map[string]int{}
	for i := 1; ; i++ {
		content, ok := byPath[ksm.ShardConfigFile(i)]
		if !ok {
			if i < 3 {
				t.Fatalf("%d shards, want several", i-1)
			}
			break
		}
		if len(content) > o.MaxConfig {
			t.Errorf("%s is %d bytes, over %d", ksm.ShardConfigFile(i), len(content), o.MaxConfig)
		}
		var shard ksm.Config
		if err := yaml.UnmarshalStrict(content, &shard); err != nil {
			t.Fatal(err)
		}
		for _, r := range shard.Spec.Resources {
			g := r.GroupVersionKind.Group
			if s, seen := shardOf[g]; seen && s != i {
				t.Errorf("group %s in shards %d and %d", g, s, i)
			}
			shardOf[g] = i
		}
		all = append(all, shard.Spec.Resources...)
		var values struct {
			Collectors          []string `json:"collectors"`
			ExtraArgs           []string `json:"extraArgs"`
			CustomResourceState struct {
				Enabled bool       `json:"enabled"`
				Config  ksm.Config `json:"config"`
			} `json:"customResourceState"`
			RBAC struct {
				ExtraRules []rbacv1.PolicyRule `json:"extraRules"`
			} `json:"rbac"`
		}
		if err := yaml.Unmarshal(byPath[ksm.ShardValuesFile(i)], &values); err != nil {
			t.Fatalf("%s: %v", ksm.ShardValuesFile(i), err)
		}
		if !values.CustomResourceState.Enabled || !reflect.DeepEqual(values.CustomResourceState.Config, shard) ||
			len(values.Collectors) != 0 || strings.Join(values.ExtraArgs, " ") != "--custom-resource-state-only=true" {
			t.Errorf("%s does not serve exactly shard %d", ksm.ShardValuesFile(i), i)
		}
		if !reflect.DeepEqual(values.RBAC.ExtraRules, ksm.RBACRules(shard.Spec.Resources)) {
			t.Errorf("%s: RBAC is not the shard's", ksm.ShardValuesFile(i))
		}
		// limits.Check relies on this: the chart's toYaml of the config is
		// no larger than the values holding it.
		if rendered, _ := yaml.Marshal(values.CustomResourceState.Config); len(rendered) > len(byPath[ksm.ShardValuesFile(i)]) {
			t.Errorf("%s: the chart would render %d bytes from %d", ksm.ShardValuesFile(i), len(rendered), len(byPath[ksm.ShardValuesFile(i)]))
		}
	}
	if !reflect.DeepEqual(all, cfg.Spec.Resources) {
		t.Error("the shards do not hold the config's resources once each, in order")
	}
	if err := limits.Check(files); err != nil {
		t.Error(err)
	}
}

// Shards knows a config's size exactly, from its resources' sizes.
func TestShardsExactSize(t *testing.T) {
	m := manyGroups(5)
	cfg, files, err := ksm.Render(m, ksm.Options{Prefix: "p", RoleName: "r"})
	if err != nil {
		t.Fatal(err)
	}
	var size int
	for _, f := range files {
		if f.Path == ksm.ConfigFile {
			size = len(f.Content)
		}
	}
	if shards, err := ksm.Shards(cfg, size); err != nil || len(shards) != 1 {
		t.Errorf("%d shards at the config's size %d (%v)", len(shards), size, err)
	}
	if shards, err := ksm.Shards(cfg, size-1); err != nil || len(shards) != 2 {
		t.Errorf("%d shards a byte under the config's size (%v)", len(shards), err)
	}
}

// A config that fits keeps its single file and the kube-prometheus-stack values.
func TestNoShardsWhenItFits(t *testing.T) {
	m := manyGroups(3)
	_, files, err := ksm.Render(m, wildcardOptions(installedOf(m)))
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	want := []string{ksm.ConfigFile, ksm.HelmValuesFile, ksm.RBACFile}
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", paths, want)
	}
}

// One group too large for a shard is split by kind; one resource too large
// for a shard is an error naming it.
func TestShardsSplitLargeGroups(t *testing.T) {
	m := manyGroups(1)
	cfg, err := ksm.Build(m, "kube_customresource")
	if err != nil {
		t.Fatal(err)
	}
	shards, err := ksm.Shards(cfg, 3<<10)
	if err != nil {
		t.Fatal(err)
	}
	if len(shards) != 3 {
		t.Errorf("%d shards of one group of three kinds, want 3", len(shards))
	}
	_, err = ksm.Shards(cfg, 1<<10)
	if err == nil || !strings.Contains(err.Error(), "g000.example.com/v1 Alpha") {
		t.Errorf("error %v, want one naming the resource", err)
	}
}

// RBAC rules over MaxObject are split over several ClusterRoles, each bound,
// each within the limit, together granting every rule once.
func TestRBACSplit(t *testing.T) {
	m := manyGroups(60)
	o := wildcardOptions(installedOf(m))
	o.MaxObject = 2 << 10
	cfg, files, err := ksm.Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	var rbac []byte
	for _, f := range files {
		if f.Path == ksm.RBACFile {
			rbac = f.Content
		}
	}
	var granted []rbacv1.PolicyRule
	roles, bindings := map[string]bool{}, map[string]bool{}
	for _, doc := range strings.Split(string(rbac), "\n---\n") {
		var obj struct {
			Kind     string                `json:"kind"`
			Metadata struct{ Name string } `json:"metadata"`
			Rules    []rbacv1.PolicyRule   `json:"rules"`
			RoleRef  rbacv1.RoleRef        `json:"roleRef"`
		}
		if err := yaml.Unmarshal([]byte(doc), &obj); err != nil {
			t.Fatal(err)
		}
		var generic map[string]any
		yaml.Unmarshal([]byte(doc), &generic)
		if size, _ := limits.AppliedSize(generic); size > o.MaxObject {
			t.Errorf("%s %s is %d bytes applied, over %d", obj.Kind, obj.Metadata.Name, size, o.MaxObject)
		}
		switch obj.Kind {
		case "ClusterRole":
			roles[obj.Metadata.Name] = true
			granted = append(granted, obj.Rules...)
		case "ClusterRoleBinding":
			bindings[obj.RoleRef.Name] = true
		}
	}
	if len(roles) < 2 || !reflect.DeepEqual(roles, bindings) || !roles["crdmon-kube-state-metrics-2"] {
		t.Errorf("roles %v, bindings %v", roles, bindings)
	}
	if !reflect.DeepEqual(granted, ksm.RBACRules(cfg.Spec.Resources)) {
		t.Error("the ClusterRoles do not grant the rules once each")
	}
}
