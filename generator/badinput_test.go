package generator_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator"
	"github.com/crdmon/crdmon/generator/budget"
	"github.com/crdmon/crdmon/generator/ksm"
	"github.com/crdmon/crdmon/generator/ksmeval"
	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/internal/cli"
	"github.com/crdmon/crdmon/internal/testutil"
)

// crdYAML is a v1 CRD of kind in group with the given status schema (nil:
// none) and schema root extras, marshalled so that any name is quoted right.
func crdYAML(t testing.TB, group, kind string, status map[string]any) string {
	t.Helper()
	plural := strings.ToLower(kind) + "s"
	root := map[string]any{"type": "object"}
	if status != nil {
		root["properties"] = map[string]any{"status": status}
	}
	doc := map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1",
		"kind":       "CustomResourceDefinition",
		"metadata":   map[string]any{"name": plural + "." + group},
		"spec": map[string]any{
			"group": group,
			"names": map[string]any{"kind": kind, "plural": plural},
			"scope": "Namespaced",
			"versions": []any{map[string]any{
				"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": root},
			}},
		},
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func obj(props map[string]any) map[string]any {
	return map[string]any{"type": "object", "properties": props}
}

func str(enum ...string) map[string]any {
	s := map[string]any{"type": "string"}
	if len(enum) > 0 {
		s["enum"] = enum
	}
	return s
}

var conditionsSchema = map[string]any{"type": "array", "items": obj(map[string]any{
	"type": str(), "status": str(), "reason": str(), "lastTransitionTime": str(),
})}

// nested wraps inner in depth levels of objects named name.
func nested(name string, depth int, inner map[string]any) map[string]any {
	for i := 0; i < depth; i++ {
		inner = obj(map[string]any{name: inner})
	}
	return inner
}

type badCase struct {
	name  string
	files map[string]string // relative to the input directory
	input string            // the -f argument, relative to the input directory; "" = the directory
	// failing cases: exit code 2, an error naming errFile (and errLine > 0
	// when set) and containing errText; the output directory is untouched
	errFile, errText string
	errLine          int
	// accepted cases: a note on some kind containing note ("" = none needed)
	note string
}

func badCases(t testing.TB) []badCase {
	good := crdYAML(t, "example.com", "Widget", obj(map[string]any{"conditions": conditionsSchema, "phase": str("Ready", "Failed")}))
	db, err := os.ReadFile(filepath.Join(testutil.TestdataCRDs(t), "databases.example.crdmon.dev.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	truncated := string(db[:bytes.Index(db, []byte("Provisioning"))+len("Provisioning")])
	noVersions := string(db[:bytes.Index(db, []byte("  versions:"))])
	hostileStatus := obj(map[string]any{
		`a"b`:   obj(map[string]any{"conditions": map[string]any{"type": "array", "items": obj(map[string]any{"type": str(`Re"ady`, "{x}", "a: b", "#c", "on"), "status": str()})}}),
		"{x}":   obj(map[string]any{"phase": str(`Fa"iled`, "{{ .x }}", "y", "Running\nFailed")}),
		"d: #e": obj(map[string]any{"state": str()}),
		"l\nm":  obj(map[string]any{"phase": str()}),
		"[x]":   obj(map[string]any{"conditions": conditionsSchema}),
		"k=v":   obj(map[string]any{"phase": str()}),
		"conditions": map[string]any{"type": "array", "items": obj(map[string]any{
			"type": str("Ready", `"quoted"`, "}", `\`), "status": str(), "lastTransitionTime": str(),
		})},
	})
	alias := "a: &a [x, x, x, x, x, x, x, x, x]\n"
	for i, prev := 0, "a"; i < 9; i++ {
		name := string(rune('b' + i))
		alias += name + ": &" + name + " [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "]\n"
		prev = name
	}
	return []badCase{
		{name: "invalid YAML", files: map[string]string{"bad.yaml": good + "  extra: [\n"}, input: "bad.yaml", errFile: "bad.yaml", errText: "invalid YAML", errLine: strings.Count(good, "\n") + 1},
		{name: "truncated in a flow list", files: map[string]string{"db.yaml": truncated}, input: "db.yaml", errFile: "db.yaml", errText: "invalid YAML"},
		{name: "truncated before versions", files: map[string]string{"db.yaml": noVersions}, input: "db.yaml", errFile: "db.yaml", errText: "spec.versions is empty", errLine: 4},
		{name: "v1beta1 CRD", files: map[string]string{"b.yaml": strings.Replace(good, "apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1", 1)}, errFile: "b.yaml", errLine: 1, errText: "v1beta1 CustomResourceDefinition is not supported"},
		{name: "only other objects", files: map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"}, input: "cm.yaml", errFile: "cm.yaml", errText: "no apiextensions.k8s.io/v1 CustomResourceDefinition found"},
		{name: "empty file", files: map[string]string{"e.yaml": "# nothing\n\n"}, input: "e.yaml", errFile: "e.yaml", errText: "empty input"},
		{name: "empty directory", files: map[string]string{"notes.txt": "x"}, errText: "no documents found"},
		{name: "binary garbage", files: map[string]string{"g.yaml": "\x00\xff\xfe\x01garbage\x00"}, errFile: "g.yaml", errText: "invalid YAML"},
		{name: "alias bomb", files: map[string]string{"bomb.yaml": alias}, errFile: "bomb.yaml", errText: "excessive aliasing"},
		{name: "JSON cut short", files: map[string]string{"c.json": `{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "spec": {`}, errFile: "c.json", errLine: 1, errText: "invalid YAML"},
		{name: "group with a quote", files: map[string]string{"q.yaml": crdYAML(t, `exa"mple.com`, "Widget", nil)}, errFile: "q.yaml", errLine: 1, errText: "spec.group"},
		{name: "group with braces and a colon", files: map[string]string{"q.yaml": crdYAML(t, "{x}:y.example.com", "Widget", nil)}, errFile: "q.yaml", errText: "spec.group"},
		{name: "kind with a hash and a newline", files: map[string]string{"q.yaml": strings.Replace(good, "kind: Widget", `kind: "Wid#\nget"`, 1)}, errFile: "q.yaml", errText: `spec.names.kind "Wid#\nget" is invalid`},
		{name: "one kind in two CRDs", files: map[string]string{"a.yaml": good, "b.yaml": strings.ReplaceAll(good, "widgets", "widgetz")}, errFile: "b.yaml", errLine: 1, errText: "already defined"},
		{name: "no versions", files: map[string]string{"v.yaml": strings.Replace(good, "versions:", "versions: []\n  x:", 1)}, errFile: "v.yaml", errText: "spec.versions is empty"},

		{name: "no schema", files: map[string]string{"s.yaml": strings.Replace(good, "    schema:\n", "    x-schema:\n", 1)}, note: "has no schema"},
		{name: "$ref instead of a schema", files: map[string]string{"r.yaml": crdYAML(t, "example.com", "Widget", map[string]any{"$ref": "#/definitions/Status", "definitions": map[string]any{"Status": obj(nil)}})}, note: "lists no fields"},
		{name: "$ref as the condition item", files: map[string]string{"r.yaml": crdYAML(t, "example.com", "Widget", obj(map[string]any{"conditions": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/c"}}}))}, note: "not status conditions"},
		{name: "preserve-unknown-fields everywhere", files: map[string]string{"p.yaml": crdYAML(t, "example.com", "Widget", map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true})}, note: "lists no fields"},
		{name: "nesting deeper than 100", files: map[string]string{"n.yaml": crdYAML(t, "example.com", "Widget", nested("a", 150, obj(map[string]any{"conditions": conditionsSchema})))}, note: "deeper than"},
		{name: "nested lists deeper than 100", files: map[string]string{"n.yaml": crdYAML(t, "example.com", "Widget", obj(map[string]any{"l": nestedLists(120)}))}, note: "deeper than"},
		{name: "hostile field names and enum values", files: map[string]string{"h.yaml": crdYAML(t, "example.com", "Widget", hostileStatus)}, note: `field name "[x]" cannot be a kube-state-metrics path segment`},
		{name: "kind and group with hyphens and digits (illegal in Prometheus names)", files: map[string]string{"k.yaml": crdYAML(t, "my-group.3x.example.com", "Wid-get9", obj(map[string]any{"conditions": conditionsSchema, "phase": str("Failed")}))}},
		{name: "non-CRD documents beside a CRD", files: map[string]string{"m.yaml": "apiVersion: v1\nkind: ConfigMap\n---\n" + good}},
	}
}

func nestedLists(depth int) map[string]any {
	inner := obj(map[string]any{"conditions": conditionsSchema})
	for i := 0; i < depth; i++ {
		inner = map[string]any{"type": "array", "items": obj(map[string]any{"l": inner})}
	}
	return inner
}

// Every class of bad or odd input: bad input is a *load.Error naming file
// (and line), exit 2 through the CLI, with the output directory untouched;
// legal but odd input is accepted with a note and output that validates.
func TestBadInput(t *testing.T) {
	for _, c := range badCases(t) {
		t.Run(c.name, func(t *testing.T) { runBadCase(t, c) })
	}
}

// A large stream of valid CRDs (8 MB; 50 MB with CRDMON_FULL_CORPUS=1, as
// CI runs it) with a bad document at its very end fails with the exact
// line, and nothing is written.
func TestBadInputLargeFile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the large input")
	}
	size := 8 << 20
	if testutil.FullCorpus() {
		size = 50 << 20
	}
	var b strings.Builder
	for i := 0; b.Len() < size; i++ {
		b.WriteString("---\n")
		b.WriteString(crdYAML(t, fmt.Sprintf("g%d.example.com", i), "Widget", obj(map[string]any{
			"conditions":  conditionsSchema,
			"description": map[string]any{"type": "string", "description": strings.Repeat("padding text ", 2000)},
		})))
	}
	line := strings.Count(b.String(), "\n") + 2
	b.WriteString("---\nkind: [\n")
	runBadCase(t, badCase{files: map[string]string{"big.yaml": b.String()}, input: "big.yaml", errFile: "big.yaml", errLine: line, errText: "invalid YAML"})
}

// A directory holding a file that cannot be read fails and writes nothing.
func TestBadInputUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: chmod 000 does not stop root from reading (covered in CI only as a non-root user)")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "secret.yaml"), []byte(crdYAML(t, "example.com", "Widget", nil)), 0o000)
	runBadCase(t, badCase{files: map[string]string{}, errFile: "secret.yaml", errText: "cannot read"}, dir)
}

// runBadCase writes the case's files, generates previous output into out/,
// runs `crdmon generate` and checks exit code, message and out/.
func runBadCase(t *testing.T, c badCase, inDir ...string) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	if len(inDir) > 0 {
		in = inDir[0]
	}
	for name, content := range c.files {
		p := filepath.Join(in, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	input := filepath.Join(in, c.input)
	out := filepath.Join(root, "out")
	writePreviousOutput(t, out)
	os.WriteFile(filepath.Join(out, "NOTES.md"), []byte("user file"), 0o644)
	before := dirSnapshot(t, out)

	opts := generator.DefaultOptions()
	opts.Inputs = []string{input}
	res, err := generator.Generate(opts)
	code, _, stderr := crdmon(t, "generate", "-q", "-f", input, "-o", out)

	if c.errText != "" {
		var le *load.Error
		switch {
		case err == nil:
			t.Fatalf("accepted; want an error containing %q", c.errText)
		case !strings.Contains(err.Error(), c.errText):
			t.Fatalf("error %q, want it to contain %q", err, c.errText)
		case c.errFile != "" && !errors.As(err, &le):
			t.Fatalf("error %T (%v), want a *load.Error", err, err)
		case c.errFile != "" && filepath.Base(le.Source.File) != c.errFile:
			t.Fatalf("error names file %q, want %s", le.Source.File, c.errFile)
		case c.errLine > 0 && le.Source.Line != c.errLine:
			t.Fatalf("error at line %d, want %d: %v", le.Source.Line, c.errLine, err)
		}
		if code != cli.ExitUsage || !strings.Contains(stderr, c.errText) {
			t.Errorf("crdmon: exit %d, stderr %q; want exit 2 and the error", code, stderr)
		}
		assertSnapshot(t, before, dirSnapshot(t, out))
		return
	}
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if code != cli.ExitOK {
		t.Fatalf("crdmon: exit %d: %s", code, stderr)
	}
	if c.note != "" && !hasNote(res.Model, c.note) {
		t.Errorf("no note containing %q in %+v", c.note, res.Model.Kinds)
	}
	validateOutput(t, res)
}

// previousOutput is what `crdmon generate` writes for the example CRDs, by
// path under the output directory: the same for every case, so generated once.
var previousOutput struct {
	once  sync.Once
	files map[string]string
}

// writePreviousOutput writes into out what `crdmon generate` writes there
// for the example CRDs.
func writePreviousOutput(t *testing.T, out string) {
	t.Helper()
	previousOutput.once.Do(func() {
		dir := filepath.Join(t.TempDir(), "previous")
		if code, _, stderr := crdmon(t, "generate", "-q", "-f", testutil.TestdataCRDs(t), "-o", dir); code != 0 {
			t.Fatalf("previous output: exit %d: %s", code, stderr)
		}
		previousOutput.files = map[string]string{}
		for p, content := range dirSnapshot(t, dir) {
			rel, _ := filepath.Rel(dir, p)
			previousOutput.files[rel] = content
		}
	})
	if len(previousOutput.files) == 0 {
		t.Fatal("no previous output (generating it failed in an earlier test)")
	}
	for rel, content := range previousOutput.files {
		p := filepath.Join(out, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func hasNote(m model.Model, note string) bool {
	for _, k := range m.Kinds {
		for _, n := range k.Notes {
			if strings.Contains(n, note) {
				return true
			}
		}
	}
	return false
}

// crdmon runs the CLI in process.
func crdmon(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Run(args, cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	return code, stdout.String(), stderr.String()
}

func dirSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertSnapshot(t *testing.T, before, after map[string]string) {
	t.Helper()
	if !reflect.DeepEqual(before, after) {
		for p := range after {
			if before[p] != after[p] {
				t.Errorf("output changed: %s", p)
			}
		}
		t.Errorf("output directory changed: %d files before, %d after", len(before), len(after))
	}
}

// validateOutput checks what a successful run generated: YAML files parse,
// JSON files are valid, the kube-state-metrics config reads back to the
// config crdmon built, and kube-state-metrics (ksmeval) accepts it and
// serves series for a typical object of every monitored kind.
func validateOutput(t testing.TB, res *generator.Result) {
	t.Helper()
	for _, f := range res.Files {
		switch filepath.Ext(f.Path) {
		case ".yaml", ".yml":
			for i, doc := range bytes.Split(f.Content, []byte("\n---\n")) {
				var v any
				if err := yaml.Unmarshal(doc, &v); err != nil {
					t.Fatalf("%s document %d does not parse: %v", f.Path, i, err)
				}
			}
		case ".json":
			if !json.Valid(f.Content) {
				t.Fatalf("%s is not valid JSON", f.Path)
			}
		}
		if f.Path == ksm.ConfigFile {
			var back ksm.Config
			if err := yaml.UnmarshalStrict(f.Content, &back); err != nil {
				t.Fatalf("%s does not read back: %v", f.Path, err)
			}
			if !reflect.DeepEqual(back, res.KSM) {
				t.Fatalf("%s reads back differently:\n%+v\n%+v", f.Path, back, res.KSM)
			}
		}
	}
	var objects []map[string]any
	for _, k := range res.Model.Kinds {
		objects = append(objects, budget.TypicalObject(k))
	}
	ev, err := ksmeval.Evaluate(res.KSM, objects)
	if err != nil {
		t.Fatalf("kube-state-metrics would refuse the config: %v", err)
	}
	for _, k := range res.Model.Kinds {
		if k.HasSignals() && !hasSample(ev, k) {
			t.Fatalf("no series for a typical %s", k.ID())
		}
	}
}

func hasSample(ev ksmeval.Result, k model.Kind) bool {
	for _, f := range ev.Families {
		if f.GVK.Group == k.Group && f.GVK.Kind == k.Kind && len(f.Samples) > 0 {
			return true
		}
	}
	return false
}
