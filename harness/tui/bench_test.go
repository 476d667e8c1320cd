package tui

import (
	"strconv"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// busyStream is a rate step's worth of results: more than the latency chart
// keeps, with a staircase of latencies and some timeouts.
func busyStream(n int) []harness.Event {
	step := scenarios.Step{Name: "steady", Mode: scenarios.ModeRate, Rate: scenarios.Rate{Freq: 200, Per: time.Second},
		Duration: scenarios.Duration{Duration: time.Minute}}
	events := []harness.Event{
		{Kind: harness.RunStarted, Time: t0, Runs: []string{"naive"}, Scenario: &scenarios.Scenario{Name: "busy",
			Steps: []scenarios.Step{step}}},
		{Kind: harness.TargetStarted, Time: t0, Run: "naive"},
		{Kind: harness.StepStarted, Time: t0, Run: "naive", Step: step, Duration: time.Minute},
	}
	var snap harness.Snapshot
	for i := range n {
		sent := t0.Add(time.Duration(i) * 5 * time.Millisecond)
		lat := time.Duration(1+i%8) * 40 * time.Millisecond
		r := &vegeta.Result{Timestamp: sent, Latency: lat, Code: 200}
		outcome := reports.OK
		snap.Done++
		if i%50 == 49 {
			r.Code, r.Error = 0, timeoutError
			outcome = reports.Timeout
			snap.Timeouts++
		} else {
			snap.OK++
		}
		snap.Elapsed = sent.Add(lat).Sub(t0)
		snap.HaveServerTiming, snap.ServerWaitMs, snap.ServerInferMs = true, 120, 40
		events = append(events, harness.Event{Kind: harness.Results, Time: sent.Add(lat), Run: "naive", Step: step,
			Results: []harness.Completed{{Result: r, Outcome: outcome}}, Snapshot: snap})
	}
	return events
}

func BenchmarkView(b *testing.B) {
	next, _ := testModel().Update(eventsMsg{events: busyStream(2 * latencyPoints)})
	m := next.(model)
	for _, v := range []view{overviewView, latencyView, errorsView} {
		for _, sz := range sizes {
			m.view, m.width, m.height = v, sz.w, sz.h
			b.Run(viewNames[v]+"-"+strconv.Itoa(sz.w), func(b *testing.B) {
				for b.Loop() {
					_ = m.View()
				}
			})
		}
	}
}

// BenchmarkUpdate applies one full batch of results.
func BenchmarkUpdate(b *testing.B) {
	events := busyStream(maxBatch)
	start, results := events[:3], events[3:]
	next, _ := testModel().Update(eventsMsg{events: start})
	m := next.(model)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = m.Update(eventsMsg{events: results})
	}
}
