package tui

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"contend/harness"
	"contend/scenarios"
)

// stream returns a closed channel holding events.
func stream(events []harness.Event) chan harness.Event {
	ch := make(chan harness.Event, len(events))
	for _, ev := range events {
		ch <- ev
	}
	close(ch)
	return ch
}

func TestPlainSeedStream(t *testing.T) {
	want := []string{
		"contend: scenario seed-repro: runs naive, double-checked; 2 steps",
		"starting contend serve --strategy naive",
		"[naive] run 1/2",
		"[naive] step 1/2 sequential: sequential, 4 requests",
		"[naive] sequential: 1/4 done, ok 1, timeouts 0, errors 0, in flight 0, 0.3 req/s, 3.0s",
		"[naive] sequential: 2/4 done, ok 2, timeouts 0, errors 0, in flight 0, 0.4 req/s, 4.6s",
		"[naive] sequential: 3/4 done, ok 3, timeouts 0, errors 0, in flight 0, 0.5 req/s, 6.2s",
		"[naive] sequential: 4/4 done, ok 4, timeouts 0, errors 0, in flight 0, 0.5 req/s, 7.8s",
		"[naive] step 1/2 sequential done in 7.8s: ok 4, timeouts 0, errors 0",
		"[naive] step 2/2 concurrent: 4 concurrent, 4 requests",
		"[naive] concurrent: 1/4 done, ok 1, timeouts 0, errors 0, in flight 3, 0.6 req/s, 1.6s",
		// The three timeouts end together: one line for them, not three.
		"[naive] concurrent: 2/4 done, ok 1, timeouts 1, errors 0, in flight 2, 0.2 req/s, 10.0s",
		"[naive] step 2/2 concurrent done in 10.0s: ok 1, timeouts 3, errors 0",
		"[naive] run done",
		"[naive] starting contend serve --strategy double-checked",
		"[double-checked] run 2/2",
		"[double-checked] step 1/2 sequential: sequential, 4 requests",
		"[double-checked] sequential: 1/4 done, ok 1, timeouts 0, errors 0, in flight 0, 0.3 req/s, 3.0s",
		"[double-checked] sequential: 2/4 done, ok 2, timeouts 0, errors 0, in flight 0, 0.4 req/s, 4.6s",
		"[double-checked] sequential: 3/4 done, ok 3, timeouts 0, errors 0, in flight 0, 0.5 req/s, 6.2s",
		"[double-checked] sequential: 4/4 done, ok 4, timeouts 0, errors 0, in flight 0, 0.5 req/s, 7.8s",
		"[double-checked] step 1/2 sequential done in 7.8s: ok 4, timeouts 0, errors 0",
		"[double-checked] step 2/2 concurrent: 4 concurrent, 4 requests",
		// Four answers within 150 ms of each other: only the first makes a line.
		"[double-checked] concurrent: 1/4 done, ok 1, timeouts 0, errors 0, in flight 3, 0.6 req/s, 1.8s",
		"[double-checked] step 2/2 concurrent done in 1.9s: ok 4, timeouts 0, errors 0",
		"[double-checked] run done",
		"contend: run finished in 27.5s",
	}
	var out bytes.Buffer
	if err := Plain(&out, stream(seedStream())); err != nil {
		t.Fatalf("Plain: %v", err)
	}
	got := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines differ\n--- got\n%s\n--- want\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestPlainEndings(t *testing.T) {
	start := []harness.Event{{Kind: harness.RunStarted, Time: t0, Runs: []string{"http://127.0.0.1:9"},
		Scenario: &scenarios.Scenario{Name: "x"}}}
	done := func(err error) harness.Event {
		return harness.Event{Kind: harness.RunDone, Err: err, Time: t0.Add(1500 * time.Millisecond)}
	}
	tests := []struct {
		name     string
		events   []harness.Event
		wantLast string
		wantErr  error
	}{
		{"finished", append(start, done(nil)), "contend: run finished in 1.5s", nil},
		{"cancelled", append(start, done(context.Canceled)), "contend: run cancelled in 1.5s", nil},
		{"failed", append(start, done(errBroken)), "contend: run failed in 1.5s: " + errBroken.Error(), nil},
		{"events after RunDone are read, not shown", append(start, done(nil), harness.Event{Kind: harness.Log,
			Message: "late"}), "contend: run finished in 1.5s", nil},
		{"closed without RunDone", start, "contend: scenario x: runs http://127.0.0.1:9; 0 steps", errNoRunDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			ch := stream(tt.events)
			err := Plain(&out, ch)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v, want %v", err, tt.wantErr)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if last := lines[len(lines)-1]; last != tt.wantLast {
				t.Errorf("last line %q, want %q", last, tt.wantLast)
			}
			if _, open := <-ch; open || len(ch) != 0 {
				t.Errorf("the stream was not read to its end")
			}
		})
	}
}

func TestPlainTimeBoundStep(t *testing.T) {
	s := newScript()
	step := scenarios.Step{Name: "steady", Mode: scenarios.ModeRate, Rate: scenarios.Rate{Freq: 20, Per: time.Second},
		Duration: scenarios.Duration{Duration: 10 * time.Second}}
	s.runStarted(&scenarios.Scenario{Name: "rate", Steps: []scenarios.Step{step}}, "http://127.0.0.1:9")
	s.targetStarted("http://127.0.0.1:9", 0)
	s.stepStarted(step, 0)
	for range 30 { // 20 per second for 1.5 s: one progress line, at the first second
		s.after(50 * time.Millisecond)
		s.result(s.now.Add(-40*time.Millisecond), 503, "", 0, nil)
	}
	s.stepDone()
	var out bytes.Buffer
	if err := Plain(&out, stream(s.events)); !errors.Is(err, errNoRunDone) {
		t.Fatalf("Plain: %v, want %v", err, errNoRunDone)
	}
	want := "contend: scenario rate: runs http://127.0.0.1:9; 1 step\n" +
		"[http://127.0.0.1:9] run 1/1\n" +
		"[http://127.0.0.1:9] step 1/1 steady: rate 20/s for 10.0s\n" +
		"[http://127.0.0.1:9] steady: 20 done, ok 0, timeouts 0, errors 20, in flight 0, 20.0 req/s, 1.0s\n" +
		"[http://127.0.0.1:9] step 1/1 steady done in 1.5s: ok 0, timeouts 0, errors 30\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
}

// failAfter fails every write after the first n.
type failAfter struct {
	n      int
	writes int
}

var errDiskFull = errors.New("no space left on device")

func (f *failAfter) Write(p []byte) (int, error) {
	f.writes++
	if f.writes > f.n {
		return 0, errDiskFull
	}
	return len(p), nil
}

func TestPlainWriteErrorStillDrains(t *testing.T) {
	w := &failAfter{n: 3}
	ch := stream(seedStream())
	err := Plain(w, ch)
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), "write progress") {
		t.Errorf("error %v, want a wrapped %v", err, errDiskFull)
	}
	if w.writes != 4 {
		t.Errorf("%d writes, want 4: none after the first failure", w.writes)
	}
	if _, open := <-ch; open {
		t.Errorf("the stream was not read to its end")
	}
}
