package reports

import (
	"fmt"
	"math"

	"contend/scenarios"
)

// Defaults for Baseline tolerances left at zero.
const (
	DefaultMaxSpeedupDrop = 0.10 // a comparison's speedup may drop by 10%
	DefaultMaxP99Rise     = 0.25 // a step's p99 may rise by 25%
)

// expectMatches reports whether an expectation applies to a run.
func expectMatches(e scenarios.Expect, run *Run) bool {
	return e.Strategy == "" || e.Strategy == run.Strategy || e.Strategy == run.URL
}

// evaluateUnmatched fails the expectations that match no run, so that a typo in
// a strategy name cannot pass a CI gate.
func evaluateUnmatched(sc *scenarios.Scenario, runs []Run) []Expectation {
	var out []Expectation
	for _, e := range sc.Expect {
		found := false
		for i := range runs {
			found = found || expectMatches(e, &runs[i])
		}
		if found {
			continue
		}
		who := e.Strategy
		if who == "" {
			who = "any target"
		}
		out = append(out, Expectation{Name: expectName(e.Strategy, e.Step, "run"),
			Detail: fmt.Sprintf("no run of %s: nothing to check", who)})
	}
	return out
}

// evaluateRun checks the scenario's expectations that apply to one run.
func evaluateRun(sc *scenarios.Scenario, run *Run) []Expectation {
	out := []Expectation{}
	for _, e := range sc.Expect {
		if expectMatches(e, run) {
			out = append(out, evaluate(e, run)...)
		}
	}
	return out
}

func evaluate(e scenarios.Expect, run *Run) []Expectation {
	label := run.Label()
	var steps []*Step
	if e.Step == "" {
		for i := range run.Steps {
			steps = append(steps, &run.Steps[i])
		}
	} else if s := run.StepNamed(e.Step); s != nil {
		steps = append(steps, s)
	} else {
		return []Expectation{{Name: expectName(label, e.Step, "step"),
			Detail: fmt.Sprintf("the run has no step named %q: nothing to check", e.Step)}}
	}
	var out []Expectation
	for _, s := range steps {
		name := func(check string) string { return expectName(label, s.Name, check) }
		if e.MaxTimeouts != nil {
			out = append(out, atMost(name(fmt.Sprintf("max_timeouts %d", *e.MaxTimeouts)),
				"timeouts", float64(s.Timeouts), float64(*e.MaxTimeouts), fmtCount))
		}
		if e.MaxErrors != nil {
			out = append(out, atMost(name(fmt.Sprintf("max_errors %d", *e.MaxErrors)),
				"errors", float64(s.Errors), float64(*e.MaxErrors), fmtCount))
		}
		if e.MaxP99 != nil {
			limit := millis(e.MaxP99.Duration)
			n := name("max_p99 " + fmtMs(limit))
			if s.OK == 0 {
				out = append(out, Expectation{Name: n, Detail: "no successful requests: p99 cannot be measured"})
			} else {
				out = append(out, atMost(n, "p99", s.LatencyMs.P99, limit, fmtMs))
			}
		}
		out = append(out, evaluateGrowth(e, s, name)...)
	}
	if e.MinSpeedup != nil || e.MinEfficiency != nil {
		out = append(out, evaluateComparisons(e, run)...)
	}
	if e.MaxSigma != nil {
		out = append(out, evaluateSigma(e, run))
	}
	return out
}

func evaluateComparisons(e scenarios.Expect, run *Run) []Expectation {
	label := run.Label()
	var out []Expectation
	found := false
	for _, c := range run.Comparisons {
		if e.Step != "" && c.Step != e.Step {
			continue
		}
		found = true
		name := func(check string) string { return expectName(label, c.Step, check) }
		if c.Suspect != "" {
			for _, check := range []struct {
				set  bool
				name string
			}{{e.MinSpeedup != nil, "min_speedup"}, {e.MinEfficiency != nil, "min_efficiency"}} {
				if check.set {
					out = append(out, Expectation{Name: name(check.name), Detail: "speedup not trusted: " + c.Suspect})
				}
			}
			continue
		}
		if e.MinSpeedup != nil {
			out = append(out, atLeast(name(fmt.Sprintf("min_speedup %.2f", *e.MinSpeedup)),
				"speedup", c.Speedup, *e.MinSpeedup, fmt2))
		}
		if e.MinEfficiency != nil {
			out = append(out, atLeast(name(fmt.Sprintf("min_efficiency %.2f", *e.MinEfficiency)),
				"efficiency", c.Efficiency, *e.MinEfficiency, fmt2))
		}
	}
	if !found {
		step := e.Step
		if step == "" {
			step = "*"
		}
		out = append(out, Expectation{Name: expectName(label, step, "speedup"),
			Detail: "no comparison for this step: add one under compare: (base: <step>, step: <step>)"})
	}
	return out
}

func evaluateSigma(e scenarios.Expect, run *Run) Expectation {
	label := run.Label()
	sc := run.Scaling
	step := e.Step
	if sc != nil && (step == "" || step == sc.Step) {
		step = sc.Step
		n := expectName(label, step, fmt.Sprintf("max_sigma %.2f", *e.MaxSigma))
		if sc.USL == nil {
			return Expectation{Name: n, Detail: "no scalability fit: " + sc.Note}
		}
		return atMost(n, "sigma", sc.USL.Sigma, *e.MaxSigma, fmt2)
	}
	if step == "" {
		step = "*"
	}
	return Expectation{Name: expectName(label, step, fmt.Sprintf("max_sigma %.2f", *e.MaxSigma)),
		Detail: "no sweep step to fit: max_sigma needs a step with mode: sweep"}
}

func expectName(run, step, check string) string {
	if run == "" {
		run = "*"
	}
	if step == "" {
		step = "*"
	}
	return fmt.Sprintf("%s/%s: %s", run, step, check)
}

// atMost checks got <= limit, saying by how much it was over.
func atMost(name, what string, got, limit float64, f func(float64) string) Expectation {
	if got <= limit+1e-9 {
		return Expectation{Name: name, OK: true, Detail: fmt.Sprintf("%s %s <= max %s", what, f(got), f(limit))}
	}
	return Expectation{Name: name, Detail: fmt.Sprintf("%s %s > max %s (over by %s)", what, f(got), f(limit), f(got-limit))}
}

// atLeast checks got >= limit, saying by how much it fell short.
func atLeast(name, what string, got, limit float64, f func(float64) string) Expectation {
	if got >= limit-1e-9 {
		return Expectation{Name: name, OK: true, Detail: fmt.Sprintf("%s %s >= min %s", what, f(got), f(limit))}
	}
	return Expectation{Name: name, Detail: fmt.Sprintf("%s %s < min %s (short by %s)", what, f(got), f(limit), f(limit-got))}
}

func fmtCount(f float64) string { return fmt.Sprintf("%d", int(math.Round(f))) }

func fmt2(f float64) string { return fmt.Sprintf("%.2f", f) }

// fmtMs formats milliseconds for people: "8.2ms", "812ms", "1.62s".
func fmtMs(ms float64) string {
	switch {
	case math.Abs(ms) < 10:
		return fmt.Sprintf("%.1fms", ms)
	case math.Abs(ms) < 1000:
		return fmt.Sprintf("%.0fms", ms)
	}
	return fmt.Sprintf("%.2fs", ms/1000)
}

// CompareBaseline checks a report against a saved baseline: it fails a run's
// comparison whose speedup dropped by more than tol.MaxSpeedupDrop (relative),
// and a step whose p99 rose by more than tol.MaxP99Rise. Zero tolerances take
// DefaultMaxSpeedupDrop and DefaultMaxP99Rise. Runs, steps and comparisons absent
// from either report are skipped; when nothing at all can be matched, the result
// is one failed check (the wrong baseline file, most likely).
func CompareBaseline(cur, base *Report, tol scenarios.Baseline) []Expectation {
	drop, rise := tol.MaxSpeedupDrop, tol.MaxP99Rise
	if drop <= 0 {
		drop = DefaultMaxSpeedupDrop
	}
	if rise <= 0 {
		rise = DefaultMaxP99Rise
	}
	out := []Expectation{}
	for i := range cur.Runs {
		run := &cur.Runs[i]
		old := findRun(base, run)
		if old == nil {
			continue
		}
		label := "baseline " + run.Label()
		for _, c := range run.Comparisons {
			oc := findComparison(old, c.Base, c.Step)
			if oc == nil || oc.Speedup <= 0 {
				continue
			}
			out = append(out, relativeCheck(label+"/"+c.Step+": speedup", "speedup", c.Speedup, oc.Speedup, -drop, fmt2))
		}
		for j := range run.Steps {
			s := &run.Steps[j]
			os := old.StepNamed(s.Name)
			if os == nil || os.OK == 0 {
				continue
			}
			name := label + "/" + s.Name + ": p99"
			if s.OK == 0 {
				out = append(out, Expectation{Name: name,
					Detail: fmt.Sprintf("no successful requests (baseline p99 %s)", fmtMs(os.LatencyMs.P99))})
				continue
			}
			out = append(out, relativeCheck(name, "p99", s.LatencyMs.P99, os.LatencyMs.P99, rise, fmtMs))
		}
	}
	if len(out) == 0 && len(cur.Runs) > 0 {
		out = append(out, Expectation{Name: "baseline",
			Detail: fmt.Sprintf("baseline %q has no run, step or comparison in common with this report", base.Scenario)})
	}
	return out
}

// relativeCheck compares got with the baseline value: a positive limit is the
// largest allowed relative rise, a negative one the largest allowed drop.
func relativeCheck(name, what string, got, was, limit float64, f func(float64) string) Expectation {
	change := (got - was) / was
	dir := "up"
	if change < 0 {
		dir = "down"
	}
	detail := fmt.Sprintf("%s %s vs baseline %s: %s %.0f%% (allowed: %s %.0f%%)",
		what, f(got), f(was), dir, math.Abs(change)*100, map[bool]string{true: "up", false: "down"}[limit > 0], math.Abs(limit)*100)
	ok := change <= limit+1e-9
	if limit < 0 {
		ok = change >= limit-1e-9
	}
	return Expectation{Name: name, OK: ok, Detail: detail}
}

// findRun finds the run of r that corresponds to like: the same target and label,
// or, for an external target whose URL changed, the only URL run.
func findRun(r *Report, like *Run) *Run {
	var urlRuns []*Run
	for i := range r.Runs {
		if r.Runs[i].Target == like.Target && r.Runs[i].Label() == like.Label() {
			return &r.Runs[i]
		}
		if r.Runs[i].Target == TargetURL {
			urlRuns = append(urlRuns, &r.Runs[i])
		}
	}
	if like.Target == TargetURL && len(urlRuns) == 1 {
		return urlRuns[0]
	}
	return nil
}

func findComparison(r *Run, base, step string) *Comparison {
	for i := range r.Comparisons {
		if r.Comparisons[i].Base == base && r.Comparisons[i].Step == step {
			return &r.Comparisons[i]
		}
	}
	return nil
}
