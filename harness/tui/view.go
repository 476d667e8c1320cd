package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// View draws the current view, or the final screen once the stream has ended.
// Every line fits the window's width and there are no more lines than its
// height: parts are left out by priority when the window is small.
func (m model) View() string {
	w, h := m.size()
	var lines []string
	switch {
	case m.finished && (m.view == overviewView || !m.cfg.linger):
		lines = m.finalScreen(w, h)
	case m.view == latencyView:
		lines = m.latencyScreen(w, h)
	case m.view == waterfallView:
		lines = m.waterfallScreen(w, h)
	case m.view == errorsView:
		lines = m.errorsScreen(w, h)
	default:
		lines = m.overviewScreen(w, h)
	}
	for i := range lines {
		lines[i] = clip(lines[i], w)
	}
	return strings.Join(lines, "\n")
}

func (m model) size() (int, int) {
	if m.width <= 0 || m.height <= 0 {
		return m.cfg.width, m.cfg.height
	}
	return m.width, m.height
}

func (m model) overviewScreen(w, h int) []string {
	return stack(h,
		fixed(10, m.top(w)),
		gap(),
		fixed(9, renderStep(m.st, m.stepInfo(), w)),
		fixed(7, nonEmpty(renderTiming(m.st, m.step.snap, w))),
		gap(),
		flex(5, 5, 1, 0, func(h int) []string { return m.chartBlock(w, h) }),
		gap(),
		fixed(8, renderTable(m.st, m.tableRows(), m.planned, m.run.label, w)),
		fixed(6, m.footer(w)),
	)
}

func (m model) latencyScreen(w, h int) []string {
	var middle []block
	if w >= 120 {
		chartW := w * 3 / 5
		middle = []block{flex(8, 6, 1, 0, func(h int) []string {
			return sideBySide(m.chartBlock(chartW, h), chartW, m.histBlock(w-chartW-2, h))
		})}
	} else {
		middle = []block{
			flex(8, 5, 3, 0, func(h int) []string { return m.chartBlock(w, h) }),
			gap(),
			flex(7, 3, 2, 13, func(h int) []string { return m.histBlock(w, h) }),
		}
	}
	blocks := append([]block{fixed(10, m.top(w)), gap()}, middle...)
	return stack(h, append(blocks, fixed(6, m.footer(w)))...)
}

func (m model) waterfallScreen(w, h int) []string {
	return stack(h,
		fixed(10, m.top(w)),
		gap(),
		fixed(7, stepLines(renderStep(m.st, m.stepInfo(), w))),
		flex(8, 4, 1, 0, func(h int) []string { return renderWaterfall(m.st, m.waterfallInfo(), w, h) }),
		fixed(6, m.footer(w)),
	)
}

// stepLines keeps the step block's title and counters, not its progress bar.
func stepLines(step []string) []string {
	if len(step) < 3 || step[2] == "" {
		return step[:min(len(step), 1)]
	}
	return []string{step[0], step[2]}
}

// waterfallInfo is the current step's waterfall, titled with the run and step.
func (m model) waterfallInfo() waterfallInfo {
	title := "waterfall"
	if m.run.label != "" {
		title += " · " + m.run.label
	}
	if !m.step.begun {
		return waterfallInfo{title: title + " · no step yet"}
	}
	title += " · " + stepLabel(m.step.step, m.step.level)
	if m.step.timeout > 0 {
		title += " · client timeout " + fmtDur(m.step.timeout)
	}
	return m.step.wf.info(title, m.step.started, m.now, !m.step.done)
}

func (m model) errorsScreen(w, h int) []string {
	errs := renderErrors(m.st, m.errs, w)
	logs := func(h int) []string { return renderLogs(m.st, m.logs, w, h) }
	return stack(h,
		fixed(10, m.top(w)),
		gap(),
		flex(8, 3, 2, len(errs), func(h int) []string { return limit(m.st, errs, h) }),
		gap(),
		flex(5, 3, 1, len(m.logs)+1, logs),
		fixed(6, m.footer(w)),
	)
}

// finalScreen is what stays on the terminal: the steps' counts, the
// comparison table and the diagnosis.
func (m model) finalScreen(w, h int) []string {
	var failure []string
	if m.runErr != nil && !errors.Is(m.runErr, context.Canceled) {
		failure = []string{m.st.errs.Render(fmt.Sprintf("run failed: %v", m.runErr))}
	}
	tallies := renderTallies(m.st, m.tallies, w)
	diag := renderDiagnosis(m.st, m.diagnosis, w)
	return stack(h,
		fixed(10, []string{renderHeader(m.st, m.headerInfo(), w)}),
		fixed(10, failure),
		gap(),
		flex(5, 2, 1, len(tallies), func(h int) []string { return limit(m.st, tallies, h) }),
		gap(),
		fixed(9, renderTable(m.st, m.tableRows(), nil, "", w)),
		gap(),
		flex(8, 2, 2, len(diag), func(h int) []string { return limit(m.st, diag, h) }),
		fixed(3, m.lingerHint(w)),
	)
}

// lingerHint tells a lingering dashboard's user how to leave it.
func (m model) lingerHint(w int) []string {
	if !m.cfg.linger || m.left {
		return nil
	}
	return []string{m.st.dim.Render(clip("run ended: tab for the other views, q to quit", w))}
}

// top is the header and the tab bar.
func (m model) top(w int) []string {
	return []string{renderHeader(m.st, m.headerInfo(), w), renderTabs(m.st, m.view, w)}
}

func (m model) footer(w int) []string {
	hm := m.help
	hm.Width = w
	if m.showHelp {
		lines := strings.Split(hm.FullHelpView(m.keys.FullHelp()), "\n")
		for i := range lines {
			lines[i] = strings.TrimRight(lines[i], " ")
		}
		return lines
	}
	return []string{hm.ShortHelpView(m.keys.ShortHelp())}
}

func (m model) chartBlock(w, h int) []string {
	title := "latency"
	if m.run.label != "" {
		title += " · " + m.run.label
	}
	if n := len(m.run.lat.buf); n > 0 {
		title += " · " + plural(n, "result")
		if n == latencyPoints {
			title += " (latest)"
		}
	}
	chart := renderChart(m.st, m.run.lat.points(), w, h-1)
	if chart == nil {
		return nil
	}
	return append([]string{m.st.head.Render(clip(title, w))}, chart...)
}

func (m model) histBlock(w, h int) []string {
	name := stepLabel(m.step.step, 0) // the whole step, every sweep level
	if !m.step.begun {
		name = "no step yet"
	}
	bars := renderHistogram(m.st, m.step.hist, w, h-1)
	if bars == nil {
		return nil
	}
	return append([]string{m.st.head.Render(histogramTitle(name, m.step.snap.Latency, w))}, bars...)
}

func (m model) tableRows() []Row {
	rows := make([]Row, len(m.rows))
	for i, r := range m.rows {
		rows[i] = r.row
	}
	return rows
}

func (m model) headerInfo() headerInfo {
	h := headerInfo{scenario: m.scenario, run: m.run.label, runIndex: m.run.index, runs: len(m.planned),
		steps: m.steps, elapsed: m.runElapsed()}
	if m.step.begun {
		h.step, h.stepIndex = stepLabel(m.step.step, m.step.level), m.step.index
	}
	switch {
	case m.quit:
		h.status = "stopping"
	case !m.runDone:
	case m.runErr == nil:
		h.status = "finished"
	case errors.Is(m.runErr, context.Canceled):
		h.status = "cancelled"
	default:
		h.status = "failed"
	}
	if m.finished {
		h.run, h.step = "", ""
	}
	return h
}

func (m model) stepInfo() stepInfo {
	s := m.step
	return stepInfo{level: s.level, name: stepLabel(s.step, s.level), desc: withTimeout(describe(s.step, s.level, s.total, s.duration), s.timeout),
		total: s.total, duration: s.duration, elapsed: m.stepElapsed(), snap: s.snap, done: s.done, started: s.begun}
}

// block is part of a screen. stack lays blocks out top to bottom; when the
// screen is too short it leaves out the lowest priority blocks first. A
// flexible block (fill set) gets at least min rows, and shares the rows left
// by weight, up to want rows (0: no limit). The last block left is cut to fit
// rather than left out.
type block struct {
	lines  []string
	prio   int
	fill   func(h int) []string
	min    int
	weight int
	want   int
}

func fixed(prio int, lines []string) block { return block{lines: lines, prio: prio} }

func gap() block { return block{lines: []string{""}, prio: 1} }

func flex(prio, minRows, weight, want int, fill func(h int) []string) block {
	if want > 0 {
		minRows = min(minRows, want)
	}
	return block{prio: prio, fill: fill, min: minRows, weight: weight, want: want}
}

func (b block) rows() int {
	if b.fill != nil {
		return b.min
	}
	return len(b.lines)
}

// stack fits the blocks into h rows; see block.
func stack(h int, blocks ...block) []string {
	keep := make([]bool, len(blocks))
	used := 0
	for i, b := range blocks {
		keep[i] = b.rows() > 0
		if keep[i] {
			used += b.rows()
		}
	}
	for used > h {
		j, kept := -1, 0
		for i, b := range blocks {
			if keep[i] {
				kept++
				if j < 0 || b.prio < blocks[j].prio {
					j = i
				}
			}
		}
		if kept <= 1 { // the last block stays, cut to fit
			break
		}
		keep[j] = false
		used -= blocks[j].rows()
	}
	// Share the spare rows among the flexible blocks, a row per weight at a time.
	alloc := make([]int, len(blocks))
	for i, b := range blocks {
		alloc[i] = b.rows()
	}
	for spare, grew := h-used, true; spare > 0 && grew; {
		grew = false
		for i, b := range blocks {
			for k := 0; k < b.weight && spare > 0 && keep[i] && b.fill != nil && (b.want == 0 || alloc[i] < b.want); k++ {
				alloc[i]++
				spare--
				grew = true
			}
		}
	}
	var out []string
	for i, b := range blocks {
		switch {
		case !keep[i]:
		case b.fill != nil:
			out = append(out, b.fill(alloc[i])...)
		default:
			out = append(out, b.lines...)
		}
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}

// limit keeps at most h lines, saying how many were left out.
func limit(st styles, lines []string, h int) []string {
	if len(lines) <= h || h < 1 {
		return lines[:min(len(lines), max(h, 0))]
	}
	more := len(lines) - (h - 1)
	return append(lines[:h-1:h-1], st.dim.Render(fmt.Sprintf("… %d more lines", more)))
}

// nonEmpty makes a one-line block of s, or an empty one.
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// sideBySide puts right next to left, left padded to leftW cells.
func sideBySide(left []string, leftW int, right []string) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := range out {
		var l, r string
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = strings.TrimRight(pad(clip(l, leftW), leftW)+"  "+r, " ")
	}
	return out
}

// plural writes n and the noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
