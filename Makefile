# crdmon — common tasks. `make help` lists them.
GO ?= go
PROMETHEUS_VERSION := $(shell $(GO) list -m -f '{{.Version}}' github.com/prometheus/prometheus)
BIN := $(CURDIR)/bin

.PHONY: help build test test-full generate check lint deps-check e2e tools accuracy

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

lint: ## gofmt and go vet (including the e2e package behind its build tag)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./e2e/...

deps-check: ## fail if the crdmon tool brings cloud SDKs, gRPC or too many modules into a user's go.mod
	.ci/deps-check

accuracy: ## alerts vs the labelled objects of ../shared/health (or $$CRDMON_HEALTH); CRDMON_ACCURACY_REPORT=FILE keeps the report
	CRDMON_ACCURACY=1 $(GO) test -run TestAccuracy -v -count=1 ./internal/accuracy/

tools: $(BIN)/promtool $(BIN)/prometheus ## build promtool and prometheus (go.mod's version) into bin/

$(BIN)/promtool:
	GOBIN=$(BIN) $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS_VERSION)

$(BIN)/prometheus:
	GOBIN=$(BIN) $(GO) install github.com/prometheus/prometheus/cmd/prometheus@$(PROMETHEUS_VERSION)

e2e: $(BIN)/prometheus ## end-to-end: real API server on etcd, KSM series, real Prometheus (needs etcd-server)
	PROMETHEUS_BIN=$(BIN)/prometheus $(GO) test -tags e2e -count=1 -timeout 10m ./e2e/...
