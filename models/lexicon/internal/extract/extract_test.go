package extract

import (
	"bytes"
	"compress/gzip"
	"os"
	"slices"
	"strings"
	"testing"
)

// readSample parses testdata/sample.index and sample.dict, a handmade dictionary exercising
// every rule in the package doc.
func readSample(t *testing.T) ([]IndexEntry, []byte) {
	t.Helper()
	f, err := os.Open("testdata/sample.index")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	idx, err := ReadIndex(f)
	if err != nil {
		t.Fatal(err)
	}
	body, err := os.ReadFile("testdata/sample.dict")
	if err != nil {
		t.Fatal(err)
	}
	return idx, body
}

func TestExtractSample(t *testing.T) {
	idx, body := readSample(t)
	got, err := Extract(idx, body)
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{
		{"abate", "घटाना"},     // the lower-case headword beats "Abate"
		{"ace", "इक्का"},       // "{ताश~का)" annotation with the source's mismatched closer
		{"bitter", "कड़वा"},    // leading "{...}" annotation
		{"join", "मिलना"},      // "[...]" annotation
		{"march", "मार्च"},     // "March" is before "MARCH" in the index
		{"nfc", "बड़ा"},        // U+095C put in NFC
		{"phrase", "वाक्यांश"}, // first alternative is a "~" phrase, second is a word
		{"water", "पानी"},      // first entry's first sense, not the verb's
		{"young", "तरुण"},      // "कम~उम्र" skipped
		{"zeal", "जोश"},        // first entry has no sense line
	}
	// Dropped: "a few" (space), "mp3" (digit), "river-bed" (hyphen), "00databaseinfo",
	// "empty" (no sense), "hyphenated" (no single-word alternative), "later" (first sense
	// has no word; the second sense is not used).
	if !slices.Equal(got, want) {
		t.Errorf("Extract:\n got %v\nwant %v", got, want)
	}
}

func TestReadBodyGzip(t *testing.T) {
	_, plain := readSample(t)
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(plain)
	zw.Close()
	tests := []struct {
		name string
		in   []byte
	}{
		{"plain", plain},
		{"dictzip", z.Bytes()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadBody(bytes.NewReader(tt.in))
			if err != nil || !bytes.Equal(got, plain) {
				t.Errorf("ReadBody: %d bytes, %v; want the %d plain bytes", len(got), err, len(plain))
			}
		})
	}
}

func TestDecodeNumber(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr bool
	}{
		{"A", 0, false},
		{"B", 1, false},
		{"/", 63, false},
		{"BA", 64, false},
		{"BYL", 1*64*64 + 24*64 + 11, false},
		{"", 0, true},
		{"A-", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := decodeNumber(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("decodeNumber(%q) = %d, %v; want %d, error %t", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestReadIndexErrors(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"two fields", "water\tA\n"},
		{"bad offset", "water\t!\tB\n"},
		{"bad length", "water\tA\t?\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ReadIndex(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), "line 1") {
				t.Errorf("ReadIndex(%q): error %v, want one naming line 1", tt.in, err)
			}
		})
	}
}

func TestExtractOutOfRange(t *testing.T) {
	idx := []IndexEntry{{Headword: "water", Offset: 10, Length: 100}}
	if _, err := Extract(idx, []byte("short")); err == nil || !strings.Contains(err.Error(), "water") {
		t.Errorf("Extract with an entry past the body: error %v, want one naming the headword", err)
	}
}

func TestPickAlternative(t *testing.T) {
	tests := []struct {
		sense  string
		want   string
		wantOK bool
	}{
		{"पानी", "पानी", true},
		{"कम~उम्र, तरुण", "तरुण", true},
		{"{संगीत~संबंधी)संगत", "संगत", true},
		{"रह[रख]~सकना", "", false},
		{"उन्मूलन~करना[होना]", "", false},
		{"गुस्से से", "", false},
		{"कम-ज़्यादा", "", false},
		{"?", "", false},
		{"{अधूरा", "", false}, // an unclosed annotation runs to the end
		{"", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.sense, func(t *testing.T) {
			got, ok := pickAlternative(tt.sense)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("pickAlternative(%q) = %q, %t; want %q, %t", tt.sense, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestWriteTSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTSV(&b, []Pair{{"a", "एक"}, {"water", "पानी"}}); err != nil {
		t.Fatal(err)
	}
	if want := "a\tएक\nwater\tपानी\n"; b.String() != want {
		t.Errorf("WriteTSV wrote %q, want %q", b.String(), want)
	}
}
