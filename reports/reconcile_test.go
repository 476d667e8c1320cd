package reports

import (
	"strings"
	"testing"
	"time"

	"contend/scenarios"
)

// TestSerializedDiagnosisOverridesASpeedup: a naive run whose base step ran on a busy
// machine measured 1.59x ("parallel") while its own signals said lock-serialized; the
// comparison must not pass a min_speedup gate.
func TestSerializedDiagnosisOverridesASpeedup(t *testing.T) {
	for _, kind := range []string{KindLockSerialized, KindCPUSerialized} {
		t.Run(kind, func(t *testing.T) {
			run := Run{
				Comparisons: []Comparison{{Base: "sequential", Step: "concurrent", Speedup: 1.59, Ideal: 2, Efficiency: 0.8, Verdict: VerdictParallel}},
				Diagnosis:   []Diagnosis{{Kind: kind, Step: "concurrent"}},
			}
			reconcile(&run)
			c := run.Comparisons[0]
			if c.Verdict != VerdictInconclusive || !strings.Contains(c.Suspect, kind) || !strings.Contains(c.Detail, "busy machine") {
				t.Errorf("comparison = %+v, want inconclusive naming %s", c, kind)
			}
			min := 1.3
			sc := &scenarios.Scenario{Expect: []scenarios.Expect{{Step: "concurrent", MinSpeedup: &min}}}
			run.Steps = []Step{{Name: "sequential"}, {Name: "concurrent"}}
			results := evaluateRun(sc, &run)
			if len(results) != 1 {
				t.Fatalf("%d expectation results, want 1", len(results))
			}
			for _, e := range results {
				if e.OK {
					t.Errorf("expectation %s passed on a suspect speedup: %s", e.Name, e.Detail)
				}
			}
		})
	}
	// Other findings, or another step's, leave the verdict alone.
	run := Run{
		Comparisons: []Comparison{{Base: "sequential", Step: "concurrent", Speedup: 1.9, Ideal: 2, Verdict: VerdictParallel}},
		Diagnosis:   []Diagnosis{{Kind: KindHardwareSaturated, Step: "concurrent"}, {Kind: KindLockSerialized, Step: "sweep"}},
	}
	reconcile(&run)
	if c := run.Comparisons[0]; c.Verdict != VerdictParallel || c.Suspect != "" {
		t.Errorf("comparison = %+v, want parallel untouched", c)
	}
}

func TestIdealOfATargetThatWaits(t *testing.T) {
	secs := func(v float64) *float64 { return &v }
	// Eight requests of 100 ms one at a time, then at concurrency 4.
	seq := func(cpu *float64) *Step {
		return &Step{Name: "sequential", Concurrency: 1, OK: 8, Cores: 2, TargetCPUS: cpu, LatencyMs: Latency{P50: 100}}
	}
	conc := func(cpu *float64) *Step {
		return &Step{Name: "concurrent", Concurrency: 4, OK: 8, Cores: 2, TargetCPUS: cpu, LatencyMs: Latency{P50: 380}}
	}
	tests := []struct {
		name       string
		base, step *Step
		want       bool
	}{
		{"computes (a GIL: one core shared by all)", seq(secs(0.78)), conc(secs(0.8)), false},
		{"computes on a busy machine (half a core)", seq(secs(0.4)), conc(nil), false},
		{"sleeps", seq(secs(0.01)), conc(secs(0.02)), true},
		{"a runtime's own overhead beside the sleep", seq(secs(0.16)), conc(secs(0.03)), true},
		{"base too short to measure, step sleeps", seq(nil), conc(secs(0.02)), true},
		{"nothing measured", seq(nil), conc(nil), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := waitsMoreThanComputes(tt.base, tt.step); got != tt.want {
				t.Errorf("waitsMoreThanComputes = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestCPUBoundTellsWaitingFromComputing: eight requests of 100 ms at concurrency 4
// take 200 ms when they sleep and 800 ms when one core computes them in turn; only
// the second costs CPU time like its service time.
func TestCPUBoundTellsWaitingFromComputing(t *testing.T) {
	cores := func(v float64) *float64 { return &v }
	reqs := make([]request, 8)
	for i := range reqs {
		reqs[i].outcome = OK
	}
	sg := &signals{service: 100}
	tests := []struct {
		name string
		seg  segment
		want bool
	}{
		{"sleeping", segment{c: 4, wall: 200 * time.Millisecond, reqs: reqs, cpu: cores(0.05)}, false},
		{"one core computing", segment{c: 4, wall: 800 * time.Millisecond, reqs: reqs, cpu: cores(0.95)}, true},
		{"CPU unknown", segment{c: 4, wall: 200 * time.Millisecond, reqs: reqs}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sg.cpuBound(&tt.seg); got != tt.want {
				t.Errorf("cpuBound = %v, want %v", got, tt.want)
			}
		})
	}
}
