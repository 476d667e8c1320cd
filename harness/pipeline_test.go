package harness_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// TestNoSuccessSlowerThanItsTimeout pins that a request's latency and its client
// timeout run from the same instant: with a thousand requests released at once
// and half of them answered just inside the timeout, no success may report a
// latency above the timeout (a request that finished later is a timeout), and
// no timeout may report less.
func TestNoSuccessSlowerThanItsTimeout(t *testing.T) {
	const timeout = 5 * time.Second
	var n atomic.Int64
	base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			select { // just inside the timeout, measured from the server's side
			case <-time.After(timeout - 20*time.Millisecond):
			case <-r.Context().Done():
			}
		}
		w.WriteHeader(http.StatusOK)
	}))
	const requests = 1000
	sc := urlScenario(base, "/", concurrent("queued", requests, requests))
	log := run(t, context.Background(), harness.New(harness.Timeout(timeout)), sc)
	sr := log.only(t).Steps[0]
	if len(sr.Results) != requests {
		t.Fatalf("got %d results, want %d", len(sr.Results), requests)
	}
	var ok, timeouts int
	for i := range sr.Results {
		r := &sr.Results[i]
		switch c := reports.Classify(r); c {
		case reports.OK:
			ok++
			if r.Latency > timeout {
				t.Errorf("request %d succeeded in %s, slower than its %s timeout", r.Seq, r.Latency, timeout)
			}
		case reports.Timeout:
			timeouts++
			if r.Latency < timeout {
				t.Errorf("request %d timed out after %s, before its %s timeout (%q)", r.Seq, r.Latency, timeout, r.Error)
			}
		default:
			t.Errorf("request %d: %s (%q), want ok or timeout", r.Seq, c, r.Error)
		}
	}
	if ok == 0 {
		t.Errorf("no request succeeded (%d timeouts): the instant answers should have", timeouts)
	}
}

// TestHugeBodyKeepsMemoryBounded streams a chunked body far larger than the kept
// cap and checks that the runner reads it all, counts every byte, keeps only the
// cap, and that its heap never grows by anything like the body.
func TestHugeBodyKeepsMemoryBounded(t *testing.T) {
	const (
		bodySize = 256 << 20
		keep     = 4 << 10
		// The heap may grow by buffers and the run's own state, never by the body.
		maxGrowth = 48 << 20
	)
	base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream") // no Content-Length: chunked
		w.WriteHeader(http.StatusOK)
		chunk := make([]byte, 64<<10)
		for sent := 0; sent < bodySize; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	sc := urlScenario(base, "/", sequential("huge", 2))
	log := run(t, context.Background(), harness.New(harness.MaxBody(keep), harness.Timeout(60*time.Second)), sc)
	close(stop)
	<-sampled
	sr := log.only(t).Steps[0]
	if len(sr.Results) != 2 {
		t.Fatalf("got %d results, want 2", len(sr.Results))
	}
	for i := range sr.Results {
		r := &sr.Results[i]
		if c := reports.Classify(r); c != reports.OK {
			t.Errorf("request %d: %s (%q), want ok", r.Seq, c, r.Error)
		}
		if r.BytesIn != bodySize {
			t.Errorf("request %d: bytes_in %d, want every byte the target sent, %d", r.Seq, r.BytesIn, bodySize)
		}
	}
	if growth := int64(peak.Load()) - int64(before.HeapAlloc); growth > maxGrowth {
		t.Errorf("heap grew by %s reading two %s bodies with max_body %d; want under %s",
			mib(growth), mib(bodySize), keep, mib(maxGrowth))
	}
}

func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MiB" }

// TestDashboardAndReportReadOneAggregate feeds one result stream (a real run:
// successes, 500s and timeouts) through the dashboard's path (each step's final
// Snapshot) and the report's (reports.Build), live and from the results alone
// as a saved file is read, and requires the same counts and percentiles.
func TestDashboardAndReportReadOneAggregate(t *testing.T) {
	var n atomic.Int64
	base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch i := n.Add(1); {
		case i%7 == 0:
			http.Error(w, "broken", http.StatusInternalServerError)
		case i%11 == 0:
			<-r.Context().Done() // outlives the client timeout
		default:
			time.Sleep(time.Duration(i%5) * time.Millisecond)
			w.Header().Set("Server-Timing", "wait;dur=1, infer;dur="+strconv.Itoa(int(i%5)))
			w.WriteHeader(http.StatusOK)
		}
	}))
	sc := urlScenario(base, "/", sequential("seq", 30), concurrent("conc", 60, 6))
	var finals []harness.Snapshot
	log := drain(t, harness.New(harness.Timeout(300*time.Millisecond)).Run(context.Background(), sc), func(ev harness.Event) {
		if ev.Kind == harness.StepDone {
			finals = append(finals, ev.Snapshot)
		}
	})
	tr := log.only(t)
	live := reports.Build(reports.Input{Scenario: sc, Runs: []reports.RunInput{tr.ReportRun()}})
	saved := tr.ReportRun()
	for i := range saved.Steps {
		saved.Steps[i].Aggregate = nil // as from a results file: Build counts the results itself
	}
	fromFile := reports.Build(reports.Input{Scenario: sc, Runs: []reports.RunInput{saved}})
	if len(finals) != 2 || len(live.Runs[0].Steps) != 2 {
		t.Fatalf("%d final snapshots, %d report steps; want 2 and 2", len(finals), len(live.Runs[0].Steps))
	}
	for i, snap := range finals {
		for _, rep := range []struct {
			name string
			st   reports.Step
		}{{"live report", live.Runs[0].Steps[i]}, {"report from the results", fromFile.Runs[0].Steps[i]}} {
			st := rep.st
			dash := [5]int{snap.Done, snap.OK, snap.Timeouts, snap.Errors, snap.Cancelled}
			got := [5]int{st.Requests, st.OK, st.Timeouts, st.Errors, st.Cancelled}
			if dash != got {
				t.Errorf("step %s: dashboard requests/ok/timeouts/errors/cancelled %v, %s %v", st.Name, dash, rep.name, got)
			}
			if snap.Latency != st.LatencyMs {
				t.Errorf("step %s: dashboard latency %+v, %s %+v", st.Name, snap.Latency, rep.name, st.LatencyMs)
			}
			if st.ServerMs == nil || !snap.HaveServerTiming || snap.ServerInferMs != st.ServerMs.Infer {
				t.Errorf("step %s: dashboard infer mean %v, %s %+v", st.Name, snap.ServerInferMs, rep.name, st.ServerMs)
			}
		}
		if st := live.Runs[0].Steps[i]; st.OK == 0 || st.Timeouts == 0 || st.Errors == 0 {
			t.Errorf("step %s: ok %d, timeouts %d, errors %d; the stream should hold all three", st.Name, st.OK, st.Timeouts, st.Errors)
		}
	}
	if lc, fc := live.Runs[0].Comparisons, fromFile.Runs[0].Comparisons; len(lc) != 1 || lc[0] != fc[0] {
		t.Errorf("speedups: live %+v, from the results %+v; want one, equal", lc, fc)
	}
}

// TestRedirectLatencyCoversEveryHop: a redirected request's latency and timeout
// run from its first hop, as a client's would.
func TestRedirectLatencyCoversEveryHop(t *testing.T) {
	const hop = 60 * time.Millisecond
	mux := http.NewServeMux()
	mux.HandleFunc("/first", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(hop)
		http.Redirect(w, r, "/second", http.StatusFound)
	})
	mux.HandleFunc("/second", func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(hop)
		w.WriteHeader(http.StatusOK)
	})
	sc := urlScenario(serve(t, mux), "/first", sequential("hops", 2))
	sr := run(t, context.Background(), harness.New(), sc).only(t).Steps[0]
	for i := range sr.Results {
		r := &sr.Results[i]
		if c := reports.Classify(r); c != reports.OK || r.Latency < 2*hop {
			t.Errorf("request %d: %s in %s, want ok in at least the two hops' %s", r.Seq, c, r.Latency, 2*hop)
		}
	}
}

// TestPastMaxBodyClose: with request.past_max_body: close the runner stops reading
// a body once it is past what the result keeps and drops the connection, so a
// target streaming without end costs neither time nor bandwidth; every request
// still succeeds, each on a connection of its own.
func TestPastMaxBodyClose(t *testing.T) {
	const keep = 4 << 10
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(http.StatusOK)
		chunk := make([]byte, 16<<10)
		// Endless but for the client going away (and bounded, should it never go).
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			if _, err := w.Write(chunk); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	sc := urlScenario(srv.URL, "/", sequential("endless", 3))
	sc.Request.MaxBody = keep
	sc.Request.PastMaxBody = scenarios.PastMaxBodyClose
	log := run(t, context.Background(), harness.New(harness.Timeout(20*time.Second)), sc)
	sr := log.only(t).Steps[0]
	if len(sr.Results) != 3 {
		t.Fatalf("got %d results, want 3", len(sr.Results))
	}
	for i := range sr.Results {
		r := &sr.Results[i]
		if c := reports.Classify(r); c != reports.OK {
			t.Errorf("request %d: %s (%q), want ok", r.Seq, c, r.Error)
		}
		// Results drop their bodies once checked; what was read shows in BytesIn.
		if r.BytesIn <= keep || r.BytesIn > keep+1<<20 {
			t.Errorf("request %d: read %d bytes; want reading stopped soon after the %d kept", r.Seq, r.BytesIn, keep)
		}
	}
	if n := conns.Load(); n < 3 {
		t.Errorf("%d connections for 3 requests: a body left unread must not keep its connection", n)
	}
}
