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

# Debian packages the tests use, pinned to bookworm's versions; scripts/debian-deps.sh
# installs only the missing ones. hey and wrk: contend-bench's tests check its parsers
# against the real tools.
TEST_DEBS := hey=0.1.4-2+b4 wrk=4.1.0-3+b2 \
             python3-fastapi=0.92.0-1 python3-uvicorn=0.17.6-1 python3-numpy=1:1.24.2-1+deb12u1

# Every external program the code and its tests run, for `make check-programs`: those
# make test provisions (TEST_DEBS, TEST_TOOLS; /usr/bin/python3 comes with python3-fastapi),
# and those every new machine has.
TEST_PROGRAMS := hey wrk vegeta /usr/bin/python3
BASE_PROGRAMS := go git dpkg-query

export CONTEND_ORT_LIB := $(ORT_LIB)
export CONTEND_MODELS  := $(MODELS)
export CGO_ENABLED     := 1

GO_SOURCES := $(shell find . -name '*.go' -not -path './.cache/*') go.mod go.sum

.PHONY: build ort models tools test test-deps check-programs vet bench demo soak clean

build: $(CONTEND)

# -buildvcs=auto stamps the commit for `contend version` (some machines set
# GOFLAGS=-buildvcs=false in go env).
$(CONTEND): $(GO_SOURCES)
	go build -buildvcs=auto -o $@ ./cmd/contend

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

# Everything the test suite needs that a new machine lacks.
test-deps: ort models tools
	scripts/debian-deps.sh $(CACHE)/apt.log $(TEST_DEBS)

# Fails when the code runs a program that neither make test provisions nor the base
# image has, or one of them is missing here (internal/checkprograms).
check-programs: test-deps
	PATH=$(CACHE)/bin:$$PATH go run ./internal/checkprograms \
	  --provisioned "$(TEST_PROGRAMS)" --base "$(BASE_PROGRAMS)"

# The README's test command: provisions everything, then vet, race tests and fuzz seed corpora
# (go test runs every Fuzz target's seed corpus as part of the ordinary run).
# The end-to-end tests in cmd/ run last, on their own: they measure speedups of the real
# binary, which other packages' tests would otherwise compete with for the 2 cores;
# -p 1 keeps the two cmd packages from running side by side too.
test: test-deps vet check-programs
	PATH=$(CACHE)/bin:$$PATH go test -race -count=1 -timeout 30m $$(go list ./... | grep -v '/cmd/')
	PATH=$(CACHE)/bin:$$PATH go test -race -count=1 -p 1 -timeout 30m ./cmd/...

# Side-by-side benchmarks (cmd/contend-bench): contend's Runner against vegeta, hey and wrk,
# the target's scaling, overhead and cold start; writes bench/RESULTS.md. hey and wrk come
# with test-deps (TEST_DEBS). BENCH_FLAGS passes more, e.g. BENCH_FLAGS=--large.
bench: test-deps build
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
