package models

import (
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	const base = `"d_model": 8, "vocab_size": 10, "pad_token_id": 9, "eos_token_id": 0`
	tests := []struct {
		name       string
		config     string
		generation string // "" means no generation_config.json
		want       Config
		wantErr    string
	}{
		{
			name:   "marian defaults: start is pad, max length 20",
			config: `{` + base + `}`,
			want:   Config{DModel: 8, VocabSize: 10, PadID: 9, EOSID: 0, UnkID: -1, DecoderStartID: 9, MaxLength: DefaultMaxLength},
		},
		{
			name:   "explicit fields",
			config: `{` + base + `, "_name_or_path": "Helsinki-NLP/opus-mt-en-hi", "decoder_start_token_id": 3, "max_length": 64, "unk_token_id": 1, "decoder_attention_heads": 2, "decoder_layers": 3, "max_position_embeddings": 128}`,
			want: Config{Name: "Helsinki-NLP/opus-mt-en-hi", DModel: 8, VocabSize: 10, PadID: 9, EOSID: 0, UnkID: 1,
				DecoderStartID: 3, MaxLength: 64, DecoderHeads: 2, DecoderLayers: 3, MaxPositions: 128},
		},
		{
			name:   "decoder vocab size wins",
			config: `{"d_model": 8, "vocab_size": 100, "decoder_vocab_size": 10, "pad_token_id": 9, "eos_token_id": 0}`,
			want:   Config{DModel: 8, VocabSize: 10, PadID: 9, EOSID: 0, UnkID: -1, DecoderStartID: 9, MaxLength: DefaultMaxLength},
		},
		{
			name:       "generation config wins",
			config:     `{` + base + `, "max_length": 512, "decoder_start_token_id": 9}`,
			generation: `{"max_length": 40, "decoder_start_token_id": 2, "eos_token_id": [1, 0], "pad_token_id": 8}`,
			want:       Config{DModel: 8, VocabSize: 10, PadID: 8, EOSID: 1, UnkID: -1, DecoderStartID: 2, MaxLength: 40},
		},
		{
			name:       "generation config without the fields changes nothing",
			config:     `{` + base + `}`,
			generation: `{"num_beams": 4, "eos_token_id": null}`,
			want:       Config{DModel: 8, VocabSize: 10, PadID: 9, EOSID: 0, UnkID: -1, DecoderStartID: 9, MaxLength: DefaultMaxLength},
		},
		{
			name:   "lexicon generator section names the model",
			config: `{` + base + `, "contend": {"generator": "lexicon", "size": "base"}}`,
			want:   Config{Name: "lexicon-base", DModel: 8, VocabSize: 10, PadID: 9, EOSID: 0, UnkID: -1, DecoderStartID: 9, MaxLength: DefaultMaxLength},
		},
		{name: "not json", config: `{`, wantErr: "config.json: parse"},
		{name: "bad generation json", config: `{` + base + `}`, generation: `[`, wantErr: "generation_config.json: parse"},
		{name: "no d_model", config: `{"vocab_size": 10, "pad_token_id": 9, "eos_token_id": 0}`, wantErr: "d_model missing"},
		{name: "no vocab", config: `{"d_model": 8, "pad_token_id": 9, "eos_token_id": 0}`, wantErr: "vocab_size missing"},
		{name: "no pad", config: `{"d_model": 8, "vocab_size": 10, "eos_token_id": 0}`, wantErr: "pad_token_id missing"},
		{name: "no eos", config: `{"d_model": 8, "vocab_size": 10, "pad_token_id": 9}`, wantErr: "eos_token_id missing"},
		{name: "eos not a number", config: `{"d_model": 8, "vocab_size": 10, "pad_token_id": 9, "eos_token_id": "x"}`, wantErr: "neither a number"},
		{name: "eos outside vocab", config: `{"d_model": 8, "vocab_size": 10, "pad_token_id": 9, "eos_token_id": 10}`, wantErr: "eos_token_id 10 outside"},
		{name: "max length too small", config: `{` + base + `, "max_length": 1}`, wantErr: "max_length 1"},
		{name: "zero d_model", config: `{"d_model": 0, "vocab_size": 10, "pad_token_id": 9, "eos_token_id": 0}`, wantErr: "d_model 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gen []byte
			if tt.generation != "" {
				gen = []byte(tt.generation)
			}
			got, err := parseConfig([]byte(tt.config), gen, "config.json", "generation_config.json")
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseConfig error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseConfig: %v", err)
			}
			if got != tt.want {
				t.Errorf("parseConfig =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestModelName(t *testing.T) {
	tests := []struct{ cfgName, dir, want string }{
		{"", "/m/en-hi", "en-hi"},
		{"lexicon-base", "/m/en-hi", "lexicon-base/en-hi"},
		{"Helsinki-NLP/opus-mt-en-hi", "/m/en-hi", "Helsinki-NLP/opus-mt-en-hi"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := modelName(tt.cfgName, tt.dir); got != tt.want {
				t.Errorf("modelName(%q, %q) = %q, want %q", tt.cfgName, tt.dir, got, tt.want)
			}
		})
	}
}
