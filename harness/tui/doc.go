// Package tui shows a Runner's event stream live: a Bubble Tea dashboard for
// terminals (Run) and plain progress lines for pipes and CI (Plain).
//
// It is display only. It reads the harness.Event stream to its end (the Runner
// blocks while nobody reads) and never drives load itself. The comparison rows
// and the diagnosis come from the caller through the Summarize and Diagnose
// options; of reports it uses only the outcome classes (reports.Classify), so
// that its error classes match the report's. It must not import cmd.
//
// The dashboard has four views, switched with tab:
//
//	overview   the current step's progress, throughput, in-flight and
//	           ok / timeout / error counters, the Server-Timing split of
//	           wait / load / infer, a latency chart and the comparison table
//	latency    per-request latency over the run's time, and a histogram of
//	           the current step
//	waterfall  the current step's requests, one row each in block
//	           characters: completed ones split into wait / load / infer,
//	           then those still in flight as bars growing with the clock
//	errors     failures by class with sample messages, and the target's log
//
// The in-flight count and the waterfall's open bars come from the harness's
// Progress events (requests sent, not yet answered), so they move before the
// first completion. q or ctrl+c quits (Run calls the OnQuit function so the
// caller can cancel the run), ? toggles the full help. When the stream ends the
// program leaves its final screen, the comparison table and the diagnosis, on
// the terminal; with Linger it keeps it (and the other views) until q.
// Colour is off when NO_COLOR is set or with NoColor(true).
//
// Plain writes one line when a step starts and ends, a progress line at most
// every second of a step, the target's log lines, and a last line for the run:
//
//	contend: scenario seed-repro: runs naive, double-checked; 2 steps
//	[naive] run 1/2
//	[naive] step 2/2 concurrent: 4 concurrent, 4 requests
//	[naive] concurrent: 1/4 done, ok 1, timeouts 0, errors 0, in flight 3, 0.6 req/s, 1.6s
//	[naive] concurrent: 2/4 done, ok 1, timeouts 1, errors 0, in flight 2, 0.2 req/s, 10.0s
//	[naive] step 2/2 concurrent done in 10.0s: ok 1, timeouts 3, errors 0
//	[naive] run done
//	contend: run finished in 27.5s
package tui
