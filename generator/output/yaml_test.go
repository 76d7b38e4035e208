package output

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"testing"

	"sigs.k8s.io/yaml"
)

// TestFastYAMLIsSigsYAML: AppendJSONToYAML skips sigs.k8s.io/yaml's JSON round
// trip; the bytes must be the same, for strings of every kind YAML treats
// specially and for numbers.
func TestFastYAMLIsSigsYAML(t *testing.T) {
	specials := []string{"", " ", "yes", "No", "on", "~", "null", "true", "1", "0x1F", "1e3", "-", "- a", "a: b", "#c", "a #b",
		"multi\nline\n", "multi\nline", "trailing \nspace", " leading", "\ttab", "x\n\n\n", "\n", "ünï", "\u2028", "{\n  \"a\": 1\n}\n",
		"\"quoted\"", "'single'", "a\\b", "&anchor", "*alias", "!tag", "%", "@", "`", "[x]", "{x}", "0o17", ".inf", "2026-11-26"}
	rnd := rand.New(rand.NewSource(1))
	alphabet := []rune("ab :#-\n\t\"'\\{}[]&*!|>%@`,?ü\u2028 01.eE+")
	for range 300 {
		r := make([]rune, rnd.Intn(40))
		for i := range r {
			r[i] = alphabet[rnd.Intn(len(alphabet))]
		}
		specials = append(specials, string(r))
	}
	numbers := []any{0, -1, 42, 1 << 40, uint64(1) << 63, -(1 << 62), 0.1, 1.5, 3.0, -2.25, 1e21, 1e-7, 123456789.125, float32(0.3)}
	for _, s := range specials {
		v := map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap",
			"data":     map[string]any{s: s, "b.json": s + "\n" + s},
			"metadata": map[string]any{"labels": map[string]any{"x": s}, "annotations": map[string]any{}},
			"list":     []any{s, true, nil, map[string]any{"k": s}, []any{}},
			"numbers":  numbers,
		}
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		fast, err := AppendJSONToYAML(nil, js)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast, slow) {
			t.Fatalf("string %q:\nfast:\n%s\nsigs.k8s.io/yaml:\n%s", s, fast, slow)
		}
	}
}
