package ksmeval

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/ksm"
)

// parseConfig decodes a CustomResourceStateMetrics YAML document.
func parseConfig(t *testing.T, doc string) ksm.Config {
	t.Helper()
	var cfg ksm.Config
	if err := yaml.UnmarshalStrict([]byte(doc), &cfg); err != nil {
		t.Fatalf("config: %v\n%s", err, doc)
	}
	return cfg
}

// testdataConfig decodes testdata/<name>-config.yaml.
func testdataConfig(t *testing.T, name string) ksm.Config {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+"-config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg ksm.Config
	if err := yaml.UnmarshalStrict(data, &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// testdataObjects loads testdata/objects.yaml.
func testdataObjects(t *testing.T) []map[string]any {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "objects.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objects, err := LoadObjects(f, "objects.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return objects
}

// oneResource wraps a resource body (metrics, labels, prefix) for g/v1 K.
func oneResource(body string) string {
	var b strings.Builder
	b.WriteString("spec:\n  resources:\n  - groupVersionKind: {group: g, version: v1, kind: K}\n")
	for _, l := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		b.WriteString("    " + l + "\n")
	}
	return b.String()
}

// oneObject is a g/v1 K object ns/o with the given extra top-level YAML.
func oneObject(body string) string {
	return "apiVersion: g/v1\nkind: K\nmetadata: {name: o, namespace: ns}\n" + body
}

// loadString loads objects from YAML text.
func loadString(t *testing.T, doc string) []map[string]any {
	t.Helper()
	objs, err := LoadObjects(strings.NewReader(doc), "test")
	if err != nil {
		t.Fatalf("objects: %v", err)
	}
	return objs
}

// evaluate runs Evaluate and fails on a config error.
func evaluate(t *testing.T, cfg, objects string) Result {
	t.Helper()
	res, err := Evaluate(parseConfig(t, cfg), loadString(t, objects))
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return res
}

// sampleLines renders samples as exposition lines without the three
// customresource_* labels, to keep expectations short.
func sampleLines(r Result) []string {
	var out []string
	for _, s := range r.Samples() {
		l := map[string]string{}
		for k, v := range s.Labels {
			if !strings.HasPrefix(k, "customresource_") {
				l[k] = v
			}
		}
		var b strings.Builder
		writeSampleTo(&b, Sample{Name: s.Name, Labels: l, Value: s.Value})
		out = append(out, strings.TrimSuffix(b.String(), "\n"))
	}
	return out
}

func writeSampleTo(b *strings.Builder, s Sample) {
	r := Result{Families: []Family{{Name: s.Name, Objects: 1, Samples: []Sample{s}}}}
	for _, line := range strings.Split(string(r.Exposition()), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			b.WriteString(line + "\n")
		}
	}
}

// kindSamples renders samples as "name kind version value".
func kindSamples(r Result) []string {
	var out []string
	for _, s := range r.Samples() {
		out = append(out, s.Name+" "+s.Labels["customresource_kind"]+" "+s.Labels["customresource_version"]+" "+FormatValue(s.Value))
	}
	return out
}

func errorMessages(r Result) []string {
	var out []string
	for _, e := range r.Errors {
		out = append(out, e.Family+": "+e.Message)
	}
	return out
}

func equalLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\ngot:\n  %s\nwant:\n  %s", what, strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

// sorted returns a sorted copy.
func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
