package generator

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"github.com/crdmon/crdmon/generator/load"
	"github.com/crdmon/crdmon/generator/output"
	"github.com/crdmon/crdmon/generator/rules"
	"github.com/crdmon/crdmon/internal/testutil"
)

// Scale benchmark: the corpus CRDs stamped into many distinct API groups
// (CRDMON_BENCH_GROUPS, default 2000) totalling about CRDMON_BENCH_MB of YAML
// (default 100), one file per group. Run with
//
//	go test -run='^$' -bench=. -benchtime=1x ./generator/
//
// generate renders and validates every file, dropping each at once (as
// `crdmon generate` hands each to the output as soon as it validated);
// generate-write also writes them, as `crdmon generate -o` does.
//
// Each sub-benchmark reports ns/op, B/op and allocs/op, the input size,
// cpu-s (user and system CPU time of the process, every core) and
// peak-RSS-MB: the process' peak resident set (VmHWM, reset through
// /proc/self/clear_refs before the run). The others also report x-floor and
// cpu-x-floor, their time and CPU time over the decode floor's: plain
// sigs.k8s.io/yaml decoding of the same files, one after the other, into
// apiextensions/v1 CRDs that are dropped at once, as generation drops their
// schemas once it has read them.

type stampedInput struct {
	dir    string
	files  []string
	bytes  int64
	groups int
}

// floorNs and floorCPU are the decode floor's ns/op and CPU time, for the
// other sub-benchmarks' x-floor and cpu-x-floor.
var floorNs, floorCPU float64

// cpuSeconds is the process' user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

type corpusCRD struct {
	group string
	text  []byte
}

// writeStamped writes the stamped CRDs into dir, one file per group.
func writeStamped(dir, corpus string, groups int, target int64) (stampedInput, error) {
	res, err := load.Paths([]string{corpus}, nil)
	if err != nil {
		return stampedInput{}, err
	}
	var crds []corpusCRD
	for _, c := range res.CRDs {
		text, err := yaml.Marshal(c.CustomResourceDefinition)
		if err != nil {
			return stampedInput{}, err
		}
		crds = append(crds, corpusCRD{group: c.Spec.Group, text: text})
	}
	// The smallest CRDs whose mean size gives about target bytes in total.
	sort.Slice(crds, func(i, j int) bool { return len(crds[i].text) < len(crds[j].text) })
	n, sum := 0, int64(0)
	for n < len(crds) && (sum+int64(len(crds[n].text)))/int64(n+1) <= target/int64(groups) {
		sum += int64(len(crds[n].text))
		n++
	}
	if n == 0 {
		n = 1
	}
	crds = crds[:n]
	sort.Slice(crds, func(i, j int) bool { return string(crds[i].text) < string(crds[j].text) })

	in := stampedInput{dir: dir, groups: groups}
	for i := 0; i < groups; i++ {
		c := crds[i%len(crds)]
		group := fmt.Sprintf("s%04d.%s", i, c.group)
		text := bytes.ReplaceAll(c.text, []byte("."+c.group+"\n"), []byte("."+group+"\n"))
		text = bytes.ReplaceAll(text, []byte("group: "+c.group+"\n"), []byte("group: "+group+"\n"))
		p := filepath.Join(dir, group+".yaml")
		if err := os.WriteFile(p, text, 0o644); err != nil {
			return stampedInput{}, err
		}
		in.files = append(in.files, p)
		in.bytes += int64(len(text))
	}
	return in, nil
}

// peakRSS resets the process' peak resident set size, runs f, and returns the
// new peak in MB (0 when /proc is not available).
func peakRSS(f func()) float64 {
	runtime.GC()
	debug.FreeOSMemory()
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	f()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:")), " kB"))
			return float64(kb) / 1024
		}
	}
	return 0
}

func BenchmarkScale(b *testing.B) {
	in, err := writeStamped(b.TempDir(), testutil.Corpus(b), envInt("CRDMON_BENCH_GROUPS", 2000), int64(envInt("CRDMON_BENCH_MB", 100))<<20)
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, f func(b *testing.B) int) {
		b.ReportAllocs()
		b.SetBytes(in.bytes)
		var crds int
		var elapsed time.Duration
		var cpu float64
		peak := peakRSS(func() {
			b.ResetTimer()
			start, startCPU := time.Now(), cpuSeconds()
			for i := 0; i < b.N; i++ {
				crds = f(b)
			}
			elapsed, cpu = time.Since(start), (cpuSeconds()-startCPU)/float64(b.N)
			b.StopTimer()
		})
		if crds != in.groups {
			b.Fatalf("%d CRDs, want %d", crds, in.groups)
		}
		b.ReportMetric(peak, "peak-RSS-MB")
		b.ReportMetric(float64(in.bytes)/(1<<20), "input-MB")
		b.ReportMetric(float64(in.groups), "groups")
		b.ReportMetric(cpu, "cpu-s")
		if strings.HasSuffix(b.Name(), "/decode-floor") {
			floorNs, floorCPU = float64(elapsed.Nanoseconds())/float64(b.N), cpu
		} else if floorNs > 0 {
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N)/floorNs, "x-floor")
			b.ReportMetric(cpu/floorCPU, "cpu-x-floor")
		}
	}
	b.Run("decode-floor", func(b *testing.B) {
		run(b, func(b *testing.B) int {
			crds := 0
			for _, p := range in.files {
				data, err := os.ReadFile(p)
				if err != nil {
					b.Fatal(err)
				}
				for _, doc := range bytes.Split(data, []byte("\n---\n")) {
					var crd apiextensionsv1.CustomResourceDefinition
					if err := yaml.Unmarshal(doc, &crd); err != nil {
						b.Fatal(err)
					}
					crds++
				}
			}
			return crds
		})
	})
	b.Run("load", func(b *testing.B) {
		run(b, func(b *testing.B) int {
			// As generation loads: schemas dropped as soon as read.
			r, err := load.PathsWith([]string{in.dir}, nil, load.Options{Keep: load.CRD.WithoutSchema})
			if err != nil {
				b.Fatal(err)
			}
			return len(r.CRDs)
		})
	})
	for _, only := range []string{ArtifactKSM, ""} {
		name := "generate"
		if only != "" {
			name += "-" + only + "-only"
		}
		b.Run(name, func(b *testing.B) {
			run(b, func(b *testing.B) int {
				opts := DefaultOptions()
				opts.Inputs = []string{in.dir}
				if only != "" {
					opts.Only = []string{only}
				}
				// Every file rendered and validated, then dropped.
				opts.Sink = func(output.File) error { return nil }
				res, err := Generate(opts)
				if err != nil {
					b.Fatal(err)
				}
				return len(res.Load.CRDs)
			})
		})
	}
	b.Run("generate-write", func(b *testing.B) {
		run(b, func(b *testing.B) int {
			// As `crdmon generate -o` does: each file staged as soon as it
			// validated, all moved into a new output directory at the end.
			opts := DefaultOptions()
			opts.Inputs = []string{in.dir}
			w := output.NewWriter(filepath.Join(b.TempDir(), "out"))
			opts.Sink = w.Put
			res, err := Generate(opts)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := w.Commit(false); err != nil {
				b.Fatal(err)
			}
			return len(res.Load.CRDs)
		})
	})
}

// BenchmarkPromtoolTests runs the real promtool (bin/promtool from `make
// tools`, or $PROMTOOL) over every promtool test file generated for a
// provider-aws-sized Crossplane provider (testutil.ProviderAWS: 2,062 CRDs
// in 354 API groups, two of them with over 120 kinds), as one
// `promtool test rules rules/tests/*.test.yaml`. It reports promtool's
// cpu-s, and the test groups and alert tests it ran. Run with
//
//	go test -run='^$' -bench=PromtoolTests -benchtime=1x ./generator/
func BenchmarkPromtoolTests(b *testing.B) {
	bin, ok := testutil.RepoBinary(b, "PROMTOOL", "promtool")
	if !ok {
		b.Skipf("no promtool at %s: run `make tools` or set PROMTOOL", bin)
	}
	in, out := b.TempDir(), b.TempDir()
	if _, err := testutil.ProviderAWS.Write(in); err != nil {
		b.Fatal(err)
	}
	opts := DefaultOptions()
	opts.Inputs, opts.Only = []string{in}, []string{ArtifactRules}
	opts.Rules.Format = rules.FormatPlain
	res, err := Generate(opts)
	if err != nil {
		b.Fatal(err)
	}
	var tests []string
	groups, alerts := 0, 0
	for _, f := range res.Files {
		p := filepath.Join(out, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, f.Content, 0o644); err != nil {
			b.Fatal(err)
		}
		if strings.HasSuffix(f.Path, ".test.yaml") {
			tests = append(tests, filepath.Base(p))
			var tf rules.UnitTestFile
			if err := yaml.Unmarshal(f.Content, &tf); err != nil {
				b.Fatal(err)
			}
			for _, tg := range tf.Tests {
				groups++
				alerts += len(tg.AlertTests)
			}
		}
	}
	var cpu time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(bin, append([]string{"test", "rules"}, tests...)...)
		cmd.Dir = filepath.Join(out, filepath.FromSlash(rules.TestDir))
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("promtool test rules: %v\n%s", err, msg)
		}
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.StopTimer()
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s")
	b.ReportMetric(float64(len(tests)), "test-files")
	b.ReportMetric(float64(groups), "test-groups")
	b.ReportMetric(float64(alerts), "alert-tests")
}
