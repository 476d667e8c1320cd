// Package scenarios owns contend's scenario files: the Scenario, Step, Compare
// and Expect types, strict loading with errors that name the file, line and
// field, the defaults (all in defaults.go), validation, and the scenarios that
// ship with contend (*.yaml here, embedded in the binary; see LoadShipped).
//
// It imports nothing of contend: cmd, harness, reports, target and models import
// it, never the other way round. It does not run anything; the harness does.
//
// # Loading
//
//	s, err := scenarios.LoadFile("scenarios/ci.yaml")
//
// Load and LoadFile decode strictly, fill in defaults and validate. Every problem
// in the file is reported at once, each as an *Error formatted "file:line: field:
// msg", for example
//
//	scenarios/ci.yaml:14: steps[2].rate: "20/x" is not a rate (want N/s, N/m or N/<duration>)
//
// # Scenario format
//
// A complete file, every key shown; keys marked (default ...) may be left out.
//
//	# A name for reports (default: the file name without .yaml).
//	name: seed-repro
//
//	# What to attack: exactly one of builtin and url.
//	target:
//	  # The built-in translation target: one fresh `contend serve` per strategy.
//	  builtin:
//	    # Locking strategies to run, in order: naive, double-checked, once, eager
//	    # (default [naive, double-checked]).
//	    strategies: [naive, double-checked]
//	    size: base               # model size: tiny, base or large (default base)
//	    cold: true               # do not warm the server: first requests load the models
//	    load_delay: 250ms        # added to each model load (default 0)
//	    intra_op_threads: 1      # ONNX Runtime threads per inference (default 0: its choice)
//	  # url: http://127.0.0.1:8000   # or an HTTP service of your own; userinfo
//	  #   (http://user:pw@host) is sent as basic auth and shown redacted (RedactURL)
//	  # The speedup a perfectly parallel target would reach (default 0: the machine's
//	  # cores for builtin, the step's concurrency for a url).
//	  ideal: 0
//
//	# The HTTP request every step sends.
//	request:
//	  method: POST               # an HTTP method (default POST)
//	  path: /translate           # appended to the target (default /translate)
//	  headers:                   # Content-Type defaults to application/json when a body is set
//	    Content-Type: application/json
//	  body: '{"text": "the water is cold", "source": "en", "target": "hi"}'
//	  timeout: 10s               # per-request client timeout, above 0 (default 30s)
//	  # What a 2xx or 3xx response must also be to count as a success; one that
//	  # is not counts as an error saying why ("response is not JSON: ...").
//	  expect:
//	    status: 200              # this status exactly, 200-399 (default: any 2xx or 3xx)
//	    json: true               # the body parses as JSON (default: true for builtin, false for a url)
//
//	# Phases of load, run in order against each strategy. Names are unique, made of
//	# letters, digits, '.', '_' and '-' (default: the mode). Each mode takes only its
//	# own keys; warmup (untimed requests sent first, default 0) and timeout belong
//	# to every mode. A step's timeout replaces request.timeout, for its warm-up
//	# too: a duration, or a multiple of the median latency of the successful
//	# requests an earlier step made to the same target (none: the run fails).
//	steps:
//	  # One request at a time (concurrency is 1 and may be left out).
//	  - {name: sequential, mode: sequential, requests: 4}
//	  # requests sent by concurrency workers (default: all at once); concurrency <= requests.
//	  - {name: concurrent, mode: concurrent, concurrency: 4, requests: 4, warmup: 1, timeout: 6x sequential}
//	  # An open-loop constant rate: N/s, N/m, N/<duration> such as 5/100ms, or N meaning N/s.
//	  - {name: rate, mode: rate, rate: 20/s, duration: 10s}
//	  # A rate rising (or falling) linearly from rate to rate_to over duration.
//	  - {name: ramp, mode: ramp, rate: 2/s, rate_to: 20/s, duration: 30s}
//	  # The concurrent mode at each level, rising; requests_per_level (default 8)
//	  # must be at least the top level.
//	  - {name: sweep, mode: sweep, levels: [1, 2, 4, 8], requests_per_level: 16}
//	  # A rate or ramp step ends at its duration: no request falling due later is
//	  # sent, so rate x duration (a ramp: the mean rate x duration) must come to at
//	  # least one request. Every step sends at most MaxRequests requests (counting
//	  # warmup, a sweep's levels x requests_per_level, rate x duration) from at most
//	  # MaxConcurrency workers, for at most MaxDuration (see limits.go).
//
//	# Speedups to measure: the base step's wall time, scaled to the step's request
//	# count, over the step's. Both steps are sequential or concurrent.
//	compare:
//	  - {base: sequential, step: concurrent}
//
//	# Pass/fail gates for `contend check`, on one step of one strategy (no strategy:
//	# every run). Each sets at least one threshold.
//	expect:
//	  - strategy: double-checked
//	    step: concurrent
//	    max_timeouts: 0
//	    max_errors: 0
//	    min_speedup: 1.6         # needs a compare entry for the step
//	    min_efficiency: 0.75     # speedup over ideal; needs a compare entry too
//	    max_p99: 2s
//	  - {step: sweep, max_sigma: 0.05}   # USL contention; sweep steps only
//	  # Resource growth during a step (a soak): the least-squares slope of the
//	  # target's resident memory, goroutines and open file descriptors, sampled from
//	  # its /metrics, the first 20% of the samples left out as warm-up. Memory takes
//	  # a size (B, KB, MB, GB; KiB, MiB, GiB) or a percentage of its starting value,
//	  # the others a count or a percentage; per s, min, h or a duration such as 10s.
//	  - step: rate
//	    max_rss_growth: 20MB/min
//	    max_goroutine_growth: 5/min
//	    max_fd_growth: 2%/min
//
//	# Tolerances for `contend check --baseline report.json`.
//	baseline:
//	  max_speedup_drop: 0.10     # relative drop in speedup allowed (default 0.10)
//	  max_p99_rise: 0.25         # relative rise in p99 latency allowed (default 0.25)
//
// YAML anchors, aliases and merge keys (<<: *defaults) may be used to share
// settings between steps.
package scenarios
