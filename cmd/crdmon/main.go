// Command crdmon turns Kubernetes CustomResourceDefinitions into monitoring:
// a kube-state-metrics config, Prometheus rules and Grafana dashboards.
// Run `crdmon help` for usage.
package main

import (
	"os"

	"github.com/crdmon/crdmon/internal/cli"
)

//go:generate go run . generate -f ../../testdata/crds -o ../../out -q

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}
