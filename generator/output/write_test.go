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
	var got []string
	for _, c := range changes {
		got = append(got, c.Path+"="+string(c.Status))
	}
	if want := "a.yaml=unchanged b.yaml=created old.yaml=removed"; strings.Join(got, " ") != want {
		t.Errorf("changes %v, want %s", got, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "mine.yaml")); err != nil {
		t.Error("a user file was pruned")
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, ".crdmon-*"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}
