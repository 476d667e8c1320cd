package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"contend/scenarios"
)

// File names in a built-in target's directory.
const (
	serveLogName  = "serve.log"
	serveAddrName = "serve.addr"
)

// pollInterval is how often a starting target's address file and health are checked.
const pollInterval = 50 * time.Millisecond

// logTailLines is how many lines of a target's log an error quotes.
const logTailLines = 15

// child is one built-in target process: `<serve command> serve --strategy S ...`,
// in its own process group so that stopping it also stops anything it started.
type child struct {
	cmd      *exec.Cmd
	label    string
	logPath  string
	logFile  *os.File
	addrFile string

	done     chan struct{} // closed once the process has exited and been reaped
	waitErr  error         // the exit status; written before done is closed
	stopping atomic.Bool   // set when the Runner itself stops the process
}

// childSpec is what startChild needs.
type childSpec struct {
	bin      string
	args     []string // before "serve"
	env      []string // added to the Runner's environment
	dir      string   // for serve.log and serve.addr
	label    string
	strategy string
	builtin  scenarios.Builtin
	extra    []string // after serve's own flags
}

// serveArgs returns the full argument list of the serve command.
func (s childSpec) serveArgs(addrFile string) []string {
	args := append([]string(nil), s.args...)
	args = append(args, "serve", "--strategy", s.strategy, "--addr", "127.0.0.1:0", "--addr-file", addrFile)
	if s.builtin.Size != "" {
		args = append(args, "--size", s.builtin.Size)
	}
	if d := s.builtin.LoadDelay.Duration; d > 0 {
		args = append(args, "--load-delay", d.String())
	}
	if n := s.builtin.IntraOpThreads; n > 0 {
		args = append(args, "--intra-op-threads", strconv.Itoa(n))
	}
	return append(args, s.extra...)
}

// ServeSpec is a built-in target process to start outside a Run.
type ServeSpec struct {
	Bin      string            // the contend binary
	Strategy string            // serve --strategy
	Builtin  scenarios.Builtin // size, load delay, intra-op threads, as a scenario gives them
	Args     []string          // more serve flags ("--pprof", "off")
	Dir      string            // where serve.log and serve.addr go
	Ready    bool              // wait for /readyz too, not only /healthz
	Timeout  time.Duration     // for it to come up; DefaultStartTimeout when 0
}

// ServeProcess is a built-in target started by StartServe: the Runner's own
// spawn and readiness poll, for tools that measure the target itself
// (contend-bench's cold starts).
type ServeProcess struct {
	c   *child
	URL string // the base URL it serves on
}

// StartServe starts `Bin serve ...` in its own process group and waits until it
// answers /healthz (and /readyz when Ready) with 200. Errors quote the end of its
// log. The caller must call Stop.
func StartServe(ctx context.Context, spec ServeSpec) (*ServeProcess, error) {
	c, err := startChild(childSpec{bin: spec.Bin, dir: spec.Dir, label: spec.Strategy,
		strategy: spec.Strategy, builtin: spec.Builtin, extra: spec.Args})
	if err != nil {
		return nil, err
	}
	timeout := spec.Timeout
	if timeout <= 0 {
		timeout = DefaultStartTimeout
	}
	base, err := c.waitReady(ctx, probeClient(), timeout, spec.Ready)
	if err != nil {
		c.stop(DefaultStopGrace)
		return nil, err
	}
	return &ServeProcess{c: c, URL: base}, nil
}

// Pid returns the process id.
func (p *ServeProcess) Pid() int { return p.c.pid() }

// Stop ends the process (SIGTERM, SIGKILL after DefaultStopGrace) and waits for it.
func (p *ServeProcess) Stop() { p.c.stop(DefaultStopGrace) }

// startChild starts the target process with its output going to dir/serve.log.
// The caller must call stop.
func startChild(spec childSpec) (*child, error) {
	c := &child{
		label:    spec.label,
		logPath:  filepath.Join(spec.dir, serveLogName),
		addrFile: filepath.Join(spec.dir, serveAddrName),
		done:     make(chan struct{}),
	}
	if err := os.Remove(c.addrFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("target %s: remove stale address file: %w", spec.label, err)
	}
	logFile, err := os.Create(c.logPath)
	if err != nil {
		return nil, fmt.Errorf("target %s: create log: %w", spec.label, err)
	}
	c.logFile = logFile
	c.cmd = exec.Command(spec.bin, spec.serveArgs(c.addrFile)...)
	c.cmd.Stdout = logFile
	c.cmd.Stderr = logFile
	c.cmd.Env = append(os.Environ(), spec.env...)
	c.cmd.SysProcAttr = childProcAttr()
	if err := c.cmd.Start(); err != nil {
		_ = logFile.Close()
		return nil, fmt.Errorf("target %s: start %s: %w", spec.label, spec.bin, err)
	}
	go func() {
		c.waitErr = c.cmd.Wait()
		close(c.done)
	}()
	return c, nil
}

// pid returns the process id.
func (c *child) pid() int { return c.cmd.Process.Pid }

// waitReady waits until the target serves /healthz (and /readyz when needReady)
// with 200, for at most timeout, and returns its base URL.
func (c *child) waitReady(ctx context.Context, probe *http.Client, timeout time.Duration, needReady bool) (string, error) {
	deadline := time.Now().Add(timeout)
	base, err := c.poll(ctx, probe, deadline, "/healthz")
	if err != nil || !needReady {
		return base, err
	}
	return c.poll(ctx, probe, deadline, "/readyz")
}

// poll waits until GET path answers 200, reading the address file on every try
// (so a half-written file only costs a retry).
func (c *child) poll(ctx context.Context, probe *http.Client, deadline time.Time, path string) (string, error) {
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		addr, haveAddr := readAddr(c.addrFile)
		base := "http://" + addr
		if haveAddr {
			if code, err := getStatus(ctx, probe, base+path); err == nil && code == http.StatusOK {
				return base, nil
			}
		}
		if time.Now().After(deadline) {
			what := "wrote no address to " + c.addrFile
			if haveAddr {
				what = "answered no 200 on " + base + path
			}
			return "", c.failure(fmt.Sprintf("not ready in time: %s", what))
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-c.done:
			return "", c.failure(fmt.Sprintf("exited before serving %s (%v)", path, c.waitErr))
		case <-tick.C:
		}
	}
}

// readAddr returns the "host:port" the target wrote, ok false until it is complete.
func readAddr(path string) (string, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", false
	}
	return parseAddr(string(b))
}

// parseAddr checks an address file's content: a host and a non-zero port.
func parseAddr(s string) (string, bool) {
	addr := strings.TrimSpace(s)
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host == "" {
		return "", false
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return "", false
	}
	return addr, true
}

// exited returns the reason the target is gone when it exited without being
// stopped, nil while it runs.
func (c *child) exited() error {
	select {
	case <-c.done:
		if c.stopping.Load() {
			return nil
		}
		return c.failure(fmt.Sprintf("exited unexpectedly (%v)", c.waitErr))
	default:
		return nil
	}
}

// failure builds an error that quotes the end of the target's log.
func (c *child) failure(what string) error {
	tail := logTail(c.logPath, logTailLines)
	if tail == "" {
		return fmt.Errorf("target %s %s; its log %s is empty", c.label, what, c.logPath)
	}
	return fmt.Errorf("target %s %s; the end of %s:\n%s", c.label, what, c.logPath, tail)
}

// stop ends the process: SIGTERM to its group, SIGKILL after grace, then waits for
// it. It is safe to call more than once and after the process exited.
func (c *child) stop(grace time.Duration) {
	c.stopping.Store(true)
	select {
	case <-c.done:
	default:
		_ = signalGroup(c.pid(), syscall.SIGTERM)
		t := time.NewTimer(grace)
		select {
		case <-c.done:
			t.Stop()
		case <-t.C:
			_ = signalGroup(c.pid(), syscall.SIGKILL)
			<-c.done
		}
	}
	// Anything the target started in its group goes too.
	_ = signalGroup(c.pid(), syscall.SIGKILL)
	_ = c.logFile.Close()
	_ = os.Remove(c.addrFile)
}

// logTail returns the last n lines of the file at path ("" when unreadable).
func logTail(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	const window = 8 << 10
	if info, err := f.Stat(); err == nil && info.Size() > window {
		if _, err := f.Seek(info.Size()-window, io.SeekStart); err != nil {
			return ""
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return ""
	}
	lines := bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(string(bytes.Join(lines, []byte("\n"))))
}
