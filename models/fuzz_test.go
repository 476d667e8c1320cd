package models

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseConfig checks that no config.json makes parsing panic, and that an accepted config
// can be decoded with: ids inside the vocabulary, room for at least one token.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"d_model": 8, "vocab_size": 10, "pad_token_id": 9, "eos_token_id": 0}`), []byte(nil))
	f.Add([]byte(`{"d_model": 8, "vocab_size": 10, "pad_token_id": 9, "eos_token_id": [0, 1]}`), []byte(`{"max_length": 5}`))
	f.Add([]byte(`{"d_model": -1, "vocab_size": 0, "pad_token_id": -3, "eos_token_id": null}`), []byte(`{"eos_token_id": []}`))
	f.Add([]byte(`[]`), []byte(`{}`))
	f.Fuzz(func(t *testing.T, config, generation []byte) {
		cfg, err := parseConfig(config, generation, "config.json", "generation_config.json")
		if err != nil {
			return
		}
		for _, id := range []int64{cfg.PadID, cfg.EOSID, cfg.DecoderStartID} {
			if id < 0 || id >= int64(cfg.VocabSize) {
				t.Fatalf("accepted config with id %d outside vocabulary %d: %+v", id, cfg.VocabSize, cfg)
			}
		}
		if cfg.MaxLength < 2 || cfg.DModel <= 0 {
			t.Fatalf("accepted unusable config %+v", cfg)
		}
	})
}

// FuzzTokenizerEncode checks that any text encodes without error, ends with the
// end-of-sequence token, and maps each token to a piece of the text.
func FuzzTokenizerEncode(f *testing.F) {
	for _, s := range []string{"", "The Zorblax water is cold.", "पानी ठंडा है।", "  \t\n", "a,b;c", "\x00\xff"} {
		f.Add(s)
	}
	data := readTestTokenizer(f, "wordlevel", nil)
	tok, err := loadTokenizer(data, 0)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		ids, words, err := tok.EncodeWords(text)
		if err != nil {
			t.Fatalf("EncodeWords(%q): %v", text, err)
		}
		if len(ids) == 0 || ids[len(ids)-1] != 0 || len(ids) != len(words) {
			t.Fatalf("EncodeWords(%q) = %v %q: want ids ending in eos, one word per id", text, ids, words)
		}
		for _, w := range words {
			if !strings.Contains(text, w) {
				t.Fatalf("EncodeWords(%q) word %q is not part of the text", text, w)
			}
		}
	})
}
