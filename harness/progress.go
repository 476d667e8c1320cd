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
// It must be called on the goroutine that settles results.
func (l *ledger) pending(n int) []time.Time {
	var out []time.Time
	l.m.Range(func(_, v any) bool {
		out = append(out, v.(*exchange).sent)
		return true
	})
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	if len(out) > n {
		out = out[:n]
	}
	return out
}
