package harness

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

// StepResult is everything one step produced against one target.
//
// Results hold one vegeta.Result per completed request, sorted by sequence number,
// with Body dropped and Headers cut down to Server-Timing (the raw file keeps every
// header). For a sweep, Results is every level's results in level order and Levels
// holds them per level.
type StepResult struct {
	Step    scenarios.Step
	Started time.Time     // when the first timed request was released
	Wall    time.Duration // from the first release to the last response (sweep: sum of levels)
	Results []vegeta.Result
	Levels  []LevelResult // sweep steps only
	// Timeout is the client timeout the step's requests ran with, a relative
	// one ("7x sequential") resolved.
	Timeout time.Duration
	// RawPath is the saved vegeta gob file ("" without OutDir, and for sweep steps,
	// whose files are per level).
	RawPath string
	// TargetCPUSeconds is the CPU time the target used during the step, from
	// process_cpu_seconds_total on its /metrics; -1 when unknown.
	TargetCPUSeconds float64
	// Cores is the number of CPUs of the machine the target runs on (this machine
	// for the built-in target and loopback URLs), 0 when unknown.
	Cores int
	// ErrorSamples holds the first few failed responses with their body.
	ErrorSamples []ErrorSample
	// Resources are the target's memory, goroutines and open file descriptors,
	// sampled from its /metrics every few seconds during the step (see SampleEvery);
	// empty when the target has no /metrics.
	Resources []ResourceSample
	// HostCPUSeconds is the CPU time every core of this machine spent busy during
	// the step, the target's and everyone else's; -1 when unknown.
	HostCPUSeconds float64
	// RunnableThreads is the lower quartile of the number of the target's threads running or
	// waiting for a CPU, counted every RunnableEvery from /proc while the step
	// ran (an external target on this machine only); -1 when unknown.
	RunnableThreads float64
	// Contention is a Go target's top blocking call sites over the step, from
	// the delta of its block and mutex profiles; empty when it serves neither.
	Contention []reports.CallSite
	// Err is why the step ended early (context.Canceled, the target dying, a failed
	// save), nil when it ran to completion. Failed requests are not errors.
	Err error
}

// LevelResult is one concurrency level of a sweep step.
type LevelResult struct {
	Concurrency      int
	Wall             time.Duration
	Results          []vegeta.Result
	TargetCPUSeconds float64 // -1 when unknown
	HostCPUSeconds   float64 // this machine's busy CPU time, -1 when unknown
	RunnableThreads  float64 // the lower quartile of the target's runnable threads, -1 when unknown
	RawPath          string
}

// TargetResult is one run of the scenario's steps against one target: a built-in
// strategy or an external URL.
type TargetResult struct {
	Run      string // the run label: the strategy, or the URL (redacted, as URL)
	Strategy string // "" for an external URL
	URL      string // the base URL the requests went to, its userinfo redacted (scenarios.RedactURL)
	Steps    []StepResult
	// LogPath is the built-in target's combined stdout and stderr ("" for a URL,
	// and when a temporary log was removed after a clean run).
	LogPath string
	// CPUSource says how the target's CPU was measured, or why it was not.
	CPUSource string
	Err       error // why the run failed or stopped early; nil when every step completed
}

// ErrorSample is one failed response kept for the error view.
type ErrorSample struct {
	Seq   uint64
	Code  uint16
	Error string
	Body  []byte // at most maxSampleBody bytes
}

// maxSampleBody caps the body kept in an ErrorSample.
const maxSampleBody = 2048
