package testcluster_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/crdmon/crdmon/internal/testcluster"
	authorizationv1 "k8s.io/api/authorization/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/utils/ptr"
)

// widgetCRD is a small namespaced CRD with a status subresource and a
// schema strict enough to reject objects.
func widgetCRD() *apiextensionsv1.CustomResourceDefinition {
	str := apiextensionsv1.JSONSchemaProps{Type: "string"}
	return &apiextensionsv1.CustomResourceDefinition{
		ObjectMeta: metav1.ObjectMeta{Name: "widgets.example.com"},
		Spec: apiextensionsv1.CustomResourceDefinitionSpec{
			Group: "example.com",
			Scope: apiextensionsv1.NamespaceScoped,
			Names: apiextensionsv1.CustomResourceDefinitionNames{Plural: "widgets", Singular: "widget", Kind: "Widget", ListKind: "WidgetList"},
			Versions: []apiextensionsv1.CustomResourceDefinitionVersion{{
				Name: "v1", Served: true, Storage: true,
				Subresources: &apiextensionsv1.CustomResourceSubresources{Status: &apiextensionsv1.CustomResourceSubresourceStatus{}},
				Schema: &apiextensionsv1.CustomResourceValidation{OpenAPIV3Schema: &apiextensionsv1.JSONSchemaProps{
					Type: "object",
					Properties: map[string]apiextensionsv1.JSONSchemaProps{
						"spec": {Type: "object", Required: []string{"size"}, Properties: map[string]apiextensionsv1.JSONSchemaProps{
							"size": {Type: "integer", Minimum: ptr.To(1.0)},
						}},
						"status": {Type: "object", Properties: map[string]apiextensionsv1.JSONSchemaProps{
							"phase": {Type: "string", Enum: []apiextensionsv1.JSON{{Raw: []byte(`"Ready"`)}, {Raw: []byte(`"Failed"`)}}},
							"note":  str,
						}},
					},
				}},
			}},
		},
	}
}

func widget(size any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "example.com/v1",
		"kind":       "Widget",
		"metadata":   map[string]any{"name": "w", "namespace": "prod"},
		"spec":       map[string]any{"size": size},
	}}
}

// TestServer starts one API server (with an authorizer, so that every test
// of the package can use it: a server takes seconds to start) and runs the
// package's tests against it.
func TestServer(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	c := testcluster.StartWithAuthorizer(t, func(spec authorizationv1.SubjectAccessReviewSpec) bool {
		mu.Lock()
		defer mu.Unlock()
		if spec.ResourceAttributes != nil {
			asked = append(asked, spec.User+" "+spec.ResourceAttributes.Verb+" "+spec.ResourceAttributes.Resource)
		}
		return spec.User == "reader" && slices.Contains(spec.Groups, "readers")
	})
	c.ApplyCRDs(t, widgetCRD())
	t.Run("objects", func(t *testing.T) { testObjects(t, c) })
	t.Run("ValidateYAML", func(t *testing.T) { testValidateYAML(t, c) })
	t.Run("PrometheusRule validation", func(t *testing.T) { testPrometheusRuleValidation(t, c) })
	t.Run("authorizer", func(t *testing.T) {
		testAuthorizer(t, c, func() []string {
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(asked)
		})
	})
}

// testObjects: the widget CRD's schema and status subresource are enforced
// by Validate, Create and UpdateStatus.
func testObjects(t *testing.T, c *testcluster.Cluster) {
	ctx := context.Background()

	if _, err := c.Validate(ctx, widget(int64(0))); !apierrors.IsInvalid(err) {
		t.Errorf("Validate(size 0) = %v, want Invalid (minimum 1)", err)
	}
	if _, err := c.Validate(ctx, widget("big")); !apierrors.IsInvalid(err) {
		t.Errorf("Validate(size string) = %v, want Invalid", err)
	}
	if _, err := c.Validate(ctx, widget(int64(3))); err != nil {
		t.Errorf("Validate(valid) = %v", err)
	}
	// A dry run stores nothing.
	res, err := c.Resource(ctx, widget(int64(3)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := res.Get(ctx, "w", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("after dry run Get = %v, want NotFound", err)
	}

	obj := widget(int64(3))
	obj.Object["status"] = map[string]any{"phase": "Ready"}
	created := c.Create(t, obj)
	if _, found, _ := unstructured.NestedString(created.Object, "status", "phase"); found {
		t.Errorf("Create kept status %v; the status subresource should drop it", created.Object["status"])
	}
	updated := c.UpdateStatus(t, obj)
	if got, _, _ := unstructured.NestedString(updated.Object, "status", "phase"); got != "Ready" {
		t.Errorf("UpdateStatus: status.phase = %q, want Ready", got)
	}

	bad := widget(int64(3))
	bad.Object["status"] = map[string]any{"phase": "Sideways"}
	if _, err := res.UpdateStatus(ctx, withRV(bad, updated), metav1.UpdateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("UpdateStatus(phase not in enum) = %v, want Invalid", err)
	}
}

func withRV(obj, from *unstructured.Unstructured) *unstructured.Unstructured {
	obj.SetResourceVersion(from.GetResourceVersion())
	return obj
}

func testValidateYAML(t *testing.T, c *testcluster.Cluster) {
	ok := []byte("# comment only\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: a, namespace: x}\nspec: {size: 2}\n")
	if err := c.ValidateYAML(context.Background(), ok); err != nil {
		t.Errorf("ValidateYAML(valid) = %v", err)
	}
	bad := append(ok, []byte("---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: b, namespace: x}\nspec: {}\n")...)
	err := c.ValidateYAML(context.Background(), bad)
	if !apierrors.IsInvalid(err) {
		t.Errorf("ValidateYAML(missing spec.size) = %v, want Invalid", err)
	}
}

// testAuthorizer: the authorizer decides for users with client
// certificates; asked returns the requests it was asked about so far.
func testAuthorizer(t *testing.T, c *testcluster.Cluster, asked func() []string) {
	ctx := context.Background()
	for _, tc := range []struct {
		user, group string
		allowed     bool
	}{
		{"reader", "readers", true},
		{"reader", "others", false},
		{"stranger", "readers", false},
	} {
		client, err := clientset.NewForConfig(c.UserConfig(t, tc.user, tc.group))
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.ApiextensionsV1().CustomResourceDefinitions().List(ctx, metav1.ListOptions{})
		if tc.allowed && err != nil || !tc.allowed && !apierrors.IsForbidden(err) {
			t.Errorf("%s in %s: list CRDs = %v, want allowed=%v", tc.user, tc.group, err, tc.allowed)
		}
	}
	if want := "stranger list customresourcedefinitions"; !slices.Contains(asked(), want) {
		t.Errorf("authorizer was asked %q, want %q among them", asked(), want)
	}
	// The privileged config bypasses the authorizer.
	if _, err := c.APIExtensions.ApiextensionsV1().CustomResourceDefinitions().List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("privileged list: %v", err)
	}
}
