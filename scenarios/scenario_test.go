package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const helpersYAML = `name: helpers
target:
  builtin: {strategies: [naive, double-checked, once]}
request: {body: '{"text": "hi"}', headers: {X-Trace: on}}
steps:
  - {name: seq, mode: sequential, requests: 4, warmup: 2}
  - {name: con, mode: concurrent, requests: 8, concurrency: 4, timeout: 3x seq}
  - {name: rate, mode: rate, rate: 10/s, duration: 30s}
  - {name: ramp, mode: ramp, rate: 1/s, rate_to: 9/s, duration: 1m}
  - {name: sweep, mode: sweep, levels: [1, 2, 4], requests_per_level: 5}
compare: [{base: seq, step: con}]
expect:
  - {step: con, max_errors: 0, min_speedup: 1.2}
  - {strategy: naive, step: con, max_timeouts: 3}
  - {strategy: once, step: sweep, max_sigma: 0.2}
`

func loadHelpers(t *testing.T) *Scenario {
	t.Helper()
	s, err := Load(strings.NewReader(helpersYAML), "helpers.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

func TestStepPlans(t *testing.T) {
	s := loadHelpers(t)
	tests := []struct {
		step         string
		wantRequests int
		wantDuration time.Duration
		wantTimed    bool
		wantOffered  float64
	}{
		{"seq", 4, 0, false, 0},
		{"con", 8, 0, false, 0},
		{"rate", 0, 30 * time.Second, true, 300},
		{"ramp", 0, time.Minute, true, 300}, // a mean of 5/s for 60s
		{"sweep", 15, 0, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			st, ok := s.StepByName(tt.step)
			if !ok {
				t.Fatalf("StepByName(%q) not found", tt.step)
			}
			if st.Name != tt.step {
				t.Errorf("StepByName(%q).Name = %q", tt.step, st.Name)
			}
			if got := st.PlannedRequests(); got != tt.wantRequests {
				t.Errorf("PlannedRequests() = %d, want %d", got, tt.wantRequests)
			}
			if got := st.PlannedDuration(); got != tt.wantDuration {
				t.Errorf("PlannedDuration() = %v, want %v", got, tt.wantDuration)
			}
			if got := st.TimeBound(); got != tt.wantTimed {
				t.Errorf("TimeBound() = %v, want %v", got, tt.wantTimed)
			}
			if got := st.OfferedRequests(); got != tt.wantOffered {
				t.Errorf("OfferedRequests() = %g, want %g", got, tt.wantOffered)
			}
		})
	}
	if _, ok := s.StepByName("missing"); ok {
		t.Errorf("StepByName(missing) found a step")
	}
}

func TestScenarioQueries(t *testing.T) {
	s := loadHelpers(t)
	url := &Scenario{Target: Target{URL: "http://127.0.0.1:1"}}
	empty := &Scenario{Target: Target{Builtin: &Builtin{}}}
	trace, traceOK := s.Request.Header("x-trace")
	_, missingOK := s.Request.Header("Authorization")
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"builtin", s.IsBuiltin(), true},
		{"url is not builtin", url.IsBuiltin(), false},
		{"strategies", s.Strategies(), []string{"naive", "double-checked", "once"}},
		{"url has no strategies", url.Strategies(), []string(nil)},
		{"unset strategies default", empty.Strategies(), DefaultStrategies()},
		{"header any case", trace, "on"},
		{"header found", traceOK, true},
		{"header missing", missingOK, false},
		{"step line", s.Steps[2].Line, 8},
		{"expect line", s.Expect[1].Line, 14},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
	got := s.Strategies()
	got[0] = "changed"
	if s.Target.Builtin.Strategies[0] != "naive" {
		t.Errorf("Strategies returned the scenario's own slice")
	}
}

func TestCloneSharesNothing(t *testing.T) {
	s := loadHelpers(t)
	c := s.Clone()
	if !reflect.DeepEqual(s, c) {
		t.Fatalf("Clone differs:\n got %+v\nwant %+v", c, s)
	}
	c.Target.Builtin.Strategies[0] = "eager"
	c.Request.Headers["X-Trace"] = "off"
	c.Steps[4].Levels[0] = 99
	*c.Expect[0].MaxErrors = 7
	c.Compare[0].Base = "x"
	c.Steps[1].TimeoutOf.Factor = 9
	if s.Target.Builtin.Strategies[0] != "naive" || s.Request.Headers["X-Trace"] != "on" ||
		s.Steps[4].Levels[0] != 1 || *s.Expect[0].MaxErrors != 0 || s.Compare[0].Base != "seq" ||
		s.Steps[1].TimeoutOf.Factor != 3 {
		t.Errorf("changing the clone changed the original: %+v", s)
	}
}

func TestWithStrategies(t *testing.T) {
	s := loadHelpers(t)
	tests := []struct {
		name       string
		strategies []string
		wantExpect []string // strategy of each expectation kept
		wantErr    string
	}{
		{"naive only", []string{"naive"}, []string{"", "naive"}, ""},
		{"reordered", []string{"once", "naive"}, []string{"", "naive", "once"}, ""},
		{"a strategy the file lacks", []string{"eager"}, []string{""}, ""},
		{"unknown", []string{"fast"}, nil, `target.builtin.strategies[0]: unknown strategy "fast"`},
		{"none", nil, nil, "no strategies given"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.WithStrategies(tt.strategies...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("WithStrategies: %v", err)
			}
			if got := c.Strategies(); !reflect.DeepEqual(got, tt.strategies) {
				t.Errorf("Strategies() = %v, want %v", got, tt.strategies)
			}
			var got []string
			for _, e := range c.Expect {
				got = append(got, e.Strategy)
			}
			if !reflect.DeepEqual(got, tt.wantExpect) {
				t.Errorf("expectations kept for %q, want %q", got, tt.wantExpect)
			}
			if len(s.Expect) != 3 || len(s.Target.Builtin.Strategies) != 3 {
				t.Errorf("WithStrategies changed the original")
			}
		})
	}
	url := &Scenario{Target: Target{URL: "http://127.0.0.1:1"}}
	if _, err := url.WithStrategies("naive"); err == nil {
		t.Errorf("WithStrategies on a URL target succeeded")
	}
}

func TestWithURL(t *testing.T) {
	s := loadHelpers(t)
	tests := []struct {
		name    string
		url     string
		wantErr string
	}{
		{"loopback", "http://127.0.0.1:8000", ""},
		{"ipv6 https", "https://[::1]:8443", ""},
		{"no scheme", "127.0.0.1:8000", `target.url: "127.0.0.1:8000" is not an http or https URL`},
		{"empty", "", `no target url given`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := s.WithURL(tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				// A bad URL must not be blamed on the builtin's line in the file.
				if p := Problems(err); tt.url != "" && (len(p) != 1 || p[0].Line != 0) {
					t.Errorf("problems = %v, want one without a line", p)
				}
				return
			}
			if err != nil {
				t.Fatalf("WithURL: %v", err)
			}
			if c.IsBuiltin() || c.Target.URL != tt.url {
				t.Errorf("target = %+v, want url %s", c.Target, tt.url)
			}
			if len(c.Expect) != 1 || c.Expect[0].Strategy != "" {
				t.Errorf("expectations = %+v, want only the one naming no strategy", c.Expect)
			}
			if !s.IsBuiltin() {
				t.Errorf("WithURL changed the original")
			}
		})
	}
}

func TestStepClientTimeout(t *testing.T) {
	src := "request: {timeout: 3s}\ntarget: {url: http://127.0.0.1:1}\nsteps:\n" +
		"  - {name: cold, mode: sequential, requests: 1, timeout: 30s}\n" +
		"  - {name: warm, mode: sequential, requests: 1}\n"
	sc, err := Load(strings.NewReader(src), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []time.Duration{30 * time.Second, 3 * time.Second} {
		if got := sc.Steps[i].ClientTimeout(sc.Request); got != want {
			t.Errorf("step %d: ClientTimeout = %s, want %s", i, got, want)
		}
	}
}
