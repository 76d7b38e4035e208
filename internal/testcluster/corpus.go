package testcluster

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// CorpusEnv names the CRD corpus directory; when unset the corpus is
// ../shared/corpus relative to the repository root (the directory holding
// go.mod).
const CorpusEnv = "CRDMON_CORPUS"

// CorpusDir returns the CRD corpus directory, skipping t when it is absent.
func CorpusDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(CorpusEnv); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			t.Skipf("CRD corpus %s=%s: %v", CorpusEnv, dir, err)
		}
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			corpus := filepath.Join(dir, "..", "shared", "corpus")
			if _, err := os.Stat(corpus); err != nil {
				t.Skipf("CRD corpus not found at ../shared/corpus from the repository root; set %s", CorpusEnv)
			}
			return corpus
		}
		if filepath.Dir(dir) == dir {
			t.Skipf("no go.mod above %s, cannot locate the CRD corpus; set %s", wd, CorpusEnv)
		}
	}
}

// CorpusCRDs reads every CRD in the *.yaml files of the corpus subdirectory
// sub (e.g. "prometheus-operator"; "" for the whole corpus), sorted by name.
// It skips t when the corpus is absent.
func CorpusCRDs(t testing.TB, sub string) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	root := filepath.Join(CorpusDir(t), sub)
	var crds []*apiextensionsv1.CustomResourceDefinition
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".yaml") {
			return err
		}
		got, err := ReadCRDs(path)
		crds = append(crds, got...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(crds) == 0 {
		t.Fatalf("no CRDs under %s", root)
	}
	sort.Slice(crds, func(i, j int) bool { return crds[i].Name < crds[j].Name })
	return crds
}

// ReadCRDs decodes the CustomResourceDefinitions in a multi-document YAML
// file, ignoring documents of other kinds.
func ReadCRDs(path string) ([]*apiextensionsv1.CustomResourceDefinition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	err = eachDocument(data, func(doc []byte) error {
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(doc, &crd); err != nil {
			return err
		}
		if crd.Kind == "CustomResourceDefinition" {
			crds = append(crds, &crd)
		}
		return nil
	})
	if err != nil {
		return nil, errors.Join(errors.New(path), err)
	}
	return crds, nil
}

// eachDocument calls fn for every non-empty document of a YAML stream.
func eachDocument(data []byte, fn func(doc []byte) error) error {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	for {
		doc, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		if err := fn(doc); err != nil {
			return err
		}
	}
}
