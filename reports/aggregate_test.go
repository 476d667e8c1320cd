package reports

import (
	"net/http"
	"sort"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

func TestAggregateStepCounts(t *testing.T) {
	rqs := []rq{
		okReq(0, 10), okReq(0, 20),
		timeoutReq(0, 1000),
		{at: 0, lat: 5, code: 503, err: "503 Service Unavailable"},
		{at: 0, lat: 5, code: 404, err: "404 Not Found"},
		{at: 0, lat: 1, err: `Post "http://127.0.0.1:9/translate": dial tcp 127.0.0.1:9: connect: connection refused`},
		{at: 0, lat: 1, code: 200, err: "read: unexpected body"},
	}
	st := aggregateStep(stepIn(concStep(7, 7), t0, rqs, 1000, 0.5, 0), Host{CPUs: 4}, true)
	want := struct {
		requests, ok, timeouts, errors int
		by                             ErrorCounts
	}{7, 2, 1, 4, ErrorCounts{Refused: 1, Client4xx: 1, Server5xx: 1, Other: 1}}
	if st.Requests != want.requests || st.OK != want.ok || st.Timeouts != want.timeouts || st.Errors != want.errors || st.ErrorsBy != want.by {
		t.Errorf("got %d/%d/%d/%d %+v, want %+v", st.Requests, st.OK, st.Timeouts, st.Errors, st.ErrorsBy, want)
	}
	if st.Cores != 4 {
		t.Errorf("cores = %d, want the host's 4", st.Cores)
	}
	if st.ThroughputRPS != 2 {
		t.Errorf("throughput = %v, want 2 successes per second", st.ThroughputRPS)
	}
	if st.CPUUtil == nil || *st.CPUUtil != 0.5 || *st.TargetCPUS != 0.5 {
		t.Errorf("cpu = %v, want 0.5 s and 0.5 cores", st.CPUUtil)
	}
	if st.LatencyMs.N != 2 || st.LatencyMs.Max != 20 {
		t.Errorf("latency %+v: want over the 2 successes only", st.LatencyMs)
	}
	if st.ServerMs != nil {
		t.Errorf("server_ms = %+v, want absent without Server-Timing", st.ServerMs)
	}
}

func TestAggregatePercentiles(t *testing.T) {
	var rqs []rq
	for i := 1; i <= 100; i++ {
		rqs = append(rqs, timedReq(float64(i), float64(i), float64(i)/10, 0, float64(i)*0.9))
	}
	rqs = append(rqs, timeoutReq(0, 5000)) // must not move the percentiles
	st := aggregateStep(stepIn(seqStep(101), t0, rqs, 6000, 0, 0), Host{}, false)
	tests := []struct {
		name      string
		got, want float64
	}{
		{"p50", st.LatencyMs.P50, 50}, {"p90", st.LatencyMs.P90, 90}, {"p99", st.LatencyMs.P99, 99},
		{"max", st.LatencyMs.Max, 100}, {"mean", st.LatencyMs.Mean, 50.5},
		{"wait", st.ServerMs.Wait, 5.05}, {"infer", st.ServerMs.Infer, 45.45}, {"load", st.ServerMs.Load, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !near(tt.got, tt.want, tt.want*0.001+1e-9) { // HdrHistogram keeps 3 significant digits
				t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
			}
		})
	}
	if st.CPUUtil != nil || st.TargetCPUS != nil {
		t.Errorf("cpu present although unknown")
	}
	if st.Cores != 0 {
		t.Errorf("cores = %d for an external target, want 0", st.Cores)
	}
}

func TestStepConcurrency(t *testing.T) {
	overlapping := []rq{okReq(0, 100), okReq(10, 100), okReq(20, 100), okReq(150, 10)}
	tests := []struct {
		name string
		step scenarios.Step
		want int
	}{
		{"sequential", seqStep(4), 1},
		{"concurrent", concStep(3, 9), 3},
		{"concurrent without concurrency: its requests", scenarios.Step{Name: "c", Mode: scenarios.ModeConcurrent, Requests: 4}, 4},
		{"sweep: the highest level", scenarios.Step{Name: "s", Mode: scenarios.ModeSweep, Levels: []int{1, 8, 2}}, 8},
		{"rate: the peak in flight", scenarios.Step{Name: "r", Mode: scenarios.ModeRate}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := aggregateStep(stepIn(tt.step, t0, overlapping, 160, 0, 0), Host{}, false)
			if st.Concurrency != tt.want {
				t.Errorf("concurrency = %d, want %d", st.Concurrency, tt.want)
			}
			if st.PeakInFlight != 3 {
				t.Errorf("peak in flight = %d, want 3", st.PeakInFlight)
			}
		})
	}
}

func TestAggregateSweep(t *testing.T) {
	ri := sweepRun(coreModel, 2, []int{1, 2, 4}, 8, 100, false, true)
	st := aggregateStep(ri.Steps[0], Host{CPUs: 2}, true)
	if st.Requests != 24 || st.OK != 24 || len(st.Levels) != 3 {
		t.Fatalf("requests %d ok %d levels %d, want 24, 24, 3", st.Requests, st.OK, len(st.Levels))
	}
	wantWall := (800 + 400 + 400) / 1000.0
	if !near(st.WallS, wantWall, 1e-9) {
		t.Errorf("wall = %v, want the levels' sum %v", st.WallS, wantWall)
	}
	if st.TargetCPUS == nil || !near(*st.TargetCPUS, 2.4, 1e-9) {
		t.Errorf("cpu = %v, want the levels' sum 2.4", st.TargetCPUS)
	}
	wantX := []float64{10, 20, 20}
	for i, l := range st.Levels {
		if !near(l.ThroughputRPS, wantX[i], 1e-9) || l.CPUUtil == nil {
			t.Errorf("level %d: throughput %v cpu %v, want %v", l.Concurrency, l.ThroughputRPS, l.CPUUtil, wantX[i])
		}
	}
	if st.Concurrency != 4 {
		t.Errorf("concurrency = %d, want the top level 4", st.Concurrency)
	}
}

func TestTimelineAndHistogram(t *testing.T) {
	var rqs []rq
	for i := range 3000 {
		rqs = append(rqs, okReq(float64(i), float64(10+i%97)))
		if i%20 == 0 {
			rqs = append(rqs, timeoutReq(float64(i), 1000))
		}
	}
	rqs = append(rqs, rq{at: 3001, lat: 2, code: 500, err: "500 Internal Server Error"})
	res := results(t0, rqs)
	// Deliver them out of order, as a harness merging workers might.
	sort.SliceStable(res, func(i, j int) bool { return res[i].Latency < res[j].Latency })
	st := aggregateStep(StepInput{Step: concStep(8, len(res)), Results: res, TargetCPUSeconds: UnknownCPU}, Host{}, false)

	tl := st.Timeline
	if n := len(tl.OK) + len(tl.Failed); n > MaxTimelinePoints || len(tl.Failed) > maxFailedPoints || len(tl.OK) < 400 {
		t.Errorf("timeline has %d ok + %d failed points, want at most %d (%d failed)", len(tl.OK), len(tl.Failed), MaxTimelinePoints, maxFailedPoints)
	}
	if tl.OK[0].T != 0 || tl.OK[len(tl.OK)-1].T != 2.999 {
		t.Errorf("timeline spans %v..%v, want the first and last request kept", tl.OK[0].T, tl.OK[len(tl.OK)-1].T)
	}
	for i := 1; i < len(tl.OK); i++ {
		if tl.OK[i].T < tl.OK[i-1].T {
			t.Fatalf("timeline not in time order at %d", i)
		}
	}
	total := 0
	for _, b := range st.Histogram.Bins {
		total += b.N
	}
	if len(st.Histogram.Bins) != HistogramBins || total != 3000 || st.Histogram.Timeouts != 150 || st.Histogram.Errors != 1 {
		t.Errorf("histogram: %d bins, %d ok, %d timeouts, %d errors; want %d, 3000, 150, 1",
			len(st.Histogram.Bins), total, st.Histogram.Timeouts, st.Histogram.Errors, HistogramBins)
	}
}

func TestErrorSamples(t *testing.T) {
	res := results(t0, []rq{
		timeoutReq(0, 10), timeoutReq(0, 10), timeoutReq(0, 10),
		{code: 503, err: "503 Service Unavailable"},
		{code: 503, err: "503 Service Unavailable"},
		{err: "a"}, {err: "b"}, {err: "c"}, {err: "d"},
	})
	res[3].Body = []byte(`{"error": {"code": "model_unavailable", "message": "loading"}}`)
	got := errorSamples(res)
	want := []ErrorSample{
		{Class: "timeout", Count: 3, Error: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"},
		{Class: "5xx", Count: 1, Error: `503 Service Unavailable {"error": {"code": "model_unavailable", "message": "loading"}}`},
		{Class: "5xx", Count: 1, Error: "503 Service Unavailable"},
		{Class: "other", Count: 1, Error: "a"},
		{Class: "other", Count: 1, Error: "b"},
		{Class: "mixed", Count: 2, Error: "(2 other messages)"}, // every failure is counted
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sample %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestCancelledAreNotFailures checks that requests cut off by stopping the run
// are counted apart: not errors, not timeouts, not on the timeline or histogram.
func TestCancelledAreNotFailures(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	cancelled := vegeta.Result{Timestamp: t0.Add(ms(5)), Latency: ms(40), Error: "context canceled"}
	in := StepInput{Step: scenarios.Step{Name: "burst", Mode: scenarios.ModeConcurrent, Requests: 4, Concurrency: 4},
		Wall: ms(100), TargetCPUSeconds: UnknownCPU, Results: []vegeta.Result{
			{Timestamp: t0, Latency: ms(20), Code: 200},
			{Timestamp: t0.Add(ms(1)), Latency: ms(50), Error: "context deadline exceeded"},
			cancelled, cancelled,
		}}
	st := aggregateStep(in, Host{CPUs: 2}, false)
	if st.Requests != 4 || st.OK != 1 || st.Timeouts != 1 || st.Errors != 0 || st.Cancelled != 2 || st.Failed() != 1 {
		t.Errorf("requests %d, ok %d, timeouts %d, errors %d, cancelled %d, failed %d; want 4, 1, 1, 0, 2, 1",
			st.Requests, st.OK, st.Timeouts, st.Errors, st.Cancelled, st.Failed())
	}
	if len(st.ErrorSamples) != 1 || st.ErrorSamples[0].Class != "timeout" {
		t.Errorf("error samples %+v, want only the timeout's", st.ErrorSamples)
	}
	if len(st.Timeline.Failed) != 1 || st.Histogram.Errors != 0 || st.Histogram.Timeouts != 1 {
		t.Errorf("timeline failures %v, histogram %+v; want only the timeout", st.Timeline.Failed, st.Histogram)
	}
	if got, ok := stepOutcome(&st); got != "0.10s (1 failed, 1 succeeded, 2 cancelled) ✗" || ok {
		t.Errorf("stepOutcome = %q, %v", got, ok)
	}
	// Stopped with nothing failed: not a pass either.
	stopped := Step{WallS: 0.5, Requests: 3, OK: 1, Cancelled: 2}
	if got, ok := stepOutcome(&stopped); got != "0.50s (1 succeeded, 2 cancelled) –" || ok {
		t.Errorf("stepOutcome = %q, %v", got, ok)
	}
}

func TestParseServerTiming(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   ServerTiming
	}{
		{"all three", []string{"wait;dur=12.5, load;dur=0, infer;dur=140.2"}, ServerTiming{12.5, 0, 140.2, true}},
		{"split headers, descriptions, quotes", []string{`wait;desc="lock";dur="3"`, "infer;dur=7"}, ServerTiming{3, 0, 7, true}},
		{"unknown and malformed entries", []string{"db;dur=5, wait;dur=abc, infer, load;dur=-1"}, ServerTiming{}},
		{"absent", nil, ServerTiming{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParseServerTiming(tt.values); got != tt.want {
				t.Errorf("ParseServerTiming(%q) = %+v, want %+v", tt.values, got, tt.want)
			}
		})
	}
	h := http.Header{}
	h.Add("Server-Timing", "wait;dur=1")
	if got := ParseServerTiming(h.Values("server-timing")); !got.Have {
		t.Errorf("header lookup is not case-insensitive: %+v", got)
	}
}

// BenchmarkBuild measures Build over a run of 20,000 results with Server-Timing
// (a long rate step): aggregation, timeline, histogram and diagnosis.
func BenchmarkBuild(b *testing.B) {
	ri := simRun(coreModel, 2, 8, 10000, 5, true, true)
	in := Input{Scenario: builtinScenario(false), Host: Host{CPUs: 2}, Runs: []RunInput{ri}}
	b.ReportAllocs()
	for b.Loop() {
		if rep := Build(in); len(rep.Runs[0].Steps) != 2 {
			b.Fatal("no steps")
		}
	}
}

// TestHistogramHDRRoundTrip pins the saved histogram: decoded from report.json's
// histogram_hdr it holds every success, gives the step's own percentiles, and
// two steps' histograms merge into one counting both.
func TestHistogramHDRRoundTrip(t *testing.T) {
	var rqs []rq
	for i := 1; i <= 200; i++ {
		rqs = append(rqs, okReq(float64(i), float64(i)))
	}
	rqs = append(rqs, timeoutReq(0, 5000))
	st := aggregateStep(stepIn(seqStep(len(rqs)), t0, rqs, 9000, 0, 0), Host{}, false)
	if st.HistogramHDR == "" {
		t.Fatal("histogram_hdr is empty for a step with successes")
	}
	h, err := DecodeLatencyHistogram(st.HistogramHDR)
	if err != nil {
		t.Fatalf("decode histogram_hdr: %v", err)
	}
	if h.TotalCount() != int64(st.OK) {
		t.Errorf("decoded histogram holds %d values, want the %d successes", h.TotalCount(), st.OK)
	}
	if got := LatencyOf(h, st.LatencyMs.Mean, st.LatencyMs.Max); got != st.LatencyMs {
		t.Errorf("percentiles from the decoded histogram %+v, want the step's %+v", got, st.LatencyMs)
	}
	other, _ := DecodeLatencyHistogram(st.HistogramHDR)
	if dropped := h.Merge(other); dropped != 0 || h.TotalCount() != int64(2*st.OK) {
		t.Errorf("merged histogram: %d values, %d dropped; want %d, 0", h.TotalCount(), dropped, 2*st.OK)
	}
	if again := EncodeLatencyHistogram(other); again != st.HistogramHDR {
		t.Error("re-encoding a decoded histogram changed it")
	}
	none := aggregateStep(stepIn(seqStep(1), t0, []rq{timeoutReq(0, 5000)}, 5000, 0, 0), Host{}, false)
	if none.HistogramHDR != "" {
		t.Errorf("histogram_hdr = %q for a step with no successes, want absent", none.HistogramHDR)
	}
}
