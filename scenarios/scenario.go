package scenarios

import "time"

// Step modes.
const (
	ModeSequential = "sequential"
	ModeConcurrent = "concurrent"
	ModeRate       = "rate"
	ModeRamp       = "ramp"
	ModeSweep      = "sweep"
)

// Defaults filled in by Scenario.applyDefaults (one place, see defaults.go).
const (
	DefaultMethod            = "POST"
	DefaultPath              = "/translate"
	DefaultTimeout           = 30 * time.Second
	DefaultSize              = "base"
	DefaultRequestsPerLevel  = 8
	DefaultVerdictSerialized = 1.25 // speedup at or below this: serialized
	DefaultVerdictParallel   = 0.75 // efficiency at or above this: parallel
)

// Scenario is one scenario file: a target, the request to send, the steps to run
// against each strategy (or the external URL), comparisons and expectations.
type Scenario struct {
	Name     string    `yaml:"name"`
	Target   Target    `yaml:"target"`
	Request  Request   `yaml:"request"`
	Steps    []Step    `yaml:"steps"`
	Compare  []Compare `yaml:"compare"`
	Expect   []Expect  `yaml:"expect"`
	Baseline Baseline  `yaml:"baseline"`

	// File is the path the scenario was loaded from ("" for a reader).
	File string `yaml:"-"`
}

// Target says what to attack: the built-in translation target or a URL.
type Target struct {
	Builtin *Builtin `yaml:"builtin"`
	URL     string   `yaml:"url"`
	// Ideal overrides the ideal speedup's core count (0: the machine's cores for
	// the built-in target, the concurrency for an external one).
	Ideal int `yaml:"ideal"`
}

// Builtin configures the built-in target: one fresh `contend serve` per strategy.
type Builtin struct {
	Strategies     []string `yaml:"strategies"`
	Size           string   `yaml:"size"`       // tiny, base or large (default base)
	Cold           bool     `yaml:"cold"`       // start each strategy's server without warming it
	LoadDelay      Duration `yaml:"load_delay"` // added to each model load
	IntraOpThreads int      `yaml:"intra_op_threads"`
}

// Request is the HTTP request every step sends.
type Request struct {
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
	Timeout Duration          `yaml:"timeout"` // per-request client timeout
}

// Step is one phase of load.
type Step struct {
	Name string `yaml:"name"`
	Mode string `yaml:"mode"`
	// sequential, concurrent
	Requests    int `yaml:"requests"`
	Concurrency int `yaml:"concurrency"`
	// rate: Rate for Duration; ramp: from Rate to RateTo over Duration
	Rate     Rate     `yaml:"rate"`
	RateTo   Rate     `yaml:"rate_to"`
	Duration Duration `yaml:"duration"`
	// sweep: the concurrent mode at each level
	Levels           []int `yaml:"levels"`
	RequestsPerLevel int   `yaml:"requests_per_level"`
	// Warmup sends this many untimed requests before the step (0: none).
	Warmup int `yaml:"warmup"`

	// Line is where the step starts in its file (0 when unknown).
	Line int `yaml:"-"`
}

// Compare asks for the speedup of Step over Base.
type Compare struct {
	Base string `yaml:"base"`
	Step string `yaml:"step"`
}

// Expect is a pass/fail gate on one step of one strategy ("" strategy: every run).
// Zero-valued pointers are unset.
type Expect struct {
	Strategy      string    `yaml:"strategy"`
	Step          string    `yaml:"step"`
	MaxTimeouts   *int      `yaml:"max_timeouts"`
	MaxErrors     *int      `yaml:"max_errors"`
	MinSpeedup    *float64  `yaml:"min_speedup"`
	MinEfficiency *float64  `yaml:"min_efficiency"`
	MaxP99        *Duration `yaml:"max_p99"`
	MaxSigma      *float64  `yaml:"max_sigma"`

	Line int `yaml:"-"`
}

// Baseline sets the tolerances for `contend check --baseline`.
type Baseline struct {
	// MaxSpeedupDrop is the largest allowed relative drop in speedup (0.10 = 10%).
	MaxSpeedupDrop float64 `yaml:"max_speedup_drop"`
	// MaxP99Rise is the largest allowed relative rise in p99 latency (0.25 = 25%).
	MaxP99Rise float64 `yaml:"max_p99_rise"`
}

// Duration is a time.Duration written as "10s", "250ms".
type Duration struct{ time.Duration }

// Rate is a request rate written as "20/s", "300/m" or "5/100ms".
type Rate struct {
	Freq int
	Per  time.Duration
}

// PerSecond returns the rate in requests per second (0 when unset).
func (r Rate) PerSecond() float64 {
	if r.Per <= 0 {
		return 0
	}
	return float64(r.Freq) / r.Per.Seconds()
}
