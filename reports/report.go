package reports

import (
	"fmt"

	"contend/scenarios"
)

// Report is the result of one scenario run: the JSON report's schema (see the
// package doc). It holds everything the text, Markdown, JUnit and HTML reporters
// draw, so a saved report.json can be re-rendered without the raw results.
type Report struct {
	Scenario string `json:"scenario"`
	// File is the scenario file the run was started from ("" for a reader).
	File string `json:"file,omitempty"`
	Host Host   `json:"host"`
	// Partial is true when the run was cancelled before every step finished.
	Partial bool  `json:"partial,omitempty"`
	Runs    []Run `json:"runs"`
	// Expectations holds the scenario's expectations that matched no run (they
	// fail: an expectation that checks nothing must not pass silently).
	Expectations []Expectation `json:"expectations,omitempty"`
	// Baseline holds the checks against a saved baseline report; the CLI stores
	// CompareBaseline's result here so that Failed and the reporters include it.
	Baseline []Expectation `json:"baseline,omitempty"`
	// Shard is set in the report of one shard of a sharded run (--shard).
	Shard *ShardInfo `json:"shard,omitempty"`
	// Merged is set in a report merged from shards (MergeShards).
	Merged *MergeInfo `json:"merged,omitempty"`
}

// Run is one target run: one strategy of the built-in target, or the URL.
type Run struct {
	Target   string `json:"target"`
	Strategy string `json:"strategy"`
	URL      string `json:"url,omitempty"`
	// Error says why the run stopped early.
	Error string `json:"error,omitempty"`
	// Log is the path of the target's log, when one was kept.
	Log string `json:"log,omitempty"`
	// TargetCPU says how the target's CPU was measured, or why it was not.
	TargetCPU    string        `json:"target_cpu,omitempty"`
	Steps        []Step        `json:"steps"`
	Comparisons  []Comparison  `json:"comparisons"`
	Scaling      *Scaling      `json:"scaling,omitempty"`
	Expectations []Expectation `json:"expectations"`
	Diagnosis    []Diagnosis   `json:"diagnosis"`
}

// Label returns the name a run is shown under: its strategy, else its URL, else
// its target kind.
func (r *Run) Label() string {
	switch {
	case r.Strategy != "":
		return r.Strategy
	case r.URL != "":
		return r.URL
	}
	return r.Target
}

// StepNamed returns the run's step with the given name, or nil.
func (r *Run) StepNamed(name string) *Step {
	for i := range r.Steps {
		if r.Steps[i].Name == name {
			return &r.Steps[i]
		}
	}
	return nil
}

// Expectation is one pass/fail check: a scenario expectation, or a comparison
// with a baseline report. Detail says what was measured and, on failure, by how
// much it missed.
type Expectation struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Failed returns every failed expectation of the report: per run, unmatched and
// baseline checks, in that order. A run that stopped with an error also counts as
// a failure, named after the run.
func (r *Report) Failed() []Expectation {
	var out []Expectation
	for i := range r.Runs {
		run := &r.Runs[i]
		if run.Error != "" {
			out = append(out, Expectation{Name: run.Label() + ": run", Detail: "run failed: " + run.Error})
		}
		for _, e := range run.Expectations {
			if !e.OK {
				out = append(out, e)
			}
		}
	}
	for _, list := range [][]Expectation{r.Expectations, r.Baseline} {
		for _, e := range list {
			if !e.OK {
				out = append(out, e)
			}
		}
	}
	return out
}

// Build aggregates a run's results into a Report: per-step counts and latency
// percentiles, comparisons and verdicts, the sweep's scaling and its Universal
// Scalability Law fit, the scenario's expectations and the diagnosis. Build never
// fails: missing data shows as zero values and notes in the report.
func Build(in Input) *Report {
	sc := in.Scenario
	if sc == nil {
		sc = &scenarios.Scenario{}
	}
	rep := &Report{Scenario: sc.Name, File: sc.File, Host: in.Host, Partial: in.Partial, Runs: []Run{}}
	for _, ri := range in.Runs {
		rep.Runs = append(rep.Runs, buildRun(sc, in.Host, ri))
	}
	rep.Expectations = evaluateUnmatched(sc, rep.Runs)
	for i := range rep.Runs {
		rep.Runs[i].Expectations = evaluateRun(sc, &rep.Runs[i])
	}
	return rep
}

func buildRun(sc *scenarios.Scenario, host Host, ri RunInput) Run {
	run := Run{
		Target:    ri.Target,
		Strategy:  ri.Strategy,
		URL:       ri.URL,
		Error:     ri.Err,
		Log:       ri.LogPath,
		TargetCPU: ri.CPU,
		Steps:     []Step{},
	}
	if run.Target == "" {
		run.Target = TargetBuiltin
		if ri.URL != "" && ri.Strategy == "" {
			run.Target = TargetURL
		}
	}
	builtin := run.Target == TargetBuiltin
	for _, si := range ri.Steps {
		st := aggregateStep(si, host, builtin)
		run.Steps = append(run.Steps, st)
		if st.Mode == scenarios.ModeSweep && run.Scaling == nil {
			run.Scaling = buildScaling(st, builtin, sc.Target.Ideal)
		}
	}
	run.Comparisons = compareRun(sc, &run, builtin)
	run.Diagnosis = diagnose(sc, &run, ri)
	reconcile(&run)
	return run
}

// reconcile makes a comparison inconclusive when its speedup says the step ran in
// parallel but the diagnosis, from the target's own signals (lock wait, the
// staircase, its runnable threads), found the step's requests serialized. The
// speedup is two wall times taken seconds apart, and a machine busy with other
// work during the base step inflates it; a gate must not pass a serialized
// target on such a number.
func reconcile(run *Run) {
	for i := range run.Comparisons {
		c := &run.Comparisons[i]
		if c.Verdict != VerdictParallel && c.Verdict != VerdictPartial {
			continue
		}
		for _, d := range run.Diagnosis {
			if d.Step != c.Step || (d.Kind != KindLockSerialized && d.Kind != KindCPUSerialized) {
				continue
			}
			c.Suspect = fmt.Sprintf("the speedup %.2fx reads as %s, but the diagnosis found step %q's requests serialized (%s): "+
				"the base step %q was slowed by something else, such as a busy machine; run it again with the machine quiet",
				c.Speedup, c.Verdict, c.Step, d.Kind, c.Base)
			c.Verdict = VerdictInconclusive
			c.Detail = joinNote(c.Suspect, c.Detail)
			break
		}
	}
}

// Where a comparison's ideal speedup came from (Comparison.IdealBasis).
const (
	IdealFromScenario    = "scenario"    // the scenario's target.ideal
	IdealFromCores       = "cores"       // min(concurrency, cores): the target runs on this machine
	IdealFromConcurrency = "concurrency" // the target's cores are unknown (not on loopback)
	// IdealFromNotCPUBound: the concurrency, for a loopback target that hardly used
	// the CPU while the step ran (its work waits rather than computes).
	IdealFromNotCPUBound = "not-cpu-bound"
)

// coresFor returns the cores to judge a step against for the ideal speedup.
func coresFor(st *Step, builtin bool, ideal int) int {
	n, _ := idealCores(st, builtin, ideal)
	return n
}

// idealCores returns the cores to judge a step against for the ideal speedup
// and where they came from: the scenario's override, else the step's cores when
// the target runs on this machine (the built-in target, or a loopback URL: the
// harness sets Cores only then), else 0 (unbounded: the concurrency).
func idealCores(st *Step, _ bool, ideal int) (int, string) {
	switch {
	case ideal > 0:
		return ideal, IdealFromScenario
	case st.Cores > 0:
		return st.Cores, IdealFromCores
	}
	return 0, IdealFromConcurrency
}

// waitsMoreThanComputes reports whether a URL target on this machine spent less CPU
// time per request than cpuBoundShare of the time one request takes (the base step's
// median latency): it waits (on I/O, another service, a timer) rather than computes,
// so the machine's cores do not bound its speedup. It reads the base step's CPU,
// else the step's; false when neither was measured.
func waitsMoreThanComputes(base, step *Step) bool {
	service := base.LatencyMs.P50
	for _, s := range []*Step{base, step} {
		if s.TargetCPUS != nil && s.OK > 0 && service > 0 {
			return cpuShareOfService(*s.TargetCPUS, s.OK, service) < cpuBoundShare
		}
	}
	return false
}

// cpuBoundShare: a target whose CPU time per request is under this share of the
// time one request takes spends its requests waiting, not computing. CPU time
// counts only what ran, so a busy machine, which stretches the service time,
// lowers the share of CPU-bound work to about the share of a core it got: 0.3
// leaves room for losing most of a core.
const cpuBoundShare = 0.3

// cpuShareOfService is the target's CPU time per successful request (cpuSeconds over
// ok requests) as a share of serviceMs, the time one request takes.
func cpuShareOfService(cpuSeconds float64, ok int, serviceMs float64) float64 {
	return cpuSeconds * 1000 / float64(ok) / serviceMs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
