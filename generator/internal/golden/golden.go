// Package golden compares test output with golden files. Running the tests
// with -update rewrites the golden files from the current output instead.
package golden

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/internal/textdiff"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// Update reports whether the tests run with -update.
func Update() bool { return *update }

// Check compares got with the file at path. With -update it writes got to
// path, creating its directory, instead.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test -update and review the diff):\n%s", path, diff(path, want, got))
	}
}

// CheckDir compares rendered files, whose paths are relative to dir, with
// the files under dir: each must match, and dir must hold no other files.
// With -update it replaces dir with files instead.
func CheckDir(t testing.TB, dir string, files []output.File) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]bool{}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Path))
		want[p] = true
		if *update {
			write(t, p, f.Content)
			continue
		}
		golden, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v (run go test -update)", f.Path, err)
			continue
		}
		if !bytes.Equal(golden, f.Content) {
			t.Errorf("%s differs from %s (run go test -update and review the diff):\n%s", f.Path, p, diff(p, golden, f.Content))
		}
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && !want[p] {
			t.Errorf("%s: stale golden file, no longer rendered", p)
		}
		return nil
	})
	if err != nil {
		t.Errorf("walking %s: %v", dir, err)
	}
}

func write(t testing.TB, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// diff is a unified diff from the golden file to the output.
func diff(path string, want, got []byte) string {
	return textdiff.Unified(path, want, "got", got)
}
