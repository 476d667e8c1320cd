// Command contend-bench is the driver behind `make bench`. In one run it measures,
// side by side on this machine:
//
//  1. request generation: contend's Runner against the vegeta, hey and wrk CLIs, all
//     at full speed with the same concurrency against one trivial loopback server,
//     interleaved over several rounds (median requests per second, as a ratio to vegeta's);
//  2. the built-in target's scaling per locking strategy: a sweep over concurrency
//     levels with the base models, and its Universal Scalability Law fit;
//  3. the target's overhead over calling the ONNX sessions directly, and the
//     concurrent/sequential wall ratio per strategy (the target package's benchmarks);
//  4. cold start: the time to load both models per size and the target's resident memory.
//
// It writes the Markdown table to --out (bench/RESULTS.md) and prints it to stdout;
// progress goes to stderr. Every request goes to 127.0.0.1.
//
//	contend-bench --contend bin/contend --out bench/RESULTS.md [--large]
//
// Exit codes: 0 ok, 1 a measurement failed, 2 usage.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"contend/harness"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// Defaults of the flags.
const (
	defaultRounds      = 5
	defaultDuration    = 3 * time.Second
	defaultConcurrency = 8
	defaultPerLevel    = 16
	defaultColdRepeats = 2
	defaultTimeout     = 10 * time.Minute
)

// config is what the flags set.
type config struct {
	out         string
	contend     string // the contend binary, run as `serve` children
	moduleDir   string // where `go test ./target/` runs
	vegeta      string
	hey         string
	wrk         string
	rounds      int
	duration    time.Duration
	concurrency int
	levels      []int
	perLevel    int
	coldRepeats int
	large       bool
	cpuProfile  string
	timeout     time.Duration
	only        map[string]bool // parts to run; nil runs all
}

// The four parts of a run, as --only names them.
const (
	partLoadgen  = "loadgen"
	partScaling  = "scaling"
	partOverhead = "overhead"
	partCold     = "cold"
)

// runs reports whether the part is to be measured.
func (c config) runs(part string) bool { return c.only == nil || c.only[part] }

func main() {
	if len(os.Args) > 1 && os.Args[1] == serveOKCommand {
		os.Exit(serveOKMain(os.Args[2:], os.Stderr))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The driver runs contend's Runner in process: it gets the collector
	// setting the contend CLI runs with (the tools it spawns keep their own).
	harness.TuneGC()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses args, runs every measurement and writes the results; it returns the
// exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "contend-bench: %v\n", err)
		return exitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.timeout)
	defer cancel()
	res, err := measureAll(ctx, cfg, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "contend-bench: %v\n", err)
		return exitError
	}
	md := renderMarkdown(res)
	if err := os.MkdirAll(filepath.Dir(cfg.out), 0o755); err != nil {
		fmt.Fprintf(stderr, "contend-bench: %v\n", err)
		return exitError
	}
	if err := os.WriteFile(cfg.out, []byte(md), 0o644); err != nil {
		fmt.Fprintf(stderr, "contend-bench: write results: %v\n", err)
		return exitError
	}
	fmt.Fprint(stdout, md)
	fmt.Fprintf(stderr, "contend-bench: wrote %s in %s\n", cfg.out, res.took.Round(time.Second))
	return exitOK
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("contend-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := config{levels: []int{1, 2, 4, 8}}
	fs.StringVar(&cfg.out, "out", "bench/RESULTS.md", "write the Markdown results here")
	fs.StringVar(&cfg.contend, "contend", "bin/contend", "the contend binary (`make build`)")
	fs.StringVar(&cfg.moduleDir, "module", ".", "the contend module's root, for `go test ./target/`")
	fs.StringVar(&cfg.vegeta, "vegeta", "vegeta", "the vegeta CLI (`make tools` puts it in .cache/bin)")
	fs.StringVar(&cfg.hey, "hey", "hey", "the hey CLI (Debian package hey)")
	fs.StringVar(&cfg.wrk, "wrk", "wrk", "the wrk CLI (Debian package wrk)")
	fs.IntVar(&cfg.rounds, "rounds", defaultRounds, "interleaved rounds of the request-generation comparison")
	fs.DurationVar(&cfg.duration, "duration", defaultDuration, "length of each tool's attack per round")
	fs.IntVar(&cfg.concurrency, "c", defaultConcurrency, "concurrency (connections, workers) of every load generator")
	fs.Func("levels", "concurrency levels of the scaling sweep (default 1,2,4,8)", func(s string) error {
		levels, err := parseLevels(s)
		cfg.levels = levels
		return err
	})
	fs.IntVar(&cfg.perLevel, "requests-per-level", defaultPerLevel, "requests per level of the scaling sweep")
	fs.IntVar(&cfg.coldRepeats, "cold-repeats", defaultColdRepeats, "cold starts per model size (median)")
	fs.BoolVar(&cfg.large, "large", false, "also cold-start the large models (1.1 GB; built first when missing, ~6 s)")
	fs.StringVar(&cfg.cpuProfile, "cpuprofile", "", "write a CPU profile of the driver during request generation")
	fs.DurationVar(&cfg.timeout, "timeout", defaultTimeout, "give up after this long")
	fs.Func("only", "measure only these parts (comma-separated: loadgen, scaling, overhead, cold)", func(s string) error {
		cfg.only = map[string]bool{}
		for _, p := range strings.Split(s, ",") {
			switch p = strings.TrimSpace(p); p {
			case partLoadgen, partScaling, partOverhead, partCold:
				cfg.only[p] = true
			default:
				return fmt.Errorf("unknown part %q", p)
			}
		}
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	switch {
	case fs.NArg() > 0:
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	case cfg.rounds < 1 || cfg.rounds > 20:
		return cfg, fmt.Errorf("-rounds must be 1..20, got %d", cfg.rounds)
	case cfg.duration < time.Second || cfg.duration > time.Minute || cfg.duration%time.Second != 0:
		return cfg, fmt.Errorf("-duration must be whole seconds in 1s..1m (wrk reads no fractions), got %s", cfg.duration)
	case cfg.concurrency < 2 || cfg.concurrency > 256:
		return cfg, fmt.Errorf("-c must be 2..256 (wrk runs 2 threads), got %d", cfg.concurrency)
	case cfg.perLevel < 1 || cfg.perLevel > 200:
		return cfg, fmt.Errorf("-requests-per-level must be 1..200, got %d", cfg.perLevel)
	case cfg.coldRepeats < 1 || cfg.coldRepeats > 10:
		return cfg, fmt.Errorf("-cold-repeats must be 1..10, got %d", cfg.coldRepeats)
	case cfg.timeout <= 0:
		return cfg, fmt.Errorf("-timeout must be above 0")
	}
	return cfg, nil
}

// parseLevels reads "1,2,4,8": ascending positive levels, at most 64 each.
func parseLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 || n > 64 {
			return nil, fmt.Errorf("level %q must be a whole number in 1..64", f)
		}
		if len(out) > 0 && n <= out[len(out)-1] {
			return nil, fmt.Errorf("levels must ascend: %d after %d", n, out[len(out)-1])
		}
		out = append(out, n)
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("need at least two levels, got %q", s)
	}
	return out, nil
}

// results is everything one run measured.
type results struct {
	started  time.Time
	took     time.Duration
	cfg      config
	machine  machine
	loadgen  loadgenResult
	scaling  []scalingRow
	overhead goBenchResult
	cold     []coldRow
	phases   []phaseLoad
}

// measureAll runs the four measurements in order, each alone on the machine.
func measureAll(ctx context.Context, cfg config, log io.Writer) (*results, error) {
	res := &results{started: time.Now(), cfg: cfg}
	var err error
	if cfg.contend, err = resolveBinary(cfg.contend, "make build"); err != nil {
		return nil, err
	}
	for _, p := range []*string{&cfg.vegeta, &cfg.hey, &cfg.wrk} {
		hint := map[string]string{"vegeta": "make tools"}[filepath.Base(*p)]
		if hint == "" {
			hint = "make bench (apt-get install -y hey wrk)"
		}
		if *p, err = resolveBinary(*p, hint); err != nil {
			return nil, err
		}
	}
	res.cfg = cfg
	if res.machine, err = describeMachine(ctx, cfg); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "contend-bench: %d cores, %s; %s\n", res.machine.cores, res.machine.cpu, res.machine.goVersion)

	phase := func(name string, f func() error) error {
		if !cfg.runs(name) {
			return nil
		}
		p := phaseLoad{name: name, loadStart: loadAverage()}
		busy, tree, started := machineBusyOrZero(), treeCPU(), time.Now()
		err := f()
		p.wall, p.busy, p.own = time.Since(started), machineBusyOrZero()-busy, treeCPU()-tree
		res.phases = append(res.phases, p)
		return err
	}
	err = phase(partLoadgen, func() error {
		stopProfile, err := startProfile(cfg.cpuProfile)
		if err != nil {
			return err
		}
		defer stopProfile()
		res.loadgen, err = measureLoadgen(ctx, cfg, log)
		return wrapIf(err, "request generation")
	})
	if err == nil {
		err = phase(partScaling, func() (err error) {
			res.scaling, err = measureScaling(ctx, cfg, res.machine, log)
			return wrapIf(err, "scaling")
		})
	}
	if err == nil {
		err = phase(partOverhead, func() (err error) {
			res.overhead, err = measureGoBench(ctx, cfg, log)
			return wrapIf(err, "target benchmarks")
		})
	}
	if err == nil {
		err = phase(partCold, func() error {
			sizes := []string{"tiny", "base"}
			if cfg.large {
				sizes = append(sizes, "large")
			}
			for _, size := range sizes {
				row, err := measureCold(ctx, cfg, size, log)
				if err != nil {
					return fmt.Errorf("cold start %s: %w", size, err)
				}
				res.cold = append(res.cold, row)
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	res.took = time.Since(res.started)
	return res, nil
}

// phaseLoad is how busy the machine was during one part of the run.
type phaseLoad struct {
	name      string
	wall      time.Duration
	busy      time.Duration // CPU time the whole machine was busy
	own       time.Duration // CPU time the driver and its children used
	loadStart float64       // one-minute load average when the part began
}

// otherCores is the CPU, in cores, that processes outside the driver's tree used
// during the part.
func (p phaseLoad) otherCores() float64 {
	if p.wall <= 0 {
		return 0
	}
	return max((p.busy-p.own).Seconds(), 0) / p.wall.Seconds()
}

// machineBusyOrZero is machineBusy, 0 when /proc/stat is unreadable (the load
// columns then read 0).
func machineBusyOrZero() time.Duration {
	d, _ := machineBusy()
	return d
}

// wrapIf wraps a non-nil err with what failed.
func wrapIf(err error, what string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}

// startProfile starts a CPU profile into path ("" for none); the returned function
// stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
