package reports

import (
	"fmt"
	"strings"

	"contend/scenarios"
)

// Verdicts of a comparison.
const (
	VerdictSerialized   = "serialized"   // speedup at most SerializedMaxSpeedup
	VerdictPartial      = "partial"      // faster, but short of ParallelMinEfficiency
	VerdictParallel     = "parallel"     // efficiency at least ParallelMinEfficiency, no failures
	VerdictInconclusive = "inconclusive" // nothing fair to compare: no successes, a base with failures, or an ideal speedup of about 1
)

// Verdict thresholds (DESIGN.md "JSON report").
const (
	SerializedMaxSpeedup  = scenarios.DefaultVerdictSerialized // 1.25
	ParallelMinEfficiency = scenarios.DefaultVerdictParallel   // 0.75
)

// Comparison is the speedup of one step over a base step of the same run.
type Comparison struct {
	Base       string  `json:"base"`
	Step       string  `json:"step"`
	Speedup    float64 `json:"speedup"`
	Ideal      float64 `json:"ideal"`
	Efficiency float64 `json:"efficiency"`
	Verdict    string  `json:"verdict"`
	// IdealBasis says where the ideal came from: IdealFromCores,
	// IdealFromConcurrency or IdealFromScenario.
	IdealBasis string `json:"ideal_basis,omitempty"`
	// Detail explains a verdict the numbers alone do not: failures, a missing
	// step, an ideal speedup too small to judge.
	Detail string `json:"detail,omitempty"`
	// Suspect says why the speedup itself cannot be trusted (a cold base, a
	// speedup above its ideal), with the fix; min_speedup and min_efficiency
	// fail on a suspect comparison whatever its number.
	Suspect string `json:"suspect,omitempty"`
}

// SuperlinearTolerance: a speedup above its ideal by more than this factor is
// no measurement of parallelism (the base was slow for another reason).
const SuperlinearTolerance = 1.1

// Ideal returns the speedup that perfect parallelism would give a step at
// concurrency stepC over a base at concurrency baseC, when at most cores requests
// can run at once (cores <= 0: no limit).
func Ideal(baseC, stepC, cores int) float64 {
	capped := func(c int) int {
		c = max(c, 1)
		if cores > 0 {
			c = min(c, cores)
		}
		return c
	}
	return float64(capped(stepC)) / float64(capped(baseC))
}

// Speedup returns the base step's time per successful request, scaled to the
// step's successful requests, divided by the step's wall time. When every request
// succeeds this is DESIGN.md's "base wall scaled to the same request count over
// the step's wall"; failures do not count as work done. It is 0 when either step
// has no successes or no wall time.
func Speedup(base, step *Step) float64 {
	if base.OK == 0 || base.WallS <= 0 || step.WallS <= 0 {
		return 0
	}
	return base.WallS / float64(base.OK) * float64(step.OK) / step.WallS
}

// Verdict classifies a speedup: serialized when it is at most
// SerializedMaxSpeedup, parallel when the efficiency is at least
// ParallelMinEfficiency and nothing failed, partial otherwise. An ideal speedup
// at or under SerializedMaxSpeedup cannot tell them apart: inconclusive.
func Verdict(speedup, ideal float64, failed int) string {
	switch {
	case ideal <= SerializedMaxSpeedup:
		return VerdictInconclusive
	case speedup <= SerializedMaxSpeedup:
		return VerdictSerialized
	case speedup/ideal >= ParallelMinEfficiency && failed == 0:
		return VerdictParallel
	}
	return VerdictPartial
}

// Compare compares step with base, both of one run, with at most cores requests
// able to run at once (cores <= 0: no limit).
func Compare(base, step *Step, cores int) Comparison {
	c := Comparison{Base: base.Name, Step: step.Name, Ideal: Ideal(base.Concurrency, step.Concurrency, cores)}
	c.Speedup = Speedup(base, step)
	c.Efficiency = c.Speedup / c.Ideal
	c.Verdict = Verdict(c.Speedup, c.Ideal, step.Failed())
	var notes []string
	switch {
	case base.OK == 0:
		c.Verdict = VerdictInconclusive
		notes = append(notes, fmt.Sprintf("base step %q had no successful requests", base.Name))
	case base.Failed() > 0:
		// The base's wall time includes the time its failures took (a timeout's
		// whole wait), so its time per success is inflated and so is the speedup.
		c.Verdict = VerdictInconclusive
		notes = append(notes, fmt.Sprintf("base step %q had %d failed requests, so its time per request is not a fair base", base.Name, base.Failed()))
	case step.OK == 0:
		c.Verdict = VerdictInconclusive
		notes = append(notes, fmt.Sprintf("no request of step %q succeeded, so there is no speedup to measure", step.Name))
	case base.Cancelled > 0 || step.Cancelled > 0:
		// A stopped step's wall time ends with requests still running, which its
		// successes do not pay for: the speedup means nothing either way.
		c.Verdict = VerdictInconclusive
		notes = append(notes, fmt.Sprintf("the run was stopped with %s in flight", plural(base.Cancelled+step.Cancelled, "request", "requests")))
	case c.Ideal <= SerializedMaxSpeedup:
		why := "a concurrency of 1"
		if cores > 0 && step.Concurrency > cores {
			why = plural(cores, "core", "cores")
		}
		notes = append(notes, fmt.Sprintf("the ideal speedup is only %.2f (%s): parallel and serialized look alike", c.Ideal, why))
	}
	fair := base.OK > 0 && base.Failed() == 0 && step.OK > 0 // else the notes above already say why not
	switch {
	case !fair:
	case base.ColdFirstMs > 0:
		c.Suspect = fmt.Sprintf("base step %q's first request took %s, a cold start that inflates the base time and the speedup; "+
			"add warmup: 1 to step %q", base.Name, fmtMs(base.ColdFirstMs), base.Name)
	case c.Ideal > 0 && c.Speedup > SuperlinearTolerance*c.Ideal:
		c.Suspect = fmt.Sprintf("the speedup %.2fx is above the ideal %.2fx, which parallel work cannot reach: "+
			"the base step %q was slow for another reason (a cold start, a cache warming); add warmup: 1 to it", c.Speedup, c.Ideal, base.Name)
	}
	if c.Suspect != "" {
		c.Verdict = VerdictInconclusive
		notes = append([]string{c.Suspect}, notes...)
	}
	if f := step.Failed(); f > 0 {
		notes = append(notes, failureNote(step))
	}
	if step.Mode == scenarios.ModeRate || step.Mode == scenarios.ModeRamp {
		notes = append(notes, "a rate step's wall time is set by its duration, so its speedup is capped by the offered rate")
	}
	c.Detail = strings.Join(notes, "; ")
	c.Speedup, c.Ideal, c.Efficiency = round3(c.Speedup), round3(c.Ideal), round3(c.Efficiency)
	return c
}

// failureNote says how many of a step's requests failed and that the speedup
// counts only the rest.
func failureNote(s *Step) string {
	var kinds []string
	if s.Timeouts > 0 {
		kinds = append(kinds, plural(s.Timeouts, "timeout", "timeouts"))
	}
	if s.Errors > 0 {
		kinds = append(kinds, plural(s.Errors, "error", "errors"))
	}
	return fmt.Sprintf("%d of %d requests of step %q failed (%s); the speedup counts only the %d that succeeded",
		s.Failed(), s.Requests, s.Name, strings.Join(kinds, ", "), s.OK)
}

// defaultPairs compares every concurrent and rate step with the run's first
// sequential step, for scenarios that list no comparisons.
func defaultPairs(steps []Step) []scenarios.Compare {
	base := ""
	for _, s := range steps {
		if s.Mode == scenarios.ModeSequential {
			base = s.Name
			break
		}
	}
	if base == "" {
		return nil
	}
	var pairs []scenarios.Compare
	for _, s := range steps {
		switch s.Mode {
		case scenarios.ModeConcurrent, scenarios.ModeRate, scenarios.ModeRamp:
			pairs = append(pairs, scenarios.Compare{Base: base, Step: s.Name})
		}
	}
	return pairs
}

// compareRun makes the scenario's comparisons (or the default ones) for a run.
// A comparison whose steps are missing (a cancelled run) is inconclusive.
func compareRun(sc *scenarios.Scenario, run *Run, builtin bool) []Comparison {
	pairs := sc.Compare
	if len(pairs) == 0 {
		pairs = defaultPairs(run.Steps)
	}
	out := []Comparison{}
	for _, p := range pairs {
		base, step := run.StepNamed(p.Base), run.StepNamed(p.Step)
		if base == nil || step == nil {
			missing := p.Base
			if base != nil {
				missing = p.Step
			}
			out = append(out, Comparison{Base: p.Base, Step: p.Step, Verdict: VerdictInconclusive,
				Detail: fmt.Sprintf("the run has no step named %q", missing)})
			continue
		}
		cores, basis := idealCores(step, builtin, sc.Target.Ideal)
		if basis == IdealFromCores && !builtin && waitsMoreThanComputes(base, step) {
			cores, basis = 0, IdealFromNotCPUBound
		}
		c := Compare(base, step, cores)
		c.IdealBasis = basis
		if note := busyNote(base, step); note != "" {
			c.Detail = joinNote(c.Detail, note)
		}
		out = append(out, c)
	}
	return out
}
