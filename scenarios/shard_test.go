package scenarios_test

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"contend/scenarios"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want scenarios.Shard
		err  string
	}{
		{"0/1", scenarios.Shard{Index: 0, Count: 1}, ""},
		{"3/4", scenarios.Shard{Index: 3, Count: 4}, ""},
		{" 2/8 ", scenarios.Shard{Index: 2, Count: 8}, ""},
		{"4/4", scenarios.Shard{}, "I must be from 0 to 3"},
		{"-1/4", scenarios.Shard{}, "I must be from 0 to 3"},
		{"0/0", scenarios.Shard{}, "N must be from 1 to 10000"},
		{"0/10001", scenarios.Shard{}, "N must be from 1 to 10000"},
		{"1", scenarios.Shard{}, "is not I/N"},
		{"a/b", scenarios.Shard{}, "is not I/N"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := scenarios.ParseShard(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseShard(%q) error %v, want one containing %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.String() != strings.TrimSpace(tc.in) {
				t.Errorf("String() = %q, want %q", got.String(), strings.TrimSpace(tc.in))
			}
		})
	}
}

func TestShareOfSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		total, n := rng.IntN(1000), 1+rng.IntN(40)
		sum, lo, hi := 0, math.MaxInt, 0
		for i := range n {
			s := scenarios.ShareOf(total, i, n)
			sum += s
			lo, hi = min(lo, s), max(hi, s)
		}
		if sum != total || hi-lo > 1 {
			t.Fatalf("ShareOf(%d over %d): sum %d, shares %d..%d; want sum %d, spread at most 1", total, n, sum, lo, hi, total)
		}
	}
}

const shardScenario = `
name: sharded
target: {url: http://127.0.0.1:9}
request: {timeout: 2s}
steps:
  - {name: seq, mode: sequential, requests: 5}
  - {name: burst, mode: concurrent, concurrency: %C%, requests: %R%, warmup: 2}
  - {name: rate, mode: rate, rate: %F%/s, duration: 3s}
  - {name: ramp, mode: ramp, rate: 2/s, rate_to: %F%/100ms, duration: 2s}
  - {name: sweep, mode: sweep, levels: [1, 2, 3, 5, 8], requests_per_level: %L%}
compare:
  - {base: seq, step: burst}
expect:
  - {step: seq, max_errors: 0}
  - {step: burst, max_errors: 0}
`

// TestForShardKeepsTheWhole is the property the merge relies on: over all N
// shards, every burst's requests and concurrency, every sweep level's and every
// rate add up to the original, nothing lost and nothing doubled; a sequential
// step runs once, on shard 0.
func TestForShardKeepsTheWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 300 {
		c := 1 + rng.IntN(40)
		r := c + rng.IntN(100)
		l := 8 + rng.IntN(30)
		f := 1 + rng.IntN(500)
		n := 1 + rng.IntN(12)
		text := strings.NewReplacer("%C%", itoa(c), "%R%", itoa(r), "%L%", itoa(l), "%F%", itoa(f)).Replace(shardScenario)
		sc, err := scenarios.Load(strings.NewReader(text), "sharded.yaml")
		if err != nil {
			t.Fatal(err)
		}
		seqRuns, reqs, conc := 0, 0, 0
		rate, rampFrom, rampTo := 0.0, 0.0, 0.0
		levelReqs := map[int]int{}
		levelConc := map[int]int{}
		for i := range n {
			sh := scenarios.Shard{Index: i, Count: n}
			part, plan, err := sc.ForShard(sh)
			if err != nil {
				t.Fatalf("ForShard(%s): %v", sh, err)
			}
			if len(plan) != len(sc.Steps) {
				t.Fatalf("shard %s: plan has %d steps, want %d", sh, len(plan), len(sc.Steps))
			}
			for _, ps := range plan {
				_, ran := stepNamed(part, ps.Step)
				if ran == (ps.Skipped != "") {
					t.Fatalf("shard %s step %s: in the copy %v, skipped %q", sh, ps.Step, ran, ps.Skipped)
				}
			}
			for _, st := range part.Steps {
				switch st.Mode {
				case scenarios.ModeSequential:
					seqRuns++
					if st.Requests != 5 {
						t.Fatalf("shard %s runs %d sequential requests, want all 5", sh, st.Requests)
					}
				case scenarios.ModeConcurrent:
					if st.Concurrency < 1 || st.Concurrency > st.Requests {
						t.Fatalf("shard %s: burst of %d with concurrency %d", sh, st.Requests, st.Concurrency)
					}
					if st.Warmup != 2 {
						t.Fatalf("shard %s: warm-up %d, want the whole 2", sh, st.Warmup)
					}
					reqs += st.Requests
					conc += st.Concurrency
				case scenarios.ModeRate:
					rate += st.Rate.PerSecond()
				case scenarios.ModeRamp:
					rampFrom += st.Rate.PerSecond()
					rampTo += st.RateTo.PerSecond()
				case scenarios.ModeSweep:
					if len(st.Levels) != len(st.LevelRequests) {
						t.Fatalf("shard %s: %d levels, %d request counts", sh, len(st.Levels), len(st.LevelRequests))
					}
					for j, lv := range plan[4].Levels {
						if st.Levels[j] != lv.Concurrency || st.LevelRequests[j] != lv.Requests || lv.Concurrency > lv.Requests {
							t.Fatalf("shard %s: sweep level %d is c%d x %d, plan says %+v", sh, j, st.Levels[j], st.LevelRequests[j], lv)
						}
						levelReqs[lv.Level] += lv.Requests
						levelConc[lv.Level] += lv.Concurrency
					}
				}
			}
			if i > 0 && plan[0].Skipped == "" {
				t.Fatalf("shard %s runs the sequential step", sh)
			}
			for _, e := range part.Expect {
				if _, ok := stepNamed(part, e.Step); !ok {
					t.Fatalf("shard %s keeps an expectation on step %q it does not run", sh, e.Step)
				}
			}
		}
		if seqRuns != 1 || reqs != r || conc != c {
			t.Fatalf("N=%d: sequential ran %d times (want 1), burst %d requests x %d workers (want %d x %d)", n, seqRuns, reqs, conc, r, c)
		}
		for _, lv := range []int{1, 2, 3, 5, 8} {
			if levelReqs[lv] != l || levelConc[lv] != lv {
				t.Fatalf("N=%d: sweep level %d sent %d requests from %d workers, want %d from %d", n, lv, levelReqs[lv], levelConc[lv], l, lv)
			}
		}
		for _, got := range []struct {
			name      string
			got, want float64
		}{{"rate", rate, float64(f)}, {"ramp from", rampFrom, 2}, {"ramp to", rampTo, float64(f) * 10}} {
			if math.Abs(got.got-got.want) > 1e-9*got.want {
				t.Fatalf("N=%d: %s adds up to %g/s, want %g/s", n, got.name, got.got, got.want)
			}
		}
	}
}

// TestScheduleBoundsEveryAttack: each slot lasts at least the longest its
// attack can take on any shard, so a shard that keeps to its timeouts is never
// late for the next one.
func TestScheduleBoundsEveryAttack(t *testing.T) {
	text := strings.NewReplacer("%C%", "6", "%R%", "21", "%L%", "8", "%F%", "40").Replace(shardScenario)
	sc, err := scenarios.Load(strings.NewReader(text), "sharded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	slots := sc.Schedule(n, 0, 0)
	want := []struct {
		step  string
		level int
		min   time.Duration // the slot's worst case, before the margin
	}{
		{"seq", 0, 5*2*time.Second + 2*2*time.Second}, // 5 requests, then burst's 2 warm-ups
		// 21 requests over 6 workers on 4 shards: 6/5/5/5 from 2/2/1/1 workers, so shard 2 needs 5 waves.
		{"burst", 0, 5 * 2 * time.Second},
		{"rate", 0, 3*time.Second + 2*time.Second},
		{"ramp", 0, 2*time.Second + 2*time.Second},
		{"sweep", 0, 8 * 2 * time.Second}, // level 1: one worker sends all 8
		{"sweep", 1, 4 * 2 * time.Second}, // level 2: 4 each from 1 worker
		{"sweep", 2, 3 * 2 * time.Second}, // level 3: 3,3,2 from 1 worker each
		{"sweep", 3, 2 * 2 * time.Second}, // level 5: 2,2,2,2 from 2,1,1,1 workers
		{"sweep", 4, 1 * 2 * time.Second}, // level 8: 2 each from 2 workers
	}
	if len(slots) != len(want) {
		t.Fatalf("%d slots, want %d: %+v", len(slots), len(want), slots)
	}
	for k, w := range want {
		s := slots[k]
		if s.Step != w.step || s.Level != w.level {
			t.Fatalf("slot %d is %s/%d, want %s/%d", k, s.Step, s.Level, w.step, w.level)
		}
		end := time.Duration(math.MaxInt64)
		if k+1 < len(slots) {
			end = slots[k+1].Offset
		}
		if got := end - s.Offset; got < w.min+scenarios.ScheduleMargin {
			t.Errorf("slot %s/%d lasts %s, less than its worst case %s + margin", s.Step, s.Level, got, w.min)
		}
	}
	if slots[0].Offset != 0 {
		t.Errorf("the first slot starts %s after the start, want 0", slots[0].Offset)
	}
	// --step-slot replaces the bounds: every burst slot is exactly that long.
	fixed := sc.Schedule(n, 0, time.Second)
	if got := fixed[1].Offset - fixed[0].Offset; got != time.Second+scenarios.ScheduleMargin {
		t.Errorf("with a 1s step slot the sequential slot lasts %s, want 1.5s", got)
	}
	// The rate step's shards start a quarter of the rate's interval apart.
	rateStep, _ := stepNamed(sc, "rate")
	if got := sc.Phase(rateStep, scenarios.Shard{Index: 3, Count: n}); got != 3*(time.Second/40) {
		t.Errorf("shard 3's phase is %s, want 3 x 25ms", got)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// FuzzParseShard: no input panics, and whatever parses writes back as itself
// and lies in range.
func FuzzParseShard(f *testing.F) {
	for _, s := range []string{"0/1", "3/4", "4/4", "-1/2", "1/-2", "/", "9999/10000", "0/99999999999999999999", " 1/2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sh, err := scenarios.ParseShard(s)
		if err != nil {
			return
		}
		if sh.Index < 0 || sh.Index >= sh.Count || sh.Count > scenarios.MaxShards {
			t.Fatalf("ParseShard(%q) = %v: out of range", s, sh)
		}
		back, err := scenarios.ParseShard(sh.String())
		if err != nil || back != sh {
			t.Fatalf("ParseShard(%q) = %v, which writes as %q and reads back as %v, %v", s, sh, sh.String(), back, err)
		}
	})
}

func stepNamed(sc *scenarios.Scenario, name string) (scenarios.Step, bool) {
	for _, st := range sc.Steps {
		if st.Name == name {
			return st, true
		}
	}
	return scenarios.Step{}, false
}
