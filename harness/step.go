package harness

import (
	"cmp"
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

// runStep runs one step (after its warm-up) and returns its result; StepStarted,
// Results, Progress and StepDone events go out as it runs.
func (t *targetRun) runStep(ctx context.Context, index int, step scenarios.Step, plans []attackPlan) StepResult {
	sr := StepResult{StepInput: reports.StepInput{Step: step, TargetCPUSeconds: -1, HostCPUSeconds: -1, Cores: t.cores, Timeout: t.timeout}}
	if len(plans) > 0 && plans[0].timeout > 0 {
		sr.Timeout = plans[0].timeout
	}
	if err := ctx.Err(); err != nil {
		sr.Err = err
		return sr
	}
	t.warmUp(ctx, step, sr.Timeout)
	if err := ctx.Err(); err != nil {
		sr.Err = err
		return sr
	}
	if err := t.gate(ctx, step, 0); err != nil {
		sr.Err = err
		return sr
	}

	started := Event{Kind: StepStarted, Run: t.label, Step: step, StepIndex: index, Total: plannedTotal(plans), Timeout: sr.Timeout}
	if plannedTotal(plans) == 0 {
		started.Duration = step.Duration.Duration
	}
	t.em.emit(started)

	sweep := step.Mode == scenarios.ModeSweep
	var lastLevelWall time.Duration
	cpuStart := t.meter.sample(ctx)
	cpuBefore := cpuStart
	hostStart := hostBusySeconds()
	hostBefore := hostStart
	var smp *sampler
	if t.sampleEvery > 0 && !t.meter.missing && !t.noResources {
		smp = startSampler(ctx, t.meter.client, t.base, t.sampleEvery)
	}
	profBefore := t.prof.snapshot(ctx)
	tl := newTally(time.Now(), sweep)
	var runnable runnableCounts
	for j, plan := range plans {
		if j > 0 {
			if err := t.gate(ctx, step, j); err != nil {
				sr.Err = err
				break
			}
		}
		ths := startThreads(ctx, t.meter.proc)
		lr, end := t.runLevel(ctx, index, step, plan, tl, &sr)
		counts := ths.finish()
		lr.RunnableThreads = counts.lowerQuartile()
		runnable.add(&counts)
		if sr.Started.IsZero() {
			sr.Started = end.started
		}
		sr.Wall += end.wall
		lastLevelWall = end.wall
		cpuAfter := t.meter.sample(ctx)
		lr.TargetCPUSeconds = cpuDelta(cpuBefore, cpuAfter)
		cpuBefore = cpuAfter
		hostAfter := hostBusySeconds()
		lr.HostCPUSeconds = cpuDelta(hostBefore, hostAfter)
		hostBefore = hostAfter
		if len(plans) == 1 {
			sr.Results = lr.Results // the step is this one attack: no copy
		} else {
			sr.Results = append(sr.Results, lr.Results...)
		}
		if sweep {
			sr.Levels = append(sr.Levels, lr)
		} else {
			sr.RawPath = lr.RawPath
		}
		if end.err != nil {
			sr.Err = end.err
			break
		}
	}
	sr.TargetCPUSeconds = cpuDelta(cpuStart, cpuBefore)
	sr.HostCPUSeconds = cpuDelta(hostStart, hostBefore)
	sr.RunnableThreads = runnable.lowerQuartile()
	sr.Contention = t.prof.delta(ctx, profBefore)
	if smp != nil {
		var absent bool
		sr.Resources, absent = smp.finish()
		t.noResources = t.noResources || absent
	}
	if sweep {
		sr.RawPath = ""
	}

	sr.Aggregate = tl.step
	snap := tl.snapshot(time.Now(), 0, true)
	snap.Elapsed = sr.Wall
	snap.Throughput = perSecond(snap.Done, sr.Wall)
	if sweep {
		snap.LevelThroughput = perSecond(snap.LevelDone, lastLevelWall)
	}
	t.em.emit(Event{Kind: StepDone, Run: t.label, Step: step, StepIndex: index, StepResult: &sr, Snapshot: snap})
	return sr
}

// runLevel runs one attack of a step (the whole step, or one sweep level) and
// returns its results, counting them in tl and sampling failures into sr.
func (t *targetRun) runLevel(ctx context.Context, index int, step scenarios.Step, plan attackPlan, tl *tally, sr *StepResult) (LevelResult, attackEnd) {
	lr := LevelResult{Concurrency: plan.level, TargetCPUSeconds: -1, HostCPUSeconds: -1, RunnableThreads: -1}
	raw, err := t.createRaw(step.Name, plan.level)
	if err != nil {
		return lr, attackEnd{started: time.Now(), err: err}
	}
	if plan.level > 0 {
		t.logf("step %s, concurrency %d: %d requests", step.Name, plan.level, plan.total)
	}
	tl.startLevel(time.Now())
	if tl.sweep {
		lr.Aggregate = tl.level
	}
	name := t.label + "/" + step.Name
	if plan.level > 0 {
		name = fmt.Sprintf("%s/c%d", name, plan.level)
	}
	results := make([]vegeta.Result, 0, preallocHits(plan))
	var (
		batch   []Completed
		flushed time.Time
	)
	flush := func(now time.Time, inFlight int) {
		if len(batch) == 0 {
			return
		}
		t.em.emit(Event{
			Kind: Results, Run: t.label, Step: step, StepIndex: index, Level: plan.level,
			Results: batch, Snapshot: tl.snapshot(now, inFlight, false),
		})
		batch, flushed = nil, now
	}
	end := t.attack(ctx, attackSpec{
		plan: plan,
		name: name,
		onResult: func(res *vegeta.Result, class reports.Outcome, inFlight int) {
			raw.write(res)
			if class != reports.OK && class != reports.Cancelled && len(sr.ErrorSamples) < t.errorSamples {
				sr.ErrorSamples = append(sr.ErrorSamples, sampleOf(res))
			}
			slim(res)
			results = append(results, *res)
			tl.add(res, class)
			batch = append(batch, Completed{Result: res, Outcome: class})
			if now := time.Now(); len(batch) >= maxBatch || now.Sub(flushed) >= ResultsEvery {
				flush(now, inFlight)
			}
		},
		onTick: func(inFlight int, sent []time.Time) {
			now := time.Now()
			flush(now, inFlight)
			t.em.emit(Event{
				Kind: Progress, Run: t.label, Step: step, StepIndex: index, Level: plan.level,
				Snapshot: tl.snapshot(now, inFlight, false), Sent: sent,
			})
		},
	})
	flush(time.Now(), 0)
	if err := raw.close(); err != nil && end.err == nil {
		end.err = err
	}
	slices.SortFunc(results, func(a, b vegeta.Result) int { return cmp.Compare(a.Seq, b.Seq) })
	lr.Wall = end.wall
	lr.Results = results
	lr.RawPath = raw.filePath()
	return lr, end
}

// sampleOf keeps a failed response for the error view.
func sampleOf(res *vegeta.Result) ErrorSample {
	body := res.Body
	if len(body) > maxSampleBody {
		body = body[:maxSampleBody]
	}
	return ErrorSample{Seq: res.Seq, Code: res.Code, Error: res.Error, Body: slices.Clone(body)}
}

// createRaw opens the raw results file of a step or sweep level; nil without OutDir.
func (t *targetRun) createRaw(step string, level int) (*rawWriter, error) {
	if t.dir == "" {
		return nil, nil
	}
	return createRaw(filepath.Join(t.dir, rawName(step, level)))
}

// warmUp sends the step's untimed warm-up requests, with the step's client
// timeout; their results are only logged.
func (t *targetRun) warmUp(ctx context.Context, step scenarios.Step, timeout time.Duration) {
	plan, ok := planWarmup(step)
	if !ok {
		return
	}
	plan.timeout = timeout // the step's own, as its timed requests have
	var ok2xx, failed int
	end := t.attack(ctx, attackSpec{
		plan: plan,
		name: t.label + "/" + step.Name + "/warmup",
		onResult: func(_ *vegeta.Result, class reports.Outcome, _ int) {
			if class == reports.OK {
				ok2xx++
			} else {
				failed++
			}
		},
	})
	t.logf("step %s warm-up: %d requests, %d ok, %d failed in %s",
		step.Name, ok2xx+failed, ok2xx, failed, end.wall.Round(time.Millisecond))
}

// gate holds the attack at level j of step until the Runner's gate lets it go.
func (t *targetRun) gate(ctx context.Context, step scenarios.Step, j int) error {
	if t.beforeAttack == nil {
		return nil
	}
	return t.beforeAttack(ctx, step, j)
}
