package models

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	hftok "github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/pretrained"
)

// Tokenizer turns text into token ids and back for one side of a translation model.
// Implementations are safe for concurrent use.
//
// The implementation reads Hugging Face tokenizer.json files with
// github.com/sugarme/tokenizer, a pure Go port. github.com/daulet/tokenizers would run the
// reference Rust code, but it links a Rust-built libtokenizers.a that no package registry
// reachable from this project's machines serves, so the build could not provision it.
type Tokenizer interface {
	// Encode returns the ids of text, ending with the end-of-sequence token.
	Encode(text string) ([]int64, error)
	// EncodeWords is Encode that also returns, for each id, the piece of text it stands
	// for ("" for tokens that the tokenizer added, such as the end-of-sequence token).
	EncodeWords(text string) ([]int64, []string, error)
	// Decode turns ids into text, dropping special tokens.
	Decode(ids []int64) string
	// DecodeTokens turns token strings into text; special tokens must be removed first.
	DecodeTokens(tokens []string) string
	// TokenID returns the id of a token string.
	TokenID(token string) (int64, bool)
	// Token returns the token string of an id.
	Token(id int64) (string, bool)
}

// ErrUnsupportedTokenizer reports a tokenizer.json that the Go tokenizer cannot run.
var ErrUnsupportedTokenizer = errors.New("unsupported tokenizer")

// hfTokenizer is a Tokenizer over a sugarme tokenizer loaded from tokenizer.json.
// It is read-only after construction.
type hfTokenizer struct {
	tk      *hftok.Tokenizer
	eosID   int64
	skip    map[int64]bool // special ids dropped by Decode
	wordSep string         // Metaspace replacement ("▁") that starts a word, or ""
}

// loadTokenizer parses a Hugging Face tokenizer.json. eosID is appended to encodings whose
// post-processor does not add it; skipIDs are dropped on decode besides the file's special
// tokens. Panics inside the Go tokenizer on malformed input are returned as errors.
func loadTokenizer(data []byte, eosID int64, skipIDs ...int64) (_ *hfTokenizer, err error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse tokenizer json: %w", err)
	}
	norm, _ := doc["normalizer"].(map[string]any)
	if norm != nil {
		cleaned, err := dropNullPrecompiled(norm)
		if err != nil {
			return nil, err
		}
		doc["normalizer"] = cleaned
	}
	cleanedJSON, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("re-encode tokenizer json: %w", err)
	}

	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: the go tokenizer failed on this tokenizer json: %v", ErrUnsupportedTokenizer, r)
		}
	}()
	tk, err := pretrained.FromReader(bytes.NewReader(cleanedJSON))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnsupportedTokenizer, err)
	}
	if tk.GetModel() == nil {
		return nil, fmt.Errorf("%w: no model section", ErrUnsupportedTokenizer)
	}
	if _, ok := tk.IdToToken(int(eosID)); !ok {
		return nil, fmt.Errorf("eos id %d is not in the tokenizer's vocabulary", eosID)
	}

	t := &hfTokenizer{tk: tk, eosID: eosID, skip: map[int64]bool{eosID: true}}
	for _, id := range skipIDs {
		t.skip[id] = true
	}
	for _, s := range tk.GetSpecialTokens() {
		if id, ok := tk.TokenToId(s); ok {
			t.skip[int64(id)] = true
		}
	}
	if dec, _ := doc["decoder"].(map[string]any); dec != nil && dec["type"] == "Metaspace" {
		t.wordSep, _ = dec["replacement"].(string)
	}
	return t, nil
}

// dropNullPrecompiled removes Precompiled normalizers whose precompiled_charsmap is null or
// empty, at the top level or inside a Sequence. transformers.js writes such a normalizer in
// its Marian tokenizer.json; sugarme rejects it, and a null charsmap maps nothing, so removing
// it leaves the tokenization unchanged. A Precompiled normalizer with a real charsmap is kept.
func dropNullPrecompiled(norm map[string]any) (map[string]any, error) {
	switch norm["type"] {
	case "Precompiled":
		if cm, _ := norm["precompiled_charsmap"].(string); cm == "" {
			return nil, nil
		}
		return norm, nil
	case "Sequence":
		list, _ := norm["normalizers"].([]any)
		kept := make([]any, 0, len(list))
		for i, n := range list {
			m, ok := n.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: normalizer %d of the sequence is not an object", ErrUnsupportedTokenizer, i)
			}
			c, err := dropNullPrecompiled(m)
			if err != nil {
				return nil, err
			}
			if c != nil {
				kept = append(kept, c)
			}
		}
		if len(kept) == 0 {
			return nil, nil
		}
		norm["normalizers"] = kept
		return norm, nil
	}
	return norm, nil
}

// Encode implements Tokenizer.
func (t *hfTokenizer) Encode(text string) ([]int64, error) {
	ids, _, err := t.EncodeWords(text)
	return ids, err
}

// EncodeWords implements Tokenizer. Word pieces are cut from text at the tokenizer's byte
// offsets, so they keep the original case even when the tokenizer lower-cases.
func (t *hfTokenizer) EncodeWords(text string) (ids []int64, words []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("tokenize %q: %v", text, r)
		}
	}()
	enc, err := t.tk.EncodeSingle(text, true)
	if err != nil {
		return nil, nil, fmt.Errorf("tokenize %q: %w", text, err)
	}
	special := enc.GetSpecialTokenMask()
	offsets := enc.GetOffsets()
	for i, id := range enc.GetIds() {
		ids = append(ids, int64(id))
		word := ""
		if i < len(special) && special[i] == 0 && i < len(offsets) {
			if s, e := offsets[i][0], offsets[i][1]; 0 <= s && s <= e && e <= len(text) {
				word = text[s:e]
			}
		}
		words = append(words, word)
	}
	if len(ids) == 0 || ids[len(ids)-1] != t.eosID {
		ids = append(ids, t.eosID)
		words = append(words, "")
	}
	return ids, words, nil
}

// Decode implements Tokenizer.
func (t *hfTokenizer) Decode(ids []int64) string {
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		if t.skip[id] {
			continue
		}
		if tok, ok := t.Token(id); ok {
			tokens = append(tokens, tok)
		}
	}
	return t.DecodeTokens(tokens)
}

// DecodeTokens implements Tokenizer: the tokenizer's own decoder when it has one (such as
// Metaspace), then Detokenize.
func (t *hfTokenizer) DecodeTokens(tokens []string) string {
	if dec := t.tk.GetDecoder(); dec != nil {
		return Detokenize(strings.Fields(dec.Decode(tokens)))
	}
	return Detokenize(tokens)
}

// TokenID implements Tokenizer.
func (t *hfTokenizer) TokenID(token string) (int64, bool) {
	id, ok := t.tk.TokenToId(token)
	return int64(id), ok
}

// Token implements Tokenizer.
func (t *hfTokenizer) Token(id int64) (string, bool) {
	return t.tk.IdToToken(int(id))
}

// asWord returns the token string that decodes to word as a separate word: the word itself,
// or the word with the Metaspace marker in front.
func (t *hfTokenizer) asWord(word string) string {
	return t.wordSep + word
}
