package ksmeval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// LoadObjects reads Kubernetes objects from r: `kubectl get -o yaml|json`
// output (a List with items), a multi-document YAML stream, or a JSON value
// or stream of values (objects, Lists or arrays of objects). Numbers are
// typed as the API server delivers them (int64 for integers, float64
// otherwise). YAML is read as kubectl reads it (sigs.k8s.io/yaml, YAML 1.1:
// unquoted y/n/on/off keys and values are booleans). Errors name source and
// line.
func LoadObjects(r io.Reader, source string) ([]map[string]any, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		return loadJSON(data, source)
	}
	return loadYAML(data, source)
}

// loadJSON reads a stream of JSON values.
func loadJSON(data []byte, source string) ([]map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out []map[string]any
	for {
		start := dec.InputOffset()
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			offset := dec.InputOffset()
			var se *json.SyntaxError
			if errors.As(err, &se) {
				offset = se.Offset
			}
			return nil, fmt.Errorf("%s:%d: %w", source, lineAt(data, offset), err)
		}
		objs, err := objectsOf(convertNumbers(v))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", source, lineAt(data, start+int64(leadingSpace(data[start:]))), err)
		}
		out = append(out, objs...)
	}
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

// loadYAML reads a multi-document YAML stream.
func loadYAML(data []byte, source string) ([]map[string]any, error) {
	var out []map[string]any
	for _, doc := range splitYAML(string(data)) {
		j, err := yaml.YAMLToJSON([]byte(doc.text))
		if err != nil {
			line, msg := doc.line, err.Error()
			if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
				n, _ := strconv.Atoi(msg[m[2]:m[3]])
				line, msg = doc.line+n-1, msg[:m[0]]+msg[m[1]:]
			}
			return nil, fmt.Errorf("%s:%d: %s", source, line, msg)
		}
		v, err := decodeJSON(j)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", source, doc.line, err)
		}
		objs, err := objectsOf(v)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", source, doc.line, err)
		}
		out = append(out, objs...)
	}
	return out, nil
}

// yamlDoc is one document of a stream and the line it starts on (1-based).
type yamlDoc struct {
	text string
	line int
}

// splitYAML splits a stream at "---" (and "...") marker lines; text after a
// "---" marker on the same line belongs to the new document.
func splitYAML(s string) []yamlDoc {
	var docs []yamlDoc
	cur := yamlDoc{line: 1}
	var b strings.Builder
	flush := func(next int) {
		cur.text = b.String()
		docs = append(docs, cur)
		b.Reset()
		cur = yamlDoc{line: next}
	}
	for i, line := range strings.SplitAfter(s, "\n") {
		trimmed := strings.TrimRight(line, "\r\n")
		switch {
		case trimmed == "---" || strings.HasPrefix(trimmed, "--- ") || strings.HasPrefix(trimmed, "---\t"):
			rest := strings.TrimLeft(trimmed[3:], " \t")
			if rest == "" || strings.HasPrefix(rest, "#") {
				flush(i + 2)
				continue
			}
			flush(i + 1)
			b.WriteString(rest + "\n")
		case trimmed == "..." || strings.HasPrefix(trimmed, "... "):
			flush(i + 2)
		default:
			b.WriteString(line)
		}
	}
	flush(0)
	return docs
}

// objectsOf turns one decoded document into objects: nil → none, a List →
// its items, an array → its elements, otherwise the object itself, which
// must carry apiVersion and kind.
func objectsOf(v any) ([]map[string]any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		var out []map[string]any
		for i, el := range x {
			objs, err := objectsOf(el)
			if err != nil {
				return nil, fmt.Errorf("item %d: %w", i, err)
			}
			out = append(out, objs...)
		}
		return out, nil
	case map[string]any:
		apiVersion, _ := x["apiVersion"].(string)
		kind, _ := x["kind"].(string)
		if items, ok := x["items"].([]any); ok && strings.HasSuffix(kind, "List") {
			return objectsOf(items)
		}
		if apiVersion == "" || kind == "" {
			return nil, errors.New("not a Kubernetes object: apiVersion and kind are required")
		}
		return []map[string]any{x}, nil
	}
	return nil, fmt.Errorf("not a Kubernetes object: got %T", v)
}

// decodeJSON decodes one JSON value with API-server number typing.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return convertNumbers(v), nil
}

// convertNumbers replaces json.Number by int64 when it is an integer in
// range, else float64, as k8s.io/apimachinery's JSON decoding does.
func convertNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any:
		for k, el := range x {
			x[k] = convertNumbers(el)
		}
	case []any:
		for i, el := range x {
			x[i] = convertNumbers(el)
		}
	}
	return v
}

// lineAt is the 1-based line of a byte offset.
func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return bytes.Count(data[:offset], []byte("\n")) + 1
}

func leadingSpace(b []byte) int {
	return len(b) - len(bytes.TrimLeft(b, " \t\r\n"))
}
