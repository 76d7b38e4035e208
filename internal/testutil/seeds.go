package testutil

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// AddCorpusSeeds adds the manifests (.yaml, .yml, .json) of at most maxBytes
// bytes among the example CRDs and the CRD corpus to f's seed corpus: the
// example CRDs first, then the corpus, each in path order. A missing corpus
// adds no seeds and does not skip.
func AddCorpusSeeds(f *testing.F, maxBytes int) {
	f.Helper()
	for _, dir := range []string{TestdataCRDs(f), corpusDir(f)} {
		var files []string
		filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() && isManifest(p) {
				files = append(files, p)
			}
			return nil
		})
		slices.Sort(files)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil && len(b) <= maxBytes {
				f.Add(b)
			}
		}
	}
}

func isManifest(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
