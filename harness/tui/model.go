package tui

import (
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// view is one of the dashboard's screens, cycled with tab.
type view int

const (
	overviewView view = iota
	latencyView
	waterfallView
	errorsView
	viewCount
)

var viewNames = [viewCount]string{"overview", "latency", "waterfall", "errors"}

// eventsMsg carries the events read in one go from the stream; closed is set
// once the stream has ended.
type eventsMsg struct {
	events []harness.Event
	closed bool
}

// tickMsg moves the clock so that elapsed times advance between events.
type tickMsg time.Time

// rowMsg is the Summarize hook's row for the run at index.
type rowMsg struct {
	index int
	row   Row
}

// diagnosisMsg is the Diagnose hook's answer.
type diagnosisMsg struct{ lines []string }

const (
	maxBatch    = 512 // events handled per Update at most
	tickEvery   = time.Second / 4
	maxLogLines = 64
)

// waitForEvent reads the next event, then whatever else is already waiting
// (up to maxBatch), so that a fast stream costs one Update and one View per
// batch rather than per result. Update issues it again after every batch.
func waitForEvent(ch <-chan harness.Event) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return eventsMsg{closed: true}
		}
		batch := []harness.Event{ev}
		for len(batch) < maxBatch {
			select {
			case ev, ok := <-ch:
				if !ok {
					return eventsMsg{events: batch, closed: true}
				}
				batch = append(batch, ev)
			default:
				return eventsMsg{events: batch}
			}
		}
		return eventsMsg{events: batch}
	}
}

func tick() tea.Cmd {
	return tea.Tick(tickEvery, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// runState is the target run under way (one strategy, or the URL).
type runState struct {
	label   string
	index   int
	started time.Time
	origin  time.Time // time zero of the latency chart
	lat     ring
}

// stepState is the step under way, or the last one finished.
type stepState struct {
	step     scenarios.Step
	index    int
	level    int
	total    int
	duration time.Duration
	timeout  time.Duration // the client timeout, 0 when not known
	started  time.Time
	snap     harness.Snapshot
	hist     histogram
	done     bool
	wall     time.Duration
	begun    bool // a StepStarted has come
	wf       waterfall
}

// tally is one finished step, kept for the final screen.
type tally struct {
	run, step string
	snap      harness.Snapshot
	wall      time.Duration
}

// logLine is one Log event's line, with the run it came during.
type logLine struct{ run, text string }

// model is the dashboard's state. Update has a value receiver and returns the
// next state; the helpers it calls work on its local copy. Slices are shared
// between copies, so only the latest model may be updated.
type model struct {
	cfg    config
	st     styles
	keys   keyMap
	help   help.Model
	events <-chan harness.Event

	width, height int
	view          view
	showHelp      bool

	scenario string
	planned  []string // run labels from RunStarted
	steps    int      // steps per run
	started  time.Time
	now      time.Time
	ended    time.Time

	run       runState
	step      stepState
	tallies   []tally
	rows      []indexedRow
	errs      errorBook
	logs      []logLine
	diagnosis []string

	runDone  bool
	runErr   error
	closed   bool // the stream has ended
	pending  int  // hook calls not answered yet
	finished bool // stream ended and hooks answered: the final screen
	quit     bool // the user quit before the stream ended
	left     bool // the user left a lingering final screen
}

func newModel(events <-chan harness.Event, cfg config, st styles) model {
	h := help.New()
	h.Styles = st.help
	return model{cfg: cfg, st: st, keys: defaultKeys(), help: h, events: events}
}

// Init starts reading the stream and the clock.
func (m model) Init() tea.Cmd {
	return tea.Batch(waitForEvent(m.events), tick())
}

// Update applies one message.
func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		return m, nil
	case tea.KeyMsg:
		return m.onKey(msg)
	case tickMsg:
		m.now = later(m.now, time.Time(msg))
		if m.finished {
			return m, nil
		}
		return m, tick()
	case eventsMsg:
		var cmds []tea.Cmd
		for _, ev := range msg.events {
			if c := m.apply(ev); c != nil {
				cmds = append(cmds, c)
			}
		}
		if msg.closed {
			m.closed = true
		} else {
			cmds = append(cmds, waitForEvent(m.events))
		}
		return m.settle(cmds)
	case rowMsg:
		m.pending--
		m.addRow(msg.index, msg.row)
		return m.settle(nil)
	case diagnosisMsg:
		m.pending--
		m.diagnosis = msg.lines
		return m.settle(nil)
	}
	return m, nil
}

// settle quits once the stream has ended and every hook has answered, or,
// with Linger, shows the final screen until q.
func (m model) settle(cmds []tea.Cmd) (tea.Model, tea.Cmd) {
	if m.closed && m.pending <= 0 && !m.finished {
		m.finished = true
		if m.ended.IsZero() {
			m.ended = m.now
		}
		if !m.cfg.linger {
			cmds = append(cmds, tea.Quit)
		} else {
			m.view = overviewView // the final screen first
		}
	}
	return m, tea.Batch(cmds...)
}

func (m model) onKey(k tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(k, m.keys.Quit):
		m.quit = !m.closed
		if m.finished {
			m.view = overviewView // the final screen is what stays on the terminal,
			m.left = true         // without the hint to leave it
		}
		return m, tea.Quit
	case key.Matches(k, m.keys.Next):
		m.view = (m.view + 1) % viewCount
	case key.Matches(k, m.keys.Prev):
		m.view = (m.view + viewCount - 1) % viewCount
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
	}
	return m, nil
}

// apply folds one event into the state. It returns the Cmd of a hook to call,
// if the event asks for one.
func (m *model) apply(ev harness.Event) tea.Cmd {
	m.now = later(m.now, ev.Time)
	at := ev.Time
	if at.IsZero() {
		at = m.now
	}
	switch ev.Kind {
	case harness.RunStarted:
		if ev.Scenario != nil {
			m.scenario = ev.Scenario.Name
			m.steps = len(ev.Scenario.Steps)
		}
		m.planned = append([]string(nil), ev.Runs...)
		m.started = at
	case harness.TargetStarted:
		m.run = runState{label: ev.Run, index: ev.RunIndex, started: at, origin: at}
		m.step = stepState{}
	case harness.StepStarted:
		if m.run.label == "" {
			m.run.label = ev.Run
		}
		m.step = stepState{step: ev.Step, index: ev.StepIndex, level: ev.Level, total: ev.Total,
			duration: ev.Duration, timeout: ev.Timeout, started: at, begun: true, wf: waterfall{timeout: ev.Timeout}}
	case harness.Results:
		m.step.snap = ev.Snapshot
		m.step.level = ev.Level
		for _, c := range ev.Results {
			if c.Result != nil {
				m.step.wf.add(c.Result, c.Outcome, m.step.started)
				m.observe(c.Result, c.Outcome)
			}
		}
	case harness.Progress:
		// Between completions: the requests sent and not answered, on a tick.
		m.step.snap = ev.Snapshot
		m.step.level = ev.Level
		m.step.wf.progress(ev.Sent, ev.Snapshot.InFlight)
	case harness.StepDone:
		m.step.snap = ev.Snapshot
		m.step.done = true
		m.step.wall = ev.Snapshot.Elapsed
		if ev.StepResult != nil && ev.StepResult.Wall > 0 {
			m.step.wall = ev.StepResult.Wall
		}
		m.tallies = append(m.tallies, tally{run: orElse(ev.Run, m.run.label), step: stepLabel(ev.Step, ev.Level),
			snap: ev.Snapshot, wall: m.step.wall})
	case harness.TargetDone:
		return m.summarize(ev)
	case harness.RunDone:
		m.runDone, m.runErr, m.ended = true, ev.Err, at
		if f := m.cfg.diagnose; f != nil {
			m.pending++
			return func() tea.Msg { return diagnosisMsg{lines: f()} }
		}
	case harness.Log:
		for _, line := range strings.Split(strings.TrimRight(ev.Message, "\n"), "\n") {
			m.logs = append(m.logs, logLine{run: orElse(ev.Run, m.run.label), text: line})
		}
		if n := len(m.logs) - maxLogLines; n > 0 {
			m.logs = append(m.logs[:0:0], m.logs[n:]...)
		}
	}
	return nil
}

// observe adds one result to the latency chart, the step's histogram and, when
// it failed, the errors view.
func (m *model) observe(r *vegeta.Result, o reports.Outcome) {
	if o == reports.Cancelled {
		return // cut off by stopping the run: no latency, no failure of the target
	}
	if m.run.origin.IsZero() {
		m.run.origin = r.Timestamp
	}
	at := 0.0
	if !r.Timestamp.IsZero() {
		at = max(0, r.Timestamp.Sub(m.run.origin).Seconds())
	}
	ms := float64(r.Latency) / float64(time.Millisecond)
	bad := o != reports.OK
	m.run.lat.push(point{at: at, ms: ms, failed: bad})
	m.step.hist.add(ms)
	if bad {
		m.errs.add(m.run.label, defaultClass(r, o), failureMessage(r))
	}
}

// summarize adds the finished run's row, through the Summarize hook when set.
func (m *model) summarize(ev harness.Event) tea.Cmd {
	tr := ev.TargetResult
	label := ev.Run
	if label == "" && tr != nil {
		label = tr.Run
	}
	if tr == nil {
		m.addRow(ev.RunIndex, Row{Run: label, Timeouts: m.timeoutsOf(label)})
		return nil
	}
	if f := m.cfg.summarize; f != nil {
		m.pending++
		idx := ev.RunIndex
		return func() tea.Msg { return rowMsg{index: idx, row: f(tr)} }
	}
	// Speedups and verdicts are the report's to compute (the Summarize hook):
	// without one the row gives only what the dashboard counted itself.
	m.addRow(ev.RunIndex, Row{Run: label, Timeouts: m.timeoutsOf(label)})
	return nil
}

// timeoutsOf sums the timeouts of the run's finished steps.
func (m *model) timeoutsOf(run string) int {
	n := 0
	for _, t := range m.tallies {
		if t.run == run {
			n += t.snap.Timeouts
		}
	}
	return n
}

// later returns the later of two times, ignoring a zero b.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func orElse(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// runElapsed is the time since RunStarted, frozen at RunDone.
func (m model) runElapsed() time.Duration {
	if m.started.IsZero() {
		return 0
	}
	end := m.now
	if m.runDone && !m.ended.IsZero() {
		end = m.ended
	}
	return max(0, end.Sub(m.started))
}

// stepElapsed is the current step's time: its wall time once done, else the
// later of the last snapshot and the clock.
func (m model) stepElapsed() time.Duration {
	s := m.step
	if s.done {
		return s.wall
	}
	d := s.snap.Elapsed
	if !s.started.IsZero() {
		d = max(d, m.now.Sub(s.started))
	}
	return d
}
