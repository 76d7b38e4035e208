# crdmon — common tasks. `make help` lists them.
GO ?= go
PROMETHEUS_VERSION := $(shell $(GO) list -m -f '{{.Version}}' github.com/prometheus/prometheus)
# kube-state-metrics is a tool the e2e tests run, not a dependency: its version
# is pinned here, and only here (nothing in go.mod names it).
KSM_VERSION := v2.20.0
BIN := $(CURDIR)/bin

.PHONY: help build test test-full generate check docs lint deps-check e2e tools accuracy

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## build bin/crdmon
	$(GO) build -o $(BIN)/crdmon ./cmd/crdmon

.PHONY: bench-prometheus
bench-prometheus: $(BIN)/prometheus ## rules' cost in a real Prometheus vs a no-rules baseline (docs/prometheus-cost.md); BENCH_FLAGS='-set provider'
	PROMETHEUS_BIN=$(BIN)/prometheus $(GO) run ./internal/benchprom/cmd/benchprom $(BENCH_FLAGS)

test: ## run the unit tests (corpus tests read ../shared/corpus or $$CRDMON_CORPUS, a sample of it)
	$(GO) test ./...

test-full: ## the unit tests over every corpus CRD, and the size limits at scale (CRDMON_FULL_CORPUS=1; CI runs it)
	CRDMON_FULL_CORPUS=1 $(GO) test -timeout 30m ./...

generate: ## regenerate out/ from testdata/crds
	$(GO) run ./cmd/crdmon generate -f testdata/crds -o out --prune -q

check: ## fail if out/ differs from what `make generate` writes
	$(GO) run ./cmd/crdmon generate -f testdata/crds -o out --check -q

docs: ## regenerate the generated parts of docs/ (docs/cli.md from the flags, docs/detection.md's rule table)
	$(GO) test ./internal/cli/ -run TestCLIDoc -count=1 -update
	$(GO) test ./generator/detect/ -run TestDetectionDoc -count=1 -update

lint: ## gofmt and go vet (including the e2e package behind its build tag)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e/...

deps-check: ## fail if the crdmon tool brings cloud SDKs, gRPC or too many modules into a user's go.mod
	.ci/deps-check

accuracy: ## alerts vs the labelled objects of ../shared/health (or $$CRDMON_HEALTH); CRDMON_ACCURACY_REPORT=FILE keeps the report, CRDMON_ACCURACY_MODES=WORD runs only the modes naming WORD
	CRDMON_ACCURACY=1 $(GO) test -run TestAccuracy -v -count=1 -timeout 60m ./internal/accuracy/

tools: $(BIN)/promtool $(BIN)/prometheus $(BIN)/kube-state-metrics ## build promtool, prometheus (go.mod's version) and kube-state-metrics (the Makefile's KSM_VERSION) into bin/

$(BIN)/promtool:
	GOBIN=$(BIN) $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS_VERSION)

$(BIN)/prometheus:
	GOBIN=$(BIN) $(GO) install github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS_VERSION)

# Rebuilt when KSM_VERSION changes: the binary's version is recorded beside it.
$(BIN)/kube-state-metrics: $(BIN)/.kube-state-metrics-$(KSM_VERSION)
$(BIN)/.kube-state-metrics-$(KSM_VERSION):
	GOBIN=$(BIN) $(GO) install k8s.io/kube-state-metrics/v2@$(KSM_VERSION)
	rm -f $(BIN)/.kube-state-metrics-v* && touch $@

e2e: $(BIN)/prometheus $(BIN)/kube-state-metrics ## end-to-end: real API server on etcd, real kube-state-metrics under the generated RBAC, real Prometheus (needs etcd-server)
	PROMETHEUS_BIN=$(BIN)/prometheus KSM_BIN=$(BIN)/kube-state-metrics KSM_VERSION=$(KSM_VERSION) \
	  $(GO) test -tags e2e -count=1 -timeout 10m ./e2e/...
