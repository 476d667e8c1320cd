package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// shardFlags are run's and check's --shard, --start-at and --step-slot.
type shardFlags struct {
	shard    string
	startAt  string
	stepSlot time.Duration
	file     string // the scenario file, whose text the shard's report carries
}

// sharded is one shard's part in a sharded run: the scenario it runs, the
// shared schedule, and what happened at each attack, for its report.
type sharded struct {
	shard   scenarios.Shard
	startAt time.Time // zero: start at once, no schedule
	orig    *scenarios.Scenario
	slots   []scenarios.Slot
	log     io.Writer // where the gate says what it waits for (nil: nowhere); set before the run

	mu    sync.Mutex          // guards steps, written by the gate during the run
	steps []reports.ShardStep // one per original step
	info  reports.ShardInfo   // everything but Steps
}

// prepareShard derives the scenario shard f.shard runs from sc (after the
// command line's overrides) and returns it with the shard's bookkeeping; nil
// when the run is not sharded.
func prepareShard(sc *scenarios.Scenario, f runFlags) (*scenarios.Scenario, *sharded, error) {
	if f.shard.shard == "" && f.shard.startAt == "" {
		if f.shard.stepSlot != 0 {
			return nil, nil, usagef("--step-slot applies to a sharded run (--shard or --start-at)")
		}
		return sc, nil, nil
	}
	sh := scenarios.Shard{Index: 0, Count: 1}
	if f.shard.shard != "" {
		var err error
		if sh, err = scenarios.ParseShard(f.shard.shard); err != nil {
			return nil, nil, usageError{err.Error()}
		}
	}
	if sc.IsBuiltin() {
		return nil, nil, usagef("--shard and --start-at split the load on one target, but a built-in target is one server per process: " +
			"start it once (contend serve) and pass its URL with --target")
	}
	if f.shard.stepSlot < 0 {
		return nil, nil, usagef("--step-slot must not be negative, not %s", f.shard.stepSlot)
	}
	s := &sharded{shard: sh, orig: sc}
	if f.shard.startAt != "" {
		t, err := time.Parse(time.RFC3339Nano, f.shard.startAt)
		if err != nil {
			return nil, nil, usagef("--start-at %q is not an RFC 3339 time (e.g. 2026-12-02T06:00:00Z)", f.shard.startAt)
		}
		s.startAt = t
		s.slots = sc.Schedule(sh.Count, f.timeout, f.shard.stepSlot)
	}
	text, err := os.ReadFile(f.shard.file)
	if err != nil {
		return nil, nil, fmt.Errorf("shard: %w", err)
	}
	part, plan, err := sc.ForShard(sh)
	if err != nil {
		return nil, nil, usageError{err.Error()}
	}
	for _, ps := range plan {
		s.steps = append(s.steps, reports.ShardStep{ShardStep: ps})
	}
	s.info = reports.ShardInfo{
		Index: sh.Index, Count: sh.Count, StartAt: s.startAt,
		Scenario: string(text), ScenarioSHA256: reports.ScenarioDigest(string(text)),
		Target: sc.Target.URL, Out: f.out,
	}
	if f.timeout > 0 {
		s.info.TimeoutMs = float64(f.timeout) / float64(time.Millisecond)
	}
	if f.shard.stepSlot > 0 {
		s.info.StepSlotMs = float64(f.shard.stepSlot) / float64(time.Millisecond)
	}
	return part, s, nil
}

// gate holds each attack until its slot on the shared schedule and records
// when it started (harness.BeforeAttack).
func (s *sharded) gate(ctx context.Context, step scenarios.Step, j int) error {
	k := slices.IndexFunc(s.steps, func(st reports.ShardStep) bool { return st.Step == step.Name })
	if k < 0 {
		return fmt.Errorf("shard %s: step %q is not in the scenario", s.shard, step.Name)
	}
	var planned time.Time
	if !s.startAt.IsZero() {
		orig := s.orig.Steps[slices.IndexFunc(s.orig.Steps, func(st scenarios.Step) bool { return st.Name == step.Name })]
		level := 0 // which of the original sweep's levels this attack is
		if lv := s.steps[k].Levels; j < len(lv) {
			level = slices.Index(orig.Levels, lv[j].Level)
		}
		for _, sl := range s.slots {
			if sl.Step == step.Name && sl.Level == level {
				planned = s.startAt.Add(sl.Offset + s.orig.Phase(orig, s.shard))
			}
		}
		if wait := time.Until(planned); wait > 0 {
			if s.log != nil && wait >= time.Second {
				fmt.Fprintf(s.log, "[shard %s] step %s waits %s for its slot at %s\n",
					s.shard, step.Name, wait.Round(time.Millisecond), planned.UTC().Format(time.RFC3339Nano))
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			case <-t.C:
			}
		}
	}
	a := reports.ShardAttack{Planned: planned, Started: time.Now()}
	a.MarkLate()
	s.mu.Lock()
	s.steps[k].Attacks = append(s.steps[k].Attacks, a)
	s.mu.Unlock()
	return nil
}

// option returns the Runner option that puts every attack through the gate.
func (s *sharded) option() harness.Option { return harness.BeforeAttack(s.gate) }

// attach puts the shard's record into its report.
func (s *sharded) attach(rep *reports.Report, in reports.Input) {
	s.mu.Lock()
	defer s.mu.Unlock()
	info := s.info
	info.Steps = slices.Clone(s.steps)
	if len(in.Runs) > 0 {
		info.FillWindows(in.Runs[0])
	}
	rep.Shard = &info
}
