package load

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/internal/testutil"
)

const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object}
`

func TestBadInput(t *testing.T) {
	cases := []struct {
		name, input, want string
	}{
		{"invalid YAML", "# c\n" + crd + "  bad: [\n", "x.yaml:16: invalid YAML"},
		{"tab indentation", "a:\n\tb: c\n", "x.yaml:2: invalid YAML"},
		{"v1beta1 CRD", strings.Replace(crd, "apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1", 1), "x.yaml:1: apiextensions.k8s.io/v1beta1 CustomResourceDefinition is not supported"},
		{"empty", "\n# only a comment\n", "x.yaml: empty input"},
		{"no versions", strings.Split(crd, "  versions:")[0] + "  versions: []\n", `x.yaml:1: CustomResourceDefinition "widgets.example.com": spec.versions is empty`},
		{"no served version", strings.Replace(crd, "served: true", "served: false", 1), "no version is served"},
		{"second document", crd + "---\napiVersion: v1\nkind: ConfigMap\n---\n" + strings.Replace(crd, "plural: widgets", "plural: \"\"", 1), "x.yaml:19: CustomResourceDefinition \"widgets.example.com\": spec.names.plural is empty"},
		{"no kind", "foo: bar\n", "x.yaml:1: document has no apiVersion or kind"},
		{"scalar document", "just a string\n", "x.yaml:1: not a Kubernetes object"},
		{"conflicting duplicate", crd + "---\n" + strings.Replace(crd, "Namespaced", "Cluster", 1), "is also defined differently at x.yaml:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Bytes("x.yaml", []byte(c.input))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error = %v, want it to contain %q", err, c.want)
			}
			if _, ok := err.(*Error); !ok {
				t.Errorf("error is %T, want *load.Error (exit 2)", err)
			}
		})
	}
}

func TestStreamsListsAndJSON(t *testing.T) {
	list := `{"apiVersion":"v1","kind":"List","items":[` + mustJSON(t, crd) + `,{"apiVersion":"v1","kind":"Secret"}]}`
	r, err := Bytes("list.json", []byte(list))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.CRDs) != 1 || r.Skipped["v1/Secret"] != 1 || r.Documents != 2 {
		t.Fatalf("got %d CRDs, skipped %v, %d documents", len(r.CRDs), r.Skipped, r.Documents)
	}
	other := strings.ReplaceAll(crd, "widgets", "gadgets")
	other = strings.ReplaceAll(other, "Widget", "Gadget")
	r, err = Bytes("s.yaml", []byte("---\n# first\n"+crd+"---\n"+other+"--- \n"+crd))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.CRDs) != 2 || r.CRDs[0].Name != "gadgets.example.com" || r.CRDs[0].Source.Line != 18 || r.CRDs[1].Source.Line != 3 {
		t.Fatalf("got %+v", r.CRDs)
	}
}

func mustJSON(t *testing.T, y string) string {
	t.Helper()
	r, err := Bytes("x", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r.CRDs[0].CustomResourceDefinition)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "a", "b")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "w.yaml"), []byte(crd), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.yml"), nil, 0o644)
	r, err := Paths([]string{dir}, nil)
	if err != nil || len(r.CRDs) != 1 {
		t.Fatalf("directory: %v, %v", r, err)
	}
	if _, err := Paths([]string{filepath.Join(dir, "empty.yml")}, nil); err == nil || !strings.Contains(err.Error(), "empty input") {
		t.Errorf("explicit empty file: %v", err)
	}
	r, err = Paths([]string{filepath.Join(dir, "a", "*", "*.yaml")}, nil)
	if err != nil || len(r.CRDs) != 1 {
		t.Fatalf("glob: %v, %v", r, err)
	}
	if _, err := Paths([]string{filepath.Join(dir, "nope-*.yaml")}, nil); err == nil || !strings.Contains(err.Error(), "glob matches no file") {
		t.Errorf("empty glob: %v", err)
	}
	if _, err := Paths([]string{filepath.Join(dir, "missing.yaml")}, nil); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
	r, err = Paths([]string{"-"}, strings.NewReader(crd))
	if err != nil || len(r.CRDs) != 1 || r.CRDs[0].Source.File != "-" {
		t.Fatalf("stdin: %v, %v", r, err)
	}
	if _, err := Paths([]string{"-"}, strings.NewReader("")); err == nil || !strings.Contains(err.Error(), "-: empty input") {
		t.Errorf("empty stdin: %v", err)
	}
}

func TestUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: file permissions do not stop reads")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "secret.yaml")
	os.WriteFile(f, []byte(crd), 0o000)
	if _, err := Paths([]string{dir}, nil); err == nil || !strings.Contains(err.Error(), "cannot read") {
		t.Errorf("unreadable: %v", err)
	}
}

// Every CRD of the corpus loads, including the alertmanagerconfigs one whose
// enum holds an unquoted "- =".
func TestCorpusLoads(t *testing.T) {
	corpus := testutil.Corpus(t)
	r, err := Paths([]string{corpus}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.CRDs) != 123 || len(r.Skipped) != 0 {
		t.Fatalf("loaded %d CRDs, skipped %v; the corpus has 123 CRDs", len(r.CRDs), r.Skipped)
	}
}

// TestKeep: with Options.Keep, what Keep returns is kept; copies of a CRD
// are still told apart by their specs as read, schemas included, once the
// schemas are gone; and reading many files in parallel gives the result and
// the first error (in input order) of reading them one by one.
func TestKeep(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	drop := Options{Keep: CRD.WithoutSchema}
	same := write("same.yaml", crd)
	copyOf := write("copy.yaml", "# the same CRD again, as JSON\n"+mustJSON(t, crd))
	r, err := PathsWith([]string{same, copyOf}, nil, drop)
	if err != nil || len(r.CRDs) != 1 || r.CRDs[0].Spec.Versions[0].Schema != nil || r.CRDs[0].Source.File != copyOf {
		t.Fatalf("identical copies: %+v, %v", r, err)
	}
	otherSchema := write("other.yaml", strings.Replace(crd, "{type: object}", "{type: object, description: changed}", 1))
	if _, err := PathsWith([]string{same, otherSchema}, nil, drop); err == nil || !strings.Contains(err.Error(), "is also defined differently") {
		t.Errorf("copies with different schemas, schemas dropped: %v", err)
	}

	var files []string
	for i := range 40 {
		other := strings.ReplaceAll(crd, "widgets", fmt.Sprintf("widgets%d", i))
		files = append(files, write(fmt.Sprintf("w%02d.yaml", i), strings.ReplaceAll(other, "Widget", fmt.Sprintf("Widget%d", i))))
	}
	parallel, err := PathsWith(files, nil, drop)
	if err != nil {
		t.Fatal(err)
	}
	sequential := &Result{Skipped: map[string]int{}}
	for _, f := range files {
		one, err := PathsWith([]string{f}, nil, drop)
		if err != nil {
			t.Fatal(err)
		}
		sequential.CRDs = append(sequential.CRDs, one.CRDs...)
		sequential.Documents += one.Documents
	}
	if err := sequential.dedupe(); err != nil || !reflect.DeepEqual(parallel, sequential) {
		t.Errorf("parallel read differs from one file after the other (%v)", err)
	}
	bad := append(append([]string{}, files[:30]...), write("bad1.yaml", "a: [\n"), write("bad2.yaml", "b: [\n"))
	if _, err := PathsWith(append(bad, files[30:]...), nil, drop); err == nil || !strings.Contains(err.Error(), "bad1.yaml:1") {
		t.Errorf("first error: %v", err)
	}
}
