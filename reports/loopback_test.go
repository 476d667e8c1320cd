package reports

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// countPacer sends n hits as fast as the workers allow, then stops.
type countPacer uint64

func (n countPacer) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	return 0, hits >= uint64(n)
}
func (n countPacer) Rate(time.Duration) float64 { return 0 }

// service is a loopback target whose requests take work each, one at a time
// behind a mutex (locked) or all at once, sending Server-Timing when timed.
func service(locked, timed bool, work time.Duration) *httptest.Server {
	var mu sync.Mutex // held for a request's whole work when locked
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if locked {
			mu.Lock()
			defer mu.Unlock()
		}
		wait := time.Since(start)
		time.Sleep(work)
		if timed {
			w.Header().Set("Server-Timing", fmt.Sprintf("wait;dur=%.3f, load;dur=0, infer;dur=%.3f",
				float64(wait)/1e6, float64(time.Since(start)-wait)/1e6))
		}
		_, _ = w.Write([]byte(`{"translation": "x"}`))
	}))
}

// attack sends n requests from c workers to url with a real vegeta attacker.
func attack(t *testing.T, url string, c, n int, timeout time.Duration) ([]vegeta.Result, time.Duration) {
	t.Helper()
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)), vegeta.Timeout(timeout))
	tr := vegeta.NewStaticTargeter(vegeta.Target{Method: "POST", URL: url + "/translate", Body: []byte(`{"text": "the water is cold"}`)})
	var out []vegeta.Result
	start := time.Now()
	for r := range atk.Attack(tr, countPacer(n), 10*time.Second, "loopback") {
		out = append(out, *r)
	}
	return out, time.Since(start)
}

func TestLoopbackDiagnosis(t *testing.T) {
	const work = 100 * time.Millisecond
	tests := []struct {
		name          string
		locked, timed bool
		timeout       time.Duration
		verdict       string
		kinds         []string
		basis         string
	}{
		{name: "lock, Server-Timing", locked: true, timed: true, timeout: 5 * time.Second,
			verdict: VerdictSerialized, kinds: []string{KindLockSerialized}, basis: BasisServerTiming},
		{name: "lock, latency alone", locked: true, timeout: 5 * time.Second,
			verdict: VerdictSerialized, kinds: []string{KindLockSerialized}, basis: BasisLatency},
		{name: "no lock", timed: true, timeout: 5 * time.Second,
			verdict: VerdictParallel, kinds: []string{KindParallel}, basis: BasisServerTiming},
		// 3.5 service times: the first three of a burst of four answer (their
		// waits, 0, 1 and 2 service times, are half their latency), the rest time
		// out. At 2.5 service times only two answered, with a wait share of about
		// 1/3 against the 0.3 floor at concurrency 4, and a busy machine tipped it.
		{name: "lock with a short timeout", locked: true, timed: true, timeout: 350 * time.Millisecond,
			verdict: VerdictSerialized, kinds: []string{KindLockSerialized, KindQueueTimeouts}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := service(tt.locked, tt.timed, work)
			defer srv.Close()
			seq, seqWall := attack(t, srv.URL, 1, 3, tt.timeout)
			conc, concWall := attack(t, srv.URL, 4, 8, tt.timeout)
			sc := &scenarios.Scenario{Name: "loopback", Target: scenarios.Target{URL: srv.URL},
				Compare: []scenarios.Compare{{Base: "sequential", Step: "concurrent"}},
				Expect:  []scenarios.Expect{{Step: "concurrent", MaxTimeouts: intp(0)}}}
			rep := Build(Input{Scenario: sc, Host: Host{CPUs: 2}, Runs: []RunInput{{Target: TargetURL, URL: srv.URL, Steps: []StepInput{
				{Step: seqStep(3), Wall: seqWall, Results: seq, TargetCPUSeconds: UnknownCPU},
				{Step: concStep(4, 8), Wall: concWall, Results: conc, TargetCPUSeconds: UnknownCPU},
			}}}})
			run := rep.Runs[0]
			if s := run.Steps[0]; s.OK != 3 || s.LatencyMs.P50 < 100 {
				t.Fatalf("sequential step: %d ok, p50 %v ms: the loopback target misbehaved", s.OK, s.LatencyMs.P50)
			}
			if c := run.Comparisons[0]; c.Verdict != tt.verdict {
				t.Errorf("verdict %s (speedup %.2f, %s), want %s", c.Verdict, c.Speedup, c.Detail, tt.verdict)
			}
			if got := kinds(run.Diagnosis); !slices.Equal(got, tt.kinds) {
				t.Errorf("diagnosis %v, want %v\n%+v", got, tt.kinds, run.Diagnosis)
			}
			if tt.basis != "" && run.Diagnosis[0].Basis != tt.basis {
				t.Errorf("basis %s, want %s", run.Diagnosis[0].Basis, tt.basis)
			}
			wantFailed := run.Steps[1].Timeouts > 0
			if failed := len(rep.Failed()) > 0; failed != wantFailed {
				t.Errorf("Failed() non-empty = %v with %d timeouts", failed, run.Steps[1].Timeouts)
			}
		})
	}
}
