package harness

import (
	"sync"
	"time"
)

// emitter delivers events to the consumer without ever blocking the Runner: a slow
// reader (a TUI redrawing) must not hold up the goroutine that drains the
// attacker's results, or the measured latencies would include the reader's delay.
// Events queue up in memory and a pump goroutine forwards them in order; it closes
// the channel after close was called and the queue drained.
type emitter struct {
	out  chan Event
	wake chan struct{} // capacity 1: "the queue changed"

	mu     sync.Mutex
	queue  []Event // guarded by mu
	closed bool    // guarded by mu
}

func newEmitter() *emitter {
	e := &emitter{out: make(chan Event, 64), wake: make(chan struct{}, 1)}
	go e.pump()
	return e
}

// emit queues ev, stamping its time when unset. It must not be called after close.
func (e *emitter) emit(ev Event) {
	if ev.Time.IsZero() {
		ev.Time = time.Now()
	}
	e.mu.Lock()
	e.queue = append(e.queue, ev)
	e.mu.Unlock()
	e.poke()
}

// close ends the stream once every queued event was delivered.
func (e *emitter) close() {
	e.mu.Lock()
	e.closed = true
	e.mu.Unlock()
	e.poke()
}

func (e *emitter) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *emitter) pump() {
	defer close(e.out)
	for {
		e.mu.Lock()
		batch, closed := e.queue, e.closed
		e.queue = nil
		e.mu.Unlock()
		for _, ev := range batch {
			e.out <- ev
		}
		if len(batch) == 0 {
			if closed {
				return
			}
			<-e.wake
		}
	}
}
