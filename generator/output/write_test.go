package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSafePath(t *testing.T) {
	for _, p := range []string{"a.yaml", "kube-state-metrics/rbac.yaml", "a/b/c.json", "..a", "a..b/c"} {
		if err := SafePath(p); err != nil {
			t.Errorf("SafePath(%q) = %v, want ok", p, err)
		}
	}
	for _, p := range []string{"", ".", "..", "../x", "a/../../x", "a/../b", "./a", "a//b", "a/", "/etc/passwd", `a\b`, `..\x`, `\x`, `C:\x`} {
		if err := SafePath(p); err == nil {
			t.Errorf("SafePath(%q) accepted", p)
		}
	}
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			out[rel+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[rel] = string(b)
		return nil
	})
	return out
}

func file(p, content string) File {
	return File{Path: p, Content: []byte("# " + Marker + "\n" + content)}
}

func assertSame(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, c := range before {
		if got, ok := after[p]; !ok || got != c {
			t.Errorf("%s changed: %q -> %q (present %v)", p, c, got, ok)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared", p)
		}
	}
}

// statuses lists changes as path=status.
func statuses(changes []Change) string {
	var out []string
	for _, c := range changes {
		out = append(out, c.Path+"="+string(c.Status))
	}
	return strings.Join(out, " ")
}

// A failure in the middle of Write (a file where a directory must go, a
// directory where a file must go, an escaping path) leaves the previous
// output as it was, without temporary files.
func TestWriteFailureKeepsPreviousOutput(t *testing.T) {
	previous := []File{file("a/x.yaml", "v1"), file("b/y.yaml", "v1"), file("z.yaml", "v1")}
	next := []File{file("a/x.yaml", "v2"), file("b/y.yaml", "v2"), file("z.yaml", "v2")}
	cases := map[string]struct {
		prepare func(dir string)
		extra   File
	}{
		"file where a directory must go": {func(dir string) { os.WriteFile(filepath.Join(dir, "c"), []byte("user file"), 0o644) }, file("c/new.yaml", "v2")},
		"directory where a file must go": {func(dir string) { os.MkdirAll(filepath.Join(dir, "d", "sub"), 0o755) }, file("d", "v2")},
		"escaping path":                  {func(string) {}, file("../escape.yaml", "v2")},
		"absolute path":                  {func(string) {}, file("/tmp/escape.yaml", "v2")},
		"backslash path":                 {func(string) {}, file(`..\escape.yaml`, "v2")},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := Write(dir, previous, false); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, "README"), []byte("not generated"), 0o644)
			c.prepare(dir)
			before := snapshot(t, dir)
			// the bad file sorts among the good ones: some temporaries exist when it fails
			files := append(append([]File(nil), next...), c.extra)
			Sort(files)
			if _, err := Write(dir, files, true); err == nil {
				t.Fatal("Write succeeded")
			}
			assertSame(t, before, snapshot(t, dir))
			if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "escape.yaml")); err == nil {
				t.Error("a file escaped the output directory")
			}
		})
	}
}

// A read-only subdirectory stops Write before anything is renamed.
func TestWriteReadOnlyDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("running as root: directory permissions do not stop writes (the file-where-a-directory-goes case covers the failure path)")
	}
	dir := t.TempDir()
	if _, err := Write(dir, []File{file("a/x.yaml", "v1"), file("b/y.yaml", "v1")}, false); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Join(dir, "b"), 0o555)
	defer os.Chmod(filepath.Join(dir, "b"), 0o755)
	before := snapshot(t, dir)
	if _, err := Write(dir, []File{file("a/x.yaml", "v2"), file("b/y.yaml", "v2")}, false); err == nil {
		t.Fatal("Write succeeded")
	}
	assertSame(t, before, snapshot(t, dir))
}

// Write only touches changed files, prunes only marked files, and a second
// identical Write changes nothing.
func TestWriteAndPrune(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, []File{file("a.yaml", "v1"), file("old.yaml", "v1")}, false); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte("user"), 0o644)
	changes, err := Write(dir, []File{file("a.yaml", "v1"), file("b.yaml", "v1")}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(changes), "a.yaml=unchanged b.yaml=created old.yaml=removed"; got != want {
		t.Errorf("changes %s, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "mine.yaml")); err != nil {
		t.Error("a user file was pruned")
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".crdmon-*"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

// A Writer stages files as they come and touches the output only at
// Commit; Abort leaves it as it was, without a staging directory, and
// removes the output directory when it made it.
func TestWriterStagesUntilCommit(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, []File{file("a/x.yaml", "v1"), file("old.yaml", "v1")}, false); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	next := []File{file("a/x.yaml", "v2"), file("b/new.yaml", "v1")}

	w := NewWriter(dir)
	if err := Sink(w.Put).PutAll(next); err != nil {
		t.Fatal(err)
	}
	staged, _ := filepath.Glob(filepath.Join(dir, stagingPrefix+"*"))
	if len(staged) != 1 {
		t.Fatalf("staging directories %v, want one", staged)
	}
	if err := w.Put(file("a/x.yaml", "v3")); err == nil {
		t.Error("a path put twice was accepted")
	}
	w.Abort()
	assertSame(t, before, snapshot(t, dir))

	w = NewWriter(dir)
	if err := Sink(w.Put).PutAll(next); err != nil {
		t.Fatal(err)
	}
	changes, err := w.Commit(true)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := statuses(changes), "a/x.yaml=updated b/new.yaml=created old.yaml=removed"; got != want {
		t.Errorf("changes %s, want %s", got, want)
	}
	after := snapshot(t, dir)
	if after["a/x.yaml"] != string(next[0].Content) || after["b/new.yaml"] != string(next[1].Content) {
		t.Errorf("committed output %v", after)
	}
	for p := range after {
		if strings.Contains(p, stagingPrefix) || strings.Contains(p, ".tmp") {
			t.Errorf("%s left behind", p)
		}
	}

	fresh := filepath.Join(t.TempDir(), "new", "out")
	w = NewWriter(fresh)
	if err := w.Put(file("x.yaml", "v1")); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if _, err := os.Stat(fresh); !os.IsNotExist(err) {
		t.Errorf("aborted writer left its output directory: %v", err)
	}
}

// A Comparer, fed one file at a time, reports what Compare reports, with
// the content of changed and stale files for diffs.
func TestComparerIsCompare(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir, []File{file("same.yaml", "v1"), file("changed.yaml", "v1"), file("stale.yaml", "v1")}, false); err != nil {
		t.Fatal(err)
	}
	files := []File{file("same.yaml", "v1"), file("changed.yaml", "v2"), file("new.yaml", "v1")}
	whole, err := Compare(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	c := NewComparer(dir)
	for i := len(files) - 1; i >= 0; i-- { // any order
		if err := c.Put(files[i]); err != nil {
			t.Fatal(err)
		}
	}
	streamed, err := c.Changes()
	if err != nil {
		t.Fatal(err)
	}
	if len(streamed) != len(whole) {
		t.Fatalf("%d changes, Compare gives %d", len(streamed), len(whole))
	}
	for i, s := range streamed {
		w := whole[i]
		if s.Path != w.Path || s.Status != w.Status {
			t.Errorf("change %d: %s %s, Compare gives %s %s", i, s.Path, s.Status, w.Path, w.Status)
		}
		if s.Status != Unchanged && (string(s.Old) != string(w.Old) || string(s.New) != string(w.New)) {
			t.Errorf("%s: content %q -> %q, Compare gives %q -> %q", s.Path, s.Old, s.New, w.Old, w.New)
		}
	}
}
