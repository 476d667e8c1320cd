package target

import (
	"context"
	"sync"
	"time"
)

// loadFlight runs a strategy's loads detached from the callers that ask for them: at most one
// attempt at a time, each in a goroutine of its own, under a context that keeps the starting
// caller's values but not its cancellation (the server's LoadFunc adds its own deadline and
// the server's lifetime). Callers wait for the attempt or leave when their context ends; the
// attempt goes on either way, and its models reach onLoaded even when nobody waits any more,
// so the next caller gets them. A failed attempt is forgotten, so the next join starts a new
// one (the once strategy keeps its first attempt itself).
type loadFlight struct {
	load LoadFunc
	// onLoaded receives the models of a successful attempt before its waiters wake.
	onLoaded func(*Models)

	mu  sync.Mutex // guards cur
	cur *attempt   // the attempt running or succeeded; nil before the first and after a failure
}

// attempt is one load. Its fields are written before done is closed and read only after.
type attempt struct {
	done   chan struct{}
	models *Models
	err    error
}

// join returns the attempt running (or the one that succeeded), starting one when there is
// none. ctx's values are kept for the load; its cancellation is not.
func (f *loadFlight) join(ctx context.Context) *attempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.cur != nil {
		return f.cur
	}
	a := &attempt{done: make(chan struct{})}
	f.cur = a
	go f.run(context.WithoutCancel(ctx), a)
	return a
}

func (f *loadFlight) run(ctx context.Context, a *attempt) {
	a.models, a.err = callLoad(ctx, f.load)
	if a.err == nil && f.onLoaded != nil {
		f.onLoaded(a.models)
	}
	if a.err != nil {
		f.mu.Lock()
		f.cur = nil
		f.mu.Unlock()
	}
	close(a.done)
}

// wait blocks until the attempt has finished or ctx ends, and says how long it waited. When
// ctx ends first it returns ctx's error; the attempt goes on.
func (a *attempt) wait(ctx context.Context) (*Models, time.Duration, error) {
	select {
	case <-a.done:
		return a.models, 0, a.err
	default:
	}
	start := time.Now()
	select {
	case <-a.done:
		return a.models, time.Since(start), a.err
	case <-ctx.Done():
		return nil, time.Since(start), ctx.Err()
	}
}
