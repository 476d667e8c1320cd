package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"contend/harness"
	"contend/models"
	"contend/scenarios"
)

// Bounds of one cold start: generous, as a shared machine's disk may be slow (the
// large models load in a few seconds here).
const (
	coldLimit      = 60 * time.Second
	coldLimitLarge = 5 * time.Minute
)

// coldRow is one model size's cold starts (medians over the repeats).
type coldRow struct {
	size    string
	samples []coldSample
}

// coldSample is one cold start of `contend serve --strategy eager`.
type coldSample struct {
	ready      time.Duration // process start to /readyz 200
	load       time.Duration // contend_model_load_seconds_sum: loading both models, server-side
	rssLoaded  float64       // VmRSS bytes once both models are loaded
	rssPeak    float64       // VmHWM bytes at that moment: the peak resident set of the load
	rssMetrics float64       // process_resident_memory_bytes at the same moment
	rssServed  float64       // VmRSS bytes after one translation in each direction
	firstReq   time.Duration // the first translation's latency (en->hi)
}

// medianOf returns the median of one field over the samples.
func (r coldRow) medianOf(f func(coldSample) float64) float64 {
	xs := make([]float64, len(r.samples))
	for i, s := range r.samples {
		xs[i] = f(s)
	}
	return median(xs)
}

// measureCold cold-starts the target with size's models cfg.coldRepeats times. The
// large models are built first when missing.
func measureCold(ctx context.Context, cfg config, size string, log io.Writer) (coldRow, error) {
	row := coldRow{size: size}
	if _, err := models.ResolveModelsRoot("", size); err != nil {
		if size != "large" {
			return row, fmt.Errorf("%w: run `make models`", err)
		}
		if err := buildLarge(ctx, cfg, log); err != nil {
			return row, err
		}
	}
	limit := coldLimit
	if size == "large" {
		limit = coldLimitLarge
	}
	for i := range cfg.coldRepeats {
		s, err := coldStart(ctx, cfg.contend, size, limit)
		if err != nil {
			return row, err
		}
		fmt.Fprintf(log, "contend-bench: cold start %s %d/%d: ready in %s (load %s), VmRSS %.0f MiB, VmHWM %.0f MiB\n",
			size, i+1, cfg.coldRepeats, s.ready.Round(time.Millisecond), s.load.Round(time.Millisecond),
			s.rssLoaded/(1<<20), s.rssPeak/(1<<20))
		row.samples = append(row.samples, s)
	}
	return row, nil
}

// buildLarge generates the large models where the CLI looks for them.
func buildLarge(ctx context.Context, cfg config, log io.Writer) error {
	root := os.Getenv("CONTEND_MODELS")
	if root == "" {
		root = filepath.Join(cfg.moduleDir, ".cache", "models")
	}
	out := filepath.Join(root, "large")
	fmt.Fprintf(log, "contend-bench: building the large models into %s (1.1 GB, ~6 s)\n", out)
	if _, err := runCommand(ctx, cfg.moduleDir, cfg.contend, "models", "build", "--size", "large", "--out", out); err != nil {
		return fmt.Errorf("build large models: %w", err)
	}
	return nil
}

// coldStart starts `contend serve --strategy eager` with size's models, waits for
// /readyz, reads its memory and load time, sends one translation each way, reads
// its memory again and stops it.
func coldStart(ctx context.Context, bin, size string, limit time.Duration) (coldSample, error) {
	var s coldSample
	dir, err := os.MkdirTemp("", "contend-bench-cold-")
	if err != nil {
		return s, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	started := time.Now()
	srv, err := harness.StartServe(ctx, harness.ServeSpec{Bin: bin, Strategy: scenarios.StrategyEager,
		Builtin: scenarios.Builtin{Size: size, IntraOpThreads: 1}, Args: []string{"--pprof", "off"},
		Dir: dir, Ready: true, Timeout: limit})
	if err != nil {
		return s, fmt.Errorf("%s models: %w", size, err)
	}
	defer srv.Stop()
	s.ready = time.Since(started)
	base, pid := srv.URL, srv.Pid()
	fail := func(err error) (coldSample, error) {
		b, _ := os.ReadFile(filepath.Join(dir, "serve.log"))
		return s, fmt.Errorf("%s models: %w; serve log: %s", size, err, tail(string(b), 800))
	}
	if s.rssLoaded, err = procStatus(pid, "VmRSS"); err != nil {
		return fail(err)
	}
	if s.rssPeak, err = procStatus(pid, "VmHWM"); err != nil {
		return fail(err)
	}
	metrics, code, err := httpGet(ctx, base+"/metrics")
	if err != nil || code != http.StatusOK {
		return fail(fmt.Errorf("GET /metrics: %d %v", code, err))
	}
	loadS, ok := metricValue(metrics, "contend_model_load_seconds_sum")
	if !ok {
		return fail(fmt.Errorf("no contend_model_load_seconds_sum in /metrics"))
	}
	s.load = time.Duration(loadS * float64(time.Second))
	s.rssMetrics, _ = metricValue(metrics, "process_resident_memory_bytes")

	for i, body := range []string{translateBody, reverseBody} {
		t0 := time.Now()
		answer, code, err := httpDo(ctx, http.MethodPost, base+"/translate", body)
		if err != nil || code != http.StatusOK {
			return fail(fmt.Errorf("POST /translate: %d %v: %s", code, err, tail(answer, 200)))
		}
		if i == 0 {
			s.firstReq = time.Since(t0)
		}
	}
	if s.rssServed, err = procStatus(pid, "VmRSS"); err != nil {
		return fail(err)
	}
	return s, nil
}

// reverseBody asks for the hi->en model, so that both models have run once.
const reverseBody = `{"text": "पानी ठंडा है", "source": "hi", "target": "en"}`
