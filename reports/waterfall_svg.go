package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// WaterfallLane is one strategy's (one run's) waterfall of a step, as the
// renderers draw it.
type WaterfallLane struct {
	Label string
	Color string // the run's colour, for its swatch
	W     *Waterfall
}

// Colours of a waterfall's segments, shared by every lane so that one legend
// reads for all of them.
const (
	colorWait  = "#fbbf24" // waiting on the model lock
	colorLoad  = "#a78bfa" // loading the models
	colorInfer = "#1e40af" // running the model
	colorRest  = "#94a3b8" // the rest of a request: network, decoding, or no Server-Timing
	colorError = "#9f1239" // a failure that is not a timeout
)

// Layout of a waterfall, in SVG units (pixels at 100% zoom).
const (
	wfWidth      = 1200
	wfLeft       = 190 // row labels
	wfRight      = 24
	wfLaneHead   = 24
	wfLaneGap    = 16
	wfMaxRowH    = 18
	wfMinRowH    = 2
	wfLaneBudget = 380 // most height one lane's rows take
	wfBandH      = 140
	wfAxisH      = 44
	wfTop        = 52
)

// waterfallSVG draws the lanes one above the other on one shared time axis: in
// each, a row per request in send order, a bar from its send to its end split
// into wait, load and infer where the target sent Server-Timing, failures in
// red, and, where a request timed out, the client timeout as a dashed line at
// each request's deadline. A
// lane whose step sent more than MaxWaterfallSpans requests shows the requests
// in flight over time instead, and says so.
func waterfallSVG(title string, lanes []WaterfallLane) template.HTML {
	endMs := 0.0
	for _, l := range lanes {
		endMs = math.Max(endMs, l.W.EndMs)
	}
	if endMs <= 0 {
		endMs = 1
	}
	endMs *= 1.03 // room for the deadline line of the last request
	ticks := niceTicks(0, endMs, 8)
	xMax := math.Max(endMs, ticks[len(ticks)-1])
	px := func(ms float64) float64 { return wfLeft + ms/xMax*(wfWidth-wfLeft-wfRight) }

	// Heights first: a lane is its header plus its rows (or its band).
	type laneBox struct {
		top, rowH, h float64
	}
	boxes := make([]laneBox, len(lanes))
	y := float64(wfTop)
	for i, l := range lanes {
		b := laneBox{top: y}
		if l.W.Sampled() {
			b.h = wfLaneHead + wfBandH
		} else {
			n := float64(max(len(l.W.Spans), 1))
			b.rowH = math.Max(wfMinRowH, math.Min(wfMaxRowH, math.Floor(wfLaneBudget/n)))
			b.h = wfLaneHead + b.rowH*n
		}
		boxes[i] = b
		y += b.h + wfLaneGap
	}
	plotBottom := y - wfLaneGap
	height := plotBottom + wfAxisH

	var b strings.Builder
	fmt.Fprintf(&b, `<svg viewBox="0 0 %d %.0f" width="100%%" role="img" class="chart waterfall" preserveAspectRatio="xMinYMin meet">`, wfWidth, height)
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(title))
	fmt.Fprintf(&b, `<text x="%d" y="18" class="ct">%s</text>`, wfLeft, html.EscapeString(title))
	used := usedKinds(lanes)
	legendRow(&b, used, 36)

	// Grid and axis across every lane.
	for _, t := range ticks {
		x := px(t)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%.1f" class="gr"/>`, x, wfTop-4, x, plotBottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tl" text-anchor="middle">%s</text>`, x, plotBottom+16, fmtAxisMs(t, xMax))
	}
	fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="ax"/>`, wfLeft, plotBottom, wfWidth-wfRight, plotBottom)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="al" text-anchor="middle">time since the step's first request was sent</text>`,
		(px(0)+px(xMax))/2, plotBottom+36)

	for i, l := range lanes {
		box := boxes[i]
		w := l.W
		fmt.Fprintf(&b, `<rect x="8" y="%.1f" width="10" height="10" fill="%s"/>`, box.top+5, l.Color)
		fmt.Fprintf(&b, `<text x="24" y="%.1f" class="lh">%s</text>`, box.top+15, html.EscapeString(l.Label))
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" class="tl">%s</text>`, wfLeft, box.top+15, html.EscapeString(laneCaption(w)))
		top := box.top + wfLaneHead
		if w.Sampled() {
			drawBand(&b, w, px, top, wfBandH)
			continue
		}
		deadline := 0.0 // each request's deadline is drawn where some request reached its own
		if timedOut(w) {
			deadline = w.TimeoutMs
		}
		for j := range w.Spans {
			drawSpan(&b, j, &w.Spans[j], deadline, xMax, px, top+float64(j)*box.rowH, box.rowH)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) //nolint:gosec // built from numbers and escaped text only
}

// timedOut reports whether any of the lane's requests timed out.
func timedOut(w *Waterfall) bool {
	for i := range w.Spans {
		if w.Spans[i].Outcome == Timeout.String() {
			return true
		}
	}
	return false
}

// laneCaption sums a lane up, saying when it shows the band rather than every
// request.
func laneCaption(w *Waterfall) string {
	failed, timeouts := 0, 0
	for _, s := range w.Spans {
		if s.Failed() {
			failed++
			if s.Outcome == Timeout.String() {
				timeouts++
			}
		}
	}
	parts := []string{plural(w.Requests, "request", "requests")}
	if w.Sampled() {
		parts = append(parts, fmt.Sprintf("more than %d, so requests in flight over time instead of one row each", MaxWaterfallSpans))
	} else if failed > 0 {
		parts = append(parts, fmt.Sprintf("%d failed (%d timeouts)", failed, timeouts))
	}
	parts = append(parts, "last ended at "+fmtMs(w.EndMs))
	if w.TimeoutMs > 0 {
		parts = append(parts, "client timeout "+fmtMs(w.TimeoutMs))
	}
	return strings.Join(parts, " · ")
}

// segment kinds, in drawing order along a bar.
type spanKind int

const (
	kindWait spanKind = iota
	kindLoad
	kindInfer
	kindRest
	kindTimeout
	kindError
	kindOpen // sent, no answer yet (the live view only)
	numKinds
)

var kindNames = [numKinds]string{"wait on the lock", "model load", "infer", "rest (no Server-Timing split)", "timeout", "error", "in flight"}
var kindColors = [numKinds]string{colorWait, colorLoad, colorInfer, colorRest, colorFail, colorError, colorMuted}

// piece is one stretch of a span drawn in one kind.
type piece struct {
	kind     spanKind
	from, to float64 // ms on the step's axis
}

// pieces splits a span into what its bar shows, in order from its send: wait,
// load and infer from Server-Timing (each cut to the request's own latency),
// then the rest; a failure is one piece.
func pieces(s *Span) []piece {
	start, end := s.StartMs, s.EndMs()
	switch {
	case s.Outcome == InFlight:
		return []piece{{kindOpen, start, end}}
	case s.Outcome == Timeout.String():
		return []piece{{kindTimeout, start, end}}
	case s.Failed():
		return []piece{{kindError, start, end}}
	case s.Timing == nil:
		return []piece{{kindRest, start, end}}
	}
	var out []piece
	at := start
	for _, p := range []struct {
		k  spanKind
		ms float64
	}{{kindWait, s.Timing.WaitMs}, {kindLoad, s.Timing.LoadMs}, {kindInfer, s.Timing.InferMs}} {
		to := math.Min(at+p.ms, end)
		if to > at {
			out = append(out, piece{p.k, at, to})
			at = to
		}
	}
	if end > at {
		out = append(out, piece{kindRest, at, end})
	}
	return out
}

// usedKinds lists the kinds any lane draws, for the legend.
func usedKinds(lanes []WaterfallLane) []spanKind {
	var seen [numKinds]bool
	for _, l := range lanes {
		for i := range l.W.Spans {
			for _, p := range pieces(&l.W.Spans[i]) {
				seen[p.kind] = true
			}
		}
	}
	var out []spanKind
	for k := range numKinds {
		if seen[k] {
			out = append(out, k)
		}
	}
	return out
}

func legendRow(b *strings.Builder, kinds []spanKind, y float64) {
	x := float64(wfLeft)
	for _, k := range kinds {
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`, x, y-10, kindColors[k])
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="tl">%s</text>`, x+16, y, kindNames[k])
		x += 16 + float64(len(kindNames[k]))*7 + 18
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`, x, y-12, x, y+2, colorFail)
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" class="tl">client timeout (each request's deadline)</text>`, x+6, y)
}

func drawSpan(b *strings.Builder, i int, s *Span, timeoutMs, xMax float64, px func(float64) float64, y, rowH float64) {
	barH := math.Max(1, rowH-math.Min(4, rowH/4))
	if rowH >= 10 {
		fmt.Fprintf(b, `<text x="%d" y="%.1f" class="rl" text-anchor="end">#%d %s %s</text>`,
			wfLeft-8, y+barH-2, i+1, s.Outcome, fmtMs(s.Ms))
	}
	tip := spanTip(i, s)
	fmt.Fprintf(b, `<g><title>%s</title>`, html.EscapeString(tip))
	for _, p := range pieces(s) {
		x0, x1 := px(p.from), px(p.to)
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`,
			x0, y, math.Max(x1-x0, 1.5), barH, kindColors[p.kind])
	}
	b.WriteString(`</g>`)
	if timeoutMs > 0 && s.StartMs+timeoutMs <= xMax {
		x := px(s.StartMs + timeoutMs)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="4 3"/>`,
			x, y-1, x, y+rowH, colorFail)
	}
}

func spanTip(i int, s *Span) string {
	t := fmt.Sprintf("#%d %s: sent at %s, took %s", i+1, s.Outcome, fmtMs(s.StartMs), fmtMs(s.Ms))
	if s.Timing != nil {
		t += fmt.Sprintf(" (wait %s, load %s, infer %s)", fmtMs(s.Timing.WaitMs), fmtMs(s.Timing.LoadMs), fmtMs(s.Timing.InferMs))
	}
	return t
}

// drawBand draws the requests in flight over time as an area, with the
// failures that ended in each bucket as red ticks under it.
func drawBand(b *strings.Builder, w *Waterfall, px func(float64) float64, top, h float64) {
	peak := 1.0
	for _, v := range w.Band.InFlight {
		peak = math.Max(peak, v)
	}
	base := top + h - 10
	py := func(v float64) float64 { return base - v/peak*(h-24) }
	var pts []string
	pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(0), base))
	for i, v := range w.Band.InFlight {
		x0, x1 := px(float64(i)*w.Band.BucketMs), px(math.Min(float64(i+1)*w.Band.BucketMs, w.EndMs))
		pts = append(pts, fmt.Sprintf("%.1f,%.1f %.1f,%.1f", x0, py(v), x1, py(v)))
	}
	pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(w.EndMs), base))
	fmt.Fprintf(b, `<polygon points="%s" fill="%s" fill-opacity="0.8"><title>mean requests in flight per %s</title></polygon>`,
		strings.Join(pts, " "), colorRest, fmtMs(w.Band.BucketMs))
	fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" class="gr"/>`, wfLeft, py(peak), wfWidth-wfRight, py(peak))
	fmt.Fprintf(b, `<text x="%d" y="%.1f" class="tl" text-anchor="end">%s in flight</text>`, wfLeft-8, py(peak)+4, fmtNum(math.Round(peak*10)/10))
	fmt.Fprintf(b, `<text x="%d" y="%.1f" class="tl" text-anchor="end">0</text>`, wfLeft-8, base+4)
	for i, n := range w.Band.Failed {
		if n == 0 {
			continue
		}
		x0 := px(float64(i) * w.Band.BucketMs)
		x1 := px(math.Min(float64(i+1)*w.Band.BucketMs, w.EndMs))
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="6" fill="%s"><title>%d failed</title></rect>`,
			x0, base+2, math.Max(x1-x0, 1.5), colorFail, n)
	}
}

// fmtAxisMs labels a time tick: milliseconds on a short axis, seconds otherwise.
func fmtAxisMs(ms, span float64) string {
	if span < 2000 {
		return fmtNum(ms) + "ms"
	}
	return fmtNum(ms/1000) + "s"
}
