package dashboards

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"strconv"
	"testing"
)

// decodedJSON is what canonicalJSON stands for: v encoded, decoded into
// maps (numbers kept as written) and encoded with sorted keys, 2-space
// indentation and no HTML escaping.
func decodedJSON(t *testing.T, v any) []byte {
	t.Helper()
	js, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestCanonicalJSONIsDecodedJSON compares canonicalJSON with decoding and
// encoding again, on every board of the hand-built models under every
// option variant and on random values with awkward keys and strings.
func TestCanonicalJSONIsDecodedJSON(t *testing.T) {
	var values []any
	for _, d := range variantDashboards(t) {
		values = append(values, d)
	}
	rnd := rand.New(rand.NewSource(1))
	words := []string{"", "a", "B", "<", ">", "&", "ü", "\u2028", "\"", "\\", "\n", "\t", "$kind", "a b", "{", "]", "\x00", "\xff"}
	var random func(depth int) any
	random = func(depth int) any {
		switch n := rnd.Intn(7); {
		case depth > 3 || n == 0:
			return words[rnd.Intn(len(words))] + words[rnd.Intn(len(words))]
		case n == 1:
			return json.Number(strconv.FormatFloat(rnd.NormFloat64()*1e6, 'g', -1, 64))
		case n == 2:
			return []any{nil, true, false}[rnd.Intn(3)]
		case n == 3:
			l := make([]any, rnd.Intn(4))
			for i := range l {
				l[i] = random(depth + 1)
			}
			return l
		default:
			m := map[string]any{}
			for range rnd.Intn(5) {
				m[words[rnd.Intn(len(words))]+words[rnd.Intn(len(words))]] = random(depth + 1)
			}
			return m
		}
	}
	for range 500 {
		values = append(values, random(0))
	}
	for i, v := range values {
		got, err := canonicalJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := decodedJSON(t, v); !bytes.Equal(got, want) {
			t.Fatalf("value %d:\ngot:\n%s\nwant:\n%s", i, got, want)
		}
	}
}
