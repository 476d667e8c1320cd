package target

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"contend/scenarios"
)

// Strategy names, as `contend serve --strategy` and scenario files spell them:
// package scenarios holds the one list, which scenario files are validated against.
const (
	StrategyNaive         = scenarios.StrategyNaive
	StrategyDoubleChecked = scenarios.StrategyDoubleChecked
	StrategyOnce          = scenarios.StrategyOnce
	StrategyEager         = scenarios.StrategyEager
)

// DefaultStrategy is the strategy a Config without one gets: the fix.
const DefaultStrategy = StrategyDoubleChecked

// StrategyNames lists every strategy ParseStrategy accepts, the seed's bug first.
var StrategyNames = scenarios.KnownStrategies()

// ErrUnknownStrategy is wrapped by ParseStrategy's error for a name it does not know.
var ErrUnknownStrategy = errors.New("unknown strategy")

// ErrNotReady is returned by the eager strategy's Acquire until Warm has loaded the models.
var ErrNotReady = errors.New("models are still loading")

// ErrLoadNotRetried wraps the first load's error in every later Acquire of the once strategy:
// its failure sticks until the process restarts.
var ErrLoadNotRetried = errors.New("the once strategy never retries a failed load (restart the server)")

// Strategy hands out the loaded models, loading them on first use as it sees fit. The server
// does not know which one it holds. Implementations are safe for concurrent use.
type Strategy interface {
	// Acquire returns the loaded models, blocking as the strategy dictates, or an error: ctx's
	// when ctx ended while waiting, or the load's. The caller must call Release on the lease
	// once inference is done, on success and failure alike. The lease's Wait and Load are set
	// on failure too, as far as they are known.
	Acquire(ctx context.Context) (Lease, error)
	// Name returns the strategy's name, one of StrategyNames.
	Name() string
	// Loaded reports whether both models are loaded; it never blocks.
	Loaded() bool
}

// Warmer is implemented by strategies that load before serving (eager). The server calls
// Warm when it starts serving, and again after a failure until it succeeds.
type Warmer interface {
	Warm(ctx context.Context) error
}

// Lease is one caller's hold on the loaded models, from Acquire to Release.
type Lease struct {
	Models *Models       // nil when Acquire failed
	Wait   time.Duration // time this caller was blocked by the strategy's lock
	Load   time.Duration // time this caller spent loading models (0 unless it did the load)

	release func() // nil when there is nothing to release
}

// Release ends the lease (for naive, it unlocks the global lock). Calling it more than once,
// or on a failed Acquire's lease, does nothing.
func (l *Lease) Release() {
	if r := l.release; r != nil {
		l.release = nil
		r()
	}
}

// ParseStrategy returns a new strategy of the given name loading models with load. load may be
// nil only to validate a name: such a strategy fails every Acquire.
func ParseStrategy(name string, load LoadFunc) (Strategy, error) {
	switch name {
	case StrategyNaive:
		return &naive{load: load, mu: newCtxMutex()}, nil
	case StrategyDoubleChecked:
		return newDoubleChecked(StrategyDoubleChecked, load), nil
	case StrategyOnce:
		return &once{load: load, done: make(chan struct{})}, nil
	case StrategyEager:
		return &eager{dc: newDoubleChecked(StrategyEager, load)}, nil
	}
	return nil, fmt.Errorf("strategy %q: %w (want one of %s)", name, ErrUnknownStrategy,
		strings.Join(StrategyNames, ", "))
}

// ctxMutex is a mutual-exclusion lock whose Lock gives up when ctx ends, so that a client that
// went away stops queueing. It is a channel with room for one token: the holder is whoever put
// the token in. Blocked senders are served in arrival order.
type ctxMutex chan struct{}

func newCtxMutex() ctxMutex { return make(ctxMutex, 1) }

// Lock blocks until the lock is held or ctx ends, whichever comes first.
func (m ctxMutex) Lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case m <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Unlock releases the lock; the caller must hold it.
func (m ctxMutex) Unlock() { <-m }

// timedLoad runs load through callLoad and says how long it took.
func timedLoad(ctx context.Context, load LoadFunc) (*Models, time.Duration, error) {
	start := time.Now()
	m, err := callLoad(ctx, load)
	return m, time.Since(start), err
}

// naive reproduces the seed's bug: one lock held over the loaded check, the load and the
// inference of every request, so requests run one at a time even once loaded.
type naive struct {
	load LoadFunc
	// mu guards models and is held by each request from Acquire until its Release, after its
	// inference: this is the bug the harness exposes.
	mu     ctxMutex
	models *Models
	loaded atomic.Bool // set once models is; lets Loaded answer without taking mu
}

func (n *naive) Name() string { return StrategyNaive }
func (n *naive) Loaded() bool { return n.loaded.Load() }

func (n *naive) Acquire(ctx context.Context) (Lease, error) {
	start := time.Now()
	err := n.mu.Lock(ctx)
	lease := Lease{Wait: time.Since(start)}
	if err != nil {
		return lease, err
	}
	// The wait may have outlived the client: such a request must not run.
	if err := ctx.Err(); err != nil {
		n.mu.Unlock()
		return lease, err
	}
	if n.models == nil {
		m, d, err := timedLoad(ctx, n.load)
		lease.Load = d
		if err != nil {
			n.mu.Unlock()
			return lease, err
		}
		n.models = m
		n.loaded.Store(true)
	}
	lease.Models = n.models
	lease.release = n.mu.Unlock
	return lease, nil
}

// doubleChecked is the fix: an atomic fast path once the models are loaded, and a lock taken
// only by the callers that find them missing, with the check repeated under the lock so that
// one of them loads and the others reuse its result.
type doubleChecked struct {
	name   string
	load   LoadFunc
	models atomic.Pointer[Models] // nil until loaded; never reset
	// mu guards the load: held by the one caller loading, while late callers queue behind it.
	// It is never taken once models is set.
	mu ctxMutex
}

func newDoubleChecked(name string, load LoadFunc) *doubleChecked {
	return &doubleChecked{name: name, load: load, mu: newCtxMutex()}
}

func (d *doubleChecked) Name() string { return d.name }
func (d *doubleChecked) Loaded() bool { return d.models.Load() != nil }

func (d *doubleChecked) Acquire(ctx context.Context) (Lease, error) {
	if m := d.models.Load(); m != nil {
		return Lease{Models: m}, nil
	}
	start := time.Now()
	err := d.mu.Lock(ctx)
	lease := Lease{Wait: time.Since(start)}
	if err != nil {
		return lease, err
	}
	defer d.mu.Unlock()
	if m := d.models.Load(); m != nil { // loaded by the caller we queued behind
		lease.Models = m
		return lease, nil
	}
	m, dur, err := timedLoad(ctx, d.load)
	lease.Load = dur
	if err != nil {
		return lease, err
	}
	d.models.Store(m)
	lease.Models = m
	return lease, nil
}

// once loads on first use like sync.OnceValues: the first caller loads, later callers wait for
// that one attempt (or leave when their ctx ends) and share its outcome. Its pitfall: the
// outcome is final, so a failed or panicking first load fails every request until the process
// restarts, even when the cause (a missing file, a slow disk) has since gone away.
type once struct {
	load    LoadFunc
	claimed atomic.Bool   // set by the one caller that runs the load
	done    chan struct{} // closed when that load has finished; models and err are final then
	models  *Models       // written before done is closed, read only after
	err     error         // written before done is closed, read only after
	loaded  atomic.Bool   // done is closed and err is nil
}

func (o *once) Name() string { return StrategyOnce }
func (o *once) Loaded() bool { return o.loaded.Load() }

func (o *once) Acquire(ctx context.Context) (Lease, error) {
	if o.claimed.CompareAndSwap(false, true) {
		m, dur, err := timedLoad(ctx, o.load)
		o.models, o.err = m, err
		o.loaded.Store(err == nil)
		close(o.done)
		return Lease{Models: m, Load: dur}, err
	}
	var lease Lease
	select {
	case <-o.done:
	default:
		start := time.Now()
		select {
		case <-o.done:
			lease.Wait = time.Since(start)
		case <-ctx.Done():
			lease.Wait = time.Since(start)
			return lease, ctx.Err()
		}
	}
	if o.err != nil {
		return lease, fmt.Errorf("%w: %w", ErrLoadNotRetried, o.err)
	}
	lease.Models = o.models
	return lease, nil
}

// eager loads before serving: Warm loads (like double-checked, so concurrent Warms load once),
// and Acquire never loads, answering ErrNotReady until Warm has succeeded.
type eager struct {
	dc *doubleChecked
}

func (e *eager) Name() string { return StrategyEager }
func (e *eager) Loaded() bool { return e.dc.Loaded() }

func (e *eager) Warm(ctx context.Context) error {
	lease, err := e.dc.Acquire(ctx)
	lease.Release()
	return err
}

func (e *eager) Acquire(ctx context.Context) (Lease, error) {
	if m := e.dc.models.Load(); m != nil {
		return Lease{Models: m}, nil
	}
	return Lease{}, ErrNotReady
}
