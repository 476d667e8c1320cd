// Package reports turns a run's results into what people and CI read:
// aggregates (counts, latency percentiles over successful requests, Server-Timing
// means, target CPU), comparisons and verdicts, a sweep's Universal Scalability
// Law fit, the scenario's expectations and baseline checks, a diagnosis in plain
// words, and the text, JSON, Markdown, JUnit and HTML reporters.
//
// reports works on result values, as vegeta's reporters do: the CLI converts the
// harness's results into an Input, and Build makes a Report. It must never
// import contend/harness (imports run cmd -> harness, reports -> scenarios), and
// it never exits, parses flags or handles signals.
//
//	rep := reports.Build(in)
//	err := reports.NewTextReporter(rep, isTerminal).Report(os.Stdout)
//	failed := rep.Failed() // exit 3 when not empty
//
// # Definitions
//
// Latency percentiles (p50, p90, p99, max, mean) are over successful requests
// only, computed with HdrHistogram; timeouts and other errors are counted apart.
// throughput_rps is successful requests per second of the step's wall time.
// cpu_util is the target's CPU seconds over the wall time, in cores (2.0: two
// cores fully busy).
//
// speedup = the base step's time per successful request x the step's successful
// requests / the step's wall time: when every request succeeds, the base's wall
// time scaled to the step's request count over the step's wall time. ideal =
// min(concurrency, cores) for the built-in target, the concurrency for an
// external one, capped by the scenario's ideal: when set. efficiency =
// speedup / ideal. The verdict is serialized when the speedup is at most 1.25,
// parallel when the efficiency is at least 0.75 and nothing failed, partial
// otherwise, inconclusive when the ideal itself is at most 1.25 or the base had
// no successes.
//
// The USL fit of a sweep uses, for the built-in target, only the levels up to the
// target's cores: past them a flat throughput is the hardware, and fitting it
// would read as lock contention. scaling.note says so.
//
// # JSON report
//
// NewJSONReporter writes, and ReadJSON reads back, this schema (arrays shortened;
// each step also has "timeline" {"ok": [{"t", "ms"}], "failed": [{"t", "ms",
// "outcome"}]} of at most 500 points, "histogram" {"bins": [{"lo_ms", "hi_ms",
// "n"}], "timeouts", "errors"}, and "error_samples" [{"class", "count", "error"}]):
//
//	{
//	  "scenario": "seed-repro",
//	  "file": "scenarios/seed.yaml",
//	  "host": {"cpus": 2, "go": "go1.26.8", "onnxruntime": "1.30.0"},
//	  "runs": [{
//	    "target": "builtin", "strategy": "naive",
//	    "steps": [{
//	      "name": "concurrent", "mode": "concurrent", "concurrency": 4,
//	      "requests": 4, "wall_s": 6.4, "ok": 4, "timeouts": 0, "errors": 0,
//	      "errors_by_class": {"refused": 0, "4xx": 0, "5xx": 0, "other": 0},
//	      "throughput_rps": 0.625,
//	      "latency_ms": {"p50": 3200, "p90": 6400, "p99": 6400, "max": 6400, "mean": 4000, "n": 4},
//	      "server_ms": {"wait": 2400, "load": 0, "infer": 1600, "n": 4},
//	      "target_cpu_s": 6.5, "cpu_util": 1.02, "cores": 2, "peak_in_flight": 4
//	    }],
//	    "comparisons": [{"base": "sequential", "step": "concurrent",
//	                     "speedup": 1.02, "ideal": 2, "efficiency": 0.51,
//	                     "verdict": "serialized"}],
//	    "scaling": {"step": "sweep",
//	                "levels": [{"concurrency": 1, "requests": 16, "ok": 16, "timeouts": 0, "errors": 0,
//	                            "wall_s": 25.6, "throughput_rps": 0.625, "p50": 1600, "p99": 1610, "cpu_util": 1.01}],
//	                "usl": {"sigma": 0.98, "kappa": 0, "r2": 1, "lambda_rps": 0.625, "points": 2, "max_level": 2},
//	                "note": "fitted over concurrency 1..2, the target's 2 cores; ..."},
//	    "expectations": [{"name": "naive/concurrent: min_speedup 1.60", "ok": false,
//	                      "detail": "speedup 1.02 < min 1.60 (short by 0.58)"}],
//	    "diagnosis": [{"kind": "lock-serialized", "step": "concurrent",
//	                   "summary": "60% of concurrent latency was spent waiting on the model lock: requests ran one at a time",
//	                   "basis": "server-timing",
//	                   "evidence": {"concurrency": 4, "cores": 2, "cpu_cores": 1.02, "speedup": 1.0,
//	                                "service_ms": 1600, "staircase": 1, "wait_share": 0.6, "wait_ms": 2400}}]
//	  }],
//	  "expectations": [],
//	  "baseline": []
//	}
//
// Top-level "expectations" are those that matched no run (they fail), and
// "baseline" holds CompareBaseline's checks when the CLI stored them.
//
// # Diagnosis
//
// Diagnose separates, from the numbers a run has (DESIGN.md "Diagnosis"):
// lock-serialized (flat throughput, latency in a staircase of service times,
// Server-Timing wait most of the latency), hardware-saturated (throughput rising
// to the cores, then flat, CPU busy: the good outcome), cold-start-blocked (a cold
// burst waiting on the model load), queue-timeouts (timed-out requests that had
// waited longer than a request runs), and the neighbours that must not be
// mistaken for them: serialized (flat, but not by the model lock),
// capacity-limited, parallel, partial-contention, timeouts and inconclusive.
// Without Server-Timing the same verdicts come from latency and throughput alone,
// with basis "latency" and a summary that says it had less to go on.
package reports
