package harness

import (
	"slices"
	"time"
)

// ProgressEvery is how often a step sends a Progress event while it runs, so
// that the in-flight count and the elapsed time move between completions (a
// cold start can hold every request for seconds).
const ProgressEvery = 250 * time.Millisecond

// pending returns the send times of the requests the transport has sent and
// the attack has not yet taken a result for, earliest first, at most n of them.
func (l *ledger) pending(n int) []time.Time {
	l.mu.Lock()
	out := make([]time.Time, 0, len(l.m))
	for _, x := range l.m {
		out = append(out, x.sent) // set before the exchange was put, never changed
	}
	l.mu.Unlock()
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
