package models

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// copyModel copies the tiny model of a direction into a fresh directory named after it and
// returns that directory.
func copyModel(t *testing.T, direction string) string {
	t.Helper()
	src := filepath.Join(tinyRoot(t), direction)
	dst := filepath.Join(t.TempDir(), direction)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatalf("copy model: %v", err)
	}
	return dst
}

func TestLoadErrors(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside.onnx")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		file    string // file the error must name, relative to the model directory
		breakIt func(t *testing.T, dir string)
		wantIs  error
	}{
		{name: "missing encoder", file: encoderFile, breakIt: remove(encoderFile), wantIs: fs.ErrNotExist},
		{name: "missing decoder", file: decoderFile, breakIt: remove(decoderFile), wantIs: fs.ErrNotExist},
		{name: "missing config", file: configFile, breakIt: remove(configFile), wantIs: fs.ErrNotExist},
		{name: "missing tokenizer", file: tokenizerFile, breakIt: remove(tokenizerFile), wantIs: fs.ErrNotExist},
		{name: "corrupt encoder", file: encoderFile, breakIt: overwrite(encoderFile, "not an onnx graph")},
		{name: "truncated decoder", file: decoderFile, breakIt: truncate(decoderFile)},
		{name: "corrupt config", file: configFile, breakIt: overwrite(configFile, "{")},
		{name: "corrupt generation config", file: generationConfigFile, breakIt: overwrite(generationConfigFile, "[")},
		{name: "corrupt tokenizer", file: tokenizerFile, breakIt: overwrite(tokenizerFile, `{"model": 3}`)},
		{name: "corrupt target tokenizer", file: targetTokenizerFile, breakIt: overwrite(targetTokenizerFile, "{")},
		{name: "corrupt tokenizer config", file: tokenizerConfigFile, breakIt: overwrite(tokenizerConfigFile, "{")},
		{name: "truncated decoder with past", file: decoderWithPastFile, breakIt: truncate(decoderWithPastFile)},
		{
			// A decoder without present.* outputs (an export without past) beside a
			// decoder_with_past_model.onnx cannot feed its cache.
			name: "decoder with past beside a decoder without the cache outputs",
			file: decoderFile,
			breakIt: func(t *testing.T, dir string) {
				data, err := os.ReadFile(filepath.Join(dir, decoderWithPastFile))
				if err != nil {
					t.Fatal(err)
				}
				overwrite(decoderFile, string(data))(t, dir)
			},
		},
		{
			name: "encoder linking outside the directory",
			file: encoderFile,
			breakIt: func(t *testing.T, dir string) {
				remove(encoderFile)(t, dir)
				if err := os.Symlink(outside, filepath.Join(dir, encoderFile)); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "graph without the inputs of an encoder",
			file: encoderFile,
			breakIt: func(t *testing.T, dir string) {
				data, err := os.ReadFile(filepath.Join(dir, decoderFile))
				if err != nil {
					t.Fatal(err)
				}
				// A decoder graph in the encoder's place has no last_hidden_state output
				// and wants inputs that an encoder is not given.
				overwrite(encoderFile, string(data))(t, dir)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyModel(t, "en-hi")
			tt.breakIt(t, dir)
			m, err := Load(dir)
			if err == nil {
				m.Close()
				t.Fatal("Load succeeded, want an error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "load en-hi: ") {
				t.Errorf("error %q does not start with %q", msg, "load en-hi: ")
			}
			if want := filepath.Join(dir, tt.file); !strings.Contains(msg, want) {
				t.Errorf("error %q does not name %s", msg, want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
		})
	}
	t.Run("missing directory", func(t *testing.T) {
		_, err := Load(filepath.Join(t.TempDir(), "en-hi"))
		if !errors.Is(err, fs.ErrNotExist) || !strings.HasPrefix(err.Error(), "load en-hi: ") {
			t.Errorf("Load(missing dir) = %v, want a not-exist error starting with load en-hi", err)
		}
	})
}

func remove(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func overwrite(name, content string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func truncate(name string) func(*testing.T, string) {
	return func(t *testing.T, dir string) {
		t.Helper()
		p := filepath.Join(dir, name)
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, st.Size()/2); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadOptions(t *testing.T) {
	const text = "the big river is not far from the old house"
	reference := translateEach(t, tinyModel(t, "en-hi"), []string{text})[0]
	refWords := len(strings.Fields(reference))
	if refWords < 4 {
		t.Fatalf("reference translation %q too short for this test", reference)
	}
	tests := []struct {
		name      string
		opts      []Option
		genConfig string // written as generation_config.json when not empty
		config    string // replaces config.json's "max_length" line when not empty
		want      string
		wantErr   string
	}{
		{name: "two intra-op threads", opts: []Option{IntraOpThreads(2)}, want: reference},
		{name: "max length caps the output", opts: []Option{MaxLength(3)}, want: strings.Join(strings.Fields(reference)[:2], " ")},
		{name: "generation config caps the output", genConfig: `{"max_length": 4}`, want: strings.Join(strings.Fields(reference)[:3], " ")},
		{name: "option wins over generation config", opts: []Option{MaxLength(3)}, genConfig: `{"max_length": 4}`, want: strings.Join(strings.Fields(reference)[:2], " ")},
		{name: "zero threads", opts: []Option{IntraOpThreads(0)}, wantErr: "intra-op threads 0"},
		{name: "max length one", opts: []Option{MaxLength(1)}, wantErr: "max length 1"},
		{name: "config max_length caps the output", config: `"max_length": 4,`, want: strings.Join(strings.Fields(reference)[:3], " ")},
		{name: "config max_length caps the output without the cache", opts: []Option{DecoderCache(false)},
			config: `"max_length": 4,`, want: strings.Join(strings.Fields(reference)[:3], " ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyModel(t, "en-hi")
			if tt.genConfig != "" {
				overwrite(generationConfigFile, tt.genConfig)(t, dir)
			}
			if tt.config != "" {
				raw, err := os.ReadFile(filepath.Join(dir, configFile))
				if err != nil {
					t.Fatal(err)
				}
				edited := regexp.MustCompile(`"max_length": \d+,`).ReplaceAllString(string(raw), tt.config)
				if edited == string(raw) {
					t.Fatalf("config.json has no max_length line to replace:\n%s", raw)
				}
				overwrite(configFile, edited)(t, dir)
			}
			m, err := Load(dir, tt.opts...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Load = %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if got := translateEach(t, m, []string{text})[0]; got != tt.want {
				t.Errorf("Translate(%q) = %q, want %q", text, got, tt.want)
			}
		})
	}
}

func TestLoadSharedTokenizer(t *testing.T) {
	// A real Marian export has one vocabulary for both sides, so without
	// target_tokenizer.json the source tokenizer decodes too. The lexicon models have
	// separate vocabularies: decoding hi-en's English ids with its Hindi tokenizer must give
	// something other than the reference translation, which shows the fallback is in use.
	const text = "पानी ठंडा है।"
	dir := copyModel(t, "hi-en")
	remove(targetTokenizerFile)(t, dir)
	m, err := Load(dir)
	if err != nil {
		t.Fatalf("Load without target_tokenizer.json: %v", err)
	}
	defer m.Close()
	if m.tgt != m.src {
		t.Fatal("without target_tokenizer.json the target side must reuse tokenizer.json")
	}
	got := translateEach(t, m, []string{text})
	want := translateEach(t, tinyModel(t, "hi-en"), []string{text})
	if slices.Equal(got, want) {
		t.Errorf("decoding with the source vocabulary gave the reference %q", got)
	}
}

func TestLengthLimit(t *testing.T) {
	tests := []struct{ maxLength, srcLen, want int }{
		{512, 1, 18},
		{512, 12, 40},
		{512, 300, 512},
		{20, 12, 20},
		{3, 1, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("max%d/src%d", tt.maxLength, tt.srcLen), func(t *testing.T) {
			m := &Model{cfg: Config{MaxLength: tt.maxLength}}
			if got := m.lengthLimit(tt.srcLen); got != tt.want {
				t.Errorf("lengthLimit(%d) with max_length %d = %d, want %d", tt.srcLen, tt.maxLength, got, tt.want)
			}
		})
	}
}

func TestRunawayDecodingIsBounded(t *testing.T) {
	// With an end-of-sequence id that the model never produces, decoding runs until the
	// length bound: a source of 4 tokens ("water", </s> from the post-processor, the
	// configured eos appended) allows 2*4+16-1 = 23 generated tokens, far below max_length.
	dir := copyModel(t, "en-hi")
	overwrite(generationConfigFile, `{"eos_token_id": 5}`)(t, dir)
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Config().MaxLength < 100 {
		t.Fatalf("max_length %d is too small for this test", m.Config().MaxLength)
	}
	ids, err := m.src.Encode("water")
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Translate(context.Background(), []string{"water"})
	if err != nil {
		t.Fatal(err)
	}
	limit := m.lengthLimit(len(ids)) - 1
	if n := len(strings.Fields(got[0])); n == 0 || n > limit {
		t.Errorf("runaway translation %q has %d words, want 1..%d", got[0], n, limit)
	}
}
