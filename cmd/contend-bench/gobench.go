package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
)

// The target package's benchmarks and how long each runs: BenchmarkTranslate for a
// fixed time (each iteration is two translations, ~0.3 s on base models), and
// BenchmarkConcurrency for a fixed count (each iteration is eight requests per
// strategy, up to ~1.5 s under naive).
const (
	benchTranslate       = "BenchmarkTranslate"
	benchConcurrency     = "BenchmarkConcurrency"
	translateBenchtime   = "3s"
	concurrencyBenchtime = "3x"
)

// goBenchResult is what the target package's benchmarks reported.
type goBenchResult struct {
	translate   benchLine   // overhead-ratio, direct-ns/op, http-ns/op
	concurrency []benchLine // one per strategy: wall-ratio
	models      string      // the model size the benchmarks found ("base" or "tiny")
	commands    []string
}

// benchLine is one result line of `go test -bench`.
type benchLine struct {
	name    string // without the -GOMAXPROCS suffix
	sub     string // the sub-benchmark ("double-checked"), "" for none
	iters   int
	metrics map[string]float64 // by unit: "ns/op", "overhead-ratio", ...
}

// measureGoBench runs the target package's two benchmarks, one after the other.
func measureGoBench(ctx context.Context, cfg config, log io.Writer) (goBenchResult, error) {
	var res goBenchResult
	goBin, err := goTool()
	if err != nil {
		return res, err
	}
	for _, b := range []struct{ name, benchtime string }{
		{benchTranslate, translateBenchtime},
		{benchConcurrency, concurrencyBenchtime},
	} {
		args := []string{"test", "-run", "^$", "-bench", "^" + b.name + "$", "-benchtime", b.benchtime, "-count", "1", "./target/"}
		cmdline := "go " + strings.Join(args, " ")
		fmt.Fprintf(log, "contend-bench: %s\n", cmdline)
		out, err := runCommand(ctx, cfg.moduleDir, goBin, args...)
		if err != nil {
			return res, fmt.Errorf("%w\n%s", err, tail(out, 1500))
		}
		res.commands = append(res.commands, cmdline)
		lines := parseBenchOutput(out)
		if len(lines) == 0 {
			return res, fmt.Errorf("%s printed no results: %s", b.name, tail(out, 800))
		}
		if size := modelsUsed(out); size != "" && res.models == "" {
			res.models = size
		}
		for _, l := range lines {
			switch {
			case l.name == benchTranslate:
				res.translate = l
			case l.name == benchConcurrency && l.sub != "":
				res.concurrency = append(res.concurrency, l)
			}
		}
	}
	if _, ok := res.translate.metrics["overhead-ratio"]; !ok {
		return res, fmt.Errorf("%s reported no overhead-ratio", benchTranslate)
	}
	if len(res.concurrency) == 0 {
		return res, fmt.Errorf("%s reported no strategies", benchConcurrency)
	}
	if res.models != "base" {
		return res, fmt.Errorf("the target benchmarks ran on %q models, not base: run `make models`", res.models)
	}
	return res, nil
}

// goTool returns the go command: from PATH, else the toolchain that built the driver.
func goTool() (string, error) {
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	p := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := exec.LookPath(p); err != nil {
		return "", fmt.Errorf("go command not found in PATH or %s", p)
	}
	return p, nil
}

var (
	benchProcs  = regexp.MustCompile(`-\d+$`)
	modelsFound = regexp.MustCompile(`(?m)\b(tiny|base|large) models from `)
)

// parseBenchOutput returns the result lines of `go test -bench` output:
//
//	BenchmarkConcurrency/naive-2   3   1520098392 ns/op   0.9835 wall-ratio
func parseBenchOutput(out string) []benchLine {
	var lines []benchLine
	for _, raw := range strings.Split(out, "\n") {
		f := strings.Fields(raw)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		iters, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		l := benchLine{name: benchProcs.ReplaceAllString(f[0], ""), iters: iters, metrics: map[string]float64{}}
		if i := strings.IndexByte(l.name, '/'); i >= 0 {
			l.name, l.sub = l.name[:i], l.name[i+1:]
		}
		ok := true
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				ok = false
				break
			}
			l.metrics[f[i+1]] = v
		}
		if ok {
			lines = append(lines, l)
		}
	}
	return lines
}

// modelsUsed returns the model size the target benchmarks logged ("base models
// from ..."), "" when they logged none.
func modelsUsed(out string) string {
	if m := modelsFound.FindStringSubmatch(out); m != nil {
		return m[1]
	}
	return ""
}
