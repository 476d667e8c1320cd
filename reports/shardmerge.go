package reports

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// ShardFile is one shard's saved report, for MergeShards.
type ShardFile struct {
	// Name says where the report was read from, for errors ("out/shard-2/report.json").
	Name   string
	Report *Report
	// Raw is the shard's raw results read back (each step's and sweep level's
	// results), or nil when they were not found. With every shard's, the merged
	// report is diagnosed from each request's timing; without, it says it
	// could not be.
	Raw *RunInput
}

// MergeInfo is what a merged report records of its shards: the JSON report's
// "merged".
type MergeInfo struct {
	Count   int       `json:"count"`
	StartAt time.Time `json:"start_at,omitzero"`
	// Shards are the indexes merged, Missing those absent (--allow-partial).
	Shards  []int `json:"shards"`
	Missing []int `json:"missing,omitempty"`
	// Notes are the shards' skipped steps and missed starts, and what the merge
	// could not do.
	Findings []string `json:"notes,omitempty"`
}

// Notes returns the merge's lines for people.
func (m *MergeInfo) Notes() []string {
	head := fmt.Sprintf("merged from %d of %d shards", len(m.Shards), m.Count)
	if !m.StartAt.IsZero() {
		head += ", started at " + m.StartAt.UTC().Format(time.RFC3339Nano)
	}
	out := []string{head + "; expectations judged on the merged data"}
	if len(m.Missing) > 0 {
		out = append(out, fmt.Sprintf("MISSING: shards %s of %d: these figures are only part of the load", joinInts(m.Missing), m.Count))
	}
	return append(out, m.Findings...)
}

// Errors of MergeShards.
var (
	ErrNotShard       = errors.New("not a shard's report (run with --shard I/N)")
	ErrShardsMismatch = errors.New("shards do not belong to one run")
	ErrShardMissing   = errors.New("shards missing")
	ErrShardTwice     = errors.New("shard given twice")
)

// MergeShards merges the reports of the shards of one sharded run into the
// report of the whole, exactly: counts added; latencies from the shards' HDR
// histograms merged (so every percentile is the one a single histogram of all
// the requests would give); each step's (and sweep level's) wall time from the
// earliest request sent by any shard to the last answer any shard got. The
// scenario's comparisons, scaling fit, expectations and diagnosis are then
// evaluated on the merged steps, as Build does for one process.
//
// The shards must belong together: the same scenario (its text's digest), the
// same target, the same N and start instant, each index once. A missing index
// is an error unless allowPartial, when the merged report names what is
// missing (merged.missing, and a MISSING note every reporter shows).
//
// Some step fields are not sums: peak_in_flight is the shards' peaks added (at
// most what was in flight at once); the target's CPU and resource samples are
// facts of the one target every shard watched, taken from the lowest shard
// that measured them; the timeline is the shards' points on one clock.
func MergeShards(files []ShardFile, allowPartial bool) (*Report, error) {
	present, mi, err := indexShards(files, allowPartial)
	if err != nil {
		return nil, err
	}
	first, info := present[0], present[0].Report.Shard
	sc, err := scenarios.Load(strings.NewReader(info.Scenario), first.Report.File)
	if err != nil {
		return nil, fmt.Errorf("merge: the shards' scenario: %w", err)
	}
	if info.Target != "" && !sc.IsBuiltin() {
		if sc, err = sc.WithURL(info.Target); err != nil {
			return nil, fmt.Errorf("merge: the shards' target: %w", err)
		}
	}

	run := Run{Target: TargetURL, URL: info.Target, Steps: []Step{}}
	var runErrs []string
	haveRaw := true
	for _, f := range present {
		if len(f.Report.Runs) != 1 {
			return nil, fmt.Errorf("merge %s: %d runs, want the one a URL target makes", f.Name, len(f.Report.Runs))
		}
		if e := f.Report.Runs[0].Error; e != "" {
			runErrs = append(runErrs, fmt.Sprintf("shard %d: %s", f.Report.Shard.Index, e))
		}
		haveRaw = haveRaw && f.Raw != nil
		for _, n := range f.Report.Shard.Notes()[1:] {
			mi.Findings = append(mi.Findings, fmt.Sprintf("shard %d: %s", f.Report.Shard.Index, n))
		}
	}
	run.Error = strings.Join(runErrs, "; ")
	ri := RunInput{Target: TargetURL, URL: info.Target}
	for _, orig := range sc.Steps {
		parts := stepParts(present, orig.Name)
		if len(parts) == 0 {
			continue // no shard ran it: a run that stopped early
		}
		st, si, err := mergeStep(orig, parts)
		if err != nil {
			return nil, err
		}
		run.Steps = append(run.Steps, st)
		ri.Steps = append(ri.Steps, si)
	}
	for _, st := range run.Steps {
		if st.Mode == scenarios.ModeSweep {
			run.Scaling = buildScaling(st, false, sc.Target.Ideal)
			break
		}
	}
	run.Comparisons = compareRun(sc, &run, false)
	if haveRaw {
		run.Diagnosis = diagnose(sc, &run, ri)
	} else {
		run.Diagnosis = []Diagnosis{{Kind: KindInconclusive, Basis: BasisLatency, Evidence: map[string]float64{},
			Summary: "not diagnosed: the diagnosis reads each request's timing, and some shards' raw results were not found beside their reports"}}
	}
	rep := &Report{
		Scenario: sc.Name, File: first.Report.File, Host: first.Report.Host,
		Runs: []Run{run}, Merged: mi,
	}
	for _, f := range present {
		rep.Partial = rep.Partial || f.Report.Partial
	}
	rep.Expectations = evaluateUnmatched(sc, rep.Runs)
	rep.Runs[0].Expectations = evaluateRun(sc, &rep.Runs[0])
	return rep, nil
}

// part is one shard's share of one step.
type part struct {
	shard int
	plan  *ShardStep
	step  *Step
	raw   *StepInput // nil without raw results
}

func stepParts(files []*ShardFile, name string) []part {
	var out []part
	for _, f := range files {
		for k := range f.Report.Shard.Steps {
			ps := &f.Report.Shard.Steps[k]
			if ps.Step != name || ps.Skipped != "" {
				continue
			}
			st := f.Report.Runs[0].StepNamed(name)
			if st == nil {
				continue // the shard stopped before this step
			}
			p := part{shard: f.Report.Shard.Index, plan: ps, step: st}
			if f.Raw != nil {
				for i := range f.Raw.Steps {
					if f.Raw.Steps[i].Step.Name == name {
						p.raw = &f.Raw.Steps[i]
					}
				}
			}
			out = append(out, p)
		}
	}
	return out
}

// counts is what adds up across shards: a step's or a level's.
type counts struct {
	requests, ok, timeouts, errors, cancelled int
	by                                        ErrorCounts
}

func (c *counts) add(requests, ok, timeouts, errors, cancelled int) {
	c.requests += requests
	c.ok += ok
	c.timeouts += timeouts
	c.errors += errors
	c.cancelled += cancelled
}

// latencyMerge merges the shards' latency histograms and their exact means.
type latencyMerge struct {
	h          *hdrhistogram.Histogram
	sum, maxMs float64  // the successes' latency sum and the slowest, ms
	server     ServerMs // Server-Timing sums, ms, over server.N
}

func newLatencyMerge() *latencyMerge { return &latencyMerge{h: NewLatencyHistogram()} }

func (m *latencyMerge) add(where, encoded string, lat Latency, sm *ServerMs) error {
	if lat.N > 0 {
		if encoded == "" {
			return fmt.Errorf("%s: %d successes but no histogram_hdr (a report from a contend without it)", where, lat.N)
		}
		h, err := decodeForMerge(encoded)
		if err != nil {
			return fmt.Errorf("%s: histogram_hdr: %w", where, err)
		}
		if h.TotalCount() != int64(lat.N) {
			return fmt.Errorf("%s: histogram_hdr holds %d latencies, the step %d successes", where, h.TotalCount(), lat.N)
		}
		if dropped := m.h.Merge(h); dropped > 0 {
			return fmt.Errorf("%s: %d latencies outside the histogram's range", where, dropped)
		}
		m.sum += lat.Mean * float64(lat.N)
		m.maxMs = max(m.maxMs, lat.Max)
	}
	if sm != nil && sm.N > 0 {
		n := float64(sm.N)
		m.server.Wait += sm.Wait * n
		m.server.Load += sm.Load * n
		m.server.Infer += sm.Infer * n
		m.server.N += sm.N
	}
	return nil
}

func (m *latencyMerge) latency() Latency {
	n := m.h.TotalCount()
	if n == 0 {
		return Latency{}
	}
	return LatencyOf(m.h, m.sum/float64(n), m.maxMs)
}

func (m *latencyMerge) serverMs() *ServerMs {
	if m.server.N == 0 {
		return nil
	}
	n := float64(m.server.N)
	return &ServerMs{Wait: round3(m.server.Wait / n), Load: round3(m.server.Load / n), Infer: round3(m.server.Infer / n), N: m.server.N}
}

// shardSpan is the wall time of attacks run by several shards: from the earliest
// first send to the latest last answer.
type shardSpan struct{ first, last time.Time }

func (s *shardSpan) add(a ShardAttack) {
	if a.FirstSend.IsZero() {
		return
	}
	if s.first.IsZero() || a.FirstSend.Before(s.first) {
		s.first = a.FirstSend
	}
	if a.LastAnswer.After(s.last) {
		s.last = a.LastAnswer
	}
}

func (s shardSpan) wall() time.Duration {
	if s.first.IsZero() {
		return 0
	}
	return s.last.Sub(s.first)
}

func mergeStep(orig scenarios.Step, parts []part) (Step, StepInput, error) {
	where := func(p part) string { return fmt.Sprintf("merge: shard %d step %s", p.shard, orig.Name) }
	out := Step{Name: orig.Name, Mode: orig.Mode}
	si := StepInput{Step: orig, TargetCPUSeconds: UnknownCPU}
	var c counts
	lm := newLatencyMerge()
	var sp shardSpan
	samples := map[[2]string]int{}
	var sampleOrder [][2]string
	for _, p := range parts {
		s := p.step
		c.add(s.Requests, s.OK, s.Timeouts, s.Errors, s.Cancelled)
		c.by.Refused += s.ErrorsBy.Refused
		c.by.Client4xx += s.ErrorsBy.Client4xx
		c.by.Server5xx += s.ErrorsBy.Server5xx
		c.by.Other += s.ErrorsBy.Other
		if err := lm.add(where(p), s.HistogramHDR, s.LatencyMs, s.ServerMs); err != nil {
			return Step{}, si, err
		}
		for _, a := range p.plan.Attacks {
			sp.add(a)
		}
		out.PeakInFlight += s.PeakInFlight
		out.Cores = max(out.Cores, s.Cores)
		if out.TimeoutMs == 0 {
			out.TimeoutMs = s.TimeoutMs
		}
		if out.TargetCPUS == nil && s.TargetCPUS != nil {
			out.TargetCPUS, out.CPUUtil = s.TargetCPUS, s.CPUUtil
		}
		if out.Resources == nil {
			out.Resources = s.Resources
		}
		for _, e := range s.ErrorSamples {
			k := [2]string{e.Class, e.Error}
			if _, ok := samples[k]; !ok {
				sampleOrder = append(sampleOrder, k)
			}
			samples[k] += e.Count
		}
	}
	sort.SliceStable(sampleOrder, func(i, j int) bool { return samples[sampleOrder[i]] > samples[sampleOrder[j]] })
	for _, k := range sampleOrder[:min(len(sampleOrder), MaxErrorSamples)] {
		out.ErrorSamples = append(out.ErrorSamples, ErrorSample{Class: k[0], Count: samples[k], Error: k[1]})
	}
	out.Requests, out.OK, out.Timeouts, out.Errors, out.Cancelled, out.ErrorsBy = c.requests, c.ok, c.timeouts, c.errors, c.cancelled, c.by
	out.LatencyMs, out.ServerMs = lm.latency(), lm.serverMs()
	if lm.h.TotalCount() > 0 {
		out.HistogramHDR = EncodeLatencyHistogram(lm.h)
	}
	out.Histogram = binsOf(lm.h, out.Timeouts, out.Errors)

	wall := sp.wall()
	if orig.Mode == scenarios.ModeSweep {
		wall = 0
		for _, level := range orig.Levels {
			l, li, err := mergeLevel(orig.Name, level, parts)
			if err != nil {
				return Step{}, si, err
			}
			if l.Requests == 0 {
				continue
			}
			out.Levels = append(out.Levels, l)
			si.Levels = append(si.Levels, li)
			wall += time.Duration(l.WallS * float64(time.Second))
		}
	}
	if wall <= 0 {
		for _, p := range parts {
			wall = max(wall, time.Duration(p.step.WallS*float64(time.Second)))
		}
	}
	out.WallS = round6(wall.Seconds())
	if out.WallS > 0 {
		out.ThroughputRPS = round4(float64(out.OK) / out.WallS)
	}
	out.Timeline = mergeTimelines(parts, sp.first)
	out.Concurrency = stepConcurrency(orig, out)
	si.Wall = wall
	if out.TargetCPUS != nil {
		si.TargetCPUSeconds = *out.TargetCPUS
	}
	allRaw := true
	for _, p := range parts {
		if p.raw != nil {
			si.Results = append(si.Results, p.raw.Results...)
		}
		allRaw = allRaw && p.raw != nil
	}
	mergeWarnings(&out, orig, parts, allRaw, si.Results)
	return out, si, nil
}

// mergeWarnings sets what a step's numbers need said on the merged step. A
// step one shard ran (a sequential one) keeps that shard's cold-start mark and
// warnings; otherwise a rate step's achieved rate is judged again on the whole
// (from every request's send time when the raw results are there, else as the
// shards' achieved rates added), and the shards' own warnings follow, named.
func mergeWarnings(out *Step, orig scenarios.Step, parts []part, allRaw bool, results []vegeta.Result) {
	if len(parts) == 1 {
		out.ColdFirstMs = parts[0].step.ColdFirstMs
		out.OfferedRPS, out.AchievedRPS = parts[0].step.OfferedRPS, parts[0].step.AchievedRPS
		out.Warnings = slices.Clone(parts[0].step.Warnings)
		if orig.Mode == scenarios.ModeRate || orig.Mode == scenarios.ModeRamp {
			out.Warnings = nil
			setRates(out, orig, deref(parts[0].step.AchievedRPS))
		}
		return
	}
	if allRaw {
		offeredRate(out, orig, byStart(results))
	} else {
		achieved := 0.0
		for _, p := range parts {
			achieved += deref(p.step.AchievedRPS)
		}
		setRates(out, orig, achieved)
	}
	for _, p := range parts {
		for _, w := range p.step.Warnings {
			out.Warnings = append(out.Warnings, fmt.Sprintf("shard %d: %s", p.shard, w))
		}
	}
}

func deref(f *float64) float64 {
	if f == nil {
		return 0
	}
	return *f
}

// mergeLevel merges one sweep level across the shards that ran it.
func mergeLevel(step string, level int, parts []part) (Level, LevelInput, error) {
	l := Level{Concurrency: level}
	li := LevelInput{Concurrency: level, TargetCPUSeconds: UnknownCPU}
	var c counts
	lm := newLatencyMerge()
	var sp shardSpan
	for _, p := range parts {
		m := slices.IndexFunc(p.plan.Levels, func(sl scenarios.ShardLevel) bool { return sl.Level == level })
		if m < 0 || m >= len(p.step.Levels) {
			continue
		}
		sl := p.step.Levels[m]
		c.add(sl.Requests, sl.OK, sl.Timeouts, sl.Errors, sl.Cancelled)
		where := fmt.Sprintf("merge: shard %d step %s level %d", p.shard, step, level)
		lat := Latency{N: sl.OK}
		if err := lm.addLevel(where, sl.HistogramHDR, lat, sl.ServerMs); err != nil {
			return l, li, err
		}
		if m < len(p.plan.Attacks) {
			sp.add(p.plan.Attacks[m])
		}
		if l.CPUUtil == nil {
			l.CPUUtil = sl.CPUUtil
		}
		if p.raw != nil && m < len(p.raw.Levels) {
			li.Results = append(li.Results, p.raw.Levels[m].Results...)
		}
	}
	l.Requests, l.OK, l.Timeouts, l.Errors, l.Cancelled = c.requests, c.ok, c.timeouts, c.errors, c.cancelled
	lat := lm.latency()
	l.P50, l.P99, l.ServerMs = lat.P50, lat.P99, lm.serverMs()
	if lm.h.TotalCount() > 0 {
		l.HistogramHDR = EncodeLatencyHistogram(lm.h)
	}
	wall := sp.wall()
	l.WallS = round6(wall.Seconds())
	if l.WallS > 0 {
		l.ThroughputRPS = round4(float64(l.OK) / l.WallS)
	}
	li.Wall = wall
	return l, li, nil
}

// addLevel merges a level's histogram: a level keeps no mean or max of its
// own, so the merged level's percentiles are capped by the histogram's max.
func (m *latencyMerge) addLevel(where, encoded string, lat Latency, sm *ServerMs) error {
	if lat.N > 0 && encoded != "" {
		h, err := decodeForMerge(encoded)
		if err != nil {
			return fmt.Errorf("%s: histogram_hdr: %w", where, err)
		}
		lat.Mean = h.Mean() / 1000
		lat.Max = float64(h.Max()) / 1000
	}
	return m.add(where, encoded, lat, sm)
}

// decodeForMerge decodes a shard's histogram and checks it has the geometry
// every step's has: merged with another, it would keep another precision.
func decodeForMerge(encoded string) (*hdrhistogram.Histogram, error) {
	h, err := DecodeLatencyHistogram(encoded)
	if err != nil {
		return nil, err
	}
	want := NewLatencyHistogram()
	if h.LowestTrackableValue() != want.LowestTrackableValue() || h.HighestTrackableValue() != want.HighestTrackableValue() ||
		h.SignificantFigures() != want.SignificantFigures() {
		return nil, fmt.Errorf("range %d..%d µs at %d significant figures, want %d..%d at %d",
			h.LowestTrackableValue(), h.HighestTrackableValue(), h.SignificantFigures(),
			want.LowestTrackableValue(), want.HighestTrackableValue(), want.SignificantFigures())
	}
	return h, nil
}

// binsOf is the chart's equal-width histogram of a merged HDR histogram: each
// HDR bucket counted in the bin of its middle.
func binsOf(h *hdrhistogram.Histogram, timeouts, errs int) Histogram {
	out := Histogram{Bins: []Bin{}, Timeouts: timeouts, Errors: errs}
	if h.TotalCount() == 0 {
		return out
	}
	lo, hi := math.Floor(float64(h.Min())/1000), math.Ceil(float64(h.Max())/1000)
	if hi <= lo {
		hi = lo + 1
	}
	width := (hi - lo) / HistogramBins
	for i := range HistogramBins {
		out.Bins = append(out.Bins, Bin{LoMs: round3(lo + float64(i)*width), HiMs: round3(lo + float64(i+1)*width)})
	}
	for _, bar := range h.Distribution() {
		if bar.Count == 0 {
			continue
		}
		mid := (float64(bar.From) + float64(bar.To)) / 2000
		b := int((mid - lo) / width)
		out.Bins[min(max(b, 0), HistogramBins-1)].N += int(bar.Count)
	}
	return out
}

// mergeTimelines puts the shards' timeline points on one clock, from the
// earliest first send, and thins them to the report's limits.
func mergeTimelines(parts []part, start time.Time) Timeline {
	tl := Timeline{OK: []Point{}}
	var failed []FailedPoint
	for _, p := range parts {
		shift := 0.0
		if len(p.plan.Attacks) > 0 && !start.IsZero() && !p.plan.Attacks[0].FirstSend.IsZero() {
			shift = p.plan.Attacks[0].FirstSend.Sub(start).Seconds()
		}
		for _, pt := range p.step.Timeline.OK {
			tl.OK = append(tl.OK, Point{T: round3(pt.T + shift), Ms: pt.Ms})
		}
		for _, pt := range p.step.Timeline.Failed {
			pt.T = round3(pt.T + shift)
			failed = append(failed, pt)
		}
	}
	sort.SliceStable(tl.OK, func(i, j int) bool { return tl.OK[i].T < tl.OK[j].T })
	sort.SliceStable(failed, func(i, j int) bool { return failed[i].T < failed[j].T })
	tl.Failed = evenly(failed, maxFailedPoints)
	tl.OK = evenly(tl.OK, MaxTimelinePoints-len(tl.Failed))
	return tl
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

func short(digest string) string {
	if len(digest) > 12 {
		return digest[:12]
	}
	return digest
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "(none)"
	}
	return t.UTC().Format(time.RFC3339Nano)
}
