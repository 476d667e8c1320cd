package tui

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// t0 is the scripted streams' start time.
var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// script builds an event stream as a Runner would emit it, with a clock it
// moves by hand and snapshots it keeps up to date.
type script struct {
	now    time.Time
	events []harness.Event

	run       string
	runIndex  int
	step      scenarios.Step
	stepIndex int
	stepStart time.Time
	level     int // sweep level under way
	levelAt   time.Time
	snap      harness.Snapshot
	timed     int
	agg       *reports.Aggregate // the step's, as the runner keeps it
	results   []vegeta.Result
	steps     []harness.StepResult
}

func newScript() *script { return &script{now: t0} }

func (s *script) after(d time.Duration) *script {
	s.now = s.now.Add(d)
	return s
}

func (s *script) emit(ev harness.Event) {
	ev.Time = s.now
	s.events = append(s.events, ev)
}

func (s *script) runStarted(sc *scenarios.Scenario, runs ...string) {
	s.emit(harness.Event{Kind: harness.RunStarted, Scenario: sc, Runs: runs})
}

func (s *script) targetStarted(run string, index int) {
	s.run, s.runIndex, s.steps = run, index, nil
	s.emit(harness.Event{Kind: harness.TargetStarted, Run: run, RunIndex: index})
}

func (s *script) stepStarted(step scenarios.Step, index int) {
	s.step, s.stepIndex, s.stepStart, s.snap, s.timed, s.results = step, index, s.now, harness.Snapshot{}, 0, nil
	s.agg = reports.NewAggregate()
	total := step.Requests
	var d time.Duration
	if total == 0 {
		d = step.Duration.Duration
	}
	s.emit(harness.Event{Kind: harness.StepStarted, Run: s.run, Step: step, StepIndex: index, Total: total, Duration: d})
}

// result records a request sent at sent that ended now. A non-empty errText
// makes it a transport failure (code 0); timing is Server-Timing wait, load
// and infer in ms (nil: none).
func (s *script) result(sent time.Time, code uint16, errText string, inFlight int, timing []float64) {
	r := &vegeta.Result{Timestamp: sent, Latency: s.now.Sub(sent), Code: code, Error: errText,
		Method: http.MethodPost, URL: "http://127.0.0.1:8080/translate"}
	if code >= 400 && errText == "" {
		r.Error = fmt.Sprintf("%d %s", code, http.StatusText(int(code)))
	}
	s.results = append(s.results, *r)
	o := reports.Classify(r)
	s.agg.Add(r, o)
	s.snap.Latency = s.agg.Latency()
	s.snap.Done++
	s.snap.ByOutcome[o]++
	switch o {
	case reports.OK:
		s.snap.OK++
	case reports.Timeout:
		s.snap.Timeouts++
	default:
		s.snap.Errors++
	}
	if timing != nil {
		r.Headers = http.Header{"Server-Timing": {fmt.Sprintf("wait;dur=%g, load;dur=%g, infer;dur=%g", timing[0], timing[1], timing[2])}}
		n := float64(s.timed)
		s.snap.ServerWaitMs = (s.snap.ServerWaitMs*n + timing[0]) / (n + 1)
		s.snap.ServerLoadMs = (s.snap.ServerLoadMs*n + timing[1]) / (n + 1)
		s.snap.ServerInferMs = (s.snap.ServerInferMs*n + timing[2]) / (n + 1)
		s.snap.HaveServerTiming = true
		s.timed++
	}
	s.snap.InFlight = inFlight
	s.snap.Elapsed = s.now.Sub(s.stepStart)
	s.snap.Throughput = float64(s.snap.Done) / s.snap.Elapsed.Seconds()
	if s.level > 0 {
		s.snap.LevelDone++
		s.snap.LevelThroughput = float64(s.snap.LevelDone) / s.now.Sub(s.levelAt).Seconds()
	}
	s.emit(harness.Event{Kind: harness.Results, Run: s.run, Step: s.step, StepIndex: s.stepIndex, Level: s.level,
		Results: []harness.Completed{{Result: r, Outcome: o}}, Snapshot: s.snap})
}

// progress emits a Progress tick with the requests sent at the given times
// still in flight.
func (s *script) progress(sent ...time.Time) {
	s.snap.InFlight = len(sent)
	s.snap.Elapsed = s.now.Sub(s.stepStart)
	s.emit(harness.Event{Kind: harness.Progress, Run: s.run, Step: s.step, StepIndex: s.stepIndex, Level: s.level,
		Snapshot: s.snap, Sent: sent})
}

func (s *script) stepDone() {
	sr := harness.StepResult{Started: s.stepStart, StepInput: reports.StepInput{
		Step: s.step, Wall: s.now.Sub(s.stepStart), Results: s.results, Aggregate: s.agg}}
	s.steps = append(s.steps, sr)
	s.emit(harness.Event{Kind: harness.StepDone, Run: s.run, Step: s.step, StepIndex: s.stepIndex, StepResult: &sr,
		Snapshot: s.snap})
}

func (s *script) targetDone() {
	tr := &harness.TargetResult{Run: s.run, Strategy: s.run, URL: "http://127.0.0.1:8080", Steps: s.steps}
	s.emit(harness.Event{Kind: harness.TargetDone, Run: s.run, RunIndex: s.runIndex, TargetResult: tr})
}

func (s *script) log(msg string) {
	s.emit(harness.Event{Kind: harness.Log, Run: s.run, Message: msg})
}

func (s *script) runDone(err error) {
	s.emit(harness.Event{Kind: harness.RunDone, Err: err})
}

// The seed's numbers: a translation takes 1.6 s; the first request of a cold
// server also loads the models (1.4 s of it); the client gives up after 10 s.
const (
	service = 1600 * time.Millisecond
	timeout = 10 * time.Second
)

const timeoutError = `Post "http://127.0.0.1:8080/translate": context deadline exceeded ` +
	`(Client.Timeout exceeded while awaiting headers)`

func seedScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "seed-repro",
		Steps: []scenarios.Step{
			{Name: "sequential", Mode: scenarios.ModeSequential, Requests: 4},
			{Name: "concurrent", Mode: scenarios.ModeConcurrent, Requests: 4, Concurrency: 4},
		},
	}
}

// seedStream is the seed's before and after: naive locking serializes the
// concurrent burst (one answer, three timeouts), double-checked runs it in
// parallel.
func seedStream() []harness.Event {
	sc := seedScenario()
	s := newScript()
	s.runStarted(sc, "naive", "double-checked")

	s.log("starting contend serve --strategy naive")
	s.targetStarted("naive", 0)
	s.sequential(sc.Steps[0], true)
	s.stepStarted(sc.Steps[1], 1)
	burst := s.now
	s.after(harness.ProgressEvery)
	s.progress(burst, burst, burst, burst)
	s.after(service - harness.ProgressEvery)
	s.result(burst, 200, "", 3, []float64{0, 0, 1600})
	s.after(timeout - service)
	for i := range 3 {
		s.result(burst, 0, timeoutError, 2-i, nil)
	}
	s.stepDone()
	s.targetDone()

	s.log("starting contend serve --strategy double-checked")
	s.targetStarted("double-checked", 1)
	s.sequential(sc.Steps[0], true)
	s.stepStarted(sc.Steps[1], 1)
	burst = s.now
	s.after(harness.ProgressEvery)
	s.progress(burst, burst, burst, burst)
	s.after(service + 100*time.Millisecond - harness.ProgressEvery)
	for i := range 4 {
		s.after(50 * time.Millisecond)
		s.result(burst, 200, "", 3-i, []float64{0.1, 0, 1700 + 50*float64(i)})
	}
	s.stepDone()
	s.targetDone()
	s.runDone(nil)
	return s.events
}

// sequential runs four requests one after the other; the first loads the
// models when cold.
func (s *script) sequential(step scenarios.Step, cold bool) {
	s.stepStarted(step, 0)
	for i := range step.Requests {
		sent := s.now
		load := 0.0
		if cold && i == 0 {
			load = 1400
			s.after(1400 * time.Millisecond)
		}
		s.after(service)
		s.result(sent, 200, "", 0, []float64{0, load, 1600})
	}
	s.stepDone()
}

// sweepLevel starts a sweep level.
func (s *script) sweepLevel(level int) {
	s.level, s.levelAt, s.snap.LevelDone = level, s.now, 0
}

// sweepStream is a sweep over concurrency 1, 2 and 4 against a target that
// serializes: the latency grows in steps of the service time with the level.
func sweepStream() []harness.Event {
	step := scenarios.Step{Name: "sweep", Mode: scenarios.ModeSweep, Levels: []int{1, 2, 4}, RequestsPerLevel: 4}
	s := newScript()
	s.runStarted(&scenarios.Scenario{Name: "scaling", Steps: []scenarios.Step{step}}, "naive")
	s.targetStarted("naive", 0)
	s.stepStarted(step, 0)
	s.events[len(s.events)-1].Total = 12
	for _, level := range step.Levels {
		s.sweepLevel(level)
		for range 4 / level {
			sent := s.now
			for i := range level {
				s.after(service)
				wait := float64(i) * 1600
				s.result(sent, 200, "", level-1-i, []float64{wait, 0, 1600})
			}
		}
	}
	return s.events
}

// upTo returns the events up to and including the n-th (from 1) event of kind
// in run ("" any run).
func upTo(events []harness.Event, kind harness.EventKind, run string, n int) []harness.Event {
	for i, ev := range events {
		if ev.Kind == kind && (run == "" || ev.Run == run) {
			n--
			if n == 0 {
				return events[:i+1]
			}
		}
	}
	panic(fmt.Sprintf("no %d-th %v of %q", n, kind, run))
}

// errBroken is a run failure for tests.
var errBroken = errors.New("target exited: signal: killed")

// testRow is the Summarize hook of the tests, as the CLI's: the run's report,
// its first comparison.
func testRow(tr *harness.TargetResult) Row {
	rep := reports.Build(reports.Input{Runs: []reports.RunInput{tr.ReportRun()}})
	row := Row{Run: tr.Run}
	run := rep.Runs[0]
	for _, st := range run.Steps {
		row.Timeouts += st.Timeouts
	}
	if len(run.Comparisons) > 0 {
		c := run.Comparisons[0]
		row.Speedup, row.Verdict = c.Speedup, c.Verdict
		row.Sequential = time.Duration(run.StepNamed(c.Base).WallS * float64(time.Second))
		row.Concurrent = time.Duration(run.StepNamed(c.Step).WallS * float64(time.Second))
	}
	return row
}
