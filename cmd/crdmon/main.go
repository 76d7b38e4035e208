// Command crdmon turns Kubernetes CustomResourceDefinitions into monitoring:
// a kube-state-metrics config, Prometheus rules and Grafana dashboards.
// Run `crdmon help` for usage.
package main

import (
	"os"
	"runtime/debug"

	"github.com/crdmon/crdmon/internal/cli"
)

//go:generate go run . generate -f ../../testdata/crds -o ../../out --prune -q

// defaultMemoryLimit is the soft heap limit used unless GOMEMLIMIT is set: it
// bounds the heap of very large runs at some CPU cost, and never fails a run
// that needs more. (Output streams to disk, so ~100 MB of CRDs peak near
// 130 MB without reaching it; see docs/performance.md.)
const defaultMemoryLimit = 350 << 20

func main() {
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	os.Exit(cli.Run(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
