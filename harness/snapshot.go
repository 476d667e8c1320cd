package harness

import (
	"bytes"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
)

// tally keeps the running counts of one step behind its Snapshots. It is used by
// the one goroutine that reads the attack's results.
type tally struct {
	stepStart  time.Time
	levelStart time.Time
	sweep      bool

	done, levelDone int
	byOutcome       [reports.NumOutcomes]int

	timed                      int // results that carried Server-Timing
	waitSum, loadSum, inferSum float64
}

func newTally(start time.Time, sweep bool) *tally {
	return &tally{stepStart: start, levelStart: start, sweep: sweep}
}

// startLevel begins a new sweep level at t.
func (t *tally) startLevel(at time.Time) {
	t.levelStart = at
	t.levelDone = 0
}

// add counts one completed request.
func (t *tally) add(class reports.Outcome, st reports.ServerTiming) {
	t.done++
	t.levelDone++
	if class >= 0 && int(class) < len(t.byOutcome) {
		t.byOutcome[class]++
	}
	if st.Have {
		t.timed++
		t.waitSum += st.WaitMs
		t.loadSum += st.LoadMs
		t.inferSum += st.InferMs
	}
}

// snapshot returns the step's state at now with inFlight requests outstanding.
func (t *tally) snapshot(now time.Time, inFlight int) Snapshot {
	s := Snapshot{
		Elapsed:   now.Sub(t.stepStart),
		Done:      t.done,
		InFlight:  max(inFlight, 0),
		OK:        t.byOutcome[reports.OK],
		Timeouts:  t.byOutcome[reports.Timeout],
		Errors:    t.done - t.byOutcome[reports.OK] - t.byOutcome[reports.Timeout] - t.byOutcome[reports.Cancelled],
		Cancelled: t.byOutcome[reports.Cancelled],
		ByOutcome: t.byOutcome,
	}
	s.Throughput = perSecond(t.done, s.Elapsed)
	if t.timed > 0 {
		n := float64(t.timed)
		s.ServerWaitMs, s.ServerLoadMs, s.ServerInferMs = t.waitSum/n, t.loadSum/n, t.inferSum/n
		s.HaveServerTiming = true
	}
	if t.sweep {
		s.LevelDone = t.levelDone
		s.LevelThroughput = perSecond(t.levelDone, now.Sub(t.levelStart))
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
