package reports

import (
	"fmt"
	"math"
	"strings"
)

// Size of the text waterfalls in report.md: columns of the time axis, and rows
// per strategy before consecutive requests share a row.
const (
	mdWaterfallWidth = 64
	mdWaterfallRows  = 24
)

// mdWaterfalls writes each step's waterfall as a text chart in a code block,
// which a CI job summary shows in a monospaced font: every strategy's requests
// on one time axis, in the glyphs of the legend under it.
func mdWaterfalls(b *strings.Builder, runs []Run) {
	header := false
	for _, name := range stepNames(runs) {
		var lanes []WaterfallLane
		mode := ""
		for i := range runs {
			if s := runs[i].StepNamed(name); s != nil && s.Waterfall != nil {
				lanes = append(lanes, WaterfallLane{Label: runs[i].Label(), W: s.Waterfall})
				mode = s.Mode
			}
		}
		if len(lanes) == 0 {
			continue
		}
		if !header {
			b.WriteString("\n### Request waterfalls\n\n_One row per request in send order, from its send to its answer, the strategies on one time axis._\n")
			header = true
		}
		fmt.Fprintf(b, "\n**%s** (%s)\n\n```text\n", mdCell(name), mode)
		b.WriteString(textWaterfall(lanes, mdWaterfallWidth, mdWaterfallRows))
		b.WriteString("```\n")
	}
}

// textWaterfall renders lanes as plain text lines: an axis, then per lane its
// caption and its rows (or its in-flight band), then the legend.
func textWaterfall(lanes []WaterfallLane, width, maxRows int) string {
	endMs := 0.0
	for _, l := range lanes {
		endMs = math.Max(endMs, l.W.EndMs)
	}
	cellMs := math.Max(endMs*1.03, 1) / float64(width)
	type laneRows struct {
		rows   []TextRow
		perRow int
	}
	laid := make([]laneRows, len(lanes))
	labelW := len("in flight")
	var all []TextRow
	for i, l := range lanes {
		if l.W.Sampled() {
			continue
		}
		deadline := 0.0 // as in the HTML: drawn where some request reached its own
		if timedOut(l.W) {
			deadline = l.W.TimeoutMs
		}
		rows, per := TextRows(l.W.Spans, deadline, cellMs, width, maxRows)
		laid[i] = laneRows{rows, per}
		all = append(all, rows...)
		for _, r := range rows {
			labelW = max(labelW, len([]rune(r.Label)))
		}
	}
	indent := strings.Repeat(" ", labelW+3)
	var b strings.Builder
	b.WriteString(indent + TextAxis(cellMs, width) + "\n")
	for i, l := range lanes {
		b.WriteString(l.Label + ": " + laneCaption(l.W))
		if laid[i].perRow > 1 {
			fmt.Fprintf(&b, " · %d requests a row", laid[i].perRow)
		}
		b.WriteString("\n")
		if l.W.Sampled() {
			cols := bandColumns(&l.W.Band, cellMs, width)
			top := 0.0
			for _, v := range cols {
				top = math.Max(top, v)
			}
			fmt.Fprintf(&b, "  %-*s %s  (mean, at most %.1f)\n", labelW, "in flight", Sparkline(cols, top, width), top)
			continue
		}
		for _, r := range laid[i].rows {
			fmt.Fprintf(&b, "  %-*s %s\n", labelW, r.Label, strings.TrimRight(cellsText(r.Cells), " "))
		}
	}
	if legend := CellLegend(all); legend != "" {
		b.WriteString(legend + "\n")
	}
	return b.String()
}

func cellsText(cells []Cell) string {
	var b strings.Builder
	for _, c := range cells {
		b.WriteString(c.Glyph())
	}
	return b.String()
}

// bandColumns resamples a band to width columns of cellMs each, by the mean.
func bandColumns(band *Band, cellMs float64, width int) []float64 {
	out := make([]float64, width)
	if band.BucketMs <= 0 {
		return out
	}
	for c := range out {
		lo, hi := float64(c)*cellMs, float64(c+1)*cellMs
		sum, n := 0.0, 0
		for i := int(lo / band.BucketMs); i < len(band.InFlight) && float64(i)*band.BucketMs < hi; i++ {
			sum += band.InFlight[i]
			n++
		}
		if n > 0 {
			out[c] = sum / float64(n)
		}
	}
	return out
}
