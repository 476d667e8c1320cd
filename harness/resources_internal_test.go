package harness

import (
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
	"contend/scenarios"
)

func TestParseResources(t *testing.T) {
	at := time.Unix(1700000000, 0)
	tests := []struct {
		name   string
		page   string
		want   ResourceSample
		wantOK bool
	}{
		{name: "all three", page: "# TYPE go_goroutines gauge\ngo_goroutines 14\nprocess_open_fds 12\nprocess_resident_memory_bytes 9.6440320e+07\n",
			want: ResourceSample{At: at, RSSBytes: 96440320, Goroutines: 14, OpenFDs: 12}, wantOK: true},
		{name: "goroutines only", page: "go_goroutines 7\nprocess_cpu_seconds_total 3\n",
			want: ResourceSample{At: at, RSSBytes: -1, Goroutines: 7, OpenFDs: -1}, wantOK: true},
		{name: "longer names ignored", page: "go_goroutines_total 7\nprocess_open_fds_max 3\n"},
		{name: "cpu only", page: "process_cpu_seconds_total 3\n"},
		{name: "empty", page: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parseResources([]byte(tt.page), at)
			if ok != tt.wantOK || got != tt.want {
				t.Errorf("got %+v, %v; want %+v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// TestSamplerThinsWhenFull: a full sampler keeps every other sample and doubles its
// interval, so a long soak stays in bounded memory with an even spread.
func TestSamplerThinsWhenFull(t *testing.T) {
	s := &sampler{}
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	every := time.Second
	base := time.Unix(0, 0)
	for i := range maxResourceSamples + 1 {
		s.add(ResourceSample{At: base.Add(time.Duration(i) * time.Second), Goroutines: i}, tick, &every)
	}
	if got, want := len(s.samples), maxResourceSamples/2+1; got != want {
		t.Fatalf("kept %d samples, want %d", got, want)
	}
	if every != 2*time.Second {
		t.Errorf("interval %s, want 2s", every)
	}
	for i, smp := range s.samples[:len(s.samples)-1] {
		if smp.Goroutines != 2*i {
			t.Fatalf("sample %d is reading %d, want %d (every other one kept)", i, smp.Goroutines, 2*i)
		}
	}
	if last := s.samples[len(s.samples)-1]; last.Goroutines != maxResourceSamples {
		t.Errorf("last sample is reading %d, want the newest (%d)", last.Goroutines, maxResourceSamples)
	}
}

func TestResponseCheck(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name      string
		expect    scenarios.ResponseExpect
		builtin   bool
		res       vegeta.Result
		wantError string // "" when the result stays a success
	}{
		{"builtin default wants JSON", scenarios.ResponseExpect{}, true,
			vegeta.Result{Code: 200, Body: []byte("garbage")}, "response is not JSON: invalid character 'g' looking for beginning of value"},
		{"url default takes anything", scenarios.ResponseExpect{}, false,
			vegeta.Result{Code: 200, Body: []byte("garbage")}, ""},
		{"url asked for JSON", scenarios.ResponseExpect{JSON: &yes}, false,
			vegeta.Result{Code: 200, Body: []byte(`{"translation": "x"`)}, "response is not JSON: unexpected end of JSON input"},
		{"empty body", scenarios.ResponseExpect{JSON: &yes}, false,
			vegeta.Result{Code: 200, Body: []byte(" \n")}, "response is not JSON: empty body"},
		{"valid JSON", scenarios.ResponseExpect{}, true,
			vegeta.Result{Code: 200, Body: []byte(`{"translation": "पानी"}`)}, ""},
		{"builtin with JSON off", scenarios.ResponseExpect{JSON: &no}, true,
			vegeta.Result{Code: 200, Body: []byte("garbage")}, ""},
		{"wrong status", scenarios.ResponseExpect{Status: 200}, false,
			vegeta.Result{Code: 202, Body: []byte("{}")}, "response status 202, want 200"},
		{"right status", scenarios.ResponseExpect{Status: 202}, false,
			vegeta.Result{Code: 202}, ""},
		{"a failure is left alone", scenarios.ResponseExpect{Status: 200}, true,
			vegeta.Result{Code: 500, Error: "500 Internal Server Error", Body: []byte("oops")}, "500 Internal Server Error"},
		{"a transport error is left alone", scenarios.ResponseExpect{}, true,
			vegeta.Result{Error: "connection refused"}, "connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.res
			newResponseCheck(tt.expect, tt.builtin).apply(&res)
			if res.Error != tt.wantError {
				t.Errorf("error %q, want %q", res.Error, tt.wantError)
			}
			if tt.wantError != "" && tt.res.Error == "" {
				if got := reports.Classify(&res); got != reports.OtherErr {
					t.Errorf("classified %s, want %s", got, reports.OtherErr)
				}
			}
		})
	}
}
