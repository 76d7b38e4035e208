package testutil

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"
)

// LastAppliedAnnotation is where `kubectl apply` stores the applied object.
const LastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration"

// Applied decodes one YAML document as kubectl does and returns it with the
// annotations it carries once `kubectl apply` (client-side, its
// util.GetModifiedConfiguration) has stored it, encoded with apimachinery's
// unstructured JSON encoder, in LastAppliedAnnotation. It returns nil for a
// document that is no Kubernetes object (no kind).
func Applied(t testing.TB, doc []byte) (*unstructured.Unstructured, map[string]string) {
	t.Helper()
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		t.Fatal(err)
	}
	var u unstructured.Unstructured
	if u.UnmarshalJSON(js) != nil || u.GetKind() == "" {
		return nil, nil
	}
	encoded, err := runtime.Encode(unstructured.UnstructuredJSONScheme, &u)
	if err != nil {
		t.Fatal(err)
	}
	annotations := u.GetAnnotations()
	if annotations == nil {
		annotations = map[string]string{}
	}
	annotations[LastAppliedAnnotation] = string(encoded)
	return &u, annotations
}
