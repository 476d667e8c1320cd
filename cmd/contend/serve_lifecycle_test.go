package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// serveProcess is a `contend serve` child the test signals itself.
type serveProcess struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer // stdout and stderr; read only after wait
	done chan struct{} // closed once the process has exited
	err  error         // cmd.Wait's result, set before done is closed
}

// startServeProcess starts `contend serve` on a free loopback port; the process is killed
// when the test ends if it is still running.
func startServeProcess(t *testing.T, args ...string) *serveProcess {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	p := &serveProcess{logs: &bytes.Buffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(contendBin, append([]string{"serve", "--addr", "127.0.0.1:0", "--addr-file", addrFile}, args...)...)
	p.cmd.Dir = repoRoot
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			p.url = "http://" + string(b)
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("contend serve exited: %v\n%s", p.err, p.logs)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("contend serve did not write its address")
	return nil
}

// wait waits up to limit for the process to exit and returns its exit code.
func (p *serveProcess) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		t.Fatalf("contend serve still running %s after the signal", limit)
	}
	var ee *exec.ExitError
	if errors.As(p.err, &ee) {
		return ee.ExitCode()
	}
	if p.err != nil {
		t.Fatalf("contend serve: %v", p.err)
	}
	return 0
}

// metric scrapes one unlabelled-or-summed metric from /metrics.
func (p *serveProcess) metric(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	resp, err := http.Get(p.url + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	var sum float64
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		if f, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); ok && err == nil {
			sum += f
		}
	}
	return sum
}

// postOnce sends one translation on a connection of its own and reads the whole answer.
func postOnce(client *http.Client, url, body string) (int, []byte, http.Header, error) {
	resp, err := client.Post(url+"/translate", "application/json", strings.NewReader(body))
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header, err
}

// TestServeSigtermAnswersEveryQueuedClient: `contend serve --strategy naive` with 200 clients
// queued behind its lock gets SIGTERM: every client gets an answer, 200 or a 503
// shutting_down JSON with Retry-After (none an EOF), and the server exits 0, having cut
// nothing.
func TestServeSigtermAnswersEveryQueuedClient(t *testing.T) {
	requireProvisioned(t, "tiny")
	p := startServeProcess(t, "--size", "tiny", "--strategy", "naive", "--shutdown-grace", "20s")
	body := fmt.Sprintf(`{"text": %q, "source": "en", "target": "hi"}`, strings.TrimSpace(strings.Repeat("the cold water ", 21)))
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	if code, b, _, err := postOnce(client, p.url, body); err != nil || code != http.StatusOK {
		t.Fatalf("warm-up: %d %s %v", code, b, err)
	}

	const clients = 200
	type outcome struct {
		code int
		body []byte
		hdr  http.Header
		err  error
	}
	outcomes := make([]outcome, clients)
	var wg sync.WaitGroup
	var finished atomic.Int64
	for i := range clients {
		wg.Go(func() {
			var o outcome
			o.code, o.body, o.hdr, o.err = postOnce(client, p.url, body)
			outcomes[i] = o
			finished.Add(1)
		})
	}
	// SIGTERM once the server has read every request (a connection still in the listen
	// backlog when the listener closes is refused by the kernel, which no server can answer).
	deadline := time.Now().Add(30 * time.Second)
	for p.metric(t, "contend_requests_in_flight")+float64(finished.Load()) < clients {
		if time.Now().After(deadline) {
			t.Fatal("the clients never queued")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	code := p.wait(t, 30*time.Second)

	answered := map[int]int{}
	for i, o := range outcomes {
		if o.err != nil {
			t.Errorf("client %d got no answer: %v", i, o.err)
			continue
		}
		answered[o.code]++
		switch o.code {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			var e struct {
				Error struct{ Code string } `json:"error"`
			}
			if err := json.Unmarshal(o.body, &e); err != nil || e.Error.Code != "shutting_down" || o.hdr.Get("Retry-After") == "" {
				t.Errorf("client %d: 503 %s (Retry-After %q), want shutting_down JSON with Retry-After", i, o.body, o.hdr.Get("Retry-After"))
			}
		default:
			t.Errorf("client %d: status %d: %s", i, o.code, o.body)
		}
	}
	t.Logf("%d clients queued at SIGTERM: %d answered 200, %d answered 503, none dropped", clients, answered[200], answered[503])
	if answered[http.StatusServiceUnavailable] == 0 {
		t.Error("no client was refused: the queue had drained before SIGTERM, so the test proved nothing")
	}
	if code != exitOK {
		t.Errorf("exit code %d, want %d (no request was cut)\n%s", code, exitOK, p.logs)
	}
}

// TestServeImpatientClientsLoadOnce: clients that give up before a cold load ends (their
// timeout is shorter than --load-delay) do not stop it or start another: exactly one load per
// model, the models end up loaded, and the next request translates without loading.
func TestServeImpatientClientsLoadOnce(t *testing.T) {
	requireProvisioned(t, "tiny")
	for _, strategy := range []string{"naive", "double-checked", "once"} {
		t.Run(strategy, func(t *testing.T) {
			p := startServeProcess(t, "--size", "tiny", "--strategy", strategy, "--load-delay", "1s")
			impatient := &http.Client{Timeout: 400 * time.Millisecond}
			body := `{"text": "the water is cold", "source": "en", "target": "hi"}`
			for range 3 {
				if code, b, _, err := postOnce(impatient, p.url, body); err == nil {
					t.Fatalf("impatient client got %d %s before the load could finish", code, b)
				}
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				resp, err := http.Get(p.url + "/readyz")
				if err == nil {
					resp.Body.Close()
					if resp.StatusCode == http.StatusOK {
						break
					}
				}
				if time.Now().After(deadline) {
					t.Fatalf("models never loaded after the impatient clients left\n%s", p.logs)
				}
				time.Sleep(20 * time.Millisecond)
			}
			for _, model := range []string{"en-hi", "hi-en"} {
				if got := p.metric(t, "contend_model_loads_total", `model="`+model+`"`); got != 1 {
					t.Errorf("contend_model_loads_total{model=%q} = %v, want 1", model, got)
				}
			}
			code, b, hdr, err := postOnce(http.DefaultClient, p.url, body)
			if err != nil || code != http.StatusOK {
				t.Fatalf("after the load: %d %s %v", code, b, err)
			}
			if st := hdr.Get("Server-Timing"); !strings.Contains(st, "load;dur=0.000") {
				t.Errorf("Server-Timing %q after the load, want load;dur=0.000", st)
			}
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			if code := p.wait(t, 30*time.Second); code != exitOK {
				t.Errorf("exit code %d after SIGTERM, want 0\n%s", code, p.logs)
			}
		})
	}
}
