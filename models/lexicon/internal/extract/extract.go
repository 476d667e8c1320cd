package extract

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Pair is one extracted translation: a lower-case English word and a single Hindi word.
type Pair struct {
	English string
	Hindi   string
}

// IndexEntry is one line of a dictd index: a headword and its byte range in the body.
type IndexEntry struct {
	Headword string
	Offset   int64
	Length   int64
}

// b64 is dictd's digit alphabet for offsets and lengths (big-endian base 64).
const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// decodeNumber decodes a dictd base-64 number such as "BYL".
func decodeNumber(s string) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty number")
	}
	var n int64
	for _, r := range s {
		d := strings.IndexRune(b64, r)
		if d < 0 {
			return 0, fmt.Errorf("number %q: bad digit %q", s, r)
		}
		n = n*64 + int64(d)
	}
	return n, nil
}

// ReadIndex parses a dictd index: one "headword<TAB>offset<TAB>length" line per entry.
func ReadIndex(r io.Reader) ([]IndexEntry, error) {
	var out []IndexEntry
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		if sc.Text() == "" {
			continue
		}
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("index line %d: want 3 tab-separated fields, got %d", line, len(f))
		}
		off, err := decodeNumber(f[1])
		if err != nil {
			return nil, fmt.Errorf("index line %d offset: %w", line, err)
		}
		n, err := decodeNumber(f[2])
		if err != nil {
			return nil, fmt.Errorf("index line %d length: %w", line, err)
		}
		out = append(out, IndexEntry{Headword: f[0], Offset: off, Length: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read index: %w", err)
	}
	return out, nil
}

// ReadBody returns the whole dictionary body, decompressing it when it starts with the gzip
// magic (dictzip .dict.dz files are gzip-compatible).
func ReadBody(r io.Reader) ([]byte, error) {
	br := bufio.NewReader(r)
	magic, err := br.Peek(2)
	if err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("open dictzip body: %w", err)
		}
		defer zr.Close()
		b, err := io.ReadAll(zr)
		if err != nil {
			return nil, fmt.Errorf("decompress body: %w", err)
		}
		return b, nil
	}
	b, err := io.ReadAll(br)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return b, nil
}

// Extract applies the package's rules to a parsed index and its decompressed body.
func Extract(index []IndexEntry, body []byte) ([]Pair, error) {
	type cand struct {
		pair  Pair
		exact bool // the headword was already lower case
		order int  // position of the headword's first entry in the index
	}
	// Group entries by headword, keeping index order.
	var heads []string
	entries := map[string][]IndexEntry{}
	for _, e := range index {
		if _, ok := entries[e.Headword]; !ok {
			heads = append(heads, e.Headword)
		}
		entries[e.Headword] = append(entries[e.Headword], e)
	}
	best := map[string]cand{}
	for order, h := range heads {
		if !isASCIIWord(h) {
			continue
		}
		sense, err := firstSense(entries[h], body)
		if err != nil {
			return nil, fmt.Errorf("headword %q: %w", h, err)
		}
		hi, ok := pickAlternative(sense)
		if !ok {
			continue
		}
		c := cand{pair: Pair{English: strings.ToLower(h), Hindi: hi}, exact: h == strings.ToLower(h), order: order}
		if old, ok := best[c.pair.English]; ok && (old.exact || !c.exact) {
			continue
		}
		best[c.pair.English] = c
	}
	out := make([]Pair, 0, len(best))
	for _, c := range best {
		out = append(out, c.pair)
	}
	slices.SortFunc(out, func(a, b Pair) int { return strings.Compare(a.English, b.English) })
	return out, nil
}

// firstSense returns the text of the first "N. ..." line over the entries, in order.
func firstSense(es []IndexEntry, body []byte) (string, error) {
	for _, e := range es {
		if e.Offset < 0 || e.Length < 0 || e.Offset+e.Length > int64(len(body)) {
			return "", fmt.Errorf("entry at %d+%d is outside the %d-byte body", e.Offset, e.Length, len(body))
		}
		text := string(body[e.Offset : e.Offset+e.Length])
		for _, line := range strings.Split(text, "\n")[1:] {
			if s, ok := senseText(line); ok {
				return s, nil
			}
		}
	}
	return "", nil
}

// senseText reports whether line is a numbered sense line and returns its text.
func senseText(line string) (string, bool) {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i == 0 || !strings.HasPrefix(line[i:], ". ") {
		return "", false
	}
	return strings.TrimSpace(line[i+2:]), true
}

// pickAlternative returns the first alternative of a sense line that is a single word.
func pickAlternative(sense string) (string, bool) {
	for _, alt := range strings.Split(sense, ",") {
		w := strings.TrimSpace(stripAnnotations(alt))
		if isSingleWord(w) {
			return norm.NFC.String(w), true
		}
	}
	return "", false
}

// stripAnnotations removes {...} (closed by '}' or, as in parts of the source, ')') and [...]
// spans. An unclosed span runs to the end of the text.
func stripAnnotations(s string) string {
	var b strings.Builder
	var closer rune // zero when outside an annotation
	for _, r := range s {
		switch {
		case closer == 0 && r == '{':
			closer = '}'
		case closer == 0 && r == '[':
			closer = ']'
		case closer == '}' && (r == '}' || r == ')'):
			closer = 0
		case closer == ']' && r == ']':
			closer = 0
		case closer == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isASCIIWord reports whether s is non-empty and only ASCII letters.
func isASCIIWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

// isSingleWord reports whether s is non-empty and made only of letters and combining marks,
// with at least one letter.
func isSingleWord(s string) bool {
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsMark(r):
		default:
			return false
		}
	}
	return letters > 0
}

// WriteTSV writes pairs as "english<TAB>hindi" lines.
func WriteTSV(w io.Writer, pairs []Pair) error {
	bw := bufio.NewWriter(w)
	for _, p := range pairs {
		if _, err := fmt.Fprintf(bw, "%s\t%s\n", p.English, p.Hindi); err != nil {
			return fmt.Errorf("write tsv: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write tsv: %w", err)
	}
	return nil
}
