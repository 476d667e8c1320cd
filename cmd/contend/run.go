package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"contend/harness"
	"contend/harness/tui"
	"contend/models"
	"contend/reports"
	"contend/scenarios"
)

// runFlags are the flags shared by run, check and demo.
type runFlags struct {
	target      string
	strategies  listFlag
	format      string
	out         string
	tui         bool
	noTUI       bool
	linger      bool // keep the final dashboard until q
	baseline    string
	baseReport  *reports.Report // loaded from baseline before any load is sent
	allowRemote bool
	size        string
	timeout     time.Duration // 0: each step's own client timeout
	shard       shardFlags
	maxBody     int64  // -1: the scenario's request.max_body
	targetPID   int    // probe --target-pid: the URL target's process, 0: find it
	pprofURL    string // probe --pprof: the target's /debug/pprof/ base, "": its own on loopback
}

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runCommand(ctx, "run", args, stdout, stderr)
}

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runCommand(ctx, "check", args, stdout, stderr)
}

func runCommand(ctx context.Context, name string, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(name, name+" SCENARIO.yaml [flags]", stderr)
	var f runFlags
	fs.StringVar(&f.target, "target", "", "attack this HTTP service instead of the built-in target")
	fs.Var(&f.strategies, "strategy", "built-in target strategies to run, in order (comma-separated)")
	fs.StringVar(&f.format, "format", "text", "what goes to stdout: text, json or markdown")
	fs.StringVar(&f.out, "out", "", "write report.json, report.md, report.html, junit.xml and raw results here")
	fs.BoolVar(&f.tui, "tui", false, "force the live dashboard")
	fs.BoolVar(&f.noTUI, "no-tui", false, "plain progress lines instead of the dashboard")
	fs.BoolVar(&f.linger, "linger", false, lingerUsage)
	fs.BoolVar(&f.allowRemote, "allow-remote", false, "allow a --target that is not on loopback")
	fs.StringVar(&f.size, "size", "", "override the built-in model size (tiny, base, large)")
	fs.DurationVar(&f.timeout, "timeout", 0, "per-request client timeout for every step, overriding the scenario's (e.g. 5s)")
	fs.StringVar(&f.shard.shard, "shard", "", "run shard I of N (I/N, I from 0): 1/N of each rate and burst; sequential steps on shard 0")
	fs.StringVar(&f.shard.startAt, "start-at", "", "RFC 3339 instant every shard starts at; steps then follow a shared schedule")
	fs.DurationVar(&f.shard.stepSlot, "step-slot", 0, "with --start-at: time each burst (and sweep level) gets on the schedule (default: its worst case from the timeout)")
	fs.Int64Var(&f.maxBody, "max-body", -1, "bytes of each response body kept, overriding request.max_body (the rest is read and counted)")
	if name == "check" {
		fs.StringVar(&f.baseline, "baseline", "", "a saved report.json to compare against")
	}
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := checkDisplay(f); err != nil {
		return err
	}
	if f.size != "" {
		if err := checkSize(f.size); err != nil {
			return err
		}
	}
	if f.timeout < 0 {
		return usagef("--timeout must not be negative (0 keeps the scenario's), not %s", f.timeout)
	}
	if f.maxBody < -1 || f.maxBody > scenarios.MaxMaxBody {
		return usagef("--max-body must be between 0 and %d bytes (omit it to keep the scenario's), not %d", scenarios.MaxMaxBody, f.maxBody)
	}
	if len(pos) != 1 {
		return usagef("%s needs exactly one scenario file", name)
	}
	sc, err := scenarios.LoadFile(pos[0])
	if err != nil {
		return err
	}
	if f.baseline != "" {
		if f.baseReport, err = readBaseline(f.baseline); err != nil {
			return err
		}
	}
	f.shard.file = pos[0]
	rep, err := execute(ctx, sc, f, stdout, stderr)
	if err != nil {
		return err
	}
	if name != "check" {
		return nil
	}
	return gate(rep, stderr)
}

// gate turns failed expectations (and baseline regressions) into exit code 3.
func gate(rep *reports.Report, stderr io.Writer) error {
	failed := rep.Failed()
	if len(failed) == 0 {
		return nil
	}
	for _, e := range failed {
		fmt.Fprintf(stderr, "FAIL %s: %s\n", e.Name, e.Detail)
	}
	return fmt.Errorf("%w: %d of the scenario's checks failed", errExpectation, len(failed))
}

// readBaseline loads a saved report.json for check --baseline.
func readBaseline(path string) (*reports.Report, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("baseline: %w", err)
	}
	defer fh.Close()
	base, err := reports.ReadJSON(fh)
	if err != nil {
		return nil, fmt.Errorf("baseline %s: %w", path, err)
	}
	return base, nil
}

// execute runs the scenario with the live view, then renders and writes the report.
// A cancelled or broken run still writes its partial report, then returns an error.
func execute(ctx context.Context, sc *scenarios.Scenario, f runFlags, stdout, stderr io.Writer) (*reports.Report, error) {
	switch f.format {
	case "text", "json", "markdown":
	default:
		return nil, usagef("--format must be text, json or markdown, not %q", f.format)
	}
	if f.target != "" {
		next, err := sc.WithURL(f.target)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		sc = next
	}
	if len(f.strategies) > 0 {
		if !sc.IsBuiltin() {
			return nil, usagef("--strategy applies to the built-in target, but this run attacks %s", scenarios.RedactURL(sc.Target.URL))
		}
		next, err := sc.WithStrategies(f.strategies...)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		sc = next
	}
	if f.size != "" && !sc.IsBuiltin() {
		return nil, usagef("--size applies to the built-in target, but this run attacks %s", scenarios.RedactURL(sc.Target.URL))
	}
	if f.size != "" {
		sc.Target.Builtin.Size = f.size
		if err := sc.Validate(); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	if !sc.IsBuiltin() {
		// Refuse a remote target before anything is written or sent.
		if err := harness.CheckTargetURL(sc.Target.URL, f.allowRemote); err != nil {
			return nil, usageError{err.Error()}
		}
	}
	sc, shard, err := prepareShard(sc, f)
	if err != nil {
		return nil, err
	}
	if f.out != "" {
		if err := harness.CheckOutDir(f.out); err != nil {
			return nil, err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find contend's own binary: %w", err)
	}
	opts := []harness.Option{
		harness.ServeCommand(self),
		harness.AllowRemote(f.allowRemote),
	}
	if f.out != "" {
		opts = append(opts, harness.OutDir(f.out))
	}
	if f.timeout > 0 {
		opts = append(opts, harness.Timeout(f.timeout))
	}
	if shard != nil {
		opts = append(opts, shard.option())
	}
	if f.maxBody >= 0 {
		opts = append(opts, harness.MaxBody(f.maxBody))
	}
	if f.targetPID > 0 {
		opts = append(opts, harness.TargetPID(f.targetPID))
	}
	// A URL target's own /debug/pprof/ is used when it answers on loopback.
	pprofURL := harness.PprofAuto
	if f.pprofURL != "" {
		pprofURL = f.pprofURL
	}
	opts = append(opts, harness.PprofURL(pprofURL))
	runner := harness.New(opts...)

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	useTUI := f.tui || (!f.noTUI && tui.IsTerminal(os.Stdout) && os.Getenv("CI") == "")
	if shard != nil && !useTUI {
		shard.log = stderr // the dashboard shows no lines of its own
	}
	events := runner.Run(runCtx, sc)

	// Tee the stream: the collector keeps each run's results for the report while
	// the display (TUI or plain lines) shows them.
	col := &collector{}
	display := make(chan harness.Event, 256)
	go func() {
		defer close(display)
		for ev := range events {
			col.observe(ev)
			display <- ev
		}
	}()

	if useTUI {
		err = tui.Run(runCtx, display,
			tui.OnQuit(cancel),
			tui.Linger(f.linger),
			tui.Summarize(func(t *harness.TargetResult) tui.Row { return summarize(sc, t) }),
			tui.Diagnose(func() []string { return diagnosisLines(buildReport(sc, col)) }),
		)
		// The dashboard's last frame stays on screen; start the report below it.
		fmt.Fprintln(stdout)
	} else {
		err = tui.Plain(stderr, display)
	}
	// Drain whatever the display left (a TUI that quit early), so the runner can finish.
	for range display {
	}
	if err != nil {
		fmt.Fprintf(stderr, "contend: display: %v\n", err)
	}

	// A copy of the shared report's top level: the dashboard may still be
	// reading it for the diagnosis while the shard and baseline blocks are set.
	final := *buildReport(sc, col)
	rep := &final
	if shard != nil {
		shard.attach(rep, col.input(sc))
	}
	if f.baseReport != nil {
		rep.Baseline = reports.CompareBaseline(rep, f.baseReport, sc.Baseline)
	}
	if werr := writeOutputs(rep, f, stdout); werr != nil {
		return rep, werr
	}
	if runErr := col.err(); runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return rep, fmt.Errorf("run interrupted: partial report written")
		}
		return rep, fmt.Errorf("run failed: %w", runErr)
	}
	return rep, nil
}

// collector keeps what the report needs from the event stream.
type collector struct {
	mu       sync.Mutex // guards targets, runErr and finished, written by the tee goroutine
	targets  []*harness.TargetResult
	runErr   error
	finished bool // RunDone was seen: nothing more will arrive

	repMu sync.Mutex      // held while the report is built
	rep   *reports.Report // built once the run finished (the dashboard's diagnosis and the final report share it)
}

func (c *collector) observe(ev harness.Event) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch ev.Kind {
	case harness.TargetDone:
		if ev.TargetResult != nil {
			c.targets = append(c.targets, ev.TargetResult)
		}
	case harness.RunDone:
		c.runErr, c.finished = ev.Err, true
	}
}

func (c *collector) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runErr
}

func (c *collector) input(sc *scenarios.Scenario) reports.Input {
	c.mu.Lock()
	defer c.mu.Unlock()
	in := reports.Input{Scenario: sc, Host: hostInfo(sc), Partial: c.runErr != nil}
	for _, t := range c.targets {
		in.Runs = append(in.Runs, t.ReportRun())
	}
	return in
}

// buildReport returns the report of what c collected. Once the run finished it
// is built only once: the dashboard's diagnosis (at RunDone) and the final
// report are the same one.
func buildReport(sc *scenarios.Scenario, c *collector) *reports.Report {
	c.repMu.Lock()
	defer c.repMu.Unlock()
	if c.rep != nil {
		return c.rep
	}
	c.mu.Lock()
	finished := c.finished
	c.mu.Unlock()
	rep := reports.Build(c.input(sc))
	if finished {
		c.rep = rep
	}
	return rep
}

// hostInfo describes this machine; the ONNX Runtime version only matters (and is
// only known) for the built-in target, whose children load the provisioned one.
func hostInfo(sc *scenarios.Scenario) reports.Host {
	h := reports.Host{CPUs: runtime.NumCPU(), Go: runtime.Version()}
	if sc.IsBuiltin() {
		h.ONNXRuntime = models.DefaultORTVersion
	}
	return h
}

// writeOutputs writes every format under --out, then prints the chosen format to
// stdout: the files come first, so a closed stdout (a pipe into head) loses nothing.
func writeOutputs(rep *reports.Report, f runFlags, stdout io.Writer) error {
	var errs []error
	if f.out != "" {
		files := []struct {
			name string
			r    reports.Reporter
		}{
			{"report.json", reports.NewJSONReporter(rep)},
			{"report.md", reports.NewMarkdownReporter(rep)},
			{"report.html", reports.NewHTMLReporter(rep)},
			{"junit.xml", reports.NewJUnitReporter(rep)},
			{"report.txt", reports.NewTextReporter(rep, true)},
		}
		for _, file := range files {
			if err := writeReport(filepath.Join(f.out, file.name), file.r); err != nil {
				errs = append(errs, err)
			}
		}
	}
	var r reports.Reporter
	switch f.format {
	case "json":
		r = reports.NewJSONReporter(rep)
	case "markdown":
		r = reports.NewMarkdownReporter(rep)
	default:
		r = reports.NewTextReporter(rep, !isTerminalWriter(stdout))
	}
	if err := r(stdout); err != nil {
		errs = append(errs, fmt.Errorf("write report: %w", err))
	}
	return errors.Join(errs...)
}

func writeReport(path string, r reports.Reporter) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := r(fh); err != nil {
		fh.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return fh.Close()
}

func isTerminalWriter(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && tui.IsTerminal(f) && os.Getenv("NO_COLOR") == ""
}

// summarize makes the TUI's comparison row for one finished run.
func summarize(sc *scenarios.Scenario, t *harness.TargetResult) tui.Row {
	rep := reports.Build(reports.Input{Scenario: sc, Host: hostInfo(sc), Runs: []reports.RunInput{t.ReportRun()}})
	row := tui.Row{Run: t.Run}
	if len(rep.Runs) == 0 {
		return row
	}
	run := rep.Runs[0]
	for _, st := range run.Steps {
		row.Timeouts += st.Timeouts
	}
	if len(run.Comparisons) > 0 {
		c := run.Comparisons[0]
		row.Speedup = c.Speedup
		row.Verdict = c.Verdict
		row.Sequential = stepWall(&run, c.Base)
		row.Concurrent = stepWall(&run, c.Step)
	}
	return row
}

func diagnosisLines(rep *reports.Report) []string {
	var out []string
	for _, run := range rep.Runs {
		for _, d := range run.Diagnosis {
			out = append(out, fmt.Sprintf("%s: %s", run.Label(), d.Summary))
		}
	}
	return out
}

func stepWall(run *reports.Run, name string) time.Duration {
	st := run.StepNamed(name)
	if st == nil {
		return 0
	}
	return time.Duration(st.WallS * float64(time.Second))
}
