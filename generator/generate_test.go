package generator

import (
	"bytes"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/internal/testutil"
)

// out/ is what generating from testdata/crds writes (the go test twin of `make check`).
func TestOutIsUpToDate(t *testing.T) {
	root := testutil.RepoRoot(t)
	for _, f := range generateDefault(t, []string{testutil.TestdataCRDs(t)}).Files {
		disk, err := os.ReadFile(filepath.Join(root, "out", filepath.FromSlash(f.Path)))
		if err != nil || !bytes.Equal(disk, f.Content) {
			t.Errorf("out/%s is stale: run make generate", f.Path)
		}
	}
}

// generated memoizes generateDefault by inputs: several tests compare other
// ways of generating the corpus sample with it.
var generated struct {
	sync.Mutex
	results map[string]*Result
}

// generateDefault returns Generate's result for inputs with the default
// options, at GOMAXPROCS 2 or more, generating it once per inputs.
func generateDefault(t *testing.T, inputs []string) *Result {
	t.Helper()
	generated.Lock()
	defer generated.Unlock()
	key := strings.Join(inputs, "\n")
	if res, ok := generated.results[key]; ok {
		return res
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(2, runtime.GOMAXPROCS(0))))
	opts := DefaultOptions()
	opts.Inputs = inputs
	res, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	if generated.results == nil {
		generated.results = map[string]*Result{}
	}
	generated.results[key] = res
	return res
}

// Same CRDs give byte-identical output whatever the input order and
// GOMAXPROCS (over a sample of the corpus, all with CRDMON_FULL_CORPUS=1).
func TestDeterministic(t *testing.T) {
	files := testutil.CorpusSample(t)
	first := map[string][]byte{}
	for _, f := range generateDefault(t, files).Files {
		first[f.Path] = f.Content
	}
	shuffled := append([]string(nil), files...)
	rand.New(rand.NewSource(7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	opts := DefaultOptions()
	opts.Inputs = shuffled
	res, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	second := map[string][]byte{}
	for _, f := range res.Files {
		second[f.Path] = f.Content
	}
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
		streamed := generateDefault(t, inputs)
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
