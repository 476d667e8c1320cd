package tui

import "math"

// latencyPoints bounds the latency chart's memory: the latest points of a run.
const latencyPoints = 4096

// point is one completed request on the latency chart: when it was sent
// (seconds since its run started) and how long it took (ms).
type point struct {
	at, ms float64
	failed bool
}

// ring keeps the latest latencyPoints points; older ones are overwritten.
type ring struct {
	buf  []point
	next int // where the next point goes once buf is full
}

func (r *ring) push(p point) {
	if len(r.buf) < latencyPoints {
		r.buf = append(r.buf, p)
		return
	}
	r.buf[r.next] = p
	r.next = (r.next + 1) % len(r.buf)
}

// points returns the kept points, oldest first, in a fresh slice.
func (r ring) points() []point {
	out := make([]point, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}

// The histogram's fixed log-spaced buckets: histPerDoubling per doubling from
// histBaseMs, enough to reach about an hour. Memory stays fixed however many
// results a step has; values are known to within about 4%.
const (
	histPerDoubling = 16
	histBaseMs      = 0.05
	histBuckets     = histPerDoubling * 26
)

// histogram counts one step's latencies (ms).
type histogram struct {
	counts   [histBuckets]int
	n        int
	min, max float64
}

func bucketOf(ms float64) int {
	if ms <= histBaseMs {
		return 0
	}
	i := int(math.Log2(ms/histBaseMs) * histPerDoubling)
	return min(max(i, 0), histBuckets-1)
}

// bucketMid is the geometric middle of bucket i.
func bucketMid(i int) float64 {
	return histBaseMs * math.Exp2((float64(i)+0.5)/histPerDoubling)
}

func (h *histogram) add(ms float64) {
	if ms < 0 || math.IsNaN(ms) {
		return
	}
	if h.n == 0 || ms < h.min {
		h.min = ms
	}
	if ms > h.max {
		h.max = ms
	}
	h.counts[bucketOf(ms)]++
	h.n++
}

// bin is one bar of the histogram view: the count in [lo, hi) ms.
type bin struct {
	lo, hi float64
	count  int
}

// bins regroups the counts into at most k bins of equal width from the
// minimum to the maximum, so that a staircase of latencies shows as evenly
// spaced bars. All values equal make one bin.
func (h histogram) bins(k int) []bin {
	if h.n == 0 || k < 1 {
		return nil
	}
	span := h.max - h.min
	if span <= h.max*1e-6 {
		return []bin{{lo: h.min, hi: h.max, count: h.n}}
	}
	width := span / float64(k)
	out := make([]bin, k)
	for j := range out {
		out[j].lo = h.min + float64(j)*width
		out[j].hi = out[j].lo + width
	}
	for i, c := range h.counts {
		if c == 0 {
			continue
		}
		v := math.Min(math.Max(bucketMid(i), h.min), h.max)
		j := min(int((v-h.min)/width), k-1)
		out[j].count += c
	}
	return out
}
