package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// faultReport is the part of report.json the fault tests read.
type faultReport struct {
	Partial bool `json:"partial"`
	Runs    []struct {
		Error string `json:"error"`
		Steps []struct {
			Name     string  `json:"name"`
			Requests int     `json:"requests"`
			WallS    float64 `json:"wall_s"`
			OK       int     `json:"ok"`
			Timeouts int     `json:"timeouts"`
			Errors   int     `json:"errors"`
			Canceled int     `json:"cancelled"`
			ErrorsBy struct {
				Refused, Client4xx, Server5xx, Other int
			} `json:"errors_by_class"`
			ErrorSamples []struct {
				Class string `json:"class"`
				Count int    `json:"count"`
				Error string `json:"error"`
			} `json:"error_samples"`
			Resources *struct {
				Samples    []json.RawMessage `json:"samples"`
				RSS        *trend            `json:"rss_bytes"`
				Goroutines *trend            `json:"goroutines"`
				OpenFDs    *trend            `json:"open_fds"`
			} `json:"resources"`
		} `json:"steps"`
	} `json:"runs"`
}

type trend struct {
	PerMin float64 `json:"per_min"`
	Points int     `json:"points"`
}

// readReport reads the report.json written under dir.
func readReport(t *testing.T, dir string) faultReport {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatalf("no report.json: %v", err)
	}
	var rep faultReport
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("report.json does not parse: %v\n%s", err, data)
	}
	if len(rep.Runs) != 1 {
		t.Fatalf("report.json has %d runs, want 1", len(rep.Runs))
	}
	return rep
}

// writeScenario writes src as a scenario file in a temporary directory.
func writeScenario(t *testing.T, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scenario.yaml")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLoadSlowerThanTimeout: a model load that takes longer than the client
// timeout shows as timeouts, not errors; the load goes on under the server, so
// the next step, with a longer timeout, succeeds.
func TestLoadSlowerThanTimeout(t *testing.T) {
	requireProvisioned(t, "tiny")
	path := writeScenario(t, `name: slow-load
target:
  builtin: {strategies: [double-checked], size: tiny, cold: true, load_delay: 1s}
request:
  body: '{"text": "the water is cold", "source": "en", "target": "hi"}'
  timeout: 500ms
steps:
  # Two models at 1 s each: the load takes over 2 s, four times the timeout.
  - {name: cold, mode: concurrent, concurrency: 2, requests: 2}
  - {name: after, mode: sequential, requests: 2, timeout: 10s}
`)
	out := t.TempDir()
	r := contend(t, 3*time.Minute, "run", path, "--no-tui", "--out", out)
	if r.code != exitOK {
		t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitOK, r.stderr)
	}
	rep := readReport(t, out)
	steps := rep.Runs[0].Steps
	if len(steps) != 2 {
		t.Fatalf("got %d steps, want 2", len(steps))
	}
	tests := []struct {
		name string
		got  [3]int // ok, timeouts, errors
		want [3]int
	}{
		{"cold", [3]int{steps[0].OK, steps[0].Timeouts, steps[0].Errors}, [3]int{0, 2, 0}},
		{"after", [3]int{steps[1].OK, steps[1].Timeouts, steps[1].Errors}, [3]int{2, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("ok, timeouts, errors = %v, want %v", tt.got, tt.want)
			}
		})
	}
	// The client's timeout words its error in more than one way; all are timeouts.
	n := 0
	for _, s := range steps[0].ErrorSamples {
		n += s.Count
		if s.Class != "timeout" {
			t.Errorf("error sample %+v is not a timeout", s)
		}
	}
	if n != 2 {
		t.Errorf("error samples %+v count %d failures, want 2", steps[0].ErrorSamples, n)
	}
	if !strings.Contains(r.stdout, "2 of 2 failed (2 timeouts at 500ms)") {
		t.Errorf("the text report does not list the timeouts:\n%s", r.stdout)
	}
}

// dyingServer is an external target that serves killAfter requests, then dies:
// it stops listening and drops every open connection, as a killed process would.
type dyingServer struct {
	srv       *httptest.Server
	served    atomic.Int64
	killAfter int64
	kill      sync.Once
}

func newDyingServer(t *testing.T, killAfter int64) *dyingServer {
	d := &dyingServer{killAfter: killAfter}
	d.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/translate" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintln(w, `{"translation": "ok"}`)
		if d.served.Add(1) == d.killAfter {
			d.kill.Do(func() {
				go func() {
					_ = d.srv.Listener.Close()
					d.srv.CloseClientConnections()
				}()
			})
		}
	}))
	t.Cleanup(d.srv.Close)
	return d
}

// TestTargetKilledMidRun: the target dies during a rate step. The run stops at
// once, reports the failures by class, writes its partial report and exits 1.
func TestTargetKilledMidRun(t *testing.T) {
	srv := newDyingServer(t, 10)
	path := writeScenario(t, `name: killed
target: {url: http://127.0.0.1:1}
request:
  body: '{"text": "the water is cold", "source": "en", "target": "hi"}'
  timeout: 2s
steps:
  - {name: rate, mode: rate, rate: 20/s, duration: 20s}
  - {name: never, mode: sequential, requests: 2}
`)
	out := t.TempDir()
	r := contend(t, 2*time.Minute, "run", path, "--no-tui", "--target", srv.srv.URL, "--out", out)
	if r.code != exitError {
		t.Fatalf("exit %d, want %d\nstderr:\n%s", r.code, exitError, r.stderr)
	}
	for _, want := range []string{"run failed", "is down"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
		}
	}
	rep := readReport(t, out)
	run := rep.Runs[0]
	if !rep.Partial || !strings.Contains(run.Error, "is down") {
		t.Errorf("report.json partial %v, run error %q; want partial and the target down", rep.Partial, run.Error)
	}
	if len(run.Steps) != 1 || run.Steps[0].Name != "rate" {
		t.Fatalf("report.json steps %+v, want only the rate step", run.Steps)
	}
	st := run.Steps[0]
	if st.OK < 9 || st.OK > 10 || st.ErrorsBy.Refused == 0 || st.Errors != st.ErrorsBy.Refused+st.ErrorsBy.Other {
		t.Errorf("rate step ok %d, errors %d by class %+v; want the 10 served and refused connections after",
			st.OK, st.Errors, st.ErrorsBy)
	}
	if st.WallS > 10 {
		t.Errorf("the step went on for %.1fs after its target died", st.WallS)
	}
	for _, want := range []string{"partial results", "Failures", "refused"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the text report does not say %q:\n%s", want, r.stdout)
		}
	}
	for _, f := range []string{"report.md", "report.html", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("--out lacks %s: %v", f, err)
		}
	}
}

// TestGarbageResponsesAreErrors: a target answering 200 with a body that is not
// JSON fails request.expect; each such answer is an error with its cause, and
// check fails on max_errors.
func TestGarbageResponsesAreErrors(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/translate" {
			http.NotFound(w, r)
			return
		}
		hits.Add(1)
		fmt.Fprint(w, "garbage, not JSON")
	}))
	t.Cleanup(srv.Close)
	tests := []struct {
		name       string
		expect     string
		code       int
		wantErrors int
	}{
		{"json expected", "  expect: {json: true}\n", exitExpectation, 4},
		{"url default accepts any body", "", exitOK, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeScenario(t, "name: garbage\ntarget: {url: "+srv.URL+"}\nrequest:\n"+
				"  body: '{\"text\": \"the water is cold\", \"source\": \"en\", \"target\": \"hi\"}'\n"+tt.expect+
				"steps:\n  - {name: burst, mode: concurrent, concurrency: 2, requests: 4}\n"+
				"expect:\n  - {step: burst, max_errors: 0}\n")
			out := t.TempDir()
			r := contend(t, 2*time.Minute, "check", path, "--no-tui", "--out", out)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			st := readReport(t, out).Runs[0].Steps[0]
			if st.Errors != tt.wantErrors || st.ErrorsBy.Other != tt.wantErrors || st.OK != 4-tt.wantErrors {
				t.Errorf("ok %d, errors %d (other %d), want %d errors", st.OK, st.Errors, st.ErrorsBy.Other, tt.wantErrors)
			}
			if tt.wantErrors == 0 {
				return
			}
			const cause = "response is not JSON: invalid character 'g' looking for beginning of value"
			if len(st.ErrorSamples) != 1 || st.ErrorSamples[0].Error != cause || st.ErrorSamples[0].Count != 4 {
				t.Errorf("error samples %+v, want 4 saying %q", st.ErrorSamples, cause)
			}
			if !strings.Contains(r.stdout, "4× other: response is not JSON: invalid character 'g'") {
				t.Errorf("the text report does not show the cause:\n%s", r.stdout)
			}
			if !strings.Contains(r.stderr, "burst: max_errors 0") {
				t.Errorf("stderr does not name the failed expectation:\n%s", r.stderr)
			}
		})
	}
}

// TestBuiltinTargetKilledMidRun kills the built-in target (`contend serve`, the
// runner's child) with SIGKILL during a rate step: the run stops, writes its
// partial report, says the target exited, and exits 1.
func TestBuiltinTargetKilledMidRun(t *testing.T) {
	requireProvisioned(t, "tiny")
	path := writeScenario(t, `name: killed-builtin
target:
  builtin: {strategies: [double-checked], size: tiny}
request:
  body: '{"text": "the water is cold", "source": "en", "target": "hi"}'
  timeout: 2s
steps:
  - {name: rate, mode: rate, rate: 10/s, duration: 60s}
`)
	out := t.TempDir()
	cmd := exec.Command(contendBin, "run", path, "--no-tui", "--out", out)
	cmd.Dir = repoRoot
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	waited := false
	defer func() {
		if !waited {
			_ = cmd.Process.Kill()
			<-exited
		}
	}()

	// The runner logs its target's pid; the step is under way once it reported
	// progress.
	var child int
	deadline := time.Now().Add(time.Minute)
	for child == 0 || !strings.Contains(stderr.String(), "rate: ") {
		if time.Now().After(deadline) {
			t.Fatalf("the rate step did not start within a minute\nstderr:\n%s", stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
		if m := pidLine.FindStringSubmatch(stderr.String()); m != nil {
			child, _ = strconv.Atoi(m[1])
		}
	}
	time.Sleep(time.Second)
	if err := syscall.Kill(child, syscall.SIGKILL); err != nil {
		t.Fatalf("kill the target (pid %d): %v", child, err)
	}

	var err error
	select {
	case err = <-exited:
		waited = true
	case <-time.After(time.Minute):
		t.Fatalf("contend still runs a minute after its target was killed\nstderr:\n%s", stderr.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("exit %v, want %d\nstderr:\n%s", err, exitError, stderr.String())
	}
	if !strings.Contains(stderr.String(), "exited unexpectedly") {
		t.Errorf("stderr does not say the target exited:\n%s", stderr.String())
	}
	rep := readReport(t, out)
	run := rep.Runs[0]
	if !rep.Partial || !strings.Contains(run.Error, "exited unexpectedly") {
		t.Errorf("report.json partial %v, run error %q; want partial and the target's exit", rep.Partial, run.Error)
	}
	if len(run.Steps) != 1 || run.Steps[0].OK == 0 || run.Steps[0].WallS > 30 {
		t.Errorf("report.json steps %+v, want the rate step cut short after some successes", run.Steps)
	}
}

// pidLine finds the pid in the runner's "started ... (pid N)" line.
var pidLine = regexp.MustCompile(`started \S+ \(pid (\d+)\)`)

// lockedBuffer is a bytes.Buffer that a process writes while a test reads it.
type lockedBuffer struct {
	mu sync.Mutex // guards b
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
