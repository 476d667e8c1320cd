package reports

import (
	"fmt"
	"math"
	"time"
)

// KindCPUSerialized: throughput flat (or well short of the cores), no latency
// staircase (the requests of a burst finish together, as under processor
// sharing), and the target running about one thread at a time on a machine
// with more cores: CPU work serialized inside one process. In a Python service,
// the GIL; elsewhere a single worker thread. (The seed's "phase 2".)
const KindCPUSerialized = "cpu-serialized"

// Thresholds of the CPU reading of a curve.
const (
	// oneThreadMin and oneThreadMax bound the lower quartile of the runnable threads of a target
	// whose CPU work runs one thread at a time (under them it mostly waits on
	// I/O; over them it runs on more than one core).
	oneThreadMin = 0.7
	oneThreadMax = 1.6
	// readyShare: a target with this share of min(concurrency, cores) threads
	// runnable has work for every core.
	readyShare = 0.8
	// oneCoreMax: without thread counts, a target busy at most this many cores
	// uses about one.
	oneCoreMax = 1.3
	// hostIdleMin: the machine had at least this many cores idle, so the target
	// could have had them.
	hostIdleMin = 0.5
	// lockGapMin: behind a FIFO lock a burst's completions are about one
	// first latency apart (gapRatio 1); sharing the CPU, they bunch (near 0).
	lockGapMin = 0.4
)

// burst returns the first burst of a segment: up to c requests sent together,
// successful or timed out.
func (sg *signals) burst(seg *segment) []request {
	var out []request
	var first time.Time
	for _, r := range seg.reqs {
		if len(out) == seg.c {
			break
		}
		if r.outcome != OK && r.outcome != Timeout {
			continue
		}
		if first.IsZero() {
			first = r.start
		}
		if millis(r.start.Sub(first)) > math.Max(sg.service/2, 5) {
			break
		}
		out = append(out, r)
	}
	return out
}

// gapRatio is the mean gap between the completions of a segment's first burst
// over its fastest latency: about 1 behind a FIFO lock (requests finish one
// service time apart, the first after one), near 0 when the requests share the
// CPU and finish together. Being a ratio within one burst, it holds on a busy
// machine where every latency stretches alike.
func (sg *signals) gapRatio(seg *segment) (float64, bool) {
	b := sg.burst(seg)
	if len(b) < 2 {
		return 0, false
	}
	lo, hi := b[0].ms, b[0].ms
	for _, r := range b {
		lo, hi = math.Min(lo, r.ms), math.Max(hi, r.ms)
	}
	if lo <= 0 {
		return 0, false
	}
	return (hi - lo) / float64(len(b)-1) / lo, true
}

// medianGapRatio is the median gapRatio over the run's segments of
// concurrency 2 or more: one burst is a small sample on a busy machine.
func (sg *signals) medianGapRatio() (float64, bool) {
	var rs []float64
	for i := range sg.segs {
		seg := &sg.segs[i]
		if seg.c < 2 || seg.rate {
			continue
		}
		if r, ok := sg.gapRatio(seg); ok {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		return 0, false
	}
	return median(rs), true
}

// completionSpread is how far apart, in ms, the first burst's requests finished.
func (sg *signals) completionSpread(seg *segment) (float64, bool) {
	b := sg.burst(seg)
	if len(b) < 2 {
		return 0, false
	}
	lo, hi := b[0].end, b[0].end
	for _, r := range b {
		if r.end.Before(lo) {
			lo = r.end
		}
		if r.end.After(hi) {
			hi = r.end
		}
	}
	return millis(hi.Sub(lo)), true
}

// lockShaped reports whether the bursts finished as behind a FIFO lock: the top
// burst in a staircase of service times, and the bursts' completions about as
// far apart as the first took (see gapRatio).
//
// With the target seen running one thread at a time, the gap ratio alone
// decides: it needs no service time measured in another step, which a busy
// machine can stretch differently (the staircase does).
func (sg *signals) lockShaped(seg *segment) bool {
	if seg.runnable != nil && *seg.runnable > oneThreadMax {
		return false // behind a lock one thread runs; these had work on several
	}
	gap, haveGap := sg.medianGapRatio()
	if seg.runnable != nil && haveGap {
		return gap >= lockGapMin
	}
	stair, ok := sg.staircase(seg)
	if !ok || stair < staircaseMin {
		return false
	}
	return !haveGap || gap >= lockGapMin
}

// judgeCPU reads a curve that fell short of the cores from the target's threads
// and CPU: one thread at a time (cpu-serialized), or work for every core on a
// machine whose cores were the limit (hardware-saturated). It returns false,
// leaving d alone, when they say neither (or are unknown). what describes the
// curve ("throughput stayed at 1.02x of one request at a time at concurrency 4").
func (sg *signals) judgeCPU(d *Diagnosis, top point, what string) bool {
	if !sg.coresSet || sg.cores < 2 || top.c < 2 || sg.lockShaped(top.seg) || !sg.cpuBound(top.seg) {
		return false
	}
	seg := top.seg
	ev := map[string]float64{} // merged into d's only when this judges
	sg.shapeEvidence(ev, seg)
	cores := sg.cores
	ready := float64(min(top.c, cores))
	busy := "its CPU not measured"
	if seg.cpu != nil {
		busy = fmt.Sprintf("%.1f of %d cores busy", *seg.cpu, cores)
	}
	hostBusy := othersBusy(seg.host, seg.cpu, cores)
	run := seg.runnable
	switch {
	case run != nil && *run > oneThreadMax && *run >= readyShare*ready:
		d.Kind = KindHardwareSaturated
		d.Summary = fmt.Sprintf("%s, yet the target had %.1f threads ready to run for %d cores (%s): "+
			"its requests run in parallel and the cores are the limit, not a lock", what, *run, cores, busy)
		if hostBusy {
			d.Summary += fmt.Sprintf("; the machine was busy (%.1f of %d cores in use, the load generator's and other processes' too), "+
				"so the speedup understates what the target would do alone", *seg.host, cores)
		}
	case run != nil && *run >= oneThreadMin && *run <= oneThreadMax:
		d.Kind = KindCPUSerialized
		d.Summary = fmt.Sprintf("%s with %.1f of the target's threads running at a time (the lower quartile of counts every 10 ms; %s) "+
			"and the requests of a burst finishing together, not one service time apart: %s", what, *run, busy, cpuSerialWords)
	case run == nil && seg.cpu != nil && *seg.cpu <= oneCoreMax && seg.host != nil && !hostBusy:
		d.Kind = KindCPUSerialized
		d.Summary = fmt.Sprintf("%s with the target using %.1f of %d cores while %.1f stayed idle, "+
			"and the requests of a burst finishing together, not one service time apart: %s",
			what, *seg.cpu, cores, float64(cores)-*seg.host, cpuSerialWords)
	default:
		return false
	}
	for k, v := range ev {
		d.Evidence[k] = v
	}
	return true
}

// cpuSerialWords says what a cpu-serialized finding means and what would help.
const cpuSerialWords = "CPU work is serialized inside one process, as under Python's GIL " +
	"(elsewhere: a single worker thread). A lock would queue requests in a staircase; this shares one core. " +
	"What would help: processes instead of threads (uvicorn or gunicorn --workers N, a ProcessPoolExecutor), " +
	"or inference that releases the GIL (numpy, ONNX Runtime or PyTorch kernels instead of Python loops)"

// shapeEvidence adds what the bursts' shape and the target's threads showed.
func (sg *signals) shapeEvidence(ev map[string]float64, seg *segment) {
	if g, ok := sg.medianGapRatio(); ok {
		ev["gap_ratio"] = g
	}
	if s, ok := sg.completionSpread(seg); ok {
		ev["completion_spread_ms"] = s
	}
	if seg.runnable != nil {
		ev["runnable_threads"] = *seg.runnable
	}
	if seg.host != nil {
		ev["host_cpu_cores"] = *seg.host
	}
}

// oneThread reports whether the target ran about one thread at a time at the
// top of the curve, on a machine with more cores.
func (sg *signals) oneThread(top point) bool {
	run := top.seg.runnable
	return run != nil && sg.coresSet && sg.cores >= 2 && top.c >= 2 &&
		*run >= oneThreadMin && *run <= oneThreadMax && sg.cpuBound(top.seg)
}

func (sg *signals) cpuBound(seg *segment) bool {
	ok := seg.ok()
	if seg.cpu == nil || sg.service <= 0 || ok == 0 {
		return true
	}
	return cpuShareOfService(*seg.cpu*seg.wall.Seconds(), ok, sg.service) >= cpuBoundShare
}

// othersBusy reports whether the machine's cores were nearly all busy, at least
// hostIdleMin of them with other work than the target's (when its CPU is known).
func othersBusy(host, target *float64, cores int) bool {
	if host == nil || cores <= 0 || *host <= float64(cores)-hostIdleMin {
		return false
	}
	return target == nil || *host-*target >= hostIdleMin
}

// busyNote says when the machine was busy during a comparison's steps: the
// target shares the cores with the load generator and everything else running,
// so its speedup measures them too.
func busyNote(steps ...*Step) string {
	for _, s := range steps {
		if othersBusy(s.HostCPUUtil, s.CPUUtil, s.Cores) {
			return fmt.Sprintf("the machine was busy during step %q (%.1f of %d cores in use, the target's and everyone else's): "+
				"the speedup measures the neighbours too; the diagnosis reads the target's own threads", s.Name, *s.HostCPUUtil, s.Cores)
		}
	}
	return ""
}
