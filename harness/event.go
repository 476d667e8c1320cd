package harness

import (
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

// EventKind says what an Event reports.
type EventKind int

// The event stream of one Runner.Run, in order:
// RunStarted, then per target run (one per strategy, or one for a URL):
// TargetStarted, then per step StepStarted, Results..., StepDone; TargetDone; finally RunDone.
// Log events may arrive at any point; Progress events come every ProgressEvery
// while a step's requests run, between its StepStarted and StepDone.
const (
	RunStarted    EventKind = iota // Scenario, Runs (planned run labels)
	TargetStarted                  // Run (label, strategy or URL), RunIndex
	StepStarted                    // Run, Step, StepIndex, Total (requests, 0 for time-bound steps), Duration (time-bound steps)
	Results                        // Run, Step, StepIndex, Level (sweep), Results (the requests completed since the last one), Snapshot
	StepDone                       // Run, Step, StepResult, Snapshot
	TargetDone                     // Run, TargetResult
	RunDone                        // Err (nil, context.Canceled on Ctrl-C, or the failure)
	Log                            // Message (a line of progress or of the target's log)
	Progress                       // Run, Step, StepIndex, Level, Snapshot, Sent: every ProgressEvery while a step runs
)

var eventKindNames = [...]string{"RunStarted", "TargetStarted", "StepStarted", "Results", "StepDone", "TargetDone", "RunDone", "Log", "Progress"}

// String returns the kind's name, as in "StepDone".
func (k EventKind) String() string {
	if k < 0 || int(k) >= len(eventKindNames) {
		return "EventKind(" + strconv.Itoa(int(k)) + ")"
	}
	return eventKindNames[k]
}

// Event is one item of the Runner's stream. Only the fields named for its Kind are set.
type Event struct {
	Kind EventKind
	Time time.Time

	Scenario *scenarios.Scenario
	Runs     []string // planned run labels, on RunStarted

	Run       string // "naive", "double-checked", or the target URL
	RunIndex  int
	Step      scenarios.Step
	StepIndex int
	Level     int // concurrency level for sweep steps (0 otherwise)
	Total     int // requests planned for the step (0 when time-bound)
	Duration  time.Duration
	Timeout   time.Duration // the step's client timeout, on StepStarted

	// Results holds, on a Results event, the requests completed since the
	// step's previous Results event, in the order they completed. The Runner
	// sends them in batches (see ResultsEvery), not one event per request: at
	// full speed an event per request was a sixth of the bytes the load
	// generator allocated per request.
	Results []Completed
	// Sent holds, on Progress, the send times of the requests in flight,
	// earliest first (at most reports.MaxWaterfallSpans of them).
	Sent         []time.Time
	Snapshot     Snapshot
	StepResult   *StepResult
	TargetResult *TargetResult

	Message string
	Err     error
}

// Completed is one finished request and its outcome.
type Completed struct {
	Result *vegeta.Result
	// Outcome is Result's class, decided once by the Runner from the real error
	// (reports.ClassifyLive); views read it instead of classifying again.
	Outcome reports.Outcome
}

// ResultsEvery spaces the Results events of a busy step: one goes out when a
// request completes at least this long after the previous one went (so at a
// low rate each request goes out at once), on every Progress tick (so none
// waits longer than ProgressEvery), when maxBatch requests are waiting, and at
// the end of each attack.
const ResultsEvery = 50 * time.Millisecond

// maxBatch caps the requests of one Results event.
const maxBatch = 4096

// Snapshot is the live state of the current step, as of the event that carries it.
type Snapshot struct {
	Elapsed  time.Duration
	Done     int // completed requests
	InFlight int
	OK       int
	Timeouts int
	Errors   int // every failure that is not a timeout
	// Cancelled requests were in flight when the run was stopped; they are
	// neither successes nor failures.
	Cancelled int
	// Server-Timing means over the step so far (ms); Have is false when the target sends none.
	ServerWaitMs, ServerLoadMs, ServerInferMs float64
	HaveServerTiming                          bool
	Throughput                                float64 // completed requests per second so far

	// ByOutcome counts completed requests per class, indexed by reports.Outcome
	// (OK, Timeout, Refused, Client4xx, Server5xx, OtherErr, Cancelled).
	ByOutcome [reports.NumOutcomes]int
	// Latency is the step's successful latencies so far (p50, p90, p99, max, mean
	// in ms), read from the same reports.Aggregate the step's report is built
	// from; refreshed every 100ms while the step runs and exact in StepDone.
	Latency reports.Latency
	// LevelDone and LevelThroughput are the current sweep level's completed
	// requests and requests per second (0 for other modes); the fields above
	// cover the whole step.
	LevelDone       int
	LevelThroughput float64
}
