package reports

import (
	"math"
	"sort"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// Bounds on what a step's waterfall keeps, whatever the step's size.
const (
	// MaxWaterfallSpans is the most requests a waterfall keeps one by one. A step
	// that sent more keeps only its in-flight band: a few hundred bars are the
	// most a page (or a terminal) can show apart anyway.
	MaxWaterfallSpans = 200
	// WaterfallBandBuckets is the number of time buckets of the in-flight band.
	WaterfallBandBuckets = 240
	// firstBucketMs is the band's first bucket width; it doubles as the step
	// grows, so the band stays WaterfallBandBuckets long.
	firstBucketMs = 5.0
)

// Waterfall is a step's requests laid out on the step's time axis: every
// request as a span from its send to its completion when the step sent at most
// MaxWaterfallSpans, and always the number of requests in flight over time.
// Times are milliseconds from the step's start (its first request's send).
type Waterfall struct {
	// Requests counts every request the step sent that completed or failed
	// (cancelled ones are left out: they say nothing about the target).
	Requests int `json:"requests"`
	// TimeoutMs is the client timeout, absent when unknown.
	TimeoutMs float64 `json:"timeout_ms,omitempty"`
	// EndMs is when the last request ended.
	EndMs float64 `json:"end_ms"`
	// Spans are the requests in send order; absent when there were more than
	// MaxWaterfallSpans (then Band is the picture).
	Spans []Span `json:"spans,omitempty"`
	// Band is the mean number of requests in flight per time bucket.
	Band Band `json:"band"`
}

// Sampled reports whether the waterfall holds only the band, not every request.
func (w *Waterfall) Sampled() bool { return w.Requests > len(w.Spans) }

// Span is one request on a waterfall. Wait, load and infer are the target's
// Server-Timing (absent when the response carried none, always for a failure):
// the time the request waited on the model lock, loaded models, and ran the
// model, drawn in that order from the send.
type Span struct {
	StartMs float64 `json:"start_ms"`
	Ms      float64 `json:"ms"`
	// Outcome is the request's class: "ok", "timeout", "refused", "4xx", "5xx" or "other".
	Outcome string      `json:"outcome"`
	Timing  *SpanTiming `json:"timing,omitempty"`
}

// SpanTiming is the Server-Timing split of one request, in milliseconds.
type SpanTiming struct {
	WaitMs  float64 `json:"wait"`
	LoadMs  float64 `json:"load"`
	InferMs float64 `json:"infer"`
}

// InFlight is the Outcome of a span the live view draws for a request sent and
// not answered yet; saved reports never hold one.
const InFlight = "in flight"

// OpenSpan is a request sent at startMs and still unanswered at nowMs.
func OpenSpan(startMs, nowMs float64) Span {
	return Span{StartMs: startMs, Ms: math.Max(0, nowMs-startMs), Outcome: InFlight}
}

// EndMs is when the span's request ended.
func (s *Span) EndMs() float64 { return s.StartMs + s.Ms }

// Failed reports whether the span's request failed (not a success, and not
// still in flight).
func (s *Span) Failed() bool { return s.Outcome != OK.String() && s.Outcome != InFlight }

// Band is the number of requests in flight over a step: InFlight[i] is the mean
// over [i*BucketMs, (i+1)*BucketMs); Failed[i] counts the failures that ended in
// that bucket (absent when none failed).
type Band struct {
	BucketMs float64   `json:"bucket_ms"`
	InFlight []float64 `json:"in_flight"`
	Failed   []int     `json:"failed,omitempty"`
}

// SpanOf turns one result, whose outcome was decided by ClassifyLive or
// Classify, into a span on the axis starting at origin, and reports whether the
// result belongs on a waterfall (a cancelled request does not). It is the one
// place a result becomes a span, for the reports and the dashboard alike.
func SpanOf(r *vegeta.Result, o Outcome, origin time.Time) (Span, bool) {
	if o == Cancelled {
		return Span{}, false
	}
	sp := Span{
		StartMs: round3(math.Max(0, millis(r.Timestamp.Sub(origin)))),
		Ms:      round3(millis(r.Latency)),
		Outcome: o.String(),
	}
	if o == OK {
		if st := ParseServerTiming(r.Headers.Values("Server-Timing")); st.Have {
			sp.Timing = &SpanTiming{WaitMs: round3(st.WaitMs), LoadMs: round3(st.LoadMs), InferMs: round3(st.InferMs)}
		}
	}
	return sp, true
}

// WaterfallBuilder collects a step's spans as its results arrive, in bounded
// memory: at most MaxWaterfallSpans spans and WaterfallBandBuckets buckets.
// The zero value is not usable; call NewWaterfallBuilder.
type WaterfallBuilder struct {
	origin  time.Time
	timeout time.Duration
	n       int
	endMs   float64
	spans   []Span
	// bucket sums of in-flight time (ms of requests in flight per bucket) and
	// failures by end bucket
	busy   []float64
	failed []int
	width  float64
}

// NewWaterfallBuilder starts the waterfall of a step that started at origin
// (its first send) and ran with the given client timeout (0: unknown).
func NewWaterfallBuilder(origin time.Time, timeout time.Duration) *WaterfallBuilder {
	return &WaterfallBuilder{
		origin: origin, timeout: timeout, width: firstBucketMs,
		busy: make([]float64, WaterfallBandBuckets), failed: make([]int, WaterfallBandBuckets),
	}
}

// Add records one result with its outcome, in any order.
func (b *WaterfallBuilder) Add(r *vegeta.Result, o Outcome) {
	sp, ok := SpanOf(r, o, b.origin)
	if !ok {
		return
	}
	b.AddSpan(sp)
}

// AddSpan records one span.
func (b *WaterfallBuilder) AddSpan(sp Span) {
	b.n++
	end := sp.EndMs()
	b.endMs = math.Max(b.endMs, end)
	for end >= b.width*WaterfallBandBuckets {
		b.widen()
	}
	for i := int(sp.StartMs / b.width); i < WaterfallBandBuckets && float64(i)*b.width < end; i++ {
		lo, hi := float64(i)*b.width, float64(i+1)*b.width
		b.busy[i] += math.Max(0, math.Min(hi, end)-math.Max(lo, sp.StartMs))
	}
	if sp.Failed() {
		b.failed[min(int(end/b.width), WaterfallBandBuckets-1)]++
	}
	if b.n <= MaxWaterfallSpans {
		b.spans = append(b.spans, sp)
		return
	}
	b.spans = nil // too many to keep one by one: the band is the picture
}

// widen doubles the bucket width, merging neighbouring buckets.
func (b *WaterfallBuilder) widen() {
	for i := range WaterfallBandBuckets / 2 {
		b.busy[i] = b.busy[2*i] + b.busy[2*i+1]
		b.failed[i] = b.failed[2*i] + b.failed[2*i+1]
	}
	for i := WaterfallBandBuckets / 2; i < WaterfallBandBuckets; i++ {
		b.busy[i], b.failed[i] = 0, 0
	}
	b.width *= 2
}

// Waterfall returns what was collected, the spans in send order.
func (b *WaterfallBuilder) Waterfall() *Waterfall {
	w := &Waterfall{Requests: b.n, TimeoutMs: round3(millis(b.timeout)), EndMs: round3(b.endMs)}
	if b.spans != nil {
		w.Spans = append([]Span(nil), b.spans...)
		sort.SliceStable(w.Spans, func(i, j int) bool { return w.Spans[i].StartMs < w.Spans[j].StartMs })
	}
	used := min(int(math.Ceil(b.endMs/b.width)), WaterfallBandBuckets)
	w.Band = Band{BucketMs: b.width, InFlight: make([]float64, used)}
	anyFailed := false
	for i := range used {
		w.Band.InFlight[i] = round3(b.busy[i] / b.width)
		anyFailed = anyFailed || b.failed[i] > 0
	}
	if anyFailed {
		w.Band.Failed = append([]int(nil), b.failed[:used]...)
	}
	return w
}

// buildWaterfall is a step's waterfall from its results ordered by start.
func buildWaterfall(results []vegeta.Result, timeout time.Duration) *Waterfall {
	if len(results) == 0 {
		return nil
	}
	b := NewWaterfallBuilder(results[0].Timestamp, timeout)
	for i := range results {
		b.Add(&results[i], Classify(&results[i])) // as aggregateOf counts them
	}
	if b.n == 0 {
		return nil
	}
	return b.Waterfall()
}
