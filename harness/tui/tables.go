package tui

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// The tables and lists of the dashboard and of its final screen.

// renderTable draws the comparison table: one row per finished run, and a
// placeholder for each planned run still running or waiting.
func renderTable(st styles, rows []Row, planned []string, current string, w int) []string {
	if len(rows) == 0 && len(planned) == 0 {
		return nil
	}
	have := map[string]bool{}
	runW := len("run")
	for _, r := range rows {
		have[r.Run] = true
		runW = max(runW, lipgloss.Width(r.Run))
	}
	for _, p := range planned {
		runW = max(runW, lipgloss.Width(p))
	}
	runW = min(runW, max(w/3, 8))
	cols := []struct {
		title string
		width int
	}{{"sequential", 10}, {"concurrent", 10}, {"speedup", 7}, {"timeouts", 8}, {"verdict", 10}}
	line := func(run string, cells []string) string {
		var b strings.Builder
		b.WriteString(pad(clip(run, runW), runW))
		for i, c := range cells {
			b.WriteString("  ")
			if i == len(cells)-1 {
				b.WriteString(c)
			} else {
				b.WriteString(padLeft(c, cols[i].width))
			}
		}
		return clip(strings.TrimRight(b.String(), " "), w)
	}
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	out := []string{st.head.Render(line("run", titles))}
	for _, r := range rows {
		timeouts := strconv.Itoa(r.Timeouts)
		if r.Timeouts > 0 {
			timeouts = st.timeout.Render(timeouts)
		}
		speedup := "-"
		if r.Speedup > 0 {
			speedup = fmt.Sprintf("%.2fx", r.Speedup)
		}
		out = append(out, line(r.Run, []string{durOrDash(r.Sequential), durOrDash(r.Concurrent), speedup,
			timeouts, verdictStyle(st, r.Verdict).Render(orElse(r.Verdict, "-"))}))
	}
	for _, p := range planned {
		if have[p] {
			continue
		}
		state := "waiting"
		if p == current {
			state = "running"
		}
		out = append(out, st.dim.Render(line(p, []string{state})))
	}
	return out
}

func verdictStyle(st styles, v string) lipgloss.Style {
	switch v {
	case "parallel":
		return st.good
	case "partial":
		return st.partial
	case "serialized":
		return st.bad
	}
	return st.bold
}

func durOrDash(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return fmtDur(d)
}

// renderTallies draws the finished steps' counts, one line per step.
func renderTallies(st styles, ts []tally, w int) []string {
	if len(ts) == 0 {
		return nil
	}
	runW, stepW := len("run"), len("step")
	for _, t := range ts {
		runW = max(runW, lipgloss.Width(t.run))
		stepW = max(stepW, lipgloss.Width(t.step))
	}
	// The counts take 43 cells; the names share the rest, the step's first.
	stepW = min(stepW, max(w/4, 8))
	runW = min(runW, max(w-43-2-stepW, 8))
	line := func(run, step, done, ok, to, errs, wall string) string {
		return clip(pad(clip(run, runW), runW)+"  "+pad(clip(step, stepW), stepW)+"  "+padLeft(done, 5)+"  "+
			padLeft(ok, 5)+"  "+padLeft(to, 8)+"  "+padLeft(errs, 6)+"  "+padLeft(wall, 7), w)
	}
	out := []string{st.head.Render(line("run", "step", "done", "ok", "timeouts", "errors", "wall"))}
	for _, t := range ts {
		to := strconv.Itoa(t.snap.Timeouts)
		if t.snap.Timeouts > 0 {
			to = st.timeout.Render(to)
		}
		errs := strconv.Itoa(t.snap.Errors)
		if t.snap.Errors > 0 {
			errs = st.errs.Render(errs)
		}
		out = append(out, line(t.run, t.step, strconv.Itoa(t.snap.Done), strconv.Itoa(t.snap.OK), to, errs,
			fmtDur(t.wall)))
	}
	return out
}

// renderDiagnosis draws the diagnosis lines as bullets wrapped to w.
func renderDiagnosis(st styles, lines []string, w int) []string {
	if len(lines) == 0 {
		return nil
	}
	out := []string{st.head.Render("diagnosis")}
	for _, l := range lines {
		wrapped := strings.Split(ansi.Wrap(l, max(w-2, 8), ""), "\n")
		for i, part := range wrapped {
			lead := "  "
			if i == 0 {
				lead = "• "
			}
			out = append(out, clip(lead+part, w))
		}
	}
	return out
}

// maxSampleLines is how many lines one sample message may wrap to.
const maxSampleLines = 3

// renderErrors draws the failure classes with their counts and sample
// messages, each wrapped to at most maxSampleLines lines.
func renderErrors(st styles, b errorBook, w int) []string {
	if b.total == 0 {
		return []string{st.ok.Render("no failures so far")}
	}
	runW, classW := len("run"), len("class")
	for _, c := range b.classes {
		runW = max(runW, lipgloss.Width(c.run))
		classW = max(classW, lipgloss.Width(c.name))
	}
	runW, classW = min(runW, max(w/5, 8)), min(classW, max(w/5, 8))
	sampleAt := runW + 2 + classW + 2 + 6 + 2
	line := func(run, class, count, sample string) string {
		return clip(pad(clip(run, runW), runW)+"  "+pad(clip(class, classW), classW)+"  "+padLeft(count, 6)+"  "+
			sample, w)
	}
	noun := "classes"
	if len(b.classes) == 1 {
		noun = "class"
	}
	out := []string{
		st.errs.Render(fmt.Sprintf("%d failures in %d %s", b.total, len(b.classes), noun)),
		st.head.Render(line("run", "class", "count", "sample")),
	}
	indent, sampleW := sampleAt, w-sampleAt
	if sampleW < 24 { // too narrow beside the counts: samples go under them
		indent, sampleW = 2, w-2
	}
	for _, c := range b.classes {
		look := st.errs
		if c.name == "timeout" {
			look = st.timeout
		}
		var samples []string
		for _, smp := range c.samples {
			wrapped := strings.Split(ansi.Wrap(smp, sampleW, ""), "\n")
			if len(wrapped) > maxSampleLines {
				wrapped = wrapped[:maxSampleLines]
				wrapped[maxSampleLines-1] = clip(wrapped[maxSampleLines-1]+" …", sampleW)
			}
			samples = append(samples, wrapped...)
		}
		first := ""
		if indent == sampleAt && len(samples) > 0 {
			first, samples = samples[0], samples[1:]
		}
		out = append(out, line(c.run, look.Render(clip(c.name, classW)), strconv.Itoa(c.count), st.dim.Render(first)))
		for _, smp := range samples {
			out = append(out, clip(strings.Repeat(" ", indent)+st.dim.Render(smp), w))
		}
	}
	return out
}

// renderLogs draws the last h-1 log lines under a title.
func renderLogs(st styles, logs []logLine, w, h int) []string {
	if h < 2 {
		return nil
	}
	out := []string{st.head.Render("target log")}
	if len(logs) == 0 {
		return append(out, st.dim.Render("nothing logged yet"))
	}
	logs = logs[max(0, len(logs)-(h-1)):]
	for _, l := range logs {
		prefix := ""
		if l.run != "" {
			prefix = st.dim.Render("[" + l.run + "] ")
		}
		out = append(out, clip(prefix+l.text, w))
	}
	return out
}
