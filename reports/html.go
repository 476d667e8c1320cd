package reports

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"math"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"ms":       fmtMs,
	"num":      fmtNum,
	"pct":      func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
	"x":        func(f float64) string { return fmt.Sprintf("%.2fx", f) },
	"outcome":  func(s *Step) string { t, _ := stepOutcome(s); return t },
	"ok":       func(s *Step) bool { _, ok := stepOutcome(s); return ok },
	"evidence": evidenceText,
	"cpu": func(f *float64) string {
		if f == nil {
			return "—"
		}
		return fmt.Sprintf("%.2f", *f)
	},
}).ParseFS(templateFS, "templates/report.html.tmpl"))

// NewHTMLReporter returns a Reporter that writes r as one self-contained HTML
// page (inline CSS and SVG, no scripts, fonts or links to fetch): the strategies
// side by side, then per run the diagnosis, speedups, scaling with its USL fit,
// and each step's latency over time and distribution, then the expectations.
func NewHTMLReporter(r *Report) Reporter {
	return func(w io.Writer) error {
		if err := htmlTemplate.Execute(w, htmlView(r)); err != nil {
			return fmt.Errorf("write html report: %w", err)
		}
		return nil
	}
}

// pageView is what the HTML template renders.
type pageView struct {
	R            *Report
	Headline     string
	StepNames    []string
	Warnings     []string // every step's, as "run, step: warning"
	Rows         []stepRow
	WallChart    template.HTML
	SpeedupChart template.HTML
	Waterfalls   []waterfallView
	Runs         []runView
	Expectations []Expectation
	Failed       int
	Charts       int // the number of <svg> charts on the page
}

// waterfallView is one step's waterfall, every run's lane on one time axis.
type waterfallView struct {
	Step string
	SVG  template.HTML
}

type stepRow struct {
	Name  string
	Cells []*Step // one per run; nil where the run has no such step
}

type runView struct {
	Run          *Run
	Color        string
	ScalingChart template.HTML
	Steps        []stepView
}

type stepView struct {
	Step      *Step
	Timeline  template.HTML
	Histogram template.HTML
}

func htmlView(r *Report) pageView {
	v := pageView{R: r, Headline: headline(r), StepNames: stepNames(r.Runs), Warnings: stepWarnings(r.Runs)}
	var labels []string
	for i := range r.Runs {
		labels = append(labels, r.Runs[i].Label())
	}
	for _, name := range v.StepNames {
		row := stepRow{Name: name}
		for i := range r.Runs {
			row.Cells = append(row.Cells, r.Runs[i].StepNamed(name))
		}
		v.Rows = append(v.Rows, row)
	}
	if len(v.StepNames) > 0 && len(r.Runs) > 0 {
		values, failed := make([][]float64, len(r.Runs)), make([][]bool, len(r.Runs))
		for i := range r.Runs {
			for _, name := range v.StepNames {
				s := r.Runs[i].StepNamed(name)
				if s == nil {
					values[i], failed[i] = append(values[i], math.NaN()), append(failed[i], false)
					continue
				}
				values[i], failed[i] = append(values[i], s.WallS), append(failed[i], s.Failed() > 0)
			}
		}
		v.WallChart = groupedBars("wall time by step (red: some requests failed)", "wall time (s)", v.StepNames, labels, values, failed, nil)
		v.Charts++
	}
	if groups, values, marks := speedupSeries(r.Runs); len(groups) > 0 {
		v.SpeedupChart = groupedBars("speedup by comparison (dashed: ideal)", "speedup (x)", groups, labels, values, nil, marks)
		v.Charts++
	}
	for _, name := range v.StepNames {
		if svg, ok := stepWaterfall(r.Runs, name); ok {
			v.Waterfalls = append(v.Waterfalls, waterfallView{Step: name, SVG: svg})
			v.Charts++
		}
	}
	for i := range r.Runs {
		run := &r.Runs[i]
		rv := runView{Run: run, Color: palette[i%len(palette)]}
		if run.Scaling != nil {
			rv.ScalingChart = scalingChart(run, rv.Color)
			v.Charts++
		}
		for j := range run.Steps {
			s := &run.Steps[j]
			sv := stepView{Step: s, Histogram: histogramChart(s, rv.Color)}
			v.Charts++
			if s.Waterfall == nil || s.Waterfall.Sampled() {
				// Where the waterfall draws every request, a latency-over-time
				// scatter says less (a burst's points all sit at t = 0).
				sv.Timeline = timelineChart(s, rv.Color)
				v.Charts++
			}
			rv.Steps = append(rv.Steps, sv)
		}
		v.Runs = append(v.Runs, rv)
		v.Expectations = append(v.Expectations, run.Expectations...)
	}
	v.Expectations = append(v.Expectations, r.Expectations...)
	v.Expectations = append(v.Expectations, r.Baseline...)
	v.Failed = len(r.Failed())
	return v
}

// speedupSeries lays the runs' comparisons out for groupedBars: one group per
// "step over base", one value per run, the largest ideal as the group's mark.
func speedupSeries(runs []Run) (groups []string, values [][]float64, marks []float64) {
	index := map[string]int{}
	for i := range runs {
		for _, c := range runs[i].Comparisons {
			key := c.Step + " over " + c.Base
			if _, ok := index[key]; !ok {
				index[key] = len(groups)
				groups = append(groups, key)
				marks = append(marks, math.NaN())
			}
		}
	}
	values = make([][]float64, len(runs))
	for i := range runs {
		values[i] = make([]float64, len(groups))
		for g := range values[i] {
			values[i][g] = math.NaN()
		}
		for _, c := range runs[i].Comparisons {
			g := index[c.Step+" over "+c.Base]
			values[i][g] = c.Speedup
			if math.IsNaN(marks[g]) || c.Ideal > marks[g] {
				marks[g] = c.Ideal
			}
		}
	}
	return groups, values, marks
}

// stepWaterfall draws the named step's waterfall with one lane per run that
// has it; ok is false when no run does.
func stepWaterfall(runs []Run, name string) (template.HTML, bool) {
	var lanes []WaterfallLane
	mode := ""
	for i := range runs {
		s := runs[i].StepNamed(name)
		if s == nil || s.Waterfall == nil {
			continue
		}
		mode = s.Mode
		lanes = append(lanes, WaterfallLane{Label: runs[i].Label(), Color: palette[i%len(palette)], W: s.Waterfall})
	}
	if len(lanes) == 0 {
		return "", false
	}
	return waterfallSVG(fmt.Sprintf("%s (%s): every request from send to answer", name, mode), lanes), true
}
