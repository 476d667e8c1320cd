package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// serveOKCommand is the hidden first argument that makes the driver run the
// trivial server instead of the benchmarks: `contend-bench serve-ok ADDR-FILE`.
// The server runs in a process of its own so that every load generator, contend's
// Runner (which lives in the driver) included, talks to it across processes.
const serveOKCommand = "serve-ok"

// okBody is the trivial server's whole answer.
var okBody = []byte("ok")

// okHandler answers 200 "ok" to any request, after reading its body.
func okHandler(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(okBody)
}

// serveOKMain is the trivial server's main: it listens on 127.0.0.1:0, writes the
// bound address to the file named by args[0], and serves until SIGTERM.
func serveOKMain(args []string, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintf(stderr, "usage: contend-bench %s ADDR-FILE\n", serveOKCommand)
		return exitUsage
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "serve-ok: listen: %v\n", err)
		return exitError
	}
	tmp := args[0] + ".tmp"
	if err := os.WriteFile(tmp, []byte(ln.Addr().String()), 0o644); err == nil {
		err = os.Rename(tmp, args[0])
	}
	if err != nil {
		fmt.Fprintf(stderr, "serve-ok: write address: %v\n", err)
		return exitError
	}
	srv := &http.Server{Handler: http.HandlerFunc(okHandler), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		<-sig
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "serve-ok: %v\n", err)
		return exitError
	}
	<-done
	return exitOK
}

// okServer is a running trivial server process.
type okServer struct {
	cmd  *exec.Cmd
	url  string // http://127.0.0.1:port/
	done chan struct{}
}

// startOKServer starts the trivial server as a child of the driver and waits
// until it answers. The caller must call stop.
func startOKServer(ctx context.Context, dir string) (*okServer, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the driver's own binary: %w", err)
	}
	addrFile := filepath.Join(dir, "ok.addr")
	cmd := exec.Command(self, serveOKCommand, addrFile)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start trivial server: %w", err)
	}
	s := &okServer{cmd: cmd, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	addr, err := waitAddrFile(ctx, addrFile, s.done, 10*time.Second)
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("trivial server: %w", err)
	}
	s.url = "http://" + addr + "/"
	if err := checkOK(ctx, s.url); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// stop ends the server with SIGTERM, or SIGKILL after two seconds.
func (s *okServer) stop() {
	stopProcess(s.cmd, s.done, 2*time.Second)
}

// checkOK fails unless GET url answers 200 "ok".
func checkOK(ctx context.Context, url string) error {
	body, code, err := httpGet(ctx, url)
	if err != nil {
		return fmt.Errorf("trivial server: %w", err)
	}
	if code != http.StatusOK || body != "ok" {
		return fmt.Errorf("trivial server answered %d %q, want 200 \"ok\"", code, body)
	}
	return nil
}

// waitAddrFile polls path until it holds an address, the process ends (done
// closes), ctx ends or limit passes.
func waitAddrFile(ctx context.Context, path string, done <-chan struct{}, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b)), nil
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("no address in %s after %s", path, limit)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-done:
			return "", fmt.Errorf("process exited before writing %s", path)
		case <-tick.C:
		}
	}
}

// stopProcess sends SIGTERM to cmd's process and SIGKILL when it has not exited
// (done closed) within grace, then waits for done.
func stopProcess(cmd *exec.Cmd, done <-chan struct{}, grace time.Duration) {
	if cmd.Process == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
		_ = cmd.Process.Kill()
	}
	<-done
}
