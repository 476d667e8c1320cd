package reports

import (
	"strings"
	"testing"
	"time"

	"contend/scenarios"
)

// expectRun is a run with a sequential step, a concurrent one (1 timeout, 2
// errors, p99 about 400 ms), a comparison and a sweep's fit.
func expectRun() Run {
	return Run{Target: TargetBuiltin, Strategy: "naive",
		Steps: []Step{
			{Name: "sequential", OK: 4, Requests: 4, LatencyMs: Latency{P99: 100}},
			{Name: "concurrent", OK: 1, Timeouts: 1, Errors: 2, Requests: 4, LatencyMs: Latency{P99: 400}},
			{Name: "broken", Requests: 2, Errors: 2},
		},
		Comparisons: []Comparison{{Base: "sequential", Step: "concurrent", Speedup: 1.02, Ideal: 2, Efficiency: 0.51}},
		Scaling:     &Scaling{Step: "sweep", USL: &USL{Sigma: 0.92}},
	}
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name string
		e    scenarios.Expect
		want []Expectation
	}{
		{name: "max_timeouts failed", e: scenarios.Expect{Step: "concurrent", MaxTimeouts: intp(0)},
			want: []Expectation{{"naive/concurrent: max_timeouts 0", false, "timeouts 1 > max 0 (over by 1)"}}},
		{name: "max_errors met", e: scenarios.Expect{Step: "concurrent", MaxErrors: intp(2)},
			want: []Expectation{{"naive/concurrent: max_errors 2", true, "errors 2 <= max 2"}}},
		{name: "min_speedup short", e: scenarios.Expect{Strategy: "naive", Step: "concurrent", MinSpeedup: floatp(1.6)},
			want: []Expectation{{"naive/concurrent: min_speedup 1.60", false, "speedup 1.02 < min 1.60 (short by 0.58)"}}},
		{name: "min_efficiency met", e: scenarios.Expect{Step: "concurrent", MinEfficiency: floatp(0.5)},
			want: []Expectation{{"naive/concurrent: min_efficiency 0.50", true, "efficiency 0.51 >= min 0.50"}}},
		{name: "max_p99 over", e: scenarios.Expect{Step: "concurrent", MaxP99: durp(250 * time.Millisecond)},
			want: []Expectation{{"naive/concurrent: max_p99 250ms", false, "p99 400ms > max 250ms (over by 150ms)"}}},
		{name: "max_p99 with no successes", e: scenarios.Expect{Step: "broken", MaxP99: durp(time.Second)},
			want: []Expectation{{"naive/broken: max_p99 1.00s", false, "no successful requests: p99 cannot be measured"}}},
		{name: "max_sigma over", e: scenarios.Expect{MaxSigma: floatp(0.1)},
			want: []Expectation{{"naive/sweep: max_sigma 0.10", false, "sigma 0.92 > max 0.10 (over by 0.82)"}}},
		{name: "no such step", e: scenarios.Expect{Step: "nope", MaxTimeouts: intp(0)},
			want: []Expectation{{"naive/nope: step", false, `the run has no step named "nope": nothing to check`}}},
		{name: "speedup without a comparison", e: scenarios.Expect{Step: "sequential", MinSpeedup: floatp(1)},
			want: []Expectation{{"naive/sequential: speedup", false, "no comparison for this step: add one under compare: (base: <step>, step: <step>)"}}},
		{name: "every step when the step is empty", e: scenarios.Expect{MaxTimeouts: intp(0)},
			want: []Expectation{
				{"naive/sequential: max_timeouts 0", true, "timeouts 0 <= max 0"},
				{"naive/concurrent: max_timeouts 0", false, "timeouts 1 > max 0 (over by 1)"},
				{"naive/broken: max_timeouts 0", true, "timeouts 0 <= max 0"},
			}},
		{name: "other strategy does not apply", e: scenarios.Expect{Strategy: "eager", MaxTimeouts: intp(0)}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run := expectRun()
			got := evaluateRun(&scenarios.Scenario{Expect: []scenarios.Expect{tt.e}}, &run)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d expectations %+v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got  %+v\nwant %+v", got[i], tt.want[i])
				}
			}
		})
	}
}

func TestUnmatchedAndFailed(t *testing.T) {
	sc := &scenarios.Scenario{Expect: []scenarios.Expect{
		{Strategy: "naive", Step: "concurrent", MaxTimeouts: intp(5)},
		{Strategy: "double-checkd", Step: "concurrent", MaxTimeouts: intp(0)}, // a typo must not pass
	}}
	rep := &Report{Runs: []Run{expectRun(), {Target: TargetBuiltin, Strategy: "eager", Error: "target exited: signal: killed"}}}
	rep.Expectations = evaluateUnmatched(sc, rep.Runs)
	for i := range rep.Runs {
		rep.Runs[i].Expectations = evaluateRun(sc, &rep.Runs[i])
	}
	rep.Baseline = []Expectation{{Name: "baseline x", OK: false, Detail: "worse"}}
	var names []string
	for _, e := range rep.Failed() {
		names = append(names, e.Name)
	}
	want := "eager: run|double-checkd/concurrent: run|baseline x"
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("Failed() = %s, want %s", got, want)
	}
}

func TestCompareBaseline(t *testing.T) {
	mk := func(speedup, p99 float64) *Report {
		return &Report{Scenario: "s", Runs: []Run{{Target: TargetBuiltin, Strategy: "double-checked",
			Steps:       []Step{{Name: "concurrent", OK: 4, LatencyMs: Latency{P99: p99}}},
			Comparisons: []Comparison{{Base: "sequential", Step: "concurrent", Speedup: speedup}}}}}
	}
	tests := []struct {
		name      string
		cur, base *Report
		tol       scenarios.Baseline
		want      []Expectation
	}{
		{name: "within the defaults", cur: mk(1.85, 120), base: mk(1.9, 100),
			want: []Expectation{
				{"baseline double-checked/concurrent: speedup", true, "speedup 1.85 vs baseline 1.90: down 3% (allowed: down 10%)"},
				{"baseline double-checked/concurrent: p99", true, "p99 120ms vs baseline 100ms: up 20% (allowed: up 25%)"},
			}},
		{name: "regressed", cur: mk(1.4, 130), base: mk(1.9, 100),
			want: []Expectation{
				{"baseline double-checked/concurrent: speedup", false, "speedup 1.40 vs baseline 1.90: down 26% (allowed: down 10%)"},
				{"baseline double-checked/concurrent: p99", false, "p99 130ms vs baseline 100ms: up 30% (allowed: up 25%)"},
			}},
		{name: "custom tolerances", cur: mk(1.4, 130), base: mk(1.9, 100), tol: scenarios.Baseline{MaxSpeedupDrop: 0.3, MaxP99Rise: 0.5},
			want: []Expectation{
				{"baseline double-checked/concurrent: speedup", true, "speedup 1.40 vs baseline 1.90: down 26% (allowed: down 30%)"},
				{"baseline double-checked/concurrent: p99", true, "p99 130ms vs baseline 100ms: up 30% (allowed: up 50%)"},
			}},
		{name: "improvement passes", cur: mk(2.5, 50), base: mk(1.9, 100),
			want: []Expectation{
				{"baseline double-checked/concurrent: speedup", true, "speedup 2.50 vs baseline 1.90: up 32% (allowed: down 10%)"},
				{"baseline double-checked/concurrent: p99", true, "p99 50ms vs baseline 100ms: down 50% (allowed: up 25%)"},
			}},
		{name: "nothing in common", cur: mk(1.9, 100), base: &Report{Scenario: "other", Runs: []Run{{Target: TargetBuiltin, Strategy: "naive"}}},
			want: []Expectation{{"baseline", false, `baseline "other" has no run, step or comparison in common with this report`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CompareBaseline(tt.cur, tt.base, tt.tol)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("got  %+v\nwant %+v", got[i], tt.want[i])
				}
			}
		})
	}
}
