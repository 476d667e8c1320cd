package scenarios

import (
	"path/filepath"
	"strings"
	"time"
)

// Defaults for what a scenario file leaves out. ApplyDefaults (called by Load) is
// the only code that fills them in, and it fills only fields the file did not
// write: an explicit `timeout: 0s` stays 0 and Validate rejects it.
const (
	// DefaultName names a scenario read without a file name or a name: key.
	DefaultName = "scenario"
	// DefaultMethod is the request's HTTP method.
	DefaultMethod = "POST"
	// DefaultPath is the request's path on the target.
	DefaultPath = "/translate"
	// DefaultContentType is the Content-Type header added when a body is set and
	// the headers name none.
	DefaultContentType = "application/json"
	// DefaultTimeout is the per-request client timeout.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBody is request.max_body: bytes of each response body kept, enough
	// for the JSON check of the built-in target's answers and the head of an error.
	DefaultMaxBody = 16 << 10
	// MaxMaxBody bounds request.max_body (and --max-body): what each request in
	// flight may keep, far more than the JSON check or an error head needs.
	MaxMaxBody = 64 << 20
	// PastMaxBodyRead and PastMaxBodyClose are request.past_max_body's values;
	// DefaultPastMaxBody is read.
	PastMaxBodyRead    = "read"
	PastMaxBodyClose   = "close"
	DefaultPastMaxBody = PastMaxBodyRead
	// DefaultSize is the built-in target's model size.
	DefaultSize = SizeBase
	// DefaultSequentialConcurrency is a sequential step's concurrency (always 1).
	DefaultSequentialConcurrency = 1
	// DefaultRequestsPerLevel is a sweep step's request count at each level.
	DefaultRequestsPerLevel = 8
	// DefaultMaxSpeedupDrop is the baseline's allowed relative drop in speedup.
	DefaultMaxSpeedupDrop = 0.10
	// DefaultMaxP99Rise is the baseline's allowed relative rise in p99 latency.
	DefaultMaxP99Rise = 0.25

	// DefaultExpectJSONBuiltin is request.expect.json's default against the
	// built-in target, which answers JSON to everything; against a URL the check
	// is off unless the file sets it.
	DefaultExpectJSONBuiltin = true

	// DefaultVerdictSerialized is the speedup at or below which a comparison is
	// judged serialized.
	DefaultVerdictSerialized = 1.25
	// DefaultVerdictParallel is the efficiency at or above which a comparison is
	// judged parallel.
	DefaultVerdictParallel = 0.75
)

// A concurrent step's concurrency defaults to its request count: every request at once.

// DefaultStrategies returns the strategies a built-in target runs when the file
// names none: the seed's bug, then its fix. The slice is fresh on every call.
func DefaultStrategies() []string {
	return []string{StrategyNaive, StrategyDoubleChecked}
}

// ApplyDefaults fills in every default the scenario's file did not write (for a
// scenario built in code: every zero field that has a default). Load calls it; it
// is idempotent.
func (s *Scenario) ApplyDefaults() {
	if s.Name == "" && !s.written("name") {
		s.Name = DefaultName
		if s.File != "" {
			s.Name = strings.TrimSuffix(filepath.Base(s.File), filepath.Ext(s.File))
		}
	}
	if b := s.Target.Builtin; b != nil {
		if len(b.Strategies) == 0 && !s.written("target.builtin.strategies") {
			b.Strategies = DefaultStrategies()
		}
		if b.Size == "" && !s.written("target.builtin.size") {
			b.Size = DefaultSize
		}
	}
	s.Request.applyDefaults(s)
	for i := range s.Steps {
		s.Steps[i].applyDefaults(s, index("steps", i))
	}
	if s.Baseline.MaxSpeedupDrop == 0 && !s.written("baseline.max_speedup_drop") {
		s.Baseline.MaxSpeedupDrop = DefaultMaxSpeedupDrop
	}
	if s.Baseline.MaxP99Rise == 0 && !s.written("baseline.max_p99_rise") {
		s.Baseline.MaxP99Rise = DefaultMaxP99Rise
	}
}

func (r *Request) applyDefaults(s *Scenario) {
	if r.Method == "" && !s.written("request.method") {
		r.Method = DefaultMethod
	}
	if r.Path == "" && !s.written("request.path") {
		r.Path = DefaultPath
	}
	if r.Timeout.Duration == 0 && !s.written("request.timeout") {
		r.Timeout.Duration = DefaultTimeout
	}
	if r.MaxBody == 0 && !s.written("request.max_body") {
		r.MaxBody = DefaultMaxBody
	}
	if r.PastMaxBody == "" {
		r.PastMaxBody = DefaultPastMaxBody
	}
	if r.Body != "" {
		if _, ok := r.Header("Content-Type"); !ok {
			if r.Headers == nil {
				r.Headers = map[string]string{}
			}
			r.Headers["Content-Type"] = DefaultContentType
		}
	}
}

func (st *Step) applyDefaults(s *Scenario, path string) {
	if st.Name == "" && !s.written(path+".name") {
		st.Name = st.Mode
	}
	switch st.Mode {
	case ModeSequential:
		if st.Concurrency == 0 && !s.written(path+".concurrency") {
			st.Concurrency = DefaultSequentialConcurrency
		}
	case ModeConcurrent:
		if st.Concurrency == 0 && !s.written(path+".concurrency") {
			st.Concurrency = st.Requests
		}
	case ModeSweep:
		if st.RequestsPerLevel == 0 && !s.written(path+".requests_per_level") {
			st.RequestsPerLevel = DefaultRequestsPerLevel
		}
	}
}

// written reports whether the scenario's file gave path a non-null value.
func (s *Scenario) written(path string) bool {
	_, ok := s.lines[path]
	return ok
}
