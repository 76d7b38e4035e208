package rules

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crdmon/crdmon/generator/internal/golden"
	"github.com/crdmon/crdmon/generator/output"
)

// TestGolden renders the test model with each option variant and compares
// every file with testdata/golden/<variant>/.
func TestGolden(t *testing.T) {
	for name, o := range optionVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(testModel(), o)
			if err != nil {
				t.Fatal(err)
			}
			golden.CheckDir(t, filepath.Join("testdata", "golden", name), files)
		})
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	o := optionVariants()["overrides"]
	a, err := Render(testModel(), o)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		b, err := Render(testModel(), o)
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != len(b) {
			t.Fatal("file count differs between runs")
		}
		for j := range a {
			if a[j].Path != b[j].Path || !bytes.Equal(a[j].Content, b[j].Content) {
				t.Fatalf("%s differs between runs", a[j].Path)
			}
		}
	}
}

func TestOutputShape(t *testing.T) {
	o := DefaultOptions()
	o.Namespace = "monitoring"
	o.RuleLabels = map[string]string{"release": "kube-prometheus-stack"}
	files, err := Render(testModel(), o)
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]bool{}
	for _, f := range files {
		paths[f.Path] = true
		if !strings.HasPrefix(string(f.Content), output.Header("#")) {
			t.Errorf("%s: no generated-file header", f.Path)
		}
		if strings.Contains(string(f.Content), "creationTimestamp") {
			t.Errorf("%s: has creationTimestamp", f.Path)
		}
	}
	for _, g := range []string{PackName} {
		for _, p := range []string{PrometheusRulePath(g), PlainPath(g), TestPath(g)} {
			if !paths[p] {
				t.Errorf("missing %s", p)
			}
		}
	}
	for _, f := range files {
		if f.Path == PrometheusRulePath(PackName) {
			for _, s := range []string{"kind: PrometheusRule", "namespace: monitoring", "release: kube-prometheus-stack", "apiVersion: monitoring.coreos.com/v1"} {
				if !strings.Contains(string(f.Content), s) {
					t.Errorf("%s lacks %q", f.Path, s)
				}
			}
		}
	}
	for format, want := range map[string][]string{FormatPlain: {PlainPath(PackName)}, FormatPrometheusRule: {PrometheusRulePath(PackName)}} {
		o.Format = format
		files, err := Render(testModel(), o)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, f := range files {
			got[f.Path] = true
		}
		for _, p := range want {
			if !got[p] {
				t.Errorf("format %s: missing %s", format, p)
			}
		}
		if format == FormatPrometheusRule && (got[PlainPath(PackName)] || got[TestPath(PackName)]) {
			t.Errorf("format %s wrote plain files", format)
		}
		if format == FormatPlain && got[PrometheusRulePath(PackName)] {
			t.Errorf("format %s wrote a PrometheusRule", format)
		}
	}
}
