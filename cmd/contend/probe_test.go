package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"contend/reports"
	"contend/scenarios"
)

// python is the interpreter the example runs with: Debian's, which sees
// Debian's python3-fastapi, python3-uvicorn and python3-numpy (a python3
// earlier on PATH may not).
const python = "/usr/bin/python3"

// requirePythonDeps fails (never skips) when the example's packages are missing.
func requirePythonDeps(t *testing.T) {
	t.Helper()
	out, err := exec.Command(python, "-c", "import fastapi, uvicorn, numpy").CombinedOutput()
	if err != nil {
		t.Fatalf("%s cannot import fastapi, uvicorn and numpy (%v: %s): run `make test-deps` "+
			"(apt-get install python3-fastapi python3-uvicorn python3-numpy)", python, err, strings.TrimSpace(string(out)))
	}
}

// startSeedService runs examples/seed-service in mode on a loopback port of its
// own (the listening socket is made here and inherited, so no port can race)
// and returns its base URL once it answers /healthz.
func startSeedService(t *testing.T, mode string, extra ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	args := append([]string{filepath.Join(repoRoot, "examples", "seed-service", "app.py"),
		"--mode", mode, "--fd", "3", "--load-delay", "0.3"}, extra...)
	cmd := exec.Command(python, args...)
	cmd.ExtraFiles = []*os.File{f}
	logPath := filepath.Join(t.TempDir(), "service.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", python, err)
	}
	// Only the service may hold the socket: contend finds the process listening
	// on the port by the socket's inode.
	f.Close()
	ln.Close()
	logFile.Close()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-done:
			log, _ := os.ReadFile(logPath)
			t.Fatalf("the %s service exited before serving:\n%s", mode, log)
		default:
		}
		resp, err := client.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			t.Fatalf("the %s service did not answer /healthz within a minute:\n%s", mode, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readFullReport reads dir/report.json with the reports package's own reader.
func readFullReport(t *testing.T, dir string) *reports.Report {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rep, err := reports.ReadJSON(fh)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 1 {
		t.Fatalf("%d runs in the report, want 1", len(rep.Runs))
	}
	return rep
}

// probeArgs are the end-to-end test's probe flags: four at a time on the
// 2-core machine, eight requests per step and level.
func probeArgs(base string, extra ...string) []string {
	return append([]string{"probe", base + "/translate",
		"-d", `{"text": "the water is cold", "source": "en", "target": "hi"}`,
		"-T", "application/json", "-c", "4", "-n", "8", "-t", "60s", "--no-tui"}, extra...)
}

// TestProbeSeedService runs `contend probe` against the example service in each
// mode and checks the diagnosis names what the mode does: the seed's lock, the
// fix scaling to the cores, and the GIL. It asserts the kinds, not timings: the
// signals (a staircase of completions, the target's runnable threads) do not
// depend on how busy the machine is.
func TestProbeSeedService(t *testing.T) {
	requirePythonDeps(t)
	tests := []struct {
		mode string
		want string
		// evidence keys the finding must carry
		evidence []string
	}{
		{"naive", reports.KindLockSerialized, []string{"staircase", "cpu_cores"}},
		{"fixed", reports.KindHardwareSaturated, []string{"cpu_cores"}},
		{"gil", reports.KindCPUSerialized, []string{"staircase", "cpu_cores", "completion_spread_ms", "runnable_threads"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			base := startSeedService(t, tt.mode)
			out := t.TempDir()
			r := contend(t, 5*time.Minute, probeArgs(base, "--out", out)...)
			if r.code != exitOK {
				t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
			}
			rep := readFullReport(t, out)
			run := rep.Runs[0]
			if len(run.Diagnosis) == 0 {
				t.Fatalf("no diagnosis:\n%s", r.stdout)
			}
			d := run.Diagnosis[0]
			if d.Kind != tt.want {
				t.Fatalf("diagnosis %s, want %s: %s\nevidence %v\nstdout:\n%s", d.Kind, tt.want, d.Summary, d.Evidence, r.stdout)
			}
			for _, k := range tt.evidence {
				if _, ok := d.Evidence[k]; !ok {
					t.Errorf("evidence lacks %s: %v", k, d.Evidence)
				}
			}
			if !strings.Contains(run.TargetCPU, "listening on port") {
				t.Errorf("target CPU %q: the service's process was not found", run.TargetCPU)
			}
			if len(run.Comparisons) != 1 || run.Comparisons[0].IdealBasis != reports.IdealFromCores {
				t.Errorf("comparisons %+v, want one with the ideal from the cores (loopback)", run.Comparisons)
			}
			if !strings.Contains(r.stdout, tt.want) {
				t.Errorf("the text report does not name %s:\n%s", tt.want, r.stdout)
			}
		})
	}
}

// TestProbeExpectAndSaveScenario: --expect parallel fails (exit 3) on the
// seed's bug, and --save-scenario writes a scenario that loads and runs the
// same steps with check.
func TestProbeExpectAndSaveScenario(t *testing.T) {
	requirePythonDeps(t)
	base := startSeedService(t, "naive", "--rounds", "20")
	saved := filepath.Join(t.TempDir(), "probe.yaml")
	r := contend(t, 5*time.Minute, probeArgs(base, "--expect", "parallel", "--save-scenario", saved, "--format", "json")...)
	if r.code != exitExpectation {
		t.Fatalf("exit %d, want %d (expectation failed)\nstdout:\n%s\nstderr:\n%s", r.code, exitExpectation, r.stdout, r.stderr)
	}
	var rep reports.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("stdout is not the JSON report: %v", err)
	}
	// The speedup may pass on a busy machine (a slowed sequential step); the
	// lock-serialized diagnosis fails it either way.
	if !strings.Contains(r.stderr, "FAIL ") || !strings.Contains(r.stderr, reports.KindLockSerialized) && len(rep.Failed()) == 0 {
		t.Errorf("stderr names no failure of the lock:\n%s", r.stderr)
	}
	sc, err := scenarios.LoadFile(saved)
	if err != nil {
		t.Fatalf("the saved scenario does not load: %v", err)
	}
	var names []string
	for _, s := range sc.Steps {
		names = append(names, fmt.Sprintf("%s/%s", s.Name, s.Mode))
	}
	if got, want := strings.Join(names, ","), "sequential/sequential,concurrent/concurrent,sweep/sweep"; got != want {
		t.Errorf("saved steps %s, want %s", got, want)
	}
	if sc.Target.URL != base || sc.Request.Method != "POST" || sc.Request.Path != "/translate" {
		t.Errorf("saved target %s %s %s, want POST %s/translate", sc.Request.Method, sc.Target.URL, sc.Request.Path, base)
	}
	if len(sc.Expect) != 1 || sc.Expect[0].MinEfficiency == nil {
		t.Errorf("saved expectations %+v, want --expect parallel's min_efficiency", sc.Expect)
	}
}

func TestProbeUsage(t *testing.T) {
	tests := []struct {
		args  []string
		words string
	}{
		{[]string{"probe"}, "exactly one URL"},
		{[]string{"probe", "ftp://127.0.0.1/x"}, "not an http or https URL"},
		{[]string{"probe", "http://127.0.0.1:9/", "-c", "1"}, "-c must be at least 2"},
		{[]string{"probe", "http://127.0.0.1:9/", "-c", "8", "-n", "4"}, "less than -c"},
		{[]string{"probe", "http://127.0.0.1:9/", "--expect", "fast"}, "--expect must be"},
		{[]string{"probe", "http://127.0.0.1:9/", "-H", "no colon"}, "Key: Value"},
		{[]string{"probe", "http://127.0.0.1:9/", "-d", "@/nonexistent/body.json"}, "-d @/nonexistent/body.json"},
		{[]string{"probe", "http://192.0.2.1:9/"}, "loopback"},
		{[]string{"probe", "http://127.0.0.1:9/", "-t", "soon"}, "neither a duration"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := contend(t, time.Minute, tt.args...)
			if r.code != exitUsage || !strings.Contains(r.stderr, tt.words) {
				t.Errorf("exit %d, stderr %q; want %d saying %q", r.code, r.stderr, exitUsage, tt.words)
			}
		})
	}
}

// TestProbeTimeoutTakesSeconds: -t takes a Go duration, as oha's does, or a bare
// number of seconds, as hey's does.
func TestProbeTimeoutTakesSeconds(t *testing.T) {
	for in, want := range map[string]time.Duration{"20": 20 * time.Second, "1.5": 1500 * time.Millisecond, "250ms": 250 * time.Millisecond, "1m": time.Minute} {
		var d time.Duration
		if err := (*secondsFlag)(&d).Set(in); err != nil || d != want {
			t.Errorf("-t %s = %s, %v; want %s", in, d, err, want)
		}
	}
}
