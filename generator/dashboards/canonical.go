package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// canonicalJSON encodes v with sorted keys (as Grafana exports dashboards),
// 2-space indentation, no HTML escaping of PromQL's < and >, and a trailing
// newline: exactly what encoding/json writes for v decoded into maps, but
// without decoding it (see sortKeys).
func canonicalJSON(v any) ([]byte, error) {
	var compact bytes.Buffer
	enc := json.NewEncoder(&compact)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	js := bytes.TrimSuffix(compact.Bytes(), []byte("\n"))
	out, err := sortKeys(make([]byte, 0, len(js)*3/2), js, 0)
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// sortKeys appends to dst the compact JSON value js (as encoding/json
// writes it: no spaces) with the members of every object sorted by key and
// every string as encoding/json writes it without HTML escaping (custom
// marshalers may have escaped < as \u003c), indented as json.Indent(dst,
// js, "", "  ") indents a value at the given depth: each member or element
// on a line of its own, ": " after keys, empty objects and arrays as {}
// and []. Numbers and literals are copied as they are, as json.Number
// writes them.
func sortKeys(dst, js []byte, depth int) ([]byte, error) {
	// newline starts a line at depth d.
	newline := func(dst []byte, d int) []byte {
		dst = append(dst, '\n')
		for range d {
			dst = append(dst, "  "...)
		}
		return dst
	}
	switch {
	case len(js) == 0:
		return nil, errors.New("canonical JSON: empty value")
	case js[0] == '[':
		elements := members(js)
		if len(elements) == 0 {
			return append(dst, "[]"...), nil
		}
		dst = append(dst, '[')
		for i, v := range elements {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = sortKeys(newline(dst, depth+1), v, depth+1); err != nil {
				return nil, err
			}
		}
		return append(newline(dst, depth), ']'), nil
	case js[0] == '{':
		type member struct {
			key   string
			raw   []byte // the quoted key
			value []byte
		}
		var ms []member
		for _, m := range members(js) {
			end := stringEnd(m, 0)
			key := string(m[1 : end-1])
			if strings.IndexByte(key, '\\') >= 0 || !plainString(m[:end]) { // escapes: sort by the value
				if err := json.Unmarshal(m[:end], &key); err != nil {
					return nil, fmt.Errorf("canonical JSON: key %s: %w", m[:end], err)
				}
			}
			ms = append(ms, member{key, m[:end], m[end+1:]})
		}
		if len(ms) == 0 {
			return append(dst, "{}"...), nil
		}
		slices.SortStableFunc(ms, func(a, b member) int { return strings.Compare(a.key, b.key) })
		dst = append(dst, '{')
		for i, m := range ms {
			if i > 0 && m.key == ms[i-1].key {
				return nil, fmt.Errorf("canonical JSON: key %q twice", m.key)
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = canonicalString(newline(dst, depth+1), m.raw); err != nil {
				return nil, err
			}
			if dst, err = sortKeys(append(dst, ": "...), m.value, depth+1); err != nil {
				return nil, err
			}
		}
		return append(newline(dst, depth), '}'), nil
	case js[0] == '"':
		return canonicalString(dst, js)
	}
	return append(dst, js...), nil
}

// plainString reports whether the JSON string s is ASCII without \u
// escapes: its value is then written back the same way (encoding/json
// writes only quotes, backslashes and control characters escaped, the
// latter as \n, \r, \t or \u00XX).
func plainString(s []byte) bool {
	for i, c := range s {
		if c >= 0x80 || c == '\\' && i+1 < len(s) && s[i+1] == 'u' {
			return false
		}
	}
	return true
}

// canonicalString appends the JSON string s as encoding/json writes its
// value without HTML escaping: as it is when plainString, else decoded and
// encoded again.
func canonicalString(dst, s []byte) ([]byte, error) {
	if plainString(s) {
		return append(dst, s...), nil
	}
	var v string
	if err := json.Unmarshal(s, &v); err != nil {
		return nil, fmt.Errorf("canonical JSON: string %s: %w", s, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...), nil
}

// members splits the inside of a compact JSON array or object at its
// top-level commas.
func members(js []byte) [][]byte {
	inner := js[1 : len(js)-1]
	var out [][]byte
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '"':
			i = stringEnd(inner, i) - 1
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, inner[start:i])
				start = i + 1
			}
		}
	}
	if len(inner) > 0 {
		out = append(out, inner[start:])
	}
	return out
}

// stringEnd returns the index just past the JSON string starting at js[i].
func stringEnd(js []byte, i int) int {
	for i++; i < len(js); i++ {
		switch js[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(js)
}
