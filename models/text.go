package models

import "strings"

// closing holds the punctuation that attaches to the word before it, Devanagari danda included.
const closing = ".,!?;:)]}%»”’…।॥"

// opening holds the punctuation that attaches to the word after it.
const opening = "([{«“‘¿¡"

// Detokenize joins decoded words with single spaces, except that no space goes before
// closing punctuation ("cold ." becomes "cold.") or after opening punctuation. Empty words
// are dropped.
func Detokenize(words []string) string {
	var b strings.Builder
	glueNext := true // no space before the first word
	for _, w := range words {
		if w == "" {
			continue
		}
		if !glueNext && !onlyRunesOf(w, closing) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
		glueNext = onlyRunesOf(w, opening)
	}
	return b.String()
}

// onlyRunesOf reports whether every rune of s is in set.
func onlyRunesOf(s, set string) bool {
	for _, r := range s {
		if !strings.ContainsRune(set, r) {
			return false
		}
	}
	return s != ""
}

// replaceUnknowns copies unknown source words through: the k-th token equal to unk in out is
// replaced by wrap(sources[k]), in order (monotonic replacement). Unknown output tokens beyond
// the number of unknown source words stay as they are. out is modified in place.
func replaceUnknowns(out []string, unk string, sources []string, wrap func(string) string) []string {
	k := 0
	for i, tok := range out {
		if tok != unk || k >= len(sources) {
			continue
		}
		out[i] = wrap(sources[k])
		k++
	}
	return out
}
