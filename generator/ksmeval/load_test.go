package ksmeval

import (
	"strings"
	"testing"
)

func TestLoadObjects(t *testing.T) {
	list := `apiVersion: v1
kind: List
items:
- apiVersion: g/v1
  kind: K
  metadata: {name: a, namespace: ns}
  spec: {replicas: 3, ratio: 0.5, big: 1.0e+21, at: 2024-01-02T03:04:05Z}
- apiVersion: g/v1
  kind: K
  metadata: {name: b, namespace: ns}
metadata: {resourceVersion: ""}
`
	multi := `# leading comment
---
apiVersion: g/v1
kind: K
metadata: {name: a}
--- # another
apiVersion: g/v1
kind: K
metadata: {name: b}
---
...
`
	jsonStream := `{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "g/v1", "kind": "K", "metadata": {"name": "a"}, "spec": {"replicas": 3, "ratio": 0.5, "f": 2.0}}]}
{"apiVersion": "g/v1", "kind": "K", "metadata": {"name": "b"}}
[{"apiVersion": "g/v1", "kind": "K", "metadata": {"name": "c"}}]`

	objs := loadString(t, list)
	if len(objs) != 2 {
		t.Fatalf("list: %d objects", len(objs))
	}
	spec := objs[0]["spec"].(map[string]any)
	if v, ok := spec["replicas"].(int64); !ok || v != 3 {
		t.Errorf("replicas = %#v, want int64 3", spec["replicas"])
	}
	if v, ok := spec["ratio"].(float64); !ok || v != 0.5 {
		t.Errorf("ratio = %#v, want float64 0.5", spec["ratio"])
	}
	if v, ok := spec["big"].(float64); !ok || v != 1e21 {
		t.Errorf("big = %#v, want float64 1e21", spec["big"])
	}
	if v, ok := spec["at"].(string); !ok || v != "2024-01-02T03:04:05Z" {
		t.Errorf("at = %#v, want the RFC3339 string", spec["at"])
	}

	if n := len(loadString(t, multi)); n != 2 {
		t.Errorf("multi-document: %d objects, want 2", n)
	}
	objs = loadString(t, jsonStream)
	if len(objs) != 3 {
		t.Fatalf("json: %d objects, want 3", len(objs))
	}
	jspec := objs[0]["spec"].(map[string]any)
	if _, ok := jspec["replicas"].(int64); !ok {
		t.Errorf("json replicas = %#v, want int64", jspec["replicas"])
	}
	if _, ok := jspec["f"].(float64); !ok {
		t.Errorf("json 2.0 = %#v, want float64", jspec["f"])
	}
}

func TestLoadObjectsErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"apiVersion: g/v1\nkind: K\n---\napiVersion: g/v1\nkind: K\nmetadata: {name: [\n", "objs.yaml:6: yaml: did not find expected node content"},
		{"apiVersion: g/v1\nkind: K\n---\napiVersion: g/v1\nkind: K\nmetadata:\n  name: a\n   bad: indent\n", "objs.yaml:8: "},
		{"apiVersion: g/v1\nkind: K\n---\nkind: K\nmetadata: {name: x}\n", "objs.yaml:4: not a Kubernetes object"},
		{"- 1\n", "objs.yaml:1: item 0: not a Kubernetes object: got int64"},
		{"{\"apiVersion\": \"g/v1\",\n \"kind\": \"K\",\n \"x\": }\n", "objs.yaml:3: invalid character '}'"},
		{"{\"apiVersion\": \"g/v1\", \"kind\": \"K\"}\n\n{\"kind\": \"K\"}\n", "objs.yaml:3: not a Kubernetes object"},
	}
	for _, c := range cases {
		_, err := LoadObjects(strings.NewReader(c.in), "objs.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadObjects(%q) err = %v, want it to contain %q", c.in, err, c.want)
		}
	}
}

// Objects built in Go (float64 numbers, typed maps) are normalised as the
// API server would deliver them.
func TestEvaluateNormalizes(t *testing.T) {
	cfg := parseConfig(t, oneResource("labelsFromPath: {r: [spec, replicas]}\nmetrics:\n- name: r\n  each: {type: Gauge, gauge: {path: [spec, replicas]}}"))
	obj := map[string]any{
		"apiVersion": "g/v1", "kind": "K",
		"metadata": map[string]string{"name": "o", "namespace": "ns"},
		"spec":     map[string]any{"replicas": float64(3)},
	}
	res, err := Evaluate(cfg, []map[string]any{obj})
	if err != nil {
		t.Fatal(err)
	}
	equalLines(t, "samples", sampleLines(res), []string{`kube_customresource_r{r="3"} 3`})
	if _, ok := obj["metadata"].(map[string]string); !ok {
		t.Error("Evaluate modified its input")
	}
}
