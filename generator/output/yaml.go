package output

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	yamlv2 "go.yaml.in/yaml/v2"
	yamlv3 "sigs.k8s.io/yaml/goyaml.v3"
)

// YAML marshals a Kubernetes object (typed or not) to YAML with sorted keys,
// dropping the `creationTimestamp: null` that typed ObjectMeta always carries.
func YAML(obj any) ([]byte, error) {
	generic, err := decoded(obj)
	if err != nil {
		return nil, err
	}
	if meta, ok := generic["metadata"].(map[string]any); ok {
		if v, present := meta["creationTimestamp"]; present && v == nil {
			delete(meta, "creationTimestamp")
		}
	}
	return marshalDecoded(nil, generic, 0)
}

// AppendJSONToYAML appends a JSON object, written exactly as
// sigs.k8s.io/yaml.JSONToYAML writes it but faster, to dst, growing it once
// for about the whole YAML: for callers that have the JSON already and
// write a header first.
func AppendJSONToYAML(dst, js []byte) ([]byte, error) {
	generic, err := decodeJSON(js)
	if err != nil {
		return nil, err
	}
	return marshalDecoded(dst, generic, len(js)+len(js)/4)
}

// decoded is v encoded to JSON and decoded into maps and lists.
func decoded(v any) (map[string]any, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeJSON(js)
}

// decodeJSON decodes a JSON object into maps and lists, numbers as
// json.Number.
func decodeJSON(js []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var generic map[string]any
	if err := dec.Decode(&generic); err != nil {
		return nil, fmt.Errorf("object is not a JSON object: %w", err)
	}
	return generic, nil
}

// marshalDecoded writes a value decoded from JSON as sigs.k8s.io/yaml.Marshal
// does: encode it to JSON, decode that with yaml.v2 and encode the result
// with yaml.v2. Strings, booleans, nulls, maps and lists decode from JSON to
// the same values with yaml.v2 as with encoding/json; numbers are decoded
// from their JSON text by yaml.v2 itself (which types them more finely), so
// the JSON round trip is skipped: it was most of the cost of writing rule
// files and dashboards' ConfigMaps. The YAML is appended to dst, grown by
// size bytes first (yaml.v2's Encoder writes a single document exactly as
// its Marshal does, into a buffer it does not have to grow).
func marshalDecoded(dst []byte, v map[string]any, size int) ([]byte, error) {
	if _, err := resolveNumbers(v); err != nil {
		return nil, err
	}
	buf := bytes.NewBuffer(slices.Grow(dst, size))
	enc := yamlv2.NewEncoder(buf)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// resolveNumbers returns v, decoded from JSON, with each json.Number
// replaced (in place) by what yaml.v2 decodes its text to.
func resolveNumbers(v any) (any, error) {
	var err error
	switch v := v.(type) {
	case json.Number:
		var out any
		err := yamlv2.Unmarshal([]byte(v), &out)
		return out, err
	case map[string]any:
		for k, e := range v {
			if v[k], err = resolveNumbers(e); err != nil {
				return nil, err
			}
		}
	case []any:
		for i, e := range v {
			if v[i], err = resolveNumbers(e); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
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

// FlowYAML marshals a value with its json tags, keeping struct field order
// and writing lists of scalars in flow style ([metadata, name]), which reads
// and diffs better than one element per line.
//
// Strings are written plain when YAML 1.1 and 1.2 readers (kubectl and
// kube-state-metrics use sigs.k8s.io/yaml) read them back unchanged, else
// quoted; multi-line strings are double-quoted, never block scalars, which
// yaml.v3 cannot always write back correctly (e.g. a leading newline in a list).
func FlowYAML(v any) ([]byte, error) {
	return FlowStyles{}.YAML(v)
}

// FlowStyles remembers the style FlowYAML picks for each string, for
// callers that write many values with the same strings (each resource of a
// kube-state-metrics config on its own): picking one takes an encoding.
// The zero value is ready to use (and remembers nothing); make one with
// NewFlowStyles. It is not safe for concurrent use.
type FlowStyles struct{ styles map[string]yamlv3.Style }

// NewFlowStyles returns FlowStyles that remember.
func NewFlowStyles() FlowStyles {
	return FlowStyles{styles: map[string]yamlv3.Style{}}
}

// YAML is FlowYAML, remembering styles in s.
func (s FlowStyles) YAML(v any) ([]byte, error) {
	styles := s.styles
	if styles == nil {
		styles = map[string]yamlv3.Style{}
	}
	js, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc yamlv3.Node
	if err := yamlv3.Unmarshal(js, &doc); err != nil {
		return nil, err
	}
	restyle(&doc, styles)
	var buf bytes.Buffer
	enc := yamlv3.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// restyle replaces the JSON styles the parser recorded: block mappings, flow
// lists of scalars, and for strings the style yaml.v3 picks for a Go string
// (memoised in styles), double quotes for multi-line ones.
func restyle(n *yamlv3.Node, styles map[string]yamlv3.Style) {
	switch n.Kind {
	case yamlv3.MappingNode:
		n.Style = 0
	case yamlv3.SequenceNode:
		n.Style = yamlv3.FlowStyle
		for _, c := range n.Content {
			if c.Kind != yamlv3.ScalarNode {
				n.Style = 0
			}
		}
	case yamlv3.ScalarNode:
		n.Style = 0
		if n.Tag == "!!str" {
			n.Style = stringStyle(n.Value, styles)
		}
	}
	for _, c := range n.Content {
		restyle(c, styles)
	}
}

func stringStyle(s string, styles map[string]yamlv3.Style) yamlv3.Style {
	if st, ok := styles[s]; ok {
		return st
	}
	st := yamlv3.Style(0)
	if strings.ContainsAny(s, "\n\r") {
		st = yamlv3.DoubleQuotedStyle
	} else if out, err := yamlv3.Marshal(s); err != nil || len(out) == 0 || out[0] == '"' {
		st = yamlv3.DoubleQuotedStyle
	}
	styles[s] = st
	return st
}
