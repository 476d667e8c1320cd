package harness

import (
	"errors"
	"fmt"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// attackPlan is how one vegeta attack runs: a whole step, or one level of a sweep.
type attackPlan struct {
	timeout    time.Duration // the step's own client timeout, 0 for the run's
	level      int           // sweep concurrency level, 0 for other modes
	workers    int           // workers started up front
	maxWorkers int           // workers the attacker may grow to
	pacer      vegeta.Pacer
	duration   time.Duration // 0: until the pacer stops
	total      int           // hits planned, 0 for time-bound attacks
	expect     int           // hits a time-bound attack should send, to size its results
	conns      int           // idle keep-alive connections kept per host
}

// planStep turns a step into its attacks: one for every mode but sweep, one per
// level for sweep. maxWorkers caps the open-loop modes.
func planStep(step scenarios.Step, maxWorkers int) ([]attackPlan, error) {
	if err := validateStep(step); err != nil {
		return nil, err
	}
	switch step.Mode {
	case scenarios.ModeSequential:
		return []attackPlan{burst(step.Requests, 1)}, nil
	case scenarios.ModeConcurrent:
		return []attackPlan{burst(step.Requests, concurrency(step))}, nil
	case scenarios.ModeRate:
		pacer := vegeta.ConstantPacer{Freq: step.Rate.Freq, Per: step.Rate.Per}
		p := openLoop(pacer, step.Duration.Duration, maxWorkers)
		p.expect = expectedHits(step)
		return []attackPlan{p}, nil
	case scenarios.ModeRamp:
		slope := (step.RateTo.PerSecond() - step.Rate.PerSecond()) / step.Duration.Seconds()
		pacer := vegeta.LinearPacer{
			StartAt: vegeta.Rate{Freq: step.Rate.Freq, Per: step.Rate.Per},
			Slope:   slope,
		}
		p := openLoop(pacer, step.Duration.Duration, maxWorkers)
		p.expect = expectedHits(step)
		return []attackPlan{p}, nil
	default: // sweep; validateStep refused every other mode
		plans := make([]attackPlan, 0, len(step.Levels))
		for j, c := range step.Levels {
			// A shard's share of the level, or requests_per_level (which
			// ApplyDefaults filled in when a scenario built in code left it out).
			p := burst(step.RequestsAt(j), c)
			p.level = c
			plans = append(plans, p)
		}
		return plans, nil
	}
}

// planWarmup returns the untimed attack run before a step, ok false when the
// step has no warm-up. It uses the step's first concurrency (1 for open-loop modes).
func planWarmup(step scenarios.Step) (attackPlan, bool) {
	if step.Warmup <= 0 {
		return attackPlan{}, false
	}
	c := 1
	switch step.Mode {
	case scenarios.ModeConcurrent:
		c = concurrency(step)
	case scenarios.ModeSweep:
		if len(step.Levels) > 0 {
			c = step.Levels[0]
		}
	}
	return burst(step.Warmup, min(c, step.Warmup)), true
}

// burst sends n requests from c workers released together, as fast as the
// workers take them.
func burst(n, c int) attackPlan {
	return attackPlan{
		workers:    c,
		maxWorkers: c,
		pacer:      burstPacer{n: uint64(n)},
		total:      n,
		conns:      c,
	}
}

// openLoop sends at the pacer's rate for d, growing workers up to maxWorkers so
// that slow responses do not lower the offered rate.
func openLoop(p vegeta.Pacer, d time.Duration, maxWorkers int) attackPlan {
	return attackPlan{
		workers:    min(int(vegeta.DefaultWorkers), maxWorkers),
		maxWorkers: maxWorkers,
		pacer:      p,
		duration:   d,
		conns:      maxWorkers,
	}
}

// concurrency is a concurrent step's worker count; 0 means all requests at once.
func concurrency(step scenarios.Step) int {
	if step.Concurrency > 0 {
		return step.Concurrency
	}
	return step.Requests
}

// plannedTotal is the number of requests a step will send, 0 when time-bound.
func plannedTotal(plans []attackPlan) int {
	total := 0
	for _, p := range plans {
		total += p.total
	}
	return total
}

// errBadStep is wrapped by every step validation error.
var errBadStep = errors.New("invalid step")

// validateStep checks what the Runner needs of a step. The scenario loader checks
// more, with file positions; this guards scenarios built in code.
func validateStep(s scenarios.Step) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("step %q (%s): %w: %s", s.Name, s.Mode, errBadStep, fmt.Sprintf(format, args...))
	}
	if s.Warmup < 0 {
		return bad("warmup %d is negative", s.Warmup)
	}
	switch s.Mode {
	case scenarios.ModeSequential, scenarios.ModeConcurrent:
		if s.Requests <= 0 {
			return bad("requests must be above 0, got %d", s.Requests)
		}
		if s.Concurrency < 0 {
			return bad("concurrency %d is negative", s.Concurrency)
		}
		// Each worker is a goroutine and a connection, started up front.
		if s.Mode == scenarios.ModeConcurrent && concurrency(s) > scenarios.MaxConcurrency {
			return bad("concurrency %d is above the limit of %d workers", concurrency(s), scenarios.MaxConcurrency)
		}
	case scenarios.ModeRate, scenarios.ModeRamp:
		if s.Rate.Freq <= 0 || s.Rate.Per <= 0 {
			return bad("rate must be above 0")
		}
		if s.Duration.Duration <= 0 {
			return bad("duration must be above 0")
		}
		if s.Mode == scenarios.ModeRamp && (s.RateTo.Freq <= 0 || s.RateTo.Per <= 0) {
			return bad("rate_to must be above 0")
		}
	case scenarios.ModeSweep:
		if len(s.Levels) == 0 {
			return bad("levels are empty")
		}
		for j, c := range s.Levels {
			if c <= 0 {
				return bad("level %d must be above 0", c)
			}
			if n := s.RequestsAt(j); n < 1 {
				return bad("level %d has %d requests; it needs at least 1", c, n)
			}
			if c > scenarios.MaxConcurrency {
				return bad("level %d is above the limit of %d workers", c, scenarios.MaxConcurrency)
			}
		}
		if s.RequestsPerLevel < 0 {
			return bad("requests_per_level %d is negative", s.RequestsPerLevel)
		}
	default:
		return bad("unknown mode %q", s.Mode)
	}
	return nil
}

// maxExpectedHits caps the results preallocated for an attack, whatever count
// its step asks for: beyond it the slice grows as results arrive.
const maxExpectedHits = 1 << 17

// preallocHits is how many results to make room for before plan's attack starts:
// its planned or expected hits, capped at maxExpectedHits, so that a huge count
// in a step built in code cannot allocate (or panic) before a request is sent.
func preallocHits(plan attackPlan) int {
	return min(max(plan.total, plan.expect, 0), maxExpectedHits)
}

// expectedHits is how many requests a time-bound step offers, capped: sizing the
// results up front spares a fast open-loop attack the cost of regrowing them.
func expectedHits(step scenarios.Step) int {
	n := step.OfferedRequests()
	if n <= 0 {
		return 0
	}
	return int(min(n, maxExpectedHits))
}
