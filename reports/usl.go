package reports

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Scaling is a sweep step's throughput against concurrency and its Universal
// Scalability Law fit.
type Scaling struct {
	Step   string  `json:"step"`
	Levels []Level `json:"levels"`
	// USL is the fit; absent when there were too few levels to fit.
	USL *USL `json:"usl,omitempty"`
	// Note says which levels the fit used and why, or why there is no fit.
	Note string `json:"note,omitempty"`
}

// USL is a Universal Scalability Law fit X(N) = λN / (1 + σ(N-1) + κN(N-1)):
// Sigma is contention (the serialized fraction), Kappa coherency (crosstalk),
// LambdaRPS the throughput of one request at a time, R2 the fit's coefficient of
// determination on throughput, over the levels up to MaxLevel.
type USL struct {
	Sigma     float64 `json:"sigma"`
	Kappa     float64 `json:"kappa"`
	R2        float64 `json:"r2"`
	LambdaRPS float64 `json:"lambda_rps"`
	Points    int     `json:"points"`
	MaxLevel  int     `json:"max_level"`
}

// Throughput returns the fitted throughput at concurrency n.
func (u *USL) Throughput(n float64) float64 {
	return u.LambdaRPS * n / (1 + u.Sigma*(n-1) + u.Kappa*n*(n-1))
}

// USLPoint is one measured level: throughput X at concurrency N.
type USLPoint struct{ N, X float64 }

// ErrTooFewLevels is returned by FitUSL when fewer than two distinct concurrency
// levels (one of them above 1) have a positive throughput.
var ErrTooFewLevels = errors.New("usl: need at least two concurrency levels with throughput, one above 1")

// FitUSL fits the Universal Scalability Law to the points by least squares with
// σ, κ >= 0. With a level at N = 1, λ is its throughput and σ, κ solve the
// linearised form N·λ/X(N) - 1 = σ(N-1) + κN(N-1) as a non-negative least squares
// problem; without one, λ is chosen (golden-section search) to minimise the squared error in
// throughput. With a single level above 1, κ is held at 0. R2 is measured on
// throughput.
func FitUSL(points []USLPoint) (USL, error) {
	var pts []USLPoint
	var x1 []float64
	above, maxN := map[float64]bool{}, 0.0
	for _, p := range points {
		if p.N < 1 || p.X <= 0 || math.IsNaN(p.X) || math.IsInf(p.X, 0) {
			continue
		}
		pts = append(pts, p)
		maxN = math.Max(maxN, p.N)
		if p.N == 1 {
			x1 = append(x1, p.X)
		} else {
			above[p.N] = true
		}
	}
	levels := len(above)
	if len(x1) > 0 {
		levels++
	}
	if len(above) == 0 || levels < 2 {
		return USL{}, ErrTooFewLevels
	}
	withKappa := len(above) >= 2
	var u USL
	if len(x1) > 0 {
		u.LambdaRPS = mean(x1)
		u.Sigma, u.Kappa = fitContention(pts, u.LambdaRPS, withKappa)
	} else {
		u = fitLambda(pts, withKappa)
	}
	u.R2 = rSquared(pts, &u)
	u.Points, u.MaxLevel = len(pts), int(maxN)
	return u, nil
}

// fitContention solves the linearised USL for σ and κ, given λ, as a
// non-negative least squares problem: the best of the unconstrained solution
// (when non-negative) and the solutions with σ or κ held at 0.
func fitContention(pts []USLPoint, lambda float64, withKappa bool) (sigma, kappa float64) {
	var rows []USLPoint
	for _, p := range pts {
		if p.N > 1 {
			rows = append(rows, p)
		}
	}
	y := mat.NewVecDense(len(rows), nil)
	a := mat.NewDense(len(rows), 2, nil)
	for i, p := range rows {
		y.SetVec(i, p.N*lambda/p.X-1)
		a.Set(i, 0, p.N-1)
		a.Set(i, 1, p.N*(p.N-1))
	}
	type cand struct{ s, k float64 }
	var cands []cand
	solve := func(cols []int) ([]float64, bool) {
		sub := mat.NewDense(len(rows), len(cols), nil)
		for i := range rows {
			for j, c := range cols {
				sub.Set(i, j, a.At(i, c))
			}
		}
		var x mat.VecDense
		if err := x.SolveVec(sub, y); err != nil {
			return nil, false
		}
		return x.RawVector().Data, true
	}
	if withKappa {
		if x, ok := solve([]int{0, 1}); ok && x[0] >= 0 && x[1] >= 0 {
			cands = append(cands, cand{x[0], x[1]})
		}
		if x, ok := solve([]int{1}); ok && x[0] >= 0 {
			cands = append(cands, cand{0, x[0]})
		}
	}
	if x, ok := solve([]int{0}); ok && x[0] >= 0 {
		cands = append(cands, cand{x[0], 0})
	}
	cands = append(cands, cand{0, 0})
	best, bestErr := cands[0], math.Inf(1)
	for _, c := range cands {
		var sse float64
		for i, p := range rows {
			r := y.AtVec(i) - c.s*(p.N-1) - c.k*p.N*(p.N-1)
			sse += r * r
		}
		if sse < bestErr-1e-12 {
			best, bestErr = c, sse
		}
	}
	return best.s, best.k
}

// fitLambda chooses λ minimising the squared throughput error, with σ and κ
// solved for each λ: a golden-section search on log λ from the largest X(N)/N
// (the law never lets throughput exceed λN) up to four times that.
// (gonum/optimize would pull in golang.org/x/tools, which go.sum lacks.)
func fitLambda(pts []USLPoint, withKappa bool) USL {
	lo := math.Inf(-1)
	for _, p := range pts {
		lo = math.Max(lo, math.Log(p.X/p.N))
	}
	at := func(logLambda float64) USL {
		u := USL{LambdaRPS: math.Exp(logLambda)}
		u.Sigma, u.Kappa = fitContention(pts, u.LambdaRPS, withKappa)
		return u
	}
	cost := func(logLambda float64) float64 {
		u := at(logLambda)
		return sse(pts, &u)
	}
	a, b := lo, lo+math.Log(4)
	g := (math.Sqrt(5) - 1) / 2
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := cost(c), cost(d)
	for range 100 {
		if fc <= fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = cost(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = cost(d)
		}
	}
	best := at(lo)
	if u := at((a + b) / 2); sse(pts, &u) < sse(pts, &best) {
		best = u
	}
	return best
}

func sse(pts []USLPoint, u *USL) float64 {
	var s float64
	for _, p := range pts {
		r := p.X - u.Throughput(p.N)
		s += r * r
	}
	return s
}

func rSquared(pts []USLPoint, u *USL) float64 {
	var xs []float64
	for _, p := range pts {
		xs = append(xs, p.X)
	}
	m := mean(xs)
	var tot float64
	for _, x := range xs {
		tot += (x - m) * (x - m)
	}
	res := sse(pts, u)
	if tot == 0 {
		if res < 1e-12 {
			return 1
		}
		return 0
	}
	return 1 - res/tot
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// buildScaling turns a sweep step into its Scaling. For the built-in target the
// fit uses only the levels up to the target's cores: past them a flat throughput
// is the hardware, and a fit over it would read as lock contention.
func buildScaling(st Step, builtin bool, ideal int) *Scaling {
	sc := &Scaling{Step: st.Name, Levels: st.Levels}
	if sc.Levels == nil {
		sc.Levels = []Level{}
	}
	cores := coresFor(&st, builtin, ideal)
	var pts []USLPoint
	past := 0
	for _, l := range st.Levels {
		if cores > 0 && l.Concurrency > cores {
			past++
			continue
		}
		pts = append(pts, USLPoint{N: float64(l.Concurrency), X: l.ThroughputRPS})
	}
	u, err := FitUSL(pts)
	switch {
	case err != nil && past > 0:
		sc.Note = fmt.Sprintf("no fit: fewer than two levels at or under the target's %s (levels past the cores show the hardware, not contention)",
			plural(cores, "core", "cores"))
		return sc
	case err != nil:
		sc.Note = "no fit: " + err.Error()
		return sc
	}
	u.Sigma, u.Kappa, u.R2, u.LambdaRPS = round3(u.Sigma), round3(u.Kappa), round3(u.R2), round3(u.LambdaRPS)
	sc.USL = &u
	switch {
	case past > 0:
		sc.Note = fmt.Sprintf("fitted over concurrency 1..%d, the target's %s; %s past the cores %s the hardware's limit, not lock contention",
			cores, plural(cores, "core", "cores"), plural(past, "level", "levels"), map[bool]string{true: "shows", false: "show"}[past == 1])
	case u.Points < 3 || len(st.Levels) < 3:
		sc.Note = fmt.Sprintf("fitted over %s only: read sigma as a rough estimate", plural(u.Points, "level", "levels"))
	}
	if u.Kappa == 0 && u.Points == 2 {
		sc.Note = joinNote(sc.Note, "kappa held at 0 (one level above 1)")
	}
	return sc
}

func joinNote(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}
