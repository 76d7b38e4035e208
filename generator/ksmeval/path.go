package ksmeval

import (
	"fmt"
	"strconv"
	"strings"
)

// pathOp is one compiled path segment; part is the segment as written, used
// in error messages exactly as kube-state-metrics prints them.
type pathOp struct {
	part  string
	apply func(node any) any
}

// valuePath is a compiled path (reference §5).
type valuePath []pathOp

// compilePath compiles path segments; a bracketed segment without "=" is the
// only compile error ("invalid list lookup").
func compilePath(path []string) (valuePath, error) {
	out := make(valuePath, 0, len(path))
	for _, part := range path {
		if strings.HasPrefix(part, "[") && strings.HasSuffix(part, "]") {
			op, err := listLookup(part)
			if err != nil {
				return nil, err
			}
			out = append(out, op)
			continue
		}
		out = append(out, keyLookup(part))
	}
	return out, nil
}

// get resolves the path against node; nil anywhere yields nil.
func (p valuePath) get(node any) any {
	for _, op := range p {
		if node == nil {
			return nil
		}
		node = op.apply(node)
	}
	return node
}

// String renders the path as kube-state-metrics does in messages: "[a,b]".
func (p valuePath) String() string {
	parts := make([]string, len(p))
	for i, op := range p {
		parts[i] = op.part
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// listLookup compiles "[key=value]": on a list, the first map element whose
// key equals value as a string, as a number (both sides through toFloat64) or
// as a bool; nil on anything else.
func listLookup(part string) (pathOp, error) {
	key, want, ok := strings.Cut(part[1:len(part)-1], "=")
	if !ok {
		return pathOp{}, fmt.Errorf("invalid list lookup: %s", part)
	}
	num, numErr := toFloat64(want, false)
	boolean, boolErr := strconv.ParseBool(want)
	return pathOp{part: part, apply: func(node any) any {
		list, ok := node.([]any)
		if !ok {
			return nil
		}
		for _, el := range list {
			m, ok := el.(map[string]any)
			if !ok {
				continue
			}
			candidate, set := m[key]
			if !set {
				continue
			}
			if s, ok := candidate.(string); ok && s == want {
				return m
			}
			if numErr == nil {
				if f, err := toFloat64(candidate, false); err == nil && f == num {
					return m
				}
			}
			if boolErr == nil {
				if b, ok := candidate.(bool); ok && b == boolean {
					return m
				}
			}
		}
		return nil
	}}, nil
}

// keyLookup compiles a plain segment: a map key ("k=v" first returns the value
// of k when it is the string v), or a list index (negative from the end; out
// of range or non-numeric → nil).
func keyLookup(part string) pathOp {
	return pathOp{part: part, apply: func(node any) any {
		switch n := node.(type) {
		case map[string]any:
			if kv := strings.Split(part, "="); len(kv) == 2 {
				if v, ok := n[kv[0]].(string); ok && v == kv[1] {
					return v
				}
			}
			return n[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil {
				return nil
			}
			if i < 0 {
				i += len(n)
			}
			if i < 0 || i >= len(n) {
				return nil
			}
			return n[i]
		}
		return nil
	}}
}
