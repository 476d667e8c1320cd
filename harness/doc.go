// Package harness runs contend scenarios: it drives vegeta attacks step by step
// against the built-in translation target or an external URL and streams what
// happens as Events.
//
//	r := harness.New(harness.Timeout(5*time.Second), harness.OutDir("out"))
//	for ev := range r.Run(ctx, sc) {
//		// RunStarted, then per target TargetStarted, per step StepStarted,
//		// Results... (batches of completed requests, with a Progress every
//		// 250 ms between them), StepDone,
//		// then TargetDone; RunDone last.
//	}
//
// Step modes (scenarios.Step.Mode):
//
//	sequential  N requests one at a time (one worker)
//	concurrent  N requests from C workers released together (the seed's burst)
//	rate        open loop at a constant rate for a duration (vegeta.ConstantPacer)
//	ramp        open loop rising linearly from rate to rate_to (vegeta.LinearPacer)
//	sweep       the concurrent mode at each level, requests_per_level each
//
// The built-in target runs as a child process per strategy:
//
//	<serve command> serve --strategy S --addr 127.0.0.1:0 --addr-file F
//	    [--size SIZE] [--load-delay D] [--intra-op-threads N]
//
// It must write its bound "host:port" to F and serve GET /healthz (200 while it
// serves), /readyz (200 once the models are loaded) and /metrics with
// process_cpu_seconds_total, which the Runner samples around every step. Its
// output goes to <out>/<run>/serve.log. It is stopped with SIGTERM (SIGKILL after
// a grace period) after its steps, on cancellation and when the Runner panics.
//
// Every response is checked against the scenario's request.expect before it is
// classified: a 2xx or 3xx with another status than the one asked for, or a body
// that is not JSON when JSON is expected (the default against the built-in
// target), becomes a failed result whose error says why ("response is not JSON:
// invalid character 'g' looking for beginning of value"), classified as other.
//
// While a step runs, the target's /metrics is sampled every SampleEvery (2 s) for
// process_resident_memory_bytes, go_goroutines and process_open_fds into
// StepResult.Resources, in bounded memory (past 1024 samples every other one is
// dropped and the interval doubles). A target whose /metrics is absent or holds
// none of them is not sampled, and no sample is recorded.
//
// With OutDir, each step's raw results are saved in vegeta's gob encoding as
// <out>/<run>/<step>.bin (a sweep: <step>-c<level>.bin), readable by
// `vegeta report` and `vegeta plot`. At most MaxBody bytes of each response
// body are kept (and saved); the rest is read and counted in bytes_in.
//
// An external target on loopback is measured from /proc: the process listening
// on its port (or TargetPID) and its children, whose CPU time is read around
// every step and level and whose runnable threads are counted every
// RunnableEvery; the machine's busy CPU time is read around every step too.
// TargetResult.CPUSource says how, or why not. With PprofURL (and always for
// the built-in target), the block and mutex profiles are taken before and
// after every step and their difference gives StepResult.Contention.
//
// Each request's latency and its client timeout run from one instant, when the
// request is handed to the transport (client.go): a response whose last byte
// comes after the deadline is a timeout, so no success is slower than its
// timeout. Each result's outcome is decided once, with reports.ClassifyLive on
// the transport's real error, and travels with it on a Results event.
//
// The package produces raw results: a StepResult is the reports.StepInput its
// report is built from, including the step's reports.Aggregate, which the
// Runner fills as results arrive and Snapshots read, so the dashboard and the
// report show the same numbers. Reporting belongs to package reports, which
// must never import harness. harness never exits the process, parses flags or
// installs signal handlers.
package harness
