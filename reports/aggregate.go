package reports

import (
	"math"
	"sort"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// Limits on the chart data kept per step, so report.json stays small.
const (
	MaxTimelinePoints = 500 // OK and failed points of a step's latency timeline, together
	maxFailedPoints   = 50  // of MaxTimelinePoints, at most this many failures
	HistogramBins     = 20  // bins of a step's latency distribution
	MaxErrorSamples   = 5   // distinct error messages kept per step
)

// Step is one step's aggregate. Latency percentiles are over the successful
// requests only (LatencyMs.N of them); timeouts and errors are counted apart.
type Step struct {
	Name string `json:"name"`
	Mode string `json:"mode"`
	// Concurrency is the step's concurrency: 1 for sequential, the configured
	// concurrency for concurrent, the highest level for sweep, and the peak number
	// of requests in flight for rate and ramp steps.
	Concurrency int     `json:"concurrency"`
	Requests    int     `json:"requests"`
	WallS       float64 `json:"wall_s"`
	OK          int     `json:"ok"`
	Timeouts    int     `json:"timeouts"`
	// TimeoutMs is the client timeout the requests ran with; absent when it is
	// not known (a step whose relative timeout could not be measured).
	TimeoutMs float64 `json:"timeout_ms,omitempty"`
	Errors    int     `json:"errors"` // every failure that is not a timeout
	// Cancelled requests were in flight when the run was stopped (Ctrl-C); they
	// are neither successes nor failures.
	Cancelled int         `json:"cancelled,omitempty"`
	ErrorsBy  ErrorCounts `json:"errors_by_class"`
	// ThroughputRPS is successful requests per second of wall time.
	ThroughputRPS float64   `json:"throughput_rps"`
	LatencyMs     Latency   `json:"latency_ms"`
	ServerMs      *ServerMs `json:"server_ms,omitempty"`
	// TargetCPUS is the CPU time the target used during the step; CPUUtil is that
	// divided by the wall time, in cores (2.0: two cores fully busy). Both are
	// absent when the target's CPU was not measured.
	TargetCPUS *float64 `json:"target_cpu_s,omitempty"`
	CPUUtil    *float64 `json:"cpu_util,omitempty"`
	// HostCPUUtil is the machine's busy cores over the step (everyone's, the
	// target's included); absent when unknown.
	HostCPUUtil *float64 `json:"host_cpu_util,omitempty"`
	// RunnableThreads is the lower quartile of the target's threads running or waiting for a
	// CPU (an external target on this machine, from /proc); absent when unknown.
	RunnableThreads *float64      `json:"runnable_threads,omitempty"`
	Cores           int           `json:"cores,omitempty"`
	PeakInFlight    int           `json:"peak_in_flight"`
	Levels          []Level       `json:"levels,omitempty"`
	Timeline        Timeline      `json:"timeline"`
	Histogram       Histogram     `json:"histogram"`
	ErrorSamples    []ErrorSample `json:"error_samples,omitempty"`
	// Resources holds the target's resource samples and their trends; absent
	// when the target exported none.
	Resources *Resources `json:"resources,omitempty"`
	// Contention is a Go target's top call sites blocked during the step (block
	// and mutex profiles); absent when it serves no /debug/pprof.
	Contention []CallSite `json:"contention,omitempty"`
	Raw        string     `json:"raw,omitempty"`
}

// Failed returns the number of requests that did not succeed.
func (s *Step) Failed() int { return s.Timeouts + s.Errors }

// ErrorCounts counts the failures that are not timeouts, by class.
type ErrorCounts struct {
	Refused   int `json:"refused"`
	Client4xx int `json:"4xx"`
	Server5xx int `json:"5xx"`
	Other     int `json:"other"`
}

// Latency holds latency statistics in milliseconds over N successful requests.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
	N    int     `json:"n"`
}

// ServerMs holds the means of the target's Server-Timing metrics, in
// milliseconds, over the N successful requests that carried the header.
type ServerMs struct {
	Wait  float64 `json:"wait"`
	Load  float64 `json:"load"`
	Infer float64 `json:"infer"`
	N     int     `json:"n"`
}

// Level is one concurrency level of a sweep step. P50 and P99 are milliseconds
// over its successful requests.
type Level struct {
	Concurrency     int       `json:"concurrency"`
	Requests        int       `json:"requests"`
	OK              int       `json:"ok"`
	Timeouts        int       `json:"timeouts"`
	Errors          int       `json:"errors"`
	Cancelled       int       `json:"cancelled,omitempty"`
	WallS           float64   `json:"wall_s"`
	ThroughputRPS   float64   `json:"throughput_rps"`
	P50             float64   `json:"p50"`
	P99             float64   `json:"p99"`
	CPUUtil         *float64  `json:"cpu_util,omitempty"`
	HostCPUUtil     *float64  `json:"host_cpu_util,omitempty"`
	RunnableThreads *float64  `json:"runnable_threads,omitempty"`
	ServerMs        *ServerMs `json:"server_ms,omitempty"`
	Raw             string    `json:"raw,omitempty"`
}

// Timeline is a step's latency over time, downsampled (largest triangle three
// buckets) to at most MaxTimelinePoints points. T is seconds from the step's
// first request to a request's start.
type Timeline struct {
	OK     []Point       `json:"ok"`
	Failed []FailedPoint `json:"failed,omitempty"`
}

// Point is one successful request on a timeline.
type Point struct {
	T  float64 `json:"t"`
	Ms float64 `json:"ms"`
}

// FailedPoint is one failed request on a timeline; Outcome is its class.
type FailedPoint struct {
	T       float64 `json:"t"`
	Ms      float64 `json:"ms"`
	Outcome string  `json:"outcome"`
}

// Histogram is the distribution of a step's successful latencies in equal-width
// bins; failures are counted apart.
type Histogram struct {
	Bins     []Bin `json:"bins"`
	Timeouts int   `json:"timeouts"`
	Errors   int   `json:"errors"`
}

// Bin is one histogram bin: N successful requests took [LoMs, HiMs).
type Bin struct {
	LoMs float64 `json:"lo_ms"`
	HiMs float64 `json:"hi_ms"`
	N    int     `json:"n"`
}

// ErrorSample is one distinct failure message and how often it occurred.
type ErrorSample struct {
	Class string `json:"class"`
	Count int    `json:"count"`
	Error string `json:"error"`
}

// tally is the counting shared by steps and levels.
type tally struct {
	requests, ok, timeouts, errors int
	cancelled                      int
	by                             ErrorCounts
	latency                        Latency
	server                         *ServerMs
}

func count(results []vegeta.Result) tally {
	var t tally
	t.requests = len(results)
	hist := hdrhistogram.New(1, int64(time.Hour/time.Microsecond), 3)
	var sum, maxMs float64
	var st ServerMs
	for i := range results {
		r := &results[i]
		switch Classify(r) {
		case OK:
			t.ok++
			us := r.Latency.Microseconds()
			_ = hist.RecordValue(min(max(us, 1), hist.HighestTrackableValue()))
			ms := millis(r.Latency)
			sum += ms
			maxMs = max(maxMs, ms)
			if timing := ParseServerTiming(r.Headers.Values("Server-Timing")); timing.Have {
				st.Wait += timing.WaitMs
				st.Load += timing.LoadMs
				st.Infer += timing.InferMs
				st.N++
			}
		case Timeout:
			t.timeouts++
		case Cancelled:
			t.cancelled++
		case Refused:
			t.errors++
			t.by.Refused++
		case Client4xx:
			t.errors++
			t.by.Client4xx++
		case Server5xx:
			t.errors++
			t.by.Server5xx++
		default:
			t.errors++
			t.by.Other++
		}
	}
	if t.ok > 0 {
		// HdrHistogram answers with the top of a value's bucket (within 0.1%):
		// never report a percentile above the slowest request actually seen.
		q := func(p float64) float64 { return math.Min(float64(hist.ValueAtQuantile(p))/1000, maxMs) }
		t.latency = Latency{P50: q(50), P90: q(90), P99: q(99), Max: maxMs, Mean: round3(sum / float64(t.ok)), N: t.ok}
	}
	if st.N > 0 {
		n := float64(st.N)
		t.server = &ServerMs{Wait: round3(st.Wait / n), Load: round3(st.Load / n), Infer: round3(st.Infer / n), N: st.N}
	}
	return t
}

func aggregateStep(si StepInput, host Host, builtin bool) Step {
	results := si.Results
	if len(results) == 0 {
		for _, l := range si.Levels {
			results = append(results, l.Results...)
		}
	}
	results = byStart(results)
	wall := si.Wall
	if wall <= 0 {
		for _, l := range si.Levels {
			wall += l.Wall
		}
	}
	if wall <= 0 {
		wall = span(results)
	}
	t := count(results)
	st := Step{
		Name:         si.Step.Name,
		Mode:         si.Step.Mode,
		Requests:     t.requests,
		WallS:        round6(wall.Seconds()),
		OK:           t.ok,
		Timeouts:     t.timeouts,
		Errors:       t.errors,
		Cancelled:    t.cancelled,
		ErrorsBy:     t.by,
		LatencyMs:    t.latency,
		ServerMs:     t.server,
		Cores:        si.Cores,
		PeakInFlight: peakInFlight(results),
		Timeline:     timeline(results),
		Histogram:    histogram(results),
		ErrorSamples: errorSamples(results),
		Resources:    buildResources(si.Resources),
		Contention:   si.Contention,
		Raw:          si.RawPath,
		TimeoutMs:    round3(millis(si.Timeout)),
	}
	if st.Cores <= 0 && builtin {
		st.Cores = host.CPUs
	}
	if st.WallS > 0 {
		st.ThroughputRPS = round4(float64(st.OK) / st.WallS)
	}
	cpu := si.TargetCPUSeconds
	if cpu <= 0 && len(si.Levels) > 0 {
		cpu = 0
		for _, l := range si.Levels {
			if l.TargetCPUSeconds <= 0 {
				cpu = UnknownCPU
				break
			}
			cpu += l.TargetCPUSeconds
		}
	}
	st.TargetCPUS, st.CPUUtil = cpuUse(cpu, st.WallS)
	_, st.HostCPUUtil = cpuUse(si.HostCPUSeconds, st.WallS)
	st.RunnableThreads = known(si.RunnableThreads)
	for _, li := range si.Levels {
		st.Levels = append(st.Levels, aggregateLevel(li))
	}
	st.Concurrency = stepConcurrency(si.Step, st)
	return st
}

func aggregateLevel(li LevelInput) Level {
	results := byStart(li.Results)
	wall := li.Wall
	if wall <= 0 {
		wall = span(results)
	}
	t := count(results)
	l := Level{
		Concurrency: li.Concurrency,
		Requests:    t.requests,
		OK:          t.ok,
		Timeouts:    t.timeouts,
		Errors:      t.errors,
		Cancelled:   t.cancelled,
		WallS:       round6(wall.Seconds()),
		P50:         t.latency.P50,
		P99:         t.latency.P99,
		ServerMs:    t.server,
		Raw:         li.RawPath,
	}
	if l.WallS > 0 {
		l.ThroughputRPS = round4(float64(l.OK) / l.WallS)
	}
	_, l.CPUUtil = cpuUse(li.TargetCPUSeconds, l.WallS)
	_, l.HostCPUUtil = cpuUse(li.HostCPUSeconds, l.WallS)
	l.RunnableThreads = known(li.RunnableThreads)
	return l
}

// cpuUse turns CPU seconds over a wall time into (seconds, cores busy); both nil
// when the CPU time is unknown (zero or negative).
func cpuUse(cpuS, wallS float64) (*float64, *float64) {
	if cpuS <= 0 || wallS <= 0 {
		return nil, nil
	}
	s, u := round3(cpuS), round3(cpuS/wallS)
	return &s, &u
}

// known returns v rounded, or nil when it is unknown (zero or negative).
func known(v float64) *float64 {
	if v <= 0 {
		return nil
	}
	r := round3(v)
	return &r
}

func stepConcurrency(step scenarios.Step, st Step) int {
	switch step.Mode {
	case scenarios.ModeSequential:
		return 1
	case scenarios.ModeConcurrent:
		if step.Concurrency > 0 {
			return step.Concurrency
		}
		if step.Requests > 0 {
			return step.Requests
		}
	case scenarios.ModeSweep:
		top := 0
		for _, l := range step.Levels {
			top = max(top, l)
		}
		for _, l := range st.Levels {
			top = max(top, l.Concurrency)
		}
		if top > 0 {
			return top
		}
	}
	return st.PeakInFlight
}

// byStart returns the results ordered by start time (a sorted copy when they were
// not already in order).
func byStart(results []vegeta.Result) []vegeta.Result {
	if sort.SliceIsSorted(results, func(i, j int) bool { return results[i].Timestamp.Before(results[j].Timestamp) }) {
		return results
	}
	out := append([]vegeta.Result(nil), results...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

// span is the time from the first request's start to the last response.
func span(results []vegeta.Result) time.Duration {
	if len(results) == 0 {
		return 0
	}
	first, last := results[0].Timestamp, results[0].End()
	for i := range results {
		if results[i].Timestamp.Before(first) {
			first = results[i].Timestamp
		}
		if e := results[i].End(); e.After(last) {
			last = e
		}
	}
	return last.Sub(first)
}

// peakInFlight is the largest number of requests that were outstanding at once.
func peakInFlight(results []vegeta.Result) int {
	type edge struct {
		at    time.Time
		delta int
	}
	edges := make([]edge, 0, 2*len(results))
	for i := range results {
		edges = append(edges, edge{results[i].Timestamp, +1}, edge{results[i].End(), -1})
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].at.Equal(edges[j].at) {
			return edges[i].delta < edges[j].delta // a request that ends frees its slot first
		}
		return edges[i].at.Before(edges[j].at)
	})
	cur, peak := 0, 0
	for _, e := range edges {
		cur += e.delta
		peak = max(peak, cur)
	}
	return peak
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// round3 and round4 keep 3 and 4 decimals: report.json carries no false precision.
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

func round4(f float64) float64 { return math.Round(f*10000) / 10000 }

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// errorSamples groups failures by class and message (the request's method and
// URL prefix removed), most frequent first.
func errorSamples(results []vegeta.Result) []ErrorSample {
	type key struct{ class, msg string }
	counts := map[key]int{}
	var order []key
	for i := range results {
		r := &results[i]
		o := Classify(r)
		if o == OK || o == Cancelled {
			continue
		}
		k := key{o.String(), errorText(r)}
		if counts[k] == 0 {
			order = append(order, k)
		}
		counts[k]++
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	var out []ErrorSample
	for _, k := range order {
		if len(out) == MaxErrorSamples {
			break
		}
		out = append(out, ErrorSample{Class: k.class, Count: counts[k], Error: k.msg})
	}
	return out
}

// errorText is a failure's message without vegeta's `METHOD "url": ` prefix, with
// the start of the response body for HTTP errors (the target's error code).
func errorText(r *vegeta.Result) string {
	msg := r.Error
	if i := strings.Index(msg, `": `); i > 0 && strings.Contains(msg[:i], ` "`) {
		msg = msg[i+3:]
	}
	if r.Code >= 400 && len(r.Body) > 0 {
		body := strings.Join(strings.Fields(string(r.Body)), " ")
		if r := []rune(body); len(r) > 120 {
			body = string(r[:120]) + "…"
		}
		msg = strings.TrimSpace(msg + " " + body)
	}
	if msg == "" {
		msg = "(no message)"
	}
	return msg
}
