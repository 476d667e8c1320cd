package reports

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// t0 is the start of every constructed run, so outputs are deterministic.
var t0 = time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)

// rq describes one constructed request: when it started (ms after its step's
// start), how long it took, and what came back.
type rq struct {
	at, lat           float64
	code              uint16
	err               string
	timing            bool
	wait, load, infer float64
}

func okReq(at, lat float64) rq { return rq{at: at, lat: lat, code: 200} }

func timedReq(at, lat, wait, load, infer float64) rq {
	return rq{at: at, lat: lat, code: 200, timing: true, wait: wait, load: load, infer: infer}
}

func timeoutReq(at, lat float64) rq {
	return rq{at: at, lat: lat, err: `Post "http://127.0.0.1:9/translate": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`}
}

func ms(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }

// results turns request descriptions into vegeta results starting at base.
func results(base time.Time, rqs []rq) []vegeta.Result {
	out := make([]vegeta.Result, 0, len(rqs))
	for i, r := range rqs {
		res := vegeta.Result{Seq: uint64(i), Code: r.code, Timestamp: base.Add(ms(r.at)), Latency: ms(r.lat), Error: r.err,
			Method: "POST", URL: "http://127.0.0.1:9/translate"}
		if r.timing {
			res.Headers = http.Header{"Server-Timing": {fmt.Sprintf("wait;dur=%g, load;dur=%g, infer;dur=%g", r.wait, r.load, r.infer)}}
		}
		out = append(out, res)
	}
	return out
}

// model is how a simulated target serves requests.
type model int

const (
	lockModel model = iota // one global lock: one request at a time, the rest wait on it
	coreModel              // k cores: k requests at a time, the rest queue for the CPU (no lock wait)
)

// simulate runs n requests of service time svc (ms) from c closed-loop clients
// against a target with the given model and cores, returning the requests and the
// wall time in ms.
func simulate(m model, cores, c, n int, svc float64, timing bool) ([]rq, float64) {
	servers := 1
	if m == coreModel {
		servers = cores
	}
	free := make([]float64, servers)
	next := make([]float64, c)
	var out []rq
	wall := 0.0
	for range n {
		ci := 0
		for i := range next {
			if next[i] < next[ci] {
				ci = i
			}
		}
		si := 0
		for i := range free {
			if free[i] < free[si] {
				si = i
			}
		}
		issue := next[ci]
		start := max(issue, free[si])
		end := start + svc
		free[si], next[ci] = end, end
		wall = max(wall, end)
		r := okReq(issue, end-issue)
		if timing {
			r.timing = true
			if m == lockModel {
				r.wait, r.infer = start-issue, svc
			} else {
				r.infer = end - issue
			}
		}
		out = append(out, r)
	}
	return out, wall
}

// stepIn builds a StepInput from requests starting at base.
func stepIn(step scenarios.Step, base time.Time, rqs []rq, wallMs, cpuS float64, cores int) StepInput {
	if cpuS == 0 {
		cpuS = UnknownCPU
	}
	return StepInput{Step: step, Wall: ms(wallMs), Results: results(base, rqs), TargetCPUSeconds: cpuS, Cores: cores}
}

func seqStep(n int) scenarios.Step {
	return scenarios.Step{Name: "sequential", Mode: scenarios.ModeSequential, Requests: n}
}

func concStep(c, n int) scenarios.Step {
	return scenarios.Step{Name: "concurrent", Mode: scenarios.ModeConcurrent, Concurrency: c, Requests: n}
}

// simRun is a run of a sequential step then a concurrent one against a
// simulated target, with CPU measured (cpu) or not.
func simRun(m model, cores, c, n int, svc float64, timing, cpu bool) RunInput {
	seq, seqWall := simulate(m, cores, 1, n, svc, timing)
	conc, concWall := simulate(m, cores, c, n, svc, timing)
	work := 0.0
	if cpu {
		work = float64(n) * svc / 1000
	}
	return RunInput{Target: TargetBuiltin, Strategy: "sim", Steps: []StepInput{
		stepIn(seqStep(n), t0, seq, seqWall, work, cores),
		stepIn(concStep(c, n), t0.Add(ms(seqWall+50)), conc, concWall, work, cores),
	}}
}

// sweepRun is a run with one sweep step over the levels against a simulated target.
func sweepRun(m model, cores int, levels []int, perLevel int, svc float64, timing, cpu bool) RunInput {
	step := scenarios.Step{Name: "sweep", Mode: scenarios.ModeSweep, Levels: levels, RequestsPerLevel: perLevel}
	si := StepInput{Step: step, TargetCPUSeconds: UnknownCPU, Cores: cores}
	base := t0
	for _, c := range levels {
		rqs, wall := simulate(m, cores, c, perLevel, svc, timing)
		l := LevelInput{Concurrency: c, Wall: ms(wall), Results: results(base, rqs), TargetCPUSeconds: UnknownCPU}
		if cpu {
			l.TargetCPUSeconds = float64(perLevel) * svc / 1000
		}
		si.Levels = append(si.Levels, l)
		base = base.Add(ms(wall + 20))
	}
	return RunInput{Target: TargetBuiltin, Strategy: "sim", Steps: []StepInput{si}}
}

func kinds(ds []Diagnosis) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Kind)
	}
	return out
}

func findKind(ds []Diagnosis, kind string) *Diagnosis {
	for i := range ds {
		if ds[i].Kind == kind {
			return &ds[i]
		}
	}
	return nil
}

func mustContain(t *testing.T, got, want string) {
	t.Helper()
	if !strings.Contains(got, want) {
		t.Errorf("%q\ndoes not contain %q", got, want)
	}
}

func intp(i int) *int                          { return &i }
func floatp(f float64) *float64                { return &f }
func durp(d time.Duration) *scenarios.Duration { return &scenarios.Duration{Duration: d} }
