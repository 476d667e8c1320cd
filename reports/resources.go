package reports

import (
	"fmt"
	"math"
	"sort"
	"time"

	"gonum.org/v1/gonum/stat"

	"contend/scenarios"
)

// Limits of the resource trends: what a soak's expectations are judged on.
const (
	// ResourceWarmup is the fraction of a step's sampled time left out of the
	// slopes: the target's heap, connection pool and thread pools grow at the
	// start of any load and level off; a leak keeps growing after.
	ResourceWarmup = 0.2
	// MinTrendPoints is the fewest samples after the warm-up a slope is fitted to.
	MinTrendPoints = 3
	// MaxResourcePoints caps the samples a step keeps in the report.
	MaxResourcePoints = 500
)

// ResourceSample is one reading of the target's process, taken from its /metrics
// while a step ran. A negative value is one the target did not export.
type ResourceSample struct {
	At         time.Time
	RSSBytes   int64 // process_resident_memory_bytes
	Goroutines int   // go_goroutines
	OpenFDs    int   // process_open_fds
}

// Resources is what a step's resource samples show: the samples themselves and,
// per resource, a least-squares trend over the samples after the warm-up head.
type Resources struct {
	Samples []ResourcePoint `json:"samples"`
	// FitFromS is where the trends start, in seconds from the first sample: the
	// samples before it (ResourceWarmup of the sampled time) are the warm-up.
	FitFromS   float64 `json:"fit_from_s"`
	RSS        *Trend  `json:"rss_bytes,omitempty"`
	Goroutines *Trend  `json:"goroutines,omitempty"`
	OpenFDs    *Trend  `json:"open_fds,omitempty"`
}

// ResourcePoint is one sample in the report; T is seconds from the step's first
// sample. A resource the target does not export is absent (0).
type ResourcePoint struct {
	T          float64 `json:"t"`
	RSSBytes   int64   `json:"rss_bytes,omitempty"`
	Goroutines int     `json:"goroutines,omitempty"`
	OpenFDs    int     `json:"open_fds,omitempty"`
}

// Trend is a least-squares line through one resource's samples after the warm-up.
// Start and End are the line's values at the first and last of them; Min and Max
// are over every sample of the step.
type Trend struct {
	PerMin float64 `json:"per_min"`
	Start  float64 `json:"start"`
	End    float64 `json:"end"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Points int     `json:"points"`
}

// Relative returns the slope as a fraction of the starting value per minute, ok
// false when the start is not positive.
func (t *Trend) Relative() (float64, bool) {
	if t == nil || t.Start <= 0 {
		return 0, false
	}
	return t.PerMin / t.Start, true
}

// buildResources fits the trends of a step's samples; nil when there are none.
func buildResources(samples []ResourceSample) *Resources {
	if len(samples) == 0 {
		return nil
	}
	samples = append([]ResourceSample(nil), samples...)
	sort.SliceStable(samples, func(i, j int) bool { return samples[i].At.Before(samples[j].At) })
	t0 := samples[0].At
	secs := make([]float64, len(samples))
	for i, s := range samples {
		secs[i] = s.At.Sub(t0).Seconds()
	}
	from := secs[len(secs)-1] * ResourceWarmup
	res := &Resources{FitFromS: round3(from)}
	series := []struct {
		dst   **Trend
		value func(ResourceSample) float64
	}{
		{&res.RSS, func(s ResourceSample) float64 { return float64(s.RSSBytes) }},
		{&res.Goroutines, func(s ResourceSample) float64 { return float64(s.Goroutines) }},
		{&res.OpenFDs, func(s ResourceSample) float64 { return float64(s.OpenFDs) }},
	}
	for _, sr := range series {
		*sr.dst = fitTrend(samples, secs, from, sr.value)
	}
	stride := (len(samples) + MaxResourcePoints - 1) / MaxResourcePoints
	for i := 0; i < len(samples); i += stride {
		res.Samples = append(res.Samples, resourcePoint(samples[i], secs[i]))
	}
	if last := len(samples) - 1; last%stride != 0 {
		res.Samples = append(res.Samples, resourcePoint(samples[last], secs[last]))
	}
	return res
}

func resourcePoint(s ResourceSample, t float64) ResourcePoint {
	return ResourcePoint{T: round3(t), RSSBytes: max(s.RSSBytes, 0), Goroutines: max(s.Goroutines, 0), OpenFDs: max(s.OpenFDs, 0)}
}

// fitTrend fits value over the known samples from second from on; nil when fewer
// than MinTrendPoints are known there or they all share one time.
func fitTrend(samples []ResourceSample, secs []float64, from float64, value func(ResourceSample) float64) *Trend {
	var x, y []float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, s := range samples {
		v := value(s)
		if v < 0 {
			continue
		}
		lo, hi = math.Min(lo, v), math.Max(hi, v)
		if secs[i] >= from {
			x = append(x, secs[i]/60)
			y = append(y, v)
		}
	}
	if len(x) < MinTrendPoints || x[len(x)-1] == x[0] {
		return nil
	}
	alpha, beta := stat.LinearRegression(x, y, nil, false)
	return &Trend{
		PerMin: round3(beta),
		Start:  round3(alpha + beta*x[0]),
		End:    round3(alpha + beta*x[len(x)-1]),
		Min:    lo,
		Max:    hi,
		Points: len(x),
	}
}

// growthCheck is one growth bound of an expectation with the trend it judges.
type growthCheck struct {
	key, what string // the scenario key and how the detail names the slope
	metric    string // the /metrics name the samples come from
	bound     *scenarios.Growth
	trend     *Trend
	format    func(float64) string
}

// growthChecks lists the growth bounds an expectation may set, with the trend
// each one judges on a step's resources (nil when r is).
func growthChecks(e scenarios.Expect, r *Resources) []growthCheck {
	var rss, gor, fds *Trend
	if r != nil {
		rss, gor, fds = r.RSS, r.Goroutines, r.OpenFDs
	}
	return []growthCheck{
		{"max_rss_growth", "rss growth", "process_resident_memory_bytes", e.MaxRSSGrowth, rss, scenarios.FormatBytes},
		{"max_goroutine_growth", "goroutine growth", "go_goroutines", e.MaxGoroutineGrowth, gor, fmtSlope},
		{"max_fd_growth", "open fd growth", "process_open_fds", e.MaxFDGrowth, fds, fmtSlope},
	}
}

// evaluateGrowth checks a step's resource trends against the expectation's bounds.
// A bound with nothing to judge fails: a soak gate must not pass because the
// target exported no metrics.
func evaluateGrowth(e scenarios.Expect, s *Step, name func(string) string) []Expectation {
	var out []Expectation
	for _, c := range growthChecks(e, s.Resources) {
		if c.bound == nil {
			continue
		}
		n := name(c.key + " " + c.bound.String())
		if c.trend == nil {
			out = append(out, Expectation{Name: n, Detail: fmt.Sprintf(
				"no trend to judge: fewer than %d samples of %s after the warm-up (the target exports none, or the step was too short)",
				MinTrendPoints, c.metric)})
			continue
		}
		fit := fmt.Sprintf(" (fit over %d samples from %.0fs)", c.trend.Points, s.Resources.FitFromS)
		if !c.bound.Relative {
			perMin := func(f float64) string { return c.format(f) + "/min" }
			ex := atMost(n, c.what, c.trend.PerMin, c.bound.PerMinute(), perMin)
			ex.Detail += fit
			out = append(out, ex)
			continue
		}
		rel, ok := c.trend.Relative()
		if !ok {
			out = append(out, Expectation{Name: n, Detail: fmt.Sprintf("%s cannot be relative: the fitted start is %s", c.what, c.format(c.trend.Start))})
			continue
		}
		ex := atMost(n, c.what, rel, c.bound.PerMinute(), fmtPercentPerMin)
		ex.Detail += fit
		out = append(out, ex)
	}
	return out
}

// fmtSlope formats a count's slope: "0.25", "-3", "12.5".
func fmtSlope(f float64) string {
	return fmt.Sprintf("%.3g", f)
}

func fmtPercentPerMin(f float64) string { return fmt.Sprintf("%.2f%%/min", f*100) }
