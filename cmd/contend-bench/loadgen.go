package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/pprof"
	"time"

	"contend/harness"
	"contend/scenarios"
)

// Names of the load generators in the request-generation table.
const (
	toolVegeta        = "vegeta"
	toolHey           = "hey"
	toolWrk           = "wrk"
	toolContendBurst  = "contend (concurrent)"
	toolContendUnpace = "contend (rate, unpaced)"
)

// unpacedRate is the rate of contend's rate-mode row: far above what any tool
// reaches on loopback, so vegeta's constant pacer never waits and the workers (capped
// at the concurrency) set the pace, as with vegeta's -rate=0.
var unpacedRate = scenarios.Rate{Freq: 10_000_000, Per: time.Second}

// calibrationRequests is the size of the untimed contend burst that warms the
// trivial server and sizes contend's concurrent bursts.
const calibrationRequests = 3000

// loadgenResult is the request-generation comparison.
type loadgenResult struct {
	concurrency int
	duration    time.Duration
	rounds      int
	tools       []toolResult // vegeta first
}

// toolResult is one load generator's runs, one per round.
type toolResult struct {
	name    string
	command string
	runs    []toolRun
}

// rps returns the requests per second of every round.
func (t toolResult) rps() []float64 {
	out := make([]float64, len(t.runs))
	for i, r := range t.runs {
		out[i] = r.rps
	}
	return out
}

// failed returns the failed requests over every round.
func (t toolResult) failed() int {
	n := 0
	for _, r := range t.runs {
		n += r.failed
	}
	return n
}

// tool returns the named tool's result, or nil.
func (l loadgenResult) tool(name string) *toolResult {
	for i := range l.tools {
		if l.tools[i].name == name {
			return &l.tools[i]
		}
	}
	return nil
}

// loadgen is one load generator as the rounds call it.
type loadgen struct {
	name    string
	command string
	run     func(ctx context.Context) (toolRun, error)
}

// measureLoadgen starts the trivial server, then runs every load generator once per
// round against it, rotating their order each round so that none always goes first.
func measureLoadgen(ctx context.Context, cfg config, log io.Writer) (loadgenResult, error) {
	res := loadgenResult{concurrency: cfg.concurrency, duration: cfg.duration, rounds: cfg.rounds}
	dir, err := os.MkdirTemp("", "contend-bench-")
	if err != nil {
		return res, fmt.Errorf("temporary directory: %w", err)
	}
	defer os.RemoveAll(dir)
	srv, err := startOKServer(ctx, dir)
	if err != nil {
		return res, err
	}
	defer srv.stop()
	url, c, d := srv.url, cfg.concurrency, cfg.duration

	warm, err := runContend(ctx, url, burstStep(calibrationRequests, c), c)
	if err != nil {
		return res, fmt.Errorf("calibration: %w", err)
	}
	burst := burstSize(warm.rps, d)
	fmt.Fprintf(log, "contend-bench: request generation against %s, c=%d, %s x %d rounds (calibration %.0f req/s)\n",
		url, c, d, cfg.rounds, warm.rps)

	tools := []loadgen{
		{toolVegeta, fmt.Sprintf("vegeta attack -rate=0 -workers=%d -max-workers=%d -duration=%s", c, c, seconds(d)),
			func(ctx context.Context) (toolRun, error) { return runVegeta(ctx, cfg.vegeta, dir, url, c, d) }},
		{toolHey, fmt.Sprintf("hey -c %d -z %s", c, seconds(d)),
			func(ctx context.Context) (toolRun, error) { return runHey(ctx, cfg.hey, dir, url, c, d) }},
		{toolWrk, fmt.Sprintf("wrk -c %d -t 2 -d %s", c, seconds(d)),
			func(ctx context.Context) (toolRun, error) { return runWrk(ctx, cfg.wrk, dir, url, c, d) }},
		{toolContendBurst, fmt.Sprintf("Runner, concurrent step, concurrency %d, ~%s of requests", c, seconds(d)),
			func(ctx context.Context) (toolRun, error) {
				r, err := runContend(ctx, url, burstStep(burst, c), c)
				if err == nil {
					burst = burstSize(r.rps, d) // keep the next round's burst near d
				}
				return r, err
			}},
		{toolContendUnpace, fmt.Sprintf("Runner, rate step at %d/s (never paces), MaxWorkers(%d), %s", unpacedRate.Freq, c, seconds(d)),
			func(ctx context.Context) (toolRun, error) { return runContend(ctx, url, unpacedStep(d), c) }},
	}
	for _, t := range tools {
		res.tools = append(res.tools, toolResult{name: t.name, command: t.command})
	}
	for round := range cfg.rounds {
		for k := range tools {
			i := (k + round) % len(tools)
			run, err := measureTool(ctx, srv, tools[i])
			if err != nil {
				return res, fmt.Errorf("round %d, %s: %w", round+1, tools[i].name, err)
			}
			res.tools[i].runs = append(res.tools[i].runs, run)
			fmt.Fprintf(log, "contend-bench:   round %d/%d %-24s %8.0f req/s (%d requests, %d failed; cpu %.1f us/req, server %.1f us/req, others %.2f cores)\n",
				round+1, cfg.rounds, tools[i].name, run.rps, run.requests, run.failed,
				perRequestUS(run.genCPU, run.requests), perRequestUS(run.srvCPU, run.requests), run.otherCores())
		}
	}
	return res, nil
}

// measureTool runs one load generator once and adds what the trivial server and
// the whole machine spent meanwhile.
func measureTool(ctx context.Context, srv *okServer, t loadgen) (toolRun, error) {
	pid := srv.cmd.Process.Pid
	srvBefore, err := processCPU(pid)
	if err != nil {
		return toolRun{}, err
	}
	busyBefore, err := machineBusy()
	if err != nil {
		return toolRun{}, err
	}
	started := time.Now()
	var run toolRun
	// The label lets a --cpuprofile tell contend's two modes apart (-tagfocus tool=...).
	pprof.Do(ctx, pprof.Labels("tool", t.name), func(ctx context.Context) {
		run, err = t.run(ctx)
	})
	if err != nil {
		return run, err
	}
	run.wall = time.Since(started)
	srvAfter, err := processCPU(pid)
	if err != nil {
		return run, err
	}
	busyAfter, err := machineBusy()
	if err != nil {
		return run, err
	}
	run.srvCPU, run.busy = srvAfter-srvBefore, busyAfter-busyBefore
	return run, nil
}

// perRequestUS is cpu per request in microseconds, 0 without requests.
func perRequestUS(cpu time.Duration, requests int) float64 {
	if requests <= 0 {
		return 0
	}
	return float64(cpu.Microseconds()) / float64(requests)
}

// cpuPerRequest returns the generator's and the server's median CPU per request
// over the rounds, in microseconds.
func (t toolResult) cpuPerRequest() (gen, srv float64) {
	var g, s []float64
	for _, r := range t.runs {
		g = append(g, perRequestUS(r.genCPU, r.requests))
		s = append(s, perRequestUS(r.srvCPU, r.requests))
	}
	return median(g), median(s)
}

// otherCores returns the median CPU, in cores, that other processes used during
// the tool's rounds.
func (t toolResult) otherCores() float64 {
	var o []float64
	for _, r := range t.runs {
		o = append(o, r.otherCores())
	}
	return median(o)
}

// burstSize is the request count that contend, at rps, sends in about d.
func burstSize(rps float64, d time.Duration) int {
	return min(max(int(rps*d.Seconds()), 1000), 5_000_000)
}

// burstStep is a concurrent step of n requests from c workers.
func burstStep(n, c int) scenarios.Step {
	return scenarios.Step{Name: "burst", Mode: scenarios.ModeConcurrent, Requests: n, Concurrency: c}
}

// unpacedStep is a rate step at unpacedRate for d.
func unpacedStep(d time.Duration) scenarios.Step {
	return scenarios.Step{Name: "unpaced", Mode: scenarios.ModeRate, Rate: unpacedRate,
		Duration: scenarios.Duration{Duration: d}}
}

// runContend runs one step with contend's Runner against url (the driver consumes
// the event stream as the CLI does, and drops it) and returns its successful
// requests per second of the step's wall time.
func runContend(ctx context.Context, url string, step scenarios.Step, c int) (toolRun, error) {
	sc := &scenarios.Scenario{
		Name:   "bench-request-generation",
		Target: scenarios.Target{URL: url},
		Request: scenarios.Request{
			Method:  http.MethodGet,
			Path:    "/",
			Timeout: scenarios.Duration{Duration: attackTimeout},
		},
		Steps: []scenarios.Step{step},
	}
	r := harness.New(harness.MaxWorkers(c), harness.ErrorSamples(0))
	cpuBefore := selfCPU()
	var (
		sr     *harness.StepResult
		runErr error
	)
	for ev := range r.Run(ctx, sc) {
		switch ev.Kind {
		case harness.StepDone:
			sr = ev.StepResult
		case harness.RunDone:
			runErr = ev.Err
		}
	}
	if runErr != nil {
		return toolRun{}, fmt.Errorf("contend runner: %w", runErr)
	}
	if sr == nil || sr.Wall <= 0 {
		return toolRun{}, fmt.Errorf("contend runner: the step produced no result")
	}
	run := toolRun{requests: len(sr.Results), genCPU: selfCPU() - cpuBefore}
	ok := 0
	for i := range sr.Results {
		if sr.Results[i].Code == http.StatusOK && sr.Results[i].Error == "" {
			ok++
		}
	}
	run.failed = run.requests - ok
	if ok == 0 {
		return run, fmt.Errorf("contend runner: no successful requests of %d", run.requests)
	}
	run.rps = float64(ok) / sr.Wall.Seconds()
	return run, nil
}
