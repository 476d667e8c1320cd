package reports

import (
	"strings"
	"testing"

	"contend/scenarios"
)

func TestIdeal(t *testing.T) {
	tests := []struct {
		name                string
		baseC, stepC, cores int
		want                float64
	}{
		{"builtin, more requests than cores", 1, 4, 2, 2},
		{"builtin, fewer requests than cores", 1, 4, 8, 4},
		{"external: unbounded", 1, 4, 0, 4},
		{"one core", 1, 4, 1, 1},
		{"concurrent base", 2, 8, 4, 2},
		{"zero concurrency counts as one", 0, 3, 0, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Ideal(tt.baseC, tt.stepC, tt.cores); got != tt.want {
				t.Errorf("Ideal(%d, %d, %d) = %v, want %v", tt.baseC, tt.stepC, tt.cores, got, tt.want)
			}
		})
	}
}

func TestSpeedup(t *testing.T) {
	tests := []struct {
		name       string
		base, step Step
		want       float64
	}{
		{"same request count", Step{OK: 4, WallS: 6.4}, Step{OK: 4, WallS: 3.2}, 2},
		{"scaled to the step's request count", Step{OK: 4, WallS: 6.4}, Step{OK: 16, WallS: 6.4}, 4},
		{"seed: one of four succeeded in 120 s", Step{OK: 4, WallS: 6.44}, Step{OK: 1, WallS: 120.62}, 6.44 / 4 / 120.62},
		{"nothing succeeded", Step{OK: 4, WallS: 6.4}, Step{OK: 0, WallS: 10}, 0},
		{"base had no successes", Step{OK: 0, WallS: 6.4}, Step{OK: 4, WallS: 3.2}, 0},
		{"no wall time", Step{OK: 4, WallS: 6.4}, Step{OK: 4}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Speedup(&tt.base, &tt.step); !near(got, tt.want, 1e-12) {
				t.Errorf("Speedup = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	tests := []struct {
		speedup, ideal float64
		failed         int
		want           string
	}{
		{1.02, 2, 0, VerdictSerialized},
		{1.25, 2, 0, VerdictSerialized}, // at most 1.25
		{1.26, 2, 0, VerdictPartial},
		{1.5, 2, 0, VerdictParallel}, // efficiency exactly 0.75
		{1.49, 2, 0, VerdictPartial},
		{1.95, 2, 0, VerdictParallel},
		{1.95, 2, 1, VerdictPartial}, // a failure keeps it from parallel
		{0.01, 2, 3, VerdictSerialized},
		{1.0, 1, 0, VerdictInconclusive}, // one core
		{3.9, 4, 0, VerdictParallel},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := Verdict(tt.speedup, tt.ideal, tt.failed); got != tt.want {
				t.Errorf("Verdict(%v, %v, %d) = %s, want %s", tt.speedup, tt.ideal, tt.failed, got, tt.want)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	seq := Step{Name: "sequential", Mode: scenarios.ModeSequential, Concurrency: 1, Requests: 4, OK: 4, WallS: 6.44}
	tests := []struct {
		name       string
		base, step Step
		cores      int
		want       Comparison
	}{
		{name: "seed, naive", base: seq,
			step:  Step{Name: "concurrent", Mode: scenarios.ModeConcurrent, Concurrency: 4, Requests: 4, OK: 1, Timeouts: 3, WallS: 120.62},
			cores: 2,
			want: Comparison{Base: "sequential", Step: "concurrent", Speedup: 0.013, Ideal: 2, Efficiency: 0.007, Verdict: VerdictSerialized,
				Detail: `3 of 4 requests of step "concurrent" failed (3 timeouts); the speedup counts only the 1 that succeeded`}},
		{name: "fixed", base: seq, step: Step{Name: "concurrent", Mode: scenarios.ModeConcurrent, Concurrency: 4, Requests: 4, OK: 4, WallS: 3.3},
			cores: 2,
			want:  Comparison{Base: "sequential", Step: "concurrent", Speedup: 1.952, Ideal: 2, Efficiency: 0.976, Verdict: VerdictParallel}},
		{name: "stopped mid-burst", base: seq, step: Step{Name: "concurrent", Mode: scenarios.ModeConcurrent, Concurrency: 4, Requests: 4, OK: 2, Cancelled: 2, WallS: 3.3},
			cores: 2,
			want: Comparison{Base: "sequential", Step: "concurrent", Speedup: 0.976, Ideal: 2, Efficiency: 0.488, Verdict: VerdictInconclusive,
				Detail: "the run was stopped with 2 requests in flight"}},
		{name: "one core", base: seq, step: Step{Name: "c", Concurrency: 4, Requests: 4, OK: 4, WallS: 6.4}, cores: 1,
			want: Comparison{Base: "sequential", Step: "c", Speedup: 1.006, Ideal: 1, Efficiency: 1.006, Verdict: VerdictInconclusive,
				Detail: "the ideal speedup is only 1.00 (1 core): parallel and serialized look alike"}},
		{name: "base failed", base: Step{Name: "sequential", Concurrency: 1, Requests: 4, Errors: 4, WallS: 1},
			step: Step{Name: "c", Concurrency: 4, Requests: 4, OK: 4, WallS: 1}, cores: 2,
			want: Comparison{Base: "sequential", Step: "c", Ideal: 2, Verdict: VerdictInconclusive,
				Detail: `base step "sequential" had no successful requests`}},
		{name: "base with a timeout is no fair base", base: Step{Name: "sequential", Concurrency: 1, Requests: 4, OK: 3, Timeouts: 1, WallS: 2.1},
			step: Step{Name: "c", Concurrency: 10, Requests: 10, OK: 10, WallS: 2}, cores: 2,
			want: Comparison{Base: "sequential", Step: "c", Speedup: 3.5, Ideal: 2, Efficiency: 1.75, Verdict: VerdictInconclusive,
				Detail: `base step "sequential" had 1 failed requests, so its time per request is not a fair base`}},
		{name: "no success in the step", base: seq,
			step: Step{Name: "c", Concurrency: 10, Requests: 10, Timeouts: 10, WallS: 1.5}, cores: 2,
			want: Comparison{Base: "sequential", Step: "c", Ideal: 2, Verdict: VerdictInconclusive,
				Detail: `no request of step "c" succeeded, so there is no speedup to measure; 10 of 10 requests of step "c" failed (10 timeouts); the speedup counts only the 0 that succeeded`}},
		{name: "errors keep it partial", base: seq,
			step: Step{Name: "c", Concurrency: 2, Requests: 5, OK: 4, Errors: 1, WallS: 3.22}, cores: 2,
			want: Comparison{Base: "sequential", Step: "c", Speedup: 2, Ideal: 2, Efficiency: 1, Verdict: VerdictPartial,
				Detail: `1 of 5 requests of step "c" failed (1 error); the speedup counts only the 4 that succeeded`}},
		{name: "rate step", base: seq, step: Step{Name: "r", Mode: scenarios.ModeRate, Concurrency: 2, Requests: 4, OK: 4, WallS: 3.22}, cores: 0,
			want: Comparison{Base: "sequential", Step: "r", Speedup: 2, Ideal: 2, Efficiency: 1, Verdict: VerdictParallel,
				Detail: "a rate step's wall time is set by its duration, so its speedup is capped by the offered rate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Compare(&tt.base, &tt.step, tt.cores); got != tt.want {
				t.Errorf("Compare =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestCompareRun(t *testing.T) {
	run := &Run{Steps: []Step{
		{Name: "warm", Mode: scenarios.ModeConcurrent, Concurrency: 2, OK: 2, WallS: 1, Requests: 2},
		{Name: "seq", Mode: scenarios.ModeSequential, Concurrency: 1, OK: 4, WallS: 4, Requests: 4},
		{Name: "conc", Mode: scenarios.ModeConcurrent, Concurrency: 4, OK: 4, WallS: 2, Requests: 4, Cores: 2},
		{Name: "sweep", Mode: scenarios.ModeSweep, Concurrency: 8, OK: 4, WallS: 2, Requests: 4},
		{Name: "remote", Mode: scenarios.ModeConcurrent, Concurrency: 4, OK: 4, WallS: 2, Requests: 4},
	}}
	tests := []struct {
		name    string
		compare []scenarios.Compare
		builtin bool
		want    []string // "step/base verdict ideal basis"
	}{
		{name: "defaults: every concurrent step over the first sequential", builtin: true,
			want: []string{"warm/seq parallel 2 concurrency", "conc/seq parallel 2 cores", "remote/seq partial 4 concurrency"}},
		// A loopback URL target runs on this machine (the harness sets its cores):
		// its ideal is min(concurrency, cores), as the built-in target's.
		{name: "external target on loopback", compare: []scenarios.Compare{{Base: "seq", Step: "conc"}},
			want: []string{"conc/seq parallel 2 cores"}},
		// Off loopback the cores are unknown: the ideal is the concurrency.
		{name: "external target off loopback", compare: []scenarios.Compare{{Base: "seq", Step: "remote"}},
			want: []string{"remote/seq partial 4 concurrency"}},
		{name: "missing step is inconclusive", compare: []scenarios.Compare{{Base: "seq", Step: "nope"}},
			want: []string{"nope/seq inconclusive 0 "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := &scenarios.Scenario{Compare: tt.compare}
			var got []string
			for _, c := range compareRun(sc, run, tt.builtin) {
				got = append(got, c.Step+"/"+c.Base+" "+c.Verdict+" "+fmtNum(c.Ideal)+" "+c.IdealBasis)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
