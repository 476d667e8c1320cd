package target

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"contend/models"
	"contend/models/lexicon"
)

// ortReady initialises ONNX Runtime once per test binary.
var ortReady = sync.OnceValue(func() error {
	lib, err := models.ResolveLibrary("")
	if err == nil {
		err = models.InitRuntime(lib)
	}
	if err != nil {
		return fmt.Errorf("%w: run `make ort`", err)
	}
	return nil
})

// initRuntime fails the test loudly when ONNX Runtime cannot be initialised.
func initRuntime(t testing.TB) {
	t.Helper()
	if err := ortReady(); err != nil {
		t.Fatalf("onnx runtime unavailable: %v", err)
	}
}

// tiny holds the tiny lexicon models, built once per test binary into a temporary directory.
var tiny struct {
	once sync.Once
	root string
	err  error
}

// tinyModels initialises ONNX Runtime and returns the root of freshly built tiny models,
// failing the test loudly when the runtime is missing.
func tinyModels(t testing.TB) string {
	t.Helper()
	initRuntime(t)
	tiny.once.Do(func() {
		tiny.root, tiny.err = os.MkdirTemp("", "contend-target-models-")
		if tiny.err == nil {
			tiny.err = lexicon.Build(tiny.root, lexicon.Tiny)
		}
	})
	if tiny.err != nil {
		t.Fatalf("build tiny models: %v", tiny.err)
	}
	return tiny.root
}

func cleanupTinyModels() {
	if tiny.root != "" {
		_ = os.RemoveAll(tiny.root)
	}
}

// tracker watches Translate calls: how many run at once, and the most that ever did.
type tracker struct {
	running, max atomic.Int64
	// rendezvous, when positive, makes each call wait up to that long for a second call to be
	// running before it translates, so that overlap, when the strategy allows it, is certain.
	rendezvous time.Duration
}

// trackedTranslator is a real Translator observed by a tracker.
type trackedTranslator struct {
	Translator
	tr *tracker
}

func (t trackedTranslator) Translate(ctx context.Context, texts []string) ([]string, error) {
	t.tr.running.Add(1)
	defer t.tr.running.Add(-1)
	if t.tr.rendezvous > 0 {
		deadline := time.Now().Add(t.tr.rendezvous)
		for t.tr.running.Load() < 2 && time.Now().Before(deadline) && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
	}
	t.tr.raiseMax(t.tr.running.Load())
	return t.Translator.Translate(ctx, texts)
}

// raiseMax records n calls running at once.
func (tr *tracker) raiseMax(n int64) {
	for m := tr.max.Load(); n > m; m = tr.max.Load() {
		if tr.max.CompareAndSwap(m, n) {
			return
		}
	}
}

// countingLoad wraps load to count its calls and to track the models it returns.
func countingLoad(load LoadFunc, calls *atomic.Int64, tr *tracker) LoadFunc {
	return func(ctx context.Context) (*Models, error) {
		calls.Add(1)
		m, err := load(ctx)
		if err != nil || tr == nil {
			return m, err
		}
		return &Models{EnHi: trackedTranslator{m.EnHi, tr}, HiEn: trackedTranslator{m.HiEn, tr}}, nil
	}
}

// goldenRow is one line of models/lexicon/testdata/golden.tsv.
type goldenRow struct {
	source, target, text, want string
}

// goldenRows reads the lexicon's golden translations, owned by the models package.
func goldenRows(t testing.TB) []goldenRow {
	t.Helper()
	const path = "../models/lexicon/testdata/golden.tsv"
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("golden translations: %v (models/lexicon must ship testdata/golden.tsv)", err)
	}
	defer f.Close()
	var rows []goldenRow
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		fields := strings.Split(sc.Text(), "\t")
		src, tgt, ok := strings.Cut(fields[0], "-")
		if len(fields) != 3 || !ok {
			t.Fatalf("%s:%d: want direction<TAB>source<TAB>expected, got %q", path, line, sc.Text())
		}
		rows = append(rows, goldenRow{source: src, target: tgt, text: fields[1], want: fields[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return rows
}

// TestGoldenTranslationsOverHTTP sends every golden translation of the lexicon models
// through HTTP, one request per row and one batch per direction, and compares the answers.
func TestGoldenTranslationsOverHTTP(t *testing.T) {
	root := tinyModels(t)
	_, ts := newTestServer(t, Config{Strategy: StrategyDoubleChecked, Load: ModelLoader(root, 1)})

	rows := goldenRows(t)
	byPair := map[string][]goldenRow{}
	words, sentences := 0, 0
	for _, row := range rows {
		pair := row.source + "-" + row.target
		byPair[pair] = append(byPair[pair], row)
		n := len(strings.Fields(row.text))
		words += n
		if n > 1 {
			sentences++
		}
	}
	if len(byPair["en-hi"]) == 0 || len(byPair["hi-en"]) == 0 || sentences < 5 || words < 20 {
		t.Fatalf("golden.tsv has %d en-hi and %d hi-en rows, %d sentences, %d words; the test needs both directions, 5 sentences and 20 words",
			len(byPair["en-hi"]), len(byPair["hi-en"]), sentences, words)
	}
	for _, pair := range []string{"en-hi", "hi-en"} {
		pairRows := byPair[pair]
		for _, row := range pairRows {
			t.Run(pair+"/"+row.text, func(t *testing.T) {
				r := mustPost(t, ts, jsonBody(row.text, row.source, row.target))
				if r.Status != http.StatusOK {
					t.Fatalf("status %d: %s", r.Status, r.Body)
				}
				var got singleResponse
				if err := json.Unmarshal(r.Body, &got); err != nil {
					t.Fatal(err)
				}
				if got.Translation != row.want {
					t.Errorf("translation = %q, want %q", got.Translation, row.want)
				}
				if !strings.Contains(got.Model, pair) {
					t.Errorf("model = %q, want the %s model", got.Model, pair)
				}
				parseTiming(t, r)
			})
		}
		t.Run(pair+"/batch", func(t *testing.T) {
			batch := pairRows[:min(len(pairRows), MaxBatch)]
			texts := make([]string, len(batch))
			for i, r := range batch {
				texts[i] = r.text
			}
			body, _ := json.Marshal(map[string]any{"texts": texts, "source": batch[0].source, "target": batch[0].target})
			r := mustPost(t, ts, string(body))
			var got batchResponse
			if err := json.Unmarshal(r.Body, &got); err != nil || r.Status != http.StatusOK {
				t.Fatalf("status %d, %v: %s", r.Status, err, r.Body)
			}
			if len(got.Translations) != len(batch) {
				t.Fatalf("%d translations for %d texts", len(got.Translations), len(batch))
			}
			for i, row := range batch {
				if got.Translations[i] != row.want {
					t.Errorf("translations[%d] of %q = %q, want %q", i, row.text, got.Translations[i], row.want)
				}
			}
		})
	}
}

// TestColdBurstLoadsEachModelOnce sends 100 concurrent requests to a cold server per strategy
// (eager is warmed first: it answers 503 until then by design). Each model loads exactly once
// and every request succeeds.
func TestColdBurstLoadsEachModelOnce(t *testing.T) {
	root := tinyModels(t)
	for _, name := range StrategyNames {
		t.Run(name, func(t *testing.T) {
			var loads atomic.Int64
			srv, ts := newTestServer(t, Config{Strategy: name,
				Load: countingLoad(ModelLoader(root, 1), &loads, nil)})
			if name == StrategyEager {
				if err := srv.Warm(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			const n = 100
			statuses := make([]int, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					body := jsonBody("the water is cold", "en", "hi")
					if i%2 == 1 {
						body = jsonBody("पानी ठंडा है", "hi", "en")
					}
					r, err := postTranslate(t.Context(), ts, body)
					if err != nil {
						t.Errorf("request %d: %v", i, err)
						return
					}
					statuses[i] = r.Status
				})
			}
			close(start)
			wg.Wait()
			for i, s := range statuses {
				if s != http.StatusOK {
					t.Errorf("request %d: status %d", i, s)
				}
			}
			if got := loads.Load(); got != 1 {
				t.Errorf("load ran %d times, want 1", got)
			}
			for _, model := range []string{"en-hi", "hi-en"} {
				got := metricValue(t, ts, "contend_model_loads_total", `model="`+model+`"`, `result="ok"`)
				if got != 1 {
					t.Errorf("contend_model_loads_total{model=%q,result=\"ok\"} = %v, want 1", model, got)
				}
			}
		})
	}
}

// TestWarmConcurrencyPerStrategy: once loaded, naive still runs one inference at a time and
// makes the others wait; double-checked lets them overlap without waiting.
func TestWarmConcurrencyPerStrategy(t *testing.T) {
	root := tinyModels(t)
	tests := []struct {
		strategy     string
		rendezvous   time.Duration
		wantMax      func(int64) bool
		wantWaits    func(waited int) bool // how many of the 4 requests waited on the lock
		describeWant string
	}{
		{StrategyNaive, 150 * time.Millisecond,
			func(m int64) bool { return m == 1 }, func(w int) bool { return w >= 3 },
			"one inference at a time, at least 3 of 4 requests waiting"},
		{StrategyDoubleChecked, 5 * time.Second,
			func(m int64) bool { return m >= 2 }, func(w int) bool { return w == 0 },
			"overlapping inferences, no request waiting"},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			var loads atomic.Int64
			tr := &tracker{}
			srv, ts := newTestServer(t, Config{Strategy: tt.strategy,
				Load: countingLoad(ModelLoader(root, 1), &loads, tr)})
			if err := srv.Warm(t.Context()); err != nil {
				t.Fatal(err)
			}
			tr.rendezvous = tt.rendezvous
			const n = 4
			replies := make([]reply, n)
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					r, err := postTranslate(t.Context(), ts, jsonBody("the boy drinks cold water", "en", "hi"))
					if err != nil {
						t.Errorf("request %d: %v", i, err)
					}
					replies[i] = r
				})
			}
			close(start)
			wg.Wait()
			waited := 0
			for i, r := range replies {
				if r.Status != http.StatusOK {
					t.Fatalf("request %d: status %d: %s", i, r.Status, r.Body)
				}
				st := parseTiming(t, r)
				if st.wait > 0 {
					waited++
				}
				if st.load != 0 {
					t.Errorf("request %d reports load %s on a warm server", i, st.load)
				}
			}
			if m := tr.max.Load(); !tt.wantMax(m) || !tt.wantWaits(waited) {
				t.Errorf("max inferences in flight = %d, requests that waited = %d; want %s", m, waited, tt.describeWant)
			}
		})
	}
}

// TestRealLoadFailureNamesTheFile: with an empty model root, requests answer 503 naming the
// missing file; once the models appear, the next request loads them, except under once.
func TestRealLoadFailureNamesTheFile(t *testing.T) {
	built := tinyModels(t)
	tests := []struct {
		strategy  string
		wantRetry bool
	}{
		{StrategyNaive, true},
		{StrategyDoubleChecked, true},
		{StrategyOnce, false},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			root := t.TempDir()
			for _, dir := range []string{"en-hi", "hi-en"} { // present but empty
				if err := os.Mkdir(filepath.Join(root, dir), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			_, ts := newTestServer(t, Config{Strategy: tt.strategy, Load: ModelLoader(root, 1)})
			body := jsonBody("water", "en", "hi")
			r := mustPost(t, ts, body)
			if r.Status != http.StatusServiceUnavailable || r.errorCode() != CodeModelUnavailable {
				t.Fatalf("cold request with no models: status %d: %s", r.Status, r.Body)
			}
			if got := r.Header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
			if msg := r.errorMessage(); !strings.Contains(msg, filepath.Join(root, "en-hi")+string(filepath.Separator)) {
				t.Errorf("message %q does not name a file under %s", msg, filepath.Join(root, "en-hi"))
			}
			parseTiming(t, r)

			if err := os.CopyFS(root, os.DirFS(built)); err != nil {
				t.Fatal(err)
			}
			r = mustPost(t, ts, body)
			if got := r.Status == http.StatusOK; got != tt.wantRetry {
				t.Fatalf("request after the models appeared: status %d: %s", r.Status, r.Body)
			}
			if !tt.wantRetry && !strings.Contains(r.errorMessage(), "never retries") {
				t.Errorf("sticky failure message %q does not say it is never retried", r.errorMessage())
			}
			if got := mustGet(t, ts, "/healthz").Status; got != http.StatusOK {
				t.Errorf("/healthz = %d after a failed load, want 200", got)
			}
		})
	}
}

// TestEagerServeGatesReadiness runs Serve on a loopback listener with the eager strategy and
// no models yet: /readyz and /translate answer 503, the background load retries, and once the
// models appear /readyz turns 200 and translations flow. Cancelling the context stops Serve.
func TestEagerServeGatesReadiness(t *testing.T) {
	built := tinyModels(t)
	root := t.TempDir()
	srv, err := NewServer(Config{Strategy: StrategyEager, Load: ModelLoader(root, 1)})
	if err != nil {
		t.Fatal(err)
	}
	ln := listenLoopback(t)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	get := func(path string) reply {
		r, err := do(t.Context(), client, http.MethodGet, base+path, "", nil)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return r
	}
	post := func() reply {
		r, err := do(t.Context(), client, http.MethodPost, base+"/translate", "application/json",
			[]byte(jsonBody("water", "en", "hi")))
		if err != nil {
			t.Fatalf("POST /translate: %v", err)
		}
		return r
	}

	if r := get("/healthz"); r.Status != http.StatusOK {
		t.Errorf("/healthz before load = %d, want 200", r.Status)
	}
	if r := get("/readyz"); r.Status != http.StatusServiceUnavailable || r.errorCode() != CodeNotReady {
		t.Errorf("/readyz before load = %d %s, want 503 not_ready", r.Status, r.Body)
	}
	if r := post(); r.Status != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("/translate before load = %d (Retry-After %q), want 503 with Retry-After", r.Status, r.Header.Get("Retry-After"))
	}
	if err := os.CopyFS(root, os.DirFS(built)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "/readyz to answer 200", func() bool { return get("/readyz").Status == http.StatusOK })
	if r := post(); r.Status != http.StatusOK {
		t.Errorf("/translate after load = %d: %s", r.Status, r.Body)
	}
	cancel()
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve returned %v after cancel, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return within 5s of cancel")
	}
}
