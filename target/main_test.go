package target

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// TestMain checks, after every test passed, that no goroutine outlived its test, and removes
// the models built for the real-model tests.
func TestMain(m *testing.M) {
	code := m.Run()
	cleanupTinyModels()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines leaked: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// newTestServer runs a Server for cfg behind an httptest server on loopback; both close when
// the test ends (the HTTP server first, so that no request is in flight when models close).
func newTestServer(t testing.TB, cfg Config) (*Server, *httptest.Server) {
	t.Helper()
	srv, err := NewServer(cfg)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
	})
	return srv, ts
}

// reply is one HTTP answer, read whole.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
	Close  bool // the server sent Connection: close (net/http moves it out of Header)
}

// errorCode returns the code of a JSON error body, or "" when the body is not one.
func (r reply) errorCode() string {
	var e errorBody
	if json.Unmarshal(r.Body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

// errorMessage returns the message of a JSON error body.
func (r reply) errorMessage() string {
	var e errorBody
	_ = json.Unmarshal(r.Body, &e)
	return e.Error.Message
}

// do sends one request and reads the whole answer; transport errors are returned.
func do(ctx context.Context, c *http.Client, method, url, contentType string, body []byte) (reply, error) {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b, Close: resp.Close}, err
}

// postTranslate posts a JSON body to /translate.
func postTranslate(ctx context.Context, ts *httptest.Server, body string) (reply, error) {
	return do(ctx, ts.Client(), http.MethodPost, ts.URL+"/translate", "application/json", []byte(body))
}

// mustPost posts a body to /translate and fails the test on a transport error.
func mustPost(t testing.TB, ts *httptest.Server, body string) reply {
	t.Helper()
	r, err := postTranslate(context.Background(), ts, body)
	if err != nil {
		t.Fatalf("POST /translate %s: %v", body, err)
	}
	return r
}

// mustGet gets a path and fails the test on a transport error.
func mustGet(t testing.TB, ts *httptest.Server, path string) reply {
	t.Helper()
	r, err := do(context.Background(), ts.Client(), http.MethodGet, ts.URL+path, "", nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return r
}

// jsonBody builds a /translate body.
func jsonBody(text, source, target string) string {
	b, _ := json.Marshal(map[string]string{"text": text, "source": source, "target": target})
	return string(b)
}

var serverTimingRE = regexp.MustCompile(`^wait;dur=(\d+\.\d{3}), load;dur=(\d+\.\d{3}), infer;dur=(\d+\.\d{3})$`)

// parseTiming reads a /translate answer's Server-Timing header, failing the test when it is
// absent or malformed.
func parseTiming(t testing.TB, r reply) timing {
	t.Helper()
	h := r.Header.Get("Server-Timing")
	m := serverTimingRE.FindStringSubmatch(h)
	if m == nil {
		t.Fatalf("Server-Timing %q does not match %s (status %d)", h, serverTimingRE, r.Status)
	}
	ms := func(s string) time.Duration {
		f, _ := strconv.ParseFloat(s, 64)
		return time.Duration(f * float64(time.Millisecond))
	}
	return timing{wait: ms(m[1]), load: ms(m[2]), infer: ms(m[3])}
}

// metricValue scrapes /metrics and returns the sum of the samples of one metric whose labels
// include every label given as name="value"; 0 when none.
func metricValue(t testing.TB, ts *httptest.Server, name string, labels ...string) float64 {
	t.Helper()
	r := mustGet(t, ts, "/metrics")
	if r.Status != http.StatusOK {
		t.Fatalf("GET /metrics: status %d", r.Status)
	}
	var sum float64
	sc := bufio.NewScanner(bytes.NewReader(r.Body))
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		matches := true
		for _, l := range labels {
			matches = matches && strings.Contains(line, l)
		}
		if !matches {
			continue
		}
		f, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			t.Fatalf("metric line %q: %v", line, err)
		}
		sum += f
	}
	return sum
}

// waitFor polls cond every few milliseconds until it holds, failing the test after limit.
func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %s waiting for %s", limit, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeTranslator is a Translator for fault injection: it answers "<name>:<text>" after an
// optional gate opens, honouring ctx.
type fakeTranslator struct {
	name string
	gate chan struct{} // when non-nil, Translate waits for it to close (or ctx to end)
	// answer, when non-nil, replaces the translation once the gate has opened.
	answer func(texts []string) ([]string, error)
	calls  atomic.Int64
	closed atomic.Bool
}

func (f *fakeTranslator) Name() string { return f.name }

func (f *fakeTranslator) Close() error {
	f.closed.Store(true)
	return nil
}

func (f *fakeTranslator) Translate(ctx context.Context, texts []string) ([]string, error) {
	f.calls.Add(1)
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, fmt.Errorf("fake translate: %w", ctx.Err())
		}
	}
	if f.answer != nil {
		return f.answer(texts)
	}
	out := make([]string, len(texts))
	for i, s := range texts {
		out[i] = f.name + ":" + s
	}
	return out, nil
}

// fakeLoader is a LoadFunc whose behaviour changes per call: it counts calls, may wait for a
// gate, and answers with the next scripted outcome (the last one repeats).
type fakeLoader struct {
	gate     chan struct{} // when non-nil, each load waits for it to close (or ctx to end)
	outcomes []func() (*Models, error)
	calls    atomic.Int64
	mu       sync.Mutex // guards next
	next     int
}

func (l *fakeLoader) load(ctx context.Context) (*Models, error) {
	l.calls.Add(1)
	if l.gate != nil {
		select {
		case <-l.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	l.mu.Lock()
	i := min(l.next, len(l.outcomes)-1)
	l.next++
	l.mu.Unlock()
	return l.outcomes[i]()
}

// fakeModels returns a loader outcome with two fresh fake translators sharing a gate.
func fakeModels(gate chan struct{}) func() (*Models, error) {
	return func() (*Models, error) {
		return &Models{
			EnHi: &fakeTranslator{name: "fake/en-hi", gate: gate},
			HiEn: &fakeTranslator{name: "fake/hi-en", gate: gate},
		}, nil
	}
}

// missingFile is a loader outcome failing like a model whose encoder file is missing.
func missingFile() (*Models, error) {
	return nil, &LoadError{Model: "en-hi", Path: "/models/en-hi",
		Err: fmt.Errorf("open /models/en-hi/encoder_model.onnx: %w", os.ErrNotExist)}
}

// panicking is a loader outcome that panics.
func panicking() (*Models, error) { panic("corrupt model file /models/hi-en/decoder_model.onnx") }
