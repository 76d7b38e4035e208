// Package testutil holds test inputs and helpers shared by several packages' tests.
package testutil

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, walking up from the test's directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// FindRepoRoot returns the directory holding go.mod, walking up from the
// working directory.
func FindRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
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
	return sharedDir(t, "CRDMON_CORPUS", "corpus", "CRD corpus")
}

// Health returns the directory of labelled objects (see its README):
// $CRDMON_HEALTH, else ../shared/health beside the repository. It skips the
// test when neither exists.
func Health(t testing.TB) string {
	t.Helper()
	return sharedDir(t, "CRDMON_HEALTH", "health", "labelled objects")
}

// sharedDir is sharedPath(env, name); it skips the test, naming what is
// missing, when the directory does not exist.
func sharedDir(t testing.TB, env, name, what string) string {
	t.Helper()
	dir := sharedPath(t, env, name)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s not found at %s (set %s to run these tests)", what, dir, env)
	}
	return dir
}

// corpusDir is $CRDMON_CORPUS, else ../shared/corpus beside the repository.
func corpusDir(t testing.TB) string { return sharedPath(t, "CRDMON_CORPUS", "corpus") }

// sharedPath is $env, else ../shared/name beside the repository.
func sharedPath(t testing.TB, env, name string) string {
	t.Helper()
	dir, err := SharedPath(env, name)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// SharedPath is $env, else ../shared/name beside the repository holding
// the working directory.
func SharedPath(env, name string) (string, error) {
	if dir := os.Getenv(env); dir != "" {
		return dir, nil
	}
	root, err := FindRepoRoot()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, "..", "shared", name), nil
}

// TestdataCRDs returns the repository's example CRDs directory.
func TestdataCRDs(t testing.TB) string {
	return filepath.Join(RepoRoot(t), "testdata", "crds")
}
