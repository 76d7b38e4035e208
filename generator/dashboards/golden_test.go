package dashboards

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/crdmon/crdmon/generator/internal/golden"
	"github.com/crdmon/crdmon/generator/model"
	"github.com/crdmon/crdmon/generator/output"
)

// goldenOptions exercise every wrapper option.
func goldenOptions() Options {
	o := DefaultOptions()
	o.Folder = "Custom resources"
	o.Namespace = "monitoring"
	o.GrafanaOperator = true
	return o
}

// TestGolden compares the dashboards of a cert-manager-like and a Cluster
// API-like kind, with their wrappers, with testdata/golden.
func TestGolden(t *testing.T) {
	files, err := Render(goldenModel(), goldenOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join("testdata", "golden")
	golden.CheckDir(t, dir, files)
	// The files are rendered in the order of their paths.
	var want []string
	for _, f := range files {
		want = append(want, f.Path)
	}
	var got []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("golden files %v, rendered %v", got, want)
	}
}

// TestDeterministic renders twice, the second time from shuffled kinds,
// and requires identical bytes.
func TestDeterministic(t *testing.T) {
	for name, opts := range optionVariants() {
		first, err := Render(allModel(), opts)
		if err != nil {
			t.Fatal(err)
		}
		m := allModel()
		rand.New(rand.NewSource(1)).Shuffle(len(m.Kinds), func(i, j int) { m.Kinds[i], m.Kinds[j] = m.Kinds[j], m.Kinds[i] })
		second, err := Render(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		if len(first) != len(second) {
			t.Fatalf("%s: %d files, then %d", name, len(first), len(second))
		}
		for i := range first {
			if first[i].Path != second[i].Path || !bytes.Equal(first[i].Content, second[i].Content) {
				t.Errorf("%s: %s differs between runs", name, first[i].Path)
			}
		}
	}
}

// TestFileShape checks the format rules every file follows.
func TestFileShape(t *testing.T) {
	uids := map[string]string{}
	for name, opts := range optionVariants() {
		opts.GrafanaOperator = true
		files, err := Render(allModel(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if !output.HasMarker(f.Content) {
				t.Errorf("%s %s: no generated-file marker in the first 512 bytes", name, f.Path)
			}
			if !bytes.HasSuffix(f.Content, []byte("\n")) || bytes.HasSuffix(f.Content, []byte("\n\n")) {
				t.Errorf("%s %s: must end in exactly one newline", name, f.Path)
			}
			if !strings.HasSuffix(f.Path, ".json") {
				if !bytes.HasPrefix(f.Content, []byte(output.Header("#"))) {
					t.Errorf("%s %s: YAML must start with the header", name, f.Path)
				}
				continue
			}
			var v any
			if err := json.Unmarshal(f.Content, &v); err != nil {
				t.Fatalf("%s %s: %v", name, f.Path, err)
			}
			// Sorted keys, 2-space indent: re-encoding changes nothing.
			if again, err := canonicalJSON(v); err != nil || !bytes.Equal(again, f.Content) {
				t.Errorf("%s %s: not canonical JSON (sorted keys, 2-space indent)", name, f.Path)
			}
			if bytes.Contains(f.Content, []byte("\t")) || !bytes.HasPrefix(f.Content, []byte("{\n  \"annotations\"")) {
				t.Errorf("%s %s: not indented with 2 spaces and sorted", name, f.Path)
			}
			d, err := decode(f.Content)
			if err != nil {
				t.Fatal(err)
			}
			if prev, dup := uids[d.UID]; dup && prev != f.Path {
				t.Errorf("uid %s of %s already used by %s", d.UID, f.Path, prev)
			}
			uids[d.UID] = f.Path
		}
	}
}

func TestUID(t *testing.T) {
	long := "a-very-long-group-name.that-goes-on.example.com"
	for _, tc := range []struct{ key, want string }{
		{"plain", "crdmon-plain"},
		{"cert-manager.io", "crdmon-cert-manager-io-26abad0d"},
		{"cert-manager-io", "crdmon-cert-manager-io"},
	} {
		if got := uid(tc.key); got != tc.want {
			t.Errorf("uid(%q) = %q, want %q", tc.key, got, tc.want)
		}
	}
	if u := uid(long); len(u) > maxUID || uid(long) != u || uid(long+"x") == u {
		t.Errorf("uid(%q) = %q: must be stable, at most %d chars and distinct", long, u, maxUID)
	}
}

// TestPanelsFollowSignals: a panel appears only when some kind of the
// dashboard has the signal it shows: on the generic dashboards, some kind
// of the model; on a per-group board, some kind of the group.
func TestPanelsFollowSignals(t *testing.T) {
	has := func(m model.Model, opts Options, title string) map[string]bool {
		files, err := Render(m, opts)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{}
		for _, b := range readBoards(t, files) {
			for _, q := range b.queries {
				if q.Panel == title {
					out[b.key] = true
				}
			}
		}
		return out
	}
	check := func(m model.Model, opts Options, want map[string][]string) {
		t.Helper()
		for title, on := range want {
			got := has(m, opts, title)
			if len(got) != len(on) {
				t.Errorf("%s: %q on %v, want on %v", opts.Layout, title, got, on)
			}
			for _, g := range on {
				if !got[g] {
					t.Errorf("%s: %q missing on %s", opts.Layout, title, g)
				}
			}
		}
	}
	all := []string{OverviewKey, DetailKey}
	generic := []string{DetailKey}
	// Only Certificate: no replicas, generations or phases anywhere.
	check(model.Model{Kinds: []model.Kind{certificate()}}, DefaultOptions(), map[string][]string{
		"Degraded": all, "Suspended": all, "Objects not healthy": all,
		"Health by kind": {OverviewKey}, "Health by API group": {OverviewKey}, "Most degraded kinds": {OverviewKey},
		"Soonest expiries": {OverviewKey}, "Expires in": generic, "Active signals": generic, "Conditions": generic,
		"Failure counters": generic, "Workqueue depth": generic,
		"Replica counts": nil, "Objects with unobserved generation": nil, "Phase distribution": nil, "Objects with problems": nil,
	})
	perGroup := DefaultOptions()
	perGroup.Layout = PerGroup
	groups := func(gs ...string) []string { return append([]string{DetailKey}, gs...) }
	check(allModel(), perGroup, map[string][]string{
		"Degraded":                           append(all, "cert-manager.io", "cluster.x-k8s.io", "dynamic.example.io", "example.io", "policy.example.io", "scale.example.io"),
		"Replica counts":                     groups("cluster.x-k8s.io", "scale.example.io"),
		"Failure counters":                   groups("cert-manager.io"),
		"Objects with failures":              groups("cert-manager.io"),
		"Objects with unobserved generation": groups("cluster.x-k8s.io"),
		"Generation lag":                     groups("cluster.x-k8s.io"),
		"Phase distribution":                 groups("cluster.x-k8s.io", "example.io", "policy.example.io"),
		"Objects with problems":              groups("dynamic.example.io", "policy.example.io"),
		"Conditions":                         groups("cert-manager.io", "cluster.x-k8s.io", "example.io"),
		"Degraded objects by kind":           groups("cert-manager.io", "cluster.x-k8s.io", "dynamic.example.io", "example.io", "policy.example.io", "scale.example.io"),
		"Workqueue depth":                    groups("cert-manager.io", "cluster.x-k8s.io", "example.io", "policy.example.io", "scale.example.io"),
	})
	// A wildcard kind's board lists the kinds its series show, on one board
	// even per kind.
	perKind := DefaultOptions()
	perKind.Layout = PerKind
	for _, o := range []Options{perGroup, perKind} {
		files, err := Render(allModel(), o)
		if err != nil {
			t.Fatal(err)
		}
		var board string
		for _, f := range files {
			if f.Path == Dir+"/dynamic.example.io.json" {
				board = string(f.Content)
			}
		}
		if !strings.Contains(board, `crdmon=\"true\", customresource_group=\"dynamic.example.io\"}, customresource_kind)"`) {
			t.Errorf("%s: the wildcard kind's board has no kind variable from crdmon's series:\n%s", o.Layout, board[strings.Index(board, "label_values"):][:200])
		}
	}
	noCtrl := DefaultOptions()
	noCtrl.Controllers = map[string][]string{"Certificate": {}}
	for _, o := range []Options{noCtrl, func() Options { o := noCtrl; o.Layout = PerGroup; return o }()} {
		if got := has(model.Model{Kinds: []model.Kind{certificate()}}, o, "Workqueue depth"); len(got) != 0 {
			t.Errorf("%s: controller panels without controllers: %v", o.Layout, got)
		}
	}
}

// TestLayouts: the generic dashboards are two, whatever the number of
// groups and kinds; per-group and per-kind layouts add one per group or
// kind.
func TestLayouts(t *testing.T) {
	count := func(layout string) int {
		o := DefaultOptions()
		o.Layout = layout
		files, err := Render(allModel(), o)
		if err != nil {
			t.Fatal(err)
		}
		return len(readBoards(t, files))
	}
	// allModel: 8 kinds with signals (one wildcard) in 6 groups.
	for layout, want := range map[string]int{Generic: 2, "": 2, PerGroup: 2 + 6, PerKind: 2 + 8} {
		if got := count(layout); got != want {
			t.Errorf("layout %q: %d dashboards, want %d", layout, got, want)
		}
	}
	if files, err := Render(model.Model{Kinds: []model.Kind{{Group: "g.io", Kind: "Quiet"}}}, DefaultOptions()); err != nil || len(files) != 0 {
		t.Errorf("a model without signals: %d files, %v", len(files), err)
	}
}

// TestConfigMapYAMLIsYAMLDocuments: the ConfigMap wrapper written directly
// is byte for byte what output.YAMLDocuments writes, for every board of the
// hand-built models under every option variant, and for text that must be
// written otherwise (quoted, or with another chomping).
func TestConfigMapYAMLIsYAMLDocuments(t *testing.T) {
	var texts [][]byte
	for _, d := range variantDashboards(t) {
		js, err := canonicalJSON(d) // as build writes it
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, js)
	}
	texts = append(texts, []byte("{\n  \"a\": 1 \n}\n"), []byte("{\n\t\"a\": 1\n}\n"), []byte("{\n  \"ü\": 1\n}\n"),
		[]byte(" {\n}\n"), []byte("{\n}"), []byte("{\n}\n\n"), []byte("{\n\n}\n"), []byte("{}\n"), []byte("plain\n"))
	for _, o := range optionVariants() {
		o.Folder, o.Namespace = "Team: ops", "monitoring"
		for i, text := range texts {
			cm := corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: o.Namespace, Labels: o.ConfigMapLabels, Annotations: map[string]string{folderAnnotation: o.Folder}},
			}
			for _, key := range []string{"cert-manager.io.json", "Upper.json", "1.example.com.json"} {
				got, err := configMapYAML(cm, key, text)
				if err != nil {
					t.Fatal(err)
				}
				cm.Data = map[string]string{key: string(text)}
				want, err := output.YAMLDocuments(cm)
				if err != nil {
					t.Fatal(err)
				}
				cm.Data = nil
				if !bytes.Equal(got, want) {
					t.Fatalf("text %d, key %s:\ngot:\n%s\nwant:\n%s", i, key, got, want)
				}
			}
		}
	}
}
