package limits

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/yaml"
	yamlv3 "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/crdmon/crdmon/generator/internal/parallel"
	"github.com/crdmon/crdmon/generator/output"
)

// Why each limit exists, for error messages.
const (
	reasonObject = "`kubectl apply` without --server-side (and Argo CD by default) stores the whole object in its " +
		"last-applied-configuration annotation, and an object's annotations may hold at most 262144 bytes"
	reasonConfigMap = "a ConfigMap holds at most 1 MiB of data"
	reasonKSM       = "kube-state-metrics reads its config from a ConfigMap that Helm charts render, re-serialized " +
		"in block style; crdmon keeps the config within half a ConfigMap"
)

// topLevel reports whether a YAML document has a line starting with prefix.
func topLevel(doc []byte, prefix string) bool {
	return bytes.HasPrefix(doc, []byte(prefix)) || bytes.Contains(doc, []byte("\n"+prefix))
}

// Check checks generated YAML files against the limits, as the API server
// and kube-state-metrics' Helm chart would apply them:
//   - every Kubernetes object (a document with top-level apiVersion and
//     kind) fits in Annotations once applied (AppliedSize), and a
//     ConfigMap's data in ConfigMap;
//   - a kube-state-metrics config (kind: CustomResourceStateMetrics) file is
//     at most KSMConfig;
//   - Helm values carrying customResourceState.config render, as the
//     kube-state-metrics chart renders them (toYaml), a ConfigMap within
//     ConfigMap.
//
// Objects of a file that carries its documents' JSON (output.File.JSON)
// are measured from that JSON, exactly, without parsing their YAML.
//
// The error lists every file over a limit as *Error values.
func Check(files []output.File) error {
	found, _ := parallel.Map(files, func(f output.File) ([]error, error) { return checkFile(f), nil })
	var errs []error
	for _, e := range found {
		errs = append(errs, e...)
	}
	return errors.Join(errs...)
}

// CheckFile is Check for one file, for files checked as they are generated.
func CheckFile(f output.File) error {
	return errors.Join(checkFile(f)...)
}

func checkFile(f output.File) []error {
	if !strings.HasSuffix(f.Path, ".yaml") && !strings.HasSuffix(f.Path, ".yml") {
		return nil
	}
	var errs []error
	over := func(what string, size, limit int, reason string) {
		if size > limit {
			errs = append(errs, &Error{File: f.Path, What: what, Size: size, Limit: limit, Reason: reason})
		}
	}
	docs := documents(f.Content)
	if len(f.JSON) != len(docs) {
		f.JSON = nil // not one JSON per document: measure the YAML
	}
	for i, doc := range docs {
		var err error
		switch {
		case topLevel(doc, "kind: CustomResourceStateMetrics\n"):
			over("the kube-state-metrics config", len(f.Content), KSMConfig, reasonKSM)
		case topLevel(doc, "apiVersion:") && topLevel(doc, "kind:"):
			if f.JSON != nil {
				err = checkObjectJSON(f.JSON[i], over)
			} else {
				err = checkObject(doc, over)
			}
		case bytes.Contains(doc, []byte("customResourceState:")) && len(doc) > ConfigMap:
			// The chart's toYaml of the config is no larger than the values
			// document holding it, indented deeper: only a document over the
			// limit needs rendering.
			var size int
			size, err = chartConfigMapData(doc)
			over("the ConfigMap the kube-state-metrics chart renders from customResourceState.config", size, ConfigMap, reasonConfigMap)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: document %d: %w", f.Path, i+1, err))
		}
	}
	return errs
}

// checkObject checks one Kubernetes object. Its applied size is bounded
// from the YAML tree first (jsonBound), which is cheap; only objects whose
// bound is over the limit are decoded to measure it exactly.
func checkObject(doc []byte, over func(what string, size, limit int, reason string)) error {
	var root yamlv3.Node
	if err := yamlv3.Unmarshal(doc, &root); err != nil {
		return err
	}
	obj := lookup(&root)
	meta := lookup(obj("metadata"))
	what := objectName(scalar(obj("kind")), scalar(meta("namespace")), scalar(meta("name")))
	bound := len(LastAppliedAnnotation) + jsonBound(&root) + 1 + pairBytes(meta("annotations"))
	if bound > Annotations {
		decoded, err := decode(doc)
		if err != nil {
			return err
		}
		size, err := AppliedSize(decoded)
		if err != nil {
			return err
		}
		over(what, size, Annotations, reasonObject)
	}
	if scalar(obj("kind")) == "ConfigMap" {
		data := pairBytes(obj("data")) + pairBytes(obj("binaryData"))
		data -= keyBytes(obj("data")) + keyBytes(obj("binaryData"))
		over(what+"'s data", data, ConfigMap, reasonConfigMap)
	}
	return nil
}

// checkObjectJSON is checkObject for an object written as YAML from js, its
// compact JSON as encoding/json writes it (and kubectl, having decoded the
// YAML, writes it again): its applied size is measured exactly from js.
func checkObjectJSON(js []byte, over func(what string, size, limit int, reason string)) error {
	// Decoded, the annotations (keys and values) and a ConfigMap's data
	// are shorter than their JSON within js: a js that fits the applied
	// size twice over fits both limits without being decoded.
	if len(LastAppliedAnnotation)+2*len(js)+1 <= min(Annotations, ConfigMap) {
		return nil
	}
	var obj struct {
		Kind     string `json:"kind"`
		Metadata struct {
			Name        string            `json:"name"`
			Namespace   string            `json:"namespace"`
			Annotations map[string]string `json:"annotations"`
		} `json:"metadata"`
		Data       map[string]string `json:"data"`
		BinaryData map[string]string `json:"binaryData"`
	}
	if err := json.Unmarshal(js, &obj); err != nil {
		return err
	}
	what := objectName(obj.Kind, obj.Metadata.Namespace, obj.Metadata.Name)
	over(what, appliedSize(js, obj.Metadata.Annotations), Annotations, reasonObject)
	if obj.Kind == "ConfigMap" {
		data := 0
		for _, m := range []map[string]string{obj.Data, obj.BinaryData} {
			for _, v := range m {
				data += len(v)
			}
		}
		over(what+"'s data", data, ConfigMap, reasonConfigMap)
	}
	return nil
}

// objectName names an object in errors: "Kind namespace/name", or "Kind
// name" for one without a namespace.
func objectName(kind, namespace, name string) string {
	if namespace == "" {
		return kind + " " + name
	}
	return kind + " " + namespace + "/" + name
}

// documents splits a YAML stream at its "---" lines.
func documents(content []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(content, []byte("\n---\n")) {
		docs = append(docs, bytes.TrimPrefix(d, []byte("---\n")))
	}
	return docs
}

// decode reads a YAML document as kubectl does, keeping numbers as written.
func decode(doc []byte) (map[string]any, error) {
	js, err := yaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// lookup returns a function finding the value of a key in mapping n (or in
// the mapping a document node holds); nil when n is no mapping or lacks it.
func lookup(n *yamlv3.Node) func(key string) *yamlv3.Node {
	for n != nil && n.Kind == yamlv3.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	return func(key string) *yamlv3.Node {
		if n == nil || n.Kind != yamlv3.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
		return nil
	}
}

// scalar is a scalar node's value, "" for anything else.
func scalar(n *yamlv3.Node) string {
	if n == nil || n.Kind != yamlv3.ScalarNode {
		return ""
	}
	return n.Value
}

// pairBytes sums the lengths of the keys and scalar values of mapping n
// (annotations, ConfigMap data).
func pairBytes(n *yamlv3.Node) int {
	if n == nil || n.Kind != yamlv3.MappingNode {
		return 0
	}
	size := 0
	for _, c := range n.Content {
		size += len(c.Value)
	}
	return size
}

// keyBytes sums the lengths of the keys of mapping n.
func keyBytes(n *yamlv3.Node) int {
	if n == nil || n.Kind != yamlv3.MappingNode {
		return 0
	}
	size := 0
	for i := 0; i < len(n.Content); i += 2 {
		size += len(n.Content[i].Value)
	}
	return size
}

// jsonBound is at least the length of the compact JSON encoding/json writes
// for the value kubectl decodes from node n (sigs.k8s.io/yaml, YAML 1.1):
// exact for mappings, sequences and quoted strings; a plain scalar counts
// at least 7 bytes (YAML 1.1 reads y, n, no... as booleans, and a boolean
// key becomes the JSON string "false"), and one resolved as no string (a
// number, boolean, null or timestamp) at least 25, more than any JSON
// number or literal it becomes; !!binary counts 6 bytes for each byte of
// its base64 text.
func jsonBound(n *yamlv3.Node) int {
	switch n.Kind {
	case yamlv3.DocumentNode, yamlv3.MappingNode, yamlv3.SequenceNode:
		size := 0
		for _, c := range n.Content {
			size += jsonBound(c) + 1 // a comma or, after a key, a colon
		}
		if n.Kind == yamlv3.DocumentNode {
			return size
		}
		return size + 2 // braces or brackets
	case yamlv3.AliasNode:
		return jsonBound(n.Alias)
	}
	size := 2 + escapedLen(n.Value)
	switch {
	case n.ShortTag() == "!!binary": // base64: each decoded byte may need 6
		return 2 + 6*len(n.Value)
	case n.Style&(yamlv3.DoubleQuotedStyle|yamlv3.SingleQuotedStyle|yamlv3.LiteralStyle|yamlv3.FoldedStyle) != 0:
		return size
	case n.ShortTag() == "!!str":
		return max(size, len(`"false"`))
	}
	return max(size, 25)
}

// escapedLen is the length of s inside a JSON string as encoding/json writes
// it: \" \\ \n \r \t take 2 bytes; other control characters, < > & (HTML
// escaping), U+2028, U+2029 and invalid UTF-8 take 6 (\u00XX, \ufffd).
func escapedLen(s string) int {
	n := 0
	for i, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20 || r == '<' || r == '>' || r == '&' || r == '\u2028' || r == '\u2029':
			n += 6
		case r == '\uFFFD' && !strings.HasPrefix(s[i:], "\uFFFD"):
			n += 6
		default:
			n += utf8.RuneLen(r)
		}
	}
	return n
}

// chartConfigMapData is the data of the ConfigMap the kube-state-metrics
// chart renders from values (its templates/crs-configmap.yaml:
// `config.yaml: {{ toYaml .Values.customResourceState.config }}`), for the
// chart's values or kube-prometheus-stack's (under kube-state-metrics:).
func chartConfigMapData(doc []byte) (int, error) {
	var values struct {
		CustomResourceState struct {
			Config any `json:"config"`
		} `json:"customResourceState"`
		Nested struct {
			CustomResourceState struct {
				Config any `json:"config"`
			} `json:"customResourceState"`
		} `json:"kube-state-metrics"`
	}
	if err := yaml.Unmarshal(doc, &values); err != nil {
		return 0, err
	}
	cfg := values.CustomResourceState.Config
	if cfg == nil {
		cfg = values.Nested.CustomResourceState.Config
	}
	if cfg == nil {
		return 0, nil
	}
	rendered, err := yaml.Marshal(cfg)
	return len(rendered), err
}
