package reports

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// Limits on the chart data kept per step, so report.json stays small.
const (
	MaxTimelinePoints = 500 // OK and failed points of a step's latency timeline, together
	maxFailedPoints   = 50  // of MaxTimelinePoints, at most this many failures
	HistogramBins     = 20  // bins of a step's latency distribution
	MaxErrorSamples   = 5   // distinct error messages kept per step
	// AchievedMinShare: a rate step that sent under this share of its offered rate
	// gets a warning (as wrk2 and Fortio warn).
	AchievedMinShare = 0.9
	// ColdFirstRatio: a sequential step's first request this many times slower
	// than the median of the rest carried a cold start.
	ColdFirstRatio = 3.0
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
	RunnableThreads *float64 `json:"runnable_threads,omitempty"`
	Cores           int      `json:"cores,omitempty"`
	PeakInFlight    int      `json:"peak_in_flight"`
	// OfferedRPS is the rate a rate or ramp step asked for (a ramp's mean rate),
	// AchievedRPS the rate its requests were actually sent at; both absent for
	// other modes. Warnings says when achieved fell under AchievedMinShare of offered.
	OfferedRPS  *float64 `json:"offered_rps,omitempty"`
	AchievedRPS *float64 `json:"achieved_rps,omitempty"`
	// ColdFirstMs is set on a sequential step whose first successful request took
	// more than ColdFirstRatio times the median of the others: it carried a cold
	// start, so the step is no fair base for a speedup.
	ColdFirstMs float64 `json:"cold_first_ms,omitempty"`
	// Warnings are the step's numbers that cannot be taken at face value, in words.
	Warnings  []string  `json:"warnings,omitempty"`
	Levels    []Level   `json:"levels,omitempty"`
	Timeline  Timeline  `json:"timeline"`
	Histogram Histogram `json:"histogram"`
	// HistogramHDR is every successful latency (µs) in hdrhistogram-go's V2
	// compressed base64 encoding (NewLatencyHistogram's geometry), so that saved
	// reports merge exactly; absent when nothing succeeded.
	HistogramHDR string        `json:"histogram_hdr,omitempty"`
	ErrorSamples []ErrorSample `json:"error_samples,omitempty"`
	// Resources holds the target's resource samples and their trends; absent
	// when the target exported none.
	Resources *Resources `json:"resources,omitempty"`
	// Contention is a Go target's top call sites blocked during the step (block
	// and mutex profiles); absent when it serves no /debug/pprof.
	Contention []CallSite `json:"contention,omitempty"`
	Raw        string     `json:"raw,omitempty"`

	// Waterfall is every request from send to end (or, for a large step, the
	// requests in flight over time); absent when the step sent none.
	Waterfall *Waterfall `json:"waterfall,omitempty"`
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
	// HistogramHDR is the level's latency histogram, encoded as a step's is.
	HistogramHDR string `json:"histogram_hdr,omitempty"`
	Raw          string `json:"raw,omitempty"`
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
	a := aggregateOf(si.Aggregate, results)
	st := Step{
		Name:         si.Step.Name,
		Mode:         si.Step.Mode,
		Requests:     a.Requests,
		WallS:        round6(wall.Seconds()),
		OK:           a.OK(),
		Timeouts:     a.Timeouts(),
		Errors:       a.Errors(),
		Cancelled:    a.Cancelled(),
		ErrorsBy:     a.ErrorsBy(),
		LatencyMs:    a.Latency(),
		HistogramHDR: a.HistogramHDR(),
		ServerMs:     a.Server(),
		Cores:        si.Cores,
		PeakInFlight: peakInFlight(results),
		Timeline:     timeline(results),
		Histogram:    histogram(results),
		Waterfall:    buildWaterfall(results, si.Timeout),
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
	st.TargetCPUS, st.CPUUtil = targetCPUUse(cpu, st.WallS)
	_, st.HostCPUUtil = cpuUse(si.HostCPUSeconds, st.WallS)
	st.RunnableThreads = known(si.RunnableThreads)
	for _, li := range si.Levels {
		st.Levels = append(st.Levels, aggregateLevel(li))
	}
	st.Concurrency = stepConcurrency(si.Step, st)
	offeredRate(&st, si.Step, results)
	coldFirst(&st, results)
	return st
}

// offeredRate sets a rate or ramp step's offered and achieved rates, and warns
// when the achieved one fell short. Achieved is the rate between the first and
// the last request's send: n-1 intervals over that span.
func offeredRate(st *Step, step scenarios.Step, results []vegeta.Result) {
	var achieved float64
	if n := len(results); n >= 2 {
		if span := results[n-1].Timestamp.Sub(results[0].Timestamp); span > 0 {
			achieved = float64(n-1) / span.Seconds()
		}
	}
	setRates(st, step, achieved)
}

// setRates sets a rate or ramp step's offered rate (from the step) and its
// achieved one, with the warning when achieved fell short; other modes have none.
func setRates(st *Step, step scenarios.Step, achieved float64) {
	if step.Mode != scenarios.ModeRate && step.Mode != scenarios.ModeRamp {
		return
	}
	var offered float64 // a ramp's mean rate
	if d := step.Duration.Seconds(); d > 0 {
		offered = step.OfferedRequests() / d
	}
	o, a := round4(offered), round4(achieved)
	st.OfferedRPS, st.AchievedRPS = &o, &a
	if offered > 0 && achieved < AchievedMinShare*offered {
		st.Warnings = append(st.Warnings, fmt.Sprintf(
			"sent %s req/s of the %s offered (%.0f%%), with up to %s in flight: the generator or the target "+
				"could not keep the rate, so this step measured a lighter load than it names",
			fmtRPS(achieved), fmtRPS(offered), 100*achieved/offered, plural(st.PeakInFlight, "request", "requests")))
	}
}

// fmtRPS writes a rate in whole requests per second, or 3 significant digits
// under 100.
func fmtRPS(f float64) string {
	if f >= 100 {
		return fmt.Sprintf("%.0f", f)
	}
	return fmt.Sprintf("%.3g", f)
}

// coldFirst marks a sequential step whose first successful request was an
// outlier (a model load riding on it).
func coldFirst(st *Step, results []vegeta.Result) {
	if st.Mode != scenarios.ModeSequential {
		return
	}
	var first float64
	var rest []float64
	seen := false
	for i := range results {
		if Classify(&results[i]) != OK {
			continue
		}
		if ms := millis(results[i].Latency); !seen {
			first, seen = ms, true
		} else {
			rest = append(rest, ms)
		}
	}
	if len(rest) < 2 {
		return
	}
	m := median(rest)
	if m <= 0 || first <= ColdFirstRatio*m {
		return
	}
	st.ColdFirstMs = round3(first)
	st.Warnings = append(st.Warnings, fmt.Sprintf(
		"its first request took %s, %.1fx the %s median of the others: it carried a cold start (add warmup: 1 to this step)",
		fmtMs(first), first/m, fmtMs(m)))
}

func aggregateLevel(li LevelInput) Level {
	results := byStart(li.Results)
	wall := li.Wall
	if wall <= 0 {
		wall = span(results)
	}
	a := aggregateOf(li.Aggregate, results)
	lat := a.Latency()
	l := Level{
		Concurrency:  li.Concurrency,
		Requests:     a.Requests,
		OK:           a.OK(),
		Timeouts:     a.Timeouts(),
		Errors:       a.Errors(),
		Cancelled:    a.Cancelled(),
		WallS:        round6(wall.Seconds()),
		P50:          lat.P50,
		P99:          lat.P99,
		HistogramHDR: a.HistogramHDR(),
		ServerMs:     a.Server(),
		Raw:          li.RawPath,
	}
	if l.WallS > 0 {
		l.ThroughputRPS = round4(float64(l.OK) / l.WallS)
	}
	_, l.CPUUtil = cpuUse(li.TargetCPUSeconds, l.WallS)
	_, l.HostCPUUtil = cpuUse(li.HostCPUSeconds, l.WallS)
	l.RunnableThreads = known(li.RunnableThreads)
	return l
}

// targetCPUUse is cpuUse for the target's own CPU time, where 0 is a measurement
// (the target used less than a clock tick: it was waiting) and only a negative
// value (UnknownCPU) is unknown.
func targetCPUUse(cpuS, wallS float64) (*float64, *float64) {
	if cpuS == 0 && wallS > 0 {
		zero, idle := 0.0, 0.0
		return &zero, &idle
	}
	return cpuUse(cpuS, wallS)
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

// errorSamples groups failures by class and normalised message (errorText),
// most frequent first. Every failure is counted: past MaxErrorSamples messages,
// the rest are summed under one "(N other messages)" sample.
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
	for i, k := range order {
		if i == MaxErrorSamples && len(order) > MaxErrorSamples+1 {
			rest := 0
			for _, k := range order[i:] {
				rest += counts[k]
			}
			out = append(out, ErrorSample{Class: "mixed", Count: rest,
				Error: fmt.Sprintf("(%d other messages)", len(order)-i)})
			break
		}
		out = append(out, ErrorSample{Class: k.class, Count: counts[k], Error: k.msg})
	}
	return out
}

// clientAddr matches the local end of a connection in a network error
// ("127.0.0.1:53122->127.0.0.1:8080"): its port differs on every connection.
var clientAddr = regexp.MustCompile(`(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):\d+->`)

// errorText is a failure's message without vegeta's `METHOD "url": ` prefix and
// the client's port, with
// the start of the response body for HTTP errors (the target's error code).
func errorText(r *vegeta.Result) string {
	msg := clientAddr.ReplaceAllString(ErrorMessage(r.Error), "$1:*->")
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
