package tui

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"contend/harness"
)

// feed sends the events through a closed channel and runs the model's own
// loop without a terminal: every Cmd is run and its message fed back, until
// the model quits or nothing is left. It returns the model and whether it quit.
func feed(t *testing.T, m model, events []harness.Event) (model, bool) {
	t.Helper()
	ch := make(chan harness.Event, len(events))
	for _, ev := range events {
		ch <- ev
	}
	close(ch)
	m.events = ch
	return loop(t, m, waitForEvent(ch)())
}

func loop(t *testing.T, m model, first tea.Msg) (model, bool) {
	t.Helper()
	queue := []tea.Msg{first}
	quit := false
	for n := 0; len(queue) > 0; n++ {
		if n > 10000 {
			t.Fatal("the model never settles")
		}
		msg := queue[0]
		queue = queue[1:]
		if _, ok := msg.(tea.QuitMsg); ok {
			quit = true
			continue
		}
		next, cmd := m.Update(msg)
		m = next.(model)
		queue = append(queue, runCmd(cmd)...)
	}
	return m, quit
}

// runCmd runs a Cmd and the Cmds of a batch.
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

func testModel(opts ...Option) model {
	return newModel(nil, newConfig(opts), plainStyles())
}

func TestUpdateFollowsTheSeedStream(t *testing.T) {
	diagnosis := []string{"naive: lock-serialized", "double-checked: parallel"}
	m, quit := feed(t, testModel(Summarize(testRow), Diagnose(func() []string { return diagnosis })), seedStream())
	if !quit || !m.finished {
		t.Fatalf("quit %v, finished %v after the stream closed; want both", quit, m.finished)
	}
	if m.scenario != "seed-repro" || m.steps != 2 || !reflect.DeepEqual(m.planned, []string{"naive", "double-checked"}) {
		t.Errorf("scenario %q steps %d planned %q", m.scenario, m.steps, m.planned)
	}
	gotRows := m.tableRows()
	wantRows := []struct {
		run      string
		timeouts int
		verdict  string
	}{{"naive", 3, "serialized"}, {"double-checked", 0, "parallel"}}
	if len(gotRows) != len(wantRows) {
		t.Fatalf("rows %+v, want %d", gotRows, len(wantRows))
	}
	for i, w := range wantRows {
		if g := gotRows[i]; g.Run != w.run || g.Timeouts != w.timeouts || g.Verdict != w.verdict {
			t.Errorf("row %d = %+v, want run %s timeouts %d verdict %s", i, g, w.run, w.timeouts, w.verdict)
		}
	}
	type count struct {
		run, step                string
		done, ok, timeouts, errs int
	}
	var gotTallies []count
	for _, ta := range m.tallies {
		gotTallies = append(gotTallies, count{ta.run, ta.step, ta.snap.Done, ta.snap.OK, ta.snap.Timeouts, ta.snap.Errors})
	}
	wantTallies := []count{
		{"naive", "sequential", 4, 4, 0, 0}, {"naive", "concurrent", 4, 1, 3, 0},
		{"double-checked", "sequential", 4, 4, 0, 0}, {"double-checked", "concurrent", 4, 4, 0, 0},
	}
	if !reflect.DeepEqual(gotTallies, wantTallies) {
		t.Errorf("tallies\n got %+v\nwant %+v", gotTallies, wantTallies)
	}
	if m.errs.total != 3 || len(m.errs.classes) != 1 || m.errs.classes[0].name != "timeout" ||
		m.errs.classes[0].run != "naive" || len(m.errs.classes[0].samples) != 1 {
		t.Errorf("errors %+v, want 3 naive timeouts with one distinct sample", m.errs)
	}
	if !reflect.DeepEqual(m.diagnosis, diagnosis) {
		t.Errorf("diagnosis %q, want %q", m.diagnosis, diagnosis)
	}
	if got := len(m.logs); got != 2 {
		t.Errorf("%d log lines, want 2", got)
	}
	if m.run.label != "double-checked" || len(m.run.lat.buf) != 8 {
		t.Errorf("run %q with %d latency points, want double-checked with 8", m.run.label, len(m.run.lat.buf))
	}
	if got, want := m.runElapsed(), m.ended.Sub(t0); got != want || got < 20*time.Second {
		t.Errorf("run elapsed %s, want %s (RunDone's time)", got, want)
	}
}

func TestUpdateMidStep(t *testing.T) {
	// Stop after the naive concurrent burst's first answer: one ok, three in flight.
	events := upTo(seedStream(), harness.Results, "naive", 5)
	next, _ := testModel().Update(eventsMsg{events: events})
	m := next.(model)
	if m.finished || m.closed {
		t.Fatalf("finished %v closed %v with the stream still open", m.finished, m.closed)
	}
	s := m.step
	if !s.begun || s.done || s.index != 1 || s.total != 4 || s.snap.Done != 1 || s.snap.InFlight != 3 {
		t.Errorf("step %+v, want concurrent step under way with 1 done and 3 in flight", s)
	}
	if s.hist.n != 1 || s.hist.max != 1600 {
		t.Errorf("histogram n=%d max=%v, want the one 1.6 s answer", s.hist.n, s.hist.max)
	}
	if got := m.stepElapsed(); got != service {
		t.Errorf("step elapsed %s, want %s", got, service)
	}
	// The clock moves on between events, and the elapsed times with it.
	next, _ = m.Update(tickMsg(m.now.Add(2 * time.Second)))
	if got := next.(model).stepElapsed(); got != service+2*time.Second {
		t.Errorf("step elapsed after a tick %s, want %s", got, service+2*time.Second)
	}
}

func TestFinishWaitsForHooks(t *testing.T) {
	release := make(chan struct{})
	hook := func(tr *harness.TargetResult) Row { <-release; return Row{Run: tr.Run, Verdict: "late"} }
	m := testModel(Summarize(hook))
	events := seedStream()
	ch := make(chan harness.Event, len(events))
	for _, ev := range events {
		ch <- ev
	}
	close(ch)
	m.events = ch

	// Apply the whole stream but hold the hook calls back.
	next, cmd := m.Update(waitForEvent(ch)())
	m = next.(model)
	var held []tea.Cmd
	if b, ok := cmd().(tea.BatchMsg); ok {
		held = b
	} else {
		t.Fatalf("want a batch of hook calls, got %T", cmd())
	}
	if !m.closed || m.finished || m.pending != 2 {
		t.Fatalf("closed %v finished %v pending %d; want closed, not finished, 2 pending", m.closed, m.finished, m.pending)
	}
	close(release)
	// Answer the second run first: the rows still come out in plan order.
	msgs := []tea.Msg{held[1](), held[0]()}
	for i, msg := range msgs {
		next, cmd = m.Update(msg)
		m = next.(model)
		if last := i == len(msgs)-1; m.finished != last || (cmd != nil) != last {
			t.Errorf("after answer %d: finished %v, cmd %v", i, m.finished, cmd != nil)
		}
	}
	if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Errorf("last answer's Cmd does not quit")
	}
	if rows := m.tableRows(); len(rows) != 2 || rows[0].Run != "naive" || rows[1].Run != "double-checked" {
		t.Errorf("rows %+v, want naive then double-checked", rows)
	}
}

func TestKeys(t *testing.T) {
	keyMsg := func(s string) tea.KeyMsg {
		switch s {
		case "tab":
			return tea.KeyMsg{Type: tea.KeyTab}
		case "shift+tab":
			return tea.KeyMsg{Type: tea.KeyShiftTab}
		case "ctrl+c":
			return tea.KeyMsg{Type: tea.KeyCtrlC}
		}
		return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
	}
	tests := []struct {
		name     string
		keys     []string
		closed   bool
		wantView view
		wantHelp bool
		wantQuit bool // the model asks to quit
		wantUser bool // ... as a user's quit before the end
	}{
		{name: "tab cycles views", keys: []string{"tab", "tab"}, wantView: waterfallView},
		{name: "tab wraps", keys: []string{"tab", "tab", "tab", "tab"}, wantView: overviewView},
		{name: "shift+tab goes back", keys: []string{"shift+tab"}, wantView: errorsView},
		{name: "? toggles help", keys: []string{"?"}, wantHelp: true},
		{name: "? twice hides help", keys: []string{"?", "?"}},
		{name: "q quits", keys: []string{"q"}, wantQuit: true, wantUser: true},
		{name: "ctrl+c quits", keys: []string{"ctrl+c"}, wantQuit: true, wantUser: true},
		{name: "q after the stream ended is no user quit", keys: []string{"q"}, closed: true, wantQuit: true},
		{name: "other keys do nothing", keys: []string{"x", "enter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testModel()
			m.closed = tt.closed
			quit := false
			for _, k := range tt.keys {
				next, cmd := m.Update(keyMsg(k))
				m = next.(model)
				if cmd != nil {
					_, quit = cmd().(tea.QuitMsg)
				}
			}
			if m.view != tt.wantView || m.showHelp != tt.wantHelp || quit != tt.wantQuit || m.quit != tt.wantUser {
				t.Errorf("view %v help %v quit %v user quit %v; want %v %v %v %v", m.view, m.showHelp, quit, m.quit,
					tt.wantView, tt.wantHelp, tt.wantQuit, tt.wantUser)
			}
		})
	}
}

func TestRunDoneStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"finished", nil, "finished"},
		{"cancelled", context.Canceled, "cancelled"},
		{"failed", errBroken, "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			events := upTo(seedStream(), harness.TargetDone, "naive", 1)
			events = append(events, harness.Event{Kind: harness.RunDone, Err: tt.err, Time: t0.Add(time.Minute)})
			m, _ := feed(t, testModel(), events)
			if got := m.headerInfo().status; got != tt.want {
				t.Errorf("status %q, want %q", got, tt.want)
			}
			failLine := strings.Contains(m.View(), "run failed: "+errBroken.Error())
			if failLine != (tt.err == errBroken) {
				t.Errorf("final screen shows the failure: %v, want %v", failLine, tt.err == errBroken)
			}
		})
	}
}

func TestWaitForEventBatches(t *testing.T) {
	tests := []struct {
		name       string
		n          int
		close      bool
		wantLens   []int
		wantClosed []bool
	}{
		{"one batch, then the end", 3, true, []int{3, 0}, []bool{true, true}},
		{"open stream", 2, false, []int{2}, []bool{false}},
		{"batches are bounded", maxBatch + 5, true, []int{maxBatch, 5}, []bool{false, true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch := make(chan harness.Event, tt.n)
			for i := range tt.n {
				ch <- harness.Event{Kind: harness.Log, Message: strings.Repeat("x", i)}
			}
			if tt.close {
				close(ch)
			}
			for i, want := range tt.wantLens {
				msg := waitForEvent(ch)().(eventsMsg)
				if len(msg.events) != want || msg.closed != tt.wantClosed[i] {
					t.Fatalf("batch %d: %d events closed %v, want %d closed %v", i, len(msg.events), msg.closed,
						want, tt.wantClosed[i])
				}
				if len(msg.events) > 0 && msg.events[0].Message != strings.Repeat("x", i*maxBatch) {
					t.Fatalf("batch %d starts with %q: out of order", i, msg.events[0].Message)
				}
				if msg.closed {
					break
				}
			}
		})
	}
}

func TestLogLinesAreBounded(t *testing.T) {
	m := testModel()
	var events []harness.Event
	for i := range maxLogLines + 10 {
		events = append(events, harness.Event{Kind: harness.Log, Run: "naive", Message: "line " + string(rune('a'+i%26))})
	}
	events = append(events, harness.Event{Kind: harness.Log, Message: "two\nlines\n"})
	m, _ = feed(t, m, events)
	if len(m.logs) != maxLogLines {
		t.Fatalf("%d log lines kept, want %d", len(m.logs), maxLogLines)
	}
	if got := m.logs[len(m.logs)-2:]; got[0].text != "two" || got[1].text != "lines" {
		t.Errorf("last lines %+v, want the message split in two", got)
	}
}

func TestWindowSize(t *testing.T) {
	m := testModel()
	if w, h := m.size(); w != DefaultWidth || h != DefaultHeight {
		t.Errorf("size before any report %dx%d, want the default", w, h)
	}
	next, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if w, h := next.(model).size(); w != 120 || h != 40 {
		t.Errorf("size %dx%d after a resize to 120x40", w, h)
	}
}
