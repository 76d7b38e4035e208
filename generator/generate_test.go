package generator

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// out/ is what generating from testdata/crds writes (the go test twin of `make check`).
func TestOutIsUpToDate(t *testing.T) {
	root := testutil.RepoRoot(t)
	opts := DefaultOptions()
	opts.Inputs = []string{filepath.Join(root, "testdata", "crds")}
	res, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range res.Files {
		disk, err := os.ReadFile(filepath.Join(root, "out", filepath.FromSlash(f.Path)))
		if err != nil || !bytes.Equal(disk, f.Content) {
			t.Errorf("out/%s is stale: run make generate", f.Path)
		}
	}
}

// Same CRDs give byte-identical output whatever the input order and
// GOMAXPROCS (over a sample of the corpus, all with CRDMON_FULL_CORPUS=1).
func TestDeterministic(t *testing.T) {
	files := testutil.CorpusSample(t)
	run := func(inputs []string, procs int) map[string][]byte {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		opts := DefaultOptions()
		opts.Inputs = inputs
		res, err := Generate(opts)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]byte{}
		for _, f := range res.Files {
			out[f.Path] = f.Content
		}
		return out
	}
	first := run(files, 1)
	shuffled := append([]string(nil), files...)
	rand.New(rand.NewSource(7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	second := run(shuffled, 2)
	if len(first) != len(second) {
		t.Fatalf("%d files, then %d", len(first), len(second))
	}
	for p, b := range first {
		if !bytes.Equal(b, second[p]) {
			t.Errorf("%s differs between runs", p)
		}
	}
}

func TestFilters(t *testing.T) {
	opts := DefaultOptions()
	opts.Inputs = []string{testutil.TestdataCRDs(t)}
	opts.Groups = []string{"ops.*"}
	opts.Kinds = []string{"back*"}
	res, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Model.Kinds) != 1 || res.Model.Kinds[0].Kind != "Backup" || res.Filtered != 3 {
		t.Fatalf("kept %+v, filtered %d", res.Model.Kinds, res.Filtered)
	}
	opts.Groups = []string{"["}
	if _, err := Generate(opts); err == nil {
		t.Error("bad glob accepted")
	}
}

// Generate drops each schema as soon as the CRD is read; the output and the
// model are those of rendering from CRDs loaded whole (the corpus sample,
// all with CRDMON_FULL_CORPUS=1, and the example CRDs).
func TestStreamingIsLoadingWhole(t *testing.T) {
	for _, inputs := range [][]string{{testutil.TestdataCRDs(t)}, testutil.CorpusSample(t)} {
		opts := DefaultOptions()
		opts.Inputs = inputs
		streamed, err := Generate(opts)
		if err != nil {
			t.Fatal(err)
		}
		loaded, err := load.Paths(inputs, nil)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := FromCRDs(loaded, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(streamed.Model, whole.Model) || len(streamed.Files) != len(whole.Files) {
			t.Fatalf("%s: streamed model or file count differs", inputs[0])
		}
		for i, f := range streamed.Files {
			if f.Path != whole.Files[i].Path || !bytes.Equal(f.Content, whole.Files[i].Content) {
				t.Errorf("%s differs", f.Path)
			}
		}
		if len(streamed.Load.CRDs) != len(whole.Load.CRDs) || streamed.Load.Documents != whole.Load.Documents {
			t.Errorf("%s: streamed load summary differs", inputs[0])
		}
	}
}
