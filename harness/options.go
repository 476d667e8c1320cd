package harness

import (
	"context"
	"time"

	"contend/scenarios"
)

// Defaults of the Runner's options.
const (
	// DefaultMaxWorkers caps the workers of open-loop steps (rate, ramp). It is
	// large so that a slow target makes in-flight requests pile up, as real clients
	// would, instead of silently lowering the offered rate (coordinated omission).
	DefaultMaxWorkers = 1024
	// DefaultStartTimeout bounds how long a built-in target may take to serve
	// /healthz (and /readyz for eager) after it was started.
	DefaultStartTimeout = 60 * time.Second
	// DefaultStopGrace is how long a built-in target has to exit after SIGTERM
	// before it is killed.
	DefaultStopGrace = 5 * time.Second
	// DefaultErrorSamples is how many failed responses per step keep their body.
	DefaultErrorSamples = 5
	// DefaultProbeTimeout bounds each /healthz, /readyz and /metrics request the
	// Runner makes on its own.
	DefaultProbeTimeout = 2 * time.Second
	// DefaultSampleEvery is how often the target's resident memory, goroutines and
	// open file descriptors are read from its /metrics while a step runs.
	DefaultSampleEvery = 2 * time.Second
)

// Option configures a Runner.
type Option func(*Runner)

// Timeout sets every request's client timeout when d > 0, overriding the
// scenario's request.timeout and each step's own, fixed or relative. Without it
// a step's timeout applies, else request.timeout (scenarios.DefaultTimeout when
// unset).
func Timeout(d time.Duration) Option {
	return func(r *Runner) { r.timeout = d }
}

// MaxWorkers caps the workers of open-loop steps (rate and ramp); default
// DefaultMaxWorkers. Sequential, concurrent and sweep steps use exactly their
// concurrency.
func MaxWorkers(n int) Option {
	return func(r *Runner) {
		if n > 0 {
			r.maxWorkers = n
		}
	}
}

// ServeCommand sets the program that runs the built-in target: the Runner starts
// `bin args... serve --strategy S ...` once per strategy. Default: the running
// executable (the contend binary itself).
func ServeCommand(bin string, args ...string) Option {
	return func(r *Runner) {
		r.serveBin = bin
		r.serveArgs = append([]string(nil), args...)
	}
}

// ServeEnv adds KEY=VALUE entries to the environment of built-in target processes,
// which otherwise inherit the Runner's environment.
func ServeEnv(kv ...string) Option {
	return func(r *Runner) { r.serveEnv = append(r.serveEnv, kv...) }
}

// OutDir makes the Runner save each step's raw results (vegeta gob encoding) and
// each built-in target's log under dir/<run>/. Default: results are kept in memory
// only and target logs go to a temporary directory.
func OutDir(dir string) Option {
	return func(r *Runner) { r.outDir = dir }
}

// AllowRemote permits external targets whose host is not a loopback address
// (127.0.0.0/8, ::1, localhost). Default false: a load tool should not hit a
// production service because of a typo.
func AllowRemote(allow bool) Option {
	return func(r *Runner) { r.allowRemote = allow }
}

// StartTimeout bounds how long a built-in target may take to come up; default
// DefaultStartTimeout.
func StartTimeout(d time.Duration) Option {
	return func(r *Runner) {
		if d > 0 {
			r.startTimeout = d
		}
	}
}

// StopGrace sets how long a built-in target has to exit after SIGTERM before it is
// killed; default DefaultStopGrace.
func StopGrace(d time.Duration) Option {
	return func(r *Runner) {
		if d > 0 {
			r.stopGrace = d
		}
	}
}

// SampleEvery sets how often the target's resources (process_resident_memory_bytes,
// go_goroutines, process_open_fds on its /metrics) are sampled while a step runs,
// into StepResult.Resources; default DefaultSampleEvery. A target without
// /metrics is sampled never, silently.
func SampleEvery(d time.Duration) Option {
	return func(r *Runner) {
		if d > 0 {
			r.sampleEvery = d
		}
	}
}

// TargetPID names the process whose CPU time (with its children's) is measured
// around every step of an external target, instead of the process found
// listening on a loopback target's port. Default 0: find it.
func TargetPID(pid int) Option {
	return func(r *Runner) {
		if pid > 0 {
			r.targetPID = pid
		}
	}
}

// PprofAuto, given to PprofURL, profiles an external target through its own
// /debug/pprof/ when it answers there on loopback (one GET before the first step).
const PprofAuto = "auto"

// PprofURL names an external target's /debug/pprof/ base URL, whose block and
// mutex profiles are taken before and after every step (StepResult.Contention),
// or PprofAuto. Default "": an external target is not profiled. The built-in
// target's own /debug/pprof/ is always used.
func PprofURL(u string) Option {
	return func(r *Runner) { r.pprofURL = u }
}

// ErrorSamples sets how many failed responses per step keep their body (as
// StepResult.ErrorSamples); default DefaultErrorSamples, 0 keeps none.
func ErrorSamples(n int) Option {
	return func(r *Runner) {
		if n >= 0 {
			r.errorSamples = n
		}
	}
}

// AttackGate is called before each timed attack: once per step, after its
// warm-up, and once per level of a sweep (level counts from 0). It may block
// until the attack's time comes (a sharded run's shared schedule); an error,
// such as ctx's, ends the step as a cancelled one would.
type AttackGate func(ctx context.Context, step scenarios.Step, level int) error

// BeforeAttack sets the gate every timed attack passes; default none.
func BeforeAttack(g AttackGate) Option {
	return func(r *Runner) { r.beforeAttack = g }
}

// MaxBody sets how many bytes of each response body the runner keeps, for
// request.expect's JSON check, error samples and the raw results, overriding the
// scenario's request.max_body (scenarios.DefaultMaxBody when unset). The rest of
// a longer body is still read, so the connection is reused and the request's
// latency covers the whole response, and every byte is counted in BytesIn; a
// negative n is ignored. Memory per request in flight stays at n, whatever the
// target sends.
func MaxBody(n int64) Option {
	return func(r *Runner) {
		if n >= 0 {
			r.maxBody = &n
		}
	}
}
