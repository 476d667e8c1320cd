package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"contend/harness"
)

// errNoRunDone is returned by Plain when the stream closed without RunDone.
var errNoRunDone = errors.New("event stream closed before the run finished")

// Plain writes the event stream to w as plain lines, for pipes, CI logs and
// --no-tui: one line when the run starts, when each target run starts, when a
// step starts and ends, a progress line at most every second of a step (by
// the step's elapsed time), the Log events' lines, and a last line at RunDone.
// It reads the stream to its end and returns nil, the first write error (it
// keeps reading after one), or an error if the stream closed without RunDone.
func Plain(w io.Writer, events <-chan harness.Event) error {
	p := plainWriter{w: w}
	done := false
	for ev := range events {
		if done {
			continue
		}
		p.event(ev)
		done = ev.Kind == harness.RunDone
	}
	if p.err != nil {
		return fmt.Errorf("write progress: %w", p.err)
	}
	if !done {
		return errNoRunDone
	}
	return nil
}

// plainWriter keeps what the lines need between events.
type plainWriter struct {
	w   io.Writer
	err error // the first write error; later writes are skipped

	runs, steps int
	started     time.Time
	run         string
	step        string
	stepIndex   int
	total       int
	lastLine    time.Duration // step elapsed time at the last progress line
}

func (p *plainWriter) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
	}
}

// tag prefixes a line with its run's label.
func (p *plainWriter) tag(run string) string {
	run = orElse(run, p.run)
	if run == "" {
		return ""
	}
	return "[" + run + "] "
}

func (p *plainWriter) stepOf() string {
	if p.steps > 0 {
		return fmt.Sprintf("step %d/%d %s", p.stepIndex+1, p.steps, p.step)
	}
	return "step " + p.step
}

func (p *plainWriter) event(ev harness.Event) {
	switch ev.Kind {
	case harness.RunStarted:
		p.runs, p.started = len(ev.Runs), ev.Time
		name := "run"
		if ev.Scenario != nil {
			p.steps = len(ev.Scenario.Steps)
			name = "scenario " + ev.Scenario.Name
		}
		p.printf("contend: %s: runs %s; %s", name, strings.Join(ev.Runs, ", "), plural(p.steps, "step"))
	case harness.TargetStarted:
		p.run = ev.Run
		if p.runs > 0 {
			p.printf("%srun %d/%d", p.tag(ev.Run), ev.RunIndex+1, p.runs)
		} else {
			p.printf("%srun", p.tag(ev.Run))
		}
	case harness.StepStarted:
		p.step, p.stepIndex, p.total, p.lastLine = stepLabel(ev.Step, ev.Level), ev.StepIndex, ev.Total, 0
		p.printf("%s%s: %s", p.tag(ev.Run), p.stepOf(), withTimeout(describe(ev.Step, ev.Level, ev.Total, ev.Duration), ev.Timeout))
	case harness.Results, harness.Progress:
		s := ev.Snapshot
		if s.Elapsed-p.lastLine < time.Second {
			return
		}
		p.lastLine = s.Elapsed
		done := fmt.Sprintf("%d done", s.Done)
		if p.total > 0 {
			done = fmt.Sprintf("%d/%d done", s.Done, p.total)
		}
		p.printf("%s%s: %s, ok %d, timeouts %d, errors %d, in flight %d, %.1f req/s, %s", p.tag(ev.Run),
			stepLabel(ev.Step, ev.Level), done, s.OK, s.Timeouts, s.Errors, s.InFlight, s.Throughput, fmtDur(s.Elapsed))
	case harness.StepDone:
		wall := ev.Snapshot.Elapsed
		if ev.StepResult != nil && ev.StepResult.Wall > 0 {
			wall = ev.StepResult.Wall
		}
		s := ev.Snapshot
		cancelled := ""
		if s.Cancelled > 0 {
			cancelled = fmt.Sprintf(", cancelled %d", s.Cancelled)
		}
		p.printf("%s%s done in %s: ok %d, timeouts %d, errors %d%s", p.tag(ev.Run), p.stepOf(), fmtDur(wall),
			s.OK, s.Timeouts, s.Errors, cancelled)
	case harness.TargetDone:
		p.printf("%srun done", p.tag(ev.Run))
	case harness.Log:
		for _, line := range strings.Split(strings.TrimRight(ev.Message, "\n"), "\n") {
			p.printf("%s%s", p.tag(ev.Run), line)
		}
	case harness.RunDone:
		took := ""
		if !p.started.IsZero() && ev.Time.After(p.started) {
			took = " in " + fmtDur(ev.Time.Sub(p.started))
		}
		switch {
		case ev.Err == nil:
			p.printf("contend: run finished%s", took)
		case errors.Is(ev.Err, context.Canceled):
			p.printf("contend: run cancelled%s", took)
		default:
			p.printf("contend: run failed%s: %v", took, ev.Err)
		}
	}
}
