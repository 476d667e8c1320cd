package tui

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
)

// maxFlightSamples bounds the in-flight samples kept for a step's band.
const maxFlightSamples = 512

// waterfall is the current step's requests as the waterfall view draws them:
// the completed ones as spans (the first reports.MaxWaterfallSpans), those in
// flight from the last Progress event, and the in-flight count at each tick.
type waterfall struct {
	spans   []reports.Span // completed, in the order they completed
	done    int            // every completed request, kept or not
	sent    []time.Time    // send times of the requests in flight at the last Progress
	flight  []float64      // in flight at each Progress, the latest maxFlightSamples
	timeout time.Duration
}

// add records one completed request on the axis starting at origin, and drops
// it from the in-flight list (the transport's send time is the result's start).
func (w *waterfall) add(r *vegeta.Result, o reports.Outcome, origin time.Time) {
	if i := slices.IndexFunc(w.sent, r.Timestamp.Equal); i >= 0 {
		w.sent = slices.Delete(slices.Clone(w.sent), i, i+1)
	}
	sp, ok := reports.SpanOf(r, o, origin)
	if !ok {
		return
	}
	w.done++
	if len(w.spans) < reports.MaxWaterfallSpans {
		w.spans = append(w.spans, sp)
	}
}

// progress records a Progress event's requests in flight.
func (w *waterfall) progress(sent []time.Time, inFlight int) {
	w.sent = sent
	w.flight = append(w.flight, float64(inFlight))
	if n := len(w.flight) - maxFlightSamples; n > 0 {
		w.flight = append(w.flight[:0:0], w.flight[n:]...)
	}
}

// waterfallInfo is what renderWaterfall draws.
type waterfallInfo struct {
	title   string
	spans   []reports.Span // completed and in flight, in send order
	done    int            // completed requests, kept as spans or not
	open    int            // requests in flight among spans
	nowMs   float64
	timeout time.Duration
	flight  []float64
	running bool
}

// info lays the waterfall out for drawing at now, on the axis from origin.
func (w waterfall) info(title string, origin, now time.Time, running bool) waterfallInfo {
	wi := waterfallInfo{title: title, done: w.done, timeout: w.timeout, flight: w.flight, running: running}
	wi.spans = slices.Clone(w.spans)
	if running {
		wi.nowMs = msSince(origin, now)
		for _, t := range w.sent {
			wi.spans = append(wi.spans, reports.OpenSpan(msSince(origin, t), wi.nowMs))
			wi.open++
		}
	}
	slices.SortStableFunc(wi.spans, func(a, b reports.Span) int { return cmp.Compare(a.StartMs, b.StartMs) })
	return wi
}

func msSince(origin, t time.Time) float64 {
	return math.Max(0, float64(t.Sub(origin))/float64(time.Millisecond))
}

// renderWaterfall draws a step's requests, one row each in send order, as
// block characters on one time axis: the title, the axis, the rows (several
// requests a row when they do not fit h), and the legend. Past
// reports.MaxWaterfallSpans completed requests it draws the in-flight count
// over the step instead, and says so.
func renderWaterfall(st styles, wi waterfallInfo, w, h int) []string {
	if h < 1 {
		return nil
	}
	lines := []string{st.head.Render(clip(wi.title, w))}
	if len(wi.spans) == 0 && wi.done == 0 {
		return append(lines, st.dim.Render(clip("no requests sent yet", w)))
	}
	if wi.done > len(wi.spans)-wi.open {
		peak := 0.0
		for _, v := range wi.flight {
			peak = math.Max(peak, v)
		}
		now := 0.0
		if n := len(wi.flight); n > 0 {
			now = wi.flight[n-1]
		}
		lines = append(lines,
			st.dim.Render(clip(fmt.Sprintf("%d requests: more than %d, so requests in flight over time (one character a tick, at most %.0f):",
				wi.done, reports.MaxWaterfallSpans, peak), w)),
			st.bar.Render(reports.Sparkline(lastN(wi.flight, w), peak, min(w, len(wi.flight)))),
			fmt.Sprintf("in flight now %.0f", now))
		return limitLines(lines, h)
	}

	maxRows := max(h-3, 1)
	labelW := 0
	labels, _ := reports.TextRows(wi.spans, 0, 1, 1, maxRows) // the labels do not depend on the width
	for _, r := range labels {
		labelW = max(labelW, lipgloss.Width(r.Label))
	}
	labelW = min(labelW, max(w/3, 8))
	barW := w - labelW - 1
	if barW < 4 {
		return limitLines(lines, h)
	}
	endMs := wi.nowMs
	for i := range wi.spans {
		endMs = math.Max(endMs, wi.spans[i].EndMs())
	}
	cellMs := math.Max(endMs*1.03, 1) / float64(barW)
	timeoutMs := float64(wi.timeout) / float64(time.Millisecond)
	rows, per := reports.TextRows(wi.spans, timeoutMs, cellMs, barW, maxRows)
	lines = append(lines, strings.Repeat(" ", labelW+1)+st.axis.Render(reports.TextAxis(cellMs, barW)))
	for _, r := range rows {
		lines = append(lines, pad(clip(r.Label, labelW), labelW)+" "+styledCells(st, r.Cells))
	}
	legend := reports.CellLegend(rows)
	if per > 1 {
		legend = fmt.Sprintf("%d requests a row · ", per) + legend
	}
	lines = append(lines, st.dim.Render(clip(legend, w)))
	return limitLines(lines, h)
}

// styledCells draws cells as glyphs, each run of one kind in its style.
func styledCells(st styles, cells []reports.Cell) string {
	end := len(cells)
	for end > 0 && cells[end-1] == reports.CellEmpty {
		end--
	}
	var b strings.Builder
	for i := 0; i < end; {
		j := i
		for j < end && cells[j] == cells[i] {
			j++
		}
		b.WriteString(cellStyle(st, cells[i]).Render(strings.Repeat(cells[i].Glyph(), j-i)))
		i = j
	}
	return b.String()
}

func cellStyle(st styles, c reports.Cell) lipgloss.Style {
	switch c {
	case reports.CellWait:
		return st.wait
	case reports.CellLoad:
		return st.load
	case reports.CellInfer:
		return st.infer
	case reports.CellTimeout, reports.CellDeadline:
		return st.timeout
	case reports.CellError:
		return st.errs
	case reports.CellOpen:
		return st.bar
	case reports.CellRest:
		return st.dim
	}
	return lipgloss.NewStyle()
}

func lastN(v []float64, n int) []float64 {
	if len(v) > n {
		return v[len(v)-n:]
	}
	return v
}

// limitLines keeps the first h lines.
func limitLines(lines []string, h int) []string {
	if len(lines) > h {
		return lines[:h]
	}
	return lines
}
