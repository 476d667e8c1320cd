package harness_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// TestResponsesAreValidated runs bursts at targets answering 200 with bodies that
// do or do not meet request.expect: a failed check is an error with its cause.
func TestResponsesAreValidated(t *testing.T) {
	answer := func(code int, body string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/metrics" {
				http.NotFound(w, r)
				return
			}
			w.WriteHeader(code)
			fmt.Fprint(w, body)
		})
	}
	yes := true
	tests := []struct {
		name     string
		handler  http.Handler
		expect   scenarios.ResponseExpect
		wantOK   int
		wantErr  string
		wantBody string
	}{
		{name: "garbage counts as OK unless asked", handler: answer(200, "garbage"), wantOK: 3},
		{name: "garbage when JSON is expected", handler: answer(200, "garbage"), expect: scenarios.ResponseExpect{JSON: &yes},
			wantErr: "response is not JSON: invalid character 'g'", wantBody: "garbage"},
		{name: "JSON when JSON is expected", handler: answer(200, `{"translation": "ok"}`), expect: scenarios.ResponseExpect{JSON: &yes}, wantOK: 3},
		{name: "wrong status", handler: answer(201, `{}`), expect: scenarios.ResponseExpect{Status: 200},
			wantErr: "response status 201, want 200", wantBody: "{}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := urlScenario(serve(t, tt.handler), "/translate", concurrent("burst", 3, 3))
			sc.Request.Expect = tt.expect
			log := run(t, context.Background(), harness.New(), sc)
			if err := log.done(); err != nil {
				t.Fatalf("run failed: %v", err)
			}
			sr := log.only(t).Steps[0]
			snap, _ := log.lastSnapshot("burst")
			if snap.OK != tt.wantOK || snap.ByOutcome[reports.OtherErr] != 3-tt.wantOK {
				t.Errorf("snapshot ok %d other %d, want %d and %d", snap.OK, snap.ByOutcome[reports.OtherErr], tt.wantOK, 3-tt.wantOK)
			}
			if tt.wantErr == "" {
				return
			}
			for i := range sr.Results {
				if got := sr.Results[i].Error; !strings.HasPrefix(got, tt.wantErr) {
					t.Errorf("result %d error %q, want %q", i, got, tt.wantErr)
				}
			}
			if len(sr.ErrorSamples) == 0 || string(sr.ErrorSamples[0].Body) != tt.wantBody {
				t.Errorf("error samples %+v, want the body %q kept", sr.ErrorSamples, tt.wantBody)
			}
			rep := reports.Build(reports.Input{Scenario: sc, Runs: []reports.RunInput{log.only(t).ReportRun()}})
			st := rep.Runs[0].Steps[0]
			if st.Errors != 3 || st.ErrorsBy.Other != 3 || len(st.ErrorSamples) != 1 || !strings.HasPrefix(st.ErrorSamples[0].Error, tt.wantErr) {
				t.Errorf("report step errors %d (other %d), samples %+v; want 3 other errors saying %q",
					st.Errors, st.ErrorsBy.Other, st.ErrorSamples, tt.wantErr)
			}
		})
	}
}

// resourceTarget serves /translate and a /metrics page whose goroutine count rises
// by one on every scrape, counting the scrapes.
type resourceTarget struct {
	scrapes atomic.Int64
	metrics bool // serve /metrics (else 404)
	cpuOnly bool // with process_cpu_seconds_total alone
}

func (rt *resourceTarget) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics" {
		fmt.Fprintln(w, `{"translation": "ok"}`)
		return
	}
	n := rt.scrapes.Add(1)
	if !rt.metrics {
		http.NotFound(w, r)
		return
	}
	if rt.cpuOnly {
		fmt.Fprintln(w, "process_cpu_seconds_total 1")
		return
	}
	fmt.Fprintf(w, "process_cpu_seconds_total 1\ngo_goroutines %d\nprocess_open_fds 9\nprocess_resident_memory_bytes 5e+07\n", 10+n)
}

// TestResourcesAreSampled: while a step runs, the target's /metrics is sampled
// every SampleEvery into StepResult.Resources; a target without /metrics is not
// asked again after its first 404.
func TestResourcesAreSampled(t *testing.T) {
	const every = 50 * time.Millisecond
	step := scenarios.Step{Name: "rate", Mode: scenarios.ModeRate,
		Rate: scenarios.Rate{Freq: 20, Per: time.Second}, Duration: scenarios.Duration{Duration: time.Second}}

	t.Run("with metrics", func(t *testing.T) {
		rt := &resourceTarget{metrics: true}
		sc := urlScenario(serve(t, rt), "/translate", step, step)
		sc.Steps[1].Name = "again"
		log := run(t, context.Background(), harness.New(harness.SampleEvery(every)), sc)
		for _, sr := range log.only(t).Steps {
			got := sr.Resources
			// A second's step at 50 ms: about 20 samples.
			if len(got) < 8 || len(got) > 30 {
				t.Fatalf("step %s: %d samples, want about 20", sr.Step.Name, len(got))
			}
			for i, s := range got {
				if s.RSSBytes != 50e6 || s.OpenFDs != 9 || (i > 0 && s.Goroutines <= got[i-1].Goroutines) {
					t.Fatalf("step %s sample %d = %+v, want rss 50e6, 9 fds, goroutines rising", sr.Step.Name, i, s)
				}
				if s.At.Before(sr.Started.Add(-time.Second)) || s.At.After(sr.Started.Add(sr.Wall+time.Second)) {
					t.Errorf("sample %d at %s is outside the step (%s + %s)", i, s.At, sr.Started, sr.Wall)
				}
			}
		}
		in := log.only(t).ReportRun()
		if n := len(in.Steps[0].Resources); n != len(log.only(t).Steps[0].Resources) {
			t.Errorf("ReportRun carried %d samples, want every one", n)
		}
	})
	t.Run("without metrics", func(t *testing.T) {
		rt := &resourceTarget{}
		sc := urlScenario(serve(t, rt), "/translate", step, step)
		sc.Steps[1].Name = "again"
		log := run(t, context.Background(), harness.New(harness.SampleEvery(every)), sc)
		for _, sr := range log.only(t).Steps {
			if len(sr.Resources) != 0 {
				t.Errorf("step %s has %d samples of a target without /metrics", sr.Step.Name, len(sr.Resources))
			}
		}
		if n := rt.scrapes.Load(); n != 1 {
			t.Errorf("/metrics asked %d times, want once", n)
		}
	})
	t.Run("metrics without resources", func(t *testing.T) {
		rt := &resourceTarget{metrics: true, cpuOnly: true}
		sc := urlScenario(serve(t, rt), "/translate", step, step)
		sc.Steps[1].Name = "again"
		log := run(t, context.Background(), harness.New(harness.SampleEvery(every)), sc)
		for _, sr := range log.only(t).Steps {
			if len(sr.Resources) != 0 || sr.TargetCPUSeconds < 0 {
				t.Errorf("step %s: %d samples, cpu %v; want none and the cpu measured", sr.Step.Name, len(sr.Resources), sr.TargetCPUSeconds)
			}
		}
		// A loopback target's CPU comes from /proc (the process listening on
		// its port, this test's own), so /metrics is asked only once, for the
		// resources.
		if n := rt.scrapes.Load(); n != 1 {
			t.Errorf("/metrics asked %d times, want once", n)
		}
	})
}
