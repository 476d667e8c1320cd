package reports

import (
	"fmt"
	"math"

	"contend/scenarios"
)

// Diagnosis kinds: what a run's numbers say about how the target handled
// concurrent requests (DESIGN.md "Diagnosis").
const (
	// KindLockSerialized: throughput flat from concurrency 1 up, latency a
	// staircase of whole service times, Server-Timing wait most of the latency.
	KindLockSerialized = "lock-serialized"
	// KindSerialized: throughput flat, but not from waiting on the model lock
	// (or no way to tell where the requests queued).
	KindSerialized = "serialized"
	// KindHardwareSaturated: throughput rose until concurrency reached the cores,
	// then stayed flat with the CPU busy: the good outcome, not contention.
	KindHardwareSaturated = "hardware-saturated"
	// KindCapacityLimited: throughput levelled off below the cores while the CPU
	// was not busy: a limit other than the hardware (a pool, a connection cap).
	KindCapacityLimited = "capacity-limited"
	// KindParallel: throughput grew with concurrency, close to the ideal.
	KindParallel = "parallel"
	// KindPartialContention: throughput grew, but well short of the ideal.
	KindPartialContention = "partial-contention"
	// KindColdStart: the first requests of a cold burst waited on the model load,
	// later ones did not.
	KindColdStart = "cold-start-blocked"
	// KindQueueTimeouts: requests that timed out had waited longer than they ran.
	KindQueueTimeouts = "queue-timeouts"
	// KindTimeouts: timeouts that are not a queue (the timeout is shorter than the
	// work, or there is nothing to compare them with).
	KindTimeouts = "timeouts"
	// KindInconclusive: the run cannot tell a lock from parallel work.
	KindInconclusive = "inconclusive"
)

// Bases of a diagnosis: what it was judged from.
const (
	BasisServerTiming = "server-timing" // the target's Server-Timing wait, load and infer
	BasisLatency      = "latency"       // latency and throughput alone
)

// Diagnosis is one finding about a run, in plain words, with the numbers behind
// it. Basis is BasisServerTiming when the target's Server-Timing header backed
// it, BasisLatency when latency and throughput alone did (less to go on).
type Diagnosis struct {
	Kind     string             `json:"kind"`
	Step     string             `json:"step,omitempty"`
	Summary  string             `json:"summary"`
	Basis    string             `json:"basis"`
	Evidence map[string]float64 `json:"evidence"`
	// CallSites are the diagnosed step's top blocking call sites, for a Go
	// target serving /debug/pprof (see CallSite); absent otherwise.
	CallSites []CallSite `json:"call_sites,omitempty"`
}

// Thresholds of the diagnosis.
const (
	flatMaxSpeedup   = SerializedMaxSpeedup  // relative throughput at or under this is flat
	scaledEfficiency = ParallelMinEfficiency // relative throughput at this share of ideal is scaling
	staircaseMin     = 0.6                   // burst spread, in service times per request, of a lock
	waitShareFloor   = 0.1                   // the least wait share read as lock waiting
	idleCPUShare     = 0.6                   // under this share of the cores busy, the CPU is not the limit
	coldBlockedShare = 0.5                   // a cold request that waited this share of the load was blocked by it
	coldLatencyRatio = 3.0                   // without Server-Timing, a first burst this much slower than usual is cold
	queueRatio       = 2.0                   // a timeout this many service times long means the request queued
	// lockedMaxEfficiency: with lock wait dominating, throughput under this share
	// of the ideal is read as serialized even above flatMaxSpeedup.
	lockedMaxEfficiency = 0.5
	// lockBusyMin: a lock held (inferring) this share of the time is saturated.
	lockBusyMin = 0.8
)

// idealAt is the ideal relative throughput at concurrency c with the given
// cores (0: unknown, no limit).
func idealAt(c, cores int) float64 {
	if cores > 0 {
		return float64(min(c, cores))
	}
	return float64(c)
}

// lockWaitShare is the least Server-Timing wait share read as lock-serialized at
// concurrency c: half of what a fully serialized burst of c would show,
// (c-1)/(c+1) (requests 1..c each wait for those before them).
func lockWaitShare(c int) float64 {
	return math.Max(waitShareFloor, 0.5*float64(c-1)/float64(c+1))
}

// diagnose explains a run's numbers in plain words.
func diagnose(sc *scenarios.Scenario, run *Run, ri RunInput) []Diagnosis {
	out := []Diagnosis{}
	sg := gather(sc, run, ri)
	if d, ok := sg.scaling(run); ok {
		withCallSites(&d, run)
		out = append(out, d)
	}
	out = append(out, sg.coldStart(sc)...)
	out = append(out, sg.timeouts()...)
	for i := range out {
		for k, v := range out[i].Evidence {
			out[i].Evidence[k] = round3(v)
		}
	}
	return out
}

// scaling judges how throughput grew with concurrency: the lock, the hardware,
// or parallel work.
func (sg *signals) scaling(run *Run) (Diagnosis, bool) {
	pts := sg.curve()
	if len(pts) == 0 {
		if sg.service <= 0 && len(run.Steps) > 0 {
			return Diagnosis{}, false // nothing succeeded: the timeouts finding says so
		}
		d := Diagnosis{Kind: KindInconclusive, Basis: BasisLatency, Evidence: map[string]float64{},
			Summary: "no step sent more than one request at a time: nothing to tell a lock from parallel work"}
		peak := 0
		for _, st := range run.Steps {
			peak = max(peak, st.PeakInFlight)
		}
		if peak > 1 {
			d.Evidence["peak_in_flight"] = float64(peak)
			d.Summary = fmt.Sprintf("up to %d requests were in flight at once, but only in rate or ramp steps, whose throughput "+
				"is set by the offered rate: add a concurrent or sweep step to tell a lock from parallel work", peak)
		}
		return d, true
	}
	top := pts[len(pts)-1]
	for _, p := range pts {
		if p.c == top.c && len(p.seg.reqs) > len(top.seg.reqs) {
			top = p
		}
	}
	ev := map[string]float64{"concurrency": float64(top.c), "speedup": top.r, "service_ms": sg.service}
	if sg.coresSet {
		ev["cores"] = float64(sg.cores)
	}
	if top.seg.cpu != nil {
		ev["cpu_cores"] = *top.seg.cpu
	}
	share, meanWait, haveWait := sg.waitShare()
	if haveWait {
		ev["wait_share"], ev["wait_ms"] = share, meanWait
	}
	stair, haveStair := sg.staircase(top.seg)
	if haveStair {
		ev["staircase"] = stair
	}
	basis := BasisLatency
	if haveWait {
		basis = BasisServerTiming
	}
	d := Diagnosis{Step: stepOf(top.seg), Basis: basis, Evidence: ev}
	flat := true
	for _, p := range pts {
		flat = flat && p.r <= flatMaxSpeedup
	}
	// Work outside the lock (parsing, the network) overlaps even behind a lock, so
	// throughput can beat one-at-a-time a little. With Server-Timing wait
	// dominating, the requests still ran one at a time when the lock was busy
	// nearly all the time (throughput x inference time near 1), or throughput
	// stayed under half the ideal.
	locked := false
	if haveWait && share >= lockWaitShare(top.c) {
		busy, haveBusy := sg.lockBusy(top.seg)
		if haveBusy {
			ev["lock_busy"] = busy
		}
		locked = (haveBusy && busy >= lockBusyMin) || top.r < lockedMaxEfficiency*idealAt(top.c, sg.cores)
	}
	// A target seen running one thread at a time cannot have run two requests'
	// work at once, whatever its throughput seemed to gain (a baseline slowed by
	// a busy machine): read it as flat, and let the shape say by what.
	if sg.oneThread(top) {
		flat = true
	}
	if flat || locked {
		sg.judgeFlat(&d, top, share, haveWait, stair, haveStair)
		return d, true
	}
	sg.judgeRising(&d, pts, top, share, haveWait)
	return d, true
}

// judgeFlat names a throughput that stayed flat from concurrency 1 upward.
func (sg *signals) judgeFlat(d *Diagnosis, top point, share float64, haveWait bool, stair float64, haveStair bool) {
	flatWords := fmt.Sprintf("throughput stayed at %.2fx of one request at a time at concurrency %d", top.r, top.c)
	if top.r > flatMaxSpeedup {
		flatWords = fmt.Sprintf("throughput reached only %.2fx of one request at a time at concurrency %d", top.r, top.c)
	}
	switch {
	case haveWait && share >= lockWaitShare(top.c):
		d.Kind = KindLockSerialized
		d.Summary = fmt.Sprintf("%.0f%% of concurrent latency was spent waiting on the model lock: requests ran one at a time",
			share*100)
	case haveWait && sg.coresSet && sg.cores == 1:
		d.Kind = KindHardwareSaturated
		d.Summary = flatWords + " with almost no lock wait, on a target with one core: the core is the limit, not a lock"
	case haveWait && sg.judgeCPU(d, top, flatWords):
	case haveWait:
		d.Kind = KindSerialized
		d.Summary = fmt.Sprintf("%s, yet requests spent only %.0f%% of their time waiting on the model lock: "+
			"something else ran them one at a time (a single worker, an interpreter lock, one busy core)", flatWords, share*100)
	case sg.coresSet && sg.cores == 1:
		d.Kind = KindInconclusive
		d.Summary = "the target has one core, so flat throughput is expected: without Server-Timing a lock cannot be told from the hardware"
	case sg.lockShaped(top.seg):
		sg.shapeEvidence(d.Evidence, top.seg)
		d.Kind = KindLockSerialized
		d.Summary = fmt.Sprintf("%s and latency climbed in steps of one service time (%s): requests ran one at a time, "+
			"as behind a lock%s", flatWords, fmtMs(sg.service), sg.lessToGoOn())
	case sg.judgeCPU(d, top, flatWords):
		if !haveWait {
			d.Summary += sg.lessToGoOn()
		}
	default:
		d.Kind = KindSerialized
		d.Summary = fmt.Sprintf("%s: requests were serialized, but with no latency staircase it cannot say by what%s",
			flatWords, sg.lessToGoOn())
	}
}

// judgeRising names a throughput that grew with concurrency: scaling to the
// hardware, another capacity limit, parallel, or partly serialized.
func (sg *signals) judgeRising(d *Diagnosis, pts []point, top point, share float64, haveWait bool) {
	knee := sg.cores
	if knee == 0 {
		// Unknown cores: the knee is the highest concurrency that still scaled.
		for _, p := range pts {
			if p.r >= scaledEfficiency*float64(p.c) {
				knee = p.c
			}
		}
	}
	ideal := float64(top.c)
	plateau := knee > 0 && top.c > knee && top.r <= flatMaxSpeedup*float64(knee)
	if plateau {
		ideal = float64(knee)
	}
	eff := top.r / ideal
	d.Evidence["efficiency"] = eff
	waited := haveWait && share >= lockWaitShare(top.c)
	// Short of the ideal, or levelled off, without lock wait: the target's
	// threads and CPU may say why (work for every core on a machine busy with
	// other work, rather than another capacity limit).
	if !waited && (eff < scaledEfficiency || plateau) && sg.judgeCPU(d, top, fmt.Sprintf("throughput grew %.2fx from 1 to %d concurrent requests", top.r, top.c)) {
		if !haveWait {
			d.Summary += sg.lessToGoOn()
		}
		return
	}
	switch {
	case eff < scaledEfficiency || waited:
		d.Kind = KindPartialContention
		d.Summary = fmt.Sprintf("throughput grew %.2fx where %.0fx was possible (%.0f%%): part of each request still runs one at a time",
			top.r, ideal, eff*100)
		if haveWait {
			d.Summary += fmt.Sprintf(" (%.0f%% of concurrent latency was lock wait)", share*100)
		}
	case plateau:
		busy := top.seg.cpu
		if sg.coresSet && busy != nil && *busy < idleCPUShare*float64(knee) {
			d.Kind = KindCapacityLimited
			d.Summary = fmt.Sprintf("throughput rose %.2fx by concurrency %d and then levelled off while only %.1f of %d cores were busy: "+
				"a limit other than the CPU (a worker pool, a connection cap), not a lock", top.r, knee, *busy, knee)
			return
		}
		d.Kind = KindHardwareSaturated
		where := fmt.Sprintf("the target's %s", plural(knee, "core", "cores"))
		if !sg.coresSet {
			where = fmt.Sprintf("about %d requests at a time, the target's cores or workers (its core count is unknown)", knee)
		}
		cpu := " (target CPU not measured)"
		if busy != nil {
			cpu = fmt.Sprintf(" with %.1f of %d cores busy", *busy, knee)
		}
		d.Summary = fmt.Sprintf("throughput rose %.2fx until concurrency reached %s, then stayed flat%s: "+
			"the hardware is the limit, not a lock; scaling to the hardware is the good outcome", top.r, where, cpu)
		if !haveWait {
			d.Summary += sg.lessToGoOn()
		}
	case knee > 0 && top.c > knee:
		d.Kind = KindParallel
		d.Summary = fmt.Sprintf("throughput grew %.2fx from 1 to %d concurrent requests, beyond the target's %s: "+
			"requests ran in parallel, waiting on something other than the CPU (I/O)", top.r, top.c, plural(knee, "core", "cores"))
	default:
		d.Kind = KindParallel
		d.Summary = fmt.Sprintf("throughput grew %.2fx from 1 to %d concurrent requests (%.0f%% of ideal): requests ran in parallel",
			top.r, top.c, eff*100)
	}
}

// lessToGoOn is the note added to a finding made without Server-Timing.
func (sg *signals) lessToGoOn() string {
	if sg.haveST {
		return " (too few successful requests with Server-Timing: judged from latency and throughput alone)"
	}
	return " (no Server-Timing: judged from latency and throughput alone)"
}

func stepOf(seg *segment) string { return seg.step }
