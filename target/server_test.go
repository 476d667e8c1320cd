package target

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// listenLoopback listens on a free loopback port.
func listenLoopback(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestNewServerConfig(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"defaults", Config{Load: loader.load}, ""},
		{"no load", Config{Strategy: StrategyNaive}, "no Load function"},
		{"unknown strategy", Config{Strategy: "optimistic", Load: loader.load}, "unknown strategy"},
		{"negative delay", Config{Load: loader.load, LoadDelay: -time.Second}, "negative load delay"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := NewServer(tt.cfg)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				defer srv.Close()
				got := []any{srv.Strategy().Name(), srv.cfg.MaxBodyBytes, srv.cfg.RequestTimeout, srv.cfg.Addr}
				want := []any{DefaultStrategy, DefaultMaxBodyBytes, DefaultRequestTimeout, DefaultAddr}
				for i := range got {
					if got[i] != want[i] {
						t.Errorf("default %d = %v, want %v", i, got[i], want[i])
					}
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestNaiveAbandonsQueuedClients: clients that give up while queued behind naive's lock are
// never run; the request holding the lock finishes, and the server keeps serving.
func TestNaiveAbandonsQueuedClients(t *testing.T) {
	gate := make(chan struct{})
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(gate)}}
	srv, ts := newTestServer(t, Config{Strategy: StrategyNaive, Load: loader.load})
	body := jsonBody("water", "en", "hi")

	first := make(chan reply, 1)
	go func() {
		r, err := postTranslate(context.Background(), ts, body)
		if err != nil {
			t.Errorf("first request: %v", err)
		}
		first <- r
	}()
	waitFor(t, 5*time.Second, "the first request to hold the lock in inference", func() bool {
		return metricValue(t, ts, "contend_inference_in_flight") == 1
	})

	const queued = 5
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for range queued {
		wg.Go(func() {
			if r, err := postTranslate(ctx, ts, body); err == nil {
				t.Errorf("a queued client got an answer (%d) it should have given up on", r.Status)
			}
		})
	}
	waitFor(t, 5*time.Second, "the clients to queue", func() bool {
		return metricValue(t, ts, "contend_requests_in_flight") == 1+queued
	})
	cancel()
	wg.Wait()
	waitFor(t, 5*time.Second, "the server to drop the queued requests", func() bool {
		return metricValue(t, ts, "contend_requests_abandoned_total") == queued
	})

	close(gate)
	if r := <-first; r.Status != http.StatusOK {
		t.Fatalf("first request: status %d: %s", r.Status, r.Body)
	}
	if r := mustPost(t, ts, body); r.Status != http.StatusOK {
		t.Fatalf("request after the queue left: status %d: %s", r.Status, r.Body)
	}
	enHi := srv.loaded.Load().EnHi.(*fakeTranslator)
	if got := enHi.calls.Load(); got != 2 {
		t.Errorf("inference ran %d times, want 2 (the first and the last request; never the abandoned)", got)
	}
	if got := metricValue(t, ts, "contend_requests_total", `code="499"`); got != queued {
		t.Errorf("requests answered 499 = %v, want %d", got, queued)
	}
}

// TestRequestDeadline: a request whose own deadline passes while queued answers 504; a load
// outlives the request that started it, so the next request finds the models loaded.
func TestRequestDeadline(t *testing.T) {
	const deadline = 50 * time.Millisecond
	gate := make(chan struct{})
	loader := &fakeLoader{gate: gate, outcomes: []func() (*Models, error){fakeModels(nil)}}
	srv, ts := newTestServer(t, Config{Strategy: StrategyNaive, Load: loader.load, RequestTimeout: deadline})
	body := jsonBody("water", "en", "hi")

	first := make(chan reply, 1)
	go func() {
		r, err := postTranslate(context.Background(), ts, body)
		if err != nil {
			t.Errorf("first request: %v", err)
		}
		first <- r
	}()
	waitFor(t, 5*time.Second, "the load to start", func() bool { return loader.calls.Load() == 1 })

	sent := time.Now()
	r := mustPost(t, ts, body)
	if r.Status != http.StatusGatewayTimeout || r.errorCode() != CodeTimeout {
		t.Fatalf("queued request: status %d: %s", r.Status, r.Body)
	}
	if took := time.Since(sent); took < deadline {
		t.Errorf("504 after %s, before the %s deadline", took, deadline)
	}
	if st := parseTiming(t, r); st.wait <= 0 {
		t.Errorf("504 reports wait %s, want the time it queued behind the first request", st.wait)
	}
	close(gate)
	if r := <-first; r.Status != http.StatusGatewayTimeout {
		t.Errorf("loading request past its deadline: status %d, want 504", r.Status)
	}
	waitFor(t, 5*time.Second, "the detached load to finish", srv.Ready)
	r = mustPost(t, ts, body)
	if r.Status != http.StatusOK {
		t.Fatalf("request after the load: status %d: %s", r.Status, r.Body)
	}
	if st := parseTiming(t, r); st.load != 0 {
		t.Errorf("request after the load reports load %s, want 0: the load was kept", st.load)
	}
	if got := loader.calls.Load(); got != 1 {
		t.Errorf("load ran %d times, want 1", got)
	}
	if got := metricValue(t, ts, "contend_requests_abandoned_total"); got != 2 {
		t.Errorf("abandoned = %v, want 2 (both timed-out requests, neither ran)", got)
	}
}

// TestLoadPanicKeepsServing: a panicking load answers 503, the process keeps serving, and the
// next request loads again.
func TestLoadPanicKeepsServing(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){panicking, fakeModels(nil)}}
	_, ts := newTestServer(t, Config{Strategy: StrategyDoubleChecked, Load: loader.load})
	body := jsonBody("water", "en", "hi")

	r := mustPost(t, ts, body)
	if r.Status != http.StatusServiceUnavailable || r.errorCode() != CodeModelUnavailable {
		t.Fatalf("panicking load: status %d: %s", r.Status, r.Body)
	}
	if msg := r.errorMessage(); !strings.Contains(msg, "panicked") || !strings.Contains(msg, "decoder_model.onnx") {
		t.Errorf("message %q should say the load panicked and name the file", msg)
	}
	if r.Header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
	if got := mustGet(t, ts, "/healthz").Status; got != http.StatusOK {
		t.Fatalf("/healthz after a panic = %d", got)
	}
	if got := mustGet(t, ts, "/readyz").Status; got != http.StatusServiceUnavailable {
		t.Errorf("/readyz after a failed load = %d, want 503", got)
	}
	if r := mustPost(t, ts, body); r.Status != http.StatusOK {
		t.Fatalf("retry after the panic: status %d: %s", r.Status, r.Body)
	}
	if got := mustGet(t, ts, "/readyz").Status; got != http.StatusOK {
		t.Errorf("/readyz after the load = %d, want 200", got)
	}
	for _, tt := range []struct {
		labels []string
		want   float64
	}{
		{[]string{`result="panic"`}, 1},
		{[]string{`model="en-hi"`, `result="ok"`}, 1},
		{[]string{`model="hi-en"`, `result="ok"`}, 1},
	} {
		if got := metricValue(t, ts, "contend_model_loads_total", tt.labels...); got != tt.want {
			t.Errorf("contend_model_loads_total%v = %v, want %v", tt.labels, got, tt.want)
		}
	}
}

// TestLoadDelayCountsPerModel: each of the two models takes LoadDelay longer, reported as the
// first request's load time; warm requests report none.
func TestLoadDelayCountsPerModel(t *testing.T) {
	const delay = 20 * time.Millisecond
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	_, ts := newTestServer(t, Config{Strategy: StrategyDoubleChecked, Load: loader.load, LoadDelay: delay})
	body := jsonBody("water", "en", "hi")
	if st := parseTiming(t, mustPost(t, ts, body)); st.load < 2*delay {
		t.Errorf("cold request load = %s, want at least %s", st.load, 2*delay)
	}
	if st := parseTiming(t, mustPost(t, ts, body)); st.load != 0 || st.wait != 0 {
		t.Errorf("warm request load = %s, wait = %s, want 0 and 0", st.load, st.wait)
	}
}

// TestServeShutdownAbandonsLoad: cancelling Serve's context ends a load in progress (here a
// load delay of an hour), answers its request 503, and returns promptly.
func TestServeShutdownAbandonsLoad(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	srv, err := NewServer(Config{Strategy: StrategyNaive, Load: loader.load, LoadDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ln := listenLoopback(t)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	answered := make(chan reply, 1)
	go func() {
		r, err := do(context.Background(), client, http.MethodPost, "http://"+ln.Addr().String()+"/translate",
			"application/json", []byte(jsonBody("water", "en", "hi")))
		if err != nil {
			t.Errorf("in-flight request: %v", err)
		}
		answered <- r
	}()
	waitFor(t, 5*time.Second, "the load delay to start", func() bool {
		return srv.metrics != nil && inFlight(srv) == 1
	})
	start := time.Now()
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("shutdown took %s", took)
	}
	if r := <-answered; r.Status != http.StatusServiceUnavailable || r.errorCode() != CodeShuttingDown {
		t.Errorf("request in flight at shutdown: status %d: %s", r.Status, r.Body)
	}
}

// inFlight reads the in-flight gauge without HTTP (the server may not be reachable).
func inFlight(s *Server) float64 {
	mfs, err := s.metrics.registry.Gather()
	if err != nil {
		return -1
	}
	for _, mf := range mfs {
		if mf.GetName() == "contend_requests_in_flight" {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	return -1
}

func TestMetricsEndpoint(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	_, ts := newTestServer(t, Config{Strategy: StrategyNaive, Load: loader.load})
	for range 3 {
		mustPost(t, ts, jsonBody("water", "en", "hi"))
	}
	mustPost(t, ts, "{")
	r := mustGet(t, ts, "/metrics")
	if r.Status != http.StatusOK {
		t.Fatalf("status %d", r.Status)
	}
	for _, want := range []string{
		"process_cpu_seconds_total ",
		"go_goroutines ",
		`contend_requests_in_flight{strategy="naive"} `,
		`contend_lock_wait_seconds_bucket{strategy="naive",le="0.001"} `,
		`contend_inference_in_flight{strategy="naive"} 0`,
	} {
		if !strings.Contains(string(r.Body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	tests := []struct {
		name   string
		labels []string
		want   float64
	}{
		{"contend_requests_total", []string{`handler="translate"`, `code="200"`}, 3},
		{"contend_requests_total", []string{`handler="translate"`, `code="400"`}, 1},
		{"contend_lock_wait_seconds_count", nil, 3},
		{"contend_inference_seconds_count", nil, 3},
		{"contend_model_load_seconds_count", nil, 1},
		{"contend_requests_abandoned_total", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name+strings.Join(tt.labels, ","), func(t *testing.T) {
			if got := metricValue(t, ts, tt.name, tt.labels...); got != tt.want {
				t.Errorf("%s%v = %v, want %v", tt.name, tt.labels, got, tt.want)
			}
		})
	}
}

func TestPprofWhenEnabled(t *testing.T) {
	t.Cleanup(func() {
		runtime.SetMutexProfileFraction(0)
		runtime.SetBlockProfileRate(0)
	})
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	_, ts := newTestServer(t, Config{Load: loader.load, Pprof: true})
	if got := runtime.SetMutexProfileFraction(-1); got != MutexProfileFraction {
		t.Errorf("mutex profile fraction = %d, want %d", got, MutexProfileFraction)
	}
	tests := []struct {
		path string
		want int
	}{
		{"/debug/pprof/", http.StatusOK},
		{"/debug/pprof/mutex?debug=1", http.StatusOK},
		{"/debug/pprof/block?debug=1", http.StatusOK},
		{"/debug/pprof/goroutine?debug=1", http.StatusOK},
		{"/debug/pprof/cmdline", http.StatusOK},
		{"/debug/pprof/nosuchprofile", http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := mustGet(t, ts, tt.path).Status; got != tt.want {
				t.Errorf("GET %s = %d, want %d", tt.path, got, tt.want)
			}
		})
	}
}

func TestCloseClosesModels(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	srv, err := NewServer(Config{Load: loader.load})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Warm(t.Context()); err != nil {
		t.Fatal(err)
	}
	m := srv.loaded.Load()
	if err := errors.Join(srv.Close(), srv.Close()); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []Translator{m.EnHi, m.HiEn} {
		if !tr.(*fakeTranslator).closed.Load() {
			t.Errorf("%s not closed", tr.Name())
		}
	}
}

// TestInferenceFailures: a model failing on valid input answers 500 inference_failed (never
// a dropped connection, even when it panics); a text too long for the model answers 422.
func TestInferenceFailures(t *testing.T) {
	tests := []struct {
		name       string
		answer     func([]string) ([]string, error)
		wantStatus int
		wantCode   string
	}{
		{"error", func([]string) ([]string, error) { return nil, errors.New("onnx run failed") },
			http.StatusInternalServerError, CodeInferenceFailed},
		{"panic", func([]string) ([]string, error) { panic("index out of range") },
			http.StatusInternalServerError, CodeInferenceFailed},
		{"wrong count", func([]string) ([]string, error) { return []string{"a", "b"}, nil },
			http.StatusInternalServerError, CodeInferenceFailed},
		{"too many tokens", func([]string) ([]string, error) {
			return nil, fmt.Errorf("%w: text 0 has 600 tokens, the model takes 512", ErrTextTooLong)
		}, http.StatusUnprocessableEntity, CodeTextTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			load := func(context.Context) (*Models, error) {
				return &Models{
					EnHi: &fakeTranslator{name: "fake/en-hi", answer: tt.answer},
					HiEn: &fakeTranslator{name: "fake/hi-en"},
				}, nil
			}
			_, ts := newTestServer(t, Config{Strategy: StrategyNaive, Load: load})
			r := mustPost(t, ts, jsonBody("water", "en", "hi"))
			if r.Status != tt.wantStatus || r.errorCode() != tt.wantCode {
				t.Errorf("got %d %s, want %d %s", r.Status, r.Body, tt.wantStatus, tt.wantCode)
			}
			parseTiming(t, r)
			// The naive lock was released: the other direction still works.
			if r := mustPost(t, ts, jsonBody("पानी", "hi", "en")); r.Status != http.StatusOK {
				t.Errorf("other direction after the failure: %d %s", r.Status, r.Body)
			}
		})
	}
}
