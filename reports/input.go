package reports

import (
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// Target kinds of a RunInput.
const (
	TargetBuiltin = "builtin" // the built-in translation target, one run per strategy
	TargetURL     = "url"     // an external HTTP service
)

// Input is everything Build needs: the scenario, the host, and what every run
// produced. The harness fills StepInput (and LevelInput) directly as its step
// results, so nothing is copied field by field and reports never depends on the
// harness.
type Input struct {
	Scenario *scenarios.Scenario
	Host     Host
	Runs     []RunInput
	// Partial is true when the run was cancelled before every step finished.
	Partial bool
}

// Host describes the machine the load generator (and the built-in target) ran on.
type Host struct {
	CPUs        int    `json:"cpus"`
	Go          string `json:"go"`
	ONNXRuntime string `json:"onnxruntime,omitempty"`
}

// RunInput is one target run: one strategy of the built-in target, or the URL.
type RunInput struct {
	Target   string // TargetBuiltin or TargetURL
	Strategy string // the locking strategy ("" for a URL target)
	URL      string // the attacked base URL
	Steps    []StepInput
	Err      string // why the run stopped early ("" when it did not)
	LogPath  string // the target's log file, when one was kept
	// CPU says how the target's CPU was measured, or why it was not ("" unknown).
	CPU string
}

// StepInput is what one step of one run produced.
type StepInput struct {
	Step scenarios.Step
	// Wall is the step's wall-clock time, first request sent to last response.
	Wall time.Duration
	// Results holds every completed request. For a sweep step it may be empty, in
	// which case the levels' results are used.
	Results []vegeta.Result
	// Levels holds one entry per concurrency level of a sweep step.
	Levels []LevelInput
	// Aggregate is the step's numbers as the runner built them while the results
	// arrived; nil makes Build count Results (a saved file) itself.
	Aggregate *Aggregate
	// TargetCPUSeconds is the CPU time the target used during the step, or -1
	// when unknown (an external target).
	TargetCPUSeconds float64
	// HostCPUSeconds is the busy CPU time of every core of the machine during
	// the step (the target's, the load generator's and everyone else's), or -1
	// (and 0, from older callers) when unknown.
	HostCPUSeconds float64
	// RunnableThreads is the lower quartile of the number of the target's threads running or
	// waiting for a CPU while the step ran; -1 (or 0) when unknown.
	RunnableThreads float64
	// Cores is the number of cores the target could use (0: unknown).
	Cores int
	// RawPath is where the step's raw vegeta results were saved ("" if not).
	RawPath string
	// Timeout is the client timeout the step's requests ran with (0: unknown).
	Timeout time.Duration
	// Resources are the target's memory, goroutines and open files sampled while
	// the step ran (none when the target has no /metrics).
	Resources []ResourceSample
	// Contention holds a Go target's top blocking call sites over the step, from
	// its /debug/pprof block and mutex profiles (none when it serves neither).
	Contention []CallSite
}

// LevelInput is one concurrency level of a sweep step.
type LevelInput struct {
	Concurrency      int
	Wall             time.Duration
	Results          []vegeta.Result
	TargetCPUSeconds float64 // -1 when unknown
	HostCPUSeconds   float64 // -1 when unknown
	RunnableThreads  float64 // -1 when unknown
	RawPath          string
	Aggregate        *Aggregate // the level's numbers as the runner built them; nil: count Results
}

// UnknownCPU is the TargetCPUSeconds value meaning "not measured".
const UnknownCPU = -1.0
