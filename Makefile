# contend: build, provision and test. Every version is pinned here.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := build

CACHE        := $(CURDIR)/.cache
BIN          := $(CURDIR)/bin
CONTEND      := $(BIN)/contend

# ONNX Runtime, from the npm package onnxruntime-node (fetched with npm pack, no scripts run).
ORT_NPM_VERSION := 1.30.0
ORT_TGZ_SHA256  := 6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75
ORT_LIB_SHA256  := ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
ORT_LIB         := $(CACHE)/onnxruntime/$(ORT_NPM_VERSION)/libonnxruntime.so.1

# The vegeta CLI at the same version as the library, for `vegeta report` on saved results.
VEGETA_VERSION := v12.13.0
VEGETA         := $(CACHE)/bin/vegeta

MODELS := $(CACHE)/models

export CONTEND_ORT_LIB := $(ORT_LIB)
export CONTEND_MODELS  := $(MODELS)
export CGO_ENABLED     := 1

GO_SOURCES := $(shell find . -name '*.go' -not -path './.cache/*') go.mod go.sum

.PHONY: build ort models tools python-deps test vet bench demo soak clean

build: $(CONTEND)

$(CONTEND): $(GO_SOURCES)
	go build -o $@ ./cmd/contend

ort: $(ORT_LIB)

$(ORT_LIB): scripts/provision-ort.sh
	ORT_NPM_VERSION=$(ORT_NPM_VERSION) ORT_TGZ_SHA256=$(ORT_TGZ_SHA256) \
	ORT_LIB_SHA256=$(ORT_LIB_SHA256) scripts/provision-ort.sh $@

# Generated lexicon models; the generator is deterministic, so these are rebuilt, never committed.
models: $(MODELS)/tiny/.built $(MODELS)/base/.built

$(MODELS)/%/.built: $(CONTEND) models/lexicon/data/eng-hin.tsv
	$(CONTEND) models build --size $* --out $(MODELS)/$*
	touch $@

tools: $(VEGETA)

$(VEGETA):
	GOBIN=$(CACHE)/bin go install github.com/tsenart/vegeta/v12@$(VEGETA_VERSION)

vet:
	go vet ./...

# Debian's FastAPI, uvicorn and numpy for examples/seed-service (the probe's end-to-end
# test runs it with /usr/bin/python3), installed only when /usr/bin/python3 cannot import them.
PYTHON_DEBS := python3-fastapi python3-uvicorn python3-numpy

python-deps:
	@/usr/bin/python3 -c 'import fastapi, uvicorn, numpy' 2>/dev/null || { \
	  echo "python-deps: installing $(PYTHON_DEBS) for examples/seed-service"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && $$sudo apt-get install -y -qq $(PYTHON_DEBS) >/dev/null; }

# The README's test command: provisions everything, then vet, race tests and fuzz seed corpora
# (go test runs every Fuzz target's seed corpus as part of the ordinary run).
# The end-to-end tests in cmd/ run last, on their own: they measure speedups of the real
# binary, which other packages' tests would otherwise compete with for the 2 cores;
# -p 1 keeps the two cmd packages from running side by side too.
test: ort models tools vet
	PATH=$(CACHE)/bin:$$PATH go test -race -count=1 -timeout 30m $$(go list ./... | grep -v '/cmd/')
	PATH=$(CACHE)/bin:$$PATH go test -race -count=1 -p 1 -timeout 30m ./cmd/...

# Side-by-side benchmarks (cmd/contend-bench): contend's Runner against vegeta, hey and wrk,
# the target's scaling, overhead and cold start; writes bench/RESULTS.md. hey and wrk are
# Debian packages, installed when missing. BENCH_FLAGS passes more, e.g. BENCH_FLAGS=--large.
bench: ort models tools build
	command -v hey >/dev/null && command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update && $$sudo apt-get install -y hey wrk; }
	go build -o $(BIN)/contend-bench ./cmd/contend-bench
	PATH=$(CACHE)/bin:$$PATH $(BIN)/contend-bench --contend $(CONTEND) --out bench/RESULTS.md $(BENCH_FLAGS)

demo: build ort models
	$(CONTEND) demo

# Ten minutes at about 70% of double-checked's capacity: no errors, and the target's
# memory, goroutines and open files flat. The report (with every resource sample)
# goes to out/soak/. `make test` runs the one-minute scenarios/soak-ci.yaml.
soak: build ort models
	$(CONTEND) check scenarios/soak.yaml --no-tui --out out/soak

clean:
	rm -rf $(BIN) $(CACHE)/models
