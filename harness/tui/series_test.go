package tui

import (
	"math"
	"reflect"
	"testing"
)

func TestRing(t *testing.T) {
	tests := []struct {
		name      string
		pushes    int
		wantLen   int
		wantFirst float64 // at of the oldest point kept
		wantLast  float64
	}{
		{"empty", 0, 0, 0, 0},
		{"below capacity", 3, 3, 0, 2},
		{"full", latencyPoints, latencyPoints, 0, latencyPoints - 1},
		{"wrapped keeps the latest", latencyPoints + 10, latencyPoints, 10, latencyPoints + 9},
		{"wrapped twice", 2*latencyPoints + 1, latencyPoints, latencyPoints + 1, 2 * latencyPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r ring
			for i := range tt.pushes {
				r.push(point{at: float64(i)})
			}
			got := r.points()
			if len(got) != tt.wantLen || cap(r.buf) > latencyPoints {
				t.Fatalf("%d points (buffer capacity %d), want %d within %d", len(got), cap(r.buf), tt.wantLen,
					latencyPoints)
			}
			if len(got) == 0 {
				return
			}
			if got[0].at != tt.wantFirst || got[len(got)-1].at != tt.wantLast {
				t.Errorf("oldest %v newest %v, want %v %v", got[0].at, got[len(got)-1].at, tt.wantFirst, tt.wantLast)
			}
			for i := 1; i < len(got); i++ {
				if got[i].at != got[i-1].at+1 {
					t.Fatalf("points out of order at %d: %v after %v", i, got[i].at, got[i-1].at)
				}
			}
		})
	}
}

func TestHistogramBins(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		k      int
		want   []int
	}{
		{"a lock's staircase: evenly spaced bars", []float64{1600, 3200, 4800, 6400}, 4, []int{1, 1, 1, 1}},
		{"staircase in finer bins keeps the gaps", []float64{1600, 3200, 4800, 6400}, 8, []int{1, 0, 1, 0, 0, 1, 0, 1}},
		{"parallel: one tight group", []float64{1700, 1750, 1800, 1850, 40000}, 4, []int{4, 0, 0, 1}},
		{"all equal: one bin", []float64{5, 5, 5}, 6, []int{3}},
		{"empty", nil, 4, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h histogram
			for _, v := range tt.values {
				h.add(v)
			}
			var got []int
			total := 0
			for _, b := range h.bins(tt.k) {
				got = append(got, b.count)
				total += b.count
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("counts %v, want %v", got, tt.want)
			}
			if total != len(tt.values) {
				t.Errorf("bins hold %d values, want %d", total, len(tt.values))
			}
		})
	}
}

func TestNiceAxis(t *testing.T) {
	tests := []struct {
		name      string
		lo, hi    float64
		cells     int
		gaps      []int
		wantStep  float64
		wantTop   float64
		wantLo    float64
		wantGap   int
		wantLabel string // the label of the first step, as the chart writes it
	}{
		{"seconds of a run", 0, 7.8, 77, []int{8, 10, 12, 16}, 1, 9.625, 0, 8, ""},
		{"latency up to 3 s in 8 rows", 0, 3000, 8, []int{2, 3}, 1000, 4000, 0, 2, "1s"},
		{"latency up to 10 s", 0, 10000, 8, []int{2, 3}, 2500, 10000, 0, 2, "2.5s"},
		{"milliseconds", 0, 37, 8, []int{2, 3}, 10, 40, 0, 2, "10ms"},
		{"a window that does not start at 0", 61.3, 89.5, 60, []int{10}, 5, 90, 60, 10, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := niceAxis(tt.lo, tt.hi, tt.cells, tt.gaps)
			if got.step != tt.wantStep || got.gap != tt.wantGap || got.lo != tt.wantLo ||
				math.Abs(got.top-tt.wantTop) > 1e-9 {
				t.Errorf("got %+v, want step %v gap %d lo %v top %v", got, tt.wantStep, tt.wantGap, tt.wantLo, tt.wantTop)
			}
			if got.top < tt.hi {
				t.Errorf("top %v below the data's %v", got.top, tt.hi)
			}
			if tt.wantLabel != "" {
				if l := latencyLabel(got.step, got.step); l != tt.wantLabel {
					t.Errorf("first label %q, want %q", l, tt.wantLabel)
				}
			}
		})
	}
}

func TestApportion(t *testing.T) {
	tests := []struct {
		shares []float64
		n      int
		want   []int
	}{
		{[]float64{0.78, 0.02, 0.2}, 50, []int{39, 1, 10}},
		{[]float64{1. / 3, 1. / 3, 1. / 3}, 10, []int{4, 3, 3}},
		{[]float64{0, 0, 1}, 7, []int{0, 0, 7}},
		{[]float64{0, 0, 0}, 7, []int{0, 0, 0}},
	}
	for _, tt := range tests {
		if got := apportion(tt.shares, tt.n); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("apportion(%v, %d) = %v, want %v", tt.shares, tt.n, got, tt.want)
		}
	}
}
