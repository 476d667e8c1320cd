package reports

import (
	"slices"
	"testing"

	"contend/scenarios"
)

func builtinScenario(cold bool) *scenarios.Scenario {
	return &scenarios.Scenario{Name: "diag", Target: scenarios.Target{Builtin: &scenarios.Builtin{Strategies: []string{"sim"}, Cold: cold}}}
}

func urlScenario() *scenarios.Scenario {
	return &scenarios.Scenario{Name: "diag", Target: scenarios.Target{URL: "http://127.0.0.1:9"}}
}

func asURL(ri RunInput) RunInput {
	ri.Target, ri.Strategy, ri.URL = TargetURL, "", "http://127.0.0.1:9"
	for i := range ri.Steps {
		ri.Steps[i].Cores = 0
		ri.Steps[i].TargetCPUSeconds = UnknownCPU
		for j := range ri.Steps[i].Levels {
			ri.Steps[i].Levels[j].TargetCPUSeconds = UnknownCPU
		}
	}
	return ri
}

// coldBurst is a double-checked target started cold and hit by a burst of 4:
// the first request loads for 2 s, the other three wait for it, then all four
// share 2 cores; a later sequential step waits on nothing.
func coldBurst() RunInput {
	burst := []rq{
		timedReq(0, 2200, 0, 2000, 200),
		timedReq(1, 2199, 1999, 0, 200),
		timedReq(1, 2199, 1999, 0, 200),
		timedReq(2, 2198, 1998, 0, 200),
	}
	later := []rq{timedReq(0, 100, 0.01, 0, 100), timedReq(100, 100, 0.01, 0, 100), timedReq(200, 100, 0.02, 0, 100)}
	return RunInput{Target: TargetBuiltin, Strategy: "double-checked", Steps: []StepInput{
		stepIn(concStep(4, 4), t0, burst, 2200, 0, 2),
		stepIn(seqStep(3), t0.Add(ms(2500)), later, 300, 0, 2),
	}}
}

// seedNaive is the seed's failure: four sequential requests of 1.6 s, then four
// concurrent ones of which three time out after 10 s behind the lock.
func seedNaive(timing bool) RunInput {
	var seq []rq
	for i := range 4 {
		r := okReq(float64(i)*1600, 1600)
		if timing {
			r = timedReq(float64(i)*1600, 1600, 0, 0, 1600)
		}
		seq = append(seq, r)
	}
	first := okReq(0, 1600)
	if timing {
		first = timedReq(0, 1600, 0, 0, 1600)
	}
	conc := []rq{first, timeoutReq(0, 10000), timeoutReq(1, 10000), timeoutReq(1, 10000)}
	return RunInput{Target: TargetBuiltin, Strategy: "naive", Steps: []StepInput{
		stepIn(seqStep(4), t0, seq, 6400, 0, 2),
		stepIn(concStep(4, 4), t0.Add(ms(6500)), conc, 10001, 0, 2),
	}}
}

func TestDiagnose(t *testing.T) {
	ioBound := simRun(coreModel, 16, 4, 8, 100, true, true) // 16 "cores" of waiting on I/O...
	for i := range ioBound.Steps {
		ioBound.Steps[i].Cores = 2 // ...on a 2-core target
	}
	tests := []struct {
		name      string
		sc        *scenarios.Scenario
		run       RunInput
		want      []string // kinds, in order
		basis     string   // of the first finding
		summary   string   // in the first finding
		notKinds  []string
		evidenceK string // an evidence key the first finding must carry
	}{
		{name: "lock with server timing", sc: builtinScenario(false), run: simRun(lockModel, 2, 4, 8, 100, true, true),
			want: []string{KindLockSerialized}, basis: BasisServerTiming,
			summary: "of concurrent latency was spent waiting on the model lock: requests ran one at a time", evidenceK: "wait_share"},
		{name: "lock with work outside it that overlaps", sc: builtinScenario(false), run: func() RunInput {
			ri := simRun(lockModel, 2, 4, 8, 100, true, true)
			for i := range ri.Steps[0].Results { // 40 ms of parsing and network outside the lock
				r := &ri.Steps[0].Results[i]
				r.Timestamp = r.Timestamp.Add(ms(40 * float64(i)))
				r.Latency += ms(40)
			}
			ri.Steps[0].Wall = ms(8 * 140)
			return ri
		}(), want: []string{KindLockSerialized}, basis: BasisServerTiming, summary: "waiting on the model lock"},
		{name: "lock from latency alone", sc: urlScenario(), run: asURL(simRun(lockModel, 2, 4, 8, 100, false, false)),
			want: []string{KindLockSerialized}, basis: BasisLatency,
			summary: "latency climbed in steps of one service time", evidenceK: "staircase"},
		{name: "lock without timing still says it had less to go on", sc: urlScenario(), run: asURL(simRun(lockModel, 2, 4, 8, 100, false, false)),
			want: []string{KindLockSerialized}, basis: BasisLatency, summary: "no Server-Timing: judged from latency and throughput alone"},
		{name: "hardware plateau is not a lock", sc: builtinScenario(false), run: simRun(coreModel, 2, 4, 8, 100, true, true),
			want: []string{KindHardwareSaturated}, basis: BasisServerTiming, summary: "the hardware is the limit, not a lock",
			notKinds: []string{KindLockSerialized, KindSerialized}},
		{name: "hardware plateau in a sweep is not a lock", sc: builtinScenario(false), run: sweepRun(coreModel, 2, []int{1, 2, 4, 8}, 16, 100, true, true),
			want: []string{KindHardwareSaturated}, basis: BasisServerTiming, summary: "2 cores busy",
			notKinds: []string{KindLockSerialized, KindSerialized, KindPartialContention}},
		{name: "lock in a sweep", sc: builtinScenario(false), run: sweepRun(lockModel, 2, []int{1, 2, 4, 8}, 16, 100, true, true),
			want: []string{KindLockSerialized}, basis: BasisServerTiming},
		{name: "loopback URL with known cores", sc: urlScenario(), run: func() RunInput {
			ri := asURL(sweepRun(coreModel, 2, []int{1, 2, 4, 8}, 16, 100, false, false))
			ri.Steps[0].Cores = 2 // the harness knows a loopback target's machine
			return ri
		}(), want: []string{KindHardwareSaturated}, basis: BasisLatency, summary: "the target's 2 cores"},
		{name: "external plateau without timing", sc: urlScenario(), run: asURL(sweepRun(coreModel, 2, []int{1, 2, 4, 8}, 16, 100, false, false)),
			want: []string{KindHardwareSaturated}, basis: BasisLatency, summary: "its core count is unknown",
			notKinds: []string{KindLockSerialized}},
		{name: "parallel within the cores", sc: builtinScenario(false), run: simRun(coreModel, 4, 4, 8, 100, true, true),
			want: []string{KindParallel}, summary: "requests ran in parallel"},
		{name: "parallel beyond the cores is I/O, not hardware", sc: builtinScenario(false), run: ioBound,
			want: []string{KindParallel}, summary: "beyond the target's 2 cores", notKinds: []string{KindHardwareSaturated}},
		{name: "flat without lock wait is serialized elsewhere", sc: builtinScenario(false), run: func() RunInput {
			ri := simRun(lockModel, 2, 4, 8, 100, true, true)
			for i := range ri.Steps { // the same timings, but the server says nobody waited on its lock
				for j := range ri.Steps[i].Results {
					ri.Steps[i].Results[j].Headers.Set("Server-Timing", "wait;dur=0, load;dur=0, infer;dur=100")
				}
			}
			return ri
		}(), want: []string{KindSerialized}, summary: "something else ran them one at a time", notKinds: []string{KindLockSerialized}},
		{name: "one core without timing cannot tell", sc: builtinScenario(false), run: simRun(coreModel, 1, 4, 8, 100, false, false),
			want: []string{KindInconclusive}, summary: "the target has one core"},
		{name: "partly serialized", sc: builtinScenario(false), run: func() RunInput {
			ri := simRun(coreModel, 2, 2, 8, 100, false, false)
			ri.Steps[1].Wall = ms(8 * 100 / 1.4) // 1.4x where 2x was possible
			return ri
		}(), want: []string{KindPartialContention}, summary: "where 2x was possible"},
		{name: "capacity limited, CPU idle", sc: builtinScenario(false), run: func() RunInput {
			ri := simRun(coreModel, 2, 4, 8, 100, true, true)
			ri.Steps[1].TargetCPUSeconds = 0.3 // 0.75 of 2 cores busy over 0.4 s
			return ri
		}(), want: []string{KindCapacityLimited}, summary: "a limit other than the CPU", notKinds: []string{KindHardwareSaturated, KindLockSerialized}},
		{name: "cold start blocked, later requests free", sc: builtinScenario(true), run: coldBurst(),
			want: []string{KindHardwareSaturated, KindColdStart}, notKinds: []string{KindLockSerialized}},
		{name: "seed: queue timeouts behind the lock", sc: builtinScenario(false), run: seedNaive(true),
			want: []string{KindLockSerialized, KindQueueTimeouts}, basis: BasisLatency,
			summary: "too few successful requests with Server-Timing"},
		{name: "only sequential steps", sc: builtinScenario(false), run: func() RunInput {
			ri := simRun(lockModel, 2, 4, 8, 100, true, true)
			ri.Steps = ri.Steps[:1]
			return ri
		}(), want: []string{KindInconclusive}, summary: "no step sent more than one request at a time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Build(Input{Scenario: tt.sc, Host: Host{CPUs: 2}, Runs: []RunInput{tt.run}})
			got := rep.Runs[0].Diagnosis
			if !slices.Equal(kinds(got), tt.want) {
				t.Fatalf("kinds = %v, want %v\n%+v", kinds(got), tt.want, got)
			}
			for _, k := range tt.notKinds {
				if findKind(got, k) != nil {
					t.Errorf("found %s, which this run must not be called", k)
				}
			}
			first := got[0]
			if tt.basis != "" && first.Basis != tt.basis {
				t.Errorf("basis = %q, want %q", first.Basis, tt.basis)
			}
			if tt.summary != "" {
				mustContain(t, first.Summary, tt.summary)
			}
			if _, ok := first.Evidence[tt.evidenceK]; tt.evidenceK != "" && !ok {
				t.Errorf("evidence %v lacks %q", first.Evidence, tt.evidenceK)
			}
		})
	}
}

func TestDiagnoseColdStart(t *testing.T) {
	untimedCold := func() RunInput {
		burst := []rq{okReq(0, 2200), okReq(1, 2300), okReq(1, 2400), okReq(2, 2500)}
		later := []rq{okReq(0, 100), okReq(100, 100), okReq(200, 110)}
		return RunInput{Target: TargetURL, URL: "http://127.0.0.1:9", Steps: []StepInput{
			stepIn(concStep(4, 4), t0, burst, 2500, 0, 0),
			stepIn(seqStep(3), t0.Add(ms(2600)), later, 310, 0, 0),
		}}
	}
	tests := []struct {
		name    string
		sc      *scenarios.Scenario
		run     RunInput
		blocked float64 // 0: no cold-start finding
		basis   string
		summary string
	}{
		{name: "server timing", sc: builtinScenario(true), run: coldBurst(), blocked: 3, basis: BasisServerTiming,
			summary: "3 requests of the cold burst waited on the model load (2.00s on average, of a 2.00s load); the 3 requests after it waited"},
		{name: "waiters sent a moment before the loader", sc: builtinScenario(true), run: func() RunInput {
			ri := coldBurst()
			burst := ri.Steps[0].Results
			// The loader's request left last: the burst raced to the lock.
			burst[0].Timestamp = burst[0].Timestamp.Add(ms(3))
			return ri
		}(), blocked: 3, basis: BasisServerTiming,
			summary: "3 requests of the cold burst waited on the model load"},
		{name: "latency alone", sc: urlScenario(), run: untimedCold(), blocked: 4, basis: BasisLatency,
			summary: "the first 4 requests took at least 2.20s, 22.0x the usual 100ms"},
		{name: "warm target: no finding", sc: builtinScenario(false), run: untimedCold()},
		{name: "a lone loader blocks nobody", sc: builtinScenario(true), run: func() RunInput {
			ri := simRun(coreModel, 2, 2, 4, 100, true, true)
			r := &ri.Steps[0].Results[0]
			r.Latency += ms(2000)
			r.Headers.Set("Server-Timing", "wait;dur=0, load;dur=2000, infer;dur=100")
			return ri
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Build(Input{Scenario: tt.sc, Host: Host{CPUs: 2}, Runs: []RunInput{tt.run}})
			d := findKind(rep.Runs[0].Diagnosis, KindColdStart)
			if tt.blocked == 0 {
				if d != nil {
					t.Fatalf("unexpected cold start: %+v", *d)
				}
				return
			}
			if d == nil {
				t.Fatalf("no cold start in %v", kinds(rep.Runs[0].Diagnosis))
			}
			if d.Evidence["blocked"] != tt.blocked || d.Basis != tt.basis {
				t.Errorf("blocked %v basis %q, want %v %q", d.Evidence["blocked"], d.Basis, tt.blocked, tt.basis)
			}
			mustContain(t, d.Summary, tt.summary)
		})
	}
}

func TestDiagnoseTimeouts(t *testing.T) {
	mk := func(timeoutMs float64, anyOK bool) RunInput {
		seq := []rq{okReq(0, 1000), okReq(1000, 1000)}
		if !anyOK {
			seq = []rq{timeoutReq(0, timeoutMs), timeoutReq(timeoutMs, timeoutMs)}
		}
		conc := []rq{timeoutReq(0, timeoutMs), timeoutReq(1, timeoutMs)}
		return RunInput{Target: TargetBuiltin, Strategy: "x", Steps: []StepInput{
			stepIn(seqStep(2), t0, seq, 2000, 0, 2),
			stepIn(concStep(2, 2), t0.Add(ms(3000)), conc, timeoutMs, 0, 2),
		}}
	}
	tests := []struct {
		name, kind, summary string
		run                 RunInput
	}{
		{"queued", KindQueueTimeouts, "2 of 2 requests timed out after 5.00s, 5.0x the 1.00s one request takes: they spent at least 4.00s waiting in line", mk(5000, true)},
		{"timeout shorter than the work", KindTimeouts, "less than the 1.00s one request takes: the timeout is shorter than the work", mk(500, true)},
		{"too close to call", KindTimeouts, "between one and two service times", mk(1500, true)},
		{"nothing succeeded", KindTimeouts, "none succeeded", mk(5000, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Build(Input{Scenario: builtinScenario(false), Runs: []RunInput{tt.run}})
			var found *Diagnosis
			for i, d := range rep.Runs[0].Diagnosis {
				if d.Step == "concurrent" && (d.Kind == KindQueueTimeouts || d.Kind == KindTimeouts) {
					found = &rep.Runs[0].Diagnosis[i]
				}
			}
			if found == nil {
				t.Fatalf("no timeout finding for the concurrent step in %+v", rep.Runs[0].Diagnosis)
			}
			if found.Kind != tt.kind {
				t.Errorf("kind = %s, want %s", found.Kind, tt.kind)
			}
			mustContain(t, found.Summary, tt.summary)
		})
	}
}

func TestLockWaitShare(t *testing.T) {
	tests := []struct {
		name string
		c    int
		want float64
	}{{"one: the floor", 1, 0.1}, {"two", 2, 1.0 / 6}, {"four", 4, 0.3}, {"nine", 9, 0.4}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lockWaitShare(tt.c); !near(got, tt.want, 1e-9) {
				t.Errorf("lockWaitShare(%d) = %v, want %v", tt.c, got, tt.want)
			}
		})
	}
}
