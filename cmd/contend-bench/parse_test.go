package main

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// heyOutput is hey 0.1.4's summary, shortened.
const heyOutput = `
Summary:
  Total:	3.0020 secs
  Slowest:	0.0090 secs
  Requests/sec:	25187.3338

Status code distribution:
  [200]	75500 responses
  [503]	12 responses

Error distribution:
  [3]	Get "http://127.0.0.1:1/": context deadline exceeded
  [1]	Get "http://127.0.0.1:1/": EOF
`

const wrkOutput = `Running 3s test @ http://127.0.0.1:18977/
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.33ms    3.43ms  32.26ms   92.39%
  159342 requests in 3.00s, 4.18MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 5
Requests/sec:  53096.12
Transfer/sec:      3.80MB
`

func TestParseTools(t *testing.T) {
	tests := []struct {
		name    string
		parse   func(string) (toolRun, error)
		in      string
		want    toolRun
		wantErr string
	}{
		{"hey", parseHey, heyOutput, toolRun{rps: 25187.3338, requests: 75516, failed: 16}, ""},
		{"hey without 200s", parseHey, "Requests/sec:\t10\nStatus code distribution:\n  [500]\t3 responses\n", toolRun{}, "no 200 responses"},
		{"hey without rate", parseHey, "Summary:\n", toolRun{}, "no Requests/sec"},
		{"wrk", parseWrk, wrkOutput, toolRun{rps: 53096.12, requests: 159342, failed: 8}, ""},
		{"wrk clean", parseWrk, "  10 requests in 1.00s, 1KB read\nRequests/sec:  10.00\n", toolRun{rps: 10, requests: 10}, ""},
		{"wrk zero rate", parseWrk, "Requests/sec:  0.00\n", toolRun{}, "bad Requests/sec"},
		{"vegeta", parseVegetaReport, `{"requests": 100, "throughput": 33.5, "status_codes": {"200": 97, "0": 3}}`,
			toolRun{rps: 33.5, requests: 100, failed: 3}, ""},
		{"vegeta nothing ok", parseVegetaReport, `{"requests": 5, "throughput": 0, "status_codes": {"0": 5}}`, toolRun{}, "no successful requests"},
		{"vegeta not json", parseVegetaReport, `Requests [total] 5`, toolRun{}, "vegeta report"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

const benchOutput = `goos: linux
goarch: amd64
pkg: contend/target
cpu: AMD EPYC
BenchmarkTranslate-2   	       7	 304002485 ns/op	 147651594 direct-ns/op	 156350152 http-ns/op	         0.05891 overhead-ratio
--- BENCH: BenchmarkTranslate-2
    bench_test.go:48: base models from /work/main/.cache/models/base
BenchmarkConcurrency/naive-2                  	       3	1520098392 ns/op	         0.9835 wall-ratio
BenchmarkConcurrency/double-checked-2         	       3	1020098392 ns/op	         0.5512 wall-ratio
BenchmarkBroken-2   	 x	 1 ns/op
PASS
ok  	contend/target	4.227s
`

func TestParseBenchOutput(t *testing.T) {
	got := parseBenchOutput(benchOutput)
	want := []benchLine{
		{name: "BenchmarkTranslate", iters: 7, metrics: map[string]float64{
			"ns/op": 304002485, "direct-ns/op": 147651594, "http-ns/op": 156350152, "overhead-ratio": 0.05891}},
		{name: "BenchmarkConcurrency", sub: "naive", iters: 3, metrics: map[string]float64{"ns/op": 1520098392, "wall-ratio": 0.9835}},
		{name: "BenchmarkConcurrency", sub: "double-checked", iters: 3, metrics: map[string]float64{"ns/op": 1020098392, "wall-ratio": 0.5512}},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d lines, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		t.Run(want[i].name+"/"+want[i].sub, func(t *testing.T) {
			g, w := got[i], want[i]
			if g.name != w.name || g.sub != w.sub || g.iters != w.iters || len(g.metrics) != len(w.metrics) {
				t.Fatalf("got %+v, want %+v", g, w)
			}
			for unit, v := range w.metrics {
				if g.metrics[unit] != v {
					t.Errorf("%s = %v, want %v", unit, g.metrics[unit], v)
				}
			}
		})
	}
	if got, want := modelsUsed(benchOutput), "base"; got != want {
		t.Errorf("modelsUsed = %q, want %q", got, want)
	}
	if got := modelsUsed("PASS\n"); got != "" {
		t.Errorf("modelsUsed without a log line = %q, want empty", got)
	}
}

// TestProc reads this very process and machine through procfs: what the bench
// measures other processes with.
func TestProc(t *testing.T) {
	self := os.Getpid()
	for i := 0; i < 2e6; i++ { // use some CPU, so that the counter moved
		_ = strings.Repeat("x", i%3)
	}
	if cpu, err := processCPU(self); err != nil || cpu <= 0 {
		t.Errorf("processCPU(self) = %v, %v; want some CPU time", cpu, err)
	}
	if busy, err := machineBusy(); err != nil || busy <= 0 {
		t.Errorf("machineBusy = %v, %v; want the machine's busy time since boot", busy, err)
	}
	for _, field := range []string{"VmRSS", "VmHWM"} {
		if b, err := procStatus(self, field); err != nil || b < 1<<20 {
			t.Errorf("%s of this test = %v, %v; want at least 1 MiB", field, b, err)
		}
	}
	if _, err := procStatus(self, "VmSwap"); err == nil {
		t.Error("an unknown field: want an error")
	}
	if _, err := processCPU(1 << 30); err == nil {
		t.Error("no such process: want an error")
	}
}

func TestMetricValue(t *testing.T) {
	text := `# HELP contend_model_load_seconds Duration of each attempt.
# TYPE contend_model_load_seconds histogram
contend_model_load_seconds_bucket{strategy="eager",le="0.001"} 0
contend_model_load_seconds_sum{strategy="eager"} 2.5
contend_model_load_seconds_count{strategy="eager"} 1
process_resident_memory_bytes_max 1
process_resident_memory_bytes 1.2e+09
`
	tests := []struct {
		name   string
		want   float64
		wantOK bool
	}{
		{"contend_model_load_seconds_sum", 2.5, true},
		{"process_resident_memory_bytes", 1.2e9, true},
		{"contend_model_load_seconds_count", 1, true},
		{"contend_model_load_seconds", 0, false},
		{"go_goroutines", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := metricValue(text, tt.name)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("got %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestParseLevels(t *testing.T) {
	tests := []struct {
		in      string
		want    []int
		wantErr bool
	}{
		{"1,2,4,8", []int{1, 2, 4, 8}, false},
		{" 1, 3 ", []int{1, 3}, false},
		{"4", nil, true},
		{"2,1", nil, true},
		{"1,x", nil, true},
		{"0,2", nil, true},
		{"1,65", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseLevels(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestMedianAndSizes(t *testing.T) {
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"median odd", median([]float64{3, 1, 2}), 2},
		{"median even", median([]float64{4, 1, 3, 2}), 2.5},
		{"median none", median(nil), 0},
		{"ratio", ratio(3, 2), 1.5},
		{"ratio by zero", ratio(3, 0), 0},
		{"burst of 3 s at 20k/s", float64(burstSize(20000, 3*time.Second)), 60000},
		{"burst floor", float64(burstSize(10, 3*time.Second)), 1000},
		{"cpu per request", perRequestUS(3*time.Millisecond, 1000), 3},
		{"cpu per no request", perRequestUS(time.Second, 0), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v, want %v", tt.got, tt.want)
			}
		})
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"defaults", nil, ""},
		{"parts", []string{"--only", "loadgen,cold", "--rounds", "2", "--duration", "2s"}, ""},
		{"unknown part", []string{"--only", "loadgen,disk"}, `unknown part "disk"`},
		{"fractional duration", []string{"--duration", "1500ms"}, "whole seconds"},
		{"one connection", []string{"-c", "1"}, "-c must be 2..256"},
		{"too many rounds", []string{"--rounds", "21"}, "-rounds must be 1..20"},
		{"levels", []string{"--levels", "1,2,2"}, "levels must ascend"},
		{"stray argument", []string{"extra"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr strings.Builder
			cfg, err := parseFlags(tt.args, &stderr)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.args == nil && (cfg.rounds != defaultRounds || !slices.Equal(cfg.levels, []int{1, 2, 4, 8}) || !cfg.runs(partScaling)) {
				t.Errorf("defaults: got %+v", cfg)
			}
			if tt.args != nil && (cfg.runs(partScaling) || !cfg.runs(partCold) || cfg.duration != 2*time.Second) {
				t.Errorf("parts: got only %v, duration %s", cfg.only, cfg.duration)
			}
		})
	}
}
