package testcluster

import (
	"path/filepath"
	"testing"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// CorpusCRDs reads every CRD under the corpus file or subdirectory sub (e.g.
// "prometheus-operator"; "" for the whole corpus) with crdmon's own loader,
// sorted by name. It skips t when the corpus is absent.
func CorpusCRDs(t testing.TB, sub string) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	return ReadCRDs(t, filepath.Join(testutil.Corpus(t), sub))
}

// ReadCRDs reads the CRDs of files or directories with crdmon's loader.
func ReadCRDs(t testing.TB, paths ...string) []*apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	r, err := load.Paths(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	crds := make([]*apiextensionsv1.CustomResourceDefinition, len(r.CRDs))
	for i := range r.CRDs {
		crds[i] = r.CRDs[i].CustomResourceDefinition.DeepCopy()
	}
	return crds
}
