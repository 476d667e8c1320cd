package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/NimbleMarkets/ntcharts/canvas/runes"
	"github.com/charmbracelet/lipgloss"

	"contend/reports"
)

// renderChart plots each request's latency (y) at the time it was sent (x,
// seconds since its run started) as braille dots, eight to a cell: a lock
// that serializes requests shows as a staircase of whole service times.
// Failed requests are drawn in the timeout colour. It returns h lines of at
// most w cells, or nothing when the space is too small to read.
//
// ntcharts' braille grid places the dots; the axes are drawn here, one styled
// run per row, because rendering its canvas cell by cell cost 4 ms a frame at
// 80x24 and 11 ms at 160x40, and a frame is drawn after every batch of events.
func renderChart(st styles, pts []point, w, h int) []string {
	if w < 20 || h < 4 {
		return nil
	}
	if len(pts) == 0 {
		return []string{st.dim.Render("no results yet")}
	}
	minX, maxX, maxY := math.Inf(1), 0.0, 0.0
	for _, p := range pts {
		minX, maxX, maxY = math.Min(minX, p.at), math.Max(maxX, p.at), math.Max(maxY, p.ms)
	}
	if len(pts) < latencyPoints {
		minX = 0 // the whole run is kept: start the axis at its start
	}
	// The bottom two rows hold the x axis and its labels; the left columns
	// the y labels and the y axis.
	gh := h - 2
	yGaps := []int{2, 3}
	if gh < 4 {
		yGaps = []int{1}
	}
	y := niceAxis(0, math.Max(maxY, 1), gh, yGaps)
	yLabels := make([]string, gh+1) // by row from the bottom: 0 is the axis
	labelW := 0
	for i := 0; i <= gh; i += y.gap {
		yLabels[i] = latencyLabel(y.lo+float64(i)/float64(y.gap)*y.step, y.step)
		labelW = max(labelW, len(yLabels[i]))
	}
	gw := w - labelW - 1
	x := niceAxis(minX, math.Max(maxX, minX+1), gw, []int{8, 10, 12, 16})

	ok, bad := runes.NewPatternDotsGrid(gw*2, gh*4), runes.NewPatternDotsGrid(gw*2, gh*4)
	for _, p := range pts {
		dots := ok
		if p.failed {
			dots = bad
		}
		dx := int(math.Round((p.at - x.lo) / (x.top - x.lo) * float64(gw*2-1)))
		dy := gh*4 - 1 - int(math.Round((p.ms-y.lo)/(y.top-y.lo)*float64(gh*4-1)))
		dots.Set(dx, dy)
	}
	okRows, badRows := ok.BraillePatterns(), bad.BraillePatterns()

	axis := st.axis.Render
	lines := make([]string, 0, h)
	for row := range gh {
		label := st.tick.Render(padLeft(yLabels[gh-row], labelW))
		lines = append(lines, strings.TrimRight(label+axis(string(runes.LineVertical))+
			dotRow(st, okRows[row], badRows[row]), " "))
	}
	lines = append(lines, st.tick.Render(padLeft(yLabels[0], labelW))+
		axis(string(runes.LineUpRight)+strings.Repeat(string(runes.LineHorizontal), gw)))
	// x labels under their ticks, each where it fits without touching the last
	var xl strings.Builder
	xl.WriteString(strings.Repeat(" ", labelW+1))
	at := 0
	for col := 0; col < gw; col += x.gap {
		label := strconv.FormatFloat(x.lo+float64(col/x.gap)*x.step, 'f', decimals(x.step), 64) + "s"
		if col < at || col+len(label) > gw {
			continue
		}
		xl.WriteString(strings.Repeat(" ", col-at) + label)
		at = col + len(label) + 1
		if at <= gw {
			xl.WriteString(" ")
		}
	}
	return append(lines, st.tick.Render(strings.TrimRight(xl.String(), " ")))
}

// dotRow draws one row of braille cells, failures over successes, styling
// each run of cells of one kind at once.
func dotRow(st styles, ok, bad []rune) string {
	const (
		blank = iota
		fine
		failed
	)
	var b, run strings.Builder
	kind := blank
	flush := func() {
		switch kind {
		case fine:
			b.WriteString(st.chart.Render(run.String()))
		case failed:
			b.WriteString(st.chartFail.Render(run.String()))
		default:
			b.WriteString(run.String())
		}
		run.Reset()
	}
	for i := range ok {
		k, r := blank, ' '
		switch {
		case bad[i] != runes.BrailleBlockOffset:
			k, r = failed, runes.CombineBraillePatterns(ok[i], bad[i])
		case ok[i] != runes.BrailleBlockOffset:
			k, r = fine, ok[i]
		}
		if k != kind {
			flush()
			kind = k
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}

// axis is a chart axis from lo to top with a label every gap cells, the
// labels step apart.
type axis struct {
	lo, top, step float64
	gap           int
}

// niceAxis picks, among label gaps (in cells) and round steps (1, 2, 2.5 or 5
// times a power of ten), the axis over cells cells whose labels fall on
// multiples of the step and whose top covers hi with the least room wasted.
func niceAxis(lo, hi float64, cells int, gaps []int) axis {
	best := axis{lo: lo, top: hi, step: hi - lo, gap: max(cells, 1)}
	waste := math.Inf(1)
	for _, g := range gaps {
		if g < 1 || g > cells {
			continue
		}
		raw := (hi - lo) * float64(g) / float64(cells)
		mag := math.Pow(10, math.Floor(math.Log10(raw)))
		for _, m := range []float64{1, 10} {
			for _, n := range []float64{1, 2, 2.5, 5} {
				step := n * m * mag
				start := math.Floor(lo/step) * step
				top := start + step*float64(cells)/float64(g)
				if top < hi || top-hi >= waste {
					continue
				}
				waste = top - hi
				best = axis{lo: start, top: top, step: step, gap: g}
			}
		}
	}
	return best
}

// decimals is how many decimals it takes to write multiples of step.
func decimals(step float64) int {
	for d := range 4 {
		f := step * math.Pow(10, float64(d))
		if math.Abs(f-math.Round(f)) < 1e-6*math.Max(1, f) {
			return d
		}
	}
	return 4
}

// latencyLabel labels the latency axis in ASCII (the chart lays labels out
// by bytes): seconds once the steps are 100 ms or more, else milliseconds.
func latencyLabel(ms, step float64) string {
	switch {
	case ms <= 0:
		return "0"
	case step >= 100:
		return strconv.FormatFloat(ms/1000, 'f', decimals(step/1000), 64) + "s"
	}
	return strconv.FormatFloat(ms, 'f', decimals(step), 64) + "ms"
}

// eighths are the partial blocks that give a bar sub-cell length.
var eighths = []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"}

// renderHistogram draws the step's latencies as horizontal bars: at most h
// rows (and 12) of equal-width bins from the fastest to the slowest request.
func renderHistogram(st styles, hist histogram, w, h int) []string {
	if h < 1 || w < 20 {
		return nil
	}
	if hist.n == 0 {
		return []string{st.dim.Render("no results in this step yet")}
	}
	bins := hist.bins(min(h, 12, hist.n))
	labels := make([]string, len(bins))
	labelW, most := 0, 0
	for i, b := range bins {
		labels[i] = binLabel(b.lo, b.hi-b.lo)
		labelW = max(labelW, lipgloss.Width(labels[i]))
		most = max(most, b.count)
	}
	countW := len(strconv.Itoa(most))
	barW := w - labelW - 2 - 1 - countW
	if barW < 4 {
		return nil
	}
	out := make([]string, 0, len(bins))
	for i, b := range bins {
		long := int(math.Round(float64(b.count) / float64(most) * float64(barW*8)))
		bar := strings.Repeat("█", long/8) + eighths[long%8]
		count := ""
		if b.count > 0 {
			count = strconv.Itoa(b.count)
			if bar == "" {
				bar = eighths[1]
			}
		}
		line := padLeft(labels[i], labelW) + st.axis.Render(" │") + st.chart.Render(bar) +
			strings.Repeat(" ", barW-lipgloss.Width(bar)) + " " + padLeft(count, countW)
		out = append(out, clip(strings.TrimRight(line, " "), w))
	}
	return out
}

// binLabel writes a bin's lower edge with enough decimals to tell it from
// the next one, width ms further.
func binLabel(lo, width float64) string {
	if lo >= 1000 {
		d := min(max(int(math.Ceil(-math.Log10(width/1000))), 1), 3)
		return strconv.FormatFloat(lo/1000, 'f', d, 64) + "s"
	}
	d := min(max(int(math.Ceil(-math.Log10(width))), 0), 2)
	return strconv.FormatFloat(lo, 'f', d, 64) + "ms"
}

// histogramTitle sums up the step's latencies in one line of at most w cells:
// the percentiles of the step's reports.Aggregate (via its Snapshot), the very
// numbers its report gives.
func histogramTitle(name string, lat reports.Latency, w int) string {
	segs := []segment{{"histogram", 9}, {name, 8}}
	if lat.N > 0 {
		segs = append(segs,
			segment{fmt.Sprintf("n=%d", lat.N), 7},
			segment{"p50 " + fmtMs(lat.P50), 6},
			segment{"p90 " + fmtMs(lat.P90), 3},
			segment{"p99 " + fmtMs(lat.P99), 5},
			segment{"max " + fmtMs(lat.Max), 4})
	}
	return fitSegments(segs, " · ", w)
}
