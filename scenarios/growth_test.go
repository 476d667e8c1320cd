package scenarios

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestParseGrowth(t *testing.T) {
	tests := []struct {
		in        string
		want      Growth
		perMinute float64
		wantErr   string
	}{
		{in: "20MB/min", want: Growth{Amount: 20e6, Bytes: true, Per: time.Minute}, perMinute: 20e6},
		{in: "20mb/m", want: Growth{Amount: 20e6, Bytes: true, Per: time.Minute}, perMinute: 20e6},
		{in: "1MiB/10s", want: Growth{Amount: 1 << 20, Bytes: true, Per: 10 * time.Second}, perMinute: 6 << 20},
		{in: "512KiB/s", want: Growth{Amount: 512 << 10, Bytes: true, Per: time.Second}, perMinute: 60 * 512 << 10},
		{in: "1.5GB/h", want: Growth{Amount: 1.5e9, Bytes: true, Per: time.Hour}, perMinute: 25e6},
		{in: "100B/s", want: Growth{Amount: 100, Bytes: true, Per: time.Second}, perMinute: 6000},
		{in: "5/min", want: Growth{Amount: 5, Per: time.Minute}, perMinute: 5},
		{in: " 0 / min ", want: Growth{Amount: 0, Per: time.Minute}, perMinute: 0},
		{in: "2%/min", want: Growth{Amount: 0.02, Relative: true, Per: time.Minute}, perMinute: 0.02},
		{in: "1%/30s", want: Growth{Amount: 0.01, Relative: true, Per: 30 * time.Second}, perMinute: 0.02},
		{in: "5", wantErr: "no /period"},
		{in: "5/week", wantErr: `"week" is not a period`},
		{in: "5/0s", wantErr: `"0s" is not a period`},
		{in: "-5/min", wantErr: "the amount is negative"},
		{in: "MB/min", wantErr: "the amount is not a number"},
		{in: "NaN/min", wantErr: `unknown unit "NaN"`},
		{in: "5XB/min", wantErr: `unknown unit "XB"`},
		{in: "5%%/min", wantErr: `unknown unit "%%"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseGrowth(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseGrowth(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseGrowth(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseGrowth(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if pm := got.PerMinute(); pm < tt.perMinute*(1-1e-12) || pm > tt.perMinute*(1+1e-12) {
				t.Errorf("PerMinute() = %v, want %v", pm, tt.perMinute)
			}
		})
	}
}

func TestGrowthRoundTrip(t *testing.T) {
	tests := []struct{ in, want string }{
		{"20MB/min", "20MB/min"},
		{"1.5GB/h", "1.5GB/h"},
		{"2%/min", "2%/min"},
		{"5/s", "5/s"},
		{"3/10s", "3/10s"},
		{"900B/min", "900B/min"},
		{"1MiB/min", "1.049MB/min"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			g, err := ParseGrowth(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := g.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			b, err := json.Marshal(g)
			if err != nil {
				t.Fatal(err)
			}
			var back Growth
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("unmarshal %s: %v", b, err)
			}
			if back.String() != g.String() {
				t.Errorf("JSON round trip: %q, want %q", back.String(), g.String())
			}
		})
	}
}

func TestLoadResourceExpectations(t *testing.T) {
	src := head + `steps: [{name: soak, mode: rate, rate: 5/s, duration: 1m}]
expect:
  - {step: soak, max_rss_growth: 20MB/min, max_goroutine_growth: 5/min, max_fd_growth: 2%/min}
`
	s, err := Load(strings.NewReader(src), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := s.Expect[0]
	tests := []struct {
		name string
		got  *Growth
		want string
	}{
		{"rss", e.MaxRSSGrowth, "20MB/min"},
		{"goroutines", e.MaxGoroutineGrowth, "5/min"},
		{"fds", e.MaxFDGrowth, "2%/min"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got == nil {
				t.Fatal("not decoded")
			}
			if tt.got.String() != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
	c := s.Clone()
	*c.Expect[0].MaxRSSGrowth = Growth{}
	if e.MaxRSSGrowth.IsZero() {
		t.Error("Clone shares max_rss_growth with the original")
	}
}

func TestResponseExpectDefaults(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name    string
		expect  ResponseExpect
		builtin bool
		want    bool
	}{
		{"builtin default", ResponseExpect{}, true, true},
		{"url default", ResponseExpect{}, false, false},
		{"builtin off", ResponseExpect{JSON: &no}, true, false},
		{"url on", ResponseExpect{JSON: &yes}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.expect.WantJSON(tt.builtin); got != tt.want {
				t.Errorf("WantJSON(%v) = %v, want %v", tt.builtin, got, tt.want)
			}
		})
	}
	src := "target: {url: 'http://127.0.0.1:1'}\nrequest:\n  expect: {status: 200, json: true}\nsteps: [{mode: sequential, requests: 1}]\n"
	s, err := Load(strings.NewReader(src), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Request.Expect; got.Status != 200 || got.JSON == nil || !*got.JSON {
		t.Errorf("request.expect = %+v, want status 200 and json true", got)
	}
	c := s.Clone()
	*c.Request.Expect.JSON = false
	if !*s.Request.Expect.JSON {
		t.Error("Clone shares request.expect.json with the original")
	}
}
