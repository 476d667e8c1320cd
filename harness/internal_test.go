package harness

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

func TestPlanStep(t *testing.T) {
	rate := func(n int) scenarios.Rate { return scenarios.Rate{Freq: n, Per: time.Second} }
	dur := scenarios.Duration{Duration: 10 * time.Second}
	tests := []struct {
		name  string
		step  scenarios.Step
		want  []attackPlan // pacer compared by type and total
		total int
		// defaults runs the step through ApplyDefaults first, as the Runner does.
		defaults bool
	}{
		{name: "sequential", step: scenarios.Step{Mode: scenarios.ModeSequential, Requests: 4},
			want: []attackPlan{{workers: 1, maxWorkers: 1, total: 4, conns: 1}}, total: 4},
		{name: "concurrent", step: scenarios.Step{Mode: scenarios.ModeConcurrent, Requests: 8, Concurrency: 4},
			want: []attackPlan{{workers: 4, maxWorkers: 4, total: 8, conns: 4}}, total: 8},
		{name: "concurrent defaults to all at once", step: scenarios.Step{Mode: scenarios.ModeConcurrent, Requests: 5},
			want: []attackPlan{{workers: 5, maxWorkers: 5, total: 5, conns: 5}}, total: 5},
		{name: "rate", step: scenarios.Step{Mode: scenarios.ModeRate, Rate: rate(20), Duration: dur},
			want: []attackPlan{{workers: 10, maxWorkers: 100, duration: 10 * time.Second, conns: 100, expect: 200}}},
		{name: "ramp", step: scenarios.Step{Mode: scenarios.ModeRamp, Rate: rate(10), RateTo: rate(30), Duration: dur},
			want: []attackPlan{{workers: 10, maxWorkers: 100, duration: 10 * time.Second, conns: 100, expect: 200}}},
		{name: "sweep with default requests per level", step: scenarios.Step{Mode: scenarios.ModeSweep, Levels: []int{1, 4}},
			defaults: true, want: []attackPlan{
				{level: 1, workers: 1, maxWorkers: 1, total: scenarios.DefaultRequestsPerLevel, conns: 1},
				{level: 4, workers: 4, maxWorkers: 4, total: scenarios.DefaultRequestsPerLevel, conns: 4},
			}, total: 2 * scenarios.DefaultRequestsPerLevel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.step.Name = "s"
			if tt.defaults {
				sc := scenarios.Scenario{Steps: []scenarios.Step{tt.step}}
				sc.ApplyDefaults()
				tt.step = sc.Steps[0]
			}
			got, err := planStep(tt.step, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d plans, want %d", len(got), len(tt.want))
			}
			for i := range got {
				g, w := got[i], tt.want[i]
				if g.pacer == nil {
					t.Fatalf("plan %d has no pacer", i)
				}
				g.pacer = nil
				if g != w {
					t.Errorf("plan %d = %+v, want %+v", i, g, w)
				}
			}
			if n := plannedTotal(got); n != tt.total {
				t.Errorf("planned total %d, want %d", n, tt.total)
			}
		})
	}
}

func TestRampPacerRisesLinearly(t *testing.T) {
	step := scenarios.Step{Name: "r", Mode: scenarios.ModeRamp,
		Rate:     scenarios.Rate{Freq: 10, Per: time.Second},
		RateTo:   scenarios.Rate{Freq: 50, Per: time.Second},
		Duration: scenarios.Duration{Duration: 4 * time.Second}}
	plans, err := planStep(step, 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at   time.Duration
		want float64
	}{{0, 10}, {2 * time.Second, 30}, {4 * time.Second, 50}}
	for _, tt := range tests {
		if got := plans[0].pacer.Rate(tt.at); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("rate at %s = %.2f, want %.2f", tt.at, got, tt.want)
		}
	}
}

func TestPlanWarmup(t *testing.T) {
	tests := []struct {
		name     string
		step     scenarios.Step
		ok       bool
		workers  int
		requests int
	}{
		{name: "none", step: scenarios.Step{Mode: scenarios.ModeSequential, Requests: 3}},
		{name: "sequential", step: scenarios.Step{Mode: scenarios.ModeSequential, Requests: 3, Warmup: 2},
			ok: true, workers: 1, requests: 2},
		{name: "concurrent uses its concurrency", step: scenarios.Step{Mode: scenarios.ModeConcurrent, Requests: 8,
			Concurrency: 4, Warmup: 8}, ok: true, workers: 4, requests: 8},
		{name: "no more workers than requests", step: scenarios.Step{Mode: scenarios.ModeConcurrent, Requests: 8,
			Concurrency: 4, Warmup: 2}, ok: true, workers: 2, requests: 2},
		{name: "sweep uses its first level", step: scenarios.Step{Mode: scenarios.ModeSweep, Levels: []int{2, 8},
			Warmup: 4}, ok: true, workers: 2, requests: 4},
		{name: "rate warms one at a time", step: scenarios.Step{Mode: scenarios.ModeRate, Warmup: 3},
			ok: true, workers: 1, requests: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := planWarmup(tt.step)
			if ok != tt.ok || p.workers != tt.workers || p.total != tt.requests {
				t.Errorf("got ok %v, %d workers, %d requests; want %v, %d, %d",
					ok, p.workers, p.total, tt.ok, tt.workers, tt.requests)
			}
		})
	}
}

func TestBurstPacerStopsAfterN(t *testing.T) {
	p := burstPacer{n: 3}
	for hits := uint64(0); hits < 5; hits++ {
		wait, stop := p.Pace(time.Hour, hits)
		if wait != 0 || stop != (hits >= 3) {
			t.Errorf("Pace(%d) = %s, %v", hits, wait, stop)
		}
	}
}

func TestStoppablePacerInterruptsItsWait(t *testing.T) {
	stop := make(chan struct{})
	p := stoppablePacer{inner: vegeta.ConstantPacer{Freq: 1, Per: time.Hour}, stop: stop}
	time.AfterFunc(50*time.Millisecond, func() { close(stop) })
	began := time.Now()
	_, done := p.Pace(time.Millisecond, 1) // would wait an hour
	if !done || time.Since(began) > 5*time.Second {
		t.Errorf("Pace returned done=%v after %s, want a stop soon after the close", done, time.Since(began))
	}
}

func TestCheckTargetURL(t *testing.T) {
	tests := []struct {
		url         string
		allowRemote bool
		wantErr     bool
	}{
		{url: "http://127.0.0.1:8000"},
		{url: "http://127.1.2.3:8000/api"},
		{url: "http://[::1]:8000"},
		{url: "http://localhost:8000"},
		{url: "https://LOCALHOST."},
		{url: "http://10.0.0.1:8000", wantErr: true},
		{url: "http://0.0.0.0:8000", wantErr: true},
		{url: "http://localhost.example.com", wantErr: true},
		{url: "http://example.com", wantErr: true},
		{url: "http://example.com", allowRemote: true},
		{url: "ftp://127.0.0.1", wantErr: true},
		{url: "127.0.0.1:8000", wantErr: true},
		{url: "http://", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := CheckTargetURL(tt.url, tt.allowRemote)
			if (err != nil) != tt.wantErr {
				t.Errorf("CheckTargetURL(%q, %v) = %v, want error: %v", tt.url, tt.allowRemote, err, tt.wantErr)
			}
		})
	}
}

func TestJoinURL(t *testing.T) {
	tests := []struct{ base, path, want string }{
		{"http://h:1", "/translate", "http://h:1/translate"},
		{"http://h:1/", "/translate", "http://h:1/translate"},
		{"http://h:1/api/", "translate", "http://h:1/api/translate"},
		{"http://h:1", "/", "http://h:1/"},
	}
	for _, tt := range tests {
		if got := joinURL(tt.base, tt.path); got != tt.want {
			t.Errorf("joinURL(%q, %q) = %q, want %q", tt.base, tt.path, got, tt.want)
		}
	}
}

func TestParseCPUSeconds(t *testing.T) {
	tests := []struct {
		name   string
		page   string
		want   float64
		wantOK bool
	}{
		{name: "plain", page: "# HELP process_cpu_seconds_total x\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\n",
			want: 12.5, wantOK: true},
		{name: "exponent and timestamp", page: "process_cpu_seconds_total 1.5e+01 1700000000000\n", want: 15, wantOK: true},
		{name: "labelled series summed", page: "process_cpu_seconds_total{a=\"x\"} 1\nprocess_cpu_seconds_total{a=\"y\"} 2\n",
			want: 3, wantOK: true},
		{name: "longer name ignored", page: "process_cpu_seconds_total_other 9\n"},
		{name: "absent", page: "go_goroutines 7\n"},
		{name: "garbage value", page: "process_cpu_seconds_total abc\n"},
		{name: "negative", page: "process_cpu_seconds_total -1\n"},
		{name: "empty", page: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseCPUSeconds([]byte(tt.page))
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func FuzzParseCPUSeconds(f *testing.F) {
	f.Add([]byte("process_cpu_seconds_total 12.5\n"))
	f.Add([]byte("process_cpu_seconds_total{x=\"}\"} 1\n"))
	f.Add([]byte("process_cpu_seconds_total{"))
	f.Fuzz(func(t *testing.T, page []byte) {
		v, ok := parseCPUSeconds(page)
		if ok && (v < 0 || math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Errorf("parsed %v from %q", v, page)
		}
	})
}

func TestParseAddr(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{in: "127.0.0.1:41234\n", want: "127.0.0.1:41234", ok: true},
		{in: "[::1]:80", want: "[::1]:80", ok: true},
		{in: "127.0.0.1:", ok: false},
		{in: "127.0.0.1:0", ok: false},
		{in: "127.0.0.1:99999", ok: false},
		{in: ":8080", ok: false},
		{in: "", ok: false},
		{in: "127.0.0.1", ok: false},
	}
	for _, tt := range tests {
		got, ok := parseAddr(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseAddr(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseAddr(f *testing.F) {
	f.Add("127.0.0.1:8080")
	f.Add("[::1]:1")
	f.Fuzz(func(t *testing.T, s string) {
		if addr, ok := parseAddr(s); ok && addr == "" {
			t.Errorf("ok with an empty address for %q", s)
		}
	})
}

func TestFileSafe(t *testing.T) {
	tests := []struct{ in, want string }{
		{"double-checked", "double-checked"},
		{"http://127.0.0.1:8080", "http___127.0.0.1_8080"},
		{"../..", "_"},
		{"a b/c", "a_b_c"},
		{"", "_"},
	}
	for _, tt := range tests {
		if got := fileSafe(tt.in); got != tt.want {
			t.Errorf("fileSafe(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := rawName("sweep", 4); got != "sweep-c4.bin" {
		t.Errorf("rawName = %q", got)
	}
}

func TestTallySnapshot(t *testing.T) {
	start := time.Now()
	tl := newTally(start, false)
	res := func(code uint16, latMs int, wait string) *vegeta.Result {
		r := &vegeta.Result{Code: code, Latency: time.Duration(latMs) * time.Millisecond}
		if wait != "" {
			r.Headers = http.Header{"Server-Timing": {"wait;dur=" + wait + ", infer;dur=10"}}
		}
		return r
	}
	tl.add(res(200, 40, "30"), reports.OK)
	tl.add(res(200, 20, "10"), reports.OK)
	tl.add(res(0, 100, ""), reports.Timeout)
	tl.add(res(0, 1, ""), reports.Refused)
	tl.add(res(500, 5, "20"), reports.Server5xx) // a failure's Server-Timing is not averaged, as in the report
	got := tl.snapshot(start.Add(2*time.Second), 3, true)
	want := Snapshot{
		Elapsed: 2 * time.Second, Done: 5, InFlight: 3, OK: 2, Timeouts: 1, Errors: 2,
		ServerWaitMs: 20, ServerInferMs: 10, HaveServerTiming: true, Throughput: 2.5,
		Latency: reports.Latency{P50: 20.015, P90: 40, P99: 40, Max: 40, Mean: 30, N: 2}, // HDR: within 0.1%
	}
	want.ByOutcome[reports.OK] = 2
	want.ByOutcome[reports.Timeout] = 1
	want.ByOutcome[reports.Refused] = 1
	want.ByOutcome[reports.Server5xx] = 1
	if got != want {
		t.Errorf("snapshot\n got %+v\nwant %+v", got, want)
	}

	sweep := newTally(start, true)
	sweep.add(res(200, 1, ""), reports.OK)
	sweep.startLevel(start.Add(time.Second))
	sweep.add(res(200, 1, ""), reports.OK)
	sweep.add(res(200, 1, ""), reports.OK)
	s := sweep.snapshot(start.Add(2*time.Second), 0, false)
	if s.Done != 3 || s.LevelDone != 2 || s.LevelThroughput != 2 || s.Throughput != 1.5 || s.HaveServerTiming {
		t.Errorf("sweep snapshot %+v", s)
	}
}

func TestSlimKeepsServerTimingOnly(t *testing.T) {
	r := &vegeta.Result{Body: []byte("x"), Headers: http.Header{
		"Server-Timing": {"wait;dur=1"}, "Content-Type": {"text/plain"}}}
	slim(r)
	if r.Body != nil || len(r.Headers) != 1 || r.Headers.Get("Server-Timing") != "wait;dur=1" {
		t.Errorf("slim left body %q headers %v", r.Body, r.Headers)
	}
	r = &vegeta.Result{Headers: http.Header{"Content-Type": {"text/plain"}}}
	slim(r)
	if r.Headers != nil {
		t.Errorf("slim kept headers %v", r.Headers)
	}
	// A failure keeps the head of its body, for the report's error samples.
	long := strings.Repeat("e", 2*maxKeptBody)
	r = &vegeta.Result{Code: 503, Body: []byte(long)}
	slim(r)
	if string(r.Body) != long[:maxKeptBody] {
		t.Errorf("slim kept %d bytes of a 503's body, want %d", len(r.Body), maxKeptBody)
	}
}

func TestReportRun(t *testing.T) {
	step := scenarios.Step{Name: "sw", Mode: scenarios.ModeSweep}
	tr := &TargetResult{
		Run: "naive", Strategy: "naive", URL: "http://127.0.0.1:1", LogPath: "/x/serve.log",
		Err: errBadStep,
		Steps: []StepResult{{StepInput: reports.StepInput{
			Step: step, Wall: time.Second, Results: make([]vegeta.Result, 3), TargetCPUSeconds: 0.5, Cores: 2,
			Levels: []LevelResult{{Concurrency: 2, Wall: time.Second, Results: make([]vegeta.Result, 3),
				TargetCPUSeconds: -1, RawPath: "/x/sw-c2.bin"}},
		}}},
	}
	got := tr.ReportRun()
	if got.Target != reports.TargetBuiltin || got.Strategy != "naive" || got.URL != tr.URL ||
		got.LogPath != tr.LogPath || got.Err != errBadStep.Error() {
		t.Errorf("run input %+v", got)
	}
	if len(got.Steps) != 1 || got.Steps[0].Wall != time.Second || len(got.Steps[0].Results) != 3 ||
		got.Steps[0].TargetCPUSeconds != 0.5 || got.Steps[0].Cores != 2 {
		t.Fatalf("step input %+v", got.Steps)
	}
	l := got.Steps[0].Levels
	if len(l) != 1 || l[0].Concurrency != 2 || l[0].RawPath != "/x/sw-c2.bin" || l[0].TargetCPUSeconds != -1 {
		t.Errorf("level input %+v", l)
	}
	ext := (&TargetResult{Run: "http://127.0.0.1:1", URL: "http://127.0.0.1:1"}).ReportRun()
	if ext.Target != reports.TargetURL || ext.Err != "" {
		t.Errorf("external run input %+v", ext)
	}
}

// BenchmarkResultPath measures the Runner's own work per result (classify, slim,
// aggregate with its Server-Timing, snapshot): it must stay far below a request's latency.
func BenchmarkResultPath(b *testing.B) {
	tl := newTally(time.Now(), false)
	headers := http.Header{"Server-Timing": {"wait;dur=12.5, load;dur=0, infer;dur=140.2"}, "Content-Type": {"application/json"}}
	b.ReportAllocs()
	for b.Loop() {
		r := &vegeta.Result{Code: 200, Body: []byte(`{"translation":"x"}`), Headers: headers}
		class := reports.ClassifyLive(r, nil)
		slim(r)
		tl.add(r, class)
		_ = tl.snapshot(time.Now(), 1, false)
	}
}

// TestLedgerStopCancelsInFlightAndRefusesNew: stopping the run cancels the
// context of every request in flight, and a request that starts afterwards is
// recorded as cut off by the run without being sent.
func TestLedgerStopCancelsInFlightAndRefusesNew(t *testing.T) {
	var l ledger
	_, ctx, ok := l.start(1, time.Minute)
	if !ok || ctx.Err() != nil {
		t.Fatalf("first request: ok %v, context error %v; want a live context", ok, ctx.Err())
	}
	if _, has := ctx.Deadline(); !has {
		t.Error("a request under a client timeout has no deadline")
	}
	_, noTimeout, _ := l.start(2, 0)
	l.stop()
	for i, c := range []context.Context{ctx, noTimeout} {
		if !errors.Is(c.Err(), context.Canceled) {
			t.Errorf("request %d in flight: context error %v after stop, want context.Canceled", i+1, c.Err())
		}
	}
	x, late, ok := l.start(3, time.Minute)
	if ok || late != nil {
		t.Fatalf("request started after stop: ok %v, context %v; want refused", ok, late)
	}
	if !errors.Is(x.err, reports.ErrRunStopped) || x.done.IsZero() {
		t.Errorf("refused request recorded as err %v, done %v; want ErrRunStopped, done", x.err, x.done)
	}
	if err := l.settle(&vegeta.Result{Seq: 3}); !errors.Is(err, reports.ErrRunStopped) {
		t.Errorf("settle of the refused request: %v, want ErrRunStopped", err)
	}
}

// TestOwnErrorsClassifyAlike: every error the harness makes up itself gets the
// same outcome live (reports.ClassifyLive on the error) as read back from a
// results file (reports.Classify on vegeta's text, URL quoted before it).
func TestOwnErrorsClassifyAlike(t *testing.T) {
	for _, err := range []error{
		errForeignDeadline,
		reports.ErrRunStopped,
		fmt.Errorf("reading the body: %w", context.DeadlineExceeded),
	} {
		live := vegeta.Result{Error: err.Error()}
		saved := vegeta.Result{Error: (&url.Error{Op: "Get", URL: "http://127.0.0.1:1/timeout", Err: err}).Error()}
		if l, s := reports.ClassifyLive(&live, err), reports.Classify(&saved); l != s {
			t.Errorf("%q: %s live, %s read back", err, l, s)
		}
	}
}
