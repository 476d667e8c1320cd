package harness_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"contend/harness"
	"contend/scenarios"
)

// TestBeforeAttackGatesEveryAttack: the gate is passed once per step (after
// its warm-up) and once per sweep level, in order; no timed request of an
// attack leaves before its gate opens; a shard's per-level request counts
// (LevelRequests) are what each level sends; a gate's error ends the run.
func TestBeforeAttackGatesEveryAttack(t *testing.T) {
	p := &probe{}
	base := serve(t, serviceHandler(p, 5*time.Millisecond, false))
	burst := concurrent("burst", 6, 3)
	burst.Warmup = 2
	sweep := scenarios.Step{Name: "sweep", Mode: scenarios.ModeSweep, Levels: []int{1, 2, 2}, LevelRequests: []int{3, 4, 5}}
	sc := urlScenario(base, "/", sequential("seq", 2), burst, sweep)

	const hold = 80 * time.Millisecond
	var mu sync.Mutex // guards calls and opened
	var calls []string
	opened := map[string]time.Time{}
	gate := func(ctx context.Context, st scenarios.Step, level int) error {
		key := fmt.Sprintf("%s/%d", st.Name, level)
		select {
		case <-time.After(hold):
		case <-ctx.Done():
			return ctx.Err()
		}
		mu.Lock()
		calls = append(calls, key)
		opened[key] = time.Now()
		mu.Unlock()
		return nil
	}
	log := run(t, context.Background(), harness.New(harness.BeforeAttack(gate)), sc)
	if err := log.done(); err != nil {
		t.Fatalf("RunDone error: %v", err)
	}
	want := []string{"seq/0", "burst/0", "sweep/0", "sweep/1", "sweep/2"}
	if !slices.Equal(calls, want) {
		t.Fatalf("gate calls %v, want %v", calls, want)
	}
	res := log.only(t)
	for _, sr := range res.Steps {
		first := opened[sr.Step.Name+"/0"]
		for _, r := range sr.Results {
			if r.Timestamp.Before(first) {
				t.Errorf("step %s: a request left at %s, before its gate opened at %s", sr.Step.Name, r.Timestamp, first)
			}
		}
	}
	sw := res.Steps[2]
	for j, n := range []int{3, 4, 5} {
		if got := len(sw.Levels[j].Results); got != n {
			t.Errorf("sweep level %d sent %d requests, want its LevelRequests %d", j, got, n)
		}
		if j > 0 && sw.Levels[j].Results[0].Timestamp.Before(opened[fmt.Sprintf("sweep/%d", j)]) {
			t.Errorf("sweep level %d started before its gate opened", j)
		}
	}

	// A gate that fails stops the run at that attack.
	errGate := errors.New("missed the schedule")
	failing := func(ctx context.Context, st scenarios.Step, level int) error {
		if st.Name == "burst" {
			return errGate
		}
		return nil
	}
	log = run(t, context.Background(), harness.New(harness.BeforeAttack(failing)), sc)
	res = log.only(t)
	if !errors.Is(res.Err, errGate) || len(res.Steps) != 2 || len(res.Steps[1].Results) != 0 {
		t.Fatalf("a failing gate: run error %v, %d steps (burst sent %d); want the gate's error and no burst requests",
			res.Err, len(res.Steps), len(res.Steps[len(res.Steps)-1].Results))
	}
}
