package limits

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"
	yamlv3 "sigs.k8s.io/yaml/goyaml.v3"

	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/internal/testutil"
)

// awkward are strings whose JSON or YAML encoding differs from their text.
var awkward = []string{
	"plain", `"quoted"`, `back\slash`, "new\nline", "tab\there", "<html> & more", "bell\a", "\u2028\u2029",
	"é✓", "\xff\xfe", "\uFFFD", "y", "n", "no", "off", "~", "null", "1e3", "0x1F", "2026-01-01", "", " lead", "- dash",
	"{{ $labels.name }}", `time() - x{a="b"} > 900`,
}

func awkwardString(r *rand.Rand) string {
	var b strings.Builder
	for n := 1 + r.Intn(4); n > 0; n-- {
		b.WriteString(awkward[r.Intn(len(awkward))])
	}
	return b.String()
}

// configMap is a ConfigMap with the given annotations and data.
func configMap(annotations, data map[string]string) map[string]any {
	meta := map[string]any{"name": "x", "namespace": "monitoring"}
	if annotations != nil {
		meta["annotations"] = annotations
	}
	return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}
}

// applied returns obj's annotations once `kubectl apply` has stored it.
func applied(t *testing.T, doc []byte) map[string]string {
	t.Helper()
	_, annotations := testutil.Applied(t, doc)
	return annotations
}

func annotationBytes(a map[string]string) int {
	n := 0
	for k, v := range a {
		n += len(k) + len(v)
	}
	return n
}

// AppliedSize is exactly the annotation size kubectl apply produces, and
// the API server refuses an object one byte over Annotations.
func TestAppliedSizeIsWhatTheAPIServerChecks(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 200; i++ {
		data := map[string]string{"a": awkwardString(r), awkwardString(r): awkwardString(r)}
		var annotations map[string]string
		if i%2 == 0 {
			annotations = map[string]string{"grafana_folder": awkwardString(r)}
		}
		doc, err := yaml.Marshal(configMap(annotations, data))
		if err != nil {
			t.Fatal(err)
		}
		obj, err := decode(doc)
		if err != nil {
			t.Fatal(err)
		}
		size, err := AppliedSize(obj)
		if err != nil {
			t.Fatal(err)
		}
		if want := annotationBytes(applied(t, doc)); size != want {
			t.Fatalf("AppliedSize %d, kubectl's annotations %d bytes, for\n%s", size, want, doc)
		}
	}
	for _, extra := range []int{0, 1} {
		cm := configMap(nil, map[string]string{"k": ""})
		base, _ := AppliedSize(cm)
		cm["data"] = map[string]string{"k": strings.Repeat("x", Annotations-base+extra)}
		doc, _ := yaml.Marshal(cm)
		refused := len(apivalidation.ValidateAnnotations(applied(t, doc), field.NewPath("metadata", "annotations"))) > 0
		if refused != (extra == 1) {
			t.Errorf("%d bytes over the limit: refused %v", extra, refused)
		}
		if err := Check([]output.File{{Path: "cm.yaml", Content: doc}}); (err != nil) != (extra == 1) {
			t.Errorf("%d bytes over the limit: Check says %v", extra, err)
		}
	}
}

// A typed object's annotations count as decoded from its JSON, invalid
// UTF-8 included.
func TestAppliedSizeOfTypedObjects(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	for i := 0; i < 200; i++ {
		cm := &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: "x", Annotations: map[string]string{awkwardString(r): awkwardString(r)}},
			Data:       map[string]string{"a": awkwardString(r)},
		}
		js, _ := json.Marshal(cm)
		var decoded map[string]any
		if err := json.Unmarshal(js, &decoded); err != nil {
			t.Fatal(err)
		}
		want := len(LastAppliedAnnotation) + len(js) + 1
		for k, v := range decoded["metadata"].(map[string]any)["annotations"].(map[string]any) {
			want += len(k) + len(v.(string))
		}
		if got, err := AppliedSize(cm); err != nil || got != want {
			t.Fatalf("AppliedSize %d (%v), want %d for %s", got, err, want, js)
		}
	}
}

// jsonBound is never below the JSON kubectl encodes, and equals it for
// documents of strings only.
func TestJSONBound(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for i := 0; i < 500; i++ {
		v := map[string]any{"kind": "X", "s": awkwardString(r), "list": []any{awkwardString(r), 3, 2.5, true, nil},
			"nested": map[string]any{awkwardString(r): []string{awkwardString(r)}}}
		doc, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		// Also the plain, unquoted forms YAML 1.1 reads as something else.
		doc = append(doc, fmt.Sprintf("plain: %s\nempty:\nbool: n\noctal: 017\nwhen: 2026-01-01\n%s: key\n", []string{"no", "y", "off", "~", "1_000", ".5"}[i%6], []string{"n", "y", "on", "1", "off", "no"}[i%6])...)
		obj, err := decode(doc)
		if err != nil {
			t.Fatalf("%v\n%s", err, doc)
		}
		exact, _ := json.Marshal(obj)
		var root yamlv3.Node
		if err := yamlv3.Unmarshal(doc, &root); err != nil {
			t.Fatal(err)
		}
		if b := jsonBound(&root); b < len(exact) {
			t.Fatalf("bound %d < JSON %d for\n%s\n%s", b, len(exact), doc, exact)
		}
	}
	// YAML 1.1 reads the key off as false, which JSON writes as the key "false".
	for _, doc := range []string{`off: "abc"`, "n: \"\"\ny: \"\"", `yes: [""]`} {
		var root yamlv3.Node
		yamlv3.Unmarshal([]byte(doc), &root)
		obj, err := decode([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		exact, _ := json.Marshal(obj)
		if b := jsonBound(&root); b < len(exact) {
			t.Errorf("%s: bound %d < JSON %d (%s)", doc, b, len(exact), exact)
		}
	}
	// Dashboard ConfigMaps, the largest objects, are one long string: the
	// bound is within a few bytes of their size, so it decides alone.
	dashboard := strings.Repeat(`{"expr": "sum(x{a=\"b\"}) > 0 & <1>",`+"\n", 2000)
	doc, _ := yaml.Marshal(configMap(map[string]string{"grafana_folder": "Operators"}, map[string]string{"board.json": dashboard}))
	var root yamlv3.Node
	yamlv3.Unmarshal(doc, &root)
	obj, _ := decode(doc)
	exact, _ := json.Marshal(obj)
	if b := jsonBound(&root); b < len(exact) || b > len(exact)+64 {
		t.Errorf("bound %d, JSON %d", b, len(exact))
	}
}

// Check reports each file over a limit, naming it, the object and the limit.
func TestCheck(t *testing.T) {
	big := strings.Repeat("x", Annotations)
	object := func(kind, name string, data string) []byte {
		doc, _ := yaml.Marshal(map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name, "namespace": "ns"}, "data": map[string]string{"k": data}})
		return doc
	}
	header := []byte(output.Header("#"))
	ksmConfig := append(append([]byte{}, header...), []byte("kind: CustomResourceStateMetrics\nspec:\n  resources: []\n# "+strings.Repeat("x", KSMConfig))...)
	values, _ := yaml.Marshal(map[string]any{"kube-state-metrics": map[string]any{"customResourceState": map[string]any{
		"config": map[string]any{"spec": map[string]any{"resources": []string{strings.Repeat("y", ConfigMap)}}}}}})
	files := []output.File{
		{Path: "ok.yaml", Content: append(append(append([]byte{}, header...), object("ConfigMap", "small", "v")...), append([]byte("---\n"), object("Secret", "s", "w")...)...)},
		{Path: "second.yaml", Content: append(append(object("ConfigMap", "small", "v"), "---\n"...), object("PrometheusRule", "large", big)...)},
		{Path: "notyaml.json", Content: object("ConfigMap", "ignored", big)},
		{Path: "kube-state-metrics/config.yaml", Content: ksmConfig},
		{Path: "values.yaml", Content: values},
		{Path: "plain.rules.yaml", Content: []byte("groups:\n- name: x\n  rules: []\n")},
	}
	err := Check(files)
	var got []string
	for _, e := range unwrap(err) {
		var le *Error
		if !errors.As(e, &le) {
			t.Fatalf("unexpected error %v", e)
		}
		got = append(got, le.File+": "+le.What)
		if le.Size <= le.Limit || !strings.Contains(e.Error(), fmt.Sprint(le.Limit)) {
			t.Errorf("%v", e)
		}
	}
	slices.Sort(got)
	want := []string{
		"kube-state-metrics/config.yaml: the kube-state-metrics config",
		"second.yaml: PrometheusRule ns/large",
		"values.yaml: the ConfigMap the kube-state-metrics chart renders from customResourceState.config",
	}
	if !slices.Equal(got, want) {
		t.Errorf("errors for\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A ConfigMap over 1 MiB is over both limits.
	err = Check([]output.File{{Path: "cm.yaml", Content: object("ConfigMap", "huge", strings.Repeat("z", ConfigMap+1))}})
	if n := len(unwrap(err)); n != 2 || !strings.Contains(err.Error(), "ConfigMap ns/huge's data") {
		t.Errorf("%d errors: %v", n, err)
	}
}

func unwrap(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestPack(t *testing.T) {
	ends, err := Pack([]int{3, 3, 4, 1, 5, 5}, 6)
	if err != nil || !slices.Equal(ends, []int{2, 4, 5, 6}) {
		t.Errorf("ends %v, %v", ends, err)
	}
	if ends, err := Pack(nil, 6); err != nil || len(ends) != 0 {
		t.Errorf("empty: %v %v", ends, err)
	}
	var big *TooLargeError
	if _, err := Pack([]int{1, 7, 1}, 6); !errors.As(err, &big) || big.Index != 1 {
		t.Errorf("error %v", err)
	}
}

// An object measured from the JSON it was written from (output.File.JSON)
// is measured exactly as from its YAML: the same errors, the same sizes;
// but for invalid UTF-8, which encoding/json writes as \ufffd and kubectl,
// reading U+FFFD from the YAML, as the character: a few bytes more.
func TestCheckFromJSON(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	check := func(content []byte, js [][]byte) (what []string, sizes []int) {
		for _, e := range unwrap(CheckFile(output.File{Path: "x.yaml", Content: content, JSON: js})) {
			var le *Error
			if !errors.As(e, &le) {
				t.Fatalf("unexpected error %v", e)
			}
			what, sizes = append(what, le.What), append(sizes, le.Size)
		}
		return what, sizes
	}
	for i := 0; i < 200; i++ {
		data := map[string]string{"a": awkwardString(r), awkwardString(r): awkwardString(r)}
		var annotations map[string]string
		if i%2 == 0 {
			annotations = map[string]string{"grafana_folder": awkwardString(r), LastAppliedAnnotation: "old"}
		}
		cm := configMap(annotations, data)
		// Now and then around the limits: just within, or just over, one
		// or both.
		base, _ := AppliedSize(cm)
		off := i/20%8 - 4
		switch i % 20 {
		case 1:
			data["big"] = strings.Repeat("x", Annotations-base-len(`,"big":""`)+off)
		case 3:
			data["big"] = strings.Repeat("x", ConfigMap+off)
		}
		js, err := json.Marshal(cm)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := yaml.JSONToYAML(js)
		if err != nil {
			t.Fatal(err)
		}
		content := append([]byte(output.Header("#")), doc...)
		whatYAML, fromYAML := check(content, nil)
		whatJSON, fromJSON := check(content, [][]byte{js})
		valid := utf8.Valid(js) && !bytes.Contains(js, []byte(`\ufffd`))
		if !slices.Equal(whatYAML, whatJSON) && valid {
			t.Fatalf("from YAML: %v\nfrom JSON: %v", whatYAML, whatJSON)
		}
		for k := range min(len(fromYAML), len(fromJSON)) {
			if fromJSON[k] < fromYAML[k] || valid && fromJSON[k] != fromYAML[k] {
				t.Fatalf("%s: %d bytes from JSON, %d from YAML", whatJSON[k], fromJSON[k], fromYAML[k])
			}
		}
		if i%20 == 1 && off > 0 && len(whatJSON) == 0 {
			t.Errorf("%d bytes over: no error", off)
		}
	}
	// JSON that does not match the documents one for one is not used.
	two := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  k: " + strings.Repeat("x", Annotations) + "\n")
	if what, _ := check(two, [][]byte{[]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}`)}); !slices.Equal(what, []string{"ConfigMap b"}) {
		t.Errorf("one JSON for two documents: %v", what)
	}
}
