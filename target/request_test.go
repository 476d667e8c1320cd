package target

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// statusOf is the status each error code answers with; the fuzz target and the HTTP table
// both hold the server to it.
var statusOf = map[string]int{
	CodeInvalidJSON:          http.StatusBadRequest,
	CodeUnknownField:         http.StatusBadRequest,
	CodeAmbiguousText:        http.StatusBadRequest,
	CodeMissingText:          http.StatusBadRequest,
	CodeMissingLanguage:      http.StatusBadRequest,
	CodeEmptyText:            http.StatusUnprocessableEntity,
	CodeTextTooLong:          http.StatusUnprocessableEntity,
	CodeBatchTooLarge:        http.StatusUnprocessableEntity,
	CodeUnsupportedPair:      http.StatusUnprocessableEntity,
	CodeUnsupportedMediaType: http.StatusUnsupportedMediaType,
	CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	CodeNotFound:             http.StatusNotFound,
	CodeBodyTooLarge:         http.StatusRequestEntityTooLarge,
	CodeModelUnavailable:     http.StatusServiceUnavailable,
	CodeNotReady:             http.StatusServiceUnavailable,
	CodeInferenceFailed:      http.StatusInternalServerError,
	CodeTimeout:              http.StatusGatewayTimeout,
	CodeCanceled:             StatusClientClosedRequest,
}

func TestBadInputAnswersCodedJSON(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	_, ts := newTestServer(t, Config{Strategy: StrategyDoubleChecked, Load: loader.load})

	texts := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf("%q", fmt.Sprint("word ", i))
		}
		return `{"texts": [` + strings.Join(parts, ",") + `], "source": "en", "target": "hi"}`
	}
	const json = "application/json"
	tests := []struct {
		name        string
		method      string
		path        string
		contentType string
		body        string
		wantStatus  int
		wantCode    string // "" for a 200
		wantAllow   string
	}{
		{"valid single", "POST", "/translate", json, jsonBody("the water is cold", "en", "hi"), 200, "", ""},
		{"valid batch", "POST", "/translate", json, texts(MaxBatch), 200, "", ""},
		{"valid charset parameter", "POST", "/translate", "application/json; charset=utf-8", jsonBody("water", "en", "hi"), 200, "", ""},
		{"longest text in runes", "POST", "/translate", json, jsonBody(strings.Repeat("क", MaxTextRunes), "hi", "en"), 200, "", ""},
		{"trailing white space", "POST", "/translate", json, jsonBody("water", "en", "hi") + " \n\t", 200, "", ""},

		{"empty body", "POST", "/translate", json, "", 400, CodeInvalidJSON, ""},
		{"not json", "POST", "/translate", json, "translate this", 400, CodeInvalidJSON, ""},
		{"truncated", "POST", "/translate", json, `{"text": "water", "source"`, 400, CodeInvalidJSON, ""},
		{"array", "POST", "/translate", json, `["water"]`, 400, CodeInvalidJSON, ""},
		{"null", "POST", "/translate", json, `null`, 400, CodeInvalidJSON, ""},
		{"text is a number", "POST", "/translate", json, `{"text": 5, "source": "en", "target": "hi"}`, 400, CodeInvalidJSON, ""},
		{"texts is a string", "POST", "/translate", json, `{"texts": "water", "source": "en", "target": "hi"}`, 400, CodeInvalidJSON, ""},
		{"trailing object", "POST", "/translate", json, jsonBody("water", "en", "hi") + `{}`, 400, CodeInvalidJSON, ""},
		{"trailing garbage", "POST", "/translate", json, jsonBody("water", "en", "hi") + `x`, 400, CodeInvalidJSON, ""},
		{"unknown field", "POST", "/translate", json, `{"text": "water", "source": "en", "target": "hi", "beam": 4}`, 400, CodeUnknownField, ""},
		{"both text and texts", "POST", "/translate", json, `{"text": "a", "texts": ["b"], "source": "en", "target": "hi"}`, 400, CodeAmbiguousText, ""},
		{"neither text nor texts", "POST", "/translate", json, `{"source": "en", "target": "hi"}`, 400, CodeMissingText, ""},
		{"null text", "POST", "/translate", json, `{"text": null, "source": "en", "target": "hi"}`, 400, CodeMissingText, ""},
		{"empty texts", "POST", "/translate", json, `{"texts": [], "source": "en", "target": "hi"}`, 400, CodeMissingText, ""},
		{"no source", "POST", "/translate", json, `{"text": "water", "target": "hi"}`, 400, CodeMissingLanguage, ""},
		{"no target", "POST", "/translate", json, `{"text": "water", "source": "en"}`, 400, CodeMissingLanguage, ""},
		{"empty text", "POST", "/translate", json, jsonBody("", "en", "hi"), 422, CodeEmptyText, ""},
		{"blank text", "POST", "/translate", json, jsonBody(" \t\n", "en", "hi"), 422, CodeEmptyText, ""},
		{"one empty text in batch", "POST", "/translate", json, `{"texts": ["water", ""], "source": "en", "target": "hi"}`, 422, CodeEmptyText, ""},
		{"text too long", "POST", "/translate", json, jsonBody(strings.Repeat("क", MaxTextRunes+1), "hi", "en"), 422, CodeTextTooLong, ""},
		{"batch too large", "POST", "/translate", json, texts(MaxBatch + 1), 422, CodeBatchTooLarge, ""},
		{"unsupported target", "POST", "/translate", json, jsonBody("water", "en", "fr"), 422, CodeUnsupportedPair, ""},
		{"same language", "POST", "/translate", json, jsonBody("water", "en", "en"), 422, CodeUnsupportedPair, ""},
		{"upper-case code", "POST", "/translate", json, jsonBody("water", "EN", "hi"), 422, CodeUnsupportedPair, ""},
		{"text/plain", "POST", "/translate", "text/plain", jsonBody("water", "en", "hi"), 415, CodeUnsupportedMediaType, ""},
		{"no content type", "POST", "/translate", "", jsonBody("water", "en", "hi"), 415, CodeUnsupportedMediaType, ""},
		{"malformed content type", "POST", "/translate", "application/json; =", jsonBody("water", "en", "hi"), 415, CodeUnsupportedMediaType, ""},
		{"body too large", "POST", "/translate", json, `{"text": "` + strings.Repeat("a", int(DefaultMaxBodyBytes)) + `", "source": "en", "target": "hi"}`, 413, CodeBodyTooLarge, ""},
		{"GET translate", "GET", "/translate", "", "", 405, CodeMethodNotAllowed, "POST"},
		{"PUT translate", "PUT", "/translate", json, jsonBody("water", "en", "hi"), 405, CodeMethodNotAllowed, "POST"},
		{"POST healthz", "POST", "/healthz", json, "{}", 405, CodeMethodNotAllowed, "GET, HEAD"},
		{"DELETE readyz", "DELETE", "/readyz", "", "", 405, CodeMethodNotAllowed, "GET, HEAD"},
		{"POST metrics", "POST", "/metrics", "", "", 405, CodeMethodNotAllowed, "GET, HEAD"},
		{"unknown path", "GET", "/translations", "", "", 404, CodeNotFound, ""},
		{"root", "GET", "/", "", "", 404, CodeNotFound, ""},
		{"pprof when off", "GET", "/debug/pprof/", "", "", 404, CodeNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := do(t.Context(), ts.Client(), tt.method, ts.URL+tt.path, tt.contentType, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d (body %.200s)", r.Status, tt.wantStatus, r.Body)
			}
			if got := r.errorCode(); got != tt.wantCode {
				t.Errorf("error code = %q, want %q (body %.200s)", got, tt.wantCode, r.Body)
			}
			if tt.wantCode != "" {
				if statusOf[tt.wantCode] != tt.wantStatus {
					t.Errorf("code %s answered %d, the documented status is %d", tt.wantCode, tt.wantStatus, statusOf[tt.wantCode])
				}
				if r.errorMessage() == "" {
					t.Errorf("error without a message: %s", r.Body)
				}
			}
			if got := r.Header.Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
			if got := r.Header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow = %q, want %q", got, tt.wantAllow)
			}
			if tt.path == "/translate" {
				parseTiming(t, r) // present on every answer, errors included
			}
		})
	}
	if got := loader.calls.Load(); got != 1 {
		t.Errorf("models loaded %d times, want 1 (only the valid requests need them)", got)
	}
}

func TestTranslateAnswerShapes(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	_, ts := newTestServer(t, Config{Strategy: StrategyNaive, Load: loader.load})
	tests := []struct {
		name string
		body string
		want string
	}{
		{"single en-hi", jsonBody("water", "en", "hi"),
			`{"translation":"fake/en-hi:water","source":"en","target":"hi","model":"fake/en-hi"}`},
		{"single hi-en", jsonBody("पानी", "hi", "en"),
			`{"translation":"fake/hi-en:पानी","source":"hi","target":"en","model":"fake/hi-en"}`},
		{"batch", `{"texts": ["a", "b"], "source": "en", "target": "hi"}`,
			`{"translations":["fake/en-hi:a","fake/en-hi:b"],"source":"en","target":"hi","model":"fake/en-hi"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustPost(t, ts, tt.body)
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Body)
			}
			if got := strings.TrimSpace(string(r.Body)); got != tt.want {
				t.Errorf("body\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

// FuzzDecodeRequest holds decodeRequest to its contract on any body: no panic, and either a
// valid request or a coded error with a documented status, never both.
func FuzzDecodeRequest(f *testing.F) {
	for _, seed := range []string{
		jsonBody("the water is cold", "en", "hi"),
		jsonBody("पानी ठंडा है", "hi", "en"),
		`{"texts": ["a", "b"], "source": "en", "target": "hi"}`,
		`{"text": "a", "texts": ["b"], "source": "en", "target": "hi"}`,
		`{"texts": [], "source": "en", "target": "hi"}`,
		`{"texts": [null], "source": "en", "target": "hi"}`,
		`{"text": "a", "source": "en", "target": "hi", "x": 1}`,
		`{"TEXT": "a", "Source": "en", "target": "hi"}`,
		`{"text": "a", "source": "en", "target": "hi"} {}`,
		`{"text": "\ud800", "source": "en", "target": "hi"}`,
		`{"text": 1e999}`,
		`null`, `[]`, `"text"`, `{`, ``, "\xff\xfe",
	} {
		f.Add([]byte(seed))
	}
	const limit = 4096
	f.Fuzz(func(t *testing.T, body []byte) {
		req, e := decodeRequest(http.MaxBytesReader(nil, io.NopCloser(bytes.NewReader(body)), limit))
		if e != nil {
			want, known := statusOf[e.Code]
			if !known || want != e.Status || e.Status < 400 || e.Status >= 500 {
				t.Fatalf("error %+v: unknown code or wrong status", e)
			}
			if e.Message == "" {
				t.Fatalf("error %s without a message", e.Code)
			}
			if req.Texts != nil || req.Source != "" {
				t.Fatalf("both a request %+v and an error %v", req, e)
			}
			return
		}
		if len(body) > limit {
			t.Fatalf("accepted a %d-byte body over the %d-byte limit", len(body), limit)
		}
		if !json.Valid(bytes.TrimSpace(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if !supportedPair(req.Source, req.Target) {
			t.Fatalf("accepted pair %q->%q", req.Source, req.Target)
		}
		if n := len(req.Texts); n < 1 || n > MaxBatch || (!req.Batch && n != 1) {
			t.Fatalf("accepted %d texts (batch %v)", n, req.Batch)
		}
		for _, s := range req.Texts {
			if strings.TrimSpace(s) == "" || utf8.RuneCountInString(s) > MaxTextRunes {
				t.Fatalf("accepted text %q", s)
			}
		}
	})
}
