package lexicon

import (
	_ "embed" // for the embedded lexicon
	"fmt"
	"slices"
	"strings"
	"sync"
)

//go:generate go run ./internal/cmd/extract -index /usr/share/dictd/freedict-eng-hin.index -dict /usr/share/dictd/freedict-eng-hin.dict.dz -out data/eng-hin.tsv

//go:embed data/eng-hin.tsv
var engHinTSV string

// Entry is one lexicon pair: a lower-case English word and its single-word Hindi translation.
type Entry struct {
	English string
	Hindi   string
}

var (
	entriesOnce sync.Once
	entries     []Entry // parsed engHinTSV, sorted by English; never modified after parsing
	entriesErr  error
)

// Entries returns the embedded English-Hindi lexicon (data/eng-hin.tsv), sorted by English
// word. The slice is a fresh copy the caller may modify. It panics only if the embedded file
// is malformed, which the package's tests rule out.
func Entries() []Entry {
	es, err := loadEntries()
	if err != nil {
		panic(err)
	}
	return slices.Clone(es)
}

func loadEntries() ([]Entry, error) {
	entriesOnce.Do(func() { entries, entriesErr = parseTSV(engHinTSV) })
	return entries, entriesErr
}

// parseTSV parses "english<TAB>hindi" lines, requiring sorted, unique English words.
func parseTSV(s string) ([]Entry, error) {
	var out []Entry
	for i, line := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		en, hi, ok := strings.Cut(line, "\t")
		if !ok || en == "" || hi == "" || strings.Contains(hi, "\t") {
			return nil, fmt.Errorf("lexicon line %d: want \"english<TAB>hindi\", got %q", i+1, line)
		}
		if n := len(out); n > 0 && out[n-1].English >= en {
			return nil, fmt.Errorf("lexicon line %d: %q is not after %q", i+1, en, out[n-1].English)
		}
		out = append(out, Entry{English: en, Hindi: hi})
	}
	return out, nil
}

// punctuation maps each direction's source punctuation tokens to target tokens. The
// Devanagari danda "।" ends a Hindi sentence where English has ".".
var punctuation = map[string]map[string]string{
	"en-hi": {".": "।", ",": ",", "?": "?", "!": "!"},
	"hi-en": {"।": ".", ".": ".", ",": ",", "?": "?", "!": "!"},
}

// invert maps each Hindi word of the lexicon to one English word: among the English words
// that translate to it (all of them through their first sense, by the extraction rules), the
// shortest, then the alphabetically first. Short words are the common ones ("a" over "one",
// "big" over "great").
func invert(es []Entry) map[string]string {
	inv := make(map[string]string, len(es))
	for _, e := range es {
		old, ok := inv[e.Hindi]
		if !ok || len(e.English) < len(old) || len(e.English) == len(old) && e.English < old {
			inv[e.Hindi] = e.English
		}
	}
	return inv
}

// Special tokens, with Marian's ids: </s> is 0, <unk> is 1 and <pad> is the last id.
const (
	eosToken = "</s>"
	unkToken = "<unk>"
	padToken = "<pad>"
	eosID    = 0
	unkID    = 1
)

// vocab is an id-ordered token list: </s>, <unk>, the other tokens sorted, then <pad>.
type vocab struct {
	tokens []string
	ids    map[string]int
}

func newVocab(words []string) *vocab {
	words = slices.Clone(words)
	slices.Sort(words)
	words = slices.Compact(words)
	v := &vocab{tokens: []string{eosToken, unkToken}}
	v.tokens = append(v.tokens, words...)
	v.tokens = append(v.tokens, padToken)
	v.ids = make(map[string]int, len(v.tokens))
	for i, t := range v.tokens {
		v.ids[t] = i
	}
	return v
}

func (v *vocab) size() int  { return len(v.tokens) }
func (v *vocab) padID() int { return len(v.tokens) - 1 }

// direction is one translation direction's word table and vocabularies.
type direction struct {
	name     string            // "en-hi"
	source   string            // source language code
	target   string            // target language code
	table    map[string]string // source token -> target token, punctuation included
	srcVocab *vocab
	tgtVocab *vocab
}

// directions builds en-hi and hi-en from the lexicon entries whose English word has at most
// maxWordLen letters (all entries when maxWordLen is 0).
func directions(es []Entry, maxWordLen int) []*direction {
	if maxWordLen > 0 {
		es = slices.DeleteFunc(slices.Clone(es), func(e Entry) bool { return len(e.English) > maxWordLen })
	}
	enHi := map[string]string{}
	for _, e := range es {
		enHi[e.English] = e.Hindi
	}
	hiEn := invert(es)
	out := []*direction{
		newDirection("en-hi", "en", "hi", enHi),
		newDirection("hi-en", "hi", "en", hiEn),
	}
	return out
}

func newDirection(name, src, tgt string, words map[string]string) *direction {
	table := make(map[string]string, len(words)+len(punctuation[name]))
	for s, t := range words {
		table[s] = t
	}
	for s, t := range punctuation[name] {
		table[s] = t
	}
	var srcWords, tgtWords []string
	for s, t := range table {
		srcWords = append(srcWords, s)
		tgtWords = append(tgtWords, t)
	}
	return &direction{
		name:     name,
		source:   src,
		target:   tgt,
		table:    table,
		srcVocab: newVocab(srcWords),
		tgtVocab: newVocab(tgtWords),
	}
}

// translationIDs returns, for every source id, the target id its word translates to:
// </s> to </s>, <unk> to <unk>, and -1 for <pad>.
func (d *direction) translationIDs() []int {
	out := make([]int, d.srcVocab.size())
	for i, tok := range d.srcVocab.tokens {
		switch tok {
		case eosToken:
			out[i] = eosID
		case unkToken:
			out[i] = unkID
		case padToken:
			out[i] = -1
		default:
			out[i] = d.tgtVocab.ids[d.table[tok]]
		}
	}
	return out
}
