package output

import (
	"bytes"
	"encoding/json"
	"fmt"

	"sigs.k8s.io/yaml"
	yamlv3 "sigs.k8s.io/yaml/goyaml.v3"
)

// YAML marshals a Kubernetes object (typed or not) to YAML with sorted keys,
// dropping the `creationTimestamp: null` that typed ObjectMeta always carries.
func YAML(obj any) ([]byte, error) {
	js, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var generic map[string]any
	if err := json.Unmarshal(js, &generic); err != nil {
		return nil, fmt.Errorf("object is not a JSON object: %w", err)
	}
	if meta, ok := generic["metadata"].(map[string]any); ok {
		if v, present := meta["creationTimestamp"]; present && v == nil {
			delete(meta, "creationTimestamp")
		}
	}
	return yaml.Marshal(generic)
}

// YAMLDocuments renders objects as one YAML stream with a generated header.
func YAMLDocuments(objs ...any) ([]byte, error) {
	out := []byte(Header("#"))
	for i, o := range objs {
		b, err := YAML(o)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, "---\n"...)
		}
		out = append(out, b...)
	}
	return out, nil
}

// FlowYAML marshals a value with its yaml tags, keeping struct field order and
// writing lists of scalars in flow style ([metadata, name]), which reads and
// diffs better than one element per line.
func FlowYAML(v any) ([]byte, error) {
	var node yamlv3.Node
	if err := node.Encode(v); err != nil {
		return nil, err
	}
	flowScalarLists(&node)
	var buf bytes.Buffer
	enc := yamlv3.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&node); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func flowScalarLists(n *yamlv3.Node) {
	if n.Kind == yamlv3.SequenceNode {
		scalars := true
		for _, c := range n.Content {
			if c.Kind != yamlv3.ScalarNode {
				scalars = false
			}
		}
		if scalars {
			n.Style = yamlv3.FlowStyle
		}
	}
	for _, c := range n.Content {
		flowScalarLists(c)
	}
}
