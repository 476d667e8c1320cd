package lexicon

import (
	"fmt"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// buildDecoder returns decoder_model.onnx for a direction (Optimum's decoder without past key
// values: every call re-reads the whole target prefix).
//
// The previous tokens' embeddings (the shared table's rows) are projected into scratch only,
// and position codes are added. The alignment attention then lets decoder position t read
// encoder position t: its queries are the position codes times alignGain, its keys the
// encoder's position codes and its values the encoder's content codes, so position t's
// content becomes the code of the translation of source token t. The cost layers (causal
// self-attention, cross-attention and feed-forward, each pre-norm) write scratch only, and
// the logits are the stream times the shared table transposed, plus final_logits_bias, so
// they are largest for that code's token.
func buildDecoder(dir *direction, s spec, tgtCodes [][]float32) ([]byte, error) {
	g := newGraph("decoder")
	l := layers{g: g, s: s}
	d := s.dModel()
	v := dir.tgtVocab.size()
	ids := g.input("input_ids", onnx.TensorProto_INT64, dim{param: "batch_size"}, dim{param: "decoder_sequence_length"})
	enc := g.input("encoder_hidden_states", onnx.TensorProto_FLOAT,
		dim{param: "batch_size"}, dim{param: "encoder_sequence_length"}, dim{size: int64(d)})
	encMask := g.input("encoder_attention_mask", onnx.TensorProto_INT64, dim{param: "batch_size"}, dim{param: "encoder_sequence_length"})
	g.output("logits", onnx.TensorProto_FLOAT,
		dim{param: "batch_size"}, dim{param: "decoder_sequence_length"}, dim{size: int64(v)})

	// The shared table: content codes, zero elsewhere; <pad> (the decoder start token) is zero.
	shared := make([]float32, v*d)
	for id := range v - 1 {
		copy(shared[id*d:], tgtCodes[id])
	}
	table := g.floats("model.shared.weight", []int64{int64(v), int64(d)}, shared)
	posTable, err := l.positionTable("model.decoder.embed_positions.weight")
	if err != nil {
		return nil, fmt.Errorf("decoder: %w", err)
	}

	// Token embeddings into scratch: a projection whose rows outside content and columns
	// outside scratch are zero.
	proj := uniform("model.decoder.embed_tokens.proj", d*d, 1)
	for r := range d {
		for c := range d {
			if r >= s.contentDim || c < s.contentDim+s.positionDim {
				proj[r*d+c] = 0
			}
		}
	}
	projName := g.floats("model.decoder.embed_tokens.proj", []int64{int64(d), int64(d)}, proj)
	h := g.node("MatMul", []string{g.node("Gather", []string{table, ids}, attrInt("axis", 0)), projName})
	h = l.positions(h, ids, posTable)

	h = l.align(h, enc, l.keyMask(encMask, 1))

	causal := l.causalMask(ids)
	crossMask := l.keyMask(encMask, 1, 2)
	for i := range s.layers {
		p := l.layerPrefix("decoder", i)
		x := l.layerNorm(h, p+".self_attn_layer_norm")
		h = l.residual(h, l.attention(x, x, causal, p+".self_attn"))
		x = l.layerNorm(h, p+".encoder_attn_layer_norm")
		h = l.residual(h, l.attention(x, enc, crossMask, p+".encoder_attn"))
		x = l.layerNorm(h, p+".final_layer_norm")
		h = l.residual(h, l.feedForward(x, p))
	}

	bias := make([]float32, v)
	bias[dir.tgtVocab.padID()] = maskValue / 1e5 // Marian never generates <pad>
	biasName := g.floats("final_logits_bias", []int64{1, int64(v)}, bias)
	outProj := g.node("Transpose", []string{table}, attrInts("perm", 1, 0))
	g.nodeTo("logits", "Add", []string{g.node("MatMul", []string{h, outProj}), biasName})
	return g.marshal(fmt.Sprintf("contend lexicon decoder %s: word-by-word dictionary translation", dir.name))
}

// align is the single-head alignment attention described at buildDecoder. It reads the
// residual streams directly (no layer norm), so the position codes keep their exact scale.
func (l layers) align(h, enc, mask string) string {
	s := l.s
	d := l.d()
	pos := s.contentDim
	wq := make([]float32, d*s.positionDim)
	wk := make([]float32, d*s.positionDim)
	for i := range s.positionDim {
		wq[(pos+i)*s.positionDim+i] = alignGain
		wk[(pos+i)*s.positionDim+i] = 1
	}
	wv := make([]float32, d*s.contentDim)
	wo := make([]float32, s.contentDim*d)
	for i := range s.contentDim {
		wv[i*s.contentDim+i] = 1
		wo[i*d+i] = 1
	}
	p := "model.decoder.align"
	q := l.g.node("MatMul", []string{h, l.g.floats(p+".q_proj.weight", []int64{int64(d), int64(s.positionDim)}, wq)})
	k := l.g.node("MatMul", []string{enc, l.g.floats(p+".k_proj.weight", []int64{int64(d), int64(s.positionDim)}, wk)})
	v := l.g.node("MatMul", []string{enc, l.g.floats(p+".v_proj.weight", []int64{int64(d), int64(s.contentDim)}, wv)})
	kt := l.g.node("Transpose", []string{k}, attrInts("perm", 0, 2, 1))
	scores := l.g.node("Add", []string{l.g.node("MatMul", []string{q, kt}), mask})
	probs := l.g.node("Softmax", []string{scores}, attrInt("axis", -1))
	ctx := l.g.node("MatMul", []string{probs, v})
	out := l.g.node("MatMul", []string{ctx, l.g.floats(p+".out_proj.weight", []int64{int64(s.contentDim), int64(d)}, wo)})
	return l.residual(h, out)
}

// causalMask returns a [T, T] additive mask hiding later positions, for T the length of
// axis 1 of ids.
func (l layers) causalMask(ids string) string {
	r := l.g.node("Range", []string{l.g.vecI(true, 0), l.seqLen(ids), l.g.vecI(true, 1)})
	rows := l.g.node("Unsqueeze", []string{r, l.g.vecI(false, 1)})
	cols := l.g.node("Unsqueeze", []string{r, l.g.vecI(false, 0)})
	future := l.g.node("Greater", []string{cols, rows})
	return l.g.node("Where", []string{future, l.g.scalarF(maskValue), l.g.scalarF(0)})
}
