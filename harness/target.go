package harness

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

// targetRun is the state of one run of the steps against one target.
type targetRun struct {
	em           *emitter
	label        string
	base         string // scheme://host:port the requests go to
	request      scenarios.Request
	timeout      time.Duration
	dir          string // where raw results go, "" when not saved
	child        *child // the built-in target, nil for a URL
	meter        cpuMeter
	cores        int
	errorSamples int
	maxBody      int64         // bytes of each response body kept (vegeta.MaxBody); the rest is read and counted
	pastMaxBody  string        // request.past_max_body: read the rest, or close the connection
	check        responseCheck // request.expect, applied to every result
	sampleEvery  time.Duration
	beforeAttack AttackGate // nil: attacks start at once
	// prof takes the target's block and mutex profiles around each step.
	prof profiler
	// noResources is set once a step found no resource metrics on the target,
	// so that later steps do not look again.
	noResources bool
}

func (r *Runner) newTargetRun(em *emitter, p runPlan, label, base string) *targetRun {
	t := &targetRun{
		em:           em,
		label:        label,
		base:         base,
		request:      p.request,
		timeout:      p.timeout,
		meter:        cpuMeter{client: withUserinfo(probeClient(), p.user), base: base},
		cores:        targetCores(base),
		errorSamples: r.errorSamples,
		sampleEvery:  r.sampleEvery,
		beforeAttack: r.beforeAttack,
		maxBody:      p.sc.Request.MaxBody,
		pastMaxBody:  p.sc.Request.PastMaxBody,
	}
	if r.maxBody != nil {
		t.maxBody = *r.maxBody
	}
	if r.outDir != "" {
		t.dir = runDir(r.outDir, dirLabel(label, base))
	}
	return t
}

// dirLabel names a run's directory: the strategy, or an external URL's host and
// port (without the scheme's punctuation).
func dirLabel(label, base string) string {
	if base == "" {
		return label
	}
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return u.Host
	}
	return label
}

// logf emits a Log event.
func (t *targetRun) logf(format string, args ...any) {
	t.em.emit(Event{Kind: Log, Run: t.label, Message: fmt.Sprintf(format, args...)})
}

// runBuiltin starts a fresh built-in target with strategy, runs every step against
// it and stops it.
func (r *Runner) runBuiltin(ctx context.Context, em *emitter, p runPlan, strategy string) (res TargetResult) {
	res = TargetResult{Run: strategy, Strategy: strategy, CPUSource: "measured from the target's process_cpu_seconds_total"}
	t := r.newTargetRun(em, p, strategy, "")
	t.check = newResponseCheck(p.sc.Request.Expect, true)
	logDir := t.dir
	if logDir == "" {
		tmp, err := os.MkdirTemp("", "contend-"+fileSafe(strategy)+"-")
		if err != nil {
			res.Err = fmt.Errorf("target %s: log directory: %w", strategy, err)
			return res
		}
		logDir = tmp
		defer func() {
			// A temporary log is only worth keeping when something went wrong.
			if res.Err == nil {
				_ = os.RemoveAll(tmp)
				res.LogPath = ""
			}
		}()
	}
	if err := ensureDir(logDir); err != nil {
		res.Err = fmt.Errorf("target %s: %w", strategy, err)
		return res
	}
	bin, args, err := r.serveCommand()
	if err != nil {
		res.Err = err
		return res
	}
	c, err := startChild(childSpec{
		bin: bin, args: args, env: r.serveEnv, dir: logDir,
		label: strategy, strategy: strategy, builtin: p.builtin,
	})
	if err != nil {
		res.Err = err
		return res
	}
	res.LogPath = c.logPath
	defer func() {
		c.stop(r.stopGrace)
		t.logf("target stopped")
	}()
	t.child = c
	t.logf("started %s (pid %d), log %s", bin, c.pid(), c.logPath)

	eager := strategy == "eager" && !p.builtin.Cold
	base, err := c.waitReady(ctx, t.meter.client, r.startTimeout, eager)
	if err != nil {
		res.Err = err
		return res
	}
	t.base, t.meter.base, res.URL = base, base, base
	t.logf("serving on %s", base)
	t.prof = profiler{client: t.meter.client, base: pprofBase(ctx, t.meter.client, PprofAuto, base)}
	if !p.builtin.Cold {
		t.warmTarget(ctx)
		if err := c.exited(); err != nil {
			res.Err = err
			return res
		}
	}
	res.Steps, res.Err = t.runSteps(ctx, p)
	if res.Err == nil {
		res.Err = c.exited()
	}
	return res
}

// runExternal runs every step against the service at tg.url, shown as tg.label.
func (r *Runner) runExternal(ctx context.Context, em *emitter, p runPlan, tg plannedTarget) TargetResult {
	res := TargetResult{Run: tg.label, URL: tg.label}
	t := r.newTargetRun(em, p, tg.label, tg.url)
	t.check = newResponseCheck(p.sc.Request.Expect, false)
	t.meter.optional = true
	proc, err := findTargetProcess(tg.url, r.targetPID)
	if err != nil {
		res.CPUSource = err.Error()
		t.logf("%s", err)
	} else {
		t.meter.proc, res.CPUSource = proc, "measured from /proc: "+proc.desc
		t.logf("target CPU: %s", proc.desc)
	}
	t.prof = profiler{client: t.meter.client, base: pprofBase(ctx, t.meter.client, r.pprofURL, tg.url)}
	if t.prof.base != "" {
		t.logf("lock call sites: block and mutex profiles from %s", t.prof.base)
	}
	res.Steps, res.Err = t.runSteps(ctx, p)
	return res
}

// runSteps runs the steps in order, stopping at the first that ends early.
func (t *targetRun) runSteps(ctx context.Context, p runPlan) ([]StepResult, error) {
	if t.dir != "" {
		if err := ensureDir(t.dir); err != nil {
			return nil, fmt.Errorf("target %s: %w", t.label, err)
		}
	}
	var steps []StepResult
	// The median latency of each step a relative timeout scales, once it ran.
	medians := make(map[string]time.Duration)
	scaled := make(map[string]bool)
	for _, step := range p.sc.Steps {
		if step.TimeoutOf != nil {
			scaled[step.TimeoutOf.Step] = true
		}
	}
	for i, step := range p.sc.Steps {
		plans, err := t.resolveTimeout(step, p.steps[i], p.fixedTimeout, medians)
		if err != nil {
			steps = append(steps, StepResult{StepInput: reports.StepInput{Step: step, TargetCPUSeconds: -1, HostCPUSeconds: -1, RunnableThreads: -1, Cores: t.cores}, Err: err})
			return steps, fmt.Errorf("target %s: step %q: %w", t.label, step.Name, err)
		}
		sr := t.runStep(ctx, i, step, plans)
		if scaled[step.Name] {
			// The median its report gives: the step's aggregate p50.
			if sr.Aggregate != nil && sr.Aggregate.OK() > 0 {
				medians[step.Name] = time.Duration(sr.Aggregate.Latency().P50 * float64(time.Millisecond))
			}
		}
		steps = append(steps, sr)
		if sr.Err != nil {
			return steps, fmt.Errorf("target %s: step %q: %w", t.label, step.Name, sr.Err)
		}
	}
	return steps, nil
}

// resolveTimeout returns the step's attacks with a relative timeout ("7x
// sequential") turned into a duration from the median latency the named step
// measured on this target. Without one, or when the Timeout option overrides
// every step's (fixed), the plans are returned as they are.
func (t *targetRun) resolveTimeout(step scenarios.Step, plans []attackPlan, fixed bool, medians map[string]time.Duration) ([]attackPlan, error) {
	rel := step.TimeoutOf
	if rel == nil || fixed {
		return plans, nil
	}
	m, ok := medians[rel.Step]
	if !ok {
		return nil, fmt.Errorf("timeout %s: step %q had no successful request to measure the latency of", rel, rel.Step)
	}
	d := max(rel.Of(m), time.Millisecond)
	t.logf("step %s: client timeout %s = %s x the %s median of step %s", step.Name,
		d.Round(time.Millisecond), strconv.FormatFloat(rel.Factor, 'f', -1, 64), m.Round(time.Microsecond), rel.Step)
	out := slices.Clone(plans)
	for i := range out {
		out[i].timeout = d
	}
	return out, nil
}

// warmTarget sends one untimed request so that a warm run's first step does not
// pay for the model load.
func (t *targetRun) warmTarget(ctx context.Context) {
	var (
		code  uint16
		class reports.Outcome
		msg   string
	)
	end := t.attack(ctx, attackSpec{
		plan: burst(1, 1),
		name: t.label + "/warm",
		onResult: func(res *vegeta.Result, c reports.Outcome, _ int) {
			code, class, msg = res.Code, c, res.Error
		},
	})
	if class == reports.OK {
		t.logf("warmed with one request (%d) in %s", code, end.wall.Round(time.Millisecond))
		return
	}
	t.logf("warm-up request failed (%s): %s", class, msg)
}

// targetCores is the CPU count of the machine behind base: this machine for the
// built-in target ("") and loopback URLs, 0 (unknown) otherwise.
func targetCores(base string) int {
	if base == "" {
		return runtime.NumCPU()
	}
	u, err := url.Parse(base)
	if err != nil || !isLoopback(u.Hostname()) {
		return 0
	}
	return runtime.NumCPU()
}

// closePast is where an attack's transport ends each body: past the bytes kept
// when request.past_max_body is close, -1 (never) when it is read.
func (t *targetRun) closePast() int64 {
	if t.pastMaxBody == scenarios.PastMaxBodyClose {
		return t.maxBody
	}
	return -1
}
