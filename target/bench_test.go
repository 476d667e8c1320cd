package target

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"contend/models"
)

// benchText is a ten-word sentence, the seed's typical request.
const benchText = "the old man gives the boy cold water every morning"

// benchServer serves the base models when `make models` has built them (found like the CLI
// finds them: $CONTEND_MODELS/base, then .cache/models/base upward), else freshly built tiny
// ones, with the given strategy, warmed.
func benchServer(b *testing.B, strategy string) (*Server, string) {
	b.Helper()
	initRuntime(b)
	size := "base"
	root, err := models.ResolveModelsRoot("", size)
	if err != nil {
		size, root = "tiny", tinyModels(b)
	}
	srv, ts := newTestServer(b, Config{Strategy: strategy, Load: ModelLoader(root, 1)})
	if err := srv.Warm(context.Background()); err != nil {
		b.Fatalf("load %s models from %s: %v", size, root, err)
	}
	b.Logf("%s models from %s", size, root)
	return srv, ts.URL
}

// benchPost sends one translation and fails the benchmark unless it answers 200.
func benchPost(b *testing.B, client *http.Client, url, body string) {
	r, err := do(context.Background(), client, http.MethodPost, url+"/translate", "application/json", []byte(body))
	if err != nil || r.Status != http.StatusOK {
		b.Errorf("POST /translate: %v, status %d: %s", err, r.Status, r.Body)
	}
}

// BenchmarkTranslate compares the same translation, same model, same text, through HTTP on
// loopback and by calling the Translator directly, alternating the two each iteration so that
// both see the same machine. overhead-ratio is http/direct - 1: the goal is below 0.05 on the
// base models.
func BenchmarkTranslate(b *testing.B) {
	srv, url := benchServer(b, StrategyDoubleChecked)
	model := srv.loaded.Load().EnHi
	client := &http.Client{}
	defer client.CloseIdleConnections()
	body := jsonBody(benchText, English, Hindi)
	texts := []string{benchText}
	var direct, viaHTTP time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		if _, err := model.Translate(context.Background(), texts); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		benchPost(b, client, url, body)
		direct += mid.Sub(start)
		viaHTTP += time.Since(mid)
		n++
	}
	b.ReportMetric(float64(direct.Nanoseconds())/float64(n), "direct-ns/op")
	b.ReportMetric(float64(viaHTTP.Nanoseconds())/float64(n), "http-ns/op")
	b.ReportMetric(float64(viaHTTP)/float64(direct)-1, "overhead-ratio")
}

// BenchmarkConcurrency times 4 sequential requests and then 4 concurrent ones per strategy,
// on a warm server, and reports wall-ratio = concurrent / sequential wall time: about 1.0
// when a lock serializes requests (naive), and at most 0.6 on 2 cores when they run in
// parallel (double-checked, once, eager).
func BenchmarkConcurrency(b *testing.B) {
	const requests = 4
	for _, name := range StrategyNames {
		b.Run(name, func(b *testing.B) {
			_, url := benchServer(b, name)
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: requests}}
			defer client.CloseIdleConnections()
			body := jsonBody(benchText, English, Hindi)
			benchPost(b, client, url, body) // open a connection before timing
			var sequential, concurrent time.Duration
			for b.Loop() {
				start := time.Now()
				for range requests {
					benchPost(b, client, url, body)
				}
				mid := time.Now()
				var wg sync.WaitGroup
				for range requests {
					wg.Go(func() { benchPost(b, client, url, body) })
				}
				wg.Wait()
				sequential += mid.Sub(start)
				concurrent += time.Since(mid)
			}
			b.ReportMetric(float64(concurrent)/float64(sequential), "wall-ratio")
		})
	}
}

// BenchmarkWorstValidRequest times the costliest requests the limits admit, over HTTP on
// the base models (when built): one text of MaxTextTokens tokens, and MaxRequestTokens split
// into texts of MaxTextTokens tokens (the batch decodes as many steps as one text, with more
// rows). The goal is under 2 s a request; cpu-ms/op is the process CPU time per request,
// what an idle core takes when the machine is shared.
func BenchmarkWorstValidRequest(b *testing.B) {
	_, url := benchServer(b, StrategyDoubleChecked)
	client := &http.Client{}
	defer client.CloseIdleConnections()
	words := strings.TrimSpace(strings.Repeat("boy ", MaxTextTokens-1)) // + </s>
	hindi := strings.TrimSpace(strings.Repeat("लड़का ", MaxTextTokens-1))
	batch := func(text, source, target string, n int) string {
		texts := make([]string, n)
		for i := range texts {
			texts[i] = text
		}
		body, _ := json.Marshal(map[string]any{"texts": texts, "source": source, "target": target})
		return string(body)
	}
	for _, c := range []struct{ name, body string }{
		{"en-hi/one-text", jsonBody(words, English, Hindi)},
		{"en-hi/batch", batch(words, English, Hindi, MaxRequestTokens/MaxTextTokens)},
		{"hi-en/batch", batch(hindi, Hindi, English, MaxRequestTokens/MaxTextTokens)},
	} {
		b.Run(c.name, func(b *testing.B) {
			cpu0 := processCPU()
			for b.Loop() {
				benchPost(b, client, url, c.body)
			}
			b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// processCPU returns the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
