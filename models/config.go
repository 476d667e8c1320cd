package models

import (
	"encoding/json"
	"fmt"
)

// DefaultMaxLength is the generation limit when neither config.json nor
// generation_config.json sets max_length: the Hugging Face default, 20 tokens counting the
// decoder start token.
const DefaultMaxLength = 20

// Config is what inference needs from a model directory's config.json, completed by
// generation_config.json when present.
type Config struct {
	// Name is config.json's _name_or_path, else "<generator>-<size>" from the "contend"
	// section that the lexicon generator writes (such as "lexicon-base"); may be empty.
	Name string
	// DModel is the hidden size of the encoder output.
	DModel int
	// VocabSize is the size of the target vocabulary (decoder_vocab_size when set).
	VocabSize int
	// PadID, EOSID are the padding and end-of-sequence token ids.
	PadID, EOSID int64
	// UnkID is unk_token_id when the config names one, else -1 (the tokenizer decides).
	UnkID int64
	// DecoderStartID is the first decoder token. Marian exports often omit it because the
	// pad token plays that part, so it defaults to PadID.
	DecoderStartID int64
	// MaxLength bounds the decoded sequence, counting the decoder start token.
	MaxLength int
	// DecoderHeads and DecoderLayers size the placeholder past_key_values tensors of a
	// merged decoder when its declared shapes leave them open; 0 when absent.
	DecoderHeads, DecoderLayers int
	// MaxPositions is max_position_embeddings, the longest sequence either side can take;
	// 0 when absent (no limit is checked).
	MaxPositions int
}

// rawConfig mirrors the fields read from config.json and generation_config.json. Pointers
// tell an absent field from a zero one.
type rawConfig struct {
	NameOrPath           string          `json:"_name_or_path"`
	DModel               *int            `json:"d_model"`
	VocabSize            *int            `json:"vocab_size"`
	DecoderVocabSize     *int            `json:"decoder_vocab_size"`
	PadTokenID           *int64          `json:"pad_token_id"`
	EOSTokenID           json.RawMessage `json:"eos_token_id"`
	UnkTokenID           *int64          `json:"unk_token_id"`
	DecoderStartTokenID  *int64          `json:"decoder_start_token_id"`
	MaxLength            *int            `json:"max_length"`
	DecoderAttentionHead *int            `json:"decoder_attention_heads"`
	DecoderLayers        *int            `json:"decoder_layers"`
	MaxPositions         *int            `json:"max_position_embeddings"`
	Contend              struct {
		Generator string `json:"generator"`
		Size      string `json:"size"`
	} `json:"contend"`
}

// parseConfig reads config.json (required) and generation_config.json (nil when absent;
// its max_length, decoder_start_token_id, eos and pad ids win) into a Config. Errors name the
// file at fault by configName or generationName.
func parseConfig(configJSON, generationJSON []byte, configName, generationName string) (Config, error) {
	var raw rawConfig
	if err := json.Unmarshal(configJSON, &raw); err != nil {
		return Config{}, fmt.Errorf("%s: parse: %w", configName, err)
	}
	if generationJSON != nil {
		var gen rawConfig
		if err := json.Unmarshal(generationJSON, &gen); err != nil {
			return Config{}, fmt.Errorf("%s: parse: %w", generationName, err)
		}
		raw.mergeGeneration(gen)
	}
	cfg, err := raw.config()
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", configName, err)
	}
	return cfg, nil
}

// mergeGeneration lets generation_config.json's fields win.
func (raw *rawConfig) mergeGeneration(gen rawConfig) {
	if gen.MaxLength != nil {
		raw.MaxLength = gen.MaxLength
	}
	if gen.DecoderStartTokenID != nil {
		raw.DecoderStartTokenID = gen.DecoderStartTokenID
	}
	if gen.PadTokenID != nil {
		raw.PadTokenID = gen.PadTokenID
	}
	if len(gen.EOSTokenID) > 0 && string(gen.EOSTokenID) != "null" {
		raw.EOSTokenID = gen.EOSTokenID
	}
}

// config checks the fields and fills in Marian's defaults.
func (raw *rawConfig) config() (Config, error) {
	cfg := Config{Name: raw.NameOrPath, UnkID: -1, MaxLength: DefaultMaxLength}
	if cfg.Name == "" && raw.Contend.Generator != "" && raw.Contend.Size != "" {
		cfg.Name = raw.Contend.Generator + "-" + raw.Contend.Size
	}
	switch {
	case raw.DModel == nil:
		return Config{}, fmt.Errorf("d_model missing")
	case raw.VocabSize == nil:
		return Config{}, fmt.Errorf("vocab_size missing")
	case raw.PadTokenID == nil:
		return Config{}, fmt.Errorf("pad_token_id missing")
	}
	cfg.DModel = *raw.DModel
	cfg.VocabSize = *raw.VocabSize
	if raw.DecoderVocabSize != nil {
		cfg.VocabSize = *raw.DecoderVocabSize
	}
	cfg.PadID = *raw.PadTokenID
	eos, err := parseEOS(raw.EOSTokenID)
	if err != nil {
		return Config{}, err
	}
	cfg.EOSID = eos
	cfg.DecoderStartID = cfg.PadID
	if raw.DecoderStartTokenID != nil {
		cfg.DecoderStartID = *raw.DecoderStartTokenID
	}
	if raw.UnkTokenID != nil {
		cfg.UnkID = *raw.UnkTokenID
	}
	if raw.MaxLength != nil {
		cfg.MaxLength = *raw.MaxLength
	}
	if raw.DecoderAttentionHead != nil {
		cfg.DecoderHeads = *raw.DecoderAttentionHead
	}
	if raw.DecoderLayers != nil {
		cfg.DecoderLayers = *raw.DecoderLayers
	}
	if raw.MaxPositions != nil {
		cfg.MaxPositions = *raw.MaxPositions
	}
	return cfg, cfg.validate()
}

// parseEOS accepts eos_token_id as a number or, as generation configs write it, a list whose
// first entry is used.
func parseEOS(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, fmt.Errorf("eos_token_id missing")
	}
	var one int64
	if err := json.Unmarshal(raw, &one); err == nil {
		return one, nil
	}
	var many []int64
	if err := json.Unmarshal(raw, &many); err != nil || len(many) == 0 {
		return 0, fmt.Errorf("eos_token_id %s is neither a number nor a list of numbers", raw)
	}
	return many[0], nil
}

// validate rejects configs that would index outside the vocabulary or never stop.
func (c Config) validate() error {
	if c.DModel <= 0 {
		return fmt.Errorf("d_model %d must be positive", c.DModel)
	}
	if c.VocabSize <= 0 {
		return fmt.Errorf("vocab_size %d must be positive", c.VocabSize)
	}
	if c.MaxLength < 2 {
		return fmt.Errorf("max_length %d must be at least 2", c.MaxLength)
	}
	for _, id := range []struct {
		name string
		v    int64
	}{{"pad_token_id", c.PadID}, {"eos_token_id", c.EOSID}, {"decoder_start_token_id", c.DecoderStartID}} {
		if id.v < 0 || id.v >= int64(c.VocabSize) {
			return fmt.Errorf("%s %d outside the vocabulary of %d", id.name, id.v, c.VocabSize)
		}
	}
	return nil
}
