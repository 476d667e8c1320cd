package harness_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"contend/harness"
	"contend/scenarios"
)

// runTimeout bounds every Run in these tests.
const runTimeout = 60 * time.Second

// runLog is the event stream of one Run, checked for order.
type runLog struct {
	events []harness.Event
}

// run starts r on sc, drains the stream and checks the event order.
func run(t *testing.T, ctx context.Context, r *harness.Runner, sc *scenarios.Scenario) runLog {
	t.Helper()
	return drain(t, r.Run(ctx, sc), nil)
}

// drain reads ch until it closes, calling each (when not nil) on every event.
func drain(t *testing.T, ch <-chan harness.Event, each func(harness.Event)) runLog {
	t.Helper()
	var log runLog
	deadline := time.After(runTimeout)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				if err := checkOrder(log.events); err != nil {
					t.Fatalf("event order: %v\n%s", err, log.kinds())
				}
				return log
			}
			log.events = append(log.events, ev)
			if each != nil {
				each(ev)
			}
		case <-deadline:
			t.Fatalf("run did not finish within %s; events so far:\n%s", runTimeout, log.kinds())
		}
	}
}

// checkOrder enforces the stream grammar documented on EventKind.
func checkOrder(evs []harness.Event) error {
	if len(evs) == 0 || evs[0].Kind != harness.RunStarted {
		return fmt.Errorf("first event is not RunStarted")
	}
	if evs[len(evs)-1].Kind != harness.RunDone {
		return fmt.Errorf("last event is not RunDone")
	}
	inTarget, inStep := "", false
	for i, ev := range evs[1 : len(evs)-1] {
		if ev.Time.IsZero() {
			return fmt.Errorf("event %d (%s) has no time", i+1, ev.Kind)
		}
		switch ev.Kind {
		case harness.TargetStarted:
			if inTarget != "" {
				return fmt.Errorf("event %d: TargetStarted inside run %q", i+1, inTarget)
			}
			inTarget = ev.Run
		case harness.StepStarted, harness.Results, harness.Progress, harness.StepDone:
			if inTarget != ev.Run {
				return fmt.Errorf("event %d: %s for run %q inside run %q", i+1, ev.Kind, ev.Run, inTarget)
			}
			switch {
			case ev.Kind == harness.StepStarted && inStep:
				return fmt.Errorf("event %d: StepStarted inside a step", i+1)
			case ev.Kind != harness.StepStarted && !inStep:
				return fmt.Errorf("event %d: %s outside a step", i+1, ev.Kind)
			}
			inStep = ev.Kind != harness.StepDone
			if ev.Kind == harness.Results && len(ev.Results) == 0 {
				return fmt.Errorf("event %d: Results without a result", i+1)
			}
			for _, c := range ev.Results {
				if c.Result == nil {
					return fmt.Errorf("event %d: Results with a nil result", i+1)
				}
			}
			if ev.Kind == harness.StepDone && ev.StepResult == nil {
				return fmt.Errorf("event %d: StepDone without a StepResult", i+1)
			}
		case harness.TargetDone:
			if inStep || inTarget != ev.Run || ev.TargetResult == nil {
				return fmt.Errorf("event %d: TargetDone for %q out of place", i+1, ev.Run)
			}
			inTarget = ""
		case harness.Log:
		default:
			return fmt.Errorf("event %d: unexpected %s", i+1, ev.Kind)
		}
	}
	if inTarget != "" {
		return fmt.Errorf("run %q has no TargetDone", inTarget)
	}
	return nil
}

func (l runLog) kinds() string {
	var b strings.Builder
	for _, ev := range l.events {
		fmt.Fprintf(&b, "  %s %s %s %s\n", ev.Kind, ev.Run, ev.Step.Name, ev.Message)
	}
	return b.String()
}

// done returns RunDone's error.
func (l runLog) done() error { return l.events[len(l.events)-1].Err }

// targets returns every TargetResult in order.
func (l runLog) targets() []*harness.TargetResult {
	var out []*harness.TargetResult
	for _, ev := range l.events {
		if ev.Kind == harness.TargetDone {
			out = append(out, ev.TargetResult)
		}
	}
	return out
}

// only returns the single TargetResult of the run, failing otherwise.
func (l runLog) only(t *testing.T) *harness.TargetResult {
	t.Helper()
	ts := l.targets()
	if len(ts) != 1 {
		t.Fatalf("got %d target results, want 1; events:\n%s", len(ts), l.kinds())
	}
	return ts[0]
}

func (l runLog) count(kind harness.EventKind) int {
	n := 0
	for _, ev := range l.events {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}

// completed returns the requests carried by every Results event.
func (l runLog) completed() int {
	n := 0
	for _, ev := range l.events {
		n += len(ev.Results)
	}
	return n
}

// lastSnapshot returns the Snapshot of the StepDone of the step called name.
func (l runLog) lastSnapshot(name string) (harness.Snapshot, bool) {
	for _, ev := range l.events {
		if ev.Kind == harness.StepDone && ev.Step.Name == name {
			return ev.Snapshot, true
		}
	}
	return harness.Snapshot{}, false
}

// urlScenario is a scenario against base sending GET path.
func urlScenario(base, path string, steps ...scenarios.Step) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "test",
		Target:  scenarios.Target{URL: base},
		Request: scenarios.Request{Method: http.MethodGet, Path: path, Timeout: scenarios.Duration{Duration: 10 * time.Second}},
		Steps:   steps,
	}
}

func sequential(name string, n int) scenarios.Step {
	return scenarios.Step{Name: name, Mode: scenarios.ModeSequential, Requests: n}
}

func concurrent(name string, n, c int) scenarios.Step {
	return scenarios.Step{Name: name, Mode: scenarios.ModeConcurrent, Requests: n, Concurrency: c}
}

// probe is an instrumented handler: it counts requests and the most in flight.
type probe struct {
	mu        sync.Mutex // guards the fields below
	hits      int
	inFlight  int
	maxFlight int
	arrived   chan struct{} // one send per request, when not nil (never blocks)
}

func (p *probe) enter() {
	p.mu.Lock()
	p.hits++
	p.inFlight++
	p.maxFlight = max(p.maxFlight, p.inFlight)
	p.mu.Unlock()
	if p.arrived != nil {
		select {
		case p.arrived <- struct{}{}:
		default:
		}
	}
}

func (p *probe) leave() {
	p.mu.Lock()
	p.inFlight--
	p.mu.Unlock()
}

func (p *probe) stats() (hits, maxFlight int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits, p.maxFlight
}

// serviceHandler takes d per request, one at a time when serialize is set (the
// seed's naive lock), and sends a Server-Timing header. It has no /metrics (404),
// and the Runner's requests for it are not counted.
func serviceHandler(p *probe, d time.Duration, serialize bool) http.Handler {
	var lock sync.Mutex // the handler's global lock when serialize is set
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			http.NotFound(w, r)
			return
		}
		p.enter()
		defer p.leave()
		begin := time.Now()
		if serialize {
			lock.Lock()
			defer lock.Unlock()
		}
		wait := time.Since(begin)
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Server-Timing", fmt.Sprintf("wait;dur=%.3f, infer;dur=%d", ms(wait), d.Milliseconds()))
		fmt.Fprintln(w, "ok")
	})
}

// serve starts an httptest server closed at the end of the test.
func serve(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}
