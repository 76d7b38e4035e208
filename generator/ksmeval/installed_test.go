package ksmeval

import (
	"testing"

	"github.com/crdmon/crdmon/generator/ksm"
)

// §7 with the installed CRDs known: a wildcard kind expands to every kind
// of its group served at its version, whether or not objects exist, and to
// no kind without a CRD; a concrete GVK no CRD serves is skipped with a
// notice; plurals are the CRDs'.
func TestResolutionInstalled(t *testing.T) {
	cfg := `spec:
  resources:
  - groupVersionKind: {group: constraints.gatekeeper.sh, version: v1beta1, kind: "*"}
    metrics:
    - name: violations
      each: {type: Gauge, gauge: {path: [status, totalViolations]}}
  - groupVersionKind: {group: g, version: v1, kind: K}
    resourcePlural: ignored
    metrics:
    - name: replicas
      each: {type: Gauge, gauge: {path: [spec, replicas]}}
  - groupVersionKind: {group: g, version: v1, kind: Missing}
    metrics:
    - name: never
      each: {type: Gauge, gauge: {path: [a]}}
`
	installed := []ksm.CRD{
		{Group: "constraints.gatekeeper.sh", Kind: "K8sRequiredLabels", Plural: "k8srequiredlabels", Served: []string{"v1alpha1", "v1beta1"}},
		{Group: "constraints.gatekeeper.sh", Kind: "K8sAllowedRepos", Plural: "k8sallowedrepos", Served: []string{"v1beta1"}},
		{Group: "constraints.gatekeeper.sh", Kind: "K8sBlockNodePort", Plural: "k8sblocknodeport", Served: []string{"v1beta1"}},
		{Group: "constraints.gatekeeper.sh", Kind: "K8sOld", Plural: "k8solds", Served: []string{"v1alpha1"}},
		{Group: "g", Kind: "K", Plural: "a-kays", Served: []string{"v1"}},
		{Group: "other", Kind: "K", Plural: "ks", Served: []string{"v1"}},
	}
	objects := `# three constraints, one of a kind without a CRD
{apiVersion: constraints.gatekeeper.sh/v1beta1, kind: K8sRequiredLabels, metadata: {name: a}, status: {totalViolations: 4}}
---
{apiVersion: constraints.gatekeeper.sh/v1beta1, kind: K8sAllowedRepos, metadata: {name: b}, status: {totalViolations: 0}}
---
{apiVersion: constraints.gatekeeper.sh/v1beta1, kind: K8sUninstalled, metadata: {name: stray}, status: {totalViolations: 7}}
---
` + oneObject("spec: {replicas: 5}")
	res, err := EvaluateInstalled(parseConfig(t, cfg), installed, loadString(t, objects))
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, "samples", kindSamples(res), []string{
		"kube_customresource_violations K8sAllowedRepos v1beta1 0",
		"kube_customresource_violations K8sRequiredLabels v1beta1 4",
		"kube_customresource_replicas K v1 5",
	})
	var resources []string
	for _, r := range res.Resources {
		resources = append(resources, r.Resource+" "+r.GVK.Kind)
	}
	equalLines(t, "resources", resources, []string{
		"constraints.gatekeeper.sh/v1beta1, Resource=k8sallowedrepos K8sAllowedRepos",
		"constraints.gatekeeper.sh/v1beta1, Resource=k8sblocknodeport K8sBlockNodePort",
		"constraints.gatekeeper.sh/v1beta1, Resource=k8srequiredlabels K8sRequiredLabels",
		"g/v1, Resource=a-kays K",
	})
	equalLines(t, "notices", res.Notices, []string{"g_v1_Missing: no installed CRD serves it; entry skipped"})

	// Without the installed CRDs, the wildcard expands to the objects' kinds.
	res, err = Evaluate(parseConfig(t, cfg), loadString(t, objects))
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, r := range res.Resources {
		kinds = append(kinds, r.GVK.Kind)
	}
	equalLines(t, "resources without CRDs", kinds, []string{"K8sAllowedRepos", "K8sRequiredLabels", "K8sUninstalled", "K", "Missing"})
}
