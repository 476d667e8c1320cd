package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"contend/reports"
)

// proofService is every request's service time at the proof's target. It is
// long beside loopback overhead, so that the latencies of two real runs are
// close to it and to each other.
const proofService = 100 * time.Millisecond

// proofCounts is what the proof's target says it served, from its /metrics.
type proofCounts struct{ total, failed int }

// newProofTarget is a parallel loopback service: every POST /work sleeps
// proofService and answers JSON, 200 to odd-numbered requests and 500 to
// even-numbered ones (by arrival); /metrics counts the requests by code.
func newProofTarget(t *testing.T) (url string, served func() proofCounts) {
	t.Helper()
	reg := prometheus.NewRegistry()
	byCode := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "proof_requests_total", Help: "requests to /work by status code"}, []string{"code"})
	reg.MustRegister(byCode)
	var mu sync.Mutex // guards n
	n := 0
	mux := http.NewServeMux()
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		fail := n%2 == 0
		mu.Unlock()
		time.Sleep(proofService)
		w.Header().Set("Content-Type", "application/json")
		if fail {
			byCode.WithLabelValues("500").Inc()
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"error":{"code":"even","message":"every second request fails"}}`))
			return
		}
		byCode.WithLabelValues("200").Inc()
		w.Write([]byte(`{"ok":true}`))
	})
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	served = func() proofCounts {
		resp, err := http.Get(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		p := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := p.TextToMetricFamilies(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		var c proofCounts
		if f := fams["proof_requests_total"]; f != nil {
			for _, m := range f.Metric {
				v := int(m.GetCounter().GetValue())
				c.total += v
				for _, l := range m.Label {
					if l.GetName() == "code" && l.GetValue() != "200" {
						c.failed += v
					}
				}
			}
		}
		return c
	}
	return srv.URL, served
}

// The proof's scenario: a sequential step (shard 0 only), a burst and an
// open-loop rate. Half the burst's 96 requests fail (the target fails every
// second one): about 48 errors in all, and at most 24 on any shard, which
// sends only 24, so max_errors 24 passes on every shard and fails on the whole.
const proofScenario = `name: shards-proof
target: {url: %s}
request: {method: POST, path: /work, body: '{}', timeout: 5s}
steps:
  - {name: seq, mode: sequential, requests: 3}
  - {name: burst, mode: concurrent, concurrency: 16, requests: 96}
  - {name: rate, mode: rate, rate: 40/s, duration: 3s}
compare:
  - {base: seq, step: burst}
expect:
  - {step: burst, max_errors: 24}
`

// proofReport is the part of a JSON report the proof reads.
type proofReport struct {
	Runs []struct {
		Steps []struct {
			Name      string          `json:"name"`
			Requests  int             `json:"requests"`
			OK        int             `json:"ok"`
			Timeouts  int             `json:"timeouts"`
			Errors    int             `json:"errors"`
			WallS     float64         `json:"wall_s"`
			LatencyMs reports.Latency `json:"latency_ms"`
			HDR       string          `json:"histogram_hdr"`
			Raw       string          `json:"raw"`
		} `json:"steps"`
		Expectations []struct {
			Name string `json:"name"`
			OK   bool   `json:"ok"`
		} `json:"expectations"`
	} `json:"runs"`
	Shard *struct {
		Index int `json:"index"`
		Steps []struct {
			Step    string `json:"step"`
			Skipped string `json:"skipped"`
			Attacks []struct {
				LateMs float64 `json:"late_ms"`
			} `json:"attacks"`
		} `json:"steps"`
	} `json:"shard"`
	Merged *struct {
		Shards []int `json:"shards"`
	} `json:"merged"`
}

func readProof(t *testing.T, path string) proofReport {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep proofReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(rep.Runs) != 1 {
		t.Fatalf("%s: %d runs, want 1", path, len(rep.Runs))
	}
	return rep
}

type proofStep = struct {
	Name      string          `json:"name"`
	Requests  int             `json:"requests"`
	OK        int             `json:"ok"`
	Timeouts  int             `json:"timeouts"`
	Errors    int             `json:"errors"`
	WallS     float64         `json:"wall_s"`
	LatencyMs reports.Latency `json:"latency_ms"`
	HDR       string          `json:"histogram_hdr"`
	Raw       string          `json:"raw"`
}

func (r proofReport) step(t *testing.T, name string) proofStep {
	t.Helper()
	for _, s := range r.Runs[0].Steps {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no step %s in the report", name)
	return proofStep{}
}

// startShards runs `contend check --shard i/n` for every shard at once, as n
// plain processes on loopback, and waits for all of them (bounded).
func startShards(t *testing.T, scenario, dir string, n int, startAt time.Time) {
	t.Helper()
	type proc struct {
		cmd  *exec.Cmd
		errb bytes.Buffer
		done chan error
	}
	procs := make([]*proc, n)
	for i := range n {
		p := &proc{done: make(chan error, 1)}
		p.cmd = exec.Command(contendBin, "check", scenario, "--shard", fmt.Sprintf("%d/%d", i, n),
			"--start-at", startAt.Format(time.RFC3339Nano), "--step-slot", "2s",
			"--no-tui", "--format", "json", "--out", filepath.Join(dir, fmt.Sprintf("shard-%d", i)))
		p.cmd.Env = append(os.Environ(), "NO_COLOR=1")
		p.cmd.Stderr = &p.errb
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { p.done <- p.cmd.Wait() }()
		procs[i] = p
	}
	deadline := time.After(90 * time.Second)
	for i, p := range procs {
		select {
		case err := <-p.done:
			// Each shard judges its own share: at most 24 errors against max_errors 24.
			if err != nil {
				t.Errorf("shard %d/%d: %v (each shard alone must pass)\n%s", i, n, err, p.errb.String())
			}
		case <-deadline:
			for _, q := range procs {
				q.cmd.Process.Kill()
			}
			t.Fatalf("shard %d/%d still running after 90s\n%s", i, n, p.errb.String())
		}
	}
}

// TestShardsMergeExactly is the proof on one machine: 4 shard processes attack
// one loopback target from a shared start; their merged report counts exactly
// what the target served, its percentiles are those of one histogram of every
// request the shards made, they agree with a single process sending the same
// load, and an expectation every shard passes fails on the whole (exit 3).
func TestShardsMergeExactly(t *testing.T) {
	url, served := newProofTarget(t)
	scenario := writeScenario(t, fmt.Sprintf(proofScenario, url))
	dir := t.TempDir()
	const n = 4

	before := served()
	// The shards hold until one instant, a little ahead for the processes to start.
	startShards(t, scenario, dir, n, time.Now().Add(2*time.Second))
	after := served()
	servedSharded := proofCounts{after.total - before.total, after.failed - before.failed}
	if t.Failed() {
		t.FailNow()
	}

	shards := make([]proofReport, n)
	for i := range n {
		shards[i] = readProof(t, filepath.Join(dir, fmt.Sprintf("shard-%d", i), "report.json"))
		sh := shards[i].Shard
		if sh == nil || sh.Index != i {
			t.Fatalf("shard %d's report has no shard %d record: %+v", i, i, sh)
		}
		for _, st := range sh.Steps {
			if st.Step == "seq" && (st.Skipped != "") == (i == 0) {
				t.Errorf("shard %d: sequential step skipped %q; want it run on shard 0 only", i, st.Skipped)
			}
			for _, a := range st.Attacks {
				if a.LateMs > 0 {
					t.Logf("shard %d step %s started %.0f ms late (the report says so)", i, st.Step, a.LateMs)
				}
			}
		}
	}

	merged := contend(t, 60*time.Second, "report", "--merge", dir, "--format", "json", "--out", filepath.Join(dir, "merged"))
	if merged.code != exitExpectation || !strings.Contains(merged.stderr, "burst: max_errors 24") {
		t.Fatalf("merge: exit %d, want 3 for max_errors 24 failing on the burst's ~48 errors\nstderr:\n%s", merged.code, merged.stderr)
	}
	var m proofReport
	if err := json.Unmarshal([]byte(merged.stdout), &m); err != nil {
		t.Fatalf("merged report: %v\n%s", err, merged.stdout)
	}
	if m.Merged == nil || len(m.Merged.Shards) != n {
		t.Fatalf("merged report has no record of its %d shards: %+v", n, m.Merged)
	}

	// Counts: the merged requests are what the target served, step by step the
	// sum of the shards', and the planned totals of the count-bound steps.
	total, failed := 0, 0
	for _, s := range m.Runs[0].Steps {
		total += s.Requests
		failed += s.Errors + s.Timeouts
		sum := 0
		for _, sh := range shards {
			for _, ss := range sh.Runs[0].Steps {
				if ss.Name == s.Name {
					sum += ss.Requests
				}
			}
		}
		if s.Requests != sum {
			t.Errorf("step %s: merged %d requests, the shards sent %d", s.Name, s.Requests, sum)
		}
	}
	if total != servedSharded.total || failed != servedSharded.failed {
		t.Errorf("merged report counts %d requests, %d failed; the target served %d, %d of them failures",
			total, failed, servedSharded.total, servedSharded.failed)
	}
	for name, want := range map[string]int{"seq": 3, "burst": 96} {
		if got := m.step(t, name).Requests; got != want {
			t.Errorf("step %s: merged %d requests, want the scenario's %d", name, got, want)
		}
	}
	if b := m.step(t, "burst"); b.Errors <= 24 || b.Errors+b.OK != 96 {
		t.Errorf("burst: %d errors and %d ok, want about half of 96 failed (over 24)", b.Errors, b.OK)
	}

	// Exactness: each merged step's percentiles are those of one histogram of
	// every shard's successful requests, read back from their raw results.
	for _, name := range []string{"burst", "rate"} {
		h := reports.NewLatencyHistogram()
		var sum, maxMs float64
		for _, sh := range shards {
			res, err := decodeRaw(sh.step(t, name).Raw)
			if err != nil {
				t.Fatalf("raw results: %v", err)
			}
			for _, r := range res {
				if reports.Classify(&r) != reports.OK {
					continue
				}
				_ = h.RecordValue(max(r.Latency.Microseconds(), 1))
				ms := float64(r.Latency) / float64(time.Millisecond)
				sum += ms
				maxMs = max(maxMs, ms)
			}
		}
		want := reports.LatencyOf(h, sum/float64(h.TotalCount()), maxMs)
		got := m.step(t, name).LatencyMs
		if got.P50 != want.P50 || got.P90 != want.P90 || got.P99 != want.P99 || got.Max != want.Max || got.N != want.N {
			t.Errorf("step %s: merged latency %+v, want %+v (one histogram of all the shards' requests)", name, got, want)
		}
		if m.step(t, name).HDR != reports.EncodeLatencyHistogram(h) {
			t.Errorf("step %s: the merged histogram_hdr is not the histogram of all the shards' requests", name)
		}
	}

	// Against one process sending the same load: the same counts, and medians
	// that both sit on the target's fixed service time. (Two real runs differ
	// by scheduling noise, not by the histogram's 0.1%: the bound is the
	// service time itself, which no latency can be under.)
	before = served()
	single := contend(t, 60*time.Second, "run", scenario, "--no-tui", "--format", "json", "--out", filepath.Join(dir, "single"))
	if single.code != exitOK {
		t.Fatalf("single run: exit %d\n%s", single.code, single.stderr)
	}
	servedSingle := served().total - before.total
	var s proofReport
	if err := json.Unmarshal([]byte(single.stdout), &s); err != nil {
		t.Fatal(err)
	}
	singleTotal := 0
	for _, st := range s.Runs[0].Steps {
		singleTotal += st.Requests
	}
	if singleTotal != servedSingle {
		t.Errorf("single run counts %d requests, the target served %d", singleTotal, servedSingle)
	}
	svc := float64(proofService) / float64(time.Millisecond)
	for _, name := range []string{"seq", "burst", "rate"} {
		ms, ss := m.step(t, name), s.step(t, name)
		if name != "rate" && ms.Requests != ss.Requests {
			t.Errorf("step %s: merged %d requests, single run %d", name, ms.Requests, ss.Requests)
		}
		for who, lat := range map[string]reports.Latency{"merged": ms.LatencyMs, "single": ss.LatencyMs} {
			if lat.P50 < svc || lat.P50 > 2*svc {
				t.Errorf("step %s: %s p50 %.2f ms, want the %.0f ms service time plus loopback overhead (under %.0f ms)", name, who, lat.P50, svc, 2*svc)
			}
		}
		t.Logf("step %-6s merged (4 shards): %3d requests, %3d ok, wall %.3fs, p50 %.2f p90 %.2f p99 %.2f max %.2f ms",
			name, ms.Requests, ms.OK, ms.WallS, ms.LatencyMs.P50, ms.LatencyMs.P90, ms.LatencyMs.P99, ms.LatencyMs.Max)
		t.Logf("step %-6s single process:    %3d requests, %3d ok, wall %.3fs, p50 %.2f p90 %.2f p99 %.2f max %.2f ms  (p50 differs by %.2f ms)",
			name, ss.Requests, ss.OK, ss.WallS, ss.LatencyMs.P50, ss.LatencyMs.P90, ss.LatencyMs.P99, ss.LatencyMs.Max,
			math.Abs(ms.LatencyMs.P50-ss.LatencyMs.P50))
	}
	t.Logf("target served %d requests to the 4 shards (%d failed), %d to the single process", servedSharded.total, servedSharded.failed, servedSingle)

	// The merge refuses a missing shard, merges without it when asked (and says
	// so), and refuses a shard given twice.
	shardFile := func(i int) string { return filepath.Join(dir, fmt.Sprintf("shard-%d", i), "report.json") }
	r := contend(t, time.Minute, "report", "--merge", shardFile(0), shardFile(1), shardFile(2))
	if r.code != exitError || !strings.Contains(r.stderr, "shards missing: 3 of 4") {
		t.Errorf("merge without shard 3: exit %d, want 1 naming it\n%s", r.code, r.stderr)
	}
	r = contend(t, time.Minute, "report", "--merge", "--allow-partial", shardFile(0), shardFile(1), shardFile(2))
	if r.code == exitError || r.code == exitUsage || !strings.Contains(r.stdout, "MISSING: shards 3 of 4") {
		t.Errorf("partial merge: exit %d, want a merged report naming the missing shard\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	r = contend(t, time.Minute, "report", "--merge", shardFile(0), shardFile(1), shardFile(1), shardFile(2), shardFile(3))
	if r.code != exitError || !strings.Contains(r.stderr, "shard given twice: shard 1/4") {
		t.Errorf("merge with shard 1 twice: exit %d, want 1 naming it\n%s", r.code, r.stderr)
	}
}

// TestShardLateStartIsReported: a shard that starts its attacks after their
// slots (here a start instant already past) runs at once and its report says
// by how much it missed each one.
func TestShardLateStartIsReported(t *testing.T) {
	url, _ := newProofTarget(t)
	scenario := writeScenario(t, fmt.Sprintf(`name: late
target: {url: %s}
request: {method: POST, path: /work, body: '{}', timeout: 2s}
steps:
  - {name: burst, mode: concurrent, concurrency: 2, requests: 4}
`, url))
	out := filepath.Join(t.TempDir(), "shard-1")
	past := time.Now().Add(-5 * time.Second).UTC().Format(time.RFC3339Nano)
	r := contend(t, time.Minute, "run", scenario, "--shard", "1/2", "--start-at", past, "--no-tui", "--out", out)
	if r.code != exitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "LATE: step burst started") {
		t.Errorf("the text report does not say the shard was late:\n%s", r.stdout)
	}
	rep := readProof(t, filepath.Join(out, "report.json"))
	if rep.Shard == nil || len(rep.Shard.Steps) != 1 || len(rep.Shard.Steps[0].Attacks) != 1 {
		t.Fatalf("no attack record: %+v", rep.Shard)
	}
	if late := rep.Shard.Steps[0].Attacks[0].LateMs; late < 5000 {
		t.Errorf("late_ms %.0f, want at least the 5000 ms the start was past", late)
	}
	if got := rep.step(t, "burst").Requests; got != 2 {
		t.Errorf("shard 1/2 of a burst of 4 sent %d requests, want 2", got)
	}
}
