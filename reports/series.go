package reports

import (
	"math"

	vegeta "github.com/tsenart/vegeta/v12/lib"
	"github.com/tsenart/vegeta/v12/lib/lttb"
)

// timeline downsamples a step's results (ordered by start) into its latency
// timeline: successful requests through LTTB, failures evenly sampled.
func timeline(results []vegeta.Result) Timeline {
	tl := Timeline{OK: []Point{}}
	if len(results) == 0 {
		return tl
	}
	start := results[0].Timestamp
	var ok []lttb.Point
	var failed []FailedPoint
	for i := range results {
		r := &results[i]
		t := r.Timestamp.Sub(start).Seconds()
		o := Classify(r)
		if o == Cancelled {
			continue // stopped by the user: it says nothing about the target
		}
		if o != OK {
			failed = append(failed, FailedPoint{T: round3(t), Ms: round3(millis(r.Latency)), Outcome: o.String()})
			continue
		}
		ok = append(ok, lttb.Point{X: t, Y: millis(r.Latency)})
	}
	tl.Failed = evenly(failed, maxFailedPoints)
	budget := MaxTimelinePoints - len(tl.Failed)
	pos := 0
	points, err := lttb.Downsample(len(ok), budget, func(n int) ([]lttb.Point, error) {
		end := min(pos+n, len(ok))
		chunk := ok[pos:end]
		pos = end
		return chunk, nil
	})
	if err != nil { // only for a budget under 3, which the constants rule out
		points = evenly(ok, budget)
	}
	for _, p := range points {
		tl.OK = append(tl.OK, Point{T: round3(p.X), Ms: round3(p.Y)})
	}
	return tl
}

// evenly keeps at most n items, spread evenly and keeping the first and last.
func evenly[T any](items []T, n int) []T {
	if len(items) <= n {
		return items
	}
	if n <= 1 {
		return items[:n]
	}
	out := make([]T, 0, n)
	for i := range n {
		out = append(out, items[i*(len(items)-1)/(n-1)])
	}
	return out
}

// histogram bins the successful latencies into HistogramBins equal-width bins
// from the fastest to the slowest request.
func histogram(results []vegeta.Result) Histogram {
	h := Histogram{Bins: []Bin{}}
	lo, hi := math.Inf(1), math.Inf(-1)
	for i := range results {
		switch Classify(&results[i]) {
		case OK:
			ms := millis(results[i].Latency)
			lo, hi = math.Min(lo, ms), math.Max(hi, ms)
		case Timeout:
			h.Timeouts++
		case Cancelled: // neither a latency nor a failure
		default:
			h.Errors++
		}
	}
	if math.IsInf(lo, 1) {
		return h
	}
	lo, hi = math.Floor(lo), math.Ceil(hi)
	if hi <= lo {
		hi = lo + 1
	}
	width := (hi - lo) / HistogramBins
	for i := range HistogramBins {
		h.Bins = append(h.Bins, Bin{LoMs: round3(lo + float64(i)*width), HiMs: round3(lo + float64(i+1)*width)})
	}
	for i := range results {
		if Classify(&results[i]) != OK {
			continue
		}
		b := int((millis(results[i].Latency) - lo) / width)
		h.Bins[min(max(b, 0), HistogramBins-1)].N++
	}
	return h
}
