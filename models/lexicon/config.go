package lexicon

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// modelConfig is config.json: the keys of a Hugging Face Marian config that describe the
// exported graphs, plus a "contend" section saying how the model was made.
type modelConfig struct {
	ModelType             string        `json:"model_type"`
	Architectures         []string      `json:"architectures"`
	DModel                int           `json:"d_model"`
	VocabSize             int           `json:"vocab_size"`
	EncoderVocabSize      int           `json:"encoder_vocab_size"`
	DecoderVocabSize      int           `json:"decoder_vocab_size"`
	PadTokenID            int           `json:"pad_token_id"`
	EOSTokenID            int           `json:"eos_token_id"`
	UnkTokenID            int           `json:"unk_token_id"`
	DecoderStartTokenID   int           `json:"decoder_start_token_id"`
	ForcedEOSTokenID      int           `json:"forced_eos_token_id"`
	MaxLength             int           `json:"max_length"`
	MaxPositionEmbeddings int           `json:"max_position_embeddings"`
	NumBeams              int           `json:"num_beams"`
	EncoderLayers         int           `json:"encoder_layers"`
	DecoderLayers         int           `json:"decoder_layers"`
	EncoderAttentionHeads int           `json:"encoder_attention_heads"`
	DecoderAttentionHeads int           `json:"decoder_attention_heads"`
	EncoderFFNDim         int           `json:"encoder_ffn_dim"`
	DecoderFFNDim         int           `json:"decoder_ffn_dim"`
	ActivationFunction    string        `json:"activation_function"`
	NormalizeBefore       bool          `json:"normalize_before"`
	ScaleEmbedding        bool          `json:"scale_embedding"`
	ShareEncoderDecoder   bool          `json:"share_encoder_decoder_embeddings"`
	TieWordEmbeddings     bool          `json:"tie_word_embeddings"`
	Contend               contendConfig `json:"contend"`
}

// contendConfig is config.json's "contend" section.
type contendConfig struct {
	Generator   string `json:"generator"`
	Size        Size   `json:"size"`
	SourceLang  string `json:"source_lang"`
	TargetLang  string `json:"target_lang"`
	Lexicon     string `json:"lexicon"`
	ContentDim  int    `json:"content_dim"`
	PositionDim int    `json:"position_dim"`
	ScratchDim  int    `json:"scratch_dim"`
}

func configJSON(dir *direction, size Size, s spec) ([]byte, error) {
	c := modelConfig{
		ModelType:             "marian",
		Architectures:         []string{"MarianMTModel"},
		DModel:                s.dModel(),
		VocabSize:             dir.tgtVocab.size(),
		EncoderVocabSize:      dir.srcVocab.size(),
		DecoderVocabSize:      dir.tgtVocab.size(),
		PadTokenID:            dir.tgtVocab.padID(),
		EOSTokenID:            eosID,
		UnkTokenID:            unkID,
		DecoderStartTokenID:   dir.tgtVocab.padID(),
		ForcedEOSTokenID:      eosID,
		MaxLength:             maxPositions,
		MaxPositionEmbeddings: maxPositions,
		NumBeams:              1,
		EncoderLayers:         s.layers,
		DecoderLayers:         s.layers,
		EncoderAttentionHeads: s.heads,
		DecoderAttentionHeads: s.heads,
		EncoderFFNDim:         s.ffnDim,
		DecoderFFNDim:         s.ffnDim,
		ActivationFunction:    "swish",
		NormalizeBefore:       true,
		TieWordEmbeddings:     true,
		Contend: contendConfig{
			Generator:   "lexicon",
			Size:        size,
			SourceLang:  dir.source,
			TargetLang:  dir.target,
			Lexicon:     "FreeDict English-Hindi 1.6 (dict-freedict-eng-hin 2022.04.21-1)",
			ContentDim:  s.contentDim,
			PositionDim: s.positionDim,
			ScratchDim:  s.scratchDim,
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode %s config: %w", dir.name, err)
	}
	return buf.Bytes(), nil
}
