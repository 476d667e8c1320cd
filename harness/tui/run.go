package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/term"
	"github.com/muesli/termenv"

	"contend/harness"
)

// Run shows the live dashboard for the event stream until the stream ends,
// the user quits, or ctx is cancelled. It then reads the rest of the stream
// (the Runner blocks while nobody reads), so it returns only once events is
// closed: when the user quits, pass OnQuit with the run's cancel function so
// that this is quick.
//
// When the stream ends normally the final screen, the steps' counts, the
// comparison table and the diagnosis, stays on the terminal; with Linger, Run
// keeps showing it (tab switches views) and returns only after q. Run leaves
// signals to its caller (ctrl+c reaches it as a key while the dashboard runs).
// It returns nil when the stream ended, the user quit or ctx was cancelled,
// and an error only when the terminal failed, in which case the rest of the
// stream is written as Plain lines to standard error.
func Run(ctx context.Context, events <-chan harness.Event, opts ...Option) error {
	_, err := run(ctx, events, newConfig(opts))
	return err
}

// run is Run; it also returns the program's last model, for tests.
func run(ctx context.Context, events <-chan harness.Event, cfg config) (model, error) {
	if cfg.output == nil {
		cfg.output = os.Stdout
	}
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithOutput(cfg.output), tea.WithoutSignalHandler()}
	if cfg.inputSet {
		popts = append(popts, tea.WithInput(cfg.input))
	}
	if cfg.altScreen {
		popts = append(popts, tea.WithAltScreen())
	}
	st := newStyles(newRenderer(cfg.output, cfg.noColor))
	final, err := tea.NewProgram(newModel(events, cfg, st), popts...).Run()
	m, _ := final.(model)
	if m.quit && cfg.onQuit != nil {
		cfg.onQuit()
	}
	if err != nil && !(errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil) {
		err = fmt.Errorf("live view: %w", err)
		if !m.closed {
			// Progress lines go to stderr, as with --no-tui, so that a report
			// written to stdout stays clean.
			return m, errors.Join(err, Plain(os.Stderr, events))
		}
		return m, err
	}
	for range events {
	}
	return m, nil
}

// newRenderer makes the renderer of every style: without colour when noColor
// is set or NO_COLOR is, else with what out supports.
func newRenderer(out io.Writer, noColor bool, opts ...termenv.OutputOption) *lipgloss.Renderer {
	r := lipgloss.NewRenderer(out, opts...)
	if noColor || os.Getenv("NO_COLOR") != "" {
		r.SetColorProfile(termenv.Ascii)
	}
	return r
}

// IsTerminal reports whether f is a terminal (false for nil).
func IsTerminal(f *os.File) bool {
	return f != nil && term.IsTerminal(f.Fd())
}
