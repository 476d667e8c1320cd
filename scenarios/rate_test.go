package scenarios

import (
	"encoding/json"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParseRate(t *testing.T) {
	tests := []struct {
		in      string
		want    Rate
		wantErr bool
	}{
		{in: "20/s", want: Rate{20, time.Second}},
		{in: "20", want: Rate{20, time.Second}},
		{in: "300/m", want: Rate{300, time.Minute}},
		{in: "2/h", want: Rate{2, time.Hour}},
		{in: "5/100ms", want: Rate{5, 100 * time.Millisecond}},
		{in: "1/1m30s", want: Rate{1, 90 * time.Second}},
		{in: "0", want: Rate{}},
		{in: "0/s", want: Rate{}},
		{in: "20/x", wantErr: true},
		{in: "x/s", wantErr: true},
		{in: "-1/s", wantErr: true},
		{in: "1/0s", wantErr: true},
		{in: "1/-1s", wantErr: true},
		{in: "", wantErr: true},
		{in: "infinity", wantErr: true},
		{in: "1.5/s", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRate(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("ParseRate(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestRatePerSecond(t *testing.T) {
	tests := []struct {
		r    Rate
		want float64
	}{
		{Rate{20, time.Second}, 20},
		{Rate{300, time.Minute}, 5},
		{Rate{5, 100 * time.Millisecond}, 50},
		{Rate{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.r.String(), func(t *testing.T) {
			if got := tt.r.PerSecond(); got != tt.want {
				t.Errorf("PerSecond() = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestRateRoundTrip checks that text, JSON and YAML all give back the rate they wrote.
func TestRateRoundTrip(t *testing.T) {
	tests := []struct {
		r    Rate
		text string
	}{
		{Rate{20, time.Second}, "20/s"},
		{Rate{300, time.Minute}, "300/m"},
		{Rate{2, time.Hour}, "2/h"},
		{Rate{5, 100 * time.Millisecond}, "5/100ms"},
		{Rate{1, 90 * time.Second}, "1/1m30s"},
		{Rate{}, "0"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			text, err := tt.r.MarshalText()
			if err != nil || string(text) != tt.text {
				t.Fatalf("MarshalText() = %q, %v, want %q", text, err, tt.text)
			}
			var fromText Rate
			if err := fromText.UnmarshalText(text); err != nil || fromText != tt.r {
				t.Errorf("UnmarshalText(%q) = %+v, %v, want %+v", text, fromText, err, tt.r)
			}

			js, err := json.Marshal(tt.r)
			if err != nil || string(js) != `"`+tt.text+`"` {
				t.Fatalf("json.Marshal = %s, %v, want %q", js, err, tt.text)
			}
			var fromJSON Rate
			if err := json.Unmarshal(js, &fromJSON); err != nil || fromJSON != tt.r {
				t.Errorf("json.Unmarshal(%s) = %+v, %v, want %+v", js, fromJSON, err, tt.r)
			}

			y, err := yaml.Marshal(struct{ R Rate }{tt.r})
			if err != nil {
				t.Fatalf("yaml.Marshal: %v", err)
			}
			var fromYAML struct{ R Rate }
			if err := yaml.Unmarshal(y, &fromYAML); err != nil || fromYAML.R != tt.r {
				t.Errorf("yaml round trip via %q = %+v, %v, want %+v", y, fromYAML.R, err, tt.r)
			}
		})
	}
}

func TestRateUnmarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		do   func(*Rate) error
	}{
		{"json object", func(r *Rate) error { return json.Unmarshal([]byte(`{"freq": 1}`), r) }},
		{"json bad text", func(r *Rate) error { return json.Unmarshal([]byte(`"1/q"`), r) }},
		{"yaml list", func(r *Rate) error { return yaml.Unmarshal([]byte(`[1, 2]`), r) }},
		{"yaml bad text", func(r *Rate) error { return yaml.Unmarshal([]byte(`fast`), r) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r Rate
			if err := tt.do(&r); err == nil {
				t.Errorf("no error, got %+v", r)
			}
		})
	}
}

func TestRateUnmarshalJSONNumber(t *testing.T) {
	var r Rate
	if err := json.Unmarshal([]byte(`25`), &r); err != nil {
		t.Fatalf("json.Unmarshal(25): %v", err)
	}
	if want := (Rate{25, time.Second}); r != want {
		t.Errorf("got %+v, want %+v", r, want)
	}
}
