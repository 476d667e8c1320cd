package scenarios

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Shard names one of Count load generators that together run one scenario
// (`--shard Index/Count`, Index from 0).
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// MaxShards is the most shards a run may be split into.
const MaxShards = 10000

// ParseShard reads "I/N": shard I of N, 0 <= I < N <= MaxShards.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(strings.TrimSpace(s), "/")
	idx, err1 := strconv.Atoi(i)
	cnt, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("shard %q is not I/N (shard I of N, I from 0)", s)
	}
	sh := Shard{Index: idx, Count: cnt}
	return sh, sh.check()
}

func (sh Shard) check() error {
	switch {
	case sh.Count < 1 || sh.Count > MaxShards:
		return fmt.Errorf("shard %s: N must be from 1 to %d", sh, MaxShards)
	case sh.Index < 0 || sh.Index >= sh.Count:
		return fmt.Errorf("shard %s: I must be from 0 to %d", sh, sh.Count-1)
	}
	return nil
}

// String writes the shard as ParseShard reads it.
func (sh Shard) String() string { return fmt.Sprintf("%d/%d", sh.Index, sh.Count) }

// ShareOf returns shard i's share of total split over n shards: total/n, one
// more for the first total%n shards, so the shares add up to total.
func ShareOf(total, i, n int) int {
	if n <= 0 || i < 0 || i >= n {
		return 0
	}
	s := total / n
	if i < total%n {
		s++
	}
	return s
}

// ShardStep says what one shard does of one step of the original scenario.
type ShardStep struct {
	Step string `json:"step"`
	// Skipped is why the shard sends nothing in this step ("" when it runs it).
	Skipped string `json:"skipped,omitempty"`
	// Requests and Concurrency are the shard's share of a count-bound step.
	Requests    int `json:"requests,omitempty"`
	Concurrency int `json:"concurrency,omitempty"`
	// Rate and RateTo are the shard's share of a rate or ramp step ("20/s").
	Rate   string `json:"rate,omitempty"`
	RateTo string `json:"rate_to,omitempty"`
	// Levels are a sweep's levels the shard runs, in order; the shard's report
	// has one level entry for each.
	Levels []ShardLevel `json:"levels,omitempty"`
}

// ShardLevel is a shard's share of one sweep level.
type ShardLevel struct {
	Level       int `json:"level"` // the original level's concurrency
	Concurrency int `json:"concurrency"`
	Requests    int `json:"requests"`
}

// burstShare splits a burst of requests sent by concurrency workers: the
// workers are spread over the first min(n, concurrency) shards, and the
// requests over the same shards, so that no shard gets requests without a
// worker, no shard has more workers than requests, and the sums are kept.
func burstShare(requests, concurrency, i, n int) (r, c int) {
	m := min(n, concurrency)
	if i >= m {
		return 0, 0
	}
	return ShareOf(requests, i, m), ShareOf(concurrency, i, m)
}

// ForShard returns the scenario shard sh runs, and what it does of each of the
// original steps:
//   - a rate or ramp step offers 1/N of its rate (the period N times as long,
//     so nothing is rounded away);
//   - a concurrent step and each sweep level send the shard's share of the
//     requests with its share of the concurrency (burstShare); a shard with no
//     share skips the step or level;
//   - a sequential step runs on shard 0 only;
//   - warm-ups run whole on every shard that runs the step.
//
// Skipped steps leave the copy, with the comparisons and expectations that name
// them: each shard judges only its own load; the merge judges the whole. The
// copy is not revalidated (a shard's sweep levels need not rise); it is meant
// for the Runner, which checks what it needs. Shard 0/1 is the scenario itself.
func (s *Scenario) ForShard(sh Shard) (*Scenario, []ShardStep, error) {
	if err := sh.check(); err != nil {
		return nil, nil, err
	}
	out := s.Clone()
	out.Steps = out.Steps[:0]
	plan := make([]ShardStep, 0, len(s.Steps))
	i, n := sh.Index, sh.Count
	for _, orig := range s.Steps {
		st := orig
		st.Levels = slices.Clone(orig.Levels)
		ps := ShardStep{Step: orig.Name}
		switch orig.Mode {
		case ModeSequential:
			if i != 0 {
				ps.Skipped = "sequential steps run on shard 0 only"
			} else {
				ps.Requests, ps.Concurrency = orig.Requests, 1
			}
		case ModeConcurrent:
			c := orig.Concurrency
			if c <= 0 {
				c = orig.Requests
			}
			st.Requests, st.Concurrency = burstShare(orig.Requests, c, i, n)
			ps.Requests, ps.Concurrency = st.Requests, st.Concurrency
			if st.Requests == 0 {
				ps.Skipped = fmt.Sprintf("no share: concurrency %d over %d shards", c, n)
			}
		case ModeRate, ModeRamp:
			st.Rate = orig.Rate.Over(n)
			ps.Rate = st.Rate.String()
			if orig.Mode == ModeRamp {
				st.RateTo = orig.RateTo.Over(n)
				ps.RateTo = st.RateTo.String()
			}
		case ModeSweep:
			st.Levels, st.LevelRequests = nil, nil
			for _, l := range orig.Levels {
				r, c := burstShare(orig.RequestsPerLevel, l, i, n)
				if r == 0 {
					continue
				}
				st.Levels = append(st.Levels, c)
				st.LevelRequests = append(st.LevelRequests, r)
				ps.Levels = append(ps.Levels, ShardLevel{Level: l, Concurrency: c, Requests: r})
			}
			if len(st.Levels) == 0 {
				ps.Skipped = fmt.Sprintf("no share: every level is below %d shards", n)
			}
		default:
			return nil, nil, fmt.Errorf("step %q: mode %q cannot be sharded", orig.Name, orig.Mode)
		}
		plan = append(plan, ps)
		if ps.Skipped == "" {
			out.Steps = append(out.Steps, st)
		}
	}
	keep := func(name string) bool {
		return name == "" || slices.ContainsFunc(out.Steps, func(st Step) bool { return st.Name == name })
	}
	out.Compare = slices.DeleteFunc(out.Compare, func(c Compare) bool { return !keep(c.Base) || !keep(c.Step) })
	out.Expect = slices.DeleteFunc(out.Expect, func(e Expect) bool { return !keep(e.Step) })
	if len(out.Steps) == 0 {
		return nil, nil, errors.New("shard " + sh.String() + " has no share of any step")
	}
	return out, plan, nil
}

// Over returns 1/n of the rate, exactly: the same frequency over a period n
// times as long.
func (r Rate) Over(n int) Rate {
	if n <= 1 || r.Freq == 0 {
		return r
	}
	return Rate{Freq: r.Freq, Per: r.Per * time.Duration(n)}
}

// RequestsAt returns how many requests a sweep step sends at its j-th level:
// LevelRequests[j] when set (a shard's share), else RequestsPerLevel.
func (st Step) RequestsAt(j int) int {
	if j < len(st.LevelRequests) {
		return st.LevelRequests[j]
	}
	return st.RequestsPerLevel
}

// ScheduleMargin is added to every slot of the shared schedule, for the work
// between two attacks (reading the target's metrics, writing results).
const ScheduleMargin = 500 * time.Millisecond

// Slot is one timed start on the shared schedule of a sharded run: the timed
// requests of Step (of its Level-th level, from 0, for a sweep; 0 otherwise)
// start Offset after the run's start instant.
type Slot struct {
	Step   string
	Level  int
	Offset time.Duration
}

// Schedule returns the shared schedule of the scenario run as n shards: every
// shard computes the same from the original scenario, so that a burst starts
// at the same instant on all of them. Each attack gets the longest it may take
// on any shard: a burst's waves (requests over workers) times its client
// timeout (timeout when above 0, else the step's own), a time-bound step its
// duration plus one timeout to drain and the spread of the shards' phases
// (Phase), plus the next step's warm-up, one timeout a request. stepSlot, when
// above 0, replaces each burst's bound and the drain (a run whose latencies are
// known to be far below its timeout need not wait for the worst case). Every
// slot has ScheduleMargin on top.
func (s *Scenario) Schedule(n int, timeout, stepSlot time.Duration) []Slot {
	n = max(n, 1)
	clientTimeout := func(st Step) time.Duration {
		switch {
		case timeout > 0:
			return timeout
		case st.Timeout.Duration > 0:
			return st.Timeout.Duration
		}
		return s.Request.Timeout.Duration // a relative timeout is not known yet: the request's
	}
	waves := func(requests, concurrency int) int {
		most := 0
		for i := range n {
			r, c := burstShare(requests, concurrency, i, n)
			if c > 0 {
				most = max(most, (r+c-1)/c)
			}
		}
		return most
	}
	burstSlot := func(st Step, w int) time.Duration {
		if stepSlot > 0 {
			return stepSlot
		}
		return time.Duration(w) * clientTimeout(st)
	}
	var out []Slot
	var at time.Duration
	for k, st := range s.Steps {
		var warm time.Duration // the next step's warm-up, sent before its slot starts
		if k+1 < len(s.Steps) && stepSlot <= 0 {
			next := s.Steps[k+1]
			warm = time.Duration(next.Warmup) * clientTimeout(next)
		}
		switch st.Mode {
		case ModeSweep:
			for j, l := range st.Levels {
				out = append(out, Slot{Step: st.Name, Level: j, Offset: at})
				at += burstSlot(st, waves(st.RequestsPerLevel, l)) + ScheduleMargin
			}
			at += warm
			continue
		case ModeRate, ModeRamp:
			out = append(out, Slot{Step: st.Name, Offset: at})
			drain := clientTimeout(st)
			if stepSlot > 0 {
				drain = stepSlot
			}
			at += st.Duration.Duration + s.phaseSpread(st, n) + drain
		case ModeSequential:
			out = append(out, Slot{Step: st.Name, Offset: at})
			at += burstSlot(st, st.Requests)
		default:
			out = append(out, Slot{Step: st.Name, Offset: at})
			c := st.Concurrency
			if c <= 0 {
				c = st.Requests
			}
			at += burstSlot(st, waves(st.Requests, c))
		}
		at += warm + ScheduleMargin
	}
	return out
}

// Phase returns how long after its slot shard sh starts a rate or ramp step:
// shard i by i of the original rate's intervals, so that the shards' requests
// interleave instead of landing N at a time. Other steps start on the slot.
func (s *Scenario) Phase(st Step, sh Shard) time.Duration {
	if st.Mode != ModeRate && st.Mode != ModeRamp || st.Rate.Freq <= 0 {
		return 0
	}
	return time.Duration(sh.Index) * (st.Rate.Per / time.Duration(st.Rate.Freq))
}

func (s *Scenario) phaseSpread(st Step, n int) time.Duration {
	return s.Phase(st, Shard{Index: n - 1, Count: n})
}
