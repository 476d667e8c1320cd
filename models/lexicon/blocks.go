package lexicon

import (
	"fmt"
	"math"
)

// maskValue is added to attention scores of positions a query must not see.
const maskValue = -1e9

// layers builds the transformer pieces shared by the encoder and the decoder into one graph.
// Every cost block reads the whole residual stream and writes only its scratch subspace, so
// the content and position subspaces pass through the blocks bit for bit.
type layers struct {
	g *graph
	s spec
}

func (l layers) d() int { return l.s.dModel() }

// scratchOnly zeroes the columns of a [rows, d] matrix (or a [d] bias when rows is 1) that lie
// outside the scratch subspace.
func (l layers) scratchOnly(w []float32, rows int) []float32 {
	d := l.d()
	lo := l.s.contentDim + l.s.positionDim
	for r := range rows {
		for c := range lo {
			w[r*d+c] = 0
		}
	}
	return w
}

// linear applies x·W + b with W [in, out] and b [out] named prefix.weight and prefix.bias
// (stored as Optimum stores MatMul weights: already transposed). When toScratch is true the
// output columns outside scratch are zero.
// A block sharing its weights with an earlier one (the same prefix) reuses them.
func (l layers) linear(x, prefix string, in, out int, toScratch bool) string {
	return l.linearWith(x, prefix, in, out, func(w, b []float32) {
		if toScratch {
			l.scratchOnly(w, in)
			l.scratchOnly(b, 1)
		}
	})
}

// linearWith is linear with the random weights shaped by init (called once, when the
// weights are first made).
func (l layers) linearWith(x, prefix string, in, out int, init func(w, b []float32)) string {
	wn, bn := prefix+".weight", prefix+".bias"
	if !l.g.has(wn) {
		scale := float32(math.Sqrt(3 / float64(in)))
		w := uniform(wn, in*out, scale)
		b := uniform(bn, out, 0.02)
		init(w, b)
		l.g.floats(wn, []int64{int64(in), int64(out)}, w)
		l.g.floats(bn, []int64{int64(out)}, b)
	}
	return l.g.node("Add", []string{l.g.node("MatMul", []string{x, wn}), bn})
}

// passThrough makes output columns [0, n) of a [d, out] weight and its bias copy input
// columns [from, from+n) exactly: an identity block, zeros around it.
func (l layers) passThrough(w, b []float32, out, from, n int) {
	for r := range l.d() {
		for c := range n {
			w[r*out+c] = 0
		}
	}
	for c := range n {
		w[(from+c)*out+c] = 1
		b[c] = 0
	}
}

// layerPrefix names the weights of cost block i of kind ("encoder", "decoder"):
// its own, or with spec.weightSets, those of block i mod weightSets.
func (l layers) layerPrefix(kind string, i int) string {
	if l.s.weightSets > 0 {
		i %= l.s.weightSets
	}
	return fmt.Sprintf("model.%s.layers.%d", kind, i)
}

// layerNorm normalizes the last axis with unit gain and zero shift, as a freshly
// initialised LayerNorm.
func (l layers) layerNorm(x, prefix string) string {
	d := l.d()
	gn, bn := prefix+".weight", prefix+".bias"
	if !l.g.has(gn) {
		gamma := make([]float32, d)
		for i := range gamma {
			gamma[i] = 1
		}
		l.g.floats(gn, []int64{int64(d)}, gamma)
		l.g.floats(bn, []int64{int64(d)}, make([]float32, d))
	}
	return l.g.node("LayerNormalization", []string{x, gn, bn}, attrInt("axis", -1), attrFloat("epsilon", 1e-5))
}

// heads reshapes [B, T, d] to [B, H, T, d/H], the layout of Optimum's past_key_values.
func (l layers) heads(x string) string {
	r := l.g.node("Reshape", []string{x, l.g.vecI(false, 0, 0, int64(l.s.heads), int64(l.d()/l.s.heads))})
	return l.g.node("Transpose", []string{r}, attrInts("perm", 0, 2, 1, 3))
}

// unheads reshapes [B, H, T, d/H] back to [B, T, d].
func (l layers) unheads(x string) string {
	t := l.g.node("Transpose", []string{x}, attrInts("perm", 0, 2, 1, 3))
	return l.g.node("Reshape", []string{t, l.g.vecI(false, 0, 0, int64(l.d()))})
}

// keysValues projects the keys and values of an attention from kv, in heads
// ([B, H, T, d/H] each). align, when set, makes the first columns of the projections copy
// the position subspace (keys) and the content subspace (values) of kv exactly, so that the
// alignment attention can read them back (see buildDecoder).
func (l layers) keysValues(kv, prefix string, align bool) (k, v string) {
	d := l.d()
	kInit, vInit := func(w, b []float32) {}, func(w, b []float32) {}
	if align {
		kInit = func(w, b []float32) { l.passThrough(w, b, d, l.s.contentDim, l.s.positionDim) }
		vInit = func(w, b []float32) { l.passThrough(w, b, d, 0, l.s.contentDim) }
	}
	k = l.heads(l.linearWith(kv, prefix+".k_proj", d, d, kInit))
	v = l.heads(l.linearWith(kv, prefix+".v_proj", d, d, vInit))
	return k, v
}

// queries projects the queries of an attention from q, in heads.
func (l layers) queries(q, prefix string) string {
	return l.heads(l.linear(q, prefix+".q_proj", l.d(), l.d(), false))
}

// attend is multi-head scaled dot-product attention of queries qh over keys kh and values vh
// (all [B, H, T, d/H]), with an additive mask broadcastable to [B, H, Tq, Tk] ("" for none);
// its output projection writes scratch only.
func (l layers) attend(qh, kh, vh, mask, prefix string) string {
	d := l.d()
	kt := l.g.node("Transpose", []string{kh}, attrInts("perm", 0, 1, 3, 2))
	scale := l.g.scalarF(float32(1 / math.Sqrt(float64(d/l.s.heads))))
	scores := l.g.node("Mul", []string{l.g.node("MatMul", []string{qh, kt}), scale})
	if mask != "" {
		scores = l.g.node("Add", []string{scores, mask})
	}
	probs := l.g.node("Softmax", []string{scores}, attrInt("axis", -1))
	ctx := l.unheads(l.g.node("MatMul", []string{probs, vh}))
	return l.linear(ctx, prefix+".out_proj", d, d, true)
}

// attention is attend with queries from q and keys and values projected from kv.
func (l layers) attention(q, kv, mask, prefix string) string {
	qh := l.queries(q, prefix)
	kh, vh := l.keysValues(kv, prefix, false)
	return l.attend(qh, kh, vh, mask, prefix)
}

// feedForward is the position-wise network with Marian's swish activation (x·sigmoid(x)),
// writing scratch only.
func (l layers) feedForward(x, layer string) string {
	pre := l.linear(x, layer+".fc1", l.d(), l.s.ffnDim, false)
	hidden := l.g.node("Mul", []string{pre, l.g.node("Sigmoid", []string{pre})})
	return l.linear(hidden, layer+".fc2", l.s.ffnDim, l.d(), true)
}

// residual adds a pre-norm sublayer's output to the stream.
func (l layers) residual(h, out string) string {
	return l.g.node("Add", []string{h, out})
}

// keyMask turns an int64 [B, S] attention mask (1 keep, 0 pad) into an additive float mask
// with the given axes inserted: (1, 2) gives [B, 1, 1, S] for multi-head scores, (1) gives
// [B, 1, S] for single-head ones.
func (l layers) keyMask(mask string, axes ...int64) string {
	m := l.g.node("Cast", []string{mask}, attrInt("to", 1))
	pad := l.g.node("Sub", []string{l.g.scalarF(1), m})
	add := l.g.node("Mul", []string{pad, l.g.scalarF(maskValue)})
	return l.g.node("Unsqueeze", []string{add, l.g.vecI(false, axes...)})
}

// seqLen returns the int64 scalar length of axis 1 of x.
func (l layers) seqLen(x string) string {
	return l.g.node("Gather", []string{l.g.node("Shape", []string{x}), l.g.vecI(true, 1)}, attrInt("axis", 0))
}

// positions adds the position table's rows offset..offset+T-1 to h, for T the length of
// axis 1 of ids and offset an int64 scalar ("" for 0).
func (l layers) positions(h, ids, table, offset string) string {
	start, end := l.g.vecI(true, 0), l.seqLen(ids)
	if offset != "" {
		start, end = offset, l.g.node("Add", []string{offset, end})
	}
	r := l.g.node("Range", []string{start, end, l.g.vecI(true, 1)})
	pe := l.g.node("Gather", []string{table, r}, attrInt("axis", 0))
	return l.g.node("Add", []string{h, pe})
}

// axisLen returns the int64 scalar length of axis of x.
func (l layers) axisLen(x string, axis int64) string {
	return l.g.node("Gather", []string{l.g.node("Shape", []string{x}), l.g.vecI(true, axis)}, attrInt("axis", 0))
}

// positionTable returns the [maxPositions, d] table whose row t holds position code t in the
// position subspace.
func (l layers) positionTable(name string) (string, error) {
	codes, err := signCodes("positions", maxPositions, l.s.positionDim, positionCoherence)
	if err != nil {
		return "", fmt.Errorf("position codes: %w", err)
	}
	d := l.d()
	t := make([]float32, maxPositions*d)
	for p, c := range codes {
		copy(t[p*d+l.s.contentDim:], c)
	}
	return l.g.floats(name, []int64{maxPositions, int64(d)}, t), nil
}

// Position codes have pairwise inner products at most positionCoherence, so with queries
// scaled by alignGain a decoder position's score for its own source position beats every
// other position's by alignGain*(1-positionCoherence) = 30 nats: the softmax leaves less
// than 1e-13 of weight on the others.
const (
	positionCoherence = 0.5
	alignGain         = 60
)
