package ksmeval

import (
	"bytes"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// §9: HELP/TYPE once per name across resources ordered by GVR string; a
// first resource without objects swallows the header; header-only families.
func TestExpositionHeaders(t *testing.T) {
	cfg := `spec:
  resources:
  - groupVersionKind: {group: source.toolkit.fluxcd.io, version: v1, kind: GitRepository}
    metricNamePrefix: gotk
    metrics:
    - name: resource_info
      help: "The current state of a Flux resource.\nSecond line \\ backslash."
      each: {type: Info, info: {labelsFromPath: {name: [metadata, name]}}}
  - groupVersionKind: {group: helm.toolkit.fluxcd.io, version: v2, kind: HelmRelease}
    metricNamePrefix: gotk
    metrics:
    - name: resource_info
      help: from helm
      each: {type: Info, info: {labelsFromPath: {name: [metadata, name]}}}
    - name: missing
      help: never set
      each: {type: Gauge, gauge: {path: [status, nothing]}}
  - groupVersionKind: {group: kustomize.toolkit.fluxcd.io, version: v1, kind: Kustomization}
    metricNamePrefix: gotk
    metrics:
    - name: resource_info
      help: from kustomize
      each: {type: StateSet, stateSet: {path: [status, phase], labelName: phase, list: [A, B]}}
`
	objects := `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: repo, namespace: flux-system}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: b, namespace: flux-system}
status: {phase: B}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: a, namespace: apps}
status: {phase: A}
`
	res := evaluate(t, cfg, objects)
	// GVR order: helm.toolkit (no objects: header swallowed, "missing" never
	// printed), kustomize.toolkit, source.toolkit.
	want := `# HELP gotk_resource_info from helm
# TYPE gotk_resource_info gauge
gotk_resource_info{customresource_group="kustomize.toolkit.fluxcd.io",customresource_kind="Kustomization",customresource_version="v1",phase="A"} 1
gotk_resource_info{customresource_group="kustomize.toolkit.fluxcd.io",customresource_kind="Kustomization",customresource_version="v1",phase="B"} 0
gotk_resource_info{customresource_group="kustomize.toolkit.fluxcd.io",customresource_kind="Kustomization",customresource_version="v1",phase="A"} 0
gotk_resource_info{customresource_group="kustomize.toolkit.fluxcd.io",customresource_kind="Kustomization",customresource_version="v1",phase="B"} 1
gotk_resource_info{customresource_group="source.toolkit.fluxcd.io",customresource_kind="GitRepository",customresource_version="v1",name="repo"} 1
`
	got := string(res.Exposition())
	wantNoHeader := strings.Join(strings.Split(want, "\n")[2:], "\n")
	if got != wantNoHeader {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, wantNoHeader)
	}
	if len(res.Errors) != 0 {
		t.Errorf("errors: %v", res.Errors)
	}

	// With a HelmRelease present, its header comes first, the other
	// resources' samples follow in their own blocks, and "missing" is
	// header-only.
	res = evaluate(t, cfg, objects+"---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: podinfo, namespace: apps}\n")
	got = string(res.Exposition())
	want = `# HELP gotk_resource_info from helm
# TYPE gotk_resource_info gauge
gotk_resource_info{customresource_group="helm.toolkit.fluxcd.io",customresource_kind="HelmRelease",customresource_version="v2",name="podinfo"} 1
# HELP gotk_missing never set
# TYPE gotk_missing gauge
` + wantNoHeader
	if got != want {
		t.Errorf("exposition:\n%s\nwant:\n%s", got, want)
	}
	equalLines(t, "errors", errorMessages(res), []string{"gotk_missing: [status,nothing]: got nil while resolving path"})
	if e := res.Errors[0]; e.Object != "apps/podinfo" || e.Resource != "helm.toolkit.fluxcd.io/v2, Resource=helmreleases" {
		t.Errorf("error = %+v", e)
	}
	parseExposition(t, []byte(got))

	// The first resource in GVR order keeping the header: HELP is escaped.
	cfg2 := strings.Replace(cfg, "group: helm.toolkit.fluxcd.io", "group: zz.toolkit.fluxcd.io", 1)
	got = string(evaluate(t, cfg2, objects).Exposition())
	if !strings.HasPrefix(got, "# HELP gotk_resource_info from kustomize\n") {
		t.Errorf("first header: %q", strings.SplitN(got, "\n", 2)[0])
	}
	cfg3 := strings.Replace(cfg2, "group: kustomize.toolkit.fluxcd.io", "group: zy.toolkit.fluxcd.io", 1)
	objs3 := strings.ReplaceAll(objects, "kustomize.toolkit.fluxcd.io", "zy.toolkit.fluxcd.io")
	got = string(evaluate(t, cfg3, objs3).Exposition())
	if want := "# HELP gotk_resource_info The current state of a Flux resource.\\nSecond line \\\\ backslash.\n# TYPE gotk_resource_info gauge\n"; !strings.HasPrefix(got, want) {
		t.Errorf("escaped help:\n%s\nwant prefix:\n%s", got, want)
	}
	parseExposition(t, []byte(got))
}

// §3: families sharing a name inside one resource (the VPA example) print
// one header.
func TestSharedNameWithinResource(t *testing.T) {
	cfg := oneResource(`metricNamePrefix: kube
metrics:
- name: verticalpodautoscaler_status_recommendation
  help: target
  commonLabels: {unit: core, resource: cpu}
  each: {type: Gauge, gauge: {path: [status, cpu]}}
- name: verticalpodautoscaler_status_recommendation
  help: target again
  commonLabels: {unit: byte, resource: memory}
  each: {type: Gauge, gauge: {path: [status, memory]}}`)
	got := strings.Split(strings.TrimSpace(string(evaluate(t, cfg, oneObject("status: {cpu: 100m, memory: 64Mi}")).Exposition())), "\n")
	equalLines(t, "exposition", got, []string{
		"# HELP kube_verticalpodautoscaler_status_recommendation target",
		"# TYPE kube_verticalpodautoscaler_status_recommendation gauge",
		`kube_verticalpodautoscaler_status_recommendation{customresource_group="g",customresource_kind="K",customresource_version="v1",resource="cpu",unit="core"} 0.1`,
		`kube_verticalpodautoscaler_status_recommendation{customresource_group="g",customresource_kind="K",customresource_version="v1",resource="memory",unit="byte"} 6.7108864e+07`,
	})
}

func TestLabelValueEscaping(t *testing.T) {
	res := evaluate(t, oneResource("metrics:\n- name: m_info\n  each: {type: Info, info: {labelsFromPath: {msg: [status, message]}}}"),
		oneObject("status: {message: \"a \\\"quoted\\\" \\\\ path\\nnext\"}"))
	equalLines(t, "samples", sampleLines(res), []string{`kube_customresource_m_info{msg="a \"quoted\" \\ path\nnext"} 1`})
	parseExposition(t, res.Exposition())
}

func TestFormatValue(t *testing.T) {
	cases := map[float64]string{1: "1", 0: "0", -1: "-1", 43.21: "43.21", 1704164645: "1.704164645e+09", 0.25: "0.25", 3: "3", 1e21: "1e+21"}
	for in, want := range cases {
		if got := FormatValue(in); got != want {
			t.Errorf("FormatValue(%v) = %q, want %q", in, got, want)
		}
	}
}

// §7: wildcard versions/kinds expand per concrete pair seen; a duplicate GVK
// replaces the earlier entry; a non-concrete group is skipped.
func TestResolution(t *testing.T) {
	cfg := `spec:
  resources:
  - groupVersionKind: {group: constraints.gatekeeper.sh, version: v1beta1, kind: "*"}
    metrics:
    - name: violations
      each: {type: Gauge, gauge: {path: [status, totalViolations]}}
  - groupVersionKind: {group: "", version: v1, kind: Pod}
    metrics:
    - name: never
      each: {type: Gauge, gauge: {path: [a]}}
  - groupVersionKind: {group: g, version: v1, kind: K}
    metrics:
    - name: first
      each: {type: Gauge, gauge: {path: [a]}}
  - groupVersionKind: {group: g, version: v1, kind: K}
    metrics:
    - name: second
      each: {type: Gauge, gauge: {path: [spec, replicas]}}
`
	objects := `apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sRequiredLabels
metadata: {name: must-have-owner}
status: {totalViolations: 4}
---
apiVersion: constraints.gatekeeper.sh/v1beta1
kind: K8sAllowedRepos
metadata: {name: repos}
status: {totalViolations: 0}
---
apiVersion: constraints.gatekeeper.sh/v1alpha1
kind: K8sAllowedRepos
metadata: {name: old}
status: {totalViolations: 9}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: ns}
---
` + oneObject("spec: {replicas: 5}")
	res := evaluate(t, cfg, objects)
	equalLines(t, "samples", kindSamples(res), []string{
		"kube_customresource_violations K8sAllowedRepos v1beta1 0",
		"kube_customresource_violations K8sRequiredLabels v1beta1 4",
		"kube_customresource_second K v1 5",
	})
	equalLines(t, "notices", res.Notices, []string{
		"resource 1 (_v1_Pod): group must be concrete; entry skipped",
		"g_v1_K: configured more than once; the later entry replaces the earlier one",
	})
	var resources []string
	for _, f := range res.Families {
		resources = append(resources, f.Resource)
	}
	equalLines(t, "resources", resources, []string{
		"constraints.gatekeeper.sh/v1beta1, Resource=k8sallowedrepos",
		"constraints.gatekeeper.sh/v1beta1, Resource=k8srequiredlabels",
		"g/v1, Resource=ks",
	})
}

func TestPluralize(t *testing.T) {
	cases := map[string]string{
		"certificate": "certificates", "policy": "policies", "gateway": "gateways", "ingress": "ingresses",
		"box": "boxes", "patch": "patches", "index": "indices", "helmrelease": "helmreleases", "k8sallowedrepos": "k8sallowedrepos", "status": "statuses", "endpoints": "endpoints",
	}
	for in, want := range cases {
		if got := pluralize(in); got != want {
			t.Errorf("pluralize(%q) = %q, want %q", in, got, want)
		}
	}
}

// parseExposition proves the text is valid Prometheus text format.
func parseExposition(t *testing.T, text []byte) map[string]int {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		t.Fatalf("expfmt: %v\n%s", err, text)
	}
	counts := map[string]int{}
	for name, f := range fams {
		counts[name] = len(f.GetMetric())
	}
	return counts
}
