package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"contend/harness"
)

// The render helpers below are pure: they take the data to show and a width,
// and return lines no wider than that width.

// headerInfo is what the first line shows.
type headerInfo struct {
	scenario         string
	run              string
	runIndex, runs   int
	stepIndex, steps int
	step             string
	elapsed          time.Duration
	status           string // "", "finished", "cancelled", "failed", "stopping"
}

// segment is a piece of a line that may be left out when the line is too
// narrow; higher prio stays longer.
type segment struct {
	text string
	prio int
}

// fitSegments joins the segments with sep, leaving out the lowest priority
// ones until the line fits w, then truncates.
func fitSegments(segs []segment, sep string, w int) string {
	keep := make([]bool, len(segs))
	for i := range segs {
		keep[i] = segs[i].text != ""
	}
	join := func() string {
		var parts []string
		for i, s := range segs {
			if keep[i] {
				parts = append(parts, s.text)
			}
		}
		return strings.Join(parts, sep)
	}
	for line := join(); lipgloss.Width(line) > w; line = join() {
		j := -1
		for i, s := range segs {
			if keep[i] && (j < 0 || s.prio < segs[j].prio) {
				j = i
			}
		}
		if j < 0 || countTrue(keep) == 1 {
			return clip(line, w)
		}
		keep[j] = false
	}
	return join()
}

func countTrue(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// renderHeader draws the first line: scenario, run, step, elapsed time and
// status, leaving out the least needed parts first when the window is narrow.
func renderHeader(st styles, h headerInfo, w int) string {
	segs := []segment{{st.title.Render("contend"), 2}}
	if h.scenario != "" {
		segs = append(segs, segment{st.bold.Render(h.scenario), 6})
	}
	if h.run != "" {
		run := h.run
		if h.runs > 1 {
			run = fmt.Sprintf("%s %d/%d", h.run, h.runIndex+1, h.runs)
		}
		segs = append(segs, segment{run, 7})
	}
	if h.step != "" {
		step := "step " + h.step
		if h.steps > 0 {
			step = fmt.Sprintf("step %d/%d %s", h.stepIndex+1, h.steps, h.step)
		}
		segs = append(segs, segment{step, 5})
	}
	segs = append(segs, segment{fmtDur(h.elapsed.Truncate(100 * time.Millisecond)), 8})
	switch h.status {
	case "":
	case "failed", "cancelled":
		segs = append(segs, segment{st.errs.Render(h.status), 9})
	default:
		segs = append(segs, segment{st.bold.Render(h.status), 9})
	}
	return fitSegments(segs, st.dim.Render(" · "), w)
}

// renderTabs shows the views, the active one in brackets (readable without colour).
func renderTabs(st styles, active view, w int) string {
	var b strings.Builder
	for v := range viewCount {
		if v == active {
			b.WriteString(st.tabOn.Render("[" + viewNames[v] + "]"))
		} else {
			b.WriteString(st.tabOff.Render(" " + viewNames[v] + " "))
		}
		b.WriteString(" ")
	}
	return clip(strings.TrimRight(b.String(), " "), w)
}

// stepInfo is the current step as the step block shows it.
type stepInfo struct {
	level    int // sweep level under way (0: not a sweep)
	name     string
	desc     string
	total    int
	duration time.Duration
	elapsed  time.Duration
	snap     harness.Snapshot
	done     bool
	started  bool
}

// renderStep draws three lines: what the step is, its progress bar, and its
// counters.
func renderStep(st styles, s stepInfo, w int) []string {
	if !s.started {
		return []string{st.dim.Render("waiting for the first step…"), "", ""}
	}
	title := st.bold.Render(s.name) + st.dim.Render(" · "+s.desc)
	if s.done {
		title += st.dim.Render(" · done in " + fmtDur(s.elapsed))
	}

	var frac float64
	var count string
	// The count keeps the width it will have at the end, so the bar does not
	// jitter as the numbers grow.
	switch {
	case s.total > 0:
		frac = float64(s.snap.Done) / float64(s.total)
		count = padLeft(fmt.Sprintf("%d/%d", s.snap.Done, s.total), 2*len(strconv.Itoa(s.total))+1)
	case s.duration > 0:
		frac = float64(s.elapsed) / float64(s.duration)
		whole := fmtTenths(s.duration)
		count = padLeft(fmtTenths(min(s.elapsed, s.duration)), len(whole)) + "/" + whole
	default:
		count = strconv.Itoa(s.snap.Done) + " done"
	}
	if s.done {
		frac = 1
	}
	frac = math.Min(math.Max(frac, 0), 1)
	suffix := fmt.Sprintf("  %s %3.0f%%", count, frac*100)
	barW := max(w-lipgloss.Width(suffix), 4)

	snap := s.snap
	counters := []segment{
		{fmt.Sprintf("%.2f req/s", snap.Throughput), 5},
		{levelNote(s.level, snap), 7},
		{fmt.Sprintf("in flight %d", snap.InFlight), 6},
		{st.ok.Render(fmt.Sprintf("ok %d", snap.OK)), 9},
		{st.timeout.Render(fmt.Sprintf("timeouts %d", snap.Timeouts)), 9},
		{st.errs.Render(fmt.Sprintf("errors %d", snap.Errors)), 9},
		{fmtDur(s.elapsed.Truncate(100 * time.Millisecond)), 4},
	}
	return []string{
		clip(title, w),
		clip(progressBar(st, frac, barW)+suffix, w),
		fitSegments(counters, st.dim.Render(" · "), w),
	}
}

// fmtTenths writes a duration in seconds with one decimal, as a clock that
// ticks every tenth of a second: 0.3s, 12.0s, 125.4s.
func fmtTenths(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + "s"
}

// progressBar draws frac (0..1) of w cells filled, to an eighth of a cell.
func progressBar(st styles, frac float64, w int) string {
	n := int(math.Round(frac * float64(w*8)))
	full, part := n/8, eighths[n%8]
	rest := w - full - lipgloss.Width(part)
	return st.bar.Render(strings.Repeat("█", full)+part) + st.dim.Render(strings.Repeat("░", rest))
}

// levelNote sums up a sweep's current level ("" for other steps).
func levelNote(level int, s harness.Snapshot) string {
	if level <= 0 {
		return ""
	}
	return fmt.Sprintf("level %d: %d done, %.2f req/s", level, s.LevelDone, s.LevelThroughput)
}

// Glyphs of the Server-Timing bar, distinct so the bar reads without colour.
const (
	glyphWait  = "█"
	glyphLoad  = "▓"
	glyphInfer = "▒"
)

// renderTiming draws the split of the step's mean Server-Timing into wait
// (blocked in the locking strategy), load and infer, as one bar and a legend.
// It returns "" before the first result, and says so when the target sends none.
func renderTiming(st styles, s harness.Snapshot, w int) string {
	if s.Done == 0 {
		return ""
	}
	if !s.HaveServerTiming {
		return clip(st.dim.Render("server  no Server-Timing from this target: latency only"), w)
	}
	parts := []float64{s.ServerWaitMs, s.ServerLoadMs, s.ServerInferMs}
	sum := parts[0] + parts[1] + parts[2]
	share := func(i int) float64 {
		if sum <= 0 {
			return 0
		}
		return parts[i] / sum
	}
	names := []string{"wait", "load", "infer"}
	glyphs := []string{glyphWait, glyphLoad, glyphInfer}
	looks := []lipgloss.Style{st.wait, st.load, st.infer}
	legend := func(withMs bool) string {
		items := make([]string, 3)
		for i := range items {
			item := fmt.Sprintf("%s %s %.0f%%", glyphs[i], names[i], share(i)*100)
			if withMs {
				item += " " + fmtMs(parts[i])
			}
			items[i] = looks[i].Render(item)
		}
		return strings.Join(items, "  ")
	}
	const prefix = "server  "
	leg := legend(true)
	if w-len(prefix)-2-lipgloss.Width(leg) < 12 {
		leg = legend(false)
	}
	barW := max(w-len(prefix)-2-lipgloss.Width(leg), 4)
	cells := apportion([]float64{share(0), share(1), share(2)}, barW)
	var bar strings.Builder
	for i, n := range cells {
		bar.WriteString(looks[i].Render(strings.Repeat(glyphs[i], n)))
	}
	if sum <= 0 {
		bar.WriteString(st.dim.Render(strings.Repeat("·", barW)))
	}
	return clip(prefix+bar.String()+"  "+leg, w)
}

// apportion splits n cells by shares (summing to 1 or 0), largest remainder
// first, so the parts add up to exactly n.
func apportion(shares []float64, n int) []int {
	out := make([]int, len(shares))
	total := 0
	rem := make([]float64, len(shares))
	for i, s := range shares {
		exact := s * float64(n)
		out[i] = int(exact)
		rem[i] = exact - float64(out[i])
		total += out[i]
	}
	if total == 0 {
		return out
	}
	for ; total < n; total++ {
		j := 0
		for i := range rem {
			if rem[i] > rem[j] {
				j = i
			}
		}
		out[j]++
		rem[j] = -1
	}
	return out
}

// clip cuts s to at most w cells, marking the cut with an ellipsis.
func clip(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// pad right-pads s with spaces to w cells.
func pad(s string, w int) string {
	return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
}

// padLeft left-pads s with spaces to w cells.
func padLeft(s string, w int) string {
	return strings.Repeat(" ", max(0, w-lipgloss.Width(s))) + s
}
