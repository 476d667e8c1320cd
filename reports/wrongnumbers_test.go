package reports

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"contend/scenarios"
)

// Regression tests for numbers that were wrong off the happy path (issue 9).

// coldRun is a URL run: a sequential base of 4 (the first taking firstMs, the
// others 100 ms) and a concurrent step of 4 at concurrency 2, 100 ms each.
func coldRun(firstMs float64) RunInput {
	seq := []rq{okReq(0, firstMs), okReq(firstMs, 100), okReq(firstMs+100, 100), okReq(firstMs+200, 100)}
	conc := []rq{okReq(0, 100), okReq(0, 100), okReq(100, 100), okReq(100, 100)}
	return RunInput{Target: TargetURL, URL: "http://127.0.0.1:9", Steps: []StepInput{
		stepIn(seqStep(4), t0, seq, firstMs+300, 0, 0),
		stepIn(concStep(2, 4), t0.Add(ms(firstMs+400)), conc, 200, 0, 0),
	}}
}

func minSpeedupScenario(min float64) *scenarios.Scenario {
	return &scenarios.Scenario{Name: "cold",
		Compare: []scenarios.Compare{{Base: "sequential", Step: "concurrent"}},
		Expect:  []scenarios.Expect{{Step: "concurrent", MinSpeedup: &min}}}
}

// TestColdBaseSpeedupIsNotParallel: a base whose first request carried a model
// load made a 20x speedup with an ideal of 2 read as "parallel". It must be
// inconclusive, say why and how to fix it, and fail min_speedup.
func TestColdBaseSpeedupIsNotParallel(t *testing.T) {
	rep := Build(Input{Scenario: minSpeedupScenario(1.5), Runs: []RunInput{coldRun(8000)}})
	run := &rep.Runs[0]
	c := run.Comparisons[0]
	if c.Verdict == VerdictParallel || c.Verdict != VerdictInconclusive {
		t.Errorf("verdict %q for speedup %.2f with ideal %.2f, want inconclusive", c.Verdict, c.Speedup, c.Ideal)
	}
	mustContain(t, c.Suspect, "cold start")
	mustContain(t, c.Detail, "warmup: 1")
	if st := run.StepNamed("sequential"); st.ColdFirstMs != 8000 || len(st.Warnings) != 1 {
		t.Errorf("base step: cold_first_ms %v, warnings %q; want 8000 and one warning", st.ColdFirstMs, st.Warnings)
	}
	failed := rep.Failed()
	if len(failed) != 1 || !strings.Contains(failed[0].Name, "min_speedup") {
		t.Fatalf("failed expectations %+v, want min_speedup to fail on a cold base", failed)
	}
	mustContain(t, failed[0].Detail, "not trusted")

	// The same run with a warm base: the speedup is fair and the check passes.
	warm := Build(Input{Scenario: minSpeedupScenario(1.5), Runs: []RunInput{coldRun(100)}})
	if c := warm.Runs[0].Comparisons[0]; c.Verdict != VerdictParallel || c.Suspect != "" {
		t.Errorf("warm base: verdict %q, suspect %q; want parallel and trusted", c.Verdict, c.Suspect)
	}
	if f := warm.Failed(); len(f) != 0 {
		t.Errorf("warm base: failed %+v, want none", f)
	}
}

// TestSpeedupAboveIdealIsSuspect: a speedup past its ideal is not parallelism,
// even when no single base request stands out.
func TestSpeedupAboveIdealIsSuspect(t *testing.T) {
	seq := []rq{okReq(0, 500), okReq(500, 500), okReq(1000, 500), okReq(1500, 500)}
	conc := []rq{okReq(0, 50), okReq(0, 50), okReq(50, 50), okReq(50, 50)}
	ri := RunInput{Target: TargetURL, URL: "http://127.0.0.1:9", Steps: []StepInput{
		stepIn(seqStep(4), t0, seq, 2000, 0, 0), stepIn(concStep(2, 4), t0.Add(ms(2100)), conc, 100, 0, 0)}}
	c := Build(Input{Scenario: minSpeedupScenario(1.5), Runs: []RunInput{ri}}).Runs[0].Comparisons[0]
	if c.Verdict != VerdictInconclusive || !strings.Contains(c.Suspect, "above the ideal") {
		t.Errorf("speedup %.2f over ideal %.2f: verdict %q, suspect %q; want inconclusive, above the ideal", c.Speedup, c.Ideal, c.Verdict, c.Suspect)
	}
}

// TestRateStepReportsOfferedAndAchieved: `rate: 1e9/s` that achieved 176 req/s
// said nothing. Every rate and ramp step reports both in JSON and warns under 90%.
func TestRateStepReportsOfferedAndAchieved(t *testing.T) {
	mk := func(step scenarios.Step, n int, every float64) Step {
		var rqs []rq
		for i := range n {
			rqs = append(rqs, okReq(float64(i)*every, 5))
		}
		return aggregateStep(stepIn(step, t0, rqs, float64(n)*every, 0, 0), Host{}, false)
	}
	huge := scenarios.Step{Name: "flood", Mode: scenarios.ModeRate, Rate: scenarios.Rate{Freq: 1_000_000_000, Per: time.Second},
		Duration: scenarios.Duration{Duration: 3 * time.Second}}
	st := mk(huge, 529, 1000.0/176)
	if st.OfferedRPS == nil || *st.OfferedRPS != 1e9 || st.AchievedRPS == nil || *st.AchievedRPS < 175 || *st.AchievedRPS > 177 {
		t.Fatalf("offered %v, achieved %v; want 1e9 and about 176", st.OfferedRPS, st.AchievedRPS)
	}
	if len(st.Warnings) != 1 {
		t.Fatalf("warnings %q, want one about the shortfall", st.Warnings)
	}
	mustContain(t, st.Warnings[0], "of the 1000000000 offered (0%)")
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"offered_rps":1000000000`, `"achieved_rps":176`} {
		mustContain(t, string(b), key)
	}

	kept := scenarios.Step{Name: "steady", Mode: scenarios.ModeRamp, Rate: scenarios.Rate{Freq: 10, Per: time.Second},
		RateTo: scenarios.Rate{Freq: 30, Per: time.Second}, Duration: scenarios.Duration{Duration: 5 * time.Second}}
	if st := mk(kept, 100, 50); *st.OfferedRPS != 20 || *st.AchievedRPS != 20 || len(st.Warnings) != 0 {
		t.Errorf("ramp 10->30/s sent at 20/s: offered %v, achieved %v, warnings %q; want 20, 20, none", *st.OfferedRPS, *st.AchievedRPS, st.Warnings)
	}
	if st := mk(concStep(2, 4), 4, 10); st.OfferedRPS != nil || st.AchievedRPS != nil {
		t.Errorf("a concurrent step has offered %v, achieved %v; want neither", st.OfferedRPS, st.AchievedRPS)
	}
}

// TestOneRequestTimeSaysWhereItCameFrom: with no step at concurrency 1, the time
// one request takes came from an overloaded step without a word.
func TestOneRequestTimeSaysWhereItCameFrom(t *testing.T) {
	rqs := []rq{okReq(0, 1000), okReq(0, 1500), timeoutReq(0, 5000), timeoutReq(0, 5000)}
	run := RunInput{Target: TargetURL, URL: "http://127.0.0.1:9", Steps: []StepInput{stepIn(concStep(4, 4), t0, rqs, 5000, 0, 0)}}
	rep := Build(Input{Runs: []RunInput{run}})
	d := findKind(rep.Runs[0].Diagnosis, KindQueueTimeouts)
	if d == nil {
		t.Fatalf("no %s finding in %v", KindQueueTimeouts, kinds(rep.Runs[0].Diagnosis))
	}
	mustContain(t, d.Summary, "one request takes (the fastest request of any step: no step sent one request at a time)")
}

// TestErrorSamplesCountEveryFailure: messages holding the client's port were
// grouped apart, so 27 of 300 errors were listed and 273 never mentioned.
func TestErrorSamplesCountEveryFailure(t *testing.T) {
	var rqs []rq
	for i := range 300 {
		rqs = append(rqs, rq{err: fmt.Sprintf(`Post "http://127.0.0.1:8080/translate": read tcp 127.0.0.1:%d->127.0.0.1:8080: read: connection reset by peer`, 40000+i)})
	}
	for i := range 12 {
		rqs = append(rqs, rq{err: fmt.Sprintf("odd failure %d", i)})
	}
	st := aggregateStep(stepIn(concStep(300, len(rqs)), t0, rqs, 100, 0, 0), Host{}, false)
	if len(st.ErrorSamples) == 0 {
		t.Fatal("no error samples")
	}
	top := st.ErrorSamples[0]
	if top.Count != 300 || top.Error != "read tcp 127.0.0.1:*->127.0.0.1:8080: read: connection reset by peer" {
		t.Errorf("top sample %+v, want the 300 resets as one message without the client port", top)
	}
	total := 0
	for _, e := range st.ErrorSamples {
		total += e.Count
	}
	if total != st.Failed() || len(st.ErrorSamples) > MaxErrorSamples+1 {
		t.Errorf("samples %+v count %d of %d failures in %d entries; want every failure in at most %d",
			st.ErrorSamples, total, st.Failed(), len(st.ErrorSamples), MaxErrorSamples+1)
	}
}

// TestComparisonCountsNameTheirStep: "base step "seq" had no successful
// requests; 4 of 4 requests failed" mixed the base's and the step's counts.
func TestComparisonCountsNameTheirStep(t *testing.T) {
	base := aggregateStep(stepIn(scenarios.Step{Name: "seq", Mode: scenarios.ModeSequential, Requests: 2}, t0,
		[]rq{timeoutReq(0, 1000), timeoutReq(1000, 1000)}, 2000, 0, 0), Host{}, false)
	step := aggregateStep(stepIn(concStep(4, 4), t0, []rq{timeoutReq(0, 1000), timeoutReq(0, 1000), timeoutReq(0, 1000), timeoutReq(0, 1000)},
		1000, 0, 0), Host{}, false)
	c := Compare(&base, &step, 0)
	mustContain(t, c.Detail, `base step "seq" had no successful requests`)
	mustContain(t, c.Detail, `4 of 4 requests of step "concurrent" failed`)
}

// TestRateOnlyRunDoesNotClaimOneAtATime: a rate step with 1,024 requests in
// flight was summed up as "no step sent more than one request at a time".
func TestRateOnlyRunDoesNotClaimOneAtATime(t *testing.T) {
	var rqs []rq
	for i := range 40 {
		rqs = append(rqs, okReq(float64(i)*10, 400))
	}
	step := scenarios.Step{Name: "rate", Mode: scenarios.ModeRate, Rate: scenarios.Rate{Freq: 100, Per: time.Second},
		Duration: scenarios.Duration{Duration: 400 * time.Millisecond}}
	rep := Build(Input{Runs: []RunInput{{Target: TargetURL, URL: "http://127.0.0.1:9", Steps: []StepInput{stepIn(step, t0, rqs, 800, 0, 0)}}}})
	for _, d := range rep.Runs[0].Diagnosis {
		if strings.Contains(d.Summary, "no step sent more than one request at a time") {
			t.Errorf("diagnosis %q beside peak_in_flight %d", d.Summary, rep.Runs[0].Steps[0].PeakInFlight)
		}
	}
	d := findKind(rep.Runs[0].Diagnosis, KindInconclusive)
	if d == nil {
		t.Fatalf("no inconclusive finding in %v", kinds(rep.Runs[0].Diagnosis))
	}
	mustContain(t, d.Summary, "rate or ramp steps")
}
