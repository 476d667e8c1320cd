package main

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// TestReportBuiltOnceTheRunFinished: while a run goes on each call builds the
// report of what has arrived so far; after RunDone the dashboard's diagnosis
// and the final report get one and the same report, built once.
func TestReportBuiltOnceTheRunFinished(t *testing.T) {
	sc := &scenarios.Scenario{Name: "x", Target: scenarios.Target{URL: "http://127.0.0.1:1"},
		Steps: []scenarios.Step{{Name: "seq", Mode: scenarios.ModeSequential, Requests: 1}}}
	sc.ApplyDefaults()
	now := time.Now()
	res := vegeta.Result{Seq: 0, Code: 200, Timestamp: now, Latency: 10 * time.Millisecond}
	agg := reports.NewAggregate()
	agg.Add(&res, reports.OK)
	tr := &harness.TargetResult{Run: "http://127.0.0.1:1", Steps: []harness.StepResult{{Started: now,
		StepInput: reports.StepInput{Step: sc.Steps[0], Wall: 10 * time.Millisecond, Results: []vegeta.Result{res},
			Aggregate: agg, TargetCPUSeconds: -1, HostCPUSeconds: -1}}}}

	c := &collector{}
	early := buildReport(sc, c)
	if len(early.Runs) != 0 {
		t.Fatalf("report before any run finished has %d runs", len(early.Runs))
	}
	c.observe(harness.Event{Kind: harness.TargetDone, TargetResult: tr})
	mid := buildReport(sc, c)
	if mid == early || len(mid.Runs) != 1 {
		t.Fatalf("report after TargetDone: same as before %v, %d runs; want a new one with 1 run", mid == early, len(mid.Runs))
	}
	c.observe(harness.Event{Kind: harness.RunDone})
	first := buildReport(sc, c)
	if second := buildReport(sc, c); first != second {
		t.Error("two reports built after RunDone: the diagnosis and the final report must share one")
	}
	if first == mid || len(first.Runs) != 1 {
		t.Errorf("report after RunDone: reused the one from before RunDone %v, %d runs", first == mid, len(first.Runs))
	}
}
