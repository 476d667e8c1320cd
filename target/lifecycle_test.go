package target

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestImpatientClientsLoadOnce: a cold load outlives every client that gives up on it. The
// request that starts it answers 504 at its own deadline while the load still runs (the load
// delay alone outlasts that deadline), impatient clients that leave do not start another, and
// the models end up loaded: exactly one load per model, and the next request translates
// without loading.
func TestImpatientClientsLoadOnce(t *testing.T) {
	root := tinyModels(t)
	const (
		delay    = 300 * time.Millisecond // per model: a load takes at least 600 ms
		deadline = 100 * time.Millisecond // the server's request deadline, shorter than the load
		patience = 150 * time.Millisecond // the impatient clients' own timeout
	)
	for _, name := range []string{StrategyNaive, StrategyDoubleChecked, StrategyOnce} {
		t.Run(name, func(t *testing.T) {
			srv, ts := newTestServer(t, Config{Strategy: name, Load: ModelLoader(root, 1),
				LoadDelay: delay, RequestTimeout: deadline})
			body := jsonBody("the water is cold", "en", "hi")

			r := mustPost(t, ts, body)
			if r.Status != http.StatusGatewayTimeout || r.errorCode() != CodeTimeout {
				t.Fatalf("request starting the load: status %d: %s", r.Status, r.Body)
			}
			if srv.Ready() {
				t.Fatal("the 504 came back after the load had finished: the request waited for the load instead of its deadline")
			}

			var wg sync.WaitGroup
			for range 6 {
				wg.Go(func() {
					ctx, cancel := context.WithTimeout(t.Context(), patience)
					defer cancel()
					r, err := postTranslate(ctx, ts, body)
					if err == nil && r.Status != http.StatusGatewayTimeout {
						t.Errorf("impatient client: status %d: %s", r.Status, r.Body)
					}
					if err != nil && !errors.Is(err, context.DeadlineExceeded) {
						t.Errorf("impatient client: %v", err)
					}
				})
			}
			wg.Wait()
			waitFor(t, 30*time.Second, "the detached load to finish", srv.Ready)

			for _, model := range []string{"en-hi", "hi-en"} {
				if got := metricValue(t, ts, "contend_model_loads_total", `model="`+model+`"`); got != 1 {
					t.Errorf("contend_model_loads_total{model=%q} = %v, want 1 (one load, finished)", model, got)
				}
			}
			r = mustPost(t, ts, body)
			if r.Status != http.StatusOK {
				t.Fatalf("request after the load: status %d: %s", r.Status, r.Body)
			}
			if st := parseTiming(t, r); st.load != 0 {
				t.Errorf("request after the load reports load %s, want 0", st.load)
			}
		})
	}
}

// TestLoadDeadline: a load that hangs fails at Config.LoadTimeout (counted as timeout), its
// waiters answer 503 naming the deadline, and the next request starts a new load.
func TestLoadDeadline(t *testing.T) {
	hang := make(chan struct{}) // never closed: the first load hangs until its deadline
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	var calls int
	var mu sync.Mutex
	load := func(ctx context.Context) (*Models, error) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			select {
			case <-hang:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		return loader.load(ctx)
	}
	const limit = 100 * time.Millisecond
	_, ts := newTestServer(t, Config{Strategy: StrategyDoubleChecked, Load: load, LoadTimeout: limit})
	body := jsonBody("water", "en", "hi")

	r := mustPost(t, ts, body)
	if r.Status != http.StatusServiceUnavailable || r.errorCode() != CodeModelUnavailable {
		t.Fatalf("hung load: status %d: %s", r.Status, r.Body)
	}
	if msg := r.errorMessage(); !strings.Contains(msg, "deadline") || !strings.Contains(msg, limit.String()) {
		t.Errorf("message %q should name the load deadline of %s", msg, limit)
	}
	if got := metricValue(t, ts, "contend_model_loads_total", `result="timeout"`); got != 1 {
		t.Errorf("loads with result timeout = %v, want 1", got)
	}
	if r := mustPost(t, ts, body); r.Status != http.StatusOK {
		t.Fatalf("request after the timed-out load: status %d: %s", r.Status, r.Body)
	}
}

// TestShutdownCutsOnlyWhatOutlivesTheGrace: inference still running when the shutdown grace
// ends is cut, and Serve says so with ErrRequestsCut (the CLI's exit code 1).
func TestShutdownCutsOnlyWhatOutlivesTheGrace(t *testing.T) {
	gate := make(chan struct{}) // never opened: the inference runs until its connection is cut
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(gate)}}
	srv, err := NewServer(Config{Strategy: StrategyDoubleChecked, Load: loader.load,
		ShutdownTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ln := listenLoopback(t)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	client := &http.Client{}
	defer client.CloseIdleConnections()
	done := make(chan error, 1)
	go func() {
		_, err := do(context.Background(), client, http.MethodPost, "http://"+ln.Addr().String()+"/translate",
			"application/json", []byte(jsonBody("water", "en", "hi")))
		done <- err
	}()
	waitFor(t, 5*time.Second, "the inference to start", func() bool {
		m := srv.loaded.Load()
		return m != nil && m.EnHi.(*fakeTranslator).calls.Load() == 1
	})
	cancel()
	if err := <-served; !errors.Is(err, ErrRequestsCut) {
		t.Errorf("Serve after cutting a request = %v, want ErrRequestsCut", err)
	}
	if err := <-done; err == nil {
		t.Error("the cut request got an answer")
	}
}

// TestShutdownAnswersQueuedRequests: when Serve's context ends, requests queued behind the
// naive lock answer 503 shutting_down (Retry-After, Connection: close) at once, while the
// running inference finishes within the grace and answers 200; nothing is cut.
func TestShutdownAnswersQueuedRequests(t *testing.T) {
	gate := make(chan struct{})
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(gate)}}
	srv, err := NewServer(Config{Strategy: StrategyNaive, Load: loader.load, ShutdownTimeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ln := listenLoopback(t)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	client := &http.Client{}
	defer client.CloseIdleConnections()
	url := "http://" + ln.Addr().String() + "/translate"

	const queued = 20
	replies := make(chan reply, queued+1)
	var wg sync.WaitGroup
	post := func() {
		r, err := do(context.Background(), client, http.MethodPost, url, "application/json", []byte(jsonBody("water", "en", "hi")))
		if err != nil {
			t.Errorf("request got no answer: %v", err)
		}
		replies <- r
	}
	wg.Go(post)
	waitFor(t, 5*time.Second, "the first inference to start", func() bool {
		m := srv.loaded.Load()
		return m != nil && m.EnHi.(*fakeTranslator).calls.Load() == 1
	})
	for range queued {
		wg.Go(post)
	}
	waitFor(t, 5*time.Second, "the queue behind the lock", func() bool { return inFlight(srv) == queued+1 })
	cancel()

	for range queued {
		r := <-replies
		if r.Status != http.StatusServiceUnavailable || r.errorCode() != CodeShuttingDown {
			t.Fatalf("queued request at shutdown: status %d: %s", r.Status, r.Body)
		}
		if r.Header.Get("Retry-After") == "" || !r.Close {
			t.Errorf("503 headers %v, want Retry-After and Connection: close", r.Header)
		}
	}
	close(gate) // only now may the running inference finish
	if r := <-replies; r.Status != http.StatusOK {
		t.Errorf("request running at shutdown: status %d: %s", r.Status, r.Body)
	}
	wg.Wait()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v, want nil (nothing was cut)", err)
	}
}
