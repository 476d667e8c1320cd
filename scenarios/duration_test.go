package scenarios

import (
	"encoding/json"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "10s", want: 10 * time.Second},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "1m30s", want: 90 * time.Second},
		{in: "-1s", want: -time.Second},
		{in: "0", want: 0},
		{in: "10", wantErr: true},
		{in: "ten seconds", wantErr: true},
		{in: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseDuration(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseDuration(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			}
			if got.Duration != tt.want {
				t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// TestDurationRoundTrip checks that text, JSON and YAML all give back the duration they wrote.
func TestDurationRoundTrip(t *testing.T) {
	tests := []struct {
		d    time.Duration
		text string
	}{
		{10 * time.Second, "10s"},
		{250 * time.Millisecond, "250ms"},
		{90 * time.Second, "1m30s"},
		{10 * time.Minute, "10m0s"},
		{0, "0s"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := Duration{tt.d}
			text, err := d.MarshalText()
			if err != nil || string(text) != tt.text {
				t.Fatalf("MarshalText() = %q, %v, want %q", text, err, tt.text)
			}
			var fromText Duration
			if err := fromText.UnmarshalText(text); err != nil || fromText != d {
				t.Errorf("UnmarshalText(%q) = %v, %v, want %v", text, fromText, err, d)
			}

			js, err := json.Marshal(d)
			if err != nil || string(js) != `"`+tt.text+`"` {
				t.Fatalf("json.Marshal = %s, %v, want %q", js, err, tt.text)
			}
			var fromJSON Duration
			if err := json.Unmarshal(js, &fromJSON); err != nil || fromJSON != d {
				t.Errorf("json.Unmarshal(%s) = %v, %v, want %v", js, fromJSON, err, d)
			}

			y, err := yaml.Marshal(struct{ D Duration }{d})
			if err != nil {
				t.Fatalf("yaml.Marshal: %v", err)
			}
			var fromYAML struct{ D Duration }
			if err := yaml.Unmarshal(y, &fromYAML); err != nil || fromYAML.D != d {
				t.Errorf("yaml round trip via %q = %v, %v, want %v", y, fromYAML.D, err, d)
			}
		})
	}
}

func TestDurationUnmarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		do   func(*Duration) error
	}{
		{"json number", func(d *Duration) error { return json.Unmarshal([]byte(`10`), d) }},
		{"json bad text", func(d *Duration) error { return json.Unmarshal([]byte(`"10"`), d) }},
		{"yaml mapping", func(d *Duration) error { return yaml.Unmarshal([]byte(`{s: 1}`), d) }},
		{"yaml bad text", func(d *Duration) error { return yaml.Unmarshal([]byte(`soon`), d) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d Duration
			if err := tt.do(&d); err == nil {
				t.Errorf("no error, got %v", d)
			}
		})
	}
}
