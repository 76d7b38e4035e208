//go:build e2e

// Package e2e runs crdmon's generated artifacts through real components: a
// real apiextensions API server on a loopback etcd validates the generated
// PrometheusRule objects and stores sample custom resources of several corpus
// kinds; the real kube-state-metrics serves each shard of the generated
// config, as the service account the generated RBAC binds, under an
// authorizer granting exactly that RBAC, and must serve the series crdmon's
// emulation (generator/ksmeval) computes; a real Prometheus scrapes it,
// evaluates the generated rules and answers every generated dashboard query.
// kube-state-metrics also runs where it must fail: a ClusterRole lacking a
// resource, a misspelled path. docs/end-to-end.md describes it all.
//
// Run with `make e2e`. It needs etcd (Debian's etcd-server package), a
// prometheus binary at $PROMETHEUS_BIN or bin/prometheus (go.mod's version),
// a kube-state-metrics binary at $KSM_BIN or bin/kube-state-metrics (the
// Makefile's KSM_VERSION; `make tools` builds both), and the CRD corpus at
// ../shared/corpus or $CRDMON_CORPUS; it skips when one is missing.
package e2e
