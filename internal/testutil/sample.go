package testutil

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// FullCorpusEnv names the environment variable that makes the long tests
// run in full: the corpus tests whose cost grows with the corpus (engine
// runs, API server round trips) read every corpus CRD instead of a sample,
// and the large-input test reads 50 MB instead of 8. `make test-full` and
// .ci/run set it to 1.
const FullCorpusEnv = "CRDMON_FULL_CORPUS"

// sampleStep keeps one file in sampleStep of each project by default.
const sampleStep = 3

// FullCorpus reports whether FullCorpusEnv is set.
func FullCorpus() bool { return os.Getenv(FullCorpusEnv) != "" }

// CorpusSample returns the corpus manifests a test run reads, in path order:
// all of them when FullCorpusEnv is set, else the first, fourth, seventh...
// file of each project directory, so that every project (and the shapes its
// CRDs bring) is represented at a third of the cost. It logs which, and
// skips t when the corpus is absent.
func CorpusSample(t testing.TB) []string {
	t.Helper()
	dir := Corpus(t)
	byProject := map[string][]string{}
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && isManifest(p) {
			project := filepath.Dir(p)
			byProject[project] = append(byProject[project], p)
		}
		return nil
	})
	var all, sample []string
	for _, files := range byProject {
		slices.Sort(files)
		all = append(all, files...)
		for i := 0; i < len(files); i += sampleStep {
			sample = append(sample, files[i])
		}
	}
	slices.Sort(all)
	slices.Sort(sample)
	if FullCorpus() {
		return all
	}
	t.Logf("corpus sample: %d of %d files (%s=1 reads all)", len(sample), len(all), FullCorpusEnv)
	return sample
}
