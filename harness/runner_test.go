package harness_test

import (
	"context"
	"errors"
	"math"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// serviceTime is the fixed service time of the test handlers.
const serviceTime = 50 * time.Millisecond

// TestSerializationShowsInWallTime runs the seed's experiment on two loopback
// handlers: behind one mutex, 4 concurrent requests take as long as 4 sequential
// ones; without it, about as long as one. Bounds are relative to the sequential
// step measured in the same run.
func TestSerializationShowsInWallTime(t *testing.T) {
	tests := []struct {
		name                   string
		serialize              bool
		minSpeedup, maxSpeedup float64 // sequential wall / concurrent wall
	}{
		{name: "serialized by a mutex", serialize: true, minSpeedup: 0.5, maxSpeedup: 1.4},
		{name: "parallel", serialize: false, minSpeedup: 2.2, maxSpeedup: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probe{}
			base := serve(t, serviceHandler(p, serviceTime, tt.serialize))
			sc := urlScenario(base, "/", sequential("seq", 4), concurrent("conc", 4, 4))
			log := run(t, context.Background(), harness.New(), sc)
			if err := log.done(); err != nil {
				t.Fatalf("RunDone error: %v", err)
			}
			res := log.only(t)
			seq, conc := res.Steps[0], res.Steps[1]
			if seq.Wall < 4*serviceTime {
				t.Errorf("sequential wall %s, want at least 4 x %s", seq.Wall, serviceTime)
			}
			speedup := seq.Wall.Seconds() / conc.Wall.Seconds()
			if speedup < tt.minSpeedup || speedup > tt.maxSpeedup {
				t.Errorf("speedup %.2f (sequential %s, concurrent %s), want within [%.1f, %.1f]",
					speedup, seq.Wall, conc.Wall, tt.minSpeedup, tt.maxSpeedup)
			}
			snap, _ := log.lastSnapshot("conc")
			if !snap.HaveServerTiming {
				t.Fatalf("no Server-Timing means in %+v", snap)
			}
			// Behind the mutex the requests queue: the mean wait is well above 0.
			if gotWaits := snap.ServerWaitMs > ms(serviceTime)/2; gotWaits != tt.serialize {
				t.Errorf("mean server wait %.1f ms with serialize=%v", snap.ServerWaitMs, tt.serialize)
			}
		})
	}
}

// TestRequestCounts checks that count-bound steps send exactly what they plan:
// no extra result from the end of an attack, warm-up requests kept apart, and no
// more requests in flight than the concurrency.
func TestRequestCounts(t *testing.T) {
	tests := []struct {
		name       string
		step       scenarios.Step
		wantHits   int // requests the handler saw, warm-up included
		wantResult int
		wantFlight int // the most requests in flight at once
		wantLevels []int
	}{
		{name: "sequential", step: sequential("s", 5), wantHits: 5, wantResult: 5, wantFlight: 1},
		{name: "concurrent", step: concurrent("c", 7, 3), wantHits: 7, wantResult: 7, wantFlight: 3},
		{name: "concurrent without concurrency releases all",
			step: concurrent("c0", 4, 0), wantHits: 4, wantResult: 4, wantFlight: 4},
		{name: "warm-up is untimed",
			step:     scenarios.Step{Name: "w", Mode: scenarios.ModeSequential, Requests: 3, Warmup: 2},
			wantHits: 5, wantResult: 3, wantFlight: 1},
		{name: "sweep",
			step:     scenarios.Step{Name: "sw", Mode: scenarios.ModeSweep, Levels: []int{1, 2, 3}, RequestsPerLevel: 3},
			wantHits: 9, wantResult: 9, wantFlight: 3, wantLevels: []int{1, 2, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probe{}
			base := serve(t, serviceHandler(p, 30*time.Millisecond, false))
			log := run(t, context.Background(), harness.New(), urlScenario(base, "/", tt.step))
			if err := log.done(); err != nil {
				t.Fatalf("RunDone error: %v", err)
			}
			sr := log.only(t).Steps[0]
			hits, flight := p.stats()
			if hits != tt.wantHits {
				t.Errorf("handler saw %d requests, want %d", hits, tt.wantHits)
			}
			if len(sr.Results) != tt.wantResult {
				t.Errorf("got %d results, want %d", len(sr.Results), tt.wantResult)
			}
			if got := log.completed(); got != tt.wantResult {
				t.Errorf("Results events carried %d requests, want %d", got, tt.wantResult)
			}
			if flight != tt.wantFlight {
				t.Errorf("at most %d requests in flight, want %d", flight, tt.wantFlight)
			}
			var levels []int
			for _, l := range sr.Levels {
				levels = append(levels, l.Concurrency)
				if len(l.Results) != tt.step.RequestsPerLevel {
					t.Errorf("level %d: %d results, want %d", l.Concurrency, len(l.Results), tt.step.RequestsPerLevel)
				}
				if l.Wall <= 0 {
					t.Errorf("level %d: wall %s", l.Concurrency, l.Wall)
				}
			}
			if !equalInts(levels, tt.wantLevels) {
				t.Errorf("levels %v, want %v", levels, tt.wantLevels)
			}
			for i, r := range sr.Results {
				if r.Body != nil {
					t.Fatalf("result %d kept its body", i)
				}
			}
			// The handler has no /metrics, but it listens on loopback in this
			// very process: its CPU is read from /proc.
			if sr.TargetCPUSeconds < 0 {
				t.Errorf("target CPU %v, want it measured from /proc", sr.TargetCPUSeconds)
			}
			if sr.HostCPUSeconds <= 0 {
				t.Errorf("host CPU %v, want it measured from /proc/stat", sr.HostCPUSeconds)
			}
		})
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestOpenLoopSendsAtRate checks that rate and ramp steps offer about the planned
// number of requests, however slowly the target answers.
func TestOpenLoopSendsAtRate(t *testing.T) {
	tests := []struct {
		name     string
		step     scenarios.Step
		min, max int
	}{
		{name: "rate 50/s for 400ms",
			step: scenarios.Step{Name: "r", Mode: scenarios.ModeRate, Rate: scenarios.Rate{Freq: 50, Per: time.Second},
				Duration: scenarios.Duration{Duration: 400 * time.Millisecond}},
			min: 15, max: 25},
		{name: "ramp 10/s to 90/s over 500ms", // 5 + 20 = 25 expected
			step: scenarios.Step{Name: "ramp", Mode: scenarios.ModeRamp, Rate: scenarios.Rate{Freq: 10, Per: time.Second},
				RateTo: scenarios.Rate{Freq: 90, Per: time.Second}, Duration: scenarios.Duration{Duration: 500 * time.Millisecond}},
			min: 17, max: 33},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probe{}
			// Each request outlasts the interval between requests: an open loop must not wait for it.
			base := serve(t, serviceHandler(p, 150*time.Millisecond, false))
			log := run(t, context.Background(), harness.New(), urlScenario(base, "/", tt.step))
			if err := log.done(); err != nil {
				t.Fatalf("RunDone error: %v", err)
			}
			sr := log.only(t).Steps[0]
			if n := len(sr.Results); n < tt.min || n > tt.max {
				t.Errorf("sent %d requests, want %d..%d", n, tt.min, tt.max)
			}
			if _, flight := p.stats(); flight < 2 {
				t.Errorf("at most %d requests in flight: the loop waited for responses", flight)
			}
			for _, ev := range log.events {
				if ev.Kind == harness.StepStarted && (ev.Total != 0 || ev.Duration != tt.step.Duration.Duration) {
					t.Errorf("StepStarted Total %d Duration %s, want 0 and %s", ev.Total, ev.Duration, tt.step.Duration)
				}
			}
		})
	}
}

// TestOutcomesAreClassified checks that failures are data, counted by class.
func TestOutcomesAreClassified(t *testing.T) {
	slow := http.NewServeMux()
	slow.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	failing := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "model exploded", http.StatusInternalServerError)
	})
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })

	tests := []struct {
		name     string
		base     string
		path     string
		opts     []harness.Option
		want     reports.Outcome
		wantDown bool // RunDone reports the target down
	}{
		{name: "slower than the client timeout", base: serve(t, slow), path: "/slow",
			opts: []harness.Option{harness.Timeout(100 * time.Millisecond)}, want: reports.Timeout},
		{name: "500", base: serve(t, failing), path: "/", want: reports.Server5xx},
		{name: "404", base: serve(t, mux), path: "/missing", want: reports.Client4xx},
		{name: "closed port", base: closedPortURL(t), path: "/", want: reports.Refused, wantDown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := urlScenario(tt.base, tt.path, concurrent("burst", 3, 3))
			log := run(t, context.Background(), harness.New(tt.opts...), sc)
			res := log.only(t)
			sr := res.Steps[0]
			if len(sr.Results) != 3 {
				t.Fatalf("got %d results, want 3", len(sr.Results))
			}
			for i := range sr.Results {
				if got := reports.Classify(&sr.Results[i]); got != tt.want {
					t.Errorf("result %d classified %s (%q), want %s", i, got, sr.Results[i].Error, tt.want)
				}
			}
			snap, _ := log.lastSnapshot("burst")
			if snap.ByOutcome[tt.want] != 3 || snap.Done != 3 || snap.InFlight != 0 {
				t.Errorf("snapshot %+v, want 3 done, all %s", snap, tt.want)
			}
			wantTimeouts, wantErrors := 0, 3
			if tt.want == reports.Timeout {
				wantTimeouts, wantErrors = 3, 0
			}
			if snap.Timeouts != wantTimeouts || snap.Errors != wantErrors || snap.OK != 0 {
				t.Errorf("snapshot ok %d timeouts %d errors %d, want 0, %d, %d",
					snap.OK, snap.Timeouts, snap.Errors, wantTimeouts, wantErrors)
			}
			if len(sr.ErrorSamples) == 0 {
				t.Errorf("no error samples")
			}
			if tt.want == reports.Server5xx && !strings.Contains(string(sr.ErrorSamples[0].Body), "model exploded") {
				t.Errorf("error sample body %q, want the 500's body", sr.ErrorSamples[0].Body)
			}
			if gotDown := log.done() != nil; gotDown != tt.wantDown {
				t.Errorf("RunDone error %v, want an error: %v", log.done(), tt.wantDown)
			}
			if tt.wantDown && (sr.Err == nil || !strings.Contains(sr.Err.Error(), "is down")) {
				t.Errorf("step error %v, want the target reported down", sr.Err)
			}
		})
	}
}

// closedPortURL returns a loopback URL on which nothing listens.
func closedPortURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}

// TestCancelMidStep cancels a run while requests hang in the target: the stream
// ends promptly with the partial results and context.Canceled, and no later step
// starts.
func TestCancelMidStep(t *testing.T) {
	tests := []struct {
		name        string
		step        scenarios.Step
		cancelAfter int // requests arrived at the target
		wantResults int
	}{
		{name: "concurrent burst", step: concurrent("burst", 4, 4), cancelAfter: 4, wantResults: 4},
		{name: "sequential", step: sequential("seq", 10), cancelAfter: 1, wantResults: 1},
		{name: "slow rate", step: scenarios.Step{Name: "rate", Mode: scenarios.ModeRate,
			Rate: scenarios.Rate{Freq: 1, Per: 2 * time.Second}, Duration: scenarios.Duration{Duration: time.Minute}},
			cancelAfter: 1, wantResults: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probe{arrived: make(chan struct{}, 16)}
			base := serve(t, serviceHandler(p, time.Minute, false)) // hangs until cancelled
			sc := urlScenario(base, "/", tt.step, sequential("never", 1))
			// A cause of its own, as the CLI's signal context has: the results must
			// still say the run cut the requests off.
			ctx, cancel := context.WithCancelCause(context.Background())
			defer cancel(nil)
			go func() {
				for range tt.cancelAfter {
					<-p.arrived
				}
				time.Sleep(20 * time.Millisecond)
				cancel(errors.New("interrupt signal received"))
			}()
			began := time.Now()
			log := run(t, ctx, harness.New(), sc)
			if took := time.Since(began); took > 10*time.Second {
				t.Errorf("cancelled run took %s", took)
			}
			if err := log.done(); !errors.Is(err, context.Canceled) {
				t.Fatalf("RunDone error %v, want context.Canceled", err)
			}
			res := log.only(t)
			if !errors.Is(res.Err, context.Canceled) {
				t.Errorf("TargetResult.Err %v, want context.Canceled", res.Err)
			}
			if len(res.Steps) != 1 {
				t.Fatalf("got %d steps, want only the cancelled one", len(res.Steps))
			}
			sr := res.Steps[0]
			if !errors.Is(sr.Err, context.Canceled) {
				t.Errorf("StepResult.Err %v, want context.Canceled", sr.Err)
			}
			if len(sr.Results) != tt.wantResults {
				t.Errorf("got %d partial results, want %d", len(sr.Results), tt.wantResults)
			}
			for i := range sr.Results {
				if c := reports.Classify(&sr.Results[i]); c != reports.Cancelled {
					t.Errorf("in-flight request: %s (%q), want cancelled", c, sr.Results[i].Error)
				}
			}
			if n := log.count(harness.StepStarted); n != 1 {
				t.Errorf("%d steps started, want 1", n)
			}
		})
	}
}

// TestRemoteTargetRefused checks that a non-loopback URL is refused before any
// request, unless AllowRemote is given.
func TestRemoteTargetRefused(t *testing.T) {
	sc := urlScenario("http://192.0.2.10:8000", "/", sequential("s", 1))
	log := run(t, context.Background(), harness.New(), sc)
	if err := log.done(); !errors.Is(err, harness.ErrRemoteTarget) {
		t.Fatalf("RunDone error %v, want ErrRemoteTarget", err)
	}
	if n := log.count(harness.TargetStarted); n != 0 {
		t.Errorf("%d targets started", n)
	}

}

// TestInvalidScenario checks that a scenario the Runner cannot run fails before
// any request, with a message naming the problem.
func TestInvalidScenario(t *testing.T) {
	p := &probe{}
	base := serve(t, serviceHandler(p, 0, false))
	tests := []struct {
		name string
		sc   *scenarios.Scenario
		want string
	}{
		{name: "nil", sc: nil, want: "no scenario"},
		{name: "no steps", sc: urlScenario(base, "/"), want: "no steps"},
		{name: "no target", sc: &scenarios.Scenario{Name: "x", Steps: []scenarios.Step{sequential("s", 1)}},
			want: "no target"},
		{name: "unknown mode", sc: urlScenario(base, "/", scenarios.Step{Name: "s", Mode: "burst"}),
			want: `unknown mode "burst"`},
		{name: "zero requests", sc: urlScenario(base, "/", sequential("s", 0)), want: "requests must be above 0"},
		{name: "duplicate step names", sc: urlScenario(base, "/", sequential("s", 1), sequential("s", 1)),
			want: "share a name"},
		{name: "ramp without rate_to", sc: urlScenario(base, "/", scenarios.Step{Name: "r", Mode: scenarios.ModeRamp,
			Rate: scenarios.Rate{Freq: 1, Per: time.Second}, Duration: scenarios.Duration{Duration: time.Second}}),
			want: "rate_to must be above 0"},
		{name: "sweep level 0", sc: urlScenario(base, "/", scenarios.Step{Name: "w", Mode: scenarios.ModeSweep,
			Levels: []int{1, 0}}), want: "level 0 must be above 0"},
		{name: "sweep level without requests", sc: urlScenario(base, "/", scenarios.Step{Name: "w", Mode: scenarios.ModeSweep,
			Levels: []int{1, 2}, LevelRequests: []int{4, 0}}), want: "level 2 has 0 requests"},
		{name: "too many workers", sc: urlScenario(base, "/", concurrent("c", math.MaxInt, 0)),
			want: "concurrency 9223372036854775807 is above the limit of 10000 workers"},
		{name: "too many sweep workers", sc: urlScenario(base, "/", scenarios.Step{Name: "w", Mode: scenarios.ModeSweep,
			Levels: []int{1, 10001}}), want: "level 10001 is above the limit of 10000 workers"},
		{name: "bad url", sc: urlScenario("ftp://127.0.0.1/", "/", sequential("s", 1)), want: "scheme must be http"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			log := run(t, context.Background(), harness.New(), tt.sc)
			err := log.done()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("RunDone error %v, want it to contain %q", err, tt.want)
			}
			if n := log.count(harness.TargetStarted); n != 0 {
				t.Errorf("%d targets started", n)
			}
		})
	}
	if hits, _ := p.stats(); hits != 0 {
		t.Errorf("target got %d requests", hits)
	}
}

// TestSlowConsumerDoesNotSlowTheAttack: a reader that stops reading does not stop
// the attack, and results still arrive in order.
func TestSlowConsumerDoesNotSlowTheAttack(t *testing.T) {
	const requests = 40
	p := &probe{}
	base := serve(t, serviceHandler(p, 0, false))
	sc := urlScenario(base, "/", concurrent("c", requests, 4))
	ch := harness.New().Run(context.Background(), sc)
	served := func() int {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.hits - p.inFlight
	}
	var (
		done    []int // each Results event's Snapshot.Done
		carried []int // the requests carried by the events so far
		blocked bool
	)
	log := drain(t, ch, func(ev harness.Event) {
		if ev.Kind != harness.Results {
			return
		}
		done = append(done, ev.Snapshot.Done)
		carried = append(carried, len(ev.Results))
		if len(carried) > 1 {
			carried[len(carried)-1] += carried[len(carried)-2]
		}
		if blocked {
			return
		}
		// The reader holds on to the first result until the target has answered every
		// request. An attack that waited for its reader could never get there; one that
		// does not gets there however slow the machine is (the bound only ends a broken run).
		blocked = true
		deadline := time.Now().Add(30 * time.Second)
		for served() < requests {
			if time.Now().After(deadline) {
				t.Errorf("the target answered %d of %d requests while the reader held the first result: the attack waits on its reader", served(), requests)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	if err := log.done(); err != nil {
		t.Fatal(err)
	}
	if len(carried) == 0 || carried[len(carried)-1] != requests {
		t.Fatalf("Results events carried %v requests in all, want %d", carried, requests)
	}
	for i, d := range done {
		if d != carried[i] {
			t.Fatalf("Results event %d has Done %d, but %d requests were carried by then", i, d, carried[i])
		}
	}
}

// TestStepTimeoutOverridesRequestTimeout: a step's own timeout (a cold start's)
// replaces the request's client timeout for that step only.
func TestStepTimeoutOverridesRequestTimeout(t *testing.T) {
	p := &probe{}
	base := serve(t, serviceHandler(p, 150*time.Millisecond, false))
	long := sequential("long", 2)
	long.Timeout = scenarios.Duration{Duration: 5 * time.Second}
	sc := urlScenario(base, "/", long, sequential("short", 2))
	sc.Request.Timeout = scenarios.Duration{Duration: 50 * time.Millisecond}
	log := run(t, context.Background(), harness.New(), sc)
	res := log.only(t)
	if len(res.Steps) != 2 {
		t.Fatalf("got %d steps, want 2", len(res.Steps))
	}
	for i, want := range []reports.Outcome{reports.OK, reports.Timeout} {
		for _, r := range res.Steps[i].Results {
			if got := reports.Classify(&r); got != want {
				t.Errorf("step %s: outcome %s, want %s (%s)", res.Steps[i].Step.Name, got, want, r.Error)
			}
		}
	}
}

// TestRelativeTimeout checks "timeout: 3.5x seq": the burst's client timeout is
// 3.5 times the median latency step seq measured on the same target, so a
// serialized target times out its queued requests and a parallel one does not.
func TestRelativeTimeout(t *testing.T) {
	for _, tt := range []struct {
		name      string
		serialize bool
	}{{"serialized", true}, {"parallel", false}} {
		t.Run(tt.name, func(t *testing.T) {
			base := serve(t, serviceHandler(&probe{}, 100*time.Millisecond, tt.serialize))
			burst := concurrent("burst", 6, 6)
			burst.TimeoutOf = &scenarios.RelTimeout{Factor: 3.5, Step: "seq"}
			sc := urlScenario(base, "/", sequential("seq", 3), burst)
			res := run(t, context.Background(), harness.New(), sc).only(t)
			if len(res.Steps) != 2 {
				t.Fatalf("got %d steps, want 2 (%v)", len(res.Steps), res.Err)
			}
			seq, got := res.Steps[0], res.Steps[1]
			if seq.Timeout != sc.Request.Timeout.Duration {
				t.Errorf("seq ran with timeout %s, want the request's %s", seq.Timeout, sc.Request.Timeout)
			}
			lat := make([]time.Duration, 0, len(seq.Results))
			for _, r := range seq.Results {
				lat = append(lat, r.Latency)
			}
			slices.Sort(lat)
			// The median is the one the step's report gives (its HDR p50, within
			// 0.1% of the exact one).
			p50 := time.Duration(seq.Aggregate.Latency().P50 * float64(time.Millisecond))
			if d := float64(p50 - lat[1]); math.Abs(d) > 0.001*float64(lat[1]) {
				t.Errorf("seq's p50 %s is not within 0.1%% of its exact median %s", p50, lat[1])
			}
			if want := time.Duration(3.5 * float64(p50)); got.Timeout < want-time.Microsecond || got.Timeout > want+time.Microsecond {
				t.Fatalf("burst timeout %s, want 3.5 x seq's median %s = %s", got.Timeout, p50, want)
			}
			var ok, timeouts int
			for i := range got.Results {
				switch c := reports.Classify(&got.Results[i]); c {
				case reports.OK:
					ok++
				case reports.Timeout:
					timeouts++
					if l := got.Results[i].Latency; l < got.Timeout {
						t.Errorf("a request timed out after %s, before its %s timeout", l, got.Timeout)
					}
				default:
					t.Errorf("outcome %s (%s)", c, got.Results[i].Error)
				}
			}
			if tt.serialize && (ok == 0 || timeouts == 0) {
				t.Errorf("serialized: %d ok, %d timeouts; want the queue's tail timed out and its head served", ok, timeouts)
			}
			if !tt.serialize && timeouts != 0 {
				t.Errorf("parallel: %d timeouts at %s, want none", timeouts, got.Timeout)
			}
		})
	}
}

// TestRelativeTimeoutNeedsAMeasurement checks that a step scaling the latency of
// a step with no successful request fails, naming both, without sending load.
func TestRelativeTimeoutNeedsAMeasurement(t *testing.T) {
	p := &probe{}
	base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" { // not the runner's look at /metrics
			p.enter()
			defer p.leave()
		}
		http.Error(w, "down", http.StatusInternalServerError)
	}))
	burst := concurrent("burst", 4, 4)
	burst.TimeoutOf = &scenarios.RelTimeout{Factor: 2, Step: "seq"}
	log := run(t, context.Background(), harness.New(), urlScenario(base, "/", sequential("seq", 2), burst))
	err := log.done()
	if err == nil || !strings.Contains(err.Error(), `step "burst": timeout 2x seq: step "seq" had no successful request`) {
		t.Fatalf("RunDone error %v, want the burst's timeout to have no measurement", err)
	}
	if hits, _ := p.stats(); hits != 2 {
		t.Errorf("the target got %d requests, want seq's 2 and none of the burst's", hits)
	}
}

// TestTimeoutOptionOverridesRelativeTimeout checks that the Timeout option (the
// CLI's --timeout) wins over a step's relative timeout, as over a fixed one.
func TestTimeoutOptionOverridesRelativeTimeout(t *testing.T) {
	base := serve(t, serviceHandler(&probe{}, 10*time.Millisecond, false))
	burst := concurrent("burst", 2, 2)
	burst.TimeoutOf = &scenarios.RelTimeout{Factor: 2, Step: "seq"}
	res := run(t, context.Background(), harness.New(harness.Timeout(3*time.Second)),
		urlScenario(base, "/", sequential("seq", 1), burst)).only(t)
	if len(res.Steps) != 2 || res.Steps[1].Timeout != 3*time.Second {
		t.Fatalf("steps %d, burst timeout %v; want 3s from the option", len(res.Steps), res.Steps[len(res.Steps)-1].Timeout)
	}
}
