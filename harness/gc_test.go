package harness

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestTuneGCSetsALoadGeneratorsCollector: without GOGC and GOMEMLIMIT in the
// environment TuneGC raises the collector's target and caps the heap at half
// the RAM; restore puts back what was there. With both set it changes nothing.
func TestTuneGCSetsALoadGeneratorsCollector(t *testing.T) {
	t.Run("unset", func(t *testing.T) {
		for _, k := range []string{"GOGC", "GOMEMLIMIT"} {
			t.Setenv(k, "") // restored after the test
			os.Unsetenv(k)
		}
		beforePct, beforeLim := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
		debug.SetGCPercent(beforePct)
		restore := TuneGC()
		pct := debug.SetGCPercent(-1)
		debug.SetGCPercent(pct)
		lim := debug.SetMemoryLimit(-1)
		restore()
		if pct != LoadGCPercent {
			t.Errorf("GC percent %d after TuneGC, want %d", pct, LoadGCPercent)
		}
		total := totalMemory()
		if total == 0 {
			t.Fatal("totalMemory found no RAM in /proc/meminfo")
		}
		if want := int64(total / 2); lim != want {
			t.Errorf("memory limit %d after TuneGC, want half the RAM, %d", lim, want)
		}
		if p, l := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1); p != beforePct || l != beforeLim {
			t.Errorf("after restore: GC percent %d, limit %d; want %d, %d", p, l, beforePct, beforeLim)
		} else {
			debug.SetGCPercent(p)
		}
	})
	t.Run("environment wins", func(t *testing.T) {
		t.Setenv("GOGC", "100")
		t.Setenv("GOMEMLIMIT", "off")
		beforePct, beforeLim := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
		debug.SetGCPercent(beforePct)
		restore := TuneGC()
		defer restore()
		pct := debug.SetGCPercent(-1)
		debug.SetGCPercent(pct)
		if pct != beforePct {
			t.Errorf("GC percent %d with GOGC set, want it left at %d", pct, beforePct)
		}
		if lim := debug.SetMemoryLimit(-1); lim != beforeLim {
			t.Errorf("memory limit %d with GOMEMLIMIT set, want it left at %d", lim, beforeLim)
		}
	})
}
