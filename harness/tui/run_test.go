package tui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"contend/harness"
	"contend/scenarios"
)

// serviceTime is the loopback handlers' time per request.
const serviceTime = 40 * time.Millisecond

// translator answers after serviceTime with a Server-Timing header; with
// serialize set, one request at a time behind a global lock, as the seed's
// naive strategy did.
func translator(serialize bool) http.Handler {
	var lock sync.Mutex // the global lock, when serialize is set
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		begin := time.Now()
		if serialize {
			lock.Lock()
			defer lock.Unlock()
		}
		wait := time.Since(begin)
		select {
		case <-time.After(serviceTime):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Server-Timing", fmt.Sprintf("wait;dur=%.3f, load;dur=0, infer;dur=%d",
			float64(wait)/float64(time.Millisecond), serviceTime.Milliseconds()))
		fmt.Fprintln(w, `{"translation": "पानी ठंडा है"}`)
	})
}

func loopbackScenario(url string) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:    "loopback",
		Target:  scenarios.Target{URL: url},
		Request: scenarios.Request{Method: http.MethodGet, Path: "/", Timeout: scenarios.Duration{Duration: 5 * time.Second}},
		Steps: []scenarios.Step{
			{Name: "sequential", Mode: scenarios.ModeSequential, Requests: 4},
			{Name: "concurrent", Mode: scenarios.ModeConcurrent, Requests: 4, Concurrency: 4},
		},
	}
}

// beforeAfter runs a real harness.Runner against each URL in turn and joins
// the two streams into one, as `contend demo` shows its two strategies: one
// RunStarted naming both runs, the first run's RunDone left out.
func beforeAfter(ctx context.Context, urls ...string) <-chan harness.Event {
	out := make(chan harness.Event)
	go func() {
		defer close(out)
		for i, url := range urls {
			for ev := range harness.New().Run(ctx, loopbackScenario(url)) {
				switch ev.Kind {
				case harness.RunStarted:
					if i > 0 {
						continue
					}
					ev.Runs = urls
				case harness.TargetStarted, harness.TargetDone:
					ev.RunIndex = i
				case harness.RunDone:
					if i < len(urls)-1 && ev.Err == nil {
						continue
					}
				}
				out <- ev
			}
		}
	}()
	return out
}

func TestRunDrivesTheRealProgram(t *testing.T) {
	naive := httptest.NewServer(translator(true))
	defer naive.Close()
	fixed := httptest.NewServer(translator(false))
	defer fixed.Close()

	var out bytes.Buffer
	diagnosed := make(chan struct{}, 1)
	m, err := run(context.Background(), beforeAfter(context.Background(), naive.URL, fixed.URL), newConfig([]Option{
		WithInput(nil), WithOutput(&out), WindowSize(100, 30), Summarize(testRow),
		Diagnose(func() []string { diagnosed <- struct{}{}; return []string{"naive: requests ran one at a time"} }),
	}))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	select {
	case <-diagnosed:
	default:
		t.Error("the Diagnose hook was not called")
	}
	if !m.finished || m.quit {
		t.Fatalf("finished %v, quit %v: want the program to end with the stream", m.finished, m.quit)
	}

	// The last frame the program drew is the final screen: the steps' counts,
	// both runs side by side, and the diagnosis.
	final := m.View()
	rows := m.tableRows()
	if len(rows) != 2 || rows[0].Run != naive.URL || rows[1].Run != fixed.URL {
		t.Fatalf("rows %+v, want the naive server's then the fixed one's", rows)
	}
	// The serialized server takes about as long for the burst as for the
	// sequence; the other one much less. Bounds are loose: the machine is shared.
	if rows[0].Speedup > 1.6 || rows[1].Speedup < 1.6 {
		t.Errorf("speedups %.2f (serialized) and %.2f (parallel); want <= 1.6 and >= 1.6", rows[0].Speedup,
			rows[1].Speedup)
	}
	for _, want := range []string{
		"loopback", "finished",
		"run", "step", "done", "ok", "timeouts", "errors", "wall",
		"sequential", "concurrent", "speedup", "verdict",
		fmt.Sprintf("%.2fx", rows[0].Speedup), fmt.Sprintf("%.2fx", rows[1].Speedup),
		"• naive: requests ran one at a time",
	} {
		if !strings.Contains(final, want) {
			t.Errorf("final screen lacks %q:\n%s", want, final)
		}
	}
	for _, ta := range m.tallies {
		if ta.snap.Done != 4 || ta.snap.OK != 4 || ta.snap.Timeouts != 0 || ta.snap.Errors != 0 {
			t.Errorf("%s %s: %+v, want 4 done, 4 ok", ta.run, ta.step, ta.snap)
		}
	}
	if len(m.tallies) != 4 {
		t.Errorf("%d finished steps, want 4", len(m.tallies))
	}
	// And the program really wrote it to its output.
	written := ansi.Strip(out.String())
	for _, want := range []string{"finished", "naive: requests ran one at a time", "[overview]"} {
		if !strings.Contains(written, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// openStream sends events one by one, unbuffered, then waits for ctx to end
// and finishes the stream as a cancelled Runner does. sent is closed once
// everything was taken.
func openStream(ctx context.Context, events []harness.Event) (ch <-chan harness.Event, sent <-chan struct{}) {
	out := make(chan harness.Event)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		for _, ev := range events {
			out <- ev
		}
		<-ctx.Done()
		out <- harness.Event{Kind: harness.Log, Message: "stopping the target"}
		out <- harness.Event{Kind: harness.RunDone, Err: ctx.Err()}
	}()
	return out, done
}

func TestRunQuitCancelsAndDrains(t *testing.T) {
	tests := []struct {
		name string
		key  string
	}{
		{"q", "q"},
		{"ctrl+c", "\x03"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			events, sent := openStream(ctx, upTo(seedStream(), harness.Results, "naive", 5))
			keys, typist := io.Pipe()
			defer keys.Close()
			go func() {
				time.Sleep(50 * time.Millisecond) // let the program draw a frame or two first
				typist.Write([]byte(tt.key))
			}()
			var out bytes.Buffer
			cancelled := false
			m, err := run(ctx, events, newConfig([]Option{WithInput(keys), WithOutput(&out),
				OnQuit(func() { cancelled = true; cancel() })}))
			if err != nil {
				t.Fatalf("run: %v", err)
			}
			if !cancelled || !m.quit || m.finished {
				t.Errorf("OnQuit called %v, quit %v, finished %v; want the user's quit", cancelled, m.quit, m.finished)
			}
			select {
			case <-sent:
			default:
				t.Error("run returned before the stream was read to its end")
			}
			if !strings.Contains(m.View(), "stopping") {
				t.Errorf("last frame does not say the run is stopping:\n%s", m.View())
			}
		})
	}
}

func TestRunContextCancelledDrains(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	events, sent := openStream(ctx, upTo(seedStream(), harness.StepStarted, "naive", 1))
	time.AfterFunc(50*time.Millisecond, cancel)
	quit := false
	_, err := run(ctx, events, newConfig([]Option{WithInput(nil), WithOutput(io.Discard),
		OnQuit(func() { quit = true })}))
	if err != nil {
		t.Fatalf("run: %v, want nil when the caller cancels", err)
	}
	if quit {
		t.Error("OnQuit was called, but the user did not quit")
	}
	select {
	case <-sent:
	default:
		t.Error("run returned before the stream was read to its end")
	}
}

func TestNoColor(t *testing.T) {
	tests := []struct {
		name      string
		env       string
		noColor   bool
		wantColor bool
	}{
		{"colour terminal", "", false, true},
		{"NO_COLOR set", "1", false, false},
		{"NoColor option", "", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("NO_COLOR", tt.env)
			t.Setenv("TERM", "xterm-256color")
			t.Setenv("COLORTERM", "")
			t.Setenv("CLICOLOR_FORCE", "")
			st := newStyles(newRenderer(io.Discard, tt.noColor, termenv.WithTTY(true)))
			timeouts, errs := st.timeout.Render("timeouts 3"), st.errs.Render("errors 1")
			if got := strings.Contains(timeouts+errs, "\x1b["); got != tt.wantColor {
				t.Fatalf("colour %v, want %v: %q %q", got, tt.wantColor, timeouts, errs)
			}
			if !tt.wantColor {
				return
			}
			// Timeouts have a colour of their own, apart from other errors.
			if !strings.Contains(timeouts, "38;5;"+colourTimeout) || !strings.Contains(errs, "38;5;"+colourError) {
				t.Errorf("timeouts %q and errors %q, want colours %s and %s", timeouts, errs, colourTimeout,
					colourError)
			}
		})
	}
}
