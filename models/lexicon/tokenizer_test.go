package lexicon

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/sugarme/tokenizer/pretrained"
)

// TestTokenizersLoad loads every tokenizer file with github.com/sugarme/tokenizer, as the
// inference side does, and checks how English and Devanagari text split.
func TestTokenizersLoad(t *testing.T) {
	root := builtModels(t, Tiny)
	tests := []struct {
		name string
		dir  string
		file string
		text string
		want []string
	}{
		{"english source", "en-hi", TokenizerFile, "The water is cold.", []string{"the", "water", "is", "cold", ".", "</s>"}},
		{"english spacing", "en-hi", TokenizerFile, "  Is the\twater COLD?!", []string{"is", "the", "water", "cold", "?", "!", "</s>"}},
		{"english unknown", "en-hi", TokenizerFile, "the zorblax", []string{"the", "<unk>", "</s>"}},
		{"hindi source", "hi-en", TokenizerFile, "वह पानी है ठंडा।", []string{"वह", "पानी", "है", "ठंडा", "।", "</s>"}},
		{"hindi vowel signs and nukta", "hi-en", TokenizerFile, "बड़ा लड़का, छोटी लड़की", []string{"बड़ा", "लड़का", ",", "<unk>", "लड़की", "</s>"}},
		// U+095C (ड़ precomposed) normalizes under NFC to ड + nukta, as the vocabulary is stored.
		{"hindi NFC", "hi-en", TokenizerFile, "ब\u095Cा", []string{"बड़ा", "</s>"}},
		{"hindi target", "en-hi", TargetTokenizerFile, "पानी ठंडा।", []string{"पानी", "ठंडा", "।", "</s>"}},
		{"english target", "hi-en", TargetTokenizerFile, "Water, cold.", []string{"water", ",", "cold", ".", "</s>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tk, err := pretrained.FromFile(filepath.Join(root, tt.dir, tt.file))
			if err != nil {
				t.Fatalf("load %s/%s: %v", tt.dir, tt.file, err)
			}
			en, err := tk.EncodeSingle(tt.text, true)
			if err != nil {
				t.Fatalf("encode %q: %v", tt.text, err)
			}
			var want []int
			for _, tok := range tt.want {
				id, ok := tk.TokenToId(tok)
				if !ok {
					t.Fatalf("want token %q is not in %s", tok, tt.file)
				}
				want = append(want, id)
			}
			// sugarme keeps an unknown word's own text as its token, with <unk>'s id.
			if !slices.Equal(en.Ids, want) {
				t.Errorf("%q: tokens %q ids %v, want %q ids %v", tt.text, en.Tokens, en.Ids, tt.want, want)
			}
			if last := en.Ids[len(en.Ids)-1]; last != eosID {
				t.Errorf("last id %d, want </s> = %d", last, eosID)
			}
		})
	}
}
