package reports

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func uslPoints(lambda, sigma, kappa float64, ns ...float64) []USLPoint {
	u := USL{LambdaRPS: lambda, Sigma: sigma, Kappa: kappa}
	var pts []USLPoint
	for _, n := range ns {
		pts = append(pts, USLPoint{N: n, X: u.Throughput(n)})
	}
	return pts
}

func TestFitUSL(t *testing.T) {
	tests := []struct {
		name                 string
		pts                  []USLPoint
		sigma, kappa, lambda float64
		tol                  float64
		wantErr              error
	}{
		{name: "exact contention and coherency", pts: uslPoints(100, 0.05, 0.002, 1, 2, 4, 8, 16, 32), sigma: 0.05, kappa: 0.002, lambda: 100, tol: 1e-6},
		{name: "fully serialized", pts: uslPoints(10, 1, 0, 1, 2, 4, 8), sigma: 1, kappa: 0, lambda: 10, tol: 1e-6},
		{name: "linear", pts: uslPoints(10, 0, 0, 1, 2, 4), sigma: 0, kappa: 0, lambda: 10, tol: 1e-6},
		{name: "one level above 1 fits sigma only", pts: uslPoints(10, 0.5, 0, 1, 2), sigma: 0.5, kappa: 0, lambda: 10, tol: 1e-6},
		{name: "superlinear is clamped at zero", pts: []USLPoint{{1, 10}, {2, 22}, {4, 45}}, sigma: 0, kappa: 0, lambda: 10, tol: 1e-9},
		{name: "without a level at 1, lambda is searched", pts: uslPoints(50, 0.1, 0.01, 2, 4, 8, 16), sigma: 0.1, kappa: 0.01, lambda: 50, tol: 0.02},
		{name: "too few levels", pts: []USLPoint{{1, 10}}, wantErr: ErrTooFewLevels},
		{name: "zero throughput ignored", pts: []USLPoint{{1, 10}, {2, 0}}, wantErr: ErrTooFewLevels},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FitUSL(tt.pts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if !near(got.Sigma, tt.sigma, tt.tol) || !near(got.Kappa, tt.kappa, tt.tol/10+1e-9) || !near(got.LambdaRPS, tt.lambda, tt.lambda*tt.tol+1e-9) {
				t.Errorf("got sigma %.5f kappa %.5f lambda %.3f, want %.5f %.5f %.3f", got.Sigma, got.Kappa, got.LambdaRPS, tt.sigma, tt.kappa, tt.lambda)
			}
			if got.Sigma < 0 || got.Kappa < 0 {
				t.Errorf("negative coefficients: %+v", got)
			}
			if tt.name != "superlinear is clamped at zero" && got.R2 < 0.999 {
				t.Errorf("r2 = %v on exact data", got.R2)
			}
		})
	}
}

func TestFitUSLNoisyR2(t *testing.T) {
	pts := uslPoints(100, 0.1, 0.001, 1, 2, 4, 8, 16)
	for i := range pts {
		pts[i].X *= 1 + 0.05*float64(i%2*2-1) // +-5%
	}
	got, err := FitUSL(pts)
	if err != nil {
		t.Fatal(err)
	}
	if got.R2 <= 0.8 || got.R2 >= 1 {
		t.Errorf("r2 = %v, want in (0.8, 1) for noisy data", got.R2)
	}
	if !near(got.Sigma, 0.1, 0.05) {
		t.Errorf("sigma = %v, want about 0.1", got.Sigma)
	}
}

func TestBuildScaling(t *testing.T) {
	levels := func(xs ...float64) []Level {
		var out []Level
		for i, x := range xs {
			out = append(out, Level{Concurrency: 1 << i, ThroughputRPS: x})
		}
		return out
	}
	tests := []struct {
		name      string
		step      Step
		builtin   bool
		ideal     int
		sigma     float64 // -1: no fit
		maxLevel  int
		noteWords string
	}{
		{name: "builtin plateau fits only the cores", step: Step{Name: "sweep", Cores: 2, Levels: levels(10, 20, 20, 20)}, builtin: true,
			sigma: 0, maxLevel: 2, noteWords: "fitted over concurrency 1..2, the target's 2 cores; 2 levels past the cores show the hardware's limit, not lock contention"},
		{name: "builtin lock", step: Step{Name: "sweep", Cores: 2, Levels: levels(10, 10, 10, 10)}, builtin: true, sigma: 1, maxLevel: 2},
		{name: "external on loopback fits only the cores", step: Step{Name: "sweep", Cores: 2, Levels: levels(10, 20, 20, 20)}, builtin: false,
			sigma: 0, maxLevel: 2},
		{name: "external off loopback fits every level", step: Step{Name: "sweep", Levels: levels(10, 20, 20, 20)}, builtin: false,
			sigma: -2, maxLevel: 8},
		{name: "scenario ideal caps the fit", step: Step{Name: "sweep", Levels: levels(10, 20, 40, 40)}, ideal: 4, sigma: 0, maxLevel: 4},
		{name: "one core: nothing to fit", step: Step{Name: "sweep", Cores: 1, Levels: levels(10, 10, 10)}, builtin: true,
			sigma: -1, noteWords: "no fit: fewer than two levels at or under the target's 1 core"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := buildScaling(tt.step, tt.builtin, tt.ideal)
			if tt.sigma == -1 {
				if sc.USL != nil {
					t.Fatalf("unexpected fit %+v", sc.USL)
				}
			} else {
				if sc.USL == nil {
					t.Fatalf("no fit: %s", sc.Note)
				}
				if tt.sigma >= 0 && !near(sc.USL.Sigma, tt.sigma, 1e-3) {
					t.Errorf("sigma = %v, want %v", sc.USL.Sigma, tt.sigma)
				}
				if sc.USL.MaxLevel != tt.maxLevel {
					t.Errorf("max level = %d, want %d", sc.USL.MaxLevel, tt.maxLevel)
				}
			}
			if !strings.Contains(sc.Note, tt.noteWords) {
				t.Errorf("note %q lacks %q", sc.Note, tt.noteWords)
			}
		})
	}
}
