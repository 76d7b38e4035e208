package load

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/crdmon/crdmon/internal/testutil"
)

// Names the API server would refuse never reach the renderers, and inputs
// that could only be mistakes are refused with file and line.
func TestRefusedInput(t *testing.T) {
	alias := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 9; i++ {
		name := string(rune('b' + i))
		alias += name + ": &" + name + " [*" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + ", *" + prev + "]\n"
		prev = name
	}
	cases := []struct {
		name, input, want string
	}{
		{"group with a quote", strings.ReplaceAll(crd, "example.com", `"exa\"mple.com"`), `spec.group "exa\"mple.com" is not a DNS subdomain`},
		{"group without a dot", strings.ReplaceAll(crd, "example.com", "example"), "at least one dot"},
		{"kind with braces", strings.Replace(crd, "kind: Widget", "kind: '{W}'", 1), `spec.names.kind "{W}" is invalid`},
		{"kind with a newline", strings.Replace(crd, "kind: Widget", `kind: "Wid\nget"`, 1), "spec.names.kind"},
		{"plural with a colon", strings.Replace(crd, "plural: widgets", `plural: "wid:gets"`, 1), "spec.names.plural"},
		{"version with a hash", strings.Replace(crd, "name: v1\n", "name: 'v#1'\n", 1), `version "v#1" is invalid`},
		{"name not plural.group", strings.Replace(crd, "name: widgets.example.com", "name: other.example.com", 1), `metadata.name must be spec.names.plural+"."+spec.group ("widgets.example.com")`},
		{"only other objects", "apiVersion: v1\nkind: ConfigMap\n", "x.yaml: no apiextensions.k8s.io/v1 CustomResourceDefinition found (1 other documents: v1/ConfigMap ×1)"},
		{"one kind, two CRDs", crd + "---\n" + strings.ReplaceAll(crd, "widgets", "widgetz"), `x.yaml:16: CustomResourceDefinition "widgetz.example.com" defines kind Widget.example.com, already defined by "widgets.example.com" at x.yaml:1`},
		{"alias bomb", alias, "x.yaml:1: invalid YAML"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			_, err := Bytes("x.yaml", []byte(c.input))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("error is %T, want *load.Error (exit 2)", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// One-pass decoding gives exactly what classifying first gives, over the
// example CRDs and the corpus (a sample, all with CRDMON_FULL_CORPUS=1).
func TestOnePassDecodingIsEquivalent(t *testing.T) {
	for _, inputs := range [][]string{{testutil.TestdataCRDs(t)}, testutil.CorpusSample(t)} {
		onePass = false
		slow, slowErr := Paths(inputs, nil)
		onePass = true
		fast, err := Paths(inputs, nil)
		if fmt.Sprint(err) != fmt.Sprint(slowErr) || !reflect.DeepEqual(fast, slow) {
			t.Errorf("%s: one-pass decoding differs (%v, %v)", inputs[0], err, slowErr)
		}
	}
}

func TestWithoutSchemas(t *testing.T) {
	r, err := Bytes("x.yaml", []byte(crd))
	if err != nil {
		t.Fatal(err)
	}
	slim := r.WithoutSchemas()
	if slim.CRDs[0].Spec.Versions[0].Schema != nil || slim.CRDs[0].Name != "widgets.example.com" || slim.Documents != 1 {
		t.Errorf("slim copy %+v", slim.CRDs[0])
	}
	if r.CRDs[0].Spec.Versions[0].Schema == nil {
		t.Error("the original lost its schema")
	}
}
