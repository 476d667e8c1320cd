package models

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// readTestTokenizer returns testdata/<name>/tokenizer.json, edited by edit when non-nil.
func readTestTokenizer(t testing.TB, name string, edit func(doc map[string]any)) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	if edit == nil {
		return data
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	if data, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestTokenizerEncode(t *testing.T) {
	noPost := func(doc map[string]any) { doc["post_processor"] = nil }
	tests := []struct {
		name      string
		file      string
		edit      func(map[string]any)
		text      string
		wantIDs   []int64
		wantWords []string
	}{
		{
			name:      "word level keeps original case in words",
			file:      "wordlevel",
			text:      "The Zorblax water is cold.",
			wantIDs:   []int64{3, 1, 4, 5, 6, 7, 0},
			wantWords: []string{"The", "Zorblax", "water", "is", "cold", ".", ""},
		},
		{
			name:      "eos appended when the post-processor does not",
			file:      "wordlevel",
			edit:      noPost,
			text:      "the water",
			wantIDs:   []int64{3, 4, 0},
			wantWords: []string{"the", "water", ""},
		},
		{
			name:      "empty text is just eos",
			file:      "wordlevel",
			text:      "",
			wantIDs:   []int64{0},
			wantWords: []string{""},
		},
		{
			name:      "marian export with a null precompiled charsmap",
			file:      "marian",
			text:      "the water is cold.",
			wantIDs:   []int64{2, 3, 4, 5, 6, 0},
			wantWords: []string{"the", " water", " is", " cold", ".", ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := loadTokenizer(readTestTokenizer(t, tt.file, tt.edit), 0)
			if err != nil {
				t.Fatalf("loadTokenizer: %v", err)
			}
			ids, words, err := tok.EncodeWords(tt.text)
			if err != nil {
				t.Fatalf("EncodeWords(%q): %v", tt.text, err)
			}
			if !slices.Equal(ids, tt.wantIDs) || !slices.Equal(words, tt.wantWords) {
				t.Errorf("EncodeWords(%q) = %v %q, want %v %q", tt.text, ids, words, tt.wantIDs, tt.wantWords)
			}
			onlyIDs, err := tok.Encode(tt.text)
			if err != nil || !slices.Equal(onlyIDs, tt.wantIDs) {
				t.Errorf("Encode(%q) = %v, %v, want %v", tt.text, onlyIDs, err, tt.wantIDs)
			}
		})
	}
}

func TestTokenizerDecode(t *testing.T) {
	tests := []struct {
		name   string
		file   string
		ids    []int64
		tokens []string
		want   string
	}{
		{name: "word level drops specials", file: "wordlevel", ids: []int64{2, 3, 4, 5, 6, 7, 0, 2}, want: "the water is cold."},
		{name: "word level unknown dropped", file: "wordlevel", ids: []int64{3, 1, 4, 0}, want: "the water"},
		{name: "devanagari danda", file: "wordlevel", ids: []int64{10, 11, 12, 13, 0}, want: "पानी ठंडा है।"},
		{name: "word level tokens", file: "wordlevel", tokens: []string{"the", "Zorblax", ",", "water"}, want: "the Zorblax, water"},
		{name: "metaspace", file: "marian", ids: []int64{9, 2, 3, 4, 5, 6, 0}, want: "the water is cold."},
		{name: "metaspace tokens", file: "marian", tokens: []string{"▁the", "▁water", "▁Zorblax", "."}, want: "the water Zorblax."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := loadTokenizer(readTestTokenizer(t, tt.file, nil), 0)
			if err != nil {
				t.Fatalf("loadTokenizer: %v", err)
			}
			var got string
			if tt.tokens != nil {
				got = tok.DecodeTokens(tt.tokens)
			} else {
				got = tok.Decode(tt.ids)
			}
			if got != tt.want {
				t.Errorf("decode = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTokenizerLookups(t *testing.T) {
	tok, err := loadTokenizer(readTestTokenizer(t, "marian", nil), 0)
	if err != nil {
		t.Fatalf("loadTokenizer: %v", err)
	}
	if id, ok := tok.TokenID("<unk>"); !ok || id != 1 {
		t.Errorf("TokenID(<unk>) = %d, %v, want 1, true", id, ok)
	}
	if _, ok := tok.TokenID("nope"); ok {
		t.Errorf("TokenID(nope) found a token")
	}
	if s, ok := tok.Token(3); !ok || s != "▁water" {
		t.Errorf("Token(3) = %q, %v, want ▁water, true", s, ok)
	}
	if got := tok.asWord("Zorblax"); got != "▁Zorblax" {
		t.Errorf("asWord = %q, want ▁Zorblax", got)
	}
}

func TestLoadTokenizerErrors(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		eos     int64
		wantErr string
		wantIs  error
	}{
		{name: "not json", data: []byte("{"), wantErr: "parse tokenizer json"},
		{
			name: "normalizer the go tokenizer panics on",
			data: readTestTokenizer(t, "wordlevel", func(d map[string]any) {
				d["normalizer"] = map[string]any{"type": "Nmt"}
			}),
			wantIs: ErrUnsupportedTokenizer,
		},
		{
			name: "unknown model type",
			data: readTestTokenizer(t, "wordlevel", func(d map[string]any) {
				d["model"].(map[string]any)["type"] = "Mystery"
			}),
			wantIs: ErrUnsupportedTokenizer,
		},
		{
			name: "precompiled charsmap that is not base64",
			data: readTestTokenizer(t, "marian", func(d map[string]any) {
				d["normalizer"] = map[string]any{"type": "Precompiled", "precompiled_charsmap": "%%%"}
			}),
			wantIs: ErrUnsupportedTokenizer,
		},
		{name: "eos outside the vocabulary", data: readTestTokenizer(t, "wordlevel", nil), eos: 999, wantErr: "eos id 999"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadTokenizer(tt.data, tt.eos)
			if err == nil {
				t.Fatal("loadTokenizer succeeded, want an error")
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v does not contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestDropNullPrecompiled(t *testing.T) {
	nullPre := map[string]any{"type": "Precompiled", "precompiled_charsmap": nil}
	realPre := map[string]any{"type": "Precompiled", "precompiled_charsmap": "AAAA"}
	lower := map[string]any{"type": "Lowercase"}
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any
	}{
		{"null precompiled removed", nullPre, nil},
		{"real precompiled kept", realPre, realPre},
		{"other kept", lower, lower},
		{
			"null precompiled removed from a sequence",
			map[string]any{"type": "Sequence", "normalizers": []any{nullPre, lower}},
			map[string]any{"type": "Sequence", "normalizers": []any{lower}},
		},
		{"sequence of only null precompiled removed", map[string]any{"type": "Sequence", "normalizers": []any{nullPre}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := dropNullPrecompiled(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("dropNullPrecompiled = %v, want %v", got, tt.want)
			}
		})
	}
}
