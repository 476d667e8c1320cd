package harness

import (
	"os"
	"runtime/debug"
)

// LoadGCPercent is the garbage collector's target that TuneGC sets: the heap may
// grow to five times what is live before a collection, in place of Go's
// default of twice.
const LoadGCPercent = 400

// TuneGC sets the garbage collector of a process that generates load. A load
// generator allocates a few KiB per request (net/http's request, headers and
// contexts; vegeta's result) and keeps little of it, so at Go's default the
// collector ran several times a second and took about a tenth of the
// generator's CPU. With LoadGCPercent it runs a quarter as often. The memory
// limit, half of this machine's RAM, makes the collector work harder, not the
// heap grow further, when a long run's kept results get large.
//
// The environment wins: with GOGC or GOMEMLIMIT set, TuneGC changes nothing of
// that setting. The returned function restores what was there before.
func TuneGC() (restore func()) {
	var undo []func()
	if _, set := os.LookupEnv("GOGC"); !set {
		old := debug.SetGCPercent(LoadGCPercent)
		undo = append(undo, func() { debug.SetGCPercent(old) })
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		if total := totalMemory(); total > 0 {
			old := debug.SetMemoryLimit(int64(min(total/2, 1<<62)))
			undo = append(undo, func() { debug.SetMemoryLimit(old) })
		}
	}
	return func() {
		for _, f := range undo {
			f()
		}
	}
}
