package rules

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/limits"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
)

// providerGroup is n Crossplane managed resource kinds of one group, all
// of crossplaneKind's shape.
func providerGroup(group string, n int) []model.Kind {
	var out []model.Kind
	for i := 0; i < n; i++ {
		k := crossplaneKind()
		k.Group, k.Kind, k.Plural = group, fmt.Sprintf("Resource%03d", i), fmt.Sprintf("resource%03ds", i)
		out = append(out, k)
	}
	return out
}

// filesOf returns the files of one API group, by path.
func filesOf(files []output.File, group string) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		base := strings.TrimPrefix(strings.TrimPrefix(f.Path, TestDir+"/"), Dir+"/")
		if strings.HasPrefix(base, group+".") || strings.HasPrefix(base, group+"_") {
			out[f.Path] = string(f.Content)
		}
	}
	return out
}

// checkObjects fails when a PrometheusRule is over max once applied.
func checkObjects(t *testing.T, files []output.File, max int) {
	t.Helper()
	for _, f := range files {
		if !strings.HasSuffix(f.Path, ".yaml") || strings.HasSuffix(f.Path, ".rules.yaml") || strings.HasPrefix(f.Path, TestDir) {
			continue
		}
		var obj map[string]any
		if err := yaml.Unmarshal(f.Content, &obj); err != nil {
			t.Fatal(err)
		}
		if size, _ := limits.AppliedSize(obj); size > max {
			t.Errorf("%s is %d bytes applied, over %d", f.Path, size, max)
		}
	}
}

// A group whose per-kind PrometheusRule would be over the object limit gets
// exactly the rules --granularity group writes for it; other groups keep
// per-kind rules, named as if the large group had never had any.
func TestGroupGranularityWhenTooLarge(t *testing.T) {
	big, small := providerGroup("ec2.aws.upbound.io", 30), providerGroup("zz.example.com", 1)
	o := DefaultOptions()
	o.MaxObject = 32 << 10
	files, err := Render(model.Model{Kinds: append(append([]model.Kind{}, big...), small...)}, o)
	if err != nil {
		t.Fatal(err)
	}
	checkObjects(t, files, o.MaxObject)
	perGroup := o
	perGroup.Granularity = PerGroup
	wantBig, err := Render(model.Model{Kinds: big}, perGroup)
	if err != nil {
		t.Fatal(err)
	}
	wantSmall, err := Render(model.Model{Kinds: small}, o)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filesOf(files, "ec2.aws.upbound.io"), filesOf(wantBig, "ec2.aws.upbound.io"); !reflect.DeepEqual(got, want) {
		t.Errorf("the large group's files are not those of --granularity group")
	}
	if got, want := filesOf(files, "zz.example.com"), filesOf(wantSmall, "zz.example.com"); !reflect.DeepEqual(got, want) || len(got) == 0 {
		t.Errorf("the small group's files changed")
	}
	if strings.Contains(filesOf(files, "ec2.aws.upbound.io")[PrometheusRulePath("ec2.aws.upbound.io")], "customresource_kind=") {
		t.Error("the large group's rules still select kinds")
	}
	// The same input without a limit keeps per-kind rules.
	o.MaxObject = 1 << 30
	files, err = Render(model.Model{Kinds: big}, o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(filesOf(files, "ec2.aws.upbound.io")[PrometheusRulePath("ec2.aws.upbound.io")], "Resource029NotReady") {
		t.Error("per-kind rules were replaced without need")
	}
}

// Rules still over the limit with group granularity (here: every kind has
// settings other than the defaults, and not all the same) are split over
// several PrometheusRules, each within the limit, together holding the
// plain rule file's rules in order.
func TestSplitPrometheusRule(t *testing.T) {
	group := "ec2.aws.upbound.io"
	o := DefaultOptions()
	o.Granularity = PerGroup
	o.MaxObject = 24 << 10
	o.OverrideFor = func(k model.Kind) AlertSettings {
		return AlertSettings{PhaseFailed: {Severity: "info", For: time.Duration(1+k.Kind[len(k.Kind)-1]-'0') * time.Minute}}
	}
	files, err := Render(model.Model{Kinds: providerGroup(group, 20)}, o)
	if err != nil {
		t.Fatal(err)
	}
	checkObjects(t, files, o.MaxObject)
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Content
	}
	var plain plainFile
	if err := yaml.Unmarshal(byPath[PlainPath(group)], &plain); err != nil {
		t.Fatal(err)
	}
	var rules []monitoringv1.Rule
	var health []monitoringv1.RuleGroup
	parts := 0
	for part := 1; ; part++ {
		content, ok := byPath[partPath(group, part)]
		if !ok {
			break
		}
		parts++
		var pr monitoringv1.PrometheusRule
		if err := yaml.Unmarshal(content, &pr); err != nil {
			t.Fatal(err)
		}
		name, groupName := "crdmon-"+group, GroupName(group)
		if part > 1 {
			name, groupName = fmt.Sprintf("%s-%d", name, part), fmt.Sprintf("%s-%d", groupName, part)
		}
		groups := pr.Spec.Groups
		if n := len(groups); n > 0 && groups[n-1].Name == HealthGroupName(group) {
			health = append(health, groups[n-1])
			groups = groups[:n-1]
		}
		if pr.Name != name || len(groups) > 1 || (len(groups) == 1 && groups[0].Name != groupName) {
			t.Errorf("part %d: object %s, groups %+v", part, pr.Name, pr.Spec.Groups)
		}
		for _, g := range groups {
			rules = append(rules, g.Rules...)
		}
	}
	if len(health) != 1 || len(plain.Groups) != 2 || !reflect.DeepEqual(health[0], plain.Groups[1]) {
		t.Errorf("the parts hold %d health groups, the plain file %d groups", len(health), len(plain.Groups))
	}
	if parts < 2 {
		t.Fatalf("%d parts", parts)
	}
	if byPath[Dir+"/"+group+"_2.yaml"] == nil {
		t.Error("no rules/<group>_2.yaml")
	}
	if len(plain.Groups) == 0 || !reflect.DeepEqual(rules, plain.Groups[0].Rules) {
		t.Errorf("the parts hold %d rules, the plain file %d", len(rules), len(plain.Groups[0].Rules))
	}
}
