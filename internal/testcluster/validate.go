package testcluster

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// ValidateObject converts a typed object (with TypeMeta set) to unstructured
// and validates it with a server-side dry-run create (see Cluster.Validate).
func (c *Cluster) ValidateObject(ctx context.Context, obj runtime.Object) error {
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return err
	}
	_, err = c.Validate(ctx, &unstructured.Unstructured{Object: u})
	return err
}

// ValidateYAML validates every document of a YAML stream (e.g. a generated
// PrometheusRule file) with a server-side dry-run create. The error names
// the first rejected document's kind and name.
func (c *Cluster) ValidateYAML(ctx context.Context, data []byte) error {
	return eachDocument(data, func(doc []byte) error {
		var u unstructured.Unstructured
		if err := yaml.Unmarshal(doc, &u.Object); err != nil {
			return err
		}
		if u.Object == nil {
			return nil // a document of only comments
		}
		if _, err := c.Validate(ctx, &u); err != nil {
			return fmt.Errorf("%s %s: %w", u.GetKind(), u.GetName(), err)
		}
		return nil
	})
}

// eachDocument calls fn for every non-empty document of a YAML stream.
func eachDocument(data []byte, fn func(doc []byte) error) error {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
}
