package target

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestCostlyTextsRefusedBeforeInference: texts within the character limit but over the
// token limit (the ". " * 500, a batch over MaxRequestTokens) answer 422 at once,
// with the limits in the message, on the real models; the longest accepted text translates.
func TestCostlyTextsRefusedBeforeInference(t *testing.T) {
	_, ts := newTestServer(t, Config{Strategy: StrategyDoubleChecked, Load: ModelLoader(tinyModels(t), 1)})
	batch := make([]string, 5)
	for i := range batch {
		batch[i] = strings.TrimSpace(strings.Repeat("water ", MaxTextTokens-1)) // 64 tokens each, 320 in all
	}
	batchBody, _ := json.Marshal(map[string]any{"texts": batch, "source": "en", "target": "hi"})
	perText := fmt.Sprintf("limit of %d tokens per text", MaxTextTokens)
	perRequest := fmt.Sprintf("limit of %d tokens per request", MaxRequestTokens)
	for _, tt := range []struct{ name, body, want string }{
		{"dots", jsonBody(strings.Repeat(". ", 500), "en", "hi"), perText},
		{"words", jsonBody(strings.Repeat("boy ", 250), "en", "hi"), perText},
		{"batch", string(batchBody), perRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := mustPost(t, ts, tt.body)
			if r.Status != http.StatusUnprocessableEntity || r.errorCode() != CodeTextTooLong {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if msg := r.errorMessage(); !strings.Contains(msg, tt.want) || !strings.Contains(msg, limitsNote) {
				t.Errorf("message %q does not state %q and the limits", msg, tt.want)
			}
		})
	}
	longest := strings.TrimSpace(strings.Repeat("water ", MaxTextTokens-1)) // + </s>
	batch = batch[:MaxRequestTokens/MaxTextTokens]
	for i := range batch {
		batch[i] = longest
	}
	batchBody, _ = json.Marshal(map[string]any{"texts": batch, "source": "en", "target": "hi"})
	for _, body := range []string{jsonBody(longest, "en", "hi"), string(batchBody)} {
		if r := mustPost(t, ts, body); r.Status != http.StatusOK {
			t.Errorf("texts at the limits: status %d: %s", r.Status, r.Body)
		}
	}
}

// TestEvery422StatesTheLimits: each 422 about a request's size names every limit.
func TestEvery422StatesTheLimits(t *testing.T) {
	_, ts := newTestServer(t, Config{Load: (&fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}).load})
	texts := make([]string, MaxBatch+1)
	for i := range texts {
		texts[i] = "water"
	}
	batch, _ := json.Marshal(map[string]any{"texts": texts, "source": "en", "target": "hi"})
	for _, body := range []string{jsonBody(strings.Repeat("a", MaxTextRunes+1), "en", "hi"), string(batch)} {
		r := mustPost(t, ts, body)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		for _, n := range []int{MaxTextRunes, MaxTextTokens, MaxBatch, MaxRequestTokens} {
			if !strings.Contains(r.errorMessage(), fmt.Sprint(n)) {
				t.Errorf("message %q does not state the limit %d", r.errorMessage(), n)
			}
		}
	}
}

// TestInferenceDeadline: a translation running past Config.InferenceTimeout is stopped and
// answers 504, well before the request's own deadline.
func TestInferenceDeadline(t *testing.T) {
	gate := make(chan struct{}) // never opened: the inference runs until stopped
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(gate)}}
	const limit = 50 * time.Millisecond
	_, ts := newTestServer(t, Config{Load: loader.load, InferenceTimeout: limit, RequestTimeout: time.Hour})
	r := mustPost(t, ts, jsonBody("water", "en", "hi"))
	if r.Status != http.StatusGatewayTimeout || r.errorCode() != CodeTimeout {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if msg := r.errorMessage(); !strings.Contains(msg, limit.String()) || !strings.Contains(msg, "inference") {
		t.Errorf("message %q should say inference ran past %s", msg, limit)
	}
}
