// Package reports turns a run's results into what people and CI read:
// aggregates (counts, latency percentiles over successful requests, Server-Timing
// means, target CPU), comparisons and verdicts, a sweep's Universal Scalability
// Law fit, the scenario's expectations and baseline checks, a diagnosis in plain
// words, and the text, JSON, Markdown, JUnit and HTML reporters.
//
// reports works on result values, as vegeta's reporters do: the harness's step
// results are StepInputs carrying each step's Aggregate (built as the results
// arrived), the CLI gathers them into an Input, and Build makes a Report. It must never
// import contend/harness (imports run cmd -> harness, reports -> scenarios), and
// it never exits, parses flags or handles signals.
//
//	rep := reports.Build(in)
//	err := reports.NewTextReporter(rep, !isTerminal).Report(os.Stdout) // plain off a terminal
//	failed := rep.Failed() // exit 3 when not empty
//
// # Definitions
//
// Latency percentiles (p50, p90, p99, max, mean) are over successful requests
// only, computed with HdrHistogram; timeouts and other errors are counted apart.
// Each step and sweep level saves that histogram as histogram_hdr: hdrhistogram-go's
// V2 compressed encoding in base64, values in microseconds from 1 µs to 1 h at 3
// significant digits (NewLatencyHistogram). DecodeLatencyHistogram reads it back, so
// the steps of reports made on several machines merge exactly; LatencyOf reads the
// percentiles of a (merged) histogram.
// throughput_rps is successful requests per second of the step's wall time.
// cpu_util is the target's CPU seconds over the wall time, in cores (2.0: two
// cores fully busy).
//
// speedup = the base step's time per successful request x the step's successful
// requests / the step's wall time: when every request succeeds, the base's wall
// time scaled to the step's request count over the step's wall time. ideal =
// min(concurrency, cores) for the built-in target and a loopback URL (both run
// on this machine), the concurrency for one off loopback, or the scenario's
// ideal: when set; ideal_basis says which (cores, concurrency, scenario). efficiency =
// speedup / ideal. The verdict is serialized when the speedup is at most 1.25,
// parallel when the efficiency is at least 0.75 and nothing failed, partial
// otherwise, inconclusive when the ideal itself is at most 1.25 or the base had
// no successes.
//
// A comparison whose speedup cannot be trusted is inconclusive with suspect set
// (why, and the fix): a base step with cold_first_ms (its first request took more
// than ColdFirstRatio times the median of the others) or a speedup above
// SuperlinearTolerance times its ideal; min_speedup and min_efficiency fail on it.
// Rate and ramp steps carry offered_rps and achieved_rps (sends over the send
// span) and a warning when achieved is under AchievedMinShare of offered; a step's
// warnings are in every reporter.
//
// The USL fit of a sweep uses, for the built-in target, only the levels up to the
// target's cores: past them a flat throughput is the hardware, and fitting it
// would read as lock contention. scaling.note says so.
//
// # JSON report
//
// NewJSONReporter writes, and ReadJSON reads back, this schema (arrays shortened;
// a step's timeline holds at most 500 points; sweep steps also list their
// "levels"; server_ms, target_cpu_s and cpu_util are absent when unknown):
//
//	{
//	  "scenario": "seed-repro",
//	  "file": "scenarios/seed.yaml",
//	  "host": {"cpus": 2, "go": "go1.26.8", "onnxruntime": "1.30.0"},
//	  "runs": [{
//	    "target": "builtin", "strategy": "naive", "log": "out/naive.log",
//	    "steps": [{
//	      "name": "concurrent", "mode": "concurrent", "concurrency": 4,
//	      "requests": 4, "wall_s": 10.001, "ok": 1, "timeouts": 3, "timeout_ms": 10000, "errors": 0,
//	      "errors_by_class": {"refused": 0, "4xx": 0, "5xx": 0, "other": 0},
//	      "throughput_rps": 0.1,
//	      "latency_ms": {"p50": 1600, "p90": 1600, "p99": 1600, "max": 1600, "mean": 1600, "n": 1},
//	      "server_ms": {"wait": 0, "load": 0, "infer": 1600, "n": 1},
//	      "target_cpu_s": 1.7, "cpu_util": 0.17, "cores": 2, "peak_in_flight": 4,
//	      "timeline": {"ok": [{"t": 0, "ms": 1600}],
//	                   "failed": [{"t": 0, "ms": 10000, "outcome": "timeout"}]},
//	      "histogram": {"bins": [{"lo_ms": 1600, "hi_ms": 1600.05, "n": 1}], "timeouts": 3, "errors": 0},
//	      "histogram_hdr": "HISTFAAAACl42pJpmSzMwMDAwgABzFCaEURcm7yEwf4DRGDzDkYmQAAAAP//aIIF+Q==",
//	      "error_samples": [{"class": "timeout", "count": 3,
//	                         "error": "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"}],
//	      "resources": {"samples": [{"t": 0, "rss_bytes": 96440320, "goroutines": 14, "open_fds": 12}],
//	                    "fit_from_s": 12,
//	                    "rss_bytes": {"per_min": 120000, "start": 96500000, "end": 96600000,
//	                                  "min": 90112000, "max": 96700000, "points": 24},
//	                    "goroutines": {"per_min": 0, ...}, "open_fds": {"per_min": 0, ...}}
//	    }],
//	    "comparisons": [{"base": "sequential", "step": "concurrent",
//	                     "speedup": 0.16, "ideal": 2, "efficiency": 0.08, "verdict": "serialized",
//	                     "detail": "3 of 4 requests failed (3 timeouts); the speedup counts only the 1 that succeeded"}],
//	    "scaling": {"step": "sweep",
//	                "levels": [{"concurrency": 1, "requests": 8, "ok": 8, "timeouts": 0, "errors": 0,
//	                            "wall_s": 12.8, "throughput_rps": 0.625, "p50": 1600, "p99": 1600, "cpu_util": 1}],
//	                "usl": {"sigma": 1, "kappa": 0, "r2": 1, "lambda_rps": 0.625, "points": 2, "max_level": 2},
//	                "note": "fitted over concurrency 1..2, the target's 2 cores; 1 level past the cores shows ..."},
//	    "expectations": [{"name": "naive/concurrent: max_timeouts 0", "ok": false,
//	                      "detail": "timeouts 3 > max 0 (over by 3)"}],
//	    "diagnosis": [{"kind": "lock-serialized", "step": "sweep", "basis": "server-timing",
//	                   "summary": "60% of concurrent latency was spent waiting on the model lock: requests ran one at a time",
//	                   "evidence": {"concurrency": 4, "cores": 2, "cpu_cores": 1, "lock_busy": 1, "service_ms": 1600,
//	                                "speedup": 1, "staircase": 1, "wait_ms": 2352.941, "wait_share": 0.595}},
//	                  {"kind": "queue-timeouts", "step": "concurrent", "basis": "latency",
//	                   "summary": "3 of 4 requests timed out after 10.00s, 6.2x the 1.60s one request takes: ...",
//	                   "evidence": {"service_ms": 1600, "timeout_ms": 10000, "timeouts": 3, "waited_ms": 8400}}]
//	  }],
//	  "baseline": [{"name": "baseline naive/concurrent: speedup", "ok": true,
//	                "detail": "speedup 0.16 vs baseline 0.16: up 0% (allowed: down 10%)"}]
//	}
//
// A shard's report (contend run --shard I/N) also has "shard", what MergeShards
// needs to check that shards belong together and to judge the whole:
//
//	"shard": {"index": 1, "count": 4, "start_at": "2026-12-02T06:00:00Z",
//	          "scenario_yaml": "name: ...", "scenario_sha256": "9f2c...",
//	          "target": "http://10.0.0.5:8000", "out": "/results/shard-1",
//	          "steps": [{"step": "sequential", "skipped": "sequential steps run on shard 0 only"},
//	                    {"step": "burst", "requests": 160, "concurrency": 16,
//	                     "attacks": [{"planned": "...", "started": "...", "late_ms": 310,
//	                                  "first_send": "...", "last_answer": "..."}]},
//	                    {"step": "rate", "rate": "400/4s", "attacks": [...]},
//	                    {"step": "sweep", "levels": [{"level": 2, "concurrency": 1, "requests": 4}], "attacks": [...]}]}
//
// late_ms is present when the attack started more than StartTolerance after
// its slot. A merged report has "merged" instead: {"count": 4, "start_at":
// "...", "shards": [0, 1, 3], "missing": [2], "notes": ["shard 1: skipped step
// sequential: ..."]}.
//
// A run against a URL also says how its CPU was measured ("target_cpu": the
// process found listening on the port, or why not), and each comparison where
// its ideal came from ("ideal_basis": cores, concurrency or scenario). Steps and
// levels may carry "host_cpu_util" (the machine's busy cores, everyone's) and
// "runnable_threads" (the lower quartile of the target's threads running or
// waiting for a CPU, on loopback); steps of a Go target serving /debug/pprof
// carry "contention", its top blocking call sites, and the scaling finding
// "call_sites":
//
//	"contention": [{"profile": "block", "function": "target.(*naive).Acquire",
//	                "file": "target/locking.go", "line": 137, "delay_ms": 5210.4, "share": 0.71}]
//
// Top-level "expectations" are those that matched no run (they fail), and
// "baseline" holds CompareBaseline's checks when the CLI stored them.
//
// A step's "waterfall" holds its requests from send to end in send order
// ("spans": start_ms and ms from the step's first send, outcome, and the
// Server-Timing "timing" of a success), at most MaxWaterfallSpans (200) of them;
// a larger step keeps only "band", the mean requests in flight per bucket of
// bucket_ms (at most 240 buckets) and the failures that ended in each:
//
//	"waterfall": {"requests": 4, "timeout_ms": 10000, "end_ms": 10001,
//	  "spans": [{"start_ms": 0, "ms": 1600, "outcome": "ok", "timing": {"wait": 0, "load": 0, "infer": 1600}},
//	            {"start_ms": 0.1, "ms": 10000, "outcome": "timeout"}],
//	  "band": {"bucket_ms": 80, "in_flight": [4, 4], "failed": [0, 3]}}
//
// A step's requests are ok + timeouts + errors + cancelled. "cancelled" (absent
// when 0) counts requests in flight when the run was stopped (Ctrl-C): they say
// nothing about the target, so they are neither failures nor latencies.
// "timeout_ms" is the client timeout the step ran with, absent when unknown.
//
// resources are the target's process_resident_memory_bytes, go_goroutines and
// process_open_fds, sampled from its /metrics every few seconds while the step
// ran (absent when it exports none). Each trend is a least-squares line over the
// samples after the first ResourceWarmup (20%) of the sampled time, per minute;
// a soak's max_rss_growth, max_goroutine_growth and max_fd_growth judge its slope.
//
// # Diagnosis
//
// The diagnosis separates, from the numbers a run has (DESIGN.md "Diagnosis"):
// lock-serialized (flat throughput, latency in a staircase of service times,
// Server-Timing wait most of the latency), hardware-saturated (throughput rising
// to the cores, then flat, CPU busy: the good outcome), cold-start-blocked (a cold
// burst waiting on the model load), queue-timeouts (timed-out requests that had
// waited longer than a request runs), and the neighbours that must not be
// mistaken for them: serialized (flat, but not by the model lock),
// capacity-limited, parallel, partial-contention, timeouts and inconclusive.
// cpu-serialized is flat throughput without a staircase (a burst's requests
// finish together, gap_ratio near 0) while the target runs about one thread at
// a time (runnable_threads, from /proc for a loopback target) or uses about one
// core of several with others idle: Python's GIL, or a single worker thread.
// A target whose threads had work for every core is hardware-saturated even
// when a busy machine held its speedup down. For a Go target serving
// /debug/pprof, a finding's call_sites (and its summary) name the step's top
// blocking call sites from the delta of the block and mutex profiles.
// Without Server-Timing the same verdicts come from latency and throughput alone,
// with basis "latency" and a summary that says it had less to go on.
package reports
