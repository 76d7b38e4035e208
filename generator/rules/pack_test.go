package rules

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"

	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/model"
)

// testGroups renders m and returns, per API group, the test groups of its
// promtool test file.
func testGroups(t *testing.T, m model.Model, o Options) map[string][]TestGroup {
	t.Helper()
	files, err := Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]TestGroup{}
	for _, k := range m.Kinds {
		for _, f := range files {
			if f.Path != TestPath(k.Group) {
				continue
			}
			var tf UnitTestFile
			if err := yaml.UnmarshalStrict(f.Content, &tf); err != nil {
				t.Fatal(err)
			}
			out[k.Group] = tf.Tests
		}
	}
	return out
}

// TestTestGroupsDoNotGrowWithKinds: promtool evaluates every rule of a file
// in every test group, so the number of test groups must not grow with the
// kinds of an API group, or the tests cost the square of its kinds.
func TestTestGroupsDoNotGrowWithKinds(t *testing.T) {
	for name, base := range map[string]model.Kind{"crossplane": crossplaneKind(), "suspendable": workloadKind()} {
		t.Run(name, func(t *testing.T) {
			count := func(n int) int {
				var m model.Model
				for i := range n {
					k := base
					k.Kind = fmt.Sprintf("%s%d", base.Kind, i)
					m.Kinds = append(m.Kinds, k)
				}
				return len(testGroups(t, m, DefaultOptions())[base.Group])
			}
			one, many := count(1), count(12)
			if many != one {
				t.Errorf("%d test groups for one kind, %d for 12", one, many)
			}
		})
	}
}

// TestSharedControllerCasesApart: two kinds reconciled by one controller
// get controller alerts that read the same series, so their cases must not
// share a test group (each would fire on the other's fixture too); the cases
// of their condition alerts, on objects of different kinds, do.
func TestSharedControllerCasesApart(t *testing.T) {
	issuer := certificateKind()
	issuer.Kind, issuer.Plural = "Issuer", "issuers"
	o := DefaultOptions()
	o.Controllers = map[string][]string{"Certificate": {"shared"}, "Issuer": {"shared"}}
	m := model.Model{Kinds: []model.Kind{certificateKind(), issuer}}
	groupOf := map[string]string{}
	for _, tg := range testGroups(t, m, o)["cert-manager.io"] {
		for _, at := range tg.AlertTests {
			groupOf[at.Alertname] = tg.Name
		}
	}
	if groupOf["CertificateReconcileErrors"] == groupOf["IssuerReconcileErrors"] {
		t.Errorf("both controllers' ReconcileErrors cases in test group %q", groupOf["IssuerReconcileErrors"])
	}
	if groupOf["CertificateNotReady"] != groupOf["IssuerNotReady"] {
		t.Errorf("NotReady cases of two kinds apart: %v", groupOf)
	}
	files, err := Render(m, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range runUnitTests(t, files) {
		t.Error(err)
	}
}

// TestRuleSelectors: only selectors on the right of `unless on(...)`,
// through `or` and plain comparisons, take results away; everything else
// may add results.
func TestRuleSelectors(t *testing.T) {
	for expr, want := range map[string]string{
		`(time() - a{x="1"} > 5) unless on(name) (b or c < d)`: "a+ b-name c-name d-name",
		`a unless on(name, kind) (b unless on(name) c)`:        "a+ b+ c+",
		`a unless ignoring(name) b`:                            "a+ b+",
		`a unless on(name) (b + c)`:                            "a+ b+ c+",
		`a unless on(name) (b < bool c)`:                       "a+ b+ c+",
		`a unless on(name) (b < on(name) c)`:                   "a+ b+ c+",
		`sum by (name) (a) unless on(name) rate(b[5m])`:        "a+ b+",
	} {
		sels, err := ruleSelectors(expr)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range sels {
			name, _ := selectorKey(s.matchers)
			if s.removesOn == nil {
				got = append(got, name+"+")
			} else {
				got = append(got, name+"-"+strings.Join(s.removesOn, ","))
			}
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: %s, want %s", expr, strings.Join(got, " "), want)
		}
	}
}

// TestPackRemovingSelectors: a selector that only takes results away may
// select another case's series, unless that series has the labels of one
// of the alert's own series.
func TestPackRemovingSelectors(t *testing.T) {
	caseOf := func(alert, expr string, objects ...string) caseSet {
		c := caseSet{test: AlertTest{Alertname: alert}}
		var err error
		if c.selectors, err = ruleSelectors(expr); err != nil {
			t.Fatal(err)
		}
		for _, o := range objects {
			c.series = append(c.series, labels.FromStrings(labels.MetricName, "info", "name", o),
				labels.FromStrings(labels.MetricName, alert, "name", o))
		}
		for i, sel := range c.selectors {
			if sel.removesOn != nil {
				c.selectors[i].own = map[string]bool{}
				for _, s := range c.series {
					c.selectors[i].own[labelValues(s, sel.removesOn)] = true
				}
			}
		}
		return c
	}
	groups := func(cs ...caseSet) int { return len(pack("g", cs)) }
	a := caseOf("a", `a unless on(name) info`, "example", "healthy")
	if n := groups(a, caseOf("b", `b unless on(name) info`, "example-2", "healthy-2")); n != 1 {
		t.Errorf("cases of other objects in %d test groups, want 1", n)
	}
	if n := groups(a, caseOf("b", `b unless on(name) info`, "example", "other")); n != 2 {
		t.Errorf("cases silencing each other's objects in %d test groups, want 2", n)
	}
	if n := groups(a, caseOf("b", `b or info`, "example-2")); n != 2 {
		t.Errorf("a case whose rule adds results from the other's series in %d test groups, want 2", n)
	}
}
