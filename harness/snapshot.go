package harness

import (
	"bytes"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
)

// tally keeps the running numbers of one step behind its Snapshots: the step's
// reports.Aggregate (the one its report is built from) and the current sweep
// level's. It is used by the one goroutine that reads the attack's results.
type tally struct {
	stepStart  time.Time
	levelStart time.Time
	sweep      bool

	step, level *reports.Aggregate

	// latency is the step's percentiles as last read; reading an HDR histogram
	// costs too much to do for every result, so it is refreshed every
	// latencyEvery and at the step's end.
	latency   reports.Latency
	latencyAt time.Time
}

// latencyEvery is how often a live Snapshot's percentiles are refreshed.
const latencyEvery = 100 * time.Millisecond

func newTally(start time.Time, sweep bool) *tally {
	return &tally{stepStart: start, levelStart: start, sweep: sweep, step: reports.NewAggregate(), level: reports.NewAggregate()}
}

// startLevel begins a new sweep level at t and returns the finished level's aggregate.
func (t *tally) startLevel(at time.Time) *reports.Aggregate {
	done := t.level
	t.levelStart = at
	t.level = reports.NewAggregate()
	return done
}

// add counts one completed request of the given outcome.
func (t *tally) add(res *vegeta.Result, class reports.Outcome) {
	t.step.Add(res, class)
	if t.sweep {
		t.level.Add(res, class)
	}
}

// snapshot returns the step's state at now with inFlight requests outstanding;
// final forces fresh percentiles.
func (t *tally) snapshot(now time.Time, inFlight int, final bool) Snapshot {
	a := t.step
	if final || now.Sub(t.latencyAt) >= latencyEvery {
		t.latency, t.latencyAt = a.Latency(), now
	}
	s := Snapshot{
		Elapsed:   now.Sub(t.stepStart),
		Done:      a.Requests,
		InFlight:  max(inFlight, 0),
		OK:        a.OK(),
		Timeouts:  a.Timeouts(),
		Errors:    a.Errors(),
		Cancelled: a.Cancelled(),
		ByOutcome: a.ByOutcome,
		Latency:   t.latency,
	}
	s.Throughput = perSecond(a.Requests, s.Elapsed)
	if sm, ok := a.ServerMeans(); ok {
		s.ServerWaitMs, s.ServerLoadMs, s.ServerInferMs = sm.Wait, sm.Load, sm.Infer
		s.HaveServerTiming = true
	}
	if t.sweep {
		s.LevelDone = t.level.Requests
		s.LevelThroughput = perSecond(t.level.Requests, now.Sub(t.levelStart))
	}
	return s
}

func perSecond(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

// serverTimingHeader is the canonical name of the Server-Timing header.
const serverTimingHeader = "Server-Timing"

// maxKeptBody caps the body kept in memory of a failed response: enough for the
// report to quote the target's error message ("model file ... is missing").
const maxKeptBody = 256

// slim drops what the Runner does not keep in memory: the body of a success, all
// but the first maxKeptBody bytes of a failure's, and every header but
// Server-Timing. The raw file is written before this.
func slim(r *vegeta.Result) {
	if r.Code < 400 || len(r.Body) == 0 {
		r.Body = nil
	} else {
		r.Body = bytes.Clone(r.Body[:min(len(r.Body), maxKeptBody)])
	}
	if v := r.Headers.Values(serverTimingHeader); len(v) > 0 {
		r.Headers = map[string][]string{serverTimingHeader: v}
	} else {
		r.Headers = nil
	}
}
