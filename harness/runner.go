package harness

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"

	"contend/scenarios"
)

// Runner runs scenarios: it starts the built-in target once per strategy (or uses
// an external URL), attacks it step by step with vegeta, and streams what happens
// as Events. A Runner holds only its options; one may serve any number of Runs,
// also concurrently.
type Runner struct {
	timeout      time.Duration
	maxWorkers   int
	serveBin     string
	serveArgs    []string
	serveEnv     []string
	outDir       string
	allowRemote  bool
	startTimeout time.Duration
	stopGrace    time.Duration
	errorSamples int
	sampleEvery  time.Duration
	beforeAttack AttackGate // nil: attacks start at once
	maxBody      *int64     // nil: the scenario's request.max_body
	targetPID    int        // the external target's process, 0: the one listening on its port
	pprofURL     string     // the external target's /debug/pprof/, "": its own on loopback
}

// New returns a Runner with the defaults (see the Default constants) changed by opts.
func New(opts ...Option) *Runner {
	r := &Runner{
		maxWorkers:   DefaultMaxWorkers,
		startTimeout: DefaultStartTimeout,
		stopGrace:    DefaultStopGrace,
		errorSamples: DefaultErrorSamples,
		sampleEvery:  DefaultSampleEvery,
	}
	for _, opt := range opts {
		opt(r)
	}
	return r
}

// Run runs sc and returns its event stream (see EventKind for the order). The
// caller must read the channel until it is closed; only the Runner closes it, right
// after the RunDone event. Failed requests are data in Results events, never errors;
// RunDone.Err reports what stopped or failed the run as a whole.
//
// Cancelling ctx stops the attack under way and aborts its in-flight requests; the
// partial results still arrive (StepDone, TargetDone), then RunDone with ctx.Err()
// (context.Canceled on Ctrl-C). Every target process the Runner started is stopped
// before the channel closes.
func (r *Runner) Run(ctx context.Context, sc *scenarios.Scenario) <-chan Event {
	em := newEmitter()
	go func() {
		defer em.close()
		err := r.run(ctx, sc, em)
		em.emit(Event{Kind: RunDone, Err: err})
	}()
	return em.out
}

// run is Run's body: it returns RunDone's error.
func (r *Runner) run(ctx context.Context, sc *scenarios.Scenario, em *emitter) error {
	p, err := r.plan(sc)
	ev := Event{Kind: RunStarted, Scenario: sc}
	if err == nil {
		ev.Runs = p.labels()
	}
	em.emit(ev)
	if err != nil {
		return err
	}
	if r.outDir != "" {
		if err := CheckOutDir(r.outDir); err != nil {
			return err
		}
	}
	var errs []error
	for i, tg := range p.targets {
		if err := ctx.Err(); err != nil {
			return err
		}
		em.emit(Event{Kind: TargetStarted, Run: tg.label, RunIndex: i})
		var res TargetResult
		if tg.strategy != "" {
			res = r.runBuiltin(ctx, em, p, tg.strategy)
		} else {
			res = r.runExternal(ctx, em, p, tg)
		}
		em.emit(Event{Kind: TargetDone, Run: tg.label, RunIndex: i, TargetResult: &res})
		if res.Err != nil {
			errs = append(errs, res.Err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}

// runPlan is a validated scenario: what to attack, and each step's attacks.
type runPlan struct {
	sc      *scenarios.Scenario
	request scenarios.Request // sc's request, with the URL's credentials as basic auth
	user    *url.Userinfo     // the URL's credentials, for the Runner's own probes too (nil: none)
	targets []plannedTarget
	steps   [][]attackPlan // per scenario step
	timeout time.Duration
	// fixedTimeout is set when the Timeout option overrides every step's own.
	fixedTimeout bool
	builtin      scenarios.Builtin
}

// plannedTarget is one run: a built-in strategy or an external URL.
type plannedTarget struct {
	label    string // shown everywhere: the strategy, or the URL redacted
	strategy string
	url      string // where requests go: the URL without its userinfo
}

func (p runPlan) labels() []string {
	out := make([]string, len(p.targets))
	for i, t := range p.targets {
		out[i] = t.label
	}
	return out
}

// ErrNoTarget is returned when a scenario names neither a built-in target nor a URL.
var ErrNoTarget = errors.New("scenario has no target: set target.builtin or target.url")

// plan validates sc against the Runner's options before any load is sent.
func (r *Runner) plan(sc *scenarios.Scenario) (runPlan, error) {
	if sc == nil {
		return runPlan{}, errors.New("no scenario")
	}
	// A scenario built in code gets its defaults here, from the one place that
	// holds them (Load already applied them to a file's; applying is idempotent).
	sc = sc.Clone()
	sc.ApplyDefaults()
	p := runPlan{sc: sc, request: sc.Request, timeout: r.requestTimeout(sc), fixedTimeout: r.timeout > 0}
	if len(sc.Steps) == 0 {
		return p, fmt.Errorf("scenario %q has no steps", sc.Name)
	}
	files := make(map[string]string)
	for _, step := range sc.Steps {
		plans, err := planStep(step, r.maxWorkers)
		if err != nil {
			return p, fmt.Errorf("scenario %q: %w", sc.Name, err)
		}
		if prev, dup := files[fileSafe(step.Name)]; dup {
			return p, fmt.Errorf("scenario %q: steps %q and %q share a name", sc.Name, prev, step.Name)
		}
		files[fileSafe(step.Name)] = step.Name
		if r.timeout == 0 && step.Timeout.Duration > 0 {
			for j := range plans {
				plans[j].timeout = step.Timeout.Duration
			}
		}
		p.steps = append(p.steps, plans)
	}

	// Another target or other strategies than the file's are the scenario's to
	// say (scenarios.Scenario.WithURL, WithStrategies), not the Runner's.
	url := sc.Target.URL
	switch {
	case url != "":
		if err := CheckTargetURL(url, r.allowRemote); err != nil {
			return p, err
		}
		// The boundary of the URL's credentials: past it, requests carry them as an
		// Authorization header, and every label, log line, result and report sees
		// the URL redacted.
		base, user := scenarios.StripUserinfo(url)
		p.request, p.user = basicAuth(sc.Request, user), user
		p.targets = []plannedTarget{{label: scenarios.RedactURL(url), url: base}}
	case sc.Target.Builtin != nil:
		p.builtin = *sc.Target.Builtin
		strategies := sc.Strategies() // the defaults when the file names none
		if len(strategies) == 0 {
			return p, fmt.Errorf("scenario %q: built-in target has no strategies", sc.Name)
		}
		seen := make(map[string]bool)
		for _, s := range strategies {
			if s == "" || seen[s] {
				return p, fmt.Errorf("scenario %q: strategy %q is empty or repeated", sc.Name, s)
			}
			seen[s] = true
			p.targets = append(p.targets, plannedTarget{label: s, strategy: s})
		}
	default:
		return p, fmt.Errorf("scenario %q: %w", sc.Name, ErrNoTarget)
	}
	return p, nil
}

// requestTimeout is the per-request client timeout: the Timeout option, else the
// scenario's (ApplyDefaults gave it scenarios.DefaultTimeout when the file did not).
func (r *Runner) requestTimeout(sc *scenarios.Scenario) time.Duration {
	if r.timeout > 0 {
		return r.timeout
	}
	return sc.Request.Timeout.Duration
}

// serveCommand returns the program and leading arguments of the built-in target.
func (r *Runner) serveCommand() (string, []string, error) {
	if r.serveBin != "" {
		return r.serveBin, r.serveArgs, nil
	}
	exe, err := os.Executable()
	if err != nil {
		return "", nil, fmt.Errorf("find the contend executable to serve the built-in target: %w", err)
	}
	return exe, r.serveArgs, nil
}
