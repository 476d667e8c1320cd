package tui

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"contend/scenarios"
)

func TestStack(t *testing.T) {
	lines := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = prefix
		}
		return out
	}
	fill := func(h int) []string { return lines("f", h) }
	tests := []struct {
		name   string
		h      int
		blocks []block
		want   string // the lines' first letters
	}{
		{"everything fits, flex takes the rest", 8,
			[]block{fixed(9, lines("h", 2)), gap(), flex(5, 2, 1, 0, fill), fixed(8, lines("t", 1))}, "hh fffft"},
		{"gaps go first", 5,
			[]block{fixed(9, lines("h", 2)), gap(), flex(5, 2, 1, 0, fill), fixed(8, lines("t", 1))}, "hhfft"},
		{"then the lowest priority", 4,
			[]block{fixed(9, lines("h", 2)), gap(), flex(5, 2, 1, 0, fill), fixed(8, lines("t", 1))}, "hht"},
		{"flex blocks share by weight", 9,
			[]block{flex(5, 1, 2, 0, fill), fixed(9, lines("h", 1)), flex(5, 1, 1, 0, func(h int) []string {
				return lines("g", h)
			})}, "fffffhggg"},
		{"a flex block takes no more than it wants", 9,
			[]block{flex(5, 1, 1, 2, fill), flex(5, 1, 1, 0, func(h int) []string { return lines("g", h) })},
			"ffggggggg"},
		{"never more than h", 2, []block{fixed(9, lines("h", 5))}, "hh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got strings.Builder
			for _, l := range stack(tt.h, tt.blocks...) {
				got.WriteString(orElse(l[:min(1, len(l))], " "))
			}
			if got.String() != tt.want {
				t.Errorf("got %q, want %q", got.String(), tt.want)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	st := plainStyles()
	in := []string{"a", "b", "c", "d"}
	tests := []struct {
		h    int
		want []string
	}{
		{5, []string{"a", "b", "c", "d"}},
		{4, []string{"a", "b", "c", "d"}},
		{3, []string{"a", "b", "… 2 more lines"}},
		{1, []string{"… 4 more lines"}},
		{0, []string{}},
	}
	for _, tt := range tests {
		if got := limit(st, in, tt.h); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("limit(%d) = %q, want %q", tt.h, got, tt.want)
		}
	}
	if !reflect.DeepEqual(in, []string{"a", "b", "c", "d"}) {
		t.Errorf("limit changed its input: %q", in)
	}
}

func TestFitSegments(t *testing.T) {
	segs := []segment{{"contend", 2}, {"seed-repro", 6}, {"naive 1/2", 7}, {"step 2/2 concurrent", 5}, {"9.4s", 8}}
	tests := []struct {
		w    int
		want string
	}{
		{80, "contend · seed-repro · naive 1/2 · step 2/2 concurrent · 9.4s"},
		{51, "seed-repro · naive 1/2 · step 2/2 concurrent · 9.4s"},
		{50, "seed-repro · naive 1/2 · 9.4s"},
		{40, "seed-repro · naive 1/2 · 9.4s"},
		{20, "naive 1/2 · 9.4s"},
		{3, "9.…"},
	}
	for _, tt := range tests {
		if got := fitSegments(segs, " · ", tt.w); got != tt.want {
			t.Errorf("width %d: %q, want %q", tt.w, got, tt.want)
		}
	}
}

func TestFormats(t *testing.T) {
	durations := []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"}, {850 * time.Microsecond, "850µs"}, {4200 * time.Microsecond, "4.2ms"},
		{320 * time.Millisecond, "320ms"}, {6400 * time.Millisecond, "6.4s"}, {125 * time.Second, "2m05s"},
		{3*time.Hour + 20*time.Minute, "3h20m"},
	}
	for _, tt := range durations {
		if got := fmtDur(tt.d); got != tt.want {
			t.Errorf("fmtDur(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	rates := []struct {
		r    scenarios.Rate
		want string
	}{
		{scenarios.Rate{Freq: 20, Per: time.Second}, "20/s"}, {scenarios.Rate{Freq: 300, Per: time.Minute}, "300/m"},
		{scenarios.Rate{Freq: 5, Per: 100 * time.Millisecond}, "5/100ms"},
	}
	for _, tt := range rates {
		if got := rateString(tt.r); got != tt.want {
			t.Errorf("rateString(%+v) = %q, want %q", tt.r, got, tt.want)
		}
	}
	steps := []struct {
		s     scenarios.Step
		level int
		total int
		d     time.Duration
		want  string
	}{
		{scenarios.Step{Mode: scenarios.ModeSequential, Requests: 1}, 0, 0, 0, "sequential, 1 request"},
		{scenarios.Step{Mode: scenarios.ModeConcurrent, Requests: 16, Concurrency: 4}, 0, 16, 0,
			"4 concurrent, 16 requests"},
		{scenarios.Step{Mode: scenarios.ModeRate, Rate: scenarios.Rate{Freq: 20, Per: time.Second}}, 0, 0,
			10 * time.Second, "rate 20/s for 10.0s"},
		{scenarios.Step{Mode: scenarios.ModeRamp, Rate: scenarios.Rate{Freq: 10, Per: time.Second},
			RateTo: scenarios.Rate{Freq: 50, Per: time.Second}, Duration: scenarios.Duration{Duration: time.Minute}},
			0, 0, 0, "ramp 10/s to 50/s over 1m00s"},
		{scenarios.Step{Mode: scenarios.ModeSweep, Levels: []int{1, 2, 4}}, 2, 48, 0,
			"sweep level 2 of 1,2,4, 48 requests"},
	}
	for _, tt := range steps {
		if got := describe(tt.s, tt.level, tt.total, tt.d); got != tt.want {
			t.Errorf("describe(%s) = %q, want %q", tt.s.Mode, got, tt.want)
		}
	}
}
