package scenarios

import (
	"errors"
	"strings"
	"testing"
)

// head is a valid target and request that error cases build on: lines 1-3.
const head = `target:
  builtin: {strategies: [naive, double-checked]}
request: {body: '{"text": "hi"}'}
`

// TestLoadErrors checks, for every kind of problem, that Load reports it with the
// exact file, line and field, and says what is wrong.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // prefixes of each problem's message, in order
	}{
		{"yaml syntax", "name: x\n\tsteps: []\n", []string{`t.yaml:2: invalid YAML: found a tab character that violates indentation`}},
		{"empty file", "", []string{`t.yaml: empty file`}},
		{"comments only", "# nothing\n", []string{`t.yaml: empty file`}},
		{"null document", "~\n", []string{`t.yaml:1: empty document`}},
		{"second document", head + "steps: [{mode: sequential, requests: 1}]\n---\nname: x\n", []string{`t.yaml:5: a second YAML document: a scenario file holds one (remove the ---)`}},
		{"root not a mapping", "- a\n- b\n", []string{`t.yaml:1: got a list, want a mapping`}},
		{"unknown top-level key", head + "stesp: []\n", []string{
			`t.yaml:1: steps: no steps`,
			`t.yaml:4: stesp: unknown key (did you mean "steps"?); valid keys are name, target, request, steps, compare, expect, baseline`,
		}},
		{"unknown nested key", "target:\n  builtin: {sise: tiny}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:2: target.builtin.sise: unknown key (did you mean "size"?); valid keys are strategies, size, cold, load_delay, intra_op_threads`,
		}},
		{"unknown step key", head + "steps:\n  - mode: sequential\n    requests: 1\n    concurency: 1\n", []string{
			`t.yaml:7: steps[0].concurency: unknown key (did you mean "concurrency"?); valid keys are name, mode,`,
		}},
		{"key written twice", head + "steps: [{mode: sequential, requests: 1, requests: 2}]\n", []string{
			`t.yaml:4: steps[0].requests: key written twice (first at line 4)`,
		}},
		{"wrong kind", head + "steps: 5\n", []string{`t.yaml:4: steps: got a whole number, want a list`}},
		{"bad duration", head + "steps: [{mode: rate, rate: 1/s, duration: 10}]\n", []string{
			`t.yaml:4: steps[0].duration: "10" is not a duration (want e.g. 10s, 250ms or 1m30s)`,
		}},
		{"bad rate", head + "steps:\n  - {mode: sequential, requests: 1}\n  - {mode: rate, rate: 20/x, duration: 1s}\n", []string{
			`t.yaml:6: steps[1].rate: "20/x" is not a rate (want N/s, N/m or N/<duration>)`,
		}},
		{"zero rate", head + "steps: [{mode: rate, rate: 0/s, duration: 1s}]\n", []string{
			`t.yaml:4: steps[0].rate: a rate step needs a rate above 0`,
		}},
		{"bad whole number", head + "steps: [{mode: sequential, requests: four}]\n", []string{
			`t.yaml:4: steps[0].requests: "four" is not a whole number`,
		}},
		{"bad boolean", "target:\n  builtin: {cold: yes}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:2: target.builtin.cold: "yes" is not true or false`,
		}},
		{"empty steps", head + "steps: []\n", []string{`t.yaml:4: steps: no steps`}},
		{"missing steps", head, []string{`t.yaml:1: steps: no steps`}},
		{"duplicate step names", head + "steps:\n  - {name: a, mode: sequential, requests: 1}\n  - {name: a, mode: sequential, requests: 2}\n", []string{
			`t.yaml:6: steps[1].name: step name "a" is already used by steps[0] (line 5)`,
		}},
		{"defaulted names collide", head + "steps:\n  - {mode: sequential, requests: 1}\n  - {mode: sequential, requests: 2}\n", []string{
			`t.yaml:6: steps[1].name: step name "sequential" is already used`,
		}},
		{"bad step name", head + "steps: [{name: a b, mode: sequential, requests: 1}]\n", []string{
			`t.yaml:4: steps[0].name: "a b" is not a step name`,
		}},
		{"unknown mode", head + "steps: [{name: a, mode: burst, requests: 1}]\n", []string{
			`t.yaml:4: steps[0].mode: unknown mode "burst" (valid: sequential, concurrent, rate, ramp, sweep)`,
		}},
		{"missing mode", head + "steps:\n  - name: a\n    requests: 1\n", []string{
			`t.yaml:5: steps[0].mode: no mode (valid: sequential, concurrent, rate, ramp, sweep)`,
		}},
		{"field of another mode", head + "steps: [{mode: rate, rate: 5/s, duration: 1s, levels: [1, 2]}]\n", []string{
			`t.yaml:4: steps[0].levels: levels does not belong to a rate step (rate steps take rate, duration, warmup, timeout)`,
		}},
		{"empty field of another mode", head + "steps: [{mode: sequential, requests: 1, rate: 0}]\n", []string{
			`t.yaml:4: steps[0].rate: rate does not belong to a sequential step`,
		}},
		{"requests below 1", head + "steps: [{mode: concurrent, requests: 0}]\n", []string{
			`t.yaml:4: steps[0].requests: a concurrent step needs requests of at least 1 (got 0)`,
		}},
		{"requests missing", head + "steps: [{mode: sequential}]\n", []string{
			`t.yaml:4: steps[0].requests: a sequential step needs requests of at least 1 (got 0)`,
		}},
		{"concurrency below 1", head + "steps: [{mode: concurrent, requests: 4, concurrency: 0}]\n", []string{
			`t.yaml:4: steps[0].concurrency: concurrency must be at least 1 (got 0)`,
		}},
		{"concurrency above requests", head + "steps: [{mode: concurrent, requests: 4, concurrency: 8}]\n", []string{
			`t.yaml:4: steps[0].concurrency: concurrency 8 is more than requests 4`,
		}},
		{"sequential with concurrency", head + "steps: [{mode: sequential, requests: 4, concurrency: 2}]\n", []string{
			`t.yaml:4: steps[0].concurrency: a sequential step sends one request at a time (got concurrency 2)`,
		}},
		{"zero step timeout", head + "steps: [{mode: sequential, requests: 1, timeout: 0s}]\n", []string{
			`t.yaml:4: steps[0].timeout: timeout 0s must be positive`,
		}},
		{"negative warmup", head + "steps: [{mode: sequential, requests: 1, warmup: -1}]\n", []string{
			`t.yaml:4: steps[0].warmup: warmup -1 is negative`,
		}},
		{"rate step without duration", head + "steps: [{mode: rate, rate: 5}]\n", []string{
			`t.yaml:4: steps[0].duration: a rate step needs a positive duration`,
		}},
		{"ramp without rate_to", head + "steps: [{mode: ramp, rate: 1/s, duration: 5s}]\n", []string{
			`t.yaml:4: steps[0].rate_to: a ramp step needs rate_to above 0`,
		}},
		{"sweep without levels", head + "steps: [{mode: sweep}]\n", []string{
			`t.yaml:4: steps[0].levels: a sweep step needs levels`,
		}},
		{"sweep levels", head + "steps:\n  - mode: sweep\n    levels:\n      - 0\n      - 4\n      - 2\n", []string{
			`t.yaml:7: steps[0].levels[0]: level 0 must be at least 1`,
			`t.yaml:9: steps[0].levels[2]: level 2 does not rise above 4`,
		}},
		{"requests_per_level below top level", head + "steps: [{mode: sweep, levels: [1, 16]}]\n", []string{
			`t.yaml:4: steps[0].requests_per_level: requests_per_level 8 is below the top level 16`,
		}},
		{"requests_per_level zero", head + "steps: [{mode: sweep, levels: [1], requests_per_level: 0}]\n", []string{
			`t.yaml:4: steps[0].requests_per_level: requests_per_level must be at least 1 (got 0)`,
		}},
		{"url and builtin", "target:\n  url: http://127.0.0.1:8000\n  builtin: {}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:1: target: both url and builtin are set`,
		}},
		{"no target", "request: {}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:1: target: no target: set url`,
		}},
		{"url not http", "target: {url: 'ftp://example.com/'}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:1: target.url: "ftp://example.com/" is not an http or https URL with a host`,
		}},
		{"url without host", "target:\n  url: 'http:///translate'\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:2: target.url: "http:///translate" is not an http or https URL with a host`,
		}},
		{"negative ideal", "target: {url: 'http://127.0.0.1:1', ideal: -2}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:1: target.ideal: ideal -2 is negative`,
		}},
		{"unknown strategy", "target:\n  builtin:\n    strategies:\n      - naive\n      - dc\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:5: target.builtin.strategies[1]: unknown strategy "dc" (valid: naive, double-checked, once, eager)`,
		}},
		{"strategy twice", "target:\n  builtin: {strategies: [once, once]}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:2: target.builtin.strategies[1]: strategy "once" is listed twice`,
		}},
		{"no strategies", "target:\n  builtin: {strategies: []}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:2: target.builtin.strategies: no strategies`,
		}},
		{"unknown size", "target:\n  builtin:\n    size: huge\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:3: target.builtin.size: unknown size "huge" (valid: tiny, base, large)`,
		}},
		{"negative load delay", "target:\n  builtin: {load_delay: -1s}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:2: target.builtin.load_delay: load_delay -1s is negative`,
		}},
		{"top-level key written twice", head + "steps: [{mode: sequential, requests: 1}]\nrequest: {method: GET}\n", []string{
			`t.yaml:5: request: key written twice (first at line 3)`,
		}},
		{"bad method", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  method: 'GET /'\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:3: request.method: "GET /" is not an HTTP method`,
		}},
		{"bad path", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  path: translate\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:3: request.path: "translate" is not a path`,
		}},
		{"bad header name", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  headers:\n    'X Bad': 1\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:4: request.headers.X Bad: "X Bad" is not a valid header name`,
		}},
		{"body not JSON", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  body: '{text: hi'\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:3: request.body: body is not valid JSON, but Content-Type is application/json`,
		}},
		{"zero timeout", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  timeout: 0s\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:3: request.timeout: timeout 0s must be positive`,
		}},
		{"negative timeout", "target: {url: 'http://127.0.0.1:1'}\nrequest: {timeout: -5s}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:2: request.timeout: timeout -5s must be positive`,
		}},
		{"compare unknown step", head + "steps: [{name: a, mode: sequential, requests: 1}]\ncompare:\n  - {base: a, step: b}\n", []string{
			`t.yaml:6: compare[0].step: unknown step "b" (steps: a)`,
		}},
		{"compare with itself", head + "steps: [{name: a, mode: sequential, requests: 1}]\ncompare: [{base: a, step: a}]\n", []string{
			`t.yaml:5: compare[0].step: step "a" is compared with itself`,
		}},
		{"compare a rate step", head + "steps:\n  - {name: a, mode: sequential, requests: 1}\n  - {name: r, mode: rate, rate: 1, duration: 1s}\ncompare: [{base: a, step: r}]\n", []string{
			`t.yaml:7: compare[0].step: step "r" is a rate step; only sequential and concurrent steps have a speedup`,
		}},
		{"expect unknown step", head + "steps: [{name: a, mode: sequential, requests: 1}]\nexpect: [{step: z, max_errors: 0}]\n", []string{
			`t.yaml:5: expect[0].step: unknown step "z" (steps: a)`,
		}},
		{"expect without step", head + "steps: [{name: a, mode: sequential, requests: 1}]\nexpect: [{max_errors: 0}]\n", []string{
			`t.yaml:5: expect[0].step: no step given (steps: a)`,
		}},
		{"expect unknown strategy", head + "steps: [{name: a, mode: sequential, requests: 1}]\nexpect:\n  - strategy: fixed\n    step: a\n    max_errors: 0\n", []string{
			`t.yaml:6: expect[0].strategy: unknown strategy "fixed" (valid: naive, double-checked, once, eager)`,
		}},
		{"expect strategy not run", head + "steps: [{name: a, mode: sequential, requests: 1}]\nexpect: [{strategy: eager, step: a, max_errors: 0}]\n", []string{
			`t.yaml:5: expect[0].strategy: strategy "eager" is not run by this scenario (target.builtin.strategies: naive, double-checked)`,
		}},
		{"expect strategy on a url", "target: {url: 'http://127.0.0.1:1'}\nsteps: [{name: a, mode: sequential, requests: 1}]\nexpect: [{strategy: naive, step: a, max_errors: 0}]\n", []string{
			`t.yaml:3: expect[0].strategy: the target is a url, which has no strategies`,
		}},
		{"expect without threshold", head + "steps: [{name: a, mode: sequential, requests: 1}]\nexpect:\n  - {step: a}\n", []string{
			`t.yaml:6: expect[0]: no threshold: set at least one of max_timeouts, max_errors, min_speedup, min_efficiency, max_p99, max_sigma, max_rss_growth, max_goroutine_growth, max_fd_growth`,
		}},
		{"bad growth", head + "steps: [{name: a, mode: rate, rate: 1, duration: 1s}]\nexpect:\n  - step: a\n    max_rss_growth: 20XB/min\n", []string{
			`t.yaml:7: expect[0].max_rss_growth: "20XB/min" is not a growth bound (unknown unit "XB"; want e.g. 20MB/min, 5/min or 2%/min)`,
		}},
		{"growth without period", head + "steps: [{name: a, mode: rate, rate: 1, duration: 1s}]\nexpect: [{step: a, max_fd_growth: 5}]\n", []string{
			`t.yaml:5: expect[0].max_fd_growth: "5" is not a growth bound (no /period;`,
		}},
		{"rss growth without a unit", head + "steps: [{name: a, mode: rate, rate: 1, duration: 1s}]\nexpect:\n  - step: a\n    max_rss_growth: 20000/min\n", []string{
			`t.yaml:7: expect[0].max_rss_growth: max_rss_growth 20000/min has no unit; want a size such as 20MB/min`,
		}},
		{"goroutine growth in bytes", head + "steps: [{name: a, mode: rate, rate: 1, duration: 1s}]\nexpect:\n  - step: a\n    max_goroutine_growth: 5MB/min\n", []string{
			`t.yaml:7: expect[0].max_goroutine_growth: max_goroutine_growth 5MB/min is a size; want a count such as 5/min`,
		}},
		{"response status out of range", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  expect:\n    status: 404\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:4: request.expect.status: status 404 is not a success (want 200-399); any other status already counts as an error`,
		}},
		{"response json not a boolean", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  expect: {json: sure}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:3: request.expect.json: "sure" is not true or false`,
		}},
		{"unknown response check", "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  expect: {jsn: true}\nsteps: [{mode: sequential, requests: 1}]\n", []string{
			`t.yaml:3: request.expect.jsn: unknown key (did you mean "json"?); valid keys are status, json`,
		}},
		{"min_speedup without compare", head + "steps: [{name: a, mode: sequential, requests: 1}]\nexpect: [{step: a, min_speedup: 1.5}]\n", []string{
			`t.yaml:5: expect[0].min_speedup: min_speedup needs a compare entry with step: a`,
		}},
		{"max_sigma on a concurrent step", head + "steps: [{name: a, mode: concurrent, requests: 1}]\nexpect: [{step: a, max_sigma: 0.1}]\n", []string{
			`t.yaml:5: expect[0].max_sigma: max_sigma needs a sweep step, but "a" is a concurrent step`,
		}},
		{"negative thresholds", head + "steps: [{name: a, mode: sequential, requests: 1}]\nexpect: [{step: a, max_errors: -1, max_p99: 0s}]\n", []string{
			`t.yaml:5: expect[0].max_errors: max_errors -1 is negative`,
			`t.yaml:5: expect[0].max_p99: max_p99 0s must be positive`,
		}},
		{"not a finite number", head + "steps: [{name: a, mode: sweep, levels: [1]}]\nexpect: [{step: a, max_sigma: .nan}]\n", []string{
			`t.yaml:5: expect[0].max_sigma: ".nan" is not a finite number`,
		}},
		{"baseline out of range", head + "steps: [{mode: sequential, requests: 1}]\nbaseline: {max_speedup_drop: 1.5, max_p99_rise: -1}\n", []string{
			`t.yaml:5: baseline.max_speedup_drop: max_speedup_drop 1.5 is not a fraction in [0, 1)`,
			`t.yaml:5: baseline.max_p99_rise: max_p99_rise -1 is negative`,
		}},
		{"merge into itself", head + "steps:\n  - &s {mode: sequential, requests: 1, <<: *s}\n", []string{
			`t.yaml:5: steps[0]: a merge key (<<) refers back to its own mapping`,
		}},
		{"relative timeout naming a later step", head + "steps:\n  - {name: burst, mode: concurrent, concurrency: 2, requests: 2, timeout: 3x seq}\n  - {name: seq, mode: sequential, requests: 2}\n", []string{
			`t.yaml:5: steps[0].timeout: timeout 3x seq: step "seq" runs later; it must run before this one (the first step has none before it)`,
		}},
		{"relative timeout naming no step", head + "steps:\n  - {name: seq, mode: sequential, requests: 2}\n  - {name: burst, mode: concurrent, concurrency: 2, requests: 2, timeout: 3x sqe}\n", []string{
			`t.yaml:6: steps[1].timeout: timeout 3x sqe: no earlier step is named "sqe" (earlier steps: seq)`,
		}},
		{"relative timeout naming its own step", head + "steps: [{name: seq, mode: sequential, requests: 2, timeout: 2x seq}]\n", []string{
			`t.yaml:4: steps[0].timeout: timeout 2x seq scales the step's own latency; name an earlier step`,
		}},
		{"relative timeout with a bad factor", head + "steps:\n  - {name: seq, mode: sequential, requests: 2}\n  - {mode: sequential, requests: 2, timeout: -2x seq}\n  - {name: b, mode: sequential, requests: 2, timeout: twox seq}\n", []string{
			`t.yaml:6: steps[1].timeout: "-2x seq": the factor must be above 0`,
			`t.yaml:7: steps[2].timeout: "twox seq": "twox" is not a factor (want e.g. 7x sequential)`,
		}},
		{"step timeout neither form", head + "steps: [{mode: sequential, requests: 2, timeout: 7x}]\n", []string{
			`t.yaml:4: steps[0].timeout: "7x" is neither a duration (10s, 250ms) nor a multiple of an earlier step's latency (7x sequential)`,
		}},
		{"all problems, sorted by line", head + "steps:\n  - {mode: rate, rate: 1/q, duration: 1s}\n  - {mode: warp}\nrequest: {}\n", []string{
			`t.yaml:5: steps[0].rate: "1/q" is not a rate`,
			`t.yaml:6: steps[1].mode: unknown mode "warp"`,
			`t.yaml:7: request: key written twice (first at line 3)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(strings.NewReader(tt.in), "t.yaml")
			if err == nil {
				t.Fatalf("Load succeeded (%+v), want errors %q", s, tt.want)
			}
			if s != nil {
				t.Errorf("Load returned a scenario with its error")
			}
			got := Problems(err)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(got), len(tt.want), err)
			}
			for i, e := range got {
				if !strings.HasPrefix(e.Error(), tt.want[i]) {
					t.Errorf("problem %d:\n got  %s\n want %s...", i, e, tt.want[i])
				}
			}
			if !strings.HasPrefix(err.Error(), tt.want[0]) {
				t.Errorf("err.Error() = %q, want it to start with the first problem", err)
			}
		})
	}
}

func TestLoadAcceptsMergeKeysAndAliases(t *testing.T) {
	in := head + `steps:
  - &burst {name: one, mode: concurrent, requests: 8, concurrency: 4}
  - {<<: *burst, name: two, requests: 16}
compare:
  - {base: one, step: two}
expect:
  - {step: two, max_errors: 0}
`
	s, err := Load(strings.NewReader(in), "t.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	two := stepNamed(t, s, "two")
	want := Step{Name: "two", Mode: ModeConcurrent, Requests: 16, Concurrency: 4, Line: 6}
	if two.Name != want.Name || two.Mode != want.Mode || two.Requests != want.Requests ||
		two.Concurrency != want.Concurrency || two.Line != want.Line {
		t.Errorf("step two = %+v, want %+v", two, want)
	}
}

func TestErrorFormat(t *testing.T) {
	tests := []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Field: "steps[0].rate", Msg: "bad"}, "a.yaml:3: steps[0].rate: bad"},
		{Error{File: "a.yaml", Field: "steps", Msg: "bad"}, "a.yaml: steps: bad"},
		{Error{Line: 3, Msg: "bad"}, "3: bad"},
		{Error{Msg: "bad"}, "bad"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProblems(t *testing.T) {
	a := &Error{Line: 1, Msg: "a"}
	b := &Error{Line: 2, Msg: "b"}
	tests := []struct {
		name string
		err  error
		want []*Error
	}{
		{"nil", nil, nil},
		{"one", a, []*Error{a}},
		{"joined", errors.Join(a, b), []*Error{a, b}},
		{"wrapped join", errorsWrap(errors.Join(a, b)), []*Error{a, b}},
		{"other", errors.New("x"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Problems(tt.err)
			if len(got) != len(tt.want) {
				t.Fatalf("Problems = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("Problems[%d] = %v, want %v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

type wrapped struct{ err error }

func (w wrapped) Error() string { return "ctx: " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }

func errorsWrap(err error) error { return wrapped{err} }
