package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"contend/harness"
	"contend/reports"
	"contend/scenarios"
)

// Probe defaults, as hey and oha users expect them.
const (
	// DefaultProbeTimeout is probe's per-request client timeout (-t).
	DefaultProbeTimeout = 20 * time.Second
	// probeMinConcurrency is the least default top concurrency (-c).
	probeMinConcurrency = 4
	// probeWarmup is how many untimed requests come before the sequential step.
	probeWarmup = 2
)

// Probe expectations (--expect).
const (
	expectParallel      = "parallel"       // the concurrent step's verdict is parallel
	expectNotSerialized = "not-serialized" // the concurrent step is faster than one at a time
)

// secondsFlag is a duration flag that also takes a bare number of seconds, as
// hey's -t does ("-t 20"), besides Go durations as oha's does ("-t 20s").
type secondsFlag time.Duration

func (d *secondsFlag) String() string { return time.Duration(*d).String() }

func (d *secondsFlag) Set(v string) error {
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		*d = secondsFlag(secs * float64(time.Second))
		return nil
	}
	parsed, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is neither a duration (20s) nor a number of seconds (20)", v)
	}
	*d = secondsFlag(parsed)
	return nil
}

// headerFlag collects repeated -H "Key: Value" flags.
type headerFlag []string

func (h *headerFlag) String() string { return strings.Join(*h, ", ") }

func (h *headerFlag) Set(v string) error {
	k, val, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("header %q: want \"Key: Value\"", v)
	}
	*h = append(*h, strings.TrimSpace(k)+": "+strings.TrimSpace(val))
	return nil
}

// probeFlags are probe's own flags; the display and output flags are run's.
type probeFlags struct {
	method       string
	body         string
	headers      headerFlag
	contentType  string
	concurrency  int
	perLevel     int
	timeout      time.Duration
	expect       string
	saveScenario string
}

// cmdProbe diagnoses any HTTP endpoint in one line: it builds a scenario
// (warm-up, sequential, concurrent at -c, a sweep up to -c), runs it through the
// normal runner and prints the usual report.
func cmdProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("probe", "probe URL [flags]", stderr)
	var p probeFlags
	var f runFlags
	fs.StringVar(&p.method, "m", "", "HTTP method (default GET, or POST when -d is given)")
	fs.StringVar(&p.body, "d", "", "request body, or @FILE to read it from a file")
	fs.Var(&p.headers, "H", `request header "Key: Value" (repeatable)`)
	fs.StringVar(&p.contentType, "T", "", "Content-Type of the body")
	fs.IntVar(&p.concurrency, "c", defaultProbeConcurrency(), "top concurrency of the sweep (default twice the cores, at least 4)")
	fs.IntVar(&p.perLevel, "n", 0, "requests per step and per sweep level (default twice -c)")
	p.timeout = DefaultProbeTimeout
	fs.Var((*secondsFlag)(&p.timeout), "t", "per-request client timeout: a duration (20s, 1m) or, as hey takes it, seconds (20)")
	fs.StringVar(&p.expect, "expect", "", "exit 3 unless the service scales: parallel or not-serialized (and unless the diagnosis finds requests serialized)")
	fs.StringVar(&p.saveScenario, "save-scenario", "", "write the equivalent scenario file here (for run and check)")
	fs.StringVar(&f.format, "format", "text", "what goes to stdout: text, json or markdown")
	fs.StringVar(&f.out, "out", "", "write report.json, report.md, report.html, junit.xml and raw results here")
	fs.BoolVar(&f.tui, "tui", false, "force the live dashboard")
	fs.BoolVar(&f.noTUI, "no-tui", false, "plain progress lines instead of the dashboard")
	fs.BoolVar(&f.allowRemote, "allow-remote", false, "allow a URL that is not on loopback")
	fs.IntVar(&f.targetPID, "target-pid", 0, "measure this process's CPU (and its children's) instead of the one listening on the URL's port")
	fs.StringVar(&f.pprofURL, "pprof", "", "the target's /debug/pprof/ base URL, for lock call sites (default: the URL's own, when it answers on loopback)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("probe needs exactly one URL")
	}
	if err := checkDisplay(f); err != nil {
		return err
	}
	yml, err := probeScenario(pos[0], p)
	if err != nil {
		return err
	}
	sc, err := scenarios.Load(bytes.NewReader(yml), "probe")
	if err != nil {
		// The flags made a scenario the loader rejects: say which flag, not which line.
		return usagef("probe: %v", err)
	}
	if err := harness.CheckTargetURL(sc.Target.URL, f.allowRemote); err != nil {
		return usageError{err.Error()}
	}
	if f.pprofURL != "" {
		if err := harness.CheckTargetURL(f.pprofURL, f.allowRemote); err != nil {
			return usagef("--pprof: %v", err)
		}
	}
	if f.targetPID < 0 {
		return usagef("--target-pid must be a process id, not %d", f.targetPID)
	}
	if p.saveScenario != "" {
		if err := os.WriteFile(p.saveScenario, yml, 0o644); err != nil {
			return fmt.Errorf("save scenario: %w", err)
		}
		fmt.Fprintf(stderr, "contend: scenario written to %s (contend check %s runs it again)\n", p.saveScenario, p.saveScenario)
	}
	rep, err := execute(ctx, sc, f, stdout, stderr)
	if err != nil {
		return err
	}
	if p.expect == "" {
		return nil
	}
	if err := gate(rep, stderr); err != nil {
		return err
	}
	return gateDiagnosis(rep, stderr)
}

// serializedKinds are the findings that contradict --expect: whatever the
// speedup (a machine busy during the sequential step inflates it), a service
// diagnosed as running requests one at a time does not scale.
var serializedKinds = []string{reports.KindLockSerialized, reports.KindCPUSerialized, reports.KindSerialized}

// gateDiagnosis fails --expect (exit 3) when the diagnosis found the requests
// serialized. check on a --save-scenario file gates the speedup only.
func gateDiagnosis(rep *reports.Report, stderr io.Writer) error {
	for _, run := range rep.Runs {
		for _, d := range run.Diagnosis {
			if slices.Contains(serializedKinds, d.Kind) {
				fmt.Fprintf(stderr, "FAIL %s, %s: diagnosis %s: %s\n", run.Label(), d.Step, d.Kind, d.Summary)
				return fmt.Errorf("%w: the diagnosis is %s", errExpectation, d.Kind)
			}
		}
	}
	return nil
}

// defaultProbeConcurrency is twice the cores, at least probeMinConcurrency.
func defaultProbeConcurrency() int {
	return max(probeMinConcurrency, 2*runtime.NumCPU())
}

// probeFile is the scenario file probe writes: the subset of the format it uses.
type probeFile struct {
	Name    string              `yaml:"name"`
	Target  map[string]string   `yaml:"target"`
	Request probeRequest        `yaml:"request"`
	Steps   []probeStep         `yaml:"steps"`
	Compare []map[string]string `yaml:"compare"`
	Expect  []probeExpect       `yaml:"expect,omitempty"`
}

type probeRequest struct {
	Method  string            `yaml:"method"`
	Path    string            `yaml:"path"`
	Headers map[string]string `yaml:"headers,omitempty"`
	Body    string            `yaml:"body,omitempty"`
	Timeout string            `yaml:"timeout"`
}

type probeStep struct {
	Name             string `yaml:"name"`
	Mode             string `yaml:"mode"`
	Requests         int    `yaml:"requests,omitempty"`
	Concurrency      int    `yaml:"concurrency,omitempty"`
	Levels           []int  `yaml:"levels,omitempty,flow"`
	RequestsPerLevel int    `yaml:"requests_per_level,omitempty"`
	Warmup           int    `yaml:"warmup,omitempty"`
}

type probeExpect struct {
	Step          string   `yaml:"step"`
	MaxTimeouts   *int     `yaml:"max_timeouts,omitempty"`
	MaxErrors     *int     `yaml:"max_errors,omitempty"`
	MinSpeedup    *float64 `yaml:"min_speedup,omitempty"`
	MinEfficiency *float64 `yaml:"min_efficiency,omitempty"`
}

// probeScenario turns probe's URL and flags into a scenario file: the one probe
// runs (after scenarios.Load) and the one --save-scenario writes, so the two
// cannot differ.
func probeScenario(raw string, p probeFlags) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("probe: %q is not an http or https URL", raw)
	}
	if p.concurrency < 2 {
		return nil, usagef("-c must be at least 2 to compare with one at a time, not %d", p.concurrency)
	}
	n := p.perLevel
	if n == 0 {
		n = 2 * p.concurrency
	}
	if n < p.concurrency {
		return nil, usagef("-n %d is less than -c %d: the top level would never reach its concurrency", n, p.concurrency)
	}
	if p.timeout <= 0 {
		return nil, usagef("-t must be positive, not %s", p.timeout)
	}
	body, err := probeBody(p.body)
	if err != nil {
		return nil, err
	}
	method := strings.ToUpper(p.method)
	if method == "" {
		method = "GET"
		if p.body != "" {
			method = "POST"
		}
	}
	headers := map[string]string{}
	for _, h := range p.headers {
		k, v, _ := strings.Cut(h, ": ")
		headers[k] = v
	}
	if p.contentType != "" {
		headers["Content-Type"] = p.contentType
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	if u.RawQuery != "" {
		path += "?" + u.RawQuery
	}
	file := probeFile{
		Name:   "probe " + u.Host + path,
		Target: map[string]string{"url": u.Scheme + "://" + u.Host},
		Request: probeRequest{Method: method, Path: path, Headers: headers, Body: body,
			Timeout: p.timeout.String()},
		Steps: []probeStep{
			{Name: "sequential", Mode: scenarios.ModeSequential, Requests: n, Warmup: probeWarmup},
			{Name: "concurrent", Mode: scenarios.ModeConcurrent, Concurrency: p.concurrency, Requests: n, Warmup: p.concurrency},
			{Name: "sweep", Mode: scenarios.ModeSweep, Levels: sweepLevels(p.concurrency), RequestsPerLevel: n},
		},
		Compare: []map[string]string{{"base": "sequential", "step": "concurrent"}},
	}
	zero := 0
	switch p.expect {
	case "":
	case expectParallel:
		eff := scenarios.DefaultVerdictParallel
		file.Expect = []probeExpect{{Step: "concurrent", MaxTimeouts: &zero, MaxErrors: &zero, MinEfficiency: &eff}}
	case expectNotSerialized:
		sp := scenarios.DefaultVerdictSerialized
		file.Expect = []probeExpect{{Step: "concurrent", MinSpeedup: &sp}}
	default:
		return nil, usagef("--expect must be %s or %s, not %q", expectParallel, expectNotSerialized, p.expect)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Written by contend probe %s: warm-up, one at a time, %d at a time, then a sweep.\n", raw, p.concurrency)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(file); err != nil {
		return nil, fmt.Errorf("probe scenario: %w", err)
	}
	return b.Bytes(), nil
}

// probeBody returns -d's body: the text itself, or @FILE's content.
func probeBody(d string) (string, error) {
	name, ok := strings.CutPrefix(d, "@")
	if !ok {
		return d, nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return "", usagef("-d @%s: %v", name, err)
	}
	if !utf8.Valid(data) {
		return "", usagef("-d @%s: the body is not UTF-8 text (a scenario file holds text bodies only)", name)
	}
	return string(data), nil
}

// sweepLevels doubles from 1 up to top, which is always the last level.
func sweepLevels(top int) []int {
	var out []int
	for c := 1; c < top; c *= 2 {
		out = append(out, c)
	}
	return append(out, top)
}
