package models

import (
	"bufio"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// goldenFile is the generator's list of expected translations: direction<TAB>source<TAB>expected.
var goldenFile = filepath.Join("lexicon", "testdata", "golden.tsv")

func TestTranslateGolden(t *testing.T) {
	f, err := os.Open(goldenFile)
	if err != nil {
		t.Fatalf("golden translations (written by models/lexicon): %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Split(text, "\t")
		if len(fields) != 3 {
			t.Fatalf("%s:%d: want direction<TAB>source<TAB>expected, got %q", goldenFile, line, text)
		}
		dir, src, want := fields[0], fields[1], fields[2]
		n++
		t.Run(dir+"/"+src, func(t *testing.T) {
			got, err := tinyModel(t, dir).Translate(context.Background(), []string{src})
			if err != nil {
				t.Fatalf("Translate(%q): %v", src, err)
			}
			if got[0] != want {
				t.Errorf("Translate(%q) = %q, want %q", src, got[0], want)
			}
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("%s has no cases", goldenFile)
	}
}

// sentences are inputs of varied length for each direction, unknown words included.
var sentences = map[string][]string{
	"en-hi": {
		"the water is cold.",
		"Zorblax",
		"the big river is not far from the old house, and the boy has a good dog.",
		"is the water cold?",
		"",
		"the Quuxly boy drinks cold water.",
	},
	"hi-en": {
		"पानी ठंडा है।",
		"बड़ा घर",
		"Zorblax पानी",
		"   ",
		"लड़का पानी पीता है।",
	},
}

// translateEach translates texts one by one.
func translateEach(t *testing.T, m Translator, texts []string) []string {
	t.Helper()
	out := make([]string, len(texts))
	for i, text := range texts {
		got, err := m.Translate(context.Background(), []string{text})
		if err != nil {
			t.Fatalf("Translate(%q): %v", text, err)
		}
		if len(got) != 1 {
			t.Fatalf("Translate(%q) returned %d texts, want 1", text, len(got))
		}
		out[i] = got[0]
	}
	return out
}

func TestTranslateBatchMatchesSingle(t *testing.T) {
	for dir, texts := range sentences {
		t.Run(dir, func(t *testing.T) {
			m := tinyModel(t, dir)
			want := translateEach(t, m, texts)
			got, err := m.Translate(context.Background(), texts)
			if err != nil {
				t.Fatalf("Translate(batch): %v", err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("batch = %q\none by one = %q", got, want)
			}
			for i, text := range texts {
				if blank := strings.TrimSpace(text) == ""; blank != (want[i] == "") {
					t.Errorf("Translate(%q) = %q: blank input must give blank output and only then", text, want[i])
				}
			}
		})
	}
	t.Run("empty batch", func(t *testing.T) {
		got, err := tinyModel(t, "en-hi").Translate(context.Background(), nil)
		if err != nil || len(got) != 0 {
			t.Errorf("Translate(nil) = %q, %v; want no texts and no error", got, err)
		}
	})
}

func TestTranslateUnknownWords(t *testing.T) {
	tests := []struct {
		dir, text string
		want      []string // must appear in this order
	}{
		{"en-hi", "the Zorblax is cold.", []string{"Zorblax"}},
		{"en-hi", "Zorblax and Quuxly drink water", []string{"Zorblax", "Quuxly"}},
		{"hi-en", "Zorblax पानी", []string{"Zorblax"}},
	}
	for _, tt := range tests {
		t.Run(tt.dir+"/"+tt.text, func(t *testing.T) {
			got, err := tinyModel(t, tt.dir).Translate(context.Background(), []string{tt.text})
			if err != nil {
				t.Fatal(err)
			}
			rest := got[0]
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("Translate(%q) = %q, want %q copied through in order %q", tt.text, got[0], w, tt.want)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(got[0], "<unk>") {
				t.Errorf("Translate(%q) = %q still holds <unk>", tt.text, got[0])
			}
		})
	}
}

func TestTranslateConcurrent(t *testing.T) {
	m := tinyModel(t, "en-hi")
	texts := sentences["en-hi"]
	want := translateEach(t, m, texts)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for round := range 3 {
				i := (g + round) % len(texts)
				got, err := m.Translate(context.Background(), []string{texts[i]})
				if err != nil {
					errs <- err
					return
				}
				if got[0] != want[i] {
					errs <- errors.New("goroutine got " + got[0] + ", want " + want[i])
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestTranslateCancel(t *testing.T) {
	m := tinyModel(t, "en-hi")
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := m.Translate(ctx, []string{"the water is cold"})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Translate(cancelled) = %v, want context.Canceled", err)
		}
	})
	t.Run("while running", func(t *testing.T) {
		// A batch long enough that its translation takes a good while; cancelling part way
		// must stop it well before it would have finished.
		long := strings.Repeat("the old boy drinks cold water from the big river and ", 6)
		batch := make([]string, 32)
		for i := range batch {
			batch[i] = long
		}
		start := time.Now()
		if _, err := m.Translate(context.Background(), batch); err != nil {
			t.Fatal(err)
		}
		full := time.Since(start)
		if full < 200*time.Millisecond {
			t.Fatalf("uncancelled batch took only %v; the test needs a longer one", full)
		}

		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(full/10, cancel)
		defer timer.Stop()
		start = time.Now()
		_, err := m.Translate(ctx, batch)
		elapsed := time.Since(start)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Translate = %v, want context.Canceled", err)
		}
		if elapsed > full/2 {
			t.Errorf("cancelled after %v, returned after %v; the full batch takes %v", full/10, elapsed, full)
		}
		t.Logf("full batch %v, cancelled at %v, returned at %v", full, full/10, elapsed)
	})
	t.Run("inside one onnx run", func(t *testing.T) {
		// One encoder run over a large batch is a single long ONNX call: only the run
		// options' terminate flag can stop it early.
		ids, _, err := m.src.EncodeWords(strings.Repeat("water ", 500))
		if err != nil {
			t.Fatal(err)
		}
		rows := make([]sourceRow, 32)
		for i := range rows {
			rows[i] = sourceRow{index: i, ids: ids}
		}
		encodeFor := func(ctx context.Context) (time.Duration, error) {
			ro, release, err := watchCancel(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer release()
			start := time.Now()
			enc, err := m.encode(ctx, ro, rows)
			if err == nil {
				enc.destroy()
			}
			return time.Since(start), err
		}
		full, err := encodeFor(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if full < 100*time.Millisecond {
			t.Fatalf("uncancelled encoder run took only %v; the test needs a longer one", full)
		}
		ctx, cancel := context.WithCancel(context.Background())
		timer := time.AfterFunc(full/10, cancel)
		defer timer.Stop()
		elapsed, err := encodeFor(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("encode = %v, want context.Canceled", err)
		}
		if elapsed > full/2 {
			t.Errorf("cancelled after %v, returned after %v; the full run takes %v", full/10, elapsed, full)
		}
		t.Logf("full run %v, cancelled at %v, returned at %v", full, full/10, elapsed)
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
		defer cancel()
		<-ctx.Done()
		_, err := m.Translate(ctx, []string{"the water is cold"})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Translate = %v, want context.DeadlineExceeded", err)
		}
	})
}

func TestTranslateTooLong(t *testing.T) {
	m := tinyModel(t, "en-hi")
	text := strings.Repeat("water ", m.Config().MaxPositions+1)
	_, err := m.Translate(context.Background(), []string{"water", text})
	if !errors.Is(err, ErrTooLong) {
		t.Fatalf("Translate(too long) = %v, want ErrTooLong", err)
	}
}

func TestLoadedModelName(t *testing.T) {
	for _, dir := range []string{"en-hi", "hi-en"} {
		if got, want := tinyModel(t, dir).Name(), "lexicon-tiny/"+dir; got != want {
			t.Errorf("Name() = %q, want %q", got, want)
		}
	}
}

func TestModelClose(t *testing.T) {
	m, err := Load(filepath.Join(tinyRoot(t), "en-hi"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			// Either translated or refused as closed; never a crash or a race.
			_, err := m.Translate(context.Background(), []string{"the water is cold"})
			if err != nil && !errors.Is(err, ErrClosed) {
				t.Errorf("Translate during Close: %v", err)
			}
		})
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	if _, err := m.Translate(context.Background(), []string{"water"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Translate after Close = %v, want ErrClosed", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
