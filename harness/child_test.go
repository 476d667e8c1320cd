package harness_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// builtinScenario is a scenario against the built-in target with strategies.
func builtinScenario(b scenarios.Builtin, steps ...scenarios.Step) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   "builtin",
		Target: scenarios.Target{Builtin: &b},
		Request: scenarios.Request{
			Method:  "POST",
			Path:    "/translate",
			Headers: map[string]string{"Content-Type": "application/json"},
			Body:    `{"text": "the water is cold", "source": "en", "target": "hi"}`,
			Timeout: scenarios.Duration{Duration: 10 * time.Second},
		},
		Steps: steps,
	}
}

// fakeRunner returns a Runner whose built-in target is this test binary acting as
// the fake target, with pid files written to the returned directory.
func fakeRunner(t *testing.T, opts ...harness.Option) (*harness.Runner, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pids := t.TempDir()
	base := []harness.Option{
		harness.ServeCommand(exe),
		harness.ServeEnv(fakeServeEnv+"=1", fakePIDDirEnv+"="+pids),
		harness.StartTimeout(20 * time.Second),
	}
	return harness.New(append(base, opts...)...), pids
}

// assertGone fails unless the fake target with strategy has exited.
func assertGone(t *testing.T, pids, strategy string) {
	t.Helper()
	pid, err := readPID(pids, strategy)
	if err != nil {
		t.Fatalf("fake target %s wrote no pid: %v", strategy, err)
	}
	if !processGone(pid) {
		t.Errorf("target %s (pid %d) still runs after Run", strategy, pid)
	}
}

// TestBuiltinTargetPerStrategy runs two strategies, each in a fresh child, and
// checks the measurements, the saved log and that both children are gone.
func TestBuiltinTargetPerStrategy(t *testing.T) {
	out := t.TempDir()
	r, pids := fakeRunner(t, harness.OutDir(out))
	sc := builtinScenario(
		scenarios.Builtin{Strategies: []string{"naive", "double-checked"}, Size: "tiny",
			LoadDelay: scenarios.Duration{Duration: 10 * time.Millisecond}, IntraOpThreads: 1},
		sequential("seq", 3), concurrent("conc", 3, 3))
	log := run(t, context.Background(), r, sc)
	if err := log.done(); err != nil {
		t.Fatalf("RunDone error: %v", err)
	}
	if got := log.events[0].Runs; strings.Join(got, ",") != "naive,double-checked" {
		t.Errorf("planned runs %v", got)
	}
	targets := log.targets()
	if len(targets) != 2 {
		t.Fatalf("got %d target results, want 2", len(targets))
	}
	tests := []struct {
		strategy               string
		minSpeedup, maxSpeedup float64
	}{
		{strategy: "naive", minSpeedup: 0.5, maxSpeedup: 1.5},
		{strategy: "double-checked", minSpeedup: 1.8, maxSpeedup: 6},
	}
	for i, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			res := targets[i]
			if res.Run != tt.strategy || res.Strategy != tt.strategy || res.Err != nil {
				t.Fatalf("target result %q/%q err %v", res.Run, res.Strategy, res.Err)
			}
			u, err := url.Parse(res.URL)
			if err != nil || u.Hostname() != "127.0.0.1" || u.Port() == "" {
				t.Errorf("target URL %q is not a loopback address", res.URL)
			}
			for _, sr := range res.Steps {
				if len(sr.Results) != 3 {
					t.Errorf("step %s: %d results, want 3", sr.Step.Name, len(sr.Results))
				}
				for j := range sr.Results {
					if c := reports.Classify(&sr.Results[j]); c != reports.OK {
						t.Errorf("step %s result %d: %s %q", sr.Step.Name, j, c, sr.Results[j].Error)
					}
				}
				if sr.TargetCPUSeconds < 0 {
					t.Errorf("step %s: target CPU unknown", sr.Step.Name)
				}
				if sr.Cores <= 0 {
					t.Errorf("step %s: cores %d", sr.Step.Name, sr.Cores)
				}
				if want := filepath.Join(out, tt.strategy, sr.Step.Name+".bin"); sr.RawPath != want {
					t.Errorf("step %s raw path %q, want %q", sr.Step.Name, sr.RawPath, want)
				}
			}
			speedup := res.Steps[0].Wall.Seconds() / res.Steps[1].Wall.Seconds()
			if speedup < tt.minSpeedup || speedup > tt.maxSpeedup {
				t.Errorf("speedup %.2f, want within [%.1f, %.1f]", speedup, tt.minSpeedup, tt.maxSpeedup)
			}
			logText, err := os.ReadFile(res.LogPath)
			if err != nil {
				t.Fatalf("target log: %v", err)
			}
			for _, want := range []string{"serve --strategy " + tt.strategy, "--addr 127.0.0.1:0", "--addr-file",
				"--size tiny", "--load-delay 10ms", "--intra-op-threads 1", "fake: stopped"} {
				if !strings.Contains(string(logText), want) {
					t.Errorf("target log lacks %q:\n%s", want, logText)
				}
			}
			assertGone(t, pids, tt.strategy)
		})
	}
	var warmed int
	for _, ev := range log.events {
		if ev.Kind == harness.Log && strings.Contains(ev.Message, "warmed with one request") {
			warmed++
		}
	}
	if warmed != 2 {
		t.Errorf("%d warm-up requests logged, want one per strategy", warmed)
	}
}

// TestBuiltinEagerWaitsForReady checks that a warm eager target is attacked only
// once /readyz says its models are loaded.
func TestBuiltinEagerWaitsForReady(t *testing.T) {
	r, pids := fakeRunner(t)
	sc := builtinScenario(scenarios.Builtin{Strategies: []string{"eager"}}, concurrent("burst", 4, 4))
	log := run(t, context.Background(), r, sc)
	if err := log.done(); err != nil {
		t.Fatalf("RunDone error: %v", err)
	}
	res := log.only(t)
	for i := range res.Steps[0].Results {
		if c := reports.Classify(&res.Steps[0].Results[i]); c != reports.OK {
			t.Errorf("result %d: %s (%d), want ok", i, c, res.Steps[0].Results[i].Code)
		}
	}
	if res.LogPath != "" {
		t.Errorf("temporary log %q kept after a clean run", res.LogPath)
	}
	assertGone(t, pids, "eager")
}

// TestBuiltinTargetFailures checks targets that never come up: the error says why
// and quotes the log, and the process is gone.
func TestBuiltinTargetFailures(t *testing.T) {
	tests := []struct {
		strategy string
		opts     []harness.Option
		want     []string
	}{
		{strategy: "broken", want: []string{"exited before serving", "cannot load models"}},
		{strategy: "silent", opts: []harness.Option{harness.StartTimeout(500 * time.Millisecond)},
			want: []string{"not ready in time", "wrote no address", "fake serving silent"}},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			r, pids := fakeRunner(t, tt.opts...)
			sc := builtinScenario(scenarios.Builtin{Strategies: []string{tt.strategy}, Cold: true}, sequential("s", 1))
			log := run(t, context.Background(), r, sc)
			err := log.done()
			if err == nil {
				t.Fatal("RunDone without an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			res := log.only(t)
			if len(res.Steps) != 0 {
				t.Errorf("%d steps ran", len(res.Steps))
			}
			if _, statErr := os.Stat(res.LogPath); statErr != nil {
				t.Errorf("the failed target's log is gone: %v", statErr)
			} else {
				_ = os.RemoveAll(filepath.Dir(res.LogPath))
			}
			assertGone(t, pids, tt.strategy)
		})
	}
}

// TestBuiltinStubbornTargetIsKilled checks that a target ignoring SIGTERM is
// killed after the grace period.
func TestBuiltinStubbornTargetIsKilled(t *testing.T) {
	r, pids := fakeRunner(t, harness.StopGrace(200*time.Millisecond))
	sc := builtinScenario(scenarios.Builtin{Strategies: []string{"stubborn"}}, sequential("s", 1))
	began := time.Now()
	log := run(t, context.Background(), r, sc)
	if err := log.done(); err != nil {
		t.Fatalf("RunDone error: %v", err)
	}
	if took := time.Since(began); took > 10*time.Second {
		t.Errorf("run took %s", took)
	}
	assertGone(t, pids, "stubborn")
}

// TestBuiltinTargetDiesMidRun checks that a target dying mid-step ends the step
// at once, skips the rest, and fails the run; the failed requests count as
// refused. Its sequential form ends the step just as the target dies, before
// its exit can be seen; the rate form would run for 10 s if the death went
// unnoticed.
func TestBuiltinTargetDiesMidRun(t *testing.T) {
	rate := scenarios.Step{Name: "rate", Mode: scenarios.ModeRate,
		Rate: scenarios.Rate{Freq: 50, Per: time.Second}, Duration: scenarios.Duration{Duration: 10 * time.Second}}
	for _, first := range []scenarios.Step{sequential("seq", 10), rate} {
		t.Run(first.Mode, func(t *testing.T) { dieMidRun(t, first) })
	}
}

func dieMidRun(t *testing.T, first scenarios.Step) {
	r, pids := fakeRunner(t)
	sc := builtinScenario(scenarios.Builtin{Strategies: []string{"dying"}, Cold: true},
		first, sequential("after", 2))
	log := run(t, context.Background(), r, sc)
	err := log.done()
	if err == nil || !strings.Contains(err.Error(), "exited unexpectedly") {
		t.Fatalf("RunDone error %v, want the target's unexpected exit", err)
	}
	res := log.only(t)
	if len(res.Steps) != 1 {
		t.Fatalf("got %d steps, want the run to stop after the first", len(res.Steps))
	}
	sr := res.Steps[0]
	if sr.Err == nil {
		t.Error("the step has no error")
	}
	var ok int
	for i := range sr.Results {
		switch c := reports.Classify(&sr.Results[i]); c {
		case reports.OK:
			ok++
		case reports.Refused:
		default:
			t.Errorf("result %d: %s %q, want ok or refused", i, c, sr.Results[i].Error)
		}
	}
	// The target exits 20 ms after its last answer; at 50/s one more request
	// may be answered in that time.
	if ok != fakeDieAfter && (first.Mode != scenarios.ModeRate || ok > fakeDieAfter+2) {
		t.Errorf("%d ok of %d results, want %d", ok, len(sr.Results), fakeDieAfter)
	}
	if first.Mode == scenarios.ModeRate && (sr.Wall > 5*time.Second || len(sr.Results) >= 250) {
		t.Errorf("the step ran %s and sent %d requests: it was not cut short", sr.Wall, len(sr.Results))
	}
	assertGone(t, pids, "dying")
}

// TestBuiltinCancelWhileStarting cancels while the target is coming up.
func TestBuiltinCancelWhileStarting(t *testing.T) {
	r, pids := fakeRunner(t)
	sc := builtinScenario(scenarios.Builtin{Strategies: []string{"silent", "naive"}}, sequential("s", 1))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := drain(t, r.Run(ctx, sc), func(ev harness.Event) {
		if ev.Kind == harness.Log && strings.Contains(ev.Message, "started") {
			time.AfterFunc(300*time.Millisecond, cancel)
		}
	})
	if err := log.done(); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunDone error %v, want context.Canceled", err)
	}
	if n := log.count(harness.TargetStarted); n != 1 {
		t.Errorf("%d targets started, want 1 (naive must not start after the cancel)", n)
	}
	assertGone(t, pids, "silent")
}

// TestStartServe starts a target outside a Run, as contend-bench does: it is
// ready on return, and Stop ends it; one that dies before serving is an error
// quoting its log.
func TestStartServe(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	pids := t.TempDir()
	t.Setenv(fakeServeEnv, "1")
	t.Setenv(fakePIDDirEnv, pids)
	ctx := context.Background()
	srv, err := harness.StartServe(ctx, harness.ServeSpec{Bin: exe, Strategy: "eager", Dir: t.TempDir(),
		Ready: true, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("StartServe: %v", err)
	}
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatalf("GET /readyz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || srv.Pid() <= 0 {
		t.Errorf("/readyz answered %d (pid %d), want 200 once StartServe returned", resp.StatusCode, srv.Pid())
	}
	srv.Stop()
	assertGone(t, pids, "eager")

	_, err = harness.StartServe(ctx, harness.ServeSpec{Bin: exe, Strategy: "broken", Dir: t.TempDir(), Timeout: 20 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "exited before serving") {
		t.Errorf("a target that dies at once: err %v, want it to say so", err)
	}
}
