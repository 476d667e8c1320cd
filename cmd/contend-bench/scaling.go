package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// translateBody is the request of the scaling sweep and of the cold-start probe:
// the ten-word sentence the target package's benchmarks translate.
const translateBody = `{"text": "the old man gives the boy cold water every morning", "source": "en", "target": "hi"}`

// scalingStrategies are compared side by side: the seed's bug, then its fix.
var scalingStrategies = []string{scenarios.StrategyNaive, scenarios.StrategyDoubleChecked}

// scalingRow is one strategy's sweep: its levels and USL fits.
type scalingRow struct {
	strategy string
	levels   []reports.Level
	// fit is the report's own fit (for the built-in target, the levels up to the
	// cores); note says which levels it used.
	fit  *reports.USL
	note string
	// fitAll is reports.FitUSL over every level, cores or not.
	fitAll *reports.USL
	// diagnosis is the report's verdict on the sweep (its first diagnosis kind).
	diagnosis string
}

// throughputAt returns the level's throughput, 0 when the level is missing.
func (s scalingRow) throughputAt(c int) float64 {
	for _, l := range s.levels {
		if l.Concurrency == c {
			return l.ThroughputRPS
		}
	}
	return 0
}

// measureScaling runs one sweep per strategy against the built-in target (base
// models, one `contend serve` child per strategy, warmed) and builds the report's
// scaling block from it, as `contend run` would.
func measureScaling(ctx context.Context, cfg config, m machine, log io.Writer) ([]scalingRow, error) {
	sc := &scenarios.Scenario{
		Name: "bench-scaling",
		Target: scenarios.Target{Builtin: &scenarios.Builtin{
			Strategies:     scalingStrategies,
			Size:           scenarios.SizeBase,
			IntraOpThreads: 1,
		}},
		Request: scenarios.Request{
			Method:  http.MethodPost,
			Path:    "/translate",
			Headers: map[string]string{"Content-Type": "application/json"},
			Body:    translateBody,
			Timeout: scenarios.Duration{Duration: 60 * time.Second},
		},
		Steps: []scenarios.Step{{
			Name:             "sweep",
			Mode:             scenarios.ModeSweep,
			Levels:           cfg.levels,
			RequestsPerLevel: cfg.perLevel,
			Warmup:           2,
		}},
	}
	fmt.Fprintf(log, "contend-bench: scaling sweep %v x %d requests, base models, strategies %v\n",
		cfg.levels, cfg.perLevel, scalingStrategies)
	r := harness.New(harness.ServeCommand(cfg.contend), harness.ErrorSamples(0))
	var (
		runs   []reports.RunInput
		runErr error
	)
	for ev := range r.Run(ctx, sc) {
		switch ev.Kind {
		case harness.TargetDone:
			runs = append(runs, ev.TargetResult.ReportRun())
			if ev.TargetResult.Err != nil {
				runErr = errors.Join(runErr, ev.TargetResult.Err)
			}
		case harness.StepDone:
			for _, l := range ev.StepResult.Levels {
				fmt.Fprintf(log, "contend-bench:   %-15s c=%d: %d requests in %s\n",
					ev.Run, l.Concurrency, len(l.Results), l.Wall.Round(time.Millisecond))
			}
		case harness.RunDone:
			runErr = errors.Join(runErr, ev.Err)
		}
	}
	if runErr != nil {
		return nil, runErr
	}
	rep := reports.Build(reports.Input{Scenario: sc, Host: m.host(), Runs: runs})
	var rows []scalingRow
	for i := range rep.Runs {
		run := &rep.Runs[i]
		if run.Scaling == nil {
			return nil, fmt.Errorf("strategy %s: the report has no scaling block", run.Strategy)
		}
		row := scalingRow{strategy: run.Strategy, levels: run.Scaling.Levels, fit: run.Scaling.USL, note: run.Scaling.Note}
		for _, l := range row.levels {
			if l.OK != l.Requests {
				return nil, fmt.Errorf("strategy %s, concurrency %d: %d of %d requests failed",
					run.Strategy, l.Concurrency, l.Requests-l.OK, l.Requests)
			}
		}
		var pts []reports.USLPoint
		for _, l := range row.levels {
			pts = append(pts, reports.USLPoint{N: float64(l.Concurrency), X: l.ThroughputRPS})
		}
		if u, err := reports.FitUSL(pts); err == nil {
			row.fitAll = &u
		}
		for _, d := range run.Diagnosis {
			if d.Step == "sweep" || d.Step == "" {
				row.diagnosis = d.Kind
				break
			}
		}
		rows = append(rows, row)
	}
	if len(rows) != len(scalingStrategies) {
		return nil, fmt.Errorf("got %d strategy runs, want %d", len(rows), len(scalingStrategies))
	}
	return rows, nil
}
