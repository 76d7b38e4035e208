// Package testutil holds test inputs and helpers shared by several packages' tests.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, walking up from the test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// RepoBinary returns the path of a tool tests run: $env, else bin/name in
// the repository (where `make tools` installs it); ok says whether it exists.
func RepoBinary(t testing.TB, env, name string) (path string, ok bool) {
	t.Helper()
	path = os.Getenv(env)
	if path == "" {
		path = filepath.Join(RepoRoot(t), "bin", name)
	}
	_, err := os.Stat(path)
	return path, err == nil
}

// Corpus returns the directory of real CRDs: $CRDMON_CORPUS, else
// ../shared/corpus beside the repository. It skips the test when neither exists.
func Corpus(t testing.TB) string {
	t.Helper()
	dir := corpusDir(t)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("CRD corpus not found at %s (set CRDMON_CORPUS to run corpus tests)", dir)
	}
	return dir
}

// corpusDir is $CRDMON_CORPUS, else ../shared/corpus beside the repository.
func corpusDir(t testing.TB) string {
	if dir := os.Getenv("CRDMON_CORPUS"); dir != "" {
		return dir
	}
	return filepath.Join(RepoRoot(t), "..", "shared", "corpus")
}

// TestdataCRDs returns the repository's example CRDs directory.
func TestdataCRDs(t testing.TB) string {
	return filepath.Join(RepoRoot(t), "testdata", "crds")
}
