package reports

import "testing"

// sharedRun is a loopback URL target on 2 cores that runs one request's CPU work
// at a time but interleaves them (Python's GIL): 8 sequential requests of
// 100 ms, then 8 at concurrency 4 in two bursts whose four requests all finish
// together after 400 ms. runnable, cpuS and hostS are the concurrent step's
// median runnable threads, target and host CPU seconds (<= 0: unknown).
func sharedRun(runnable, cpuS, hostS float64) RunInput {
	var seq, conc []rq
	for i := range 8 {
		seq = append(seq, okReq(float64(i)*100, 100))
	}
	for wave := range 2 {
		for k := range 4 {
			conc = append(conc, okReq(float64(wave)*400+float64(k)*0.2, 400-float64(k)*0.2))
		}
	}
	s := stepIn(seqStep(8), t0, seq, 800, 0.8, 2)
	s.HostCPUSeconds, s.RunnableThreads = 1.0, 1
	c := stepIn(concStep(4, 8), t0.Add(ms(900)), conc, 800, cpuS, 2)
	c.HostCPUSeconds, c.RunnableThreads = hostS, runnable
	if cpuS <= 0 {
		c.TargetCPUSeconds = UnknownCPU
	}
	return RunInput{Target: TargetURL, URL: "http://127.0.0.1:9", Steps: []StepInput{s, c}}
}

func TestDiagnoseCPUSerialized(t *testing.T) {
	lock := asURL(simRun(lockModel, 2, 4, 8, 100, false, false))
	for i := range lock.Steps {
		lock.Steps[i].Cores, lock.Steps[i].RunnableThreads = 2, 1
	}
	// The same lock, its sequential step slowed 2x by a busy machine: the
	// staircase in those service times shrinks under its threshold, the
	// completions of a burst are still one first latency apart.
	slowBase := asURL(simRun(lockModel, 2, 4, 8, 100, false, false))
	for i := range slowBase.Steps {
		slowBase.Steps[i].Cores, slowBase.Steps[i].RunnableThreads = 2, 1
	}
	for i := range slowBase.Steps[0].Results {
		r := &slowBase.Steps[0].Results[i]
		r.Timestamp, r.Latency = t0.Add(2*ms(100*float64(i))), 2*r.Latency
	}
	slowBase.Steps[0].Wall *= 2
	oneCore := sharedRun(1, 0.8, 1.0)
	for i := range oneCore.Steps {
		oneCore.Steps[i].Cores = 1
	}
	tests := []struct {
		name     string
		run      RunInput
		want     string
		summary  string
		evidence []string
	}{
		{name: "the GIL: one thread runnable, completions bunched", run: sharedRun(1, 0.8, 1.0),
			want: KindCPUSerialized, summary: "as under Python's GIL",
			evidence: []string{"runnable_threads", "gap_ratio", "completion_spread_ms", "cpu_cores", "staircase", "host_cpu_cores"}},
		{name: "no thread counts: one core busy while another idled", run: sharedRun(0, 0.8, 1.1),
			want: KindCPUSerialized, summary: "stayed idle", evidence: []string{"cpu_cores", "host_cpu_cores"}},
		// One core busy on a machine with no core to spare says nothing: the
		// target may have had no more to take.
		{name: "no thread counts on a busy machine", run: sharedRun(0, 0.8, 2.0), want: KindSerialized},
		// Four threads ready on two cores is work for every core: a busy machine
		// held them back, not the target.
		{name: "threads ready for every core", run: sharedRun(4, 0.8, 2.0),
			want: KindHardwareSaturated, summary: "the machine was busy", evidence: []string{"runnable_threads"}},
		{name: "a lock's staircase stays a lock with one thread runnable", run: lock, want: KindLockSerialized},
		{name: "a lock behind a slowed baseline", run: slowBase, want: KindLockSerialized, evidence: []string{"gap_ratio", "runnable_threads"}},
		{name: "one core is the hardware, not the GIL", run: oneCore, want: KindInconclusive},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Build(Input{Scenario: urlScenario(), Host: Host{CPUs: 2}, Runs: []RunInput{tt.run}})
			ds := rep.Runs[0].Diagnosis
			if len(ds) == 0 || ds[0].Kind != tt.want {
				t.Fatalf("kinds %v, want %s first: %+v", kinds(ds), tt.want, ds)
			}
			mustContain(t, ds[0].Summary, tt.summary)
			for _, k := range tt.evidence {
				if _, ok := ds[0].Evidence[k]; !ok {
					t.Errorf("evidence lacks %s: %v", k, ds[0].Evidence)
				}
			}
		})
	}
}

func TestGapRatio(t *testing.T) {
	sg := &signals{service: 100}
	lockSeg := segment{c: 4, reqs: toRequests(results(t0, []rq{okReq(0, 100), okReq(0, 200), okReq(0, 300), okReq(0, 400)}))}
	shared := segment{c: 4, reqs: toRequests(results(t0, []rq{okReq(0, 390), okReq(0, 395), okReq(0, 400), okReq(0, 400)}))}
	if g, ok := sg.gapRatio(&lockSeg); !ok || g < 0.99 || g > 1.01 {
		t.Errorf("lock gap ratio %v, want 1", g)
	}
	if g, ok := sg.gapRatio(&shared); !ok || g > 0.05 {
		t.Errorf("shared gap ratio %v, want near 0", g)
	}
	if s, ok := sg.completionSpread(&shared); !ok || s != 10 {
		t.Errorf("spread %v, want 10 ms", s)
	}
}

func TestBusyNote(t *testing.T) {
	busy, idle, target := 1.9, 0.8, 1.8
	tests := []struct {
		name   string
		host   *float64
		target *float64
		want   bool
	}{
		{"busy", &busy, nil, true},
		{"busy with the target's own work", &busy, &target, false},
		{"idle", &idle, nil, false},
		{"unknown", nil, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Step{Name: "concurrent", Cores: 2, HostCPUUtil: tt.host, CPUUtil: tt.target}
			if got := busyNote(&Step{Name: "sequential", Cores: 2}, s); (got != "") != tt.want {
				t.Errorf("busyNote = %q, want a note: %v", got, tt.want)
			}
		})
	}
}
