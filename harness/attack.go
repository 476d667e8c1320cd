package harness

import (
	"context"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
)

// probeEvery spaces the checks made, after refused connections, of whether an
// external target is still listening.
const probeEvery = 250 * time.Millisecond

// childExitWait is how long after a refused connection to the built-in target
// an attack that ends anyway waits to learn whether the target died. The kernel
// closes a dying process's sockets before its parent can reap it, so refusals
// can arrive, and a short step end, a moment before the exit is visible.
const childExitWait = time.Second

// attackSpec is one vegeta attack as the step code asks for it.
type attackSpec struct {
	plan attackPlan
	name string // vegeta's attack name, as saved in each result
	// onResult gets every result, in the order they complete, with the number of
	// requests still in flight. It runs on the goroutine that drains the attacker
	// and must not block.
	onResult func(res *vegeta.Result, class reports.Outcome, inFlight int)
	// onTick, when set, gets every ProgressEvery the number of requests in
	// flight and their send times (the earliest reports.MaxWaterfallSpans), on
	// the same goroutine as onResult.
	onTick func(inFlight int, sent []time.Time)
}

// attackEnd says how an attack went.
type attackEnd struct {
	started time.Time
	wall    time.Duration
	err     error // why it stopped early: the run's cancellation or the target dying
}

// attack runs one vegeta attack against the target until its pacer or duration
// ends it, ctx is cancelled, or the target is found dead.
func (t *targetRun) attack(ctx context.Context, spec attackSpec) attackEnd {
	timeout := t.timeout
	if spec.plan.timeout > 0 {
		timeout = spec.plan.timeout
	}
	client, ledger, closeIdle := newAttackClient(ctx, timeout, spec.plan.conns, t.closePast())
	defer closeIdle()

	var sent atomic.Int64
	targeter := newTargeter(t.request, t.base, &sent)
	atk := vegeta.NewAttacker(
		vegeta.Client(client),
		vegeta.Workers(uint64(spec.plan.workers)),
		vegeta.MaxWorkers(uint64(spec.plan.maxWorkers)),
		vegeta.MaxBody(t.maxBody),
	)
	stopCh := make(chan struct{})
	var once sync.Once
	stop := func() {
		once.Do(func() {
			close(stopCh)
			atk.Stop()
		})
	}
	pacer := stoppablePacer{inner: spec.plan.pacer, stop: stopCh, end: spec.plan.duration}

	end := attackEnd{started: time.Now()}
	// No attack name for vegeta: it would send it to the target as an
	// X-Vegeta-Attack header on every request. The drain names each result.
	results := atk.Attack(targeter, pacer, spec.plan.duration, "")

	// The results are drained by a goroutine of their own, in a plain receive
	// loop: a select over every control channel below, once per result, cost
	// the generator more than the rest of the result's handling. mu serializes
	// onResult and onTick.
	var (
		mu      sync.Mutex
		done    atomic.Int64
		refused = make(chan struct{}, 1)      // "a refusal came", coalesced
		drained = make(chan time.Duration, 1) // the wall time, once results closed
	)
	go func() {
		for res := range results {
			res.Attack = spec.name
			err := ledger.settle(res)
			t.check.apply(res)
			class := reports.ClassifyLive(res, err)
			n := done.Add(1)
			mu.Lock()
			spec.onResult(res, class, int(sent.Load()-n))
			mu.Unlock()
			if class == reports.Refused {
				select {
				case refused <- struct{}{}:
				default:
				}
			}
		}
		drained <- time.Since(end.started)
	}()

	var (
		ctxDone   = ctx.Done()
		childDone = t.childDone()
		probed    = make(chan error, 1)
		probing   bool
		lastProbe time.Time
		// grace is armed by a refusal from the built-in target: until it fires,
		// the end of the attack waits for the target's exit to show.
		grace      <-chan time.Time
		graceTimer *time.Timer
		ticks      <-chan time.Time
	)
	if spec.onTick != nil {
		ticker := time.NewTicker(ProgressEvery)
		defer ticker.Stop()
		ticks = ticker.C
	}
	onRefused := func() {
		if t.child == nil && !probing && time.Since(lastProbe) >= probeEvery {
			probing, lastProbe = true, time.Now()
			go func() { probed <- dialProbe(t.base) }()
		}
		if t.child != nil && childDone != nil && grace == nil {
			if graceTimer == nil {
				graceTimer = time.NewTimer(childExitWait)
			} else {
				graceTimer.Reset(childExitWait)
			}
			grace = graceTimer.C
		}
	}
	defer func() {
		if graceTimer != nil {
			graceTimer.Stop()
		}
	}()
	for running := drained; running != nil; {
		select {
		case <-ticks:
			mu.Lock()
			spec.onTick(int(sent.Load()-done.Load()), ledger.pending(reports.MaxWaterfallSpans))
			mu.Unlock()
		case end.wall = <-running:
			running = nil
		case <-refused:
			onRefused()
		case <-grace:
			grace = nil // the target is still there: the refusal was its own
		case <-ctxDone:
			ctxDone = nil
			if end.err == nil {
				end.err = ctx.Err()
			}
			stop()
		case <-childDone:
			childDone = nil
			if err := t.child.exited(); err != nil && end.err == nil {
				end.err = err
				stop()
			}
		case err := <-probed:
			probing = false
			if err != nil && end.err == nil {
				end.err = err
				stop()
			}
		}
	}
	select {
	case <-refused: // one of the last results, not seen by the loop
		onRefused()
	default:
	}
	if probing {
		if err := <-probed; err != nil && end.err == nil {
			end.err = err
		}
	}
	if grace != nil && childDone != nil && end.err == nil {
		// Refused just before the end: see whether the target is dying.
		select {
		case <-childDone:
			end.err = t.child.exited()
		case <-grace:
		case <-ctx.Done():
		}
	}
	return end
}

// childDone returns the built-in target's exit channel, nil for a URL.
func (t *targetRun) childDone() <-chan struct{} {
	if t.child == nil {
		return nil
	}
	return t.child.done
}

// dialProbe reports an error when nothing accepts connections at base's host.
func dialProbe(base string) error {
	u, err := url.Parse(base)
	if err != nil {
		return nil
	}
	host := u.Host
	if u.Port() == "" {
		port := "80"
		if u.Scheme == "https" {
			port = "443"
		}
		host = net.JoinHostPort(u.Hostname(), port)
	}
	conn, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return &targetDownError{url: base, err: err}
	}
	_ = conn.Close()
	return nil
}

// targetDownError says an external target stopped accepting connections.
type targetDownError struct {
	url string
	err error
}

func (e *targetDownError) Error() string { return "target " + e.url + " is down: " + e.err.Error() }
func (e *targetDownError) Unwrap() error { return e.err }
