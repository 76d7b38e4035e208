//go:build e2e

// Package e2e runs crdmon's generated artifacts through real components: a
// real apiextensions API server on a loopback etcd validates the generated
// PrometheusRule objects and stores sample custom resources of several corpus
// kinds; the generated kube-state-metrics config is evaluated over the
// objects listed back from it (generator/ksmeval) and served on loopback;
// a real Prometheus scrapes that, evaluates the generated rules and answers
// every generated dashboard query.
//
// Run with `go test -tags e2e ./e2e/...` (make e2e). It needs etcd
// (Debian's etcd-server package) and a prometheus binary at $PROMETHEUS_BIN
// or bin/prometheus (GOBIN=$PWD/bin go install
// github.com/prometheus/prometheus/cmd/prometheus@<go.mod version>), and the
// CRD corpus at ../shared/corpus or $CRDMON_CORPUS; it skips when one is missing.
package e2e
