package lexicon

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
)

// seed is mixed into every random stream, so all weights are fixed for a given tensor name.
const seed = 0x6c657869636f6e // "lexicon"

// rngFor returns a PCG stream that depends only on name: builds are deterministic whatever
// order tensors are made in.
func rngFor(name string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(name))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// signCodes returns n distinct codes of dimension dim with entries ±1/sqrt(dim), so each has
// unit length and two distinct codes have inner product at most 1-2/dim. When maxCoherence is
// below 1, a candidate whose inner product with any earlier code exceeds it is redrawn.
func signCodes(name string, n, dim int, maxCoherence float64) ([][]float32, error) {
	r := rngFor(name)
	v := float32(1 / math.Sqrt(float64(dim)))
	seen := make(map[string]bool, n)
	codes := make([][]float32, 0, n)
	bits := make([]byte, dim)
	for tries := 0; len(codes) < n; tries++ {
		if tries > 1000*n+1000 {
			return nil, fmt.Errorf("%s: cannot draw %d codes of dimension %d with coherence <= %g", name, n, dim, maxCoherence)
		}
		c := make([]float32, dim)
		for i := range c {
			if r.Uint64()&1 == 0 {
				c[i], bits[i] = v, '+'
			} else {
				c[i], bits[i] = -v, '-'
			}
		}
		if seen[string(bits)] || !coherent(c, codes, maxCoherence) {
			continue
		}
		seen[string(bits)] = true
		codes = append(codes, c)
	}
	return codes, nil
}

// coherent reports whether c's inner product with every code in codes is at most limit
// (always true when limit >= 1).
func coherent(c []float32, codes [][]float32, limit float64) bool {
	if limit >= 1 {
		return true
	}
	for _, o := range codes {
		if float64(dot(c, o)) > limit {
			return false
		}
	}
	return true
}

func dot(a, b []float32) float32 {
	var s float32
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// uniform returns n values drawn uniformly from [-scale, scale] by the stream for name.
func uniform(name string, n int, scale float32) []float32 {
	r := rngFor(name)
	out := make([]float32, n)
	for i := range out {
		out[i] = (2*r.Float32() - 1) * scale
	}
	return out
}
