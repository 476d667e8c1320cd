package reports

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

const mergeScenario = `
name: merge
target: {url: http://127.0.0.1:9}
request: {timeout: 2s}
steps:
  - {name: seq, mode: sequential, requests: 5}
  - {name: burst, mode: concurrent, concurrency: 8, requests: 42}
  - {name: rate, mode: rate, rate: 20/s, duration: 2s}
  - {name: sweep, mode: sweep, levels: [1, 2, 4], requests_per_level: 9}
compare:
  - {base: seq, step: burst}
expect:
  - {step: burst, max_errors: 3}
`

// shardedRun makes the reports of 4 shards of mergeScenario, from made-up
// results (each burst shard has 2 errors: 8 in all), saved to JSON and read
// back, and the results of all of them by step (sweep levels apart).
func shardedRun(t *testing.T) ([]ShardFile, map[string][]vegeta.Result, map[string][][]vegeta.Result) {
	t.Helper()
	sc, err := scenarios.Load(strings.NewReader(mergeScenario), "merge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	rng := rand.New(rand.NewPCG(5, 6))
	start := t0.Add(time.Second)
	all := map[string][]vegeta.Result{}
	levels := map[string][][]vegeta.Result{}
	var files []ShardFile
	for i := range n {
		part, plan, err := sc.ForShard(scenarios.Shard{Index: i, Count: n})
		if err != nil {
			t.Fatal(err)
		}
		ri := RunInput{Target: TargetURL, URL: sc.Target.URL}
		info := &ShardInfo{Index: i, Count: n, StartAt: start, Scenario: mergeScenario,
			ScenarioSHA256: ScenarioDigest(mergeScenario), Target: sc.Target.URL}
		for k, ps := range plan {
			at := start.Add(time.Duration(k) * 10 * time.Second) // the shared schedule
			rs := ShardStep{ShardStep: ps}
			if ps.Skipped != "" {
				info.Steps = append(info.Steps, rs)
				continue
			}
			st, _ := stepNamed(part, ps.Step)
			si := StepInput{Step: st, TargetCPUSeconds: UnknownCPU}
			mk := func(count int) []vegeta.Result {
				var rqs []rq
				for k := range count {
					lat := 1 + rng.ExpFloat64()*40
					rqs = append(rqs, okReq(float64(k)*3+float64(i), lat))
				}
				return results(at, rqs)
			}
			switch st.Mode {
			case scenarios.ModeSweep:
				for j, c := range st.Levels {
					res := mk(st.LevelRequests[j])
					si.Levels = append(si.Levels, LevelInput{Concurrency: c, Results: res, TargetCPUSeconds: UnknownCPU, Wall: span(res)})
					rs.Attacks = append(rs.Attacks, ShardAttack{Started: at})
					for len(levels[st.Name]) <= j {
						levels[st.Name] = append(levels[st.Name], nil)
					}
					orig, _ := stepNamed(sc, st.Name)
					lj := indexOf(orig.Levels, ps.Levels[j].Level)
					for len(levels[st.Name]) <= lj {
						levels[st.Name] = append(levels[st.Name], nil)
					}
					levels[st.Name][lj] = append(levels[st.Name][lj], res...)
					si.Wall += span(res)
				}
			default:
				count := st.Requests
				if st.Mode == scenarios.ModeRate || st.Mode == scenarios.ModeRamp {
					count = int(st.Rate.PerSecond() * st.Duration.Seconds())
				}
				si.Results = mk(count)
				if st.Name == "burst" {
					si.Results[0].Code, si.Results[0].Error = 500, "500 Internal Server Error"
					si.Results[1].Code, si.Results[1].Error = 503, "503 Service Unavailable"
				}
				si.Wall = span(si.Results)
				rs.Attacks = []ShardAttack{{Started: at}}
			}
			all[st.Name] = append(all[st.Name], si.Results...)
			ri.Steps = append(ri.Steps, si)
			info.Steps = append(info.Steps, rs)
		}
		info.FillWindows(ri)
		rep := Build(Input{Scenario: part, Host: Host{CPUs: 2, Go: "go"}, Runs: []RunInput{ri}})
		rep.Shard = info
		if failed := rep.Failed(); len(failed) != 0 {
			t.Fatalf("shard %d alone fails %v; the test wants every shard to pass alone", i, failed)
		}
		var buf bytes.Buffer
		if err := NewJSONReporter(rep)(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := ReadJSON(&buf)
		if err != nil {
			t.Fatal(err)
		}
		raw := ri
		files = append(files, ShardFile{Name: "shard-" + string(rune('0'+i)), Report: back, Raw: &raw})
	}
	return files, all, levels
}

func indexOf(xs []int, x int) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

// TestMergeShardsIsExact: the merged report of 4 shards has the counts, the
// percentiles and the wall times that one report of all their requests has,
// and a global expectation that every shard alone passes fails on the whole.
func TestMergeShardsIsExact(t *testing.T) {
	files, all, levels := shardedRun(t)
	merged, err := MergeShards(files, false)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := scenarios.Load(strings.NewReader(mergeScenario), "merge.yaml")
	single := RunInput{Target: TargetURL, URL: sc.Target.URL}
	for _, st := range sc.Steps {
		si := StepInput{Step: st, Results: all[st.Name], TargetCPUSeconds: UnknownCPU}
		if st.Mode == scenarios.ModeSweep {
			si.Results = nil
			for j, res := range levels[st.Name] {
				si.Levels = append(si.Levels, LevelInput{Concurrency: st.Levels[j], Results: res, TargetCPUSeconds: UnknownCPU, Wall: span(res)})
				si.Wall += span(res)
			}
		} else {
			si.Wall = span(si.Results)
		}
		single.Steps = append(single.Steps, si)
	}
	want := Build(Input{Scenario: sc, Host: Host{CPUs: 2, Go: "go"}, Runs: []RunInput{single}})

	got := merged.Runs[0]
	if len(got.Steps) != len(want.Runs[0].Steps) {
		t.Fatalf("merged %d steps, want %d", len(got.Steps), len(want.Runs[0].Steps))
	}
	for k, w := range want.Runs[0].Steps {
		g := got.Steps[k]
		if g.Name != w.Name || g.Requests != w.Requests || g.OK != w.OK || g.Errors != w.Errors || g.Timeouts != w.Timeouts || g.ErrorsBy != w.ErrorsBy {
			t.Errorf("step %s: merged %d requests (%d ok, %d errors %+v), want %d (%d ok, %d errors %+v)",
				w.Name, g.Requests, g.OK, g.Errors, g.ErrorsBy, w.Requests, w.OK, w.Errors, w.ErrorsBy)
		}
		gl, wl := g.LatencyMs, w.LatencyMs
		if gl.P50 != wl.P50 || gl.P90 != wl.P90 || gl.P99 != wl.P99 || gl.Max != wl.Max || gl.N != wl.N || math.Abs(gl.Mean-wl.Mean) > 0.002 {
			t.Errorf("step %s: merged latency %+v, want %+v", w.Name, gl, wl)
		}
		if g.HistogramHDR != w.HistogramHDR {
			t.Errorf("step %s: the merged histogram_hdr is not the histogram of all the requests", w.Name)
		}
		if deref(g.OfferedRPS) != deref(w.OfferedRPS) || deref(g.AchievedRPS) != deref(w.AchievedRPS) || g.ColdFirstMs != w.ColdFirstMs {
			t.Errorf("step %s: merged offered %v achieved %v cold %v, want %v %v %v", w.Name,
				deref(g.OfferedRPS), deref(g.AchievedRPS), g.ColdFirstMs, deref(w.OfferedRPS), deref(w.AchievedRPS), w.ColdFirstMs)
		}
		if math.Abs(g.WallS-w.WallS) > 1e-6 {
			t.Errorf("step %s: merged wall %.6fs, want %.6fs (earliest send to last answer)", w.Name, g.WallS, w.WallS)
		}
		for j, wlv := range w.Levels {
			glv := g.Levels[j]
			if glv.Concurrency != wlv.Concurrency || glv.Requests != wlv.Requests || glv.OK != wlv.OK || glv.HistogramHDR != wlv.HistogramHDR {
				t.Errorf("step %s level %d: merged %+v, want %+v", w.Name, j, glv, wlv)
			}
			// A saved level keeps no max of its own: the merged level's percentiles
			// are the histogram's, at most its 0.1% bucket width above.
			for _, pair := range [][2]float64{{glv.P50, wlv.P50}, {glv.P99, wlv.P99}} {
				if pair[0] < pair[1] || pair[0] > pair[1]*1.001+0.001 {
					t.Errorf("step %s level %d: merged percentile %g, want %g within 0.1%%", w.Name, j, pair[0], pair[1])
				}
			}
		}
	}
	if len(got.Comparisons) != 1 || got.Comparisons[0].Speedup != want.Runs[0].Comparisons[0].Speedup {
		t.Errorf("merged comparisons %+v, want %+v", got.Comparisons, want.Runs[0].Comparisons)
	}
	failed := merged.Failed()
	if len(failed) != 1 || !strings.Contains(failed[0].Name, "max_errors 3") || !strings.Contains(failed[0].Detail, "errors 8") {
		t.Errorf("merged failures %+v, want max_errors 3 failing with 8 errors", failed)
	}
	if merged.Merged == nil || len(merged.Merged.Shards) != 4 || len(merged.Merged.Missing) != 0 {
		t.Errorf("merged info %+v", merged.Merged)
	}
	if len(got.Diagnosis) == 0 || got.Diagnosis[0].Summary == "" || strings.HasPrefix(got.Diagnosis[0].Summary, "not diagnosed") {
		t.Errorf("with every shard's raw results the merge diagnoses: %+v", got.Diagnosis)
	}
}

func TestMergeShardsRefuses(t *testing.T) {
	t.Run("duplicate", func(t *testing.T) {
		files, _, _ := shardedRun(t)
		files[3] = files[1]
		_, err := MergeShards(files, true)
		if !errors.Is(err, ErrShardTwice) || !strings.Contains(err.Error(), "shard 1/4") {
			t.Fatalf("err %v, want shard 1/4 given twice", err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		files, _, _ := shardedRun(t)
		_, err := MergeShards(files[:3], false)
		if !errors.Is(err, ErrShardMissing) || !strings.Contains(err.Error(), "3 of 4") {
			t.Fatalf("err %v, want shard 3 of 4 missing", err)
		}
		rep, err := MergeShards(files[:3], true)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Merged.Missing) != 1 || rep.Merged.Missing[0] != 3 {
			t.Errorf("partial merge: missing %v, want [3]", rep.Merged.Missing)
		}
		for name, r := range map[string]Reporter{"text": NewTextReporter(rep, true), "markdown": NewMarkdownReporter(rep), "html": NewHTMLReporter(rep)} {
			var buf bytes.Buffer
			if err := r(&buf); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(buf.String(), "MISSING: shards 3 of 4") || !strings.Contains(buf.String(), "shard 1: skipped step seq") {
				t.Errorf("the %s report does not say what is missing and what was skipped", name)
			}
		}
	})
	for _, tc := range []struct {
		name   string
		break_ func(*ShardInfo)
		want   string
	}{
		{"scenario", func(s *ShardInfo) { s.Scenario += "# edited\n"; s.ScenarioSHA256 = ScenarioDigest(s.Scenario) }, "scenario"},
		{"scenario text", func(s *ShardInfo) { s.Scenario += "# edited\n" }, "its scenario's text has digest"},
		{"count", func(s *ShardInfo) { s.Count = 5 }, "shard count"},
		{"start", func(s *ShardInfo) { s.StartAt = s.StartAt.Add(time.Second) }, "start"},
		{"target", func(s *ShardInfo) { s.Target = "http://127.0.0.1:10" }, "target"},
		{"step slot", func(s *ShardInfo) { s.StepSlotMs = 2000 }, "--step-slot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, _, _ := shardedRun(t)
			tc.break_(files[2].Report.Shard)
			_, err := MergeShards(files, false)
			if !errors.Is(err, ErrShardsMismatch) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "shard-2") {
				t.Fatalf("err %v, want a mismatch of %s naming shard-2", err, tc.want)
			}
		})
	}
	t.Run("bad histogram", func(t *testing.T) {
		for name, bad := range map[string]func(n int) string{
			"garbage": func(int) string { return "HISTFAAAAgarbage" },
			"geometry": func(n int) string {
				h := hdrhistogram.New(1, 1000, 2)
				for range n {
					_ = h.RecordValue(10)
				}
				return EncodeLatencyHistogram(h)
			},
		} {
			files, _, _ := shardedRun(t)
			st := files[2].Report.Runs[0].StepNamed("burst")
			st.HistogramHDR = bad(st.OK)
			_, err := MergeShards(files, false)
			if err == nil || !strings.Contains(err.Error(), "shard 2 step burst: histogram_hdr") {
				t.Errorf("%s: err %v, want one naming shard 2's burst histogram", name, err)
			}
		}
	})
	t.Run("not a shard", func(t *testing.T) {
		files, _, _ := shardedRun(t)
		files[0].Report.Shard = nil
		if _, err := MergeShards(files, false); !errors.Is(err, ErrNotShard) {
			t.Fatalf("err %v, want ErrNotShard", err)
		}
	})
	t.Run("no raw results", func(t *testing.T) {
		files, _, _ := shardedRun(t)
		files[1].Raw = nil
		rep, err := MergeShards(files, false)
		if err != nil {
			t.Fatal(err)
		}
		if d := rep.Runs[0].Diagnosis; len(d) != 1 || !strings.HasPrefix(d[0].Summary, "not diagnosed") {
			t.Errorf("diagnosis without raw results %+v, want one saying it could not be made", d)
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
