package scenarios

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadAppliesDefaults(t *testing.T) {
	in := `target:
  builtin: {}
request:
  body: '{"text": "hi"}'
steps:
  - {mode: sequential, requests: 4}
  - {mode: concurrent, requests: 6}
  - {name: sweep, mode: sweep, levels: [1, 2, 4]}
`
	s, err := Load(strings.NewReader(in), "dir/my-file.yaml")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"name from the file", s.Name, "my-file"},
		{"strategies", s.Target.Builtin.Strategies, []string{StrategyNaive, StrategyDoubleChecked}},
		{"size", s.Target.Builtin.Size, DefaultSize},
		{"method", s.Request.Method, DefaultMethod},
		{"path", s.Request.Path, DefaultPath},
		{"timeout", s.Request.Timeout.Duration, 30 * time.Second},
		{"content type", s.Request.Headers, map[string]string{"Content-Type": "application/json"}},
		{"sequential name", s.Steps[0].Name, ModeSequential},
		{"sequential concurrency", s.Steps[0].Concurrency, 1},
		{"concurrent name", s.Steps[1].Name, ModeConcurrent},
		{"concurrent concurrency", s.Steps[1].Concurrency, 6},
		{"requests per level", s.Steps[2].RequestsPerLevel, DefaultRequestsPerLevel},
		{"max speedup drop", s.Baseline.MaxSpeedupDrop, 0.10},
		{"max p99 rise", s.Baseline.MaxP99Rise, 0.25},
		{"file", s.File, "dir/my-file.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestLoadKeepsWrittenValues(t *testing.T) {
	in := `name: kept
target:
  url: http://127.0.0.1:8000
request:
  method: PUT
  path: /v2/translate
  headers: {content-type: text/plain}
  body: hello
  timeout: 1500ms
steps:
  - {name: burst, mode: concurrent, requests: 6, concurrency: 3}
baseline: {max_speedup_drop: 0.2, max_p99_rise: 0.5}
`
	s, err := Load(strings.NewReader(in), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"name", s.Name, "kept"},
		{"no builtin", s.Target.Builtin == nil, true},
		{"url", s.Target.URL, "http://127.0.0.1:8000"},
		{"method", s.Request.Method, "PUT"},
		{"path", s.Request.Path, "/v2/translate"},
		{"content type not doubled", s.Request.Headers, map[string]string{"content-type": "text/plain"}},
		{"timeout", s.Request.Timeout.Duration, 1500 * time.Millisecond},
		{"concurrency", s.Steps[0].Concurrency, 3},
		{"max speedup drop", s.Baseline.MaxSpeedupDrop, 0.2},
		{"max p99 rise", s.Baseline.MaxP99Rise, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestDefaultsForUnnamedReader(t *testing.T) {
	s, err := Load(strings.NewReader("target: {url: 'http://[::1]:9'}\nsteps: [{mode: sequential, requests: 1}]\n"), "")
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if s.Name != DefaultName {
		t.Errorf("Name = %q, want %q", s.Name, DefaultName)
	}
	if _, ok := s.Request.Header("Content-Type"); ok {
		t.Errorf("Content-Type set without a body: %v", s.Request.Headers)
	}
}

// TestApplyDefaultsInCode checks that a scenario built in code gets every default
// and then validates, and that applying defaults twice changes nothing.
func TestApplyDefaultsInCode(t *testing.T) {
	s := &Scenario{
		Target:  Target{Builtin: &Builtin{}},
		Request: Request{Body: `{"text": "hi"}`},
		Steps: []Step{
			{Mode: ModeSequential, Requests: 2},
			{Name: "all", Mode: ModeConcurrent, Requests: 3},
			{Name: "sw", Mode: ModeSweep, Levels: []int{1, 2}},
		},
	}
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		t.Fatalf("Validate after ApplyDefaults: %v", err)
	}
	want := s.Clone()
	s.ApplyDefaults()
	if !reflect.DeepEqual(s, want) {
		t.Errorf("second ApplyDefaults changed the scenario:\n got %+v\nwant %+v", s, want)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"name", s.Name, DefaultName},
		{"step name", s.Steps[0].Name, ModeSequential},
		{"sequential concurrency", s.Steps[0].Concurrency, 1},
		{"concurrent concurrency", s.Steps[1].Concurrency, 3},
		{"requests per level", s.Steps[2].RequestsPerLevel, DefaultRequestsPerLevel},
		{"timeout", s.Request.Timeout.Duration, DefaultTimeout},
		{"size", s.Target.Builtin.Size, SizeBase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.got, tt.want) {
				t.Errorf("got %#v, want %#v", tt.got, tt.want)
			}
		})
	}
}

func TestValidateInCodeNamesFieldsWithoutLines(t *testing.T) {
	s := &Scenario{Target: Target{URL: "http://127.0.0.1:1"}, Steps: []Step{{Name: "x", Mode: "warp"}}}
	s.ApplyDefaults()
	err := s.Validate()
	got := Problems(err)
	if len(got) != 1 {
		t.Fatalf("Validate = %v, want one problem", err)
	}
	want := Error{Field: "steps[0].mode", Msg: `unknown mode "warp" (valid: sequential, concurrent, rate, ramp, sweep)`}
	if *got[0] != want {
		t.Errorf("problem = %+v, want %+v", *got[0], want)
	}
}

// TestMaxBody: request.max_body defaults to DefaultMaxBody, keeps a written 0,
// and a value out of bounds names file, line and field.
func TestMaxBody(t *testing.T) {
	load := func(extra string) (*Scenario, error) {
		src := "target: {url: http://127.0.0.1:1}\nrequest:\n  path: /\n" + extra +
			"steps:\n  - {mode: sequential, requests: 1}\n"
		return Load(strings.NewReader(src), "t.yaml")
	}
	sc, err := load("")
	if err != nil || sc.Request.MaxBody != DefaultMaxBody {
		t.Fatalf("default max_body: %v, %v; want %d", sc, err, DefaultMaxBody)
	}
	if sc, err := load("  max_body: 0\n"); err != nil || sc.Request.MaxBody != 0 {
		t.Errorf("max_body: 0 gives %v, %v; want 0 kept", sc, err)
	}
	for _, bad := range []string{"-5", "1099511627776"} {
		_, err := load("  max_body: " + bad + "\n")
		if err == nil || !strings.Contains(err.Error(), "t.yaml:4: request.max_body") {
			t.Errorf("max_body: %s: err %v, want one naming t.yaml:4: request.max_body", bad, err)
		}
	}
	if sc.Request.PastMaxBody != PastMaxBodyRead {
		t.Errorf("default past_max_body %q, want %q", sc.Request.PastMaxBody, PastMaxBodyRead)
	}
	if sc, err := load("  past_max_body: close\n"); err != nil || sc.Request.PastMaxBody != PastMaxBodyClose {
		t.Errorf("past_max_body: close gives %v, %v", sc, err)
	}
	if _, err := load("  past_max_body: drop\n"); err == nil || !strings.Contains(err.Error(), "t.yaml:4: request.past_max_body") {
		t.Errorf("past_max_body: drop: err %v, want one naming t.yaml:4: request.past_max_body", err)
	}
}
