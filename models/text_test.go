package models

import (
	"slices"
	"testing"
)

func TestDetokenize(t *testing.T) {
	tests := []struct {
		name  string
		words []string
		want  string
	}{
		{"empty", nil, ""},
		{"words", []string{"the", "water", "is", "cold"}, "the water is cold"},
		{"closing punctuation", []string{"the", "water", "is", "cold", "."}, "the water is cold."},
		{"comma and question", []string{"yes", ",", "is", "it", "?"}, "yes, is it?"},
		{"danda", []string{"पानी", "ठंडा", "है", "।"}, "पानी ठंडा है।"},
		{"brackets", []string{"a", "(", "b", ")", "c"}, "a (b) c"},
		{"punctuation first", []string{".", "a"}, ". a"},
		{"repeated punctuation", []string{"what", "?", "!"}, "what?!"},
		{"empty words dropped", []string{"", "a", "", "b"}, "a b"},
		{"mixed word is not punctuation", []string{"a", ".b"}, "a .b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Detokenize(tt.words); got != tt.want {
				t.Errorf("Detokenize(%q) = %q, want %q", tt.words, got, tt.want)
			}
		})
	}
}

func TestReplaceUnknowns(t *testing.T) {
	plain := func(s string) string { return s }
	marked := func(s string) string { return "▁" + s }
	tests := []struct {
		name    string
		out     []string
		sources []string
		wrap    func(string) string
		want    []string
	}{
		{"no unknowns", []string{"a", "b"}, []string{"X"}, plain, []string{"a", "b"}},
		{"one", []string{"a", "<unk>", "b"}, []string{"Zorblax"}, plain, []string{"a", "Zorblax", "b"}},
		{"in order", []string{"<unk>", "x", "<unk>"}, []string{"First", "Second"}, plain, []string{"First", "x", "Second"}},
		{"more output unknowns than source", []string{"<unk>", "<unk>"}, []string{"Only"}, plain, []string{"Only", "<unk>"}},
		{"more source unknowns than output", []string{"<unk>"}, []string{"A", "B"}, plain, []string{"A"}},
		{"no source unknowns", []string{"<unk>"}, nil, plain, []string{"<unk>"}},
		{"metaspace marker", []string{"▁a", "<unk>"}, []string{"Zorblax"}, marked, []string{"▁a", "▁Zorblax"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := replaceUnknowns(slices.Clone(tt.out), "<unk>", tt.sources, tt.wrap)
			if !slices.Equal(got, tt.want) {
				t.Errorf("replaceUnknowns(%q, %q) = %q, want %q", tt.out, tt.sources, got, tt.want)
			}
		})
	}
}
