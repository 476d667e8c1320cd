package harness

import (
	"time"

	"contend/reports"
)

// StepResult is everything one step produced against one target: the
// reports.StepInput the step's report is built from (reports cannot import
// harness, so the harness fills reports' type directly and nothing is copied
// across the boundary), and what only the Runner's callers see.
//
// Results hold one vegeta.Result per completed request, sorted by sequence number,
// with Body dropped and Headers cut down to Server-Timing (the raw file keeps every
// header). For a sweep, Results is every level's results in level order and Levels
// holds them per level. Wall runs from the first release to the last response
// (sweep: the sum of the levels); Timeout is the client timeout the requests ran
// with, a relative one ("7x sequential") resolved; TargetCPUSeconds comes from
// process_cpu_seconds_total on the target's /metrics (-1 when unknown); Cores is
// the CPUs of the machine the target runs on (0 when unknown); Aggregate is the
// step's numbers built as its results arrived, the ones its Snapshots showed;
// Resources are sampled every SampleEvery (none without /metrics).
type StepResult struct {
	reports.StepInput
	Started time.Time // when the first timed request was released
	// ErrorSamples holds the first few failed responses with their body.
	ErrorSamples []ErrorSample
	// Err is why the step ended early (context.Canceled, the target dying, a failed
	// save), nil when it ran to completion. Failed requests are not errors.
	Err error
}

// LevelResult is one concurrency level of a sweep step, as reports reads it.
type LevelResult = reports.LevelInput

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
