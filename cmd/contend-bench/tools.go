package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// toolRun is what one attack by one load generator achieved.
type toolRun struct {
	rps      float64       // successful requests per second
	requests int           // requests completed (0 when the tool does not say)
	failed   int           // requests that did not answer 200
	genCPU   time.Duration // CPU time the load generator used (its attack only)
	srvCPU   time.Duration // CPU time the trivial server used meanwhile
	auxCPU   time.Duration // CPU time of the tool's other processes (vegeta report)
	wall     time.Duration // the whole call, auxiliary processes included
	busy     time.Duration // CPU time the whole machine was busy meanwhile
}

// otherCores is the CPU that neither the tool nor the trivial server used during
// the run, in cores: other processes on the machine, the noise behind the numbers.
func (r toolRun) otherCores() float64 {
	if r.wall <= 0 {
		return 0
	}
	other := r.busy - r.genCPU - r.srvCPU - r.auxCPU
	return max(other.Seconds(), 0) / r.wall.Seconds()
}

// attackTimeout is the per-request timeout given to every tool; the trivial server
// answers in microseconds, so it only bounds a stuck run.
const attackTimeout = 10 * time.Second

// seconds formats d as whole seconds ("3s"), the form hey, wrk and vegeta all read.
func seconds(d time.Duration) string {
	return strconv.Itoa(int(d/time.Second)) + "s"
}

// runVegeta attacks url with the vegeta CLI at rate 0 (as fast as its c workers
// go) for d, saving results in dir, then reads them back with `vegeta report`.
func runVegeta(ctx context.Context, bin, dir, url string, c int, d time.Duration) (toolRun, error) {
	targets := filepath.Join(dir, "vegeta.targets")
	if err := os.WriteFile(targets, []byte("GET "+url+"\n"), 0o644); err != nil {
		return toolRun{}, fmt.Errorf("vegeta targets: %w", err)
	}
	out := filepath.Join(dir, "vegeta.bin")
	defer os.Remove(out)
	workers := strconv.Itoa(c)
	_, cpu, err := runTimed(ctx, dir, bin, "attack", "-rate=0", "-workers="+workers, "-max-workers="+workers,
		"-duration="+seconds(d), "-timeout="+seconds(attackTimeout), "-targets="+targets, "-output="+out)
	if err != nil {
		return toolRun{}, err
	}
	rep, repCPU, err := runTimed(ctx, dir, bin, "report", "-type=json", out)
	if err != nil {
		return toolRun{}, err
	}
	run, err := parseVegetaReport(rep)
	run.genCPU, run.auxCPU = cpu, repCPU
	return run, err
}

// vegetaReport is the part of `vegeta report -type=json` the driver reads.
type vegetaReport struct {
	Requests    int            `json:"requests"`
	Throughput  float64        `json:"throughput"`
	StatusCodes map[string]int `json:"status_codes"`
}

// parseVegetaReport reads vegeta's JSON report: throughput is successful requests
// per second of attack plus wait time.
func parseVegetaReport(s string) (toolRun, error) {
	var rep vegetaReport
	if err := json.Unmarshal([]byte(s), &rep); err != nil {
		return toolRun{}, fmt.Errorf("vegeta report: %w", err)
	}
	if rep.Requests == 0 || rep.Throughput <= 0 {
		return toolRun{}, fmt.Errorf("vegeta report: no successful requests (%d sent)", rep.Requests)
	}
	return toolRun{rps: rep.Throughput, requests: rep.Requests, failed: rep.Requests - rep.StatusCodes["200"]}, nil
}

// runHey attacks url with hey: c workers for d.
func runHey(ctx context.Context, bin, dir, url string, c int, d time.Duration) (toolRun, error) {
	out, cpu, err := runTimed(ctx, dir, bin, "-c", strconv.Itoa(c), "-z", seconds(d),
		"-t", strconv.Itoa(int(attackTimeout/time.Second)), url)
	if err != nil {
		return toolRun{}, err
	}
	run, err := parseHey(out)
	run.genCPU = cpu
	return run, err
}

var (
	reqPerSec  = regexp.MustCompile(`(?m)^\s*Requests/sec:\s+([0-9.]+)`)
	heyStatus  = regexp.MustCompile(`(?m)^\s*\[(\d{3})\]\s+(\d+) responses`)
	heyErrLine = regexp.MustCompile(`(?m)^\s*\[(\d+)\]\t`)
)

// parseHey reads hey's summary: Requests/sec (every response over the total time)
// and its status code and error distributions.
func parseHey(s string) (toolRun, error) {
	rps, err := requestsPerSec("hey", s)
	if err != nil {
		return toolRun{}, err
	}
	run := toolRun{rps: rps}
	ok := 0
	for _, m := range heyStatus.FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[2])
		run.requests += n
		if m[1] == "200" {
			ok += n
		}
	}
	run.failed = run.requests - ok
	if i := strings.Index(s, "Error distribution:"); i >= 0 {
		for _, m := range heyErrLine.FindAllStringSubmatch(s[i:], -1) {
			n, _ := strconv.Atoi(m[1])
			run.failed += n
			run.requests += n
		}
	}
	if ok == 0 {
		return toolRun{}, fmt.Errorf("hey: no 200 responses in its summary: %s", tail(s, 400))
	}
	return run, nil
}

// runWrk attacks url with wrk: c connections on 2 threads for d.
func runWrk(ctx context.Context, bin, dir, url string, c int, d time.Duration) (toolRun, error) {
	out, cpu, err := runTimed(ctx, dir, bin, "-c", strconv.Itoa(c), "-t", "2", "-d", seconds(d),
		"--timeout", seconds(attackTimeout), url)
	if err != nil {
		return toolRun{}, err
	}
	run, err := parseWrk(out)
	run.genCPU = cpu
	return run, err
}

var (
	wrkTotal  = regexp.MustCompile(`(?m)^\s*(\d+) requests in `)
	wrkNon2xx = regexp.MustCompile(`(?m)^\s*Non-2xx or 3xx responses:\s+(\d+)`)
	wrkSocket = regexp.MustCompile(`(?m)^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

// parseWrk reads wrk's summary: Requests/sec (completed requests over the run),
// the request count, non-2xx responses and socket errors.
func parseWrk(s string) (toolRun, error) {
	rps, err := requestsPerSec("wrk", s)
	if err != nil {
		return toolRun{}, err
	}
	run := toolRun{rps: rps}
	if m := wrkTotal.FindStringSubmatch(s); m != nil {
		run.requests, _ = strconv.Atoi(m[1])
	}
	if m := wrkNon2xx.FindStringSubmatch(s); m != nil {
		run.failed, _ = strconv.Atoi(m[1])
	}
	if m := wrkSocket.FindStringSubmatch(s); m != nil {
		for _, f := range m[1:] {
			n, _ := strconv.Atoi(f)
			run.failed += n
		}
	}
	return run, nil
}

// requestsPerSec finds the "Requests/sec:" line hey and wrk both print.
func requestsPerSec(tool, s string) (float64, error) {
	m := reqPerSec.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%s: no Requests/sec in its output: %s", tool, tail(s, 400))
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%s: bad Requests/sec %q", tool, m[1])
	}
	return v, nil
}
