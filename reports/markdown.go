package reports

import (
	"fmt"
	"io"
	"strings"
)

// NewMarkdownReporter returns a Reporter that writes r as GitHub-flavoured
// Markdown for a CI job summary: steps per strategy, latency, speedups and
// verdicts, scaling, expectations marked ✅/❌ and the diagnosis.
func NewMarkdownReporter(r *Report) Reporter {
	return func(w io.Writer) error {
		var b strings.Builder
		markdown(&b, r)
		if _, err := io.WriteString(w, b.String()); err != nil {
			return fmt.Errorf("write markdown report: %w", err)
		}
		return nil
	}
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}

func mdRow(b *strings.Builder, cells ...string) {
	for i := range cells {
		cells[i] = mdCell(cells[i])
	}
	fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
}

func mdHeader(b *strings.Builder, cells ...string) {
	mdRow(b, cells...)
	seps := make([]string, len(cells))
	for i := range seps {
		seps[i] = "---"
	}
	fmt.Fprintf(b, "|%s|\n", strings.Join(seps, "|"))
}

func markdown(b *strings.Builder, r *Report) {
	title := r.Scenario
	if title == "" {
		title = "contend"
	}
	fmt.Fprintf(b, "## contend: %s\n\n", mdCell(title))
	fmt.Fprintf(b, "%s\n", mdCell(headline(r)))
	if r.Partial {
		b.WriteString("\n> ⚠️ partial results: the run stopped before every step finished\n")
	}
	if notes := r.ShardNotes(); len(notes) > 0 {
		b.WriteString("\n")
		for _, n := range notes {
			fmt.Fprintf(b, "- %s\n", mdCell(n))
		}
	}
	for i := range r.Runs {
		if e := r.Runs[i].Error; e != "" {
			fmt.Fprintf(b, "\n> ❌ %s: run failed: %s\n", mdCell(r.Runs[i].Label()), mdCell(e))
		}
	}
	for _, w := range stepWarnings(r.Runs) {
		fmt.Fprintf(b, "\n> ⚠️ %s\n", mdCell(w))
	}
	names := stepNames(r.Runs)
	if len(names) > 0 {
		b.WriteString("\n### Steps\n\n")
		head := []string{"step"}
		for i := range r.Runs {
			head = append(head, r.Runs[i].Label())
		}
		mdHeader(b, head...)
		for _, name := range names {
			row := []string{name}
			for i := range r.Runs {
				if s := r.Runs[i].StepNamed(name); s != nil {
					text, ok := stepOutcome(s)
					text = strings.TrimSuffix(strings.TrimSuffix(text, " ✓"), " ✗")
					row = append(row, text+" "+map[bool]string{true: "✅", false: "❌"}[ok])
				} else {
					row = append(row, "—")
				}
			}
			mdRow(b, row...)
		}
		b.WriteString("\n### Latency (successful requests; server means from Server-Timing)\n\n")
		mdHeader(b, "run", "step", "ok", "timeouts (client timeout)", "errors", "p50", "p90", "p99", "max", "wait", "load", "infer")
		for i := range r.Runs {
			for _, s := range r.Runs[i].Steps {
				wait, load, infer := "—", "—", "—"
				if s.ServerMs != nil {
					wait, load, infer = fmtMs(s.ServerMs.Wait), fmtMs(s.ServerMs.Load), fmtMs(s.ServerMs.Infer)
				}
				p50, p90, p99, maxMs := "—", "—", "—", "—"
				if s.OK > 0 {
					p50, p90, p99, maxMs = fmtMs(s.LatencyMs.P50), fmtMs(s.LatencyMs.P90), fmtMs(s.LatencyMs.P99), fmtMs(s.LatencyMs.Max)
				}
				errs := fmt.Sprint(s.Errors)
				if s.Cancelled > 0 {
					errs += fmt.Sprintf(" (+%d cancelled)", s.Cancelled)
				}
				timeouts := fmt.Sprint(s.Timeouts)
				if s.TimeoutMs > 0 {
					timeouts += " (" + fmtMs(s.TimeoutMs) + ")"
				}
				mdRow(b, r.Runs[i].Label(), s.Name, fmt.Sprint(s.OK), timeouts, errs,
					p50, p90, p99, maxMs, wait, load, infer)
			}
		}
	}
	mdWaterfalls(b, r.Runs)
	mdComparisons(b, r.Runs)
	mdScaling(b, r.Runs)
	mdExpectations(b, r)
	mdDiagnosis(b, r.Runs)
}

func mdComparisons(b *strings.Builder, runs []Run) {
	header := false
	for i := range runs {
		for _, c := range runs[i].Comparisons {
			if !header {
				b.WriteString("\n### Speedups\n\n")
				mdHeader(b, "run", "step over base", "speedup", "ideal", "efficiency", "verdict", "detail")
				header = true
			}
			mdRow(b, runs[i].Label(), c.Step+" over "+c.Base, fmt.Sprintf("%.2fx", c.Speedup), strings.TrimPrefix(idealText(c), "ideal "),
				fmt.Sprintf("%.0f%%", c.Efficiency*100), "**"+c.Verdict+"**", c.Detail)
		}
	}
}

func mdScaling(b *strings.Builder, runs []Run) {
	for i := range runs {
		sc := runs[i].Scaling
		if sc == nil {
			continue
		}
		fmt.Fprintf(b, "\n### Scaling: %s, %s\n\n", mdCell(runs[i].Label()), mdCell(sc.Step))
		mdHeader(b, "concurrency", "throughput (/s)", "p50", "p99", "cpu (cores)", "failed")
		for _, l := range sc.Levels {
			cpu := "—"
			if l.CPUUtil != nil {
				cpu = fmt.Sprintf("%.2f", *l.CPUUtil)
			}
			mdRow(b, fmt.Sprint(l.Concurrency), fmtRate(l.ThroughputRPS), fmtMs(l.P50), fmtMs(l.P99),
				cpu, fmt.Sprint(l.Timeouts+l.Errors))
		}
		if u := sc.USL; u != nil {
			fmt.Fprintf(b, "\nUSL fit: σ = %.3f, κ = %.4f, r² = %.3f, λ = %s/s\n", u.Sigma, u.Kappa, u.R2, fmtRate(u.LambdaRPS))
		}
		if sc.Note != "" {
			fmt.Fprintf(b, "\n_%s_\n", mdCell(sc.Note))
		}
	}
}

func mdExpectations(b *strings.Builder, r *Report) {
	var all []Expectation
	for i := range r.Runs {
		all = append(all, r.Runs[i].Expectations...)
	}
	all = append(all, r.Expectations...)
	all = append(all, r.Baseline...)
	if len(all) == 0 {
		return
	}
	failed := len(r.Failed())
	fmt.Fprintf(b, "\n### Expectations: %s\n\n", map[bool]string{true: "✅ all met", false: fmt.Sprintf("❌ %d failed", failed)}[failed == 0])
	mdHeader(b, "", "expectation", "detail")
	for _, e := range all {
		mdRow(b, map[bool]string{true: "✅", false: "❌"}[e.OK], e.Name, e.Detail)
	}
}

func mdDiagnosis(b *strings.Builder, runs []Run) {
	header := false
	for i := range runs {
		for _, d := range runs[i].Diagnosis {
			if !header {
				b.WriteString("\n### Diagnosis\n\n")
				header = true
			}
			where := runs[i].Label()
			if d.Step != "" {
				where += ", " + d.Step
			}
			fmt.Fprintf(b, "- **%s** (%s): `%s`. %s", mdCell(where), d.Basis, d.Kind, mdCell(d.Summary))
			if ev := evidenceText(d.Evidence); ev != "" {
				fmt.Fprintf(b, "  \n  _evidence: %s_", ev)
			}
			b.WriteString("\n")
		}
	}
	if header {
		b.WriteString("\n_Latency percentiles are over successful requests; timeouts are counted apart._\n")
	}
}
