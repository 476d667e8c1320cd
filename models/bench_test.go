package models

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"contend/models/lexicon"
)

// benchSentence is the ten-word sentence whose cost the benchmarks report.
const benchSentence = "the old boy drinks cold water from the big river"

// baseBench holds base models for the benchmarks: $CONTEND_MODELS/base when built, else
// built once into a temporary directory (about three seconds).
var baseBench struct {
	once sync.Once
	root string
	err  error
}

func baseRoot(b *testing.B) string {
	b.Helper()
	baseBench.once.Do(func() {
		if root, err := ResolveModelsRoot("", string(lexicon.Base)); err == nil {
			if _, err := os.Stat(DirFor(root, "en", "hi")); err == nil {
				baseBench.root = root
				return
			}
		}
		dir, err := os.MkdirTemp("", "contend-models-bench-")
		if err != nil {
			baseBench.err = err
			return
		}
		fixture.extraDirs = append(fixture.extraDirs, dir)
		baseBench.root = filepath.Join(dir, "base")
		baseBench.err = lexicon.Build(baseBench.root, lexicon.Base)
	})
	if baseBench.err != nil {
		b.Fatalf("base models: %v", baseBench.err)
	}
	return baseBench.root
}

// BenchmarkTranslate reports the cost of translating the ten-word sentence alone (ns/op is
// the per-sentence cost) and in a batch of eight (ns/sentence), per model size, on one
// intra-op thread as the server runs them.
func BenchmarkTranslate(b *testing.B) {
	if n := len(strings.Fields(benchSentence)); n != 10 {
		b.Fatalf("bench sentence has %d words, want 10", n)
	}
	sizes := []struct {
		name string
		root func(*testing.B) string
	}{
		{"tiny", func(b *testing.B) string { return tinyRoot(b) }},
		{"base", func(b *testing.B) string { requireRuntime(b); return baseRoot(b) }},
	}
	for _, size := range sizes {
		for _, dir := range []string{"en-hi", "hi-en"} {
			b.Run(size.name+"/"+dir, func(b *testing.B) {
				m, err := Load(filepath.Join(size.root(b), dir))
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				text := benchSentence
				if dir == "hi-en" {
					out, err := loadEnHi(b, size.root(b)).Translate(context.Background(), []string{benchSentence})
					if err != nil {
						b.Fatal(err)
					}
					text = out[0]
				}
				for _, batch := range []int{1, 8} {
					texts := make([]string, batch)
					for i := range texts {
						texts[i] = text
					}
					b.Run(fmt.Sprintf("batch%d", batch), func(b *testing.B) {
						for b.Loop() {
							if _, err := m.Translate(context.Background(), texts); err != nil {
								b.Fatal(err)
							}
						}
						b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*batch), "ns/sentence")
					})
				}
			})
		}
	}
}

// loadEnHi loads the en-hi model under root, for producing Hindi input to hi-en.
func loadEnHi(b *testing.B, root string) *Model {
	b.Helper()
	m, err := Load(filepath.Join(root, "en-hi"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m
}

// BenchmarkLongText reports what a long text costs on base, with the key/value cache of
// decoder_with_past_model.onnx and without it (every step re-reading the prefix), side by
// side: ns/op is the wall time of one translation, cpu-ms/op the process CPU time it took
// (on a shared machine, what an idle core would take). "words" is the text's length in
// source words; one more token ends it, and the lexicon's output is as long.
func BenchmarkLongText(b *testing.B) {
	requireRuntime(b)
	root := baseRoot(b)
	for _, words := range []int{32, 128} {
		text := strings.TrimSpace(strings.Repeat("boy ", words))
		for _, cache := range []bool{true, false} {
			name := fmt.Sprintf("words%d/cache=%t", words, cache)
			b.Run(name, func(b *testing.B) {
				m, err := Load(filepath.Join(root, "en-hi"), DecoderCache(cache))
				if err != nil {
					b.Fatal(err)
				}
				defer m.Close()
				if m.UsesCache() != cache {
					b.Fatalf("UsesCache = %t, want %t (rebuild the models: make models)", m.UsesCache(), cache)
				}
				cpu0 := processCPU()
				for b.Loop() {
					if _, err := m.Translate(context.Background(), []string{text}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
			})
		}
	}
}

// processCPU returns the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
