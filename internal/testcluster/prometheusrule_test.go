package testcluster_test

import (
	"context"
	"testing"

	"github.com/crdmon/crdmon/internal/testcluster"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func prometheusRule(mutate func(*monitoringv1.PrometheusRule)) *monitoringv1.PrometheusRule {
	r := &monitoringv1.PrometheusRule{
		TypeMeta:   metav1.TypeMeta{APIVersion: monitoringv1.SchemeGroupVersion.String(), Kind: monitoringv1.PrometheusRuleKind},
		ObjectMeta: metav1.ObjectMeta{Name: "crdmon", Namespace: "monitoring", Labels: map[string]string{"release": "prometheus"}},
		Spec: monitoringv1.PrometheusRuleSpec{Groups: []monitoringv1.RuleGroup{{
			Name: "crdmon.cert-manager.io",
			Rules: []monitoringv1.Rule{
				{
					Record: "crdmon:condition_not_true:count",
					Expr:   intstr.FromString(`count by (customresource_kind) (kube_customresource_condition{type="Ready",status="False"})`),
				},
				{
					Alert:       "CertificateNotReady",
					Expr:        intstr.FromString(`kube_customresource_condition{customresource_kind="Certificate",type="Ready",status="False"} > 0`),
					For:         ptr.To(monitoringv1.Duration("15m")),
					Labels:      map[string]string{"severity": "warning"},
					Annotations: map[string]string{"summary": "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not Ready"},
				},
			},
		}}},
	}
	if mutate != nil {
		mutate(r)
	}
	return r
}

func toUnstructured(t *testing.T, obj runtime.Object) *unstructured.Unstructured {
	t.Helper()
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: u}
}

// testPrometheusRuleValidation applies prometheus-operator's real
// PrometheusRule CRD and checks that the server's schema validation accepts
// a valid PrometheusRule and rejects invalid ones.
func testPrometheusRuleValidation(t *testing.T, c *testcluster.Cluster) {
	crds := testcluster.CorpusCRDs(t, "prometheus-operator/monitoring.coreos.com_prometheusrules.yaml")
	c.ApplyCRDs(t, crds...)
	ctx := context.Background()

	valid := prometheusRule(nil)
	if err := c.ValidateObject(ctx, valid); err != nil {
		t.Fatalf("valid PrometheusRule rejected: %v", err)
	}
	created := c.Create(t, toUnstructured(t, valid))
	if got, _, _ := unstructured.NestedSlice(created.Object, "spec", "groups"); len(got) != 1 {
		t.Errorf("stored PrometheusRule has groups %v", got)
	}

	for _, tc := range []struct {
		name   string
		mutate func(*monitoringv1.PrometheusRule)
	}{
		{"for is not a duration", func(r *monitoringv1.PrometheusRule) {
			r.Spec.Groups[0].Rules[1].For = ptr.To(monitoringv1.Duration("15 minutes"))
		}},
		{"empty group name", func(r *monitoringv1.PrometheusRule) { r.Spec.Groups[0].Name = "" }},
		{"bad partial_response_strategy", func(r *monitoringv1.PrometheusRule) {
			r.Spec.Groups[0].PartialResponseStrategy = "sometimes"
		}},
		{"bad group interval", func(r *monitoringv1.PrometheusRule) {
			r.Spec.Groups[0].Interval = ptr.To(monitoringv1.Duration("1 hour"))
		}},
	} {
		err := c.ValidateObject(ctx, prometheusRule(tc.mutate))
		if !apierrors.IsInvalid(err) {
			t.Errorf("%s: got %v, want Invalid", tc.name, err)
		} else {
			t.Logf("%s: %v", tc.name, err)
		}
	}

	// An unknown field (a typo in a generator) is rejected too: strict field
	// validation answers BadRequest.
	typo := toUnstructured(t, prometheusRule(nil))
	rules, _, _ := unstructured.NestedSlice(typo.Object, "spec", "groups")
	rules[0].(map[string]any)["evaluation_interval"] = "1m"
	_ = unstructured.SetNestedSlice(typo.Object, rules, "spec", "groups")
	if _, err := c.Validate(ctx, typo); !apierrors.IsBadRequest(err) {
		t.Errorf("unknown field: got %v, want BadRequest", err)
	} else {
		t.Logf("unknown field: %v", err)
	}
}
