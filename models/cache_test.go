package models

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// goldenSources returns the golden file's source texts per direction.
func goldenSources(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open(goldenFile)
	if err != nil {
		t.Fatalf("golden translations (written by models/lexicon): %v", err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			fields := strings.Split(line, "\t")
			out[fields[0]] = append(out[fields[0]], fields[1])
		}
	}
	if err := sc.Err(); err != nil || len(out) == 0 {
		t.Fatalf("%s: %d directions read, error %v", goldenFile, len(out), err)
	}
	return out
}

// TestCacheMatchesNoCache: decoding with decoder_with_past_model.onnx's key/value cache and
// decoding without it (every step re-reading the prefix) give the same translations, one by
// one and in a batch, for every golden sentence and a long text.
func TestCacheMatchesNoCache(t *testing.T) {
	root := tinyRoot(t)
	for dir, texts := range goldenSources(t) {
		t.Run(dir, func(t *testing.T) {
			cached := tinyModel(t, dir)
			if !cached.UsesCache() {
				t.Fatalf("the tiny %s model does not use %s", dir, decoderWithPastFile)
			}
			plain, err := Load(filepath.Join(root, dir), DecoderCache(false))
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			if plain.UsesCache() {
				t.Fatal("DecoderCache(false) still uses the cache")
			}
			texts = append(texts, sentences[dir]...)
			texts = append(texts, strings.Repeat(texts[0]+" ", 60))
			want := translateEach(t, plain, texts)
			if got := translateEach(t, cached, texts); !equalStrings(got, want) {
				t.Errorf("one by one, with the cache:\n%q\nwithout:\n%q", got, want)
			}
			got, err := cached.Translate(context.Background(), texts)
			if err != nil {
				t.Fatal(err)
			}
			if !equalStrings(got, want) {
				t.Errorf("in a batch, with the cache:\n%q\nwithout, one by one:\n%q", got, want)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestNoCacheFileFallsBack: an export without decoder_with_past_model.onnx (Optimum's export
// without past) decodes with decoder_model.onnx alone, translating the same.
func TestNoCacheFileFallsBack(t *testing.T) {
	dir := copyModel(t, "en-hi")
	remove(decoderWithPastFile)(t, dir)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.UsesCache() {
		t.Fatal("UsesCache without decoder_with_past_model.onnx")
	}
	texts := sentences["en-hi"]
	if got, want := translateEach(t, m, texts), translateEach(t, tinyModel(t, "en-hi"), texts); !equalStrings(got, want) {
		t.Errorf("without the cache file: %q, want %q", got, want)
	}
}

// TestSourceLimits: a text over the model's limit (max_position_embeddings, or
// tokenizer_config.json's model_max_length when smaller) and a call over MaxTokens fail with
// a *TooLongError, before any inference, whose message states the limit.
func TestSourceLimits(t *testing.T) {
	dir := copyModel(t, "en-hi")
	if err := os.WriteFile(filepath.Join(dir, tokenizerConfigFile), []byte(`{"model_max_length": 8}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(dir, MaxTokens(12))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := m.SourceLimit(); got != 8 {
		t.Fatalf("SourceLimit = %d, want 8 (model_max_length)", got)
	}
	if got := tinyModel(t, "en-hi").SourceLimit(); got != tinyModel(t, "en-hi").Config().MaxPositions {
		t.Errorf("SourceLimit without tokenizer_config.json = %d, want max_position_embeddings", got)
	}
	lowered, err := Load(dir, MaxTextTokens(5))
	if err != nil {
		t.Fatal(err)
	}
	defer lowered.Close()
	if got := lowered.SourceLimit(); got != 5 {
		t.Errorf("SourceLimit with MaxTextTokens(5) = %d, want 5", got)
	}
	for _, tt := range []struct {
		name  string
		texts []string
		want  TooLongError
	}{
		{"one text", []string{"water water water water water water water water"},
			TooLongError{Text: "the text", Tokens: 9, Limit: 8}},
		{"one of a batch", []string{"water", "water water water water water water water water"},
			TooLongError{Text: "texts[1]", Tokens: 9, Limit: 8}},
		{"the batch", []string{"water water water water", "water water water water", "water water water"},
			TooLongError{Text: "the texts", Tokens: 14, Limit: 12, PerCall: true}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Translate(context.Background(), tt.texts)
			var tl *TooLongError
			if !errors.As(err, &tl) || !errors.Is(err, ErrTooLong) {
				t.Fatalf("Translate = %v, want a *TooLongError", err)
			}
			if *tl != tt.want {
				t.Errorf("error %+v, want %+v", *tl, tt.want)
			}
			if !strings.Contains(err.Error(), "limit of ") {
				t.Errorf("message %q does not state the limit", err)
			}
		})
	}
	if _, err := m.Translate(context.Background(), []string{"water water water water water water water"}); err != nil {
		t.Errorf("a text at the limit: %v", err)
	}
}
