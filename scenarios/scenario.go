package scenarios

import (
	"slices"
	"strings"
	"time"
)

// Step modes.
const (
	ModeSequential = "sequential"
	ModeConcurrent = "concurrent"
	ModeRate       = "rate"
	ModeRamp       = "ramp"
	ModeSweep      = "sweep"
)

// Modes returns the step modes in the order the documentation lists them.
func Modes() []string {
	return []string{ModeSequential, ModeConcurrent, ModeRate, ModeRamp, ModeSweep}
}

// Locking strategies of the built-in target (see target.ParseStrategy).
const (
	StrategyNaive         = "naive"          // one global lock over check, load and inference
	StrategyDoubleChecked = "double-checked" // lock-free once loaded; lock only for the first load
	StrategyOnce          = "once"           // sync.Once-style; a failed load is never retried
	StrategyEager         = "eager"          // load before serving; /readyz gates traffic
)

// KnownStrategies returns every strategy name the built-in target accepts.
func KnownStrategies() []string {
	return []string{StrategyNaive, StrategyDoubleChecked, StrategyOnce, StrategyEager}
}

// Model sizes of the built-in target.
const (
	SizeTiny  = "tiny"
	SizeBase  = "base"
	SizeLarge = "large"
)

// Sizes returns every model size the built-in target accepts.
func Sizes() []string {
	return []string{SizeTiny, SizeBase, SizeLarge}
}

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

	// lines maps the field paths written in the file ("steps[2].rate") to their
	// lines; nil for a scenario built in code. Defaults fill only fields not
	// written, and errors use it to name the line.
	lines map[string]int
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
	Strategies     []string `yaml:"strategies"`       // run in this order (default DefaultStrategies)
	Size           string   `yaml:"size"`             // tiny, base or large (default base)
	Cold           bool     `yaml:"cold"`             // start each strategy's server without warming it
	LoadDelay      Duration `yaml:"load_delay"`       // added to each model load
	IntraOpThreads int      `yaml:"intra_op_threads"` // ONNX Runtime threads per inference (0: its default)
}

// Request is the HTTP request every step sends.
type Request struct {
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers"`
	Body    string            `yaml:"body"`
	Timeout Duration          `yaml:"timeout"` // per-request client timeout
	// MaxBody is how many bytes of each response body are kept (for the JSON
	// check and error samples); longer bodies are read to the end and counted, not
	// kept. Default DefaultMaxBody.
	MaxBody int64 `yaml:"max_body"`
	// PastMaxBody says what the runner does with a body longer than MaxBody:
	// PastMaxBodyRead (the default) reads the rest and counts it, keeping the
	// connection for the next request; PastMaxBodyClose stops reading and closes
	// the connection, for targets whose bodies are too long to wait for.
	PastMaxBody string `yaml:"past_max_body"`
	// Expect is what a response must be to count as a success; one that is not
	// counts as an error whose message says why.
	Expect ResponseExpect `yaml:"expect"`
}

// ResponseExpect checks every response beyond its status class. A 2xx or 3xx
// response that fails a check counts as an error ("response is not JSON: ...").
type ResponseExpect struct {
	// Status is the one status a success must have, 200-399 (0: any 2xx or 3xx).
	Status int `yaml:"status"`
	// JSON requires the body to be valid JSON. nil means the target's default:
	// on for the built-in target (DefaultExpectJSONBuiltin), off for a URL.
	JSON *bool `yaml:"json"`
}

// WantJSON reports whether bodies must be JSON against the built-in target
// (builtin true) or an external URL: JSON when set, else the target's default.
func (e ResponseExpect) WantJSON(builtin bool) bool {
	if e.JSON != nil {
		return *e.JSON
	}
	return builtin && DefaultExpectJSONBuiltin
}

// Step is one phase of load. Name defaults to Mode and must be unique in its
// scenario; each mode takes only its own fields (Validate rejects the others).
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
	// LevelRequests, when set, gives each level its own request count instead
	// of RequestsPerLevel: a shard's share of a sweep (see ForShard).
	LevelRequests []int `yaml:"-"`
	// Warmup sends this many untimed requests before the step (0: none).
	Warmup int `yaml:"warmup"`
	// Timeout overrides the request's client timeout for this step (0: the
	// request's). A cold-start step wants a longer one than a warm burst.
	Timeout Duration `yaml:"timeout"`
	// TimeoutOf, when set, replaces Timeout with a multiple of an earlier step's
	// median latency, resolved by the runner on each target ("timeout: 7x
	// sequential" in the file).
	TimeoutOf *RelTimeout `yaml:"-"`

	// Line is where the step starts in its file (0 when unknown).
	Line int `yaml:"-"`
}

// Compare asks for the speedup of Step over Base.
type Compare struct {
	Base string `yaml:"base"`
	Step string `yaml:"step"`
}

// Expect is a pass/fail gate on one step of one strategy ("" strategy: every run).
// A nil threshold is not checked; Validate requires at least one to be set.
// MinSpeedup and MinEfficiency need a Compare whose Step is this step, and
// MaxSigma a sweep step.
type Expect struct {
	Strategy      string    `yaml:"strategy"`
	Step          string    `yaml:"step"`
	MaxTimeouts   *int      `yaml:"max_timeouts"`
	MaxErrors     *int      `yaml:"max_errors"`
	MinSpeedup    *float64  `yaml:"min_speedup"`
	MinEfficiency *float64  `yaml:"min_efficiency"`
	MaxP99        *Duration `yaml:"max_p99"`
	MaxSigma      *float64  `yaml:"max_sigma"`
	// MaxRSSGrowth, MaxGoroutineGrowth and MaxFDGrowth bound the least-squares
	// slope of the target's resident memory, goroutines and open file descriptors
	// sampled during the step (a warm-up head left out; see package reports).
	MaxRSSGrowth       *Growth `yaml:"max_rss_growth"`
	MaxGoroutineGrowth *Growth `yaml:"max_goroutine_growth"`
	MaxFDGrowth        *Growth `yaml:"max_fd_growth"`

	// Line is where the expectation starts in its file (0 when unknown).
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

// IsBuiltin reports whether the scenario attacks the built-in target rather than a URL.
func (s *Scenario) IsBuiltin() bool { return s.Target.Builtin != nil }

// Strategies returns the built-in target's strategies in run order (the defaults
// when the scenario names none), or nil for a URL target. The slice is a copy.
func (s *Scenario) Strategies() []string {
	if s.Target.Builtin == nil {
		return nil
	}
	if len(s.Target.Builtin.Strategies) == 0 {
		return DefaultStrategies()
	}
	return slices.Clone(s.Target.Builtin.Strategies)
}

// Header returns the value of the request header called name, matched without
// regard to case, and whether it is set.
func (r Request) Header(name string) (string, bool) {
	for k, v := range r.Headers {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// OfferedRequests returns how many requests a time-bound step's rate comes to
// over its duration: rate x duration, and for a ramp the mean of rate and rate_to
// x duration. It is 0 for steps bounded by a request count. A step sends no
// request after its duration, so it sends at most about this many (Validate
// requires at least 1).
func (st Step) OfferedRequests() float64 {
	secs := st.Duration.Seconds()
	switch st.Mode {
	case ModeRate:
		return st.Rate.PerSecond() * secs
	case ModeRamp:
		return (st.Rate.PerSecond() + st.RateTo.PerSecond()) / 2 * secs
	}
	return 0
}
