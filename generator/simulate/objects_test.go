package simulate

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func names(objs []map[string]any) string {
	var out []string
	for _, o := range objs {
		meta, _ := o["metadata"].(map[string]any)
		n, _ := meta["name"].(string)
		out = append(out, n)
	}
	return strings.Join(out, ",")
}

const listYAML = `apiVersion: v1
kind: List
items:
- {apiVersion: example.com/v1, kind: Widget, metadata: {name: a}}
- {apiVersion: example.com/v1, kind: Widget, metadata: {name: b}}
`

func TestReadObjects(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"list.yaml":        listYAML,
		"sub/stream.yml":   "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: c}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: d}\n",
		"sub/one.json":     `{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "e"}}`,
		"sub/notes.txt":    "not objects",
		"sub/deeper/x.yml": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: f}\n",
	})
	cases := []struct {
		name  string
		paths []string
		stdin string
		want  string
	}{
		{"file", []string{filepath.Join(dir, "list.yaml")}, "", "a,b"},
		{"directory, recursive, sorted", []string{dir}, "", "a,b,f,e,c,d"},
		{"glob", []string{filepath.Join(dir, "sub", "*.yml")}, "", "c,d"},
		{"stdin and file", []string{"-", filepath.Join(dir, "sub", "one.json")}, listYAML, "a,b,e"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := ReadObjects(c.paths, strings.NewReader(c.stdin))
			if err != nil {
				t.Fatal(err)
			}
			if got := names(objs); got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestReadObjectsErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"bad.yaml":    "apiVersion: v1\nkind: List\nitems:\n- {name: [unclosed\n",
		"empty/x.txt": "",
	})
	cases := []struct {
		name  string
		paths []string
		want  string // regexp
	}{
		{"none", nil, `^no objects: give --objects`},
		{"bad YAML names file and line", []string{filepath.Join(dir, "bad.yaml")}, `bad\.yaml:4: `},
		{"missing file", []string{filepath.Join(dir, "missing.yaml")}, `missing\.yaml: no such file`},
		{"glob without match", []string{filepath.Join(dir, "*.json")}, `\*\.json: no file matches`},
		{"directory without objects", []string{filepath.Join(dir, "empty")}, `empty: no \.yaml, \.yml or \.json files`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadObjects(c.paths, strings.NewReader(""))
			if err == nil {
				t.Fatal("no error")
			}
			if !regexp.MustCompile(c.want).MatchString(err.Error()) {
				t.Errorf("error %q does not match %q", err, c.want)
			}
		})
	}
}
