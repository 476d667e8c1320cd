package reports

import (
	"fmt"
	"math"
	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"gonum.org/v1/gonum/stat"

	"contend/scenarios"
)

// request is one result as the diagnosis reads it.
type request struct {
	start, end time.Time
	ms         float64
	outcome    Outcome
	st         ServerTiming
}

// segment is a stretch of requests sent at one concurrency: a step, or one level
// of a sweep step.
type segment struct {
	step string // the step's name (a sweep level's segment has its step's name)
	c    int
	wall time.Duration
	reqs []request // ordered by start
	cpu  *float64  // cores busy, nil when unknown
	host *float64  // the machine's busy cores (everyone's), nil when unknown
	// runnable is the lower quartile of the target's threads running or waiting for a CPU, nil
	// when unknown.
	runnable *float64
	rate     bool // an offered-rate step: its throughput is not a capacity
}

func (s *segment) ok() int {
	n := 0
	for _, r := range s.reqs {
		if r.outcome == OK {
			n++
		}
	}
	return n
}

// signals are the numbers the diagnosis reasons from, gathered once per run.
type signals struct {
	segs     []segment
	haveST   bool      // some successful request carried Server-Timing
	loaders  []request // successful requests that loaded the models
	loadEnd  time.Time // when the last loader finished
	service  float64   // one request's service time, ms (0: unknown)
	basis    string    // where service came from
	cores    int       // requests the target can run at once (0: unknown)
	coresSet bool      // cores came from the host or the scenario, not from a guess
}

// gather turns a run's raw results into signals.
func gather(sc *scenarios.Scenario, run *Run, ri RunInput) *signals {
	sg := &signals{}
	builtin := run.Target == TargetBuiltin
	for i, si := range ri.Steps {
		var st *Step
		if i < len(run.Steps) {
			st = &run.Steps[i]
		}
		rate := si.Step.Mode == scenarios.ModeRate || si.Step.Mode == scenarios.ModeRamp
		if len(si.Levels) > 0 && si.Step.Mode == scenarios.ModeSweep {
			for j, l := range si.Levels {
				seg := segment{step: si.Step.Name, c: l.Concurrency,
					wall: l.Wall, reqs: toRequests(l.Results)}
				if st != nil && j < len(st.Levels) {
					seg.cpu = st.Levels[j].CPUUtil
					seg.host, seg.runnable = st.Levels[j].HostCPUUtil, st.Levels[j].RunnableThreads
				}
				sg.segs = append(sg.segs, seg)
			}
			continue
		}
		seg := segment{step: si.Step.Name, wall: si.Wall, reqs: toRequests(si.Results), rate: rate}
		if st != nil {
			seg.c, seg.cpu = st.Concurrency, st.CPUUtil
			seg.host, seg.runnable = st.HostCPUUtil, st.RunnableThreads
			if sg.cores == 0 {
				sg.cores = coresFor(st, builtin, sc.Target.Ideal)
			}
		}
		sg.segs = append(sg.segs, seg)
	}
	for i := 0; sg.cores == 0 && i < len(run.Steps); i++ {
		// An external target's cores are known only when the harness could tell
		// (a loopback URL runs on this machine); they inform the diagnosis, while
		// comparisons keep DESIGN.md's ideal (the concurrency).
		sg.cores = coresFor(&run.Steps[i], builtin, sc.Target.Ideal)
		if sg.cores == 0 {
			sg.cores = run.Steps[i].Cores
		}
	}
	sg.coresSet = sg.cores > 0
	for _, seg := range sg.segs {
		for _, r := range seg.reqs {
			if r.outcome != OK || !r.st.Have {
				continue
			}
			sg.haveST = true
			if r.st.LoadMs > 0 {
				sg.loaders = append(sg.loaders, r)
				if r.end.After(sg.loadEnd) {
					sg.loadEnd = r.end
				}
			}
		}
	}
	sg.service, sg.basis = sg.serviceTime()
	return sg
}

func toRequests(results []vegeta.Result) []request {
	results = byStart(results)
	out := make([]request, len(results))
	for i := range results {
		r := &results[i]
		out[i] = request{start: r.Timestamp, end: r.End(), ms: millis(r.Latency), outcome: Classify(r)}
		if out[i].outcome == OK {
			out[i].st = ParseServerTiming(r.Headers.Values("Server-Timing"))
		}
	}
	return out
}

// basisAlone is the service time's basis when a step sent one request at a time.
const basisAlone = "median of requests sent one at a time"

// oneRequest names the service time s in words, with where it came from when
// no step sent requests one at a time.
func (sg *signals) oneRequest(s float64) string {
	if sg.basis == basisAlone || sg.basis == "" {
		return fmtMs(s) + " one request takes"
	}
	return fmt.Sprintf("%s one request takes (%s)", fmtMs(s), sg.basis)
}

// warm reports whether a request ran after every model load had finished.
func (sg *signals) warm(r request) bool {
	return r.st.LoadMs == 0 && !r.start.Before(sg.loadEnd)
}

// serviceTime is one warm request's time alone: the median of the warm
// successful requests sent one at a time, else the median Server-Timing infer,
// else the fastest warm request of any step.
func (sg *signals) serviceTime() (float64, string) {
	var alone, infer, any []float64
	for _, seg := range sg.segs {
		for _, r := range seg.reqs {
			if r.outcome != OK || !sg.warm(r) {
				continue
			}
			if seg.c == 1 && !seg.rate {
				alone = append(alone, r.ms)
			}
			if r.st.Have && r.st.InferMs > 0 {
				infer = append(infer, r.st.InferMs)
			}
			any = append(any, r.ms)
		}
	}
	switch {
	case len(alone) > 0:
		return median(alone), basisAlone
	case len(infer) > 0:
		return median(infer), "the median Server-Timing infer: no step sent one request at a time"
	case len(any) > 0:
		sort.Float64s(any)
		return any[0], "the fastest request of any step: no step sent one request at a time"
	}
	return 0, ""
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	return stat.Quantile(0.5, stat.Empirical, s, nil)
}

// throughput is a segment's successful requests per second, leaving out the time
// its requests spent loading the models (a one-time, serial cost).
func (sg *signals) throughput(seg *segment) float64 {
	wall := seg.wall
	if wall <= 0 && len(seg.reqs) > 0 {
		first, last := seg.reqs[0].start, seg.reqs[0].end
		for _, r := range seg.reqs {
			if r.end.After(last) {
				last = r.end
			}
		}
		wall = last.Sub(first)
	}
	var load float64
	for _, r := range seg.reqs {
		load += r.st.LoadMs
	}
	secs := wall.Seconds() - load/1000
	if secs <= 0 {
		return 0
	}
	return float64(seg.ok()) / secs
}

// point is throughput at one concurrency, relative to one request at a time.
type point struct {
	c   int
	r   float64 // throughput / single-request throughput
	seg *segment
}

// curve returns the relative throughput of every segment with concurrency 2 or
// more, by concurrency.
func (sg *signals) curve() []point {
	if sg.service <= 0 {
		return nil
	}
	x1 := 1000 / sg.service
	var pts []point
	for i := range sg.segs {
		seg := &sg.segs[i]
		// A segment with no successes has no throughput to read: its timeouts are
		// the queue-timeouts finding's, not a flat curve's.
		if seg.c < 2 || seg.rate || seg.ok() == 0 {
			continue
		}
		pts = append(pts, point{c: seg.c, r: sg.throughput(seg) / x1, seg: seg})
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].c < pts[j].c })
	return pts
}

// waitShare is the fraction of the warm successful requests' latency spent in
// Server-Timing wait, over segments of concurrency 2 or more; ok is false with
// fewer than two such requests.
func (sg *signals) waitShare() (share, meanWait float64, ok bool) {
	var wait, lat float64
	n := 0
	for _, seg := range sg.segs {
		if seg.c < 2 {
			continue
		}
		for _, r := range seg.reqs {
			if r.outcome != OK || !r.st.Have || !sg.warm(r) {
				continue
			}
			wait += r.st.WaitMs
			lat += r.ms
			n++
		}
	}
	if n < 2 || lat <= 0 {
		return 0, 0, false
	}
	return wait / lat, wait / float64(n), true
}

// staircase measures the first burst of a segment: the spread of its latencies
// in service times per request, (max - min) / ((m-1) x service). Requests queued
// behind a lock finish one service time apart (about 1); requests sharing cores
// finish together (about 0). Timed-out requests count at their timeout. ok is
// false when the burst's requests were not sent together.
func (sg *signals) staircase(seg *segment) (float64, bool) {
	if sg.service <= 0 || seg.c < 2 {
		return 0, false
	}
	var lat []float64
	for _, r := range sg.burst(seg) {
		lat = append(lat, r.ms)
	}
	if len(lat) < 2 {
		return 0, false
	}
	lo, hi := lat[0], lat[0]
	for _, l := range lat {
		lo, hi = math.Min(lo, l), math.Max(hi, l)
	}
	return (hi - lo) / (float64(len(lat)-1) * sg.service), true
}

// lockBusy is the share of a segment's time the model lock was held for
// inference, by Little's law: successful throughput x mean Server-Timing infer
// of its warm requests. Near 1 with requests waiting means the lock was the
// bottleneck. ok is false without Server-Timing.
func (sg *signals) lockBusy(seg *segment) (float64, bool) {
	var infer []float64
	for _, r := range seg.reqs {
		if r.outcome == OK && r.st.Have && sg.warm(r) {
			infer = append(infer, r.st.InferMs)
		}
	}
	if len(infer) < 2 {
		return 0, false
	}
	return sg.throughput(seg) * mean(infer) / 1000, true
}
