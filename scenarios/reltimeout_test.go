package scenarios

import (
	"strings"
	"testing"
	"time"
)

func TestParseRelTimeout(t *testing.T) {
	tests := []struct {
		in      string
		want    RelTimeout
		ok      bool
		wantErr string
	}{
		{in: "7x sequential", want: RelTimeout{7, "sequential"}, ok: true},
		{in: "7.5x seq", want: RelTimeout{7.5, "seq"}, ok: true},
		{in: "  0.5x   warm-up.1 ", want: RelTimeout{0.5, "warm-up.1"}, ok: true},
		{in: "10s"},
		{in: "7x"},
		{in: "x seq", ok: true, wantErr: `"x" is not a factor`},
		{in: "0x seq", ok: true, wantErr: "the factor must be above 0"},
		{in: "NaNx seq", ok: true, wantErr: `"NaNx" is not a factor`},
		{in: "Infx seq", ok: true, wantErr: `"Infx" is not a factor`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok, err := ParseRelTimeout(tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if ok {
				again, _, err := ParseRelTimeout(got.String())
				if err != nil || again != got {
					t.Errorf("String %q does not parse back: %+v, %v", got, again, err)
				}
			}
		})
	}
}

func TestRelTimeoutOf(t *testing.T) {
	r := RelTimeout{Factor: 7.5, Step: "seq"}
	if got := r.Of(200 * time.Millisecond); got != 1500*time.Millisecond {
		t.Errorf("7.5x of 200ms = %s, want 1.5s", got)
	}
}

func TestLoadRelativeTimeout(t *testing.T) {
	s := loadHelpers(t)
	st := stepNamed(t, s, "con")
	if st.TimeoutOf == nil || *st.TimeoutOf != (RelTimeout{3, "seq"}) || st.Timeout.Duration != 0 {
		t.Fatalf("con: timeout %s, relative %+v; want 3x seq", st.Timeout, st.TimeoutOf)
	}
}

func TestRelTimeoutOfSaturates(t *testing.T) {
	r := RelTimeout{Factor: 1e11, Step: "seq"}
	if got := r.Of(200 * time.Millisecond); got <= 0 || got < time.Duration(1<<62) {
		t.Errorf("1e11x of 200ms = %s, want the longest duration, not an overflow", got)
	}
}
