package harness

import (
	"math"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// burstPacer releases hits as fast as the attacker's workers take them and stops
// after exactly N hits. With W workers this is the seed's burst: W requests in
// flight at once until N have been sent. (Stopping through the targeter instead,
// with vegeta.ErrNoTargets, would record one extra failed result.)
type burstPacer struct {
	n uint64
}

var _ vegeta.Pacer = burstPacer{}

// Pace never waits and stops once n hits were released.
func (p burstPacer) Pace(_ time.Duration, hits uint64) (time.Duration, bool) {
	return 0, hits >= p.n
}

// Rate is unbounded: hits are limited by the workers, not by time.
func (p burstPacer) Rate(time.Duration) float64 { return math.Inf(1) }

// stoppablePacer sleeps the waits of the pacer it wraps itself, so that a stop
// request takes effect at once, and ends the attack at its duration. vegeta
// sleeps a pacer's wait before it looks at Stop or at the duration, which at low
// rates would delay a cancelled run by a whole interval and send a hit that
// falls due after the duration (1/m over 5s would run for a minute).
type stoppablePacer struct {
	inner vegeta.Pacer
	stop  <-chan struct{}
	end   time.Duration // the attack's duration: no hit falls due after it (0: none)
}

var _ vegeta.Pacer = stoppablePacer{}

// Pace waits as the inner pacer says, unless stop closes first. A hit that would
// fall due after end is not sent: Pace sleeps until end and stops the attack.
func (p stoppablePacer) Pace(elapsed time.Duration, hits uint64) (time.Duration, bool) {
	select {
	case <-p.stop:
		return 0, true
	default:
	}
	wait, done := p.inner.Pace(elapsed, hits)
	if done || wait <= 0 {
		return wait, done
	}
	if p.end > 0 && elapsed+wait > p.end {
		wait, done = p.end-elapsed, true
	}
	if wait <= 0 {
		return 0, done
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return 0, done
	case <-p.stop:
		return 0, true
	}
}

// Rate is the inner pacer's rate.
func (p stoppablePacer) Rate(elapsed time.Duration) float64 { return p.inner.Rate(elapsed) }
