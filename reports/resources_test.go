package reports

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"contend/scenarios"
)

// soakSamples returns n samples dt apart: RSS starting at 100 MB and growing by
// rssPerMin, goroutines flat at 20, fds growing by fdPerMin. The first fifth
// jumps by 50 MB (a warm-up the fit must leave out).
func soakSamples(n int, dt time.Duration, rssPerMin, fdPerMin float64) []ResourceSample {
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]ResourceSample, n)
	for i := range out {
		at := time.Duration(i) * dt
		rss := 100e6 + rssPerMin*at.Minutes()
		if i < n/5 {
			rss -= 50e6 * float64(n/5-i) / float64(n/5)
		}
		out[i] = ResourceSample{
			At:         base.Add(at),
			RSSBytes:   int64(rss),
			Goroutines: 20,
			OpenFDs:    int(10 + fdPerMin*at.Minutes()),
		}
	}
	return out
}

func TestBuildResourcesFitsAfterWarmup(t *testing.T) {
	res := buildResources(soakSamples(61, time.Second, 6e6, 30))
	if res == nil || res.RSS == nil || res.Goroutines == nil || res.OpenFDs == nil {
		t.Fatalf("missing trends: %+v", res)
	}
	tests := []struct {
		name      string
		got, want float64
		tol       float64
	}{
		{"fit from", res.FitFromS, 12, 0},
		{"rss per min", res.RSS.PerMin, 6e6, 1e3},
		{"rss start", res.RSS.Start, 100e6 + 6e6*12.0/60, 1e3},
		{"rss min includes the warm-up", res.RSS.Min, 50e6, 1},
		{"goroutines per min", res.Goroutines.PerMin, 0, 0},
		{"fds per min", res.OpenFDs.PerMin, 30, 1},
		{"points", float64(res.RSS.Points), 49, 0},
		{"samples kept", float64(len(res.Samples)), 61, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if math.Abs(tt.got-tt.want) > tt.tol {
				t.Errorf("got %v, want %v (±%v)", tt.got, tt.want, tt.tol)
			}
		})
	}
}

func TestBuildResourcesEdges(t *testing.T) {
	at := func(s int) time.Time { return time.Unix(int64(s), 0) }
	tests := []struct {
		name    string
		samples []ResourceSample
		check   func(*Resources) bool
	}{
		{"none", nil, func(r *Resources) bool { return r == nil }},
		{"too few after the warm-up", []ResourceSample{{At: at(0), RSSBytes: 1}, {At: at(10), RSSBytes: 2}},
			func(r *Resources) bool { return r != nil && r.RSS == nil && len(r.Samples) == 2 }},
		{"unexported resources have no trend", []ResourceSample{
			{At: at(0), RSSBytes: -1, Goroutines: 5, OpenFDs: -1}, {At: at(1), RSSBytes: -1, Goroutines: 6, OpenFDs: -1},
			{At: at(2), RSSBytes: -1, Goroutines: 7, OpenFDs: -1}, {At: at(3), RSSBytes: -1, Goroutines: 8, OpenFDs: -1}},
			func(r *Resources) bool {
				return r.RSS == nil && r.OpenFDs == nil && r.Goroutines != nil && r.Goroutines.PerMin == 60 && r.Samples[0].RSSBytes == 0
			}},
		{"out of order", []ResourceSample{{At: at(3), Goroutines: 4}, {At: at(0), Goroutines: 1}, {At: at(2), Goroutines: 3}, {At: at(1), Goroutines: 2}},
			func(r *Resources) bool {
				return r.Goroutines != nil && r.Goroutines.PerMin == 60 && r.Samples[0].Goroutines == 1
			}},
		{"downsampled", soakSamples(3*MaxResourcePoints, time.Second, 0, 0),
			func(r *Resources) bool {
				return len(r.Samples) <= MaxResourcePoints+1 && r.Samples[len(r.Samples)-1].T == 3*MaxResourcePoints-1
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildResources(tt.samples); !tt.check(got) {
				t.Errorf("unexpected resources: %+v", got)
			}
		})
	}
}

func growth(t *testing.T, s string) *scenarios.Growth {
	t.Helper()
	g, err := scenarios.ParseGrowth(s)
	if err != nil {
		t.Fatal(err)
	}
	return &g
}

func TestEvaluateGrowth(t *testing.T) {
	leak := &Step{Name: "soak", Resources: buildResources(soakSamples(61, time.Second, 30e6, 0))}
	flat := &Step{Name: "soak", Resources: buildResources(soakSamples(61, time.Second, 0, 0))}
	bare := &Step{Name: "soak"}
	name := func(check string) string { return "dc/soak: " + check }
	tests := []struct {
		name   string
		step   *Step
		e      scenarios.Expect
		ok     bool
		detail string
	}{
		{"leak over an absolute bound", leak, scenarios.Expect{MaxRSSGrowth: growth(t, "20MB/min")}, false,
			"rss growth 30MB/min > max 20MB/min (over by 10MB/min) (fit over 49 samples from 12s)"},
		{"flat under an absolute bound", flat, scenarios.Expect{MaxRSSGrowth: growth(t, "20MB/min")}, true,
			"rss growth 0B/min <= max 20MB/min"},
		{"leak over a relative bound", leak, scenarios.Expect{MaxRSSGrowth: growth(t, "10%/min")}, false,
			"rss growth 28.30%/min > max 10.00%/min"},
		{"goroutines flat", flat, scenarios.Expect{MaxGoroutineGrowth: growth(t, "1/min")}, true,
			"goroutine growth 0/min <= max 1/min"},
		{"fds with no samples", bare, scenarios.Expect{MaxFDGrowth: growth(t, "1/min")}, false,
			"no trend to judge: fewer than 3 samples of process_open_fds after the warm-up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := evaluateGrowth(tt.e, tt.step, name)
			if len(got) != 1 {
				t.Fatalf("got %d expectations, want 1: %+v", len(got), got)
			}
			if got[0].OK != tt.ok || !strings.Contains(got[0].Detail, tt.detail) {
				t.Errorf("got ok %v %q, want ok %v and a detail containing %q", got[0].OK, got[0].Detail, tt.ok, tt.detail)
			}
		})
	}
}

func TestResourcesInReports(t *testing.T) {
	in := Input{
		Scenario: &scenarios.Scenario{Name: "soak", Expect: []scenarios.Expect{{Step: "soak", MaxRSSGrowth: growth(t, "20MB/min")}}},
		Runs: []RunInput{{Target: TargetBuiltin, Strategy: "double-checked", Steps: []StepInput{{
			Step:      scenarios.Step{Name: "soak", Mode: scenarios.ModeRate},
			Wall:      time.Minute,
			Resources: soakSamples(31, 2*time.Second, 1e6, 0),
		}}}},
	}
	rep := Build(in)
	var buf bytes.Buffer
	if err := NewJSONReporter(rep).Report(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil {
		t.Fatal(err)
	}
	r := back.Runs[0].Steps[0].Resources
	if r == nil || len(r.Samples) != 31 || r.RSS == nil || math.Abs(r.RSS.PerMin-1e6) > 1e3 {
		t.Fatalf("report.json resources = %+v", r)
	}
	if f := back.Failed(); len(f) != 0 {
		t.Errorf("failed expectations: %+v", f)
	}
	var text bytes.Buffer
	if err := NewTextReporter(back, true).Report(&text); err != nil {
		t.Fatal(err)
	}
	mustContain(t, text.String(), "double-checked, soak  31 samples  rss 50MB..101MB, +1MB/min  goroutines 20..20, +0/min")
}
