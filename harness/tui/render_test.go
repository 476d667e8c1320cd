package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"

	"contend/harness"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./harness/tui/ -update writes it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test ./harness/tui/ -update rewrites it)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// at is the model after events, on an open stream, without hooks.
func at(events []harness.Event) model {
	next, _ := testModel().Update(eventsMsg{events: events})
	return next.(model)
}

// states are the moments the golden files show.
func states(t *testing.T) map[string]model {
	stream := seedStream()
	final, _ := feed(t, testModel(Summarize(testRow), Diagnose(func() []string {
		return []string{
			"naive: lock-serialized: concurrent requests ran one at a time; 3 of 4 timed out after waiting " +
				"behind the lock (Server-Timing wait ~ latency)",
			"double-checked: parallel: speedup 3.4x of an ideal 4x; lock wait near 0 ms",
		}
	})), stream)
	return map[string]model{
		"start":       at(upTo(stream, harness.StepStarted, "naive", 1)),
		"cold-load":   at(upTo(stream, harness.Results, "naive", 1)),
		"burst-sent":  at(upTo(stream, harness.Progress, "naive", 1)),
		"naive-burst": at(upTo(stream, harness.Results, "naive", 5)),
		"naive-done":  at(upTo(stream, harness.TargetDone, "naive", 1)),
		"dc-burst":    at(upTo(stream, harness.Results, "double-checked", 6)),
		"final":       final,
		"sweep":       at(upTo(sweepStream(), harness.Results, "naive", 10)),
	}
}

var sizes = []struct{ w, h int }{{80, 24}, {160, 48}}

func TestScreensGolden(t *testing.T) {
	st := states(t)
	shots := []struct {
		state string
		view  view
		help  bool
	}{
		{"start", overviewView, false},
		{"cold-load", overviewView, false},
		{"naive-burst", overviewView, false},
		{"naive-burst", latencyView, false},
		{"burst-sent", overviewView, false},
		{"burst-sent", waterfallView, false},
		{"naive-burst", waterfallView, false},
		{"dc-burst", waterfallView, false},
		{"sweep", waterfallView, false},
		{"naive-done", errorsView, false},
		{"dc-burst", overviewView, true},
		{"dc-burst", latencyView, false},
		{"final", overviewView, false},
		{"sweep", overviewView, false},
		{"sweep", latencyView, false},
	}
	for _, s := range shots {
		for _, sz := range sizes {
			name := fmt.Sprintf("%s-%s-%d", s.state, viewNames[s.view], sz.w)
			if s.help {
				name += "-help"
			}
			t.Run(name, func(t *testing.T) {
				m := st[s.state]
				m.view, m.showHelp, m.width, m.height = s.view, s.help, sz.w, sz.h
				golden(t, name, m.View()+"\n")
			})
		}
	}
}

// TestHelpersGolden draws each render helper on its own at both widths.
func TestHelpersGolden(t *testing.T) {
	st := plainStyles()
	m := states(t)["naive-burst"]
	final := states(t)["final"]
	for _, sz := range sizes {
		w := sz.w
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			var b strings.Builder
			section := func(name string, lines ...string) {
				fmt.Fprintf(&b, "== %s\n%s\n", name, strings.Join(lines, "\n"))
			}
			section("header", renderHeader(st, m.headerInfo(), w))
			section("tabs", renderTabs(st, latencyView, w))
			section("step", renderStep(st, m.stepInfo(), w)...)
			section("step, time-bound", renderStep(st, stepInfo{name: "rate", desc: "rate 20/s for 10s", started: true,
				duration: 10 * time.Second, elapsed: 4200 * time.Millisecond,
				snap: harness.Snapshot{Done: 84, OK: 80, Timeouts: 3, Errors: 1, InFlight: 5, Throughput: 20}}, w)...)
			section("timing", renderTiming(st, m.step.snap, w))
			section("timing, lock wait growing", renderTiming(st, harness.Snapshot{Done: 3, HaveServerTiming: true,
				ServerWaitMs: 3200, ServerLoadMs: 0, ServerInferMs: 1600}, w))
			section("timing, none", renderTiming(st, harness.Snapshot{Done: 3}, w))
			section("chart", renderChart(st, final.run.lat.points(), w, 8)...)
			section("histogram", renderHistogram(st, m.step.hist, w, 6)...)
			section("table", renderTable(st, final.tableRows(), []string{"naive", "double-checked", "once"}, "once", w)...)
			section("tallies", renderTallies(st, final.tallies, w)...)
			section("diagnosis", renderDiagnosis(st, final.diagnosis, w)...)
			section("errors", renderErrors(st, final.errs, w)...)
			section("logs", renderLogs(st, final.logs, w, 4)...)
			golden(t, fmt.Sprintf("helpers-%d", w), b.String())
		})
	}
}

// TestScreensFit checks that every screen fits its window, small or large.
func TestScreensFit(t *testing.T) {
	st := states(t)
	for name, m := range st {
		for _, w := range []int{20, 45, 79, 80, 120, 200} {
			for _, h := range []int{5, 9, 24, 50} {
				for v := range viewCount {
					for _, help := range []bool{false, true} {
						m.view, m.showHelp, m.width, m.height = v, help, w, h
						lines := strings.Split(m.View(), "\n")
						if len(lines) > h {
							t.Errorf("%s %s %dx%d help=%v: %d lines", name, viewNames[v], w, h, help, len(lines))
						}
						for i, l := range lines {
							if lw := lipgloss.Width(l); lw > w {
								t.Errorf("%s %s %dx%d help=%v: line %d is %d wide: %q", name, viewNames[v], w, h, help,
									i, lw, l)
							}
						}
					}
				}
			}
		}
	}
}

// TestScreensAt80x24 checks that nothing that matters is left out of the
// standard terminal.
func TestScreensAt80x24(t *testing.T) {
	st := states(t)
	tests := []struct {
		state string
		view  view
		want  []string
	}{
		{"naive-burst", overviewView, []string{"seed-repro", "naive 1/2", "step 2/2 concurrent", "1/4",
			"in flight 3", "ok 1", "timeouts 0", "errors 0", "wait 0%", "infer 100%", "latency · naive",
			"naive           running", "double-checked", "q quit"}},
		{"naive-done", overviewView, []string{"timeouts 3", "naive", "10.0s", "double-checked  waiting"}},
		{"naive-burst", latencyView, []string{"latency · naive", "histogram · concurrent · n=1", "│"}},
		{"naive-done", errorsView, []string{"3 failures in 1 class", "timeout", "Client.Timeout", "target log",
			"starting contend serve --strategy naive"}},
		{"final", overviewView, []string{"finished", "sequential", "concurrent", "speedup", "serialized",
			"parallel", "diagnosis", "• naive: lock-serialized", "double-checked: parallel"}},
	}
	for _, tt := range tests {
		t.Run(tt.state+"-"+viewNames[tt.view], func(t *testing.T) {
			m := st[tt.state]
			m.view, m.width, m.height = tt.view, 80, 24
			got := m.View()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("screen lacks %q:\n%s", w, got)
				}
			}
		})
	}
}
