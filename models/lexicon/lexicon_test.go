package lexicon

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	ort "github.com/yalue/onnxruntime_go"
)

func TestParseTSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Entry
		wantErr string
	}{
		{"two lines", "a\tएक\nbig\tबड़ा\n", []Entry{{"a", "एक"}, {"big", "बड़ा"}}, ""},
		{"no final newline", "a\tएक", []Entry{{"a", "एक"}}, ""},
		{"missing tab", "a एक\n", nil, "line 1"},
		{"empty hindi", "a\t\n", nil, "line 1"},
		{"extra field", "a\tएक\tx\n", nil, "line 1"},
		{"unsorted", "big\tबड़ा\na\tएक\n", nil, "line 2"},
		{"duplicate", "a\tएक\na\tएक\n", nil, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseTSV(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseTSV: error %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("parseTSV = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestEntries checks the embedded lexicon: size, order and the shape of every word.
func TestEntries(t *testing.T) {
	es := Entries()
	if len(es) < 10000 {
		t.Fatalf("Entries() has %d entries, want over 10000", len(es))
	}
	for i, e := range es {
		if i > 0 && es[i-1].English >= e.English {
			t.Fatalf("entries %d and %d out of order: %q, %q", i-1, i, es[i-1].English, e.English)
		}
		if strings.ToLower(e.English) != e.English || strings.ContainsFunc(e.English, func(r rune) bool { return r < 'a' || r > 'z' }) {
			t.Errorf("English %q is not a lower-case ASCII word", e.English)
		}
		if strings.ContainsFunc(e.Hindi, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) }) {
			t.Errorf("Hindi %q (for %q) is not a single word", e.Hindi, e.English)
		}
	}
	es[0].English = "changed"
	if Entries()[0].English == "changed" {
		t.Error("Entries() shares its slice with the caller")
	}
}

func TestInvert(t *testing.T) {
	es := []Entry{
		{"big", "बड़ा"}, {"great", "बड़ा"}, {"bulky", "बड़ा"},
		{"ling", "छोटा"}, {"mini", "छोटा"}, {"small", "छोटा"},
		{"water", "पानी"},
	}
	got := invert(es)
	want := map[string]string{"बड़ा": "big", "छोटा": "ling", "पानी": "water"}
	for hi, en := range want {
		if got[hi] != en {
			t.Errorf("invert: %s -> %q, want %q (shortest, then alphabetical)", hi, got[hi], en)
		}
	}
	if len(got) != len(want) {
		t.Errorf("invert has %d entries, want %d", len(got), len(want))
	}
}

func TestVocabIDs(t *testing.T) {
	v := newVocab([]string{"water", "।", "cold", "water"})
	want := []string{eosToken, unkToken, "cold", "water", "।", padToken}
	if !slices.Equal(v.tokens, want) {
		t.Fatalf("tokens %q, want %q", v.tokens, want)
	}
	if v.ids[eosToken] != eosID || v.ids[unkToken] != unkID || v.padID() != len(want)-1 || v.ids[padToken] != v.padID() {
		t.Errorf("special ids: %v", v.ids)
	}
}

// TestGoldenWordsInEverySize checks that every golden word is in every size's tables.
func TestGoldenWordsInEverySize(t *testing.T) {
	es, err := loadEntries()
	if err != nil {
		t.Fatal(err)
	}
	cases := readGolden(t)
	for _, size := range []Size{Tiny, Base, Large} {
		for _, d := range directions(es, specs[size].maxWordLen) {
			for _, c := range cases {
				if c.dir != d.name || strings.Contains(c.src, " ") {
					continue
				}
				if got := d.table[c.src]; got != c.want {
					t.Errorf("%s %s: %q -> %q, want %q", size, d.name, c.src, got, c.want)
				}
			}
		}
	}
}

// TestCostBlocksLeaveCodesExact runs the base encoder and checks that after all its cost
// blocks the content and position subspaces still hold, bit for bit, the translation codes
// and position codes the embeddings put there.
func TestCostBlocksLeaveCodesExact(t *testing.T) {
	s := specs[Base]
	m := model(t, Base, "en-hi")
	es, err := loadEntries()
	if err != nil {
		t.Fatal(err)
	}
	d := directions(es, s.maxWordLen)[0]
	codes, err := targetCodes(d, s)
	if err != nil {
		t.Fatal(err)
	}
	pos, err := signCodes("positions", maxPositions, s.positionDim, positionCoherence)
	if err != nil {
		t.Fatal(err)
	}
	src := m.encodeSource(t, "the water is cold, we eat rice!")
	n := int64(len(src))
	ids := mustTensor(t, ort.NewShape(1, n), src)
	defer ids.Destroy()
	mask := mustTensor(t, ort.NewShape(1, n), slices.Repeat([]int64{1}, int(n)))
	defer mask.Destroy()
	out := []ort.Value{nil}
	if err := m.enc.Run([]ort.Value{ids, mask}, out); err != nil {
		t.Fatal(err)
	}
	defer out[0].Destroy()
	h := out[0].(*ort.Tensor[float32]).GetData()
	dm := s.dModel()
	trans := d.translationIDs()
	scratchMoved := false
	for p, id := range src {
		row := h[p*dm : (p+1)*dm]
		want := slices.Concat(codes[trans[id]], pos[p])
		if got := row[:s.contentDim+s.positionDim]; !slices.Equal(got, want) {
			t.Errorf("position %d (id %d): content and position subspaces changed", p, id)
		}
		for _, x := range row[s.contentDim+s.positionDim:] {
			scratchMoved = scratchMoved || x != 0
		}
	}
	if !scratchMoved {
		t.Error("scratch subspace is all zero: the cost blocks wrote nothing")
	}
}
