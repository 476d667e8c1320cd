package lexicon

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// tenWords is the benchmark sentence: ten lexicon words and a full stop.
const tenWords = "The big boy and the small girl eat good hot rice."

// BenchmarkTranslate measures one greedy translation of a ten-word sentence per size with
// ONNX Runtime on one thread: the cost the sizes are tuned to.
func BenchmarkTranslate(b *testing.B) {
	for _, size := range []Size{Tiny, Base, Large} {
		b.Run(string(size), func(b *testing.B) {
			dir := b.TempDir()
			if err := Build(dir, size); err != nil {
				b.Fatal(err)
			}
			m := loadTestModel(b, filepath.Join(dir, "en-hi"))
			b.Cleanup(m.close)
			src := m.encodeSource(b, tenWords)
			m.greedy(b, src) // warm up
			cpu0 := processCPU(b)
			b.ResetTimer()
			n := 0
			for b.Loop() {
				m.greedy(b, src)
				n++
			}
			// On a shared machine wall time includes waiting for a core; process CPU time
			// per translation is the one-core cost the sizes are tuned to.
			b.ReportMetric(float64((processCPU(b)-cpu0).Milliseconds())/float64(n), "cpu-ms/op")
		})
	}
}

// BenchmarkBuildBase measures writing the base models (the default of `contend models build`).
func BenchmarkBuildBase(b *testing.B) {
	dir := b.TempDir()
	for b.Loop() {
		if err := Build(dir, Base); err != nil {
			b.Fatal(err)
		}
	}
}

// processCPU returns the user plus system CPU time this process has used.
func processCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
