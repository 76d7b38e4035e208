//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/internal/testcluster"
	"github.com/crdmon/crdmon/internal/testutil"
)

// Annotations of the sample objects in testdata/objects/e2e.
const (
	// annotationAlerts lists, comma-separated, the alerts the generated rules
	// must fire for the object; absent means the object is healthy.
	annotationAlerts = "e2e.crdmon.dev/alerts"
	// annotationSpecPatch is a JSON merge patch applied after creation, so
	// metadata.generation moves past the status' observedGeneration.
	annotationSpecPatch = "e2e.crdmon.dev/spec-patch"
	// annotationDelete "true" deletes the object once stored; a finalizer
	// of its own keeps it, with metadata.deletionTimestamp set.
	annotationDelete = "e2e.crdmon.dev/delete"
)

// sample is one sample custom resource as written in testdata.
type sample struct {
	obj    *unstructured.Unstructured
	source string
}

func (s sample) group() string { return s.obj.GroupVersionKind().Group }
func (s sample) kind() string  { return s.obj.GetKind() }

// id names the object as the alerts' labels do.
func (s sample) id() string {
	return objectID(s.group(), s.kind(), s.obj.GetNamespace(), s.obj.GetName())
}

func objectID(group, kind, namespace, name string) string {
	return group + "/" + kind + " " + namespace + "/" + name
}

// alerts returns the alerts the object must fire.
func (s sample) alerts() []string {
	v := strings.TrimSpace(s.obj.GetAnnotations()[annotationAlerts])
	if v == "" {
		return nil
	}
	var out []string
	for _, a := range strings.Split(v, ",") {
		out = append(out, strings.TrimSpace(a))
	}
	return out
}

// loadSamples reads every object under testdata/objects/e2e.
func loadSamples(t *testing.T) []sample {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(testutil.RepoRoot(t), "testdata", "objects", "e2e", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample objects in testdata/objects/e2e (%v)", err)
	}
	var out []sample
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := ksmeval.LoadObjects(bytes.NewReader(data), filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			out = append(out, sample{obj: &unstructured.Unstructured{Object: o}, source: filepath.Base(f)})
		}
	}
	return out
}

// sampleGroups returns the API groups of the samples, sorted, each with its
// kinds sorted.
func sampleGroups(samples []sample) map[string][]string {
	out := map[string][]string{}
	for _, s := range samples {
		if !slices.Contains(out[s.group()], s.kind()) {
			out[s.group()] = append(out[s.group()], s.kind())
			sort.Strings(out[s.group()])
		}
	}
	return out
}

// resources finds the dynamic client of an object's kind from the CRDs
// applied, without asking the server (its CRD list is megabytes).
type resources struct {
	c    *testcluster.Cluster
	crds []*apiextensionsv1.CustomResourceDefinition
}

func (r resources) of(obj *unstructured.Unstructured) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	for _, crd := range r.crds {
		if crd.Spec.Group != gvk.Group || crd.Spec.Names.Kind != gvk.Kind || !serves(crd, gvk.Version) {
			continue
		}
		res := r.c.Dynamic.Resource(schema.GroupVersionResource{Group: gvk.Group, Version: gvk.Version, Resource: crd.Spec.Names.Plural})
		if crd.Spec.Scope == apiextensionsv1.NamespaceScoped {
			return res.Namespace(obj.GetNamespace()), nil
		}
		return res, nil
	}
	return nil, fmt.Errorf("no CRD applied serves %s", gvk)
}

// createSample creates the object, applies its spec patch and writes its
// status through the status subresource, then checks the server stored the
// status as written: a field the schema prunes would make the test meaningless.
func createSample(ctx context.Context, r resources, s sample) error {
	obj := s.obj.DeepCopy()
	status, hasStatus := obj.Object["status"]
	delete(obj.Object, "status")
	res, err := r.of(obj)
	if err != nil {
		return err
	}
	opts := metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}
	cur, err := res.Create(ctx, obj, opts)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	if patch := obj.GetAnnotations()[annotationSpecPatch]; patch != "" {
		patched, err := res.Patch(ctx, obj.GetName(), types.MergePatchType, []byte(patch), metav1.PatchOptions{FieldValidation: metav1.FieldValidationStrict})
		if err != nil {
			return fmt.Errorf("spec patch: %w", err)
		}
		if patched.GetGeneration() <= cur.GetGeneration() {
			return fmt.Errorf("spec patch left metadata.generation at %d", patched.GetGeneration())
		}
		cur = patched
	}
	if hasStatus {
		cur.Object["status"] = status
		got, err := res.UpdateStatus(ctx, cur, metav1.UpdateOptions{FieldValidation: metav1.FieldValidationStrict})
		if err != nil {
			return fmt.Errorf("status update: %w", err)
		}
		want, _ := json.Marshal(status)
		have, _ := json.Marshal(got.Object["status"])
		if !bytes.Equal(want, have) {
			return fmt.Errorf("the server stored status\n%s\nwant\n%s", have, want)
		}
	}
	if obj.GetAnnotations()[annotationDelete] != "true" {
		return nil
	}
	if len(obj.GetFinalizers()) == 0 {
		return fmt.Errorf("%s without a finalizer would be gone", annotationDelete)
	}
	if err := res.Delete(ctx, obj.GetName(), metav1.DeleteOptions{}); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	return nil
}
