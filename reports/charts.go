package reports

import (
	"fmt"
	"html/template"
	"math"
)

const (
	chartW = 640
	chartH = 260
)

// timelineChart draws a step's latency over time: successful requests as dots,
// failures as red crosses.
func timelineChart(s *Step, color string) template.HTML {
	var tMax, msMax float64
	for _, p := range s.Timeline.OK {
		tMax, msMax = math.Max(tMax, p.T), math.Max(msMax, p.Ms)
	}
	for _, p := range s.Timeline.Failed {
		tMax, msMax = math.Max(tMax, p.T), math.Max(msMax, p.Ms)
	}
	c := newChart(fmt.Sprintf("%s: latency over time", s.Name), chartW, chartH, 0, math.Max(tMax*1.02, 0.01), 0, msMax*1.08)
	c.axes("request start (s)", "latency (ms)", true)
	for _, p := range s.Timeline.OK {
		c.dot(p.T, p.Ms, 2.5, color, fmt.Sprintf("%.3fs: %s", p.T, fmtMs(p.Ms)))
	}
	for _, p := range s.Timeline.Failed {
		c.cross(p.T, p.Ms, colorFail, fmt.Sprintf("%.3fs: %s after %s", p.T, p.Outcome, fmtMs(p.Ms)))
	}
	names, colors := []string{"ok"}, []string{color}
	if len(s.Timeline.Failed) > 0 {
		names, colors = append(names, "failed"), append(colors, colorFail)
	}
	c.legend(names, colors)
	return c.html()
}

// histogramChart draws the distribution of a step's successful latencies.
func histogramChart(s *Step, color string) template.HTML {
	bins := s.Histogram.Bins
	lo, hi, top := 0.0, 1.0, 1.0
	if len(bins) > 0 {
		lo, hi = bins[0].LoMs, bins[len(bins)-1].HiMs
	}
	for _, b := range bins {
		top = math.Max(top, float64(b.N))
	}
	title := fmt.Sprintf("%s: latency distribution (successful requests)", s.Name)
	c := newChart(title, chartW, chartH, lo, hi, 0, top*1.1)
	c.axes("latency (ms)", "requests", true)
	for _, b := range bins {
		if b.N > 0 {
			c.bar(b.LoMs, b.HiMs, 0, float64(b.N), color, fmt.Sprintf("%s–%s: %d", fmtMs(b.LoMs), fmtMs(b.HiMs), b.N))
		}
	}
	if f := s.Histogram.Timeouts + s.Histogram.Errors; f > 0 {
		c.label(hi, top*1.05, fmt.Sprintf("not shown: %d timeouts, %d errors", s.Histogram.Timeouts, s.Histogram.Errors), "end")
	}
	return c.html()
}

// scalingChart draws throughput against concurrency: the measured levels, the
// fitted USL curve over the levels it was fitted on, and the ideal (linear up
// to the cores) for comparison.
func scalingChart(run *Run, color string) template.HTML {
	sc := run.Scaling
	var nMax, xMax float64
	for _, l := range sc.Levels {
		nMax, xMax = math.Max(nMax, float64(l.Concurrency)), math.Max(xMax, l.ThroughputRPS)
	}
	u := sc.USL
	cores := 0
	if st := run.StepNamed(sc.Step); st != nil && run.Target == TargetBuiltin {
		cores = st.Cores
	}
	if u != nil {
		xMax = math.Max(xMax, u.LambdaRPS*idealN(nMax, cores))
	}
	c := newChart(fmt.Sprintf("%s, %s: throughput by concurrency", run.Label(), sc.Step), chartW, chartH, 0, nMax*1.05, 0, xMax*1.1)
	c.axes("concurrency", "throughput (requests/s)", true)
	names, colors := []string{"measured"}, []string{color}
	if u != nil {
		var xs, ideal, fit, fitX, past, pastX []float64
		for i := 0; i <= 100; i++ {
			n := 1 + (nMax-1)*float64(i)/100
			xs = append(xs, n)
			ideal = append(ideal, u.LambdaRPS*idealN(n, cores))
			if n <= float64(u.MaxLevel)+1e-9 {
				fitX, fit = append(fitX, n), append(fit, u.Throughput(n))
			}
			if n >= float64(u.MaxLevel)-1e-9 { // the curve past the levels it was fitted on
				pastX, past = append(pastX, n), append(past, u.Throughput(n))
			}
		}
		c.polyline(xs, ideal, colorMuted, "5 4")
		c.polyline(fitX, fit, color, "")
		fitName := fmt.Sprintf("USL fit (σ %.2f, κ %.3f)", u.Sigma, u.Kappa)
		if len(pastX) > 1 {
			c.polyline(pastX, past, color, "2 4")
			fitName += fmt.Sprintf(", dotted past %d", u.MaxLevel)
		}
		names, colors = append(names, fitName, "ideal"), append(colors, color, colorMuted)
	}
	for _, l := range sc.Levels {
		col := color
		if l.Timeouts+l.Errors > 0 {
			col = colorFail
		}
		c.dot(float64(l.Concurrency), l.ThroughputRPS, 4, col,
			fmt.Sprintf("concurrency %d: %.2f/s, p99 %s", l.Concurrency, l.ThroughputRPS, fmtMs(l.P99)))
	}
	c.legend(names, colors)
	return c.html()
}

// idealN is the ideal speedup at concurrency n with the given cores (0: no limit).
func idealN(n float64, cores int) float64 {
	if cores > 0 {
		return math.Min(n, float64(cores))
	}
	return n
}

// groupedBars draws one group of bars per group name, one bar per series (run).
// values[s][g] is NaN when series s has no value for group g; failed marks bars
// drawn in the failure colour; marks[g], when not NaN, is drawn as a reference
// line across group g (the ideal speedup).
func groupedBars(title, ylabel string, groups, series []string, values [][]float64, failed [][]bool, marks []float64) template.HTML {
	top := 0.0
	for _, row := range values {
		for _, v := range row {
			if !math.IsNaN(v) {
				top = math.Max(top, v)
			}
		}
	}
	for _, m := range marks {
		if !math.IsNaN(m) {
			top = math.Max(top, m)
		}
	}
	c := newChart(title, chartW, chartH, 0, float64(len(groups)), 0, top*1.15)
	c.axes("", ylabel, false)
	width := 0.8 / float64(max(len(series), 1))
	for g, name := range groups {
		for s := range series {
			v := values[s][g]
			if math.IsNaN(v) {
				continue
			}
			col := palette[s%len(palette)]
			if failed != nil && failed[s][g] {
				col = colorFail
			}
			x := float64(g) + 0.1 + float64(s)*width
			c.bar(x, x+width*0.92, 0, v, col, fmt.Sprintf("%s, %s: %s", series[s], name, fmtNum(v)))
			c.label(x+width*0.46, v+top*0.02, fmtNum(math.Round(v*100)/100), "middle")
		}
		if marks != nil && !math.IsNaN(marks[g]) {
			c.polyline([]float64{float64(g) + 0.05, float64(g) + 0.95}, []float64{marks[g], marks[g]}, colorMuted, "5 4")
		}
		c.label(float64(g)+0.5, -top*0.09, name, "middle")
	}
	colors := make([]string, len(series))
	for i := range series {
		colors[i] = palette[i%len(palette)]
	}
	c.legend(series, colors)
	return c.html()
}
