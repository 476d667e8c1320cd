package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestMain lets the test binary be the trivial server too: startOKServer re-executes
// the running binary with serveOKCommand, as the driver does with itself.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == serveOKCommand {
		os.Exit(serveOKMain(os.Args[2:], os.Stderr))
	}
	os.Exit(m.Run())
}

// moduleTool finds a tool in the module's .cache/bin (where `make tools` puts
// vegeta), else in PATH; it fails the test naming the make target that provides it.
func moduleTool(t *testing.T, name, provider string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
	}
	if p := filepath.Join(dir, ".cache", "bin", name); fileExists(p) {
		return p
	}
	p, err := resolveBinary(name, provider)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// TestEveryLoadGeneratorAgainstTheTrivialServer starts the trivial server as a child
// process and runs each load generator against it for a second: every one must
// report successful requests and no failures.
func TestEveryLoadGeneratorAgainstTheTrivialServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	srv, err := startOKServer(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.stop()

	const c, d = 4, time.Second
	vegeta := moduleTool(t, "vegeta", "make tools")
	hey := moduleTool(t, "hey", "make test-deps")
	wrk := moduleTool(t, "wrk", "make test-deps")
	tests := []struct {
		name string
		run  func() (toolRun, error)
		// exact is the request count the run must report, 0 when time-bound.
		exact int
	}{
		{toolContendBurst, func() (toolRun, error) { return runContend(ctx, srv.url, burstStep(2000, c), c) }, 2000},
		{toolContendUnpace, func() (toolRun, error) { return runContend(ctx, srv.url, unpacedStep(d), c) }, 0},
		{toolVegeta, func() (toolRun, error) { return runVegeta(ctx, vegeta, dir, srv.url, c, d) }, 0},
		{toolHey, func() (toolRun, error) { return runHey(ctx, hey, dir, srv.url, c, d) }, 0},
		{toolWrk, func() (toolRun, error) { return runWrk(ctx, wrk, dir, srv.url, c, d) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run()
			if err != nil {
				t.Fatal(err)
			}
			if got.rps <= 0 || got.requests <= 0 || got.failed != 0 {
				t.Errorf("got %+v, want requests, a rate and no failures", got)
			}
			if tt.exact > 0 && got.requests != tt.exact {
				t.Errorf("requests = %d, want %d", got.requests, tt.exact)
			}
			if got.genCPU <= 0 {
				t.Errorf("generator cpu = %v, want it measured", got.genCPU)
			}
		})
	}
	if pid := srv.cmd.Process.Pid; pid > 0 {
		if cpu, err := processCPU(pid); err != nil || cpu <= 0 {
			t.Errorf("server cpu = %v, %v; want it measured", cpu, err)
		}
	}
}

func TestGoals(t *testing.T) {
	runs := func(rps ...float64) []toolRun {
		out := make([]toolRun, len(rps))
		for i, r := range rps {
			out[i] = toolRun{rps: r}
		}
		return out
	}
	res := &results{
		loadgen: loadgenResult{tools: []toolResult{
			{name: toolVegeta, runs: runs(100, 90, 110)},
			{name: toolHey, runs: runs(80, 120, 96)},
			{name: toolContendBurst, runs: runs(97, 96, 95)},
			{name: toolContendUnpace, runs: runs(90, 91, 92)},
		}},
		overhead: goBenchResult{
			translate: benchLine{metrics: map[string]float64{"overhead-ratio": 0.031}},
			concurrency: []benchLine{
				{sub: "naive", metrics: map[string]float64{"wall-ratio": 0.99}},
				{sub: "double-checked", metrics: map[string]float64{"wall-ratio": 0.71}},
			},
		},
	}
	want := []goal{
		{"contend (concurrent) >= 0.95x vegeta", "0.96x", true},
		{"contend (concurrent) >= hey", "1.00x hey", true},
		{"contend (rate, unpaced) >= 0.95x vegeta", "0.91x", false},
		{"contend (rate, unpaced) >= hey", "0.95x hey", false},
		{"target overhead over direct ONNX calls < 5%", "+3.1%", true},
		{"naive: 4 concurrent / 4 sequential wall ~1.0 (>= 0.85)", "0.99", true},
		{"double-checked: 4 concurrent / 4 sequential wall <= 0.6", "0.71", false},
	}
	got := goals(res)
	if len(got) != len(want) {
		t.Fatalf("got %d goals, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		t.Run(want[i].what, func(t *testing.T) {
			if got[i] != want[i] {
				t.Errorf("got %+v, want %+v", got[i], want[i])
			}
		})
	}
}
