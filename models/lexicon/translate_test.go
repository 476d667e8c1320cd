package lexicon

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
)

// golden is one line of testdata/golden.tsv.
type golden struct {
	dir, src, want string
}

func readGolden(t *testing.T) []golden {
	t.Helper()
	f, err := os.Open("testdata/golden.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []golden
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		if sc.Text() == "" || strings.HasPrefix(sc.Text(), "#") {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			t.Fatalf("golden.tsv:%d: want direction<TAB>source<TAB>expected, got %q", line, sc.Text())
		}
		out = append(out, golden{f[0], f[1], f[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGolden checks the hand-written golden translations, both directions, on the tiny and
// base models: the base model's cost blocks must not change a single argmax.
func TestGolden(t *testing.T) {
	cases := readGolden(t)
	words, sentences := 0, 0
	for _, c := range cases {
		if strings.Contains(c.src, " ") {
			sentences++
		} else {
			words++
		}
	}
	if words < 2*20 || sentences < 2*5 {
		t.Fatalf("golden.tsv has %d word and %d sentence cases, want at least 20 and 5 per direction", words, sentences)
	}
	for _, size := range []Size{Tiny, Base} {
		for _, c := range cases {
			t.Run(string(size)+"/"+c.dir+"/"+c.src, func(t *testing.T) {
				if got := model(t, size, c.dir).translate(t, c.src); got != c.want {
					t.Errorf("translate(%q) = %q, want %q", c.src, got, c.want)
				}
			})
		}
	}
}

// wordCases returns the single-word cases of a direction's table as tokenized sources and
// expected target tokens, every stride-th source word in vocabulary order.
func wordCases(t *testing.T, m *testModel, d *direction, stride int) (srcs [][]int64, want []string) {
	t.Helper()
	for i, tok := range d.srcVocab.tokens {
		if tok == eosToken || tok == unkToken || tok == padToken || i%stride != 0 {
			continue
		}
		src := m.encodeSource(t, tok)
		if len(src) != 2 || src[0] != int64(i) || src[1] != eosID {
			t.Fatalf("source tokenizer: %q gives ids %v, want [%d %d]", tok, src, i, eosID)
		}
		srcs = append(srcs, src)
		want = append(want, d.table[tok])
	}
	return srcs, want
}

// checkWords translates single-word sources in batches and compares each to its table entry.
func checkWords(t *testing.T, m *testModel, srcs [][]int64, want []string) {
	t.Helper()
	const batch = 256
	bad := 0
	for lo := 0; lo < len(srcs); lo += batch {
		hi := min(lo+batch, len(srcs))
		outs := m.greedyBatch(t, srcs[lo:hi], 2)
		for i, out := range outs {
			got := m.tokens(out)
			if len(got) != 1 || got[0] != want[lo+i] {
				bad++
				if bad <= 10 {
					t.Errorf("source id %d: got %q, want [%q]", srcs[lo+i][0], got, want[lo+i])
				}
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d words mistranslated", bad, len(srcs))
	}
}

// TestTinyTranslatesEveryWord runs every source word of the tiny models, both directions,
// through ONNX Runtime and checks it gives exactly its lexicon translation, then </s>.
func TestTinyTranslatesEveryWord(t *testing.T) {
	es, err := loadEntries()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range directions(es, specs[Tiny].maxWordLen) {
		t.Run(d.name, func(t *testing.T) {
			m := model(t, Tiny, d.name)
			srcs, want := wordCases(t, m, d, 1)
			if len(srcs) < 1000 {
				t.Fatalf("only %d source words in the tiny %s model", len(srcs), d.name)
			}
			checkWords(t, m, srcs, want)
			t.Logf("%d words, smallest logit margin %g", len(srcs), m.minMargin)
			// Distinct codes differ in at least one of contentDim signs.
			if limit := float32(1) / float32(specs[Tiny].contentDim); m.minMargin < limit {
				t.Errorf("smallest logit margin %g, want at least %g", m.minMargin, limit)
			}
		})
	}
}

// TestBaseTranslatesSample checks at least 300 evenly spread lexicon words per direction on
// the base models, whose cost blocks are the widest the tests build.
func TestBaseTranslatesSample(t *testing.T) {
	es, err := loadEntries()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range directions(es, specs[Base].maxWordLen) {
		t.Run(d.name, func(t *testing.T) {
			m := model(t, Base, d.name)
			srcs, want := wordCases(t, m, d, d.srcVocab.size()/320)
			if len(srcs) < 300 {
				t.Fatalf("sample has %d words, want at least 300", len(srcs))
			}
			checkWords(t, m, srcs, want)
			t.Logf("%d words, smallest logit margin %g", len(srcs), m.minMargin)
			if limit := float32(1) / float32(specs[Base].contentDim); m.minMargin < limit {
				t.Errorf("smallest logit margin %g, want at least %g", m.minMargin, limit)
			}
		})
	}
}

// TestBatchWithPadding checks that right-padded batches translate as the rows do alone.
func TestBatchWithPadding(t *testing.T) {
	m := model(t, Tiny, "en-hi")
	texts := []string{"the water is cold.", "good boy", "we eat rice, they eat fish!", "a"}
	var srcs [][]int64
	var want [][]int64
	for _, s := range texts {
		src := m.encodeSource(t, s)
		srcs = append(srcs, src)
		want = append(want, m.greedy(t, src))
	}
	got := m.greedyBatch(t, srcs, 12)
	for i := range texts {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("row %d (%q): batched %q, alone %q", i, texts[i], m.tokens(got[i]), m.tokens(want[i]))
		}
	}
}

// TestUnknownWords checks that words outside the lexicon come out as <unk>, in place.
func TestUnknownWords(t *testing.T) {
	tests := []struct {
		dir, src, want string
	}{
		{"en-hi", "zorblax", "<unk>"},
		{"en-hi", "the zorblax river.", "वह <unk> नदी।"},
		{"hi-en", "ज़ोरब्लैक्स पानी", "<unk> water"},
	}
	for _, tt := range tests {
		t.Run(tt.dir+"/"+tt.src, func(t *testing.T) {
			if got := model(t, Tiny, tt.dir).translate(t, tt.src); got != tt.want {
				t.Errorf("translate(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}
