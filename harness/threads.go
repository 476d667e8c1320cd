package harness

import (
	"context"
	"sync"
	"time"
)

// RunnableEvery is how often an external target's runnable threads are counted
// while a step runs (see StepResult.RunnableThreads).
const RunnableEvery = 10 * time.Millisecond

// maxRunnable caps a count of runnable threads (higher counts are kept as it).
const maxRunnable = 256

// runnableCounts is how many samples saw each number of runnable threads.
type runnableCounts [maxRunnable + 1]int

// add merges o into c.
func (c *runnableCounts) add(o *runnableCounts) {
	for i := range c {
		c[i] += o[i]
	}
}

// lowerQuartile returns the count that a quarter of the samples are at or
// under, -1 when there are no samples. Not the mean nor the median: a thread
// woken to wait for a lock (Python's GIL wakes its waiters every 5 ms) is
// runnable for an instant, and for much longer on a busy machine, while
// threads that really have work stay runnable all the time; the lower quartile
// counts only those.
func (c *runnableCounts) lowerQuartile() float64 {
	n := 0
	for _, k := range c {
		n += k
	}
	if n == 0 {
		return -1
	}
	seen := 0
	for v, k := range c {
		seen += k
		if 4*seen >= n {
			return float64(v)
		}
	}
	return maxRunnable
}

// threadSampler counts a target's runnable threads every RunnableEvery until
// finish, in constant memory.
type threadSampler struct {
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex // guards counts, written by the sampling goroutine
	counts runnableCounts
}

// startThreads starts counting m's runnable threads; nil when m is nil.
// treeEvery is how often a thread sampler reads the target's process tree again
// (workers come and go far more slowly than threads change state).
const treeEvery = 500 * time.Millisecond

func startThreads(ctx context.Context, m *procCPU) *threadSampler {
	if m == nil {
		return nil
	}
	ctx, stop := context.WithCancel(ctx)
	s := &threadSampler{stop: stop}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tick := time.NewTicker(RunnableEvery)
		defer tick.Stop()
		// The process tree is read again every treeEvery, not at every count:
		// walking every process's stat each 10 ms would cost the load generator
		// more CPU than the requests it sends. Each count lists the tree's
		// threads again, though: a thread pool starts its threads as a burst
		// arrives, and a list kept for treeEvery would miss them for a short
		// step's whole length (the seed service's fixed mode then read as one
		// thread running at a time).
		var pids []int
		var read time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if now := time.Now(); now.Sub(read) >= treeEvery {
				var ok bool
				if pids, ok = m.tree(); !ok {
					pids = nil
				}
				read = now
			}
			if pids == nil {
				continue
			}
			n := m.runnableIn(pids)
			s.mu.Lock()
			s.counts[min(n, maxRunnable)]++
			s.mu.Unlock()
		}
	}()
	return s
}

// finish stops the sampler and returns its counts (none when s is nil).
func (s *threadSampler) finish() runnableCounts {
	if s == nil {
		return runnableCounts{}
	}
	s.stop()
	s.wg.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts
}
