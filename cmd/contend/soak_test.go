package main

import (
	"testing"
	"time"
)

// TestSoakCI runs scenarios/soak-ci.yaml (a minute at a steady rate against
// double-checked) with `contend check`: no errors or timeouts, and the target's
// memory, goroutines and open files flat. The report must carry the samples and
// every trend, or the growth checks would have judged nothing.
func TestSoakCI(t *testing.T) {
	requireProvisioned(t, "base")
	out := t.TempDir()
	r := contend(t, 4*time.Minute, "check", "scenarios/soak-ci.yaml", "--no-tui", "--out", out)
	if r.code != exitOK {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, exitOK, r.stdout, r.stderr)
	}
	st := readReport(t, out).Runs[0].Steps[0]
	res := st.Resources
	if res == nil || res.RSS == nil || res.Goroutines == nil || res.OpenFDs == nil {
		t.Fatalf("the soak step has no resource trends: %+v", res)
	}
	// 60 s sampled every 2 s gives about 31 on a quiet machine; a scrape that a busy
	// machine delays for seconds takes the place of the ones it overlaps (the cadence
	// itself is pinned by harness's TestResourcesAreSampled). Fewer than this is
	// sampling that stopped, not a slow target.
	if n := len(res.Samples); n < 6 {
		t.Errorf("%d resource samples over a minute, want about 31 (at least 6)", n)
	}
	t.Logf("soak-ci: %d requests; rss %+.0f B/min, goroutines %+.2f/min, fds %+.2f/min over %d samples",
		st.Requests, res.RSS.PerMin, res.Goroutines.PerMin, res.OpenFDs.PerMin, res.RSS.Points)
}
