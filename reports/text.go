package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"contend/scenarios"
)

// NewTextReporter returns a Reporter that writes r for people at a terminal:
// each step's wall time and outcome per strategy (side by side when there are
// several), latency, speedups and verdicts, scaling, expectations and the
// diagnosis in plain words. plain turns ANSI colour off: pass true when the
// writer is not a terminal (a file, a pipe, CI logs).
func NewTextReporter(r *Report, plain bool) Reporter {
	return func(w io.Writer) error {
		tw := &textWriter{w: w, s: styler{color: !plain}}
		tw.report(r)
		if tw.err != nil {
			return fmt.Errorf("write text report: %w", tw.err)
		}
		return nil
	}
}

// textWriter keeps the first write error so the layout code can stay linear.
type textWriter struct {
	w   io.Writer
	s   styler
	err error
}

func (t *textWriter) line(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format+"\n", args...)
	}
}

func (t *textWriter) rows(rows [][]cell) {
	if t.err == nil && len(rows) > 0 {
		t.err = t.s.table(t.w, "  ", rows)
	}
}

// TextWidth is the column at which the text report wraps its prose (the diagnosis
// and its evidence), so a standard 80-column terminal shows it without broken words.
const TextWidth = 80

// para writes text word-wrapped at TextWidth, every line starting with indent.
func (t *textWriter) para(indent, style, text string) {
	for _, l := range wrapWords(text, TextWidth-len(indent)) {
		t.line("%s%s", indent, t.s.paint(style, l))
	}
}

// wrapWords splits text into lines of at most width runes, breaking at spaces; a
// single word longer than width stands on a line of its own.
func wrapWords(text string, width int) []string {
	var lines []string
	var cur strings.Builder
	n := 0
	for _, w := range strings.Fields(text) {
		wl := len([]rune(w))
		if n > 0 && n+1+wl > width {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		if n > 0 {
			cur.WriteByte(' ')
			n++
		}
		cur.WriteString(w)
		n += wl
	}
	if n > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}

func (t *textWriter) heading(s string) { t.line("\n%s", t.s.paint(ansiBold, s)) }

func (t *textWriter) report(r *Report) {
	t.line("%s", t.s.paint(ansiBold, headline(r)))
	if r.Partial {
		t.line("%s", t.s.paint(ansiYellow, "partial results: the run stopped before every step finished"))
	}
	t.shardNotes(r)
	for i := range r.Runs {
		if e := r.Runs[i].Error; e != "" {
			t.line("%s", t.s.paint(ansiRed, r.Runs[i].Label()+": run failed: "+e))
		}
	}
	if len(r.Runs) == 0 {
		t.line("no runs")
	}
	names := stepNames(r.Runs)
	if len(names) > 0 {
		t.steps(r.Runs, names)
		t.latency(r.Runs, names)
	}
	t.warnings(r.Runs)
	t.failures(r.Runs)
	t.resources(r.Runs)
	t.comparisons(r.Runs)
	t.scaling(r.Runs)
	t.expectations(r)
	t.targetCPU(r.Runs)
	t.diagnosis(r.Runs)
	if len(names) > 0 {
		t.line("\n%s", t.s.paint(ansiDim, "Latency percentiles are over successful requests; timeouts are counted apart."))
	}
}

// headline is the report's first line: scenario and host.
func headline(r *Report) string {
	parts := []string{r.Scenario}
	if r.Scenario == "" {
		parts[0] = "contend"
	}
	if r.Host.CPUs > 0 {
		parts = append(parts, plural(r.Host.CPUs, "CPU", "CPUs"))
	}
	if r.Host.Go != "" {
		parts = append(parts, r.Host.Go)
	}
	if r.Host.ONNXRuntime != "" {
		parts = append(parts, "ONNX Runtime "+r.Host.ONNXRuntime)
	}
	return strings.Join(parts, " · ")
}

// stepNames lists every step name across runs, in order of first appearance.
func stepNames(runs []Run) []string {
	var names []string
	for _, run := range runs {
		for _, s := range run.Steps {
			if !contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
	}
	return names
}

// stepOutcome is the seed's one-line summary of a step: "6.44s (4 requests) ✓"
// or "120.62s (3 failed, 1 succeeded) ✗". Requests cancelled by stopping the run
// are named apart: "(6 succeeded, 2 cancelled) –".
func stepOutcome(s *Step) (string, bool) {
	cancelled := ""
	if s.Cancelled > 0 {
		cancelled = fmt.Sprintf(", %d cancelled", s.Cancelled)
	}
	switch {
	case s.Requests == 0:
		return fmt.Sprintf("%.2fs (no requests) ✗", s.WallS), false
	case s.Failed() == 0 && s.Cancelled == 0:
		return fmt.Sprintf("%.2fs (%s) ✓", s.WallS, plural(s.Requests, "request", "requests")), true
	case s.Failed() == 0:
		// Stopped part way: nothing failed, but the step did not finish either.
		return fmt.Sprintf("%.2fs (%d succeeded%s) –", s.WallS, s.OK, cancelled), false
	}
	return fmt.Sprintf("%.2fs (%d failed, %d succeeded%s) ✗", s.WallS, s.Failed(), s.OK, cancelled), false
}

func (t *textWriter) steps(runs []Run, names []string) {
	head := []cell{{text: ""}}
	for i := range runs {
		head = append(head, cell{text: runs[i].Label(), style: ansiBold})
	}
	rows := [][]cell{head}
	for _, name := range names {
		row := []cell{{text: name}}
		for i := range runs {
			s := runs[i].StepNamed(name)
			if s == nil {
				row = append(row, cell{text: "—", style: ansiDim})
				continue
			}
			text, ok := stepOutcome(s)
			row = append(row, cell{text: text, style: map[bool]string{true: ansiGreen, false: ansiRed}[ok]})
		}
		rows = append(rows, row)
	}
	t.heading("Steps")
	t.rows(rows)
}

func (t *textWriter) latency(runs []Run, names []string) {
	timed := false
	for _, run := range runs {
		for _, s := range run.Steps {
			timed = timed || s.ServerMs != nil
		}
	}
	title := "Latency, p50 / p99"
	if timed {
		title += " (server wait / infer, means)"
	}
	t.heading(title)
	var rows [][]cell
	for _, name := range names {
		row := []cell{{text: name}}
		for i := range runs {
			s := runs[i].StepNamed(name)
			switch {
			case s == nil:
				row = append(row, cell{text: "—", style: ansiDim})
			case s.OK == 0:
				row = append(row, cell{text: "no successes", style: ansiRed})
			default:
				text := fmtMs(s.LatencyMs.P50) + " / " + fmtMs(s.LatencyMs.P99)
				if s.ServerMs != nil {
					text += fmt.Sprintf(" (%s / %s)", fmtMs(s.ServerMs.Wait), fmtMs(s.ServerMs.Infer))
				}
				row = append(row, cell{text: text})
			}
		}
		rows = append(rows, row)
	}
	t.rows(rows)
}

func verdictStyle(v string) string {
	switch v {
	case VerdictParallel:
		return ansiGreen
	case VerdictPartial, VerdictInconclusive:
		return ansiYellow
	}
	return ansiRed
}

func (t *textWriter) comparisons(runs []Run) {
	var rows [][]cell
	var details []string
	for i := range runs {
		for _, c := range runs[i].Comparisons {
			rows = append(rows, []cell{
				{text: runs[i].Label()},
				{text: c.Step + " over " + c.Base},
				{text: fmt.Sprintf("%.2fx", c.Speedup)},
				{text: idealText(c)},
				{text: fmt.Sprintf("%.0f%%", c.Efficiency*100)},
				{text: c.Verdict, style: verdictStyle(c.Verdict)},
			})
			if c.Detail != "" {
				details = append(details, runs[i].Label()+", "+c.Step+": "+c.Detail)
			}
		}
	}
	if len(rows) == 0 {
		return
	}
	t.heading("Speedups")
	t.rows(rows)
	for _, d := range details {
		t.para("  ", ansiDim, d)
	}
}

// warnings lists every step's numbers that cannot be taken at face value.
func (t *textWriter) warnings(runs []Run) {
	ws := stepWarnings(runs)
	if len(ws) == 0 {
		return
	}
	t.heading("Warnings")
	for _, w := range ws {
		t.para("  ", ansiYellow, w)
	}
}

// stepWarnings is every step's warnings as "run, step: warning".
func stepWarnings(runs []Run) []string {
	var out []string
	for i := range runs {
		for _, s := range runs[i].Steps {
			for _, w := range s.Warnings {
				out = append(out, runs[i].Label()+", "+s.Name+": "+w)
			}
		}
	}
	return out
}

// idealText is a comparison's ideal with where it came from.
func idealText(c Comparison) string {
	s := fmt.Sprintf("ideal %.2fx", c.Ideal)
	if c.IdealBasis != "" {
		s += " (" + c.IdealBasis + ")"
	}
	return s
}

func (t *textWriter) scaling(runs []Run) {
	first := true
	for i := range runs {
		sc := runs[i].Scaling
		if sc == nil {
			continue
		}
		if first {
			t.heading("Scaling (throughput by concurrency)")
			first = false
		}
		var levels []string
		for _, l := range sc.Levels {
			levels = append(levels, fmt.Sprintf("%d: %s/s", l.Concurrency, fmtRate(l.ThroughputRPS)))
		}
		t.line("  %s, %s: %s", runs[i].Label(), sc.Step, strings.Join(levels, "  "))
		if u := sc.USL; u != nil {
			t.line("    USL sigma %.2f  kappa %.3f  r² %.2f  lambda %s/s", u.Sigma, u.Kappa, u.R2, fmtRate(u.LambdaRPS))
		}
		if sc.Note != "" {
			t.para("    ", ansiDim, sc.Note)
		}
	}
}

func (t *textWriter) expectations(r *Report) {
	var all []Expectation
	for i := range r.Runs {
		all = append(all, r.Runs[i].Expectations...)
	}
	all = append(all, r.Expectations...)
	all = append(all, r.Baseline...)
	if len(all) == 0 {
		return
	}
	failed := 0
	var rows [][]cell
	for _, e := range all {
		mark := cell{text: "✓", style: ansiGreen}
		if !e.OK {
			mark = cell{text: "✗", style: ansiRed}
			failed++
		}
		rows = append(rows, []cell{mark, {text: e.Name}, {text: e.Detail, style: map[bool]string{true: "", false: ansiRed}[e.OK]}})
	}
	t.heading(fmt.Sprintf("Expectations (%d of %d met)", len(all)-failed, len(all)))
	t.rows(rows)
}

// targetCPU says, for external targets, how their CPU was measured or why not
// (the built-in target's always is, from its own /metrics).
func (t *textWriter) targetCPU(runs []Run) {
	first := true
	for i := range runs {
		if runs[i].Target != TargetURL || runs[i].TargetCPU == "" {
			continue
		}
		if first {
			t.heading("Target CPU")
			first = false
		}
		t.para("  ", "", runs[i].Label()+": "+runs[i].TargetCPU)
	}
}

func (t *textWriter) diagnosis(runs []Run) {
	first := true
	for i := range runs {
		for _, d := range runs[i].Diagnosis {
			if first {
				t.heading("Diagnosis")
				first = false
			}
			where := runs[i].Label()
			if d.Step != "" {
				where += ", " + d.Step
			}
			t.line("  %s: %s", where, t.s.paint(kindStyle(d.Kind), d.Kind))
			t.para("    ", "", d.Summary)
			if ev := evidenceText(d.Evidence); ev != "" {
				t.para("    ", ansiDim, "evidence: "+ev)
			}
		}
	}
}

func kindStyle(kind string) string {
	switch kind {
	case KindParallel, KindHardwareSaturated:
		return ansiGreen
	case KindLockSerialized, KindSerialized, KindQueueTimeouts, KindCPUSerialized:
		return ansiRed
	}
	return ansiYellow
}

// evidenceText lists evidence as "name value" pairs in name order.
func evidenceText(ev map[string]float64) string {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %s", k, fmtNum(ev[k])))
	}
	return strings.Join(parts, ", ")
}

// fmtRate prints a rate with three significant digits or one decimal.
func fmtRate(f float64) string {
	if f < 100 {
		return fmt.Sprintf("%.3g", f)
	}
	return fmt.Sprintf("%.1f", f)
}

// fmtNum prints a number with no more digits than it needs (up to 3 decimals).
func fmtNum(f float64) string {
	s := fmt.Sprintf("%.3f", f)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// failures lists, per step that had any, its failures by class and the most
// frequent messages.
func (t *textWriter) failures(runs []Run) {
	first := true
	for i := range runs {
		for j := range runs[i].Steps {
			s := &runs[i].Steps[j]
			if s.Failed() == 0 {
				continue
			}
			if first {
				t.heading("Failures")
				first = false
			}
			t.line("  %s, %s: %s", runs[i].Label(), s.Name, t.s.paint(ansiRed, failureCounts(s)))
			for _, e := range s.ErrorSamples {
				t.para("    ", ansiDim, fmt.Sprintf("%d× %s: %s", e.Count, e.Class, e.Error))
			}
		}
	}
}

// failureCounts says how a step's requests failed, by class: "3 timeouts at
// 1.50s, 2 refused".
func failureCounts(s *Step) string {
	var parts []string
	for _, c := range []struct {
		n    int
		name string
	}{{s.Timeouts, "timeout"}, {s.ErrorsBy.Refused, "refused"}, {s.ErrorsBy.Client4xx, "4xx"},
		{s.ErrorsBy.Server5xx, "5xx"}, {s.ErrorsBy.Other, "other"}} {
		switch {
		case c.n == 0:
		case c.name == "timeout" && s.TimeoutMs > 0:
			parts = append(parts, plural(c.n, "timeout", "timeouts")+" at "+fmtMs(s.TimeoutMs))
		case c.name == "timeout":
			parts = append(parts, plural(c.n, "timeout", "timeouts"))
		default:
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.name))
		}
	}
	return fmt.Sprintf("%d of %d failed (%s)", s.Failed(), s.Requests, strings.Join(parts, ", "))
}

// resources shows, per step with enough resource samples, each resource's range
// and trend.
func (t *textWriter) resources(runs []Run) {
	var rows [][]cell
	for i := range runs {
		for j := range runs[i].Steps {
			s := &runs[i].Steps[j]
			r := s.Resources
			if r == nil || (r.RSS == nil && r.Goroutines == nil && r.OpenFDs == nil) {
				continue // too few samples for a trend: a short step says nothing here
			}
			rows = append(rows, []cell{
				{text: runs[i].Label() + ", " + s.Name},
				{text: plural(len(r.Samples), "sample", "samples")},
				{text: "rss " + trendText(r.RSS, fmtBytes)},
				{text: "goroutines " + trendText(r.Goroutines, fmtSlope)},
				{text: "fds " + trendText(r.OpenFDs, fmtSlope)},
			})
		}
	}
	if len(rows) == 0 {
		return
	}
	t.heading("Target resources (least-squares slope after the warm-up)")
	t.rows(rows)
}

// trendText is "64MB..70MB, +1.2MB/min", or "—" without a trend.
func trendText(tr *Trend, f func(float64) string) string {
	if tr == nil {
		return "—"
	}
	sign := ""
	if tr.PerMin >= 0 {
		sign = "+"
	}
	return fmt.Sprintf("%s..%s, %s%s/min", f(tr.Min), f(tr.Max), sign, f(tr.PerMin))
}

func fmtBytes(b float64) string { return scenarios.FormatBytes(b) }

// shardNotes gives a shard's or a merged report's lines under the headline.
func (t *textWriter) shardNotes(r *Report) {
	for _, n := range r.ShardNotes() {
		style := ansiDim
		if strings.HasPrefix(n, "LATE") || strings.HasPrefix(n, "MISSING") {
			style = ansiYellow
		}
		t.line("%s", t.s.paint(style, n))
	}
}
