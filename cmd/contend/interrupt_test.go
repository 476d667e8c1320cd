package main

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestInterruptWritesPartialReport sends SIGINT (Ctrl-C) in the middle of a rate
// step: contend stops the attack at once, writes the partial report and exits 1.
func TestInterruptWritesPartialReport(t *testing.T) {
	srv := newCountingServer(t, false)
	path := writeScenario(t, `name: interrupted
target: {url: http://127.0.0.1:1}
request: {timeout: 5s}
steps:
  - {name: steady, mode: rate, rate: 20/s, duration: 60s}
`)
	out := t.TempDir()
	stderr, err := interruptRun(t, []string{"run", path, "--no-tui", "--target", srv.URL(), "--out", out},
		func() bool { return srv.Count() >= 10 })
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitError {
		t.Fatalf("exit %v, want %d\n%s", err, exitError, stderr)
	}
	rep := readReport(t, out)
	if !rep.Partial {
		t.Error("report.json does not say it is partial")
	}
	steps := rep.Runs[0].Steps
	if len(steps) != 1 || steps[0].Requests < 10 || steps[0].OK < 5 || steps[0].WallS >= 60 {
		t.Errorf("want the interrupted step with its results so far, got %+v", steps)
	}
	if _, err := os.Stat(out + "/report.html"); err != nil {
		t.Errorf("no partial report.html: %v", err)
	}
}

// TestInterruptCancelsInFlight stops a run whose requests are all still waiting
// on the target: they are reported as cancelled, not as the target's errors or
// timeouts, and no error samples blame the target.
func TestInterruptCancelsInFlight(t *testing.T) {
	var arrived atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/translate" {
			http.NotFound(w, r)
			return
		}
		arrived.Add(1)
		select { // hold every request until the client gives up on it
		case <-r.Context().Done():
		case <-time.After(30 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	path := writeScenario(t, `name: hung
target: {url: http://127.0.0.1:1}
request: {timeout: 20s}
steps:
  - {name: steady, mode: rate, rate: 50/s, duration: 60s}
`)
	out := t.TempDir()
	interruptRun(t, []string{"run", path, "--no-tui", "--target", srv.URL, "--out", out},
		func() bool { return arrived.Load() >= 5 })
	rep := readReport(t, out)
	st := rep.Runs[0].Steps
	if len(st) != 1 {
		t.Fatalf("got %d steps, want the interrupted one", len(st))
	}
	s := st[0]
	if s.Canceled < 5 || s.Canceled != s.Requests || s.Errors != 0 || s.Timeouts != 0 || len(s.ErrorSamples) != 0 {
		t.Errorf("requests %d: cancelled %d, errors %d, timeouts %d, samples %v; want every request cancelled and nothing blamed on the target",
			s.Requests, s.Canceled, s.Errors, s.Timeouts, s.ErrorSamples)
	}
}

// interruptRun starts contend with args, sends it SIGINT once started() holds,
// and returns its stderr and how it exited. It fails the test if the attack
// never starts or contend takes more than 10 s to stop.
func interruptRun(t *testing.T, args []string, started func() bool) (stderr string, err error) {
	t.Helper()
	cmd := exec.Command(contendBin, args...)
	cmd.Dir = repoRoot
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(30 * time.Second); !started(); {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			t.Fatalf("the attack never started:\n%s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if took := time.Since(sent); took > 10*time.Second {
			t.Errorf("contend took %s to stop after SIGINT", took)
		}
		return errb.String(), err
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("contend still running 20s after SIGINT:\n%s", errb.String())
		return "", nil
	}
}
