package reports

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"contend/scenarios"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// seedInput is a deterministic run of the seed scenario: naive fails as in the
// write-up (three of four concurrent requests time out behind the lock),
// double-checked scales to the 2 cores; each also runs a small sweep.
func seedInput() Input {
	sc := &scenarios.Scenario{
		Name: "seed-repro", File: "scenarios/seed.yaml",
		Target:  scenarios.Target{Builtin: &scenarios.Builtin{Strategies: []string{"naive", "double-checked"}}},
		Compare: []scenarios.Compare{{Base: "sequential", Step: "concurrent"}},
		Expect: []scenarios.Expect{
			{Step: "concurrent", MaxTimeouts: intp(0)},
			{Strategy: "double-checked", Step: "concurrent", MinSpeedup: floatp(1.6)},
			{Step: "sweep", MaxSigma: floatp(0.2)},
		},
	}
	sweep := func(m model) StepInput {
		return sweepRun(m, 2, []int{1, 2, 4}, 8, 1600, true, true).Steps[0]
	}
	naive := seedNaive(true)
	naive.Steps[1].Timeout = 10 * time.Second // its requests' client timeout
	naive.Steps = append(naive.Steps, sweep(lockModel))
	naive.LogPath = "out/naive.log"
	fixed := simRun(coreModel, 2, 4, 4, 1600, true, true)
	fixed.Strategy = "double-checked"
	fixed.Steps = append(fixed.Steps, sweep(coreModel))
	return Input{Scenario: sc, Host: Host{CPUs: 2, Go: "go1.26.8", ONNXRuntime: "1.30.0"}, Runs: []RunInput{naive, fixed}}
}

func seedReport() *Report {
	rep := Build(seedInput())
	rep.Baseline = CompareBaseline(rep, Build(seedInput()), scenarios.Baseline{})
	return rep
}

func render(t *testing.T, rep Reporter) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := rep(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports/ -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (rerun with -update if the change is intended):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	rep := seedReport()
	tests := []struct {
		file     string
		reporter Reporter
	}{
		{"seed.txt", NewTextReporter(rep, true)},
		{"seed.md", NewMarkdownReporter(rep)},
		{"seed.junit.xml", NewJUnitReporter(rep)},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) { golden(t, tt.file, render(t, tt.reporter)) })
	}
}

func TestTextReporter(t *testing.T) {
	rep := seedReport()
	plain := string(render(t, NewTextReporter(rep, true)))
	color := string(render(t, NewTextReporter(rep, false)))
	if strings.Contains(plain, "\x1b[") {
		t.Error("plain text contains ANSI escapes")
	}
	if !strings.Contains(color, ansiRed+"✗"+ansiReset) {
		t.Error("colour text has no red ✗")
	}
	if got := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(color, ""); got != plain {
		t.Errorf("colour text without its escapes differs from plain text:\n%s\n---\n%s", got, plain)
	}
	for _, want := range []string{
		"sequential  6.40s (4 requests) ✓",
		"concurrent  10.00s (3 failed, 1 succeeded) ✗",
		"requests ran one at a time",
		"the hardware is the limit, not a lock",
		"Latency percentiles are over successful requests",
	} {
		// Prose is word-wrapped: compare with runs of white space folded.
		mustContain(t, strings.Join(strings.Fields(plain), " "), strings.Join(strings.Fields(want), " "))
	}
	_, prose, _ := strings.Cut(plain, "\nDiagnosis\n")
	for _, line := range strings.Split(prose, "\n") {
		if n := len([]rune(line)); n > TextWidth {
			t.Errorf("line of %d columns, over TextWidth %d: %q", n, TextWidth, line)
		}
	}
}

func TestJUnitReporter(t *testing.T) {
	rep := seedReport()
	rep.Runs[1].Error = "target exited: signal: killed"
	var doc junitSuites
	if err := xml.Unmarshal(render(t, NewJUnitReporter(rep)), &doc); err != nil {
		t.Fatalf("junit does not parse: %v", err)
	}
	expectations := 0
	for i := range rep.Runs {
		expectations += len(rep.Runs[i].Expectations)
	}
	expectations += len(rep.Baseline)
	failed := len(rep.Failed()) - 1 // the run error counts as an error, not a failure
	if doc.Tests != expectations+1 || doc.Failures != failed || doc.Errors != 1 {
		t.Errorf("testsuites tests=%d failures=%d errors=%d, want %d %d 1", doc.Tests, doc.Failures, doc.Errors, expectations+1, failed)
	}
	if len(doc.Suites) != 3 { // naive, double-checked, baseline
		t.Fatalf("%d suites, want 3", len(doc.Suites))
	}
	for _, s := range doc.Suites {
		f, e := 0, 0
		for _, c := range s.Cases {
			if c.Failure != nil {
				f++
				if c.Failure.Message == "" {
					t.Errorf("%s/%s: failure without a message", s.Name, c.Name)
				}
			}
			if c.Error != nil {
				e++
			}
		}
		if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Name == "" || s.Time == "" {
			t.Errorf("suite %q: tests=%d failures=%d errors=%d for %d cases (%d failed, %d errors)", s.Name, s.Tests, s.Failures, s.Errors, len(s.Cases), f, e)
		}
	}
}

func TestHTMLReporter(t *testing.T) {
	rep := seedReport()
	user := "http://127.0.0.1:8000"
	rep.Runs = append(rep.Runs, Run{Target: TargetURL, URL: user, Steps: rep.Runs[0].Steps[:2],
		Comparisons: []Comparison{}, Expectations: []Expectation{}, Diagnosis: []Diagnosis{}})
	out := string(render(t, NewHTMLReporter(rep)))
	view := htmlView(rep)

	if n := strings.Count(out, "<svg"); n != view.Charts || n < 2+2*len(rep.Runs) {
		t.Errorf("%d <svg> elements, want one per chart (%d)", n, view.Charts)
	}
	// Only text the user supplied (the target URL) may hold a link.
	scrubbed := strings.ReplaceAll(out, user, "")
	if i := strings.Index(scrubbed, "://"); i >= 0 {
		t.Errorf("external reference in the page: %q", scrubbed[max(0, i-40):min(len(scrubbed), i+40)])
	}
	for _, banned := range []string{"<script src", "<link", "@import", "url("} {
		if strings.Contains(out, banned) {
			t.Errorf("page contains %q: it must be self-contained", banned)
		}
	}
	for _, want := range []string{
		"Request waterfalls", `class="chart waterfall"`, "concurrent (concurrent): every request from send to answer",
		"latency distribution", "throughput by concurrency",
		"speedup by comparison", "wall time by step", "waiting on the model lock", "lock-serialized",
		"Strategies side by side", "Expectations",
		"3 (10.00s)", // the naive burst's timeouts, with the client timeout
	} {
		mustContain(t, out, want)
	}
	if strings.Contains(out, "ZgotmplZ") {
		t.Error("html/template rejected a value (ZgotmplZ in output)")
	}
}

func TestHTMLEscapesUserText(t *testing.T) {
	rep := seedReport()
	rep.Scenario = `<script>alert(1)</script>`
	rep.Runs[0].Strategy = `"><img src=x>`
	out := string(render(t, NewHTMLReporter(rep)))
	if strings.Contains(out, "<script>alert") || strings.Contains(out, `<img src=x>`) {
		t.Error("user text reached the page unescaped")
	}
}

func TestReporterWriteErrors(t *testing.T) {
	rep := seedReport()
	for name, r := range map[string]Reporter{
		"text": NewTextReporter(rep, true), "json": NewJSONReporter(rep), "markdown": NewMarkdownReporter(rep),
		"junit": NewJUnitReporter(rep), "html": NewHTMLReporter(rep),
	} {
		t.Run(name, func(t *testing.T) {
			if err := r(failWriter{}); err == nil {
				t.Error("no error from a failing writer")
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }
