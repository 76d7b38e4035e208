# crdmon — common tasks. `make help` lists them.
GO ?= go
PROMETHEUS_VERSION := $(shell $(GO) list -m -f '{{.Version}}' github.com/prometheus/prometheus)
BIN := $(CURDIR)/bin

.PHONY: help build test generate check lint e2e tools

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

build: ## build bin/crdmon
	$(GO) build -o $(BIN)/crdmon ./cmd/crdmon

test: ## run the unit tests (corpus tests read ../shared/corpus or $$CRDMON_CORPUS)
	$(GO) test ./...

generate: ## regenerate out/ from testdata/crds
	$(GO) run ./cmd/crdmon generate -f testdata/crds -o out --prune -q

check: ## fail if out/ differs from what `make generate` writes
	$(GO) run ./cmd/crdmon generate -f testdata/crds -o out --check -q

lint: ## gofmt and go vet
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

tools: ## install promtool (same version as go.mod's prometheus) into bin/
	GOBIN=$(BIN) $(GO) install github.com/prometheus/prometheus/cmd/promtool@$(PROMETHEUS_VERSION)
