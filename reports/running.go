package reports

import (
	"math"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The latency histogram of every step and level: microseconds of successful
// requests, from 1 µs to an hour, three significant digits. Saved reports carry
// it encoded (HistogramHDR), so steps of reports from several machines merge
// exactly: decode each with DecodeLatencyHistogram, Merge, read the percentiles.
const (
	histLowestUs  = 1
	histHighestUs = int64(time.Hour / time.Microsecond)
	histSigFigs   = 3
)

// NewLatencyHistogram returns an empty histogram with the geometry every step uses.
func NewLatencyHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(histLowestUs, histHighestUs, histSigFigs)
}

// EncodeLatencyHistogram returns h in hdrhistogram-go's V2 compressed, base64
// form, the value of a step's histogram_hdr.
func EncodeLatencyHistogram(h *hdrhistogram.Histogram) string {
	b, err := h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "" // only an unknown encoding version fails
	}
	return string(b)
}

// DecodeLatencyHistogram reads a histogram_hdr value back.
func DecodeLatencyHistogram(s string) (*hdrhistogram.Histogram, error) {
	return hdrhistogram.Decode([]byte(s))
}

// recordLatency adds one successful request's latency to h.
func recordLatency(h *hdrhistogram.Histogram, d time.Duration) {
	_ = h.RecordValue(min(max(d.Microseconds(), histLowestUs), h.HighestTrackableValue()))
}

// LatencyOf reads the percentiles of h, in milliseconds. HdrHistogram answers
// with the top of a value's bucket (within 0.1%): no percentile is reported
// above maxMs, the slowest request actually seen; meanMs is the exact mean.
func LatencyOf(h *hdrhistogram.Histogram, meanMs, maxMs float64) Latency {
	n := int(h.TotalCount())
	if n == 0 {
		return Latency{}
	}
	q := func(p float64) float64 { return math.Min(float64(h.ValueAtQuantile(p))/1000, maxMs) }
	return Latency{P50: q(50), P90: q(90), P99: q(99), Max: maxMs, Mean: round3(meanMs), N: n}
}

// Aggregate is the running numbers of one step or sweep level, built as its
// results arrive (vegeta's Metrics shape): Add each result with its outcome once,
// read the numbers at any time. It is the one store of a step's counts, latency
// percentiles (its HDR histogram) and Server-Timing means: the runner fills it
// live for the dashboard and hands it to Build in StepInput.Aggregate, and Build
// fills one from the results when it reads a saved file. Not safe for
// concurrent use.
type Aggregate struct {
	Requests  int
	ByOutcome [NumOutcomes]int
	hist      *hdrhistogram.Histogram
	sumMs     float64
	maxMs     float64
	server    ServerMs // sums until read
}

// NewAggregate returns an empty Aggregate.
func NewAggregate() *Aggregate { return &Aggregate{hist: NewLatencyHistogram()} }

// Add counts one result whose outcome was decided by ClassifyLive or Classify.
func (a *Aggregate) Add(r *vegeta.Result, o Outcome) {
	a.Requests++
	if o >= 0 && int(o) < NumOutcomes {
		a.ByOutcome[o]++
	}
	if o != OK {
		return
	}
	recordLatency(a.hist, r.Latency)
	ms := millis(r.Latency)
	a.sumMs += ms
	a.maxMs = max(a.maxMs, ms)
	if timing := ParseServerTiming(r.Headers.Values("Server-Timing")); timing.Have {
		a.server.Wait += timing.WaitMs
		a.server.Load += timing.LoadMs
		a.server.Infer += timing.InferMs
		a.server.N++
	}
}

// OK, Timeouts, Cancelled and Errors count the results by class; Errors is every
// failure that is not a timeout.
func (a *Aggregate) OK() int        { return a.ByOutcome[OK] }
func (a *Aggregate) Timeouts() int  { return a.ByOutcome[Timeout] }
func (a *Aggregate) Cancelled() int { return a.ByOutcome[Cancelled] }
func (a *Aggregate) Errors() int    { return a.Requests - a.OK() - a.Timeouts() - a.Cancelled() }

// ErrorsBy counts the failures that are not timeouts by class.
func (a *Aggregate) ErrorsBy() ErrorCounts {
	return ErrorCounts{Refused: a.ByOutcome[Refused], Client4xx: a.ByOutcome[Client4xx],
		Server5xx: a.ByOutcome[Server5xx], Other: a.ByOutcome[OtherErr]}
}

// Latency returns the successful requests' latency statistics so far.
func (a *Aggregate) Latency() Latency {
	if a.OK() == 0 {
		return Latency{}
	}
	return LatencyOf(a.hist, a.sumMs/float64(a.OK()), a.maxMs)
}

// Server returns the Server-Timing means so far, nil when no success carried it.
func (a *Aggregate) Server() *ServerMs {
	m, ok := a.ServerMeans()
	if !ok {
		return nil
	}
	return &m
}

// ServerMeans is Server without an allocation, for a live view: ok is false
// when no success carried Server-Timing.
func (a *Aggregate) ServerMeans() (ServerMs, bool) {
	if a.server.N == 0 {
		return ServerMs{}, false
	}
	n := float64(a.server.N)
	return ServerMs{Wait: round3(a.server.Wait / n), Load: round3(a.server.Load / n), Infer: round3(a.server.Infer / n), N: a.server.N}, true
}

// HistogramHDR returns the latency histogram encoded ("" when nothing succeeded).
func (a *Aggregate) HistogramHDR() string {
	if a.OK() == 0 {
		return ""
	}
	return EncodeLatencyHistogram(a.hist)
}

// aggregateOf returns the runner's aggregate when it made one, else one built
// from the results (a saved file).
func aggregateOf(given *Aggregate, results []vegeta.Result) *Aggregate {
	if given != nil {
		return given
	}
	a := NewAggregate()
	for i := range results {
		a.Add(&results[i], Classify(&results[i]))
	}
	return a
}
