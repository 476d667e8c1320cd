package lexicon

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// The tokenizer.json shape of Hugging Face tokenizers, as much of it as the lexicon models
// use. Struct field order fixes the key order, and encoding/json sorts map keys, so the
// bytes are deterministic.
type (
	tokenizerFile struct {
		Version       string         `json:"version"`
		Truncation    any            `json:"truncation"`
		Padding       any            `json:"padding"`
		AddedTokens   []addedToken   `json:"added_tokens"`
		Normalizer    any            `json:"normalizer"`
		PreTokenizer  any            `json:"pre_tokenizer"`
		PostProcessor *postProcessor `json:"post_processor"`
		Decoder       any            `json:"decoder"`
		Model         wordLevel      `json:"model"`
	}
	addedToken struct {
		ID         int    `json:"id"`
		Content    string `json:"content"`
		SingleWord bool   `json:"single_word"`
		LStrip     bool   `json:"lstrip"`
		RStrip     bool   `json:"rstrip"`
		Normalized bool   `json:"normalized"`
		Special    bool   `json:"special"`
	}
	typed struct {
		Type string `json:"type"`
	}
	normalizerSeq struct {
		Type        string  `json:"type"`
		Normalizers []typed `json:"normalizers"`
	}
	punctuationSplit struct {
		Type     string `json:"type"`
		Behavior string `json:"behavior"`
	}
	preTokenizerSeq struct {
		Type          string `json:"type"`
		PreTokenizers []any  `json:"pretokenizers"`
	}
	postProcessor struct {
		Type          string                  `json:"type"`
		Single        []templatePiece         `json:"single"`
		Pair          []templatePiece         `json:"pair"`
		SpecialTokens map[string]specialToken `json:"special_tokens"`
	}
	templatePiece struct {
		Sequence     *pieceRef `json:"Sequence,omitempty"`
		SpecialToken *pieceRef `json:"SpecialToken,omitempty"`
	}
	pieceRef struct {
		ID     string `json:"id"`
		TypeID int    `json:"type_id"`
	}
	specialToken struct {
		ID     string   `json:"id"`
		IDs    []int    `json:"ids"`
		Tokens []string `json:"tokens"`
	}
	wordLevel struct {
		Type     string         `json:"type"`
		Vocab    map[string]int `json:"vocab"`
		UnkToken string         `json:"unk_token"`
	}
)

// tokenizerJSON returns a WordLevel tokenizer.json for a vocabulary in language lang ("en"
// or "hi"). English is NFC-normalized and lower-cased, Hindi NFC-normalized only (Devanagari
// has no case). Text is split on whitespace, then every punctuation character (the danda
// included) is isolated; no \w-based splitting, which would cut Devanagari words at their
// vowel signs. The post-processor appends </s>, as Marian's tokenizer does.
func tokenizerJSON(v *vocab, lang string) ([]byte, error) {
	norms := []typed{{Type: "NFC"}}
	if lang == "en" {
		norms = append(norms, typed{Type: "Lowercase"})
	}
	f := tokenizerFile{
		Version: "1.0",
		AddedTokens: []addedToken{
			{ID: eosID, Content: eosToken, Special: true},
			{ID: unkID, Content: unkToken, Special: true},
			{ID: v.padID(), Content: padToken, Special: true},
		},
		Normalizer: normalizerSeq{Type: "Sequence", Normalizers: norms},
		PreTokenizer: preTokenizerSeq{Type: "Sequence", PreTokenizers: []any{
			typed{Type: "WhitespaceSplit"},
			punctuationSplit{Type: "Punctuation", Behavior: "Isolated"},
		}},
		PostProcessor: &postProcessor{
			Type: "TemplateProcessing",
			Single: []templatePiece{
				{Sequence: &pieceRef{ID: "A"}},
				{SpecialToken: &pieceRef{ID: eosToken}},
			},
			Pair: []templatePiece{
				{Sequence: &pieceRef{ID: "A"}},
				{Sequence: &pieceRef{ID: "B", TypeID: 1}},
				{SpecialToken: &pieceRef{ID: eosToken, TypeID: 1}},
			},
			SpecialTokens: map[string]specialToken{
				eosToken: {ID: eosToken, IDs: []int{eosID}, Tokens: []string{eosToken}},
			},
		},
		Model: wordLevel{Type: "WordLevel", Vocab: v.ids, UnkToken: unkToken},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return nil, fmt.Errorf("encode %s tokenizer: %w", lang, err)
	}
	return buf.Bytes(), nil
}
