package rules

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/health"
	"github.com/crdmon/crdmon/generator/model"
)

// TestHealthWithoutAlerts: a group whose alert classes are all disabled
// still records its health state (dashboards read it), alone in its files;
// a kind without signals gets nothing.
func TestHealthWithoutAlerts(t *testing.T) {
	o := DefaultOptions()
	for c, s := range o.Classes {
		s.Disabled = true
		o.Classes[c] = s
	}
	quiet := model.Kind{Group: "quiet.example.com", Kind: "Quiet", Plural: "quiets", Version: "v1"}
	files, err := Render(model.Model{Kinds: []model.Kind{certificateKind(), quiet}}, o)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
		if f.Path == PlainPath("cert-manager.io") || f.Path == PrometheusRulePath("cert-manager.io") {
			if n := strings.Count(string(f.Content), "- name: "); n != 1 || !strings.Contains(string(f.Content), "- name: "+HealthGroupName("cert-manager.io")) {
				t.Errorf("%s: want only the rule group %s, got %d groups:\n%s", f.Path, HealthGroupName("cert-manager.io"), n, f.Content)
			}
		}
	}
	want := []string{PlainPath("cert-manager.io"), PrometheusRulePath("cert-manager.io"), TestPath("cert-manager.io")}
	slices.Sort(want)
	if strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Errorf("files %v, want %v", paths, want)
	}
	exprs, err := HealthRules(files)
	if err != nil || len(exprs) != 1 {
		t.Errorf("HealthRules: %d expressions, %v; want 1", len(exprs), err)
	}
}

// TestHealthPerCluster: with a cluster label, objects of the same name in
// two clusters get a recorded state each, with their cluster; without it
// the rule would merge them into one.
func TestHealthPerCluster(t *testing.T) {
	load := `load 1m
  kube_customresource_info{customresource_group="cert-manager.io", customresource_kind="Certificate", customresource_version="v1", namespace="prod", name="web", cluster="east"} 1x30
  kube_customresource_condition{customresource_group="cert-manager.io", customresource_kind="Certificate", customresource_version="v1", namespace="prod", name="web", cluster="east", type="Ready", status="True", reason="Ready"} 0x30
  kube_customresource_info{customresource_group="cert-manager.io", customresource_kind="Certificate", customresource_version="v1", namespace="prod", name="web", cluster="west"} 1x30
  kube_customresource_condition{customresource_group="cert-manager.io", customresource_kind="Certificate", customresource_version="v1", namespace="prod", name="web", cluster="west", type="Ready", status="False", reason="Failed"} 0x30
`
	for label, want := range map[string]string{
		"cluster": "east/Healthy west/Degraded",
		"":        "/Degraded",
	} {
		o := DefaultOptions()
		o.ClusterLabel, o.Format = label, FormatPlain
		files, err := Render(model.Model{Kinds: []model.Kind{certificateKind()}}, o)
		if err != nil {
			t.Fatal(err)
		}
		exprs, err := HealthRules(files)
		if err != nil || len(exprs) != 1 {
			t.Fatalf("HealthRules: %d expressions, %v; want 1", len(exprs), err)
		}
		var got []string
		for _, s := range evalAt30m(t, load, exprs[0]) {
			got = append(got, s.Metric.Get("cluster")+"/"+s.Metric.Get(health.LabelState))
		}
		sort.Strings(got)
		if strings.Join(got, " ") != want {
			t.Errorf("cluster label %q: recorded %v, want %s", label, got, want)
		}
	}
	o := DefaultOptions()
	o.ClusterLabel = "bad:label"
	if _, err := Render(model.Model{Kinds: []model.Kind{certificateKind()}}, o); err == nil {
		t.Error("cluster label bad:label accepted")
	}
}
