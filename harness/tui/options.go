package tui

import (
	"io"
	"time"

	"contend/harness"
)

// DefaultWidth and DefaultHeight are the window size assumed until the
// terminal reports its own, and kept for outputs that are not terminals (a
// test's buffer); WindowSize changes them.
const (
	DefaultWidth  = 80
	DefaultHeight = 24
)

// Row is one line of the comparison table: one finished run (a strategy of the
// built-in target, or the URL). A zero Sequential, Concurrent or Speedup, or an
// empty Verdict, shows as "-".
type Row struct {
	Run                    string
	Sequential, Concurrent time.Duration
	Speedup                float64
	Timeouts               int
	Verdict                string
}

// Option tunes Run.
type Option func(*config)

// config is what the options set; newConfig fills the defaults.
type config struct {
	summarize func(*harness.TargetResult) Row
	diagnose  func() []string
	onQuit    func()
	noColor   bool
	altScreen bool
	linger    bool
	input     io.Reader
	inputSet  bool
	output    io.Writer
	width     int
	height    int
}

func newConfig(opts []Option) config {
	c := config{width: DefaultWidth, height: DefaultHeight}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// Summarize sets the function that turns a finished run into its comparison
// row. It is called once per TargetDone event, off the UI goroutine. Without it
// the row holds the run's first sequential and concurrent step times, the
// speedup between them and its timeouts, with no verdict.
func Summarize(f func(*harness.TargetResult) Row) Option {
	return func(c *config) { c.summarize = f }
}

// Diagnose sets the function that returns the diagnosis lines. It is called
// once, on RunDone, off the UI goroutine; its lines are shown on the final
// screen. Without it there is no diagnosis.
func Diagnose(f func() []string) Option {
	return func(c *config) { c.diagnose = f }
}

// OnQuit sets the function Run calls when the user quits (q or ctrl+c) before
// the stream ended, typically the run's context.CancelFunc. Run calls it after
// the program has restored the terminal and before it drains the rest of the
// stream; without it, quitting waits for the run to end on its own.
func OnQuit(f func()) Option {
	return func(c *config) { c.onQuit = f }
}

// NoColor turns colour off. Colour is also off when the NO_COLOR environment
// variable is set, or when the output is not a colour terminal.
func NoColor(on bool) Option {
	return func(c *config) { c.noColor = on }
}

// AltScreen runs the dashboard in the terminal's alternate screen (default
// off). The final screen is then lost when the program ends, so the caller
// should print its own summary afterwards.
func AltScreen(on bool) Option {
	return func(c *config) { c.altScreen = on }
}

// WithInput reads keys from r instead of the terminal; nil disables input.
func WithInput(r io.Reader) Option {
	return func(c *config) { c.input, c.inputSet = r, true }
}

// WithOutput draws to w instead of os.Stdout.
func WithOutput(w io.Writer) Option {
	return func(c *config) { c.output = w }
}

// WindowSize sets the size assumed until the terminal reports one (default
// DefaultWidth x DefaultHeight); outputs that are not terminals keep it.
func WindowSize(width, height int) Option {
	return func(c *config) {
		if width > 0 && height > 0 {
			c.width, c.height = width, height
		}
	}
}

// Linger keeps the dashboard on screen when the run has ended, on its final
// screen (tab still shows the other views), until the user presses q; without
// it (the default) Run returns as soon as the stream ends. It needs keyboard
// input: leave it off when there is none (CI).
func Linger(on bool) Option {
	return func(c *config) { c.linger = on }
}
