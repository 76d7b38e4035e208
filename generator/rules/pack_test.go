package rules

import (
	"fmt"
	"testing"

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
