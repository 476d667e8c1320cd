package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestFindTargetProcessSelf(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	m, err := findTargetProcess(srv.URL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if m.pid != os.Getpid() {
		t.Errorf("found pid %d, want this test's %d", m.pid, os.Getpid())
	}
	if !strings.Contains(m.desc, "listening on port") {
		t.Errorf("desc %q does not say how it was found", m.desc)
	}
	if s := m.seconds(); s <= 0 {
		t.Errorf("cpu seconds %v, want > 0", s)
	}
}

func TestFindTargetProcessNot(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	tests := []struct {
		name, base string
		pid        int
		words      string
	}{
		{"remote", "http://192.0.2.1:8000", 0, "not on loopback"},
		{"nothing listens", closed, 0, "no socket listens on port"},
		{"no such pid", "http://192.0.2.1:8000", 1 << 30, "--target-pid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := findTargetProcess(tt.base, tt.pid)
			if !errors.Is(err, ErrNotMeasured) || !strings.Contains(err.Error(), tt.words) {
				t.Errorf("err = %v, want ErrNotMeasured saying %q", err, tt.words)
			}
		})
	}
	m, err := findTargetProcess("http://192.0.2.1:8000", os.Getpid())
	if err != nil || m.pid != os.Getpid() {
		t.Errorf("--target-pid: %v, %+v", err, m)
	}
}

// A server whose work runs in a forked child, as uvicorn's and gunicorn's
// workers do: the child's CPU counts, also after it exited and was reaped.
func TestProcCPUCountsChildren(t *testing.T) {
	const script = `
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True)
sys.stdin.readline()
pid = os.fork()
if pid == 0:
    while time.process_time() < 0.5:
        pass
    os._exit(0)
os.waitpid(pid, 0)
print("done", flush=True)
sys.stdin.readline()
`
	cmd, in, lines, m := startPythonListener(t, script)
	if m.pid != cmd.Process.Pid {
		t.Fatalf("found pid %d, want the listener %d", m.pid, cmd.Process.Pid)
	}
	before := m.seconds()
	fmt.Fprintln(in)
	if !lines.Scan() || lines.Text() != "done" {
		t.Fatalf("child did not finish: %q", lines.Text())
	}
	after := m.seconds()
	if after-before < 0.45 {
		t.Errorf("cpu %.2f -> %.2f s: the child's 0.5 s is not counted", before, after)
	}
}

func TestHostBusySeconds(t *testing.T) {
	if s := hostBusySeconds(); s <= 0 {
		t.Errorf("host busy %v, want > 0", s)
	}
}

// Two busy children are two runnable threads, running or waiting for a CPU,
// however busy the machine is; a sleeping listener adds none.
func TestRunnableCountsBusyChildren(t *testing.T) {
	const script = `
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            pass
        os._exit(0)
    kids.append(pid)
print(s.getsockname()[1], flush=True)
sys.stdin.readline()
for pid in kids:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
`
	_, _, _, m := startPythonListener(t, script)
	var counts runnableCounts
	for range 20 {
		n, ok := m.runnable()
		if !ok {
			t.Fatal("the listener is gone")
		}
		counts[min(n, maxRunnable)]++
	}
	if q := counts.lowerQuartile(); q < 2 {
		t.Errorf("lower quartile of runnable threads %v over %v, want at least the 2 busy children", q, counts[:4])
	}
}

func TestLowerQuartile(t *testing.T) {
	var c runnableCounts
	if got := c.lowerQuartile(); got != -1 {
		t.Errorf("no samples: %v, want -1", got)
	}
	c[1], c[2], c[4] = 1, 2, 5 // 1 2 2 4 4 4 4 4
	if got := c.lowerQuartile(); got != 2 {
		t.Errorf("lower quartile %v, want 2", got)
	}
}

// startPythonListener runs script with /usr/bin/python3; the script prints the
// port it listens on first. It returns the process, its stdin and stdout, and
// the CPU meter findTargetProcess found for that port. The process ends (its
// stdin closed) when the test does.
func startPythonListener(t *testing.T, script string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner, *procCPU) {
	t.Helper()
	cmd := exec.Command("/usr/bin/python3", "-c", script)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start /usr/bin/python3 (make test-deps installs python3): %v", err)
	}
	t.Cleanup(func() { in.Close(); _ = cmd.Wait() })
	lines := bufio.NewScanner(out)
	if !lines.Scan() {
		t.Fatal("no port from the python listener")
	}
	m, err := findTargetProcess("http://127.0.0.1:"+lines.Text(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return cmd, in, lines, m
}
