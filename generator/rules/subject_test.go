package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/generator/model"
)

// In group granularity, kinds that all share settings other than the
// defaults (a crdmon.yaml rule for kind "*" of their group) get group rules
// with those settings, which also cover kinds of the group the input lacks;
// a kind whose settings differ from its group's still gets rules of its own.
func TestGroupSharesItsKindsSettings(t *testing.T) {
	second := constraintKind()
	second.Kind, second.Plural = "AllowedRepos", "allowedrepos"
	o := DefaultOptions()
	o.Granularity = PerGroup
	o.OverrideFor = func(k model.Kind) AlertSettings {
		return AlertSettings{ProblemCount: {Severity: "critical", For: 10 * time.Minute}}
	}
	rules := func() string {
		files, err := Render(model.Model{Kinds: []model.Kind{second, constraintKind()}}, o)
		if err != nil {
			t.Fatal(err)
		}
		return string(filesOf(files, "policy.example.io")[PlainPath("policy.example.io")])
	}
	got := rules()
	for _, want := range []string{"alert: PolicyExampleProblemCount", "for: 10m", "severity: critical"} {
		if !strings.Contains(got, want) {
			t.Errorf("group rules lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "customresource_kind=") {
		t.Errorf("group rules select kinds:\n%s", got)
	}
	o.OverrideFor = func(k model.Kind) AlertSettings {
		if k.Kind == "AllowedRepos" {
			return AlertSettings{ProblemCount: {Severity: "critical", For: 10 * time.Minute}}
		}
		return nil
	}
	got = rules()
	for _, want := range []string{"alert: PolicyExampleProblemCount", "alert: AllowedReposProblemCount", `customresource_kind!~"AllowedRepos"`} {
		if !strings.Contains(got, want) {
			t.Errorf("rules lack %q:\n%s", want, got)
		}
	}
}
