package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an external target with known behaviour: every request takes
// serviceTime; serialized handlers hold one mutex over it (the seed's bug).
type countingServer struct {
	srv   *httptest.Server
	count atomic.Int64
}

const serviceTime = 60 * time.Millisecond

func newCountingServer(t *testing.T, serialized bool) *countingServer {
	t.Helper()
	cs := &countingServer{}
	var mu sync.Mutex // held over each request's whole service time when serialized
	cs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/translate" {
			http.NotFound(w, r) // the runner probes /metrics; count only the load
			return
		}
		cs.count.Add(1)
		if serialized {
			mu.Lock()
			defer mu.Unlock()
		}
		time.Sleep(serviceTime)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"translation":"ok"}`))
	}))
	t.Cleanup(cs.srv.Close)
	return cs
}

func (c *countingServer) URL() string  { return c.srv.URL }
func (c *countingServer) Count() int64 { return c.count.Load() }

// jsonReport is the part of the JSON report these tests read.
type jsonReport struct {
	Runs []struct {
		Strategy string `json:"strategy"`
		Steps    []struct {
			Name      string  `json:"name"`
			OK        int     `json:"ok"`
			Timeouts  int     `json:"timeouts"`
			TimeoutMs float64 `json:"timeout_ms"`
			Errors    int     `json:"errors"`
		} `json:"steps"`
		Comparisons []struct {
			Base    string  `json:"base"`
			Step    string  `json:"step"`
			Speedup float64 `json:"speedup"`
			Verdict string  `json:"verdict"`
		} `json:"comparisons"`
	} `json:"runs"`
	Expectations []struct {
		Name string `json:"name"`
		OK   bool   `json:"ok"`
	} `json:"expectations"`
}

func decodeReport(t *testing.T, data string) jsonReport {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal([]byte(data), &rep); err != nil {
		t.Fatalf("the JSON report does not parse: %v\n%s", err, data)
	}
	return rep
}

const externalScenario = `name: external
target: {url: http://127.0.0.1:1}
request:
  body: '{"text": "the water is cold", "source": "en", "target": "hi"}'
  timeout: 5s
steps:
  - {name: sequential, mode: sequential, requests: 8}
  - {name: concurrent, mode: concurrent, concurrency: 4, requests: 8}
compare:
  - {base: sequential, step: concurrent}
`

// TestTimeoutFlag checks that --timeout replaces the scenario's 5 s client
// timeout in every step: requests queued behind a serialized target time out at
// it, and the report says which timeout the steps ran with.
func TestTimeoutFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "external.yaml")
	if err := os.WriteFile(path, []byte(externalScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := newCountingServer(t, true)
	r := contend(t, 2*time.Minute, "run", path, "--no-tui", "--format", "json", "--target", srv.URL(), "--timeout", "150ms")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rep := decodeReport(t, r.stdout)
	if len(rep.Runs) != 1 || len(rep.Runs[0].Steps) != 2 {
		t.Fatalf("want one run of two steps:\n%s", r.stdout)
	}
	for _, st := range rep.Runs[0].Steps {
		if st.TimeoutMs != 150 {
			t.Errorf("step %s: timeout_ms %v, want 150", st.Name, st.TimeoutMs)
		}
	}
	// One request takes 60 ms: alone they fit in 150 ms; four at once behind the
	// lock finish at 60, 120, 180 and 240 ms, so some time out.
	seq, conc := rep.Runs[0].Steps[0], rep.Runs[0].Steps[1]
	if seq.Timeouts != 0 || conc.Timeouts == 0 {
		t.Errorf("timeouts: sequential %d, concurrent %d; want none, then some", seq.Timeouts, conc.Timeouts)
	}
}

func TestExternalTargetVerdicts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "external.yaml")
	if err := os.WriteFile(path, []byte(externalScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		serialized bool
		verdict    string
	}{{true, "serialized"}, {false, "parallel"}} {
		t.Run(tt.verdict, func(t *testing.T) {
			srv := newCountingServer(t, tt.serialized)
			r := contend(t, 2*time.Minute, "run", path, "--no-tui", "--format", "json", "--target", srv.URL())
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			rep := decodeReport(t, r.stdout)
			if len(rep.Runs) != 1 || len(rep.Runs[0].Comparisons) != 1 {
				t.Fatalf("want one run with one comparison, got %+v", rep)
			}
			if got := rep.Runs[0].Comparisons[0].Verdict; got != tt.verdict {
				t.Errorf("verdict %q, want %q (speedup %.2f)\n%s", got, tt.verdict, rep.Runs[0].Comparisons[0].Speedup, r.stdout)
			}
			if got := srv.Count(); got != 16 {
				t.Errorf("the target saw %d requests, want 16", got)
			}
		})
	}
}

// TestCheckGateCanFail runs the CI scenario on the built-in target: double-checked
// passes (exit 0) and naive fails it (exit 3), so the gate is shown able to fail.
func TestCheckGateCanFail(t *testing.T) {
	requireProvisioned(t, "base")
	for _, tt := range []struct {
		strategy string
		code     int
	}{{"double-checked", exitOK}, {"naive", exitExpectation}} {
		t.Run(tt.strategy, func(t *testing.T) {
			// A speedup is two wall times measured seconds apart, and a busy machine can
			// take cores from one step and not the other. The gate must pass double-checked
			// in one of a few tries (a gate that never passes is broken) and fail naive
			// every time it runs (a serialized target that passes is the failure CI must
			// never miss; an inconclusive comparison fails min_speedup too).
			tries := 1
			if tt.code == exitOK {
				tries = 3
			}
			var out string
			var r result
			for try := 1; try <= tries; try++ {
				out = t.TempDir()
				r = contend(t, 5*time.Minute, "check", "scenarios/ci.yaml", "--no-tui", "--strategy", tt.strategy, "--out", out)
				if r.code == tt.code {
					break
				}
				t.Logf("try %d of %d: exit %d, want %d\nstdout:\n%s", try, tries, r.code, tt.code, r.stdout)
			}
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if tt.code == exitExpectation && !strings.Contains(r.stderr, "min_speedup") {
				t.Errorf("the failure does not say which expectation failed:\n%s", r.stderr)
			}
			for _, f := range []string{"report.json", "report.md", "report.html", "junit.xml"} {
				if _, err := os.Stat(filepath.Join(out, f)); err != nil {
					t.Errorf("--out lacks %s: %v", f, err)
				}
			}
		})
	}
}

// TestVegetaReadsSavedResults checks that `vegeta report` (the CLI at the library's
// version, installed by `make tools`) reads each step's saved raw results.
func TestVegetaReadsSavedResults(t *testing.T) {
	vegeta, err := exec.LookPath("vegeta")
	if err != nil {
		vegeta = filepath.Join(repoRoot, ".cache", "bin", "vegeta")
		if _, err := os.Stat(vegeta); err != nil {
			t.Fatalf("the vegeta CLI is missing: run `make tools`")
		}
	}
	path := filepath.Join(t.TempDir(), "external.yaml")
	if err := os.WriteFile(path, []byte(externalScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := newCountingServer(t, false)
	out := t.TempDir()
	if r := contend(t, 2*time.Minute, "run", path, "--no-tui", "--target", srv.URL(), "--out", out); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	bins, _ := filepath.Glob(filepath.Join(out, "*", "concurrent.bin"))
	if len(bins) != 1 {
		t.Fatalf("want one concurrent.bin under %s, found %v", out, bins)
	}
	rep, err := exec.Command(vegeta, "report", bins[0]).CombinedOutput()
	if err != nil {
		t.Fatalf("vegeta report: %v\n%s", err, rep)
	}
	if !regexp.MustCompile(`Requests\s+\[total, rate, throughput\]\s+8,`).Match(rep) {
		t.Errorf("vegeta report does not count 8 requests:\n%s", rep)
	}
}

// TestReportRerendersAndMerges re-renders saved report.json files with `contend report`
// and merges two runs into one report.
func TestReportRerendersAndMerges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "external.yaml")
	if err := os.WriteFile(path, []byte(externalScenario), 0o644); err != nil {
		t.Fatal(err)
	}
	var saved []string
	for _, serialized := range []bool{true, false} {
		out := t.TempDir()
		srv := newCountingServer(t, serialized)
		if r := contend(t, 2*time.Minute, "run", path, "--no-tui", "--target", srv.URL(), "--out", out); r.code != 0 {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		saved = append(saved, filepath.Join(out, "report.json"))
	}
	merged := t.TempDir()
	r := contend(t, time.Minute, append([]string{"report", "--format", "json", "--out", merged}, saved...)...)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	rep := decodeReport(t, r.stdout)
	if len(rep.Runs) != 2 {
		t.Fatalf("merged report has %d runs, want 2", len(rep.Runs))
	}
	var verdicts []string
	for _, run := range rep.Runs {
		for _, c := range run.Comparisons {
			verdicts = append(verdicts, c.Verdict)
		}
	}
	if strings.Join(verdicts, ",") != "serialized,parallel" {
		t.Errorf("merged verdicts %v, want serialized then parallel\n%s", verdicts, r.stdout)
	}
	for _, f := range []string{"report.html", "report.md", "junit.xml"} {
		if _, err := os.Stat(filepath.Join(merged, f)); err != nil {
			t.Errorf("report --out lacks %s: %v", f, err)
		}
	}
	if r := contend(t, time.Minute, "report", filepath.Join(merged, "report.html")); r.code != exitError {
		t.Errorf("report on an HTML file: exit %d, want %d", r.code, exitError)
	}
}
