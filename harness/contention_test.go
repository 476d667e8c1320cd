package harness

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// contendedSection makes n goroutines queue on one mutex, each holding it for
// hold: the block profile charges their wait to this function.
func contendedSection(mu *sync.Mutex, n int, hold time.Duration) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			time.Sleep(hold)
			mu.Unlock()
		}()
	}
	wg.Wait()
}

func TestProfilerNamesTheContendedCallSite(t *testing.T) {
	runtime.SetBlockProfileRate(1)
	runtime.SetMutexProfileFraction(1)
	defer runtime.SetBlockProfileRate(0)
	defer runtime.SetMutexProfileFraction(0)
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	ctx := context.Background()
	c := probeClient()
	base := pprofBase(ctx, c, PprofAuto, srv.URL)
	if base != srv.URL+"/debug/pprof/" {
		t.Fatalf("pprof base %q, want the target's own /debug/pprof/", base)
	}
	p := &profiler{client: c, base: base}
	before := p.snapshot(ctx)
	if len(before) != 2 {
		t.Fatalf("snapshot has %d profiles, want block and mutex", len(before))
	}
	var mu sync.Mutex
	contendedSection(&mu, 4, 20*time.Millisecond)
	sites := p.delta(ctx, before)
	var block, mutex []string
	for _, s := range sites {
		if s.Share <= 0 || s.Share > 1 || s.DelayMs <= 0 {
			t.Errorf("site %+v (share %g, delay %g ms): share and delay out of range", s, s.Share, s.DelayMs)
		}
		if s.Profile == "block" {
			block = append(block, s.Function)
		} else {
			mutex = append(mutex, s.Function)
		}
	}
	want := "harness.contendedSection.func1"
	if len(block) == 0 || block[0] != want {
		t.Errorf("block profile sites %v, want %s first", block, want)
	}
	if len(mutex) == 0 || mutex[0] != want {
		t.Errorf("mutex profile sites %v, want %s first", mutex, want)
	}
	if s := sites[0]; !strings.HasPrefix(s.File, "harness/contention_test.go") || s.Line == 0 {
		t.Errorf("site file %s:%d, want harness/contention_test.go and a line", s.File, s.Line)
	}
}

func TestPprofBaseOnlyWhenServed(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	ctx := context.Background()
	if got := pprofBase(ctx, probeClient(), PprofAuto, srv.URL); got != "" {
		t.Errorf("pprof base %q for a target without /debug/pprof, want none", got)
	}
	if got := pprofBase(ctx, probeClient(), "", srv.URL); got != "" {
		t.Errorf("pprof base %q without PprofAuto, want none", got)
	}
	if got := pprofBase(ctx, probeClient(), PprofAuto, "http://192.0.2.1:80"); got != "" {
		t.Errorf("pprof base %q off loopback, want none (not probed)", got)
	}
	if got := pprofBase(ctx, probeClient(), "http://127.0.0.1:6060/debug/pprof/", srv.URL); got != "http://127.0.0.1:6060/debug/pprof/" {
		t.Errorf("explicit pprof base lost: %q", got)
	}
}
