package lexicon

import (
	"fmt"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// Names of the key/value cache tensors, as Optimum names them for Marian: inputs
// past_key_values.<layer>.<decoder|encoder>.<key|value>, outputs present.<...>.
func pastName(layer int, kind, kv string) string {
	return fmt.Sprintf("past_key_values.%d.%s.%s", layer, kind, kv)
}

func presentName(layer int, kind, kv string) string {
	return fmt.Sprintf("present.%d.%s.%s", layer, kind, kv)
}

// keyValue is one attention's keys and values, in heads ([B, H, T, d/H]).
type keyValue struct{ k, v string }

// buildDecoder returns decoder_model.onnx for a direction, or with withPast
// decoder_with_past_model.onnx: Optimum's pair of decoders for generation with a key/value
// cache. The first reads the whole target prefix and the encoder's hidden states and also
// outputs every layer's keys and values (present.*); the second reads only the last token
// and the cache (past_key_values.*), and outputs the self-attention's keys and values grown
// by one position, so that each greedy step costs the same however long the prefix.
//
// The previous tokens' embeddings (the shared table's rows) are projected into scratch only,
// and position codes are added (from the cache's length on, with past). The alignment
// attention then lets decoder position t read encoder position t: its queries are the
// position codes times alignGain, its keys the encoder's position codes and its values the
// encoder's content codes, so position t's content becomes the code of the translation of
// source token t. Those keys and values are read from layer 0's cross-attention cache, whose
// projections copy the position and content subspaces exactly into their first columns, so
// the decoder with past needs nothing of the encoder but its cache. The cost layers (causal
// self-attention, cross-attention and feed-forward, each pre-norm) write scratch only, and
// the logits are the stream times the shared table transposed, plus final_logits_bias, so
// they are largest for that code's token.
func buildDecoder(dir *direction, s spec, tgtCodes [][]float32, withPast bool) ([]byte, error) {
	name := "decoder"
	if withPast {
		name = "decoder_with_past"
	}
	g := newGraph(name)
	l := layers{g: g, s: s}
	d := s.dModel()
	v := dir.tgtVocab.size()
	hd := int64(d / s.heads)
	batch := dim{param: "batch_size"}
	seq := dim{param: "decoder_sequence_length"}
	presentSelfLen := dim{param: "decoder_sequence_length"}
	if withPast {
		seq = dim{size: 1}
		presentSelfLen = dim{param: "past_decoder_sequence_length + 1"}
	}
	encLen := dim{param: "encoder_sequence_length"}
	cacheDims := func(length dim) []dim { return []dim{batch, {size: int64(s.heads)}, length, {size: hd}} }

	ids := g.input("input_ids", onnx.TensorProto_INT64, batch, seq)
	var enc string
	if !withPast {
		enc = g.input("encoder_hidden_states", onnx.TensorProto_FLOAT, batch, encLen, dim{size: int64(d)})
	}
	encMask := g.input("encoder_attention_mask", onnx.TensorProto_INT64, batch, encLen)
	pastSelf := make([]keyValue, s.layers)
	cross := make([]keyValue, s.layers)
	if withPast {
		for i := range s.layers {
			pastSelf[i] = keyValue{
				g.input(pastName(i, "decoder", "key"), onnx.TensorProto_FLOAT, cacheDims(dim{param: "past_decoder_sequence_length"})...),
				g.input(pastName(i, "decoder", "value"), onnx.TensorProto_FLOAT, cacheDims(dim{param: "past_decoder_sequence_length"})...),
			}
			cross[i] = keyValue{
				g.input(pastName(i, "encoder", "key"), onnx.TensorProto_FLOAT, cacheDims(dim{param: "encoder_sequence_length_out"})...),
				g.input(pastName(i, "encoder", "value"), onnx.TensorProto_FLOAT, cacheDims(dim{param: "encoder_sequence_length_out"})...),
			}
		}
	}
	g.output("logits", onnx.TensorProto_FLOAT, batch, seq, dim{size: int64(v)})
	for i := range s.layers {
		g.output(presentName(i, "decoder", "key"), onnx.TensorProto_FLOAT, cacheDims(presentSelfLen)...)
		g.output(presentName(i, "decoder", "value"), onnx.TensorProto_FLOAT, cacheDims(presentSelfLen)...)
		if !withPast {
			g.output(presentName(i, "encoder", "key"), onnx.TensorProto_FLOAT, cacheDims(dim{param: "encoder_sequence_length_out"})...)
			g.output(presentName(i, "encoder", "value"), onnx.TensorProto_FLOAT, cacheDims(dim{param: "encoder_sequence_length_out"})...)
		}
	}

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
	offset := ""
	if withPast {
		offset = l.axisLen(pastSelf[0].k, 2)
	}
	h = l.positions(h, ids, posTable, offset)

	if !withPast {
		for i := range s.layers {
			// Layer 0 makes the weights (shared by later layers of the same set): it is the
			// one whose cache carries the alignment's keys and values.
			k, v := l.keysValues(enc, l.layerPrefix("decoder", i)+".encoder_attn", i == 0)
			cross[i] = keyValue{k, v}
			g.nodeTo(presentName(i, "encoder", "key"), "Identity", []string{k})
			g.nodeTo(presentName(i, "encoder", "value"), "Identity", []string{v})
		}
	}
	h = l.align(h, cross[0], l.keyMask(encMask, 1))

	causal := ""
	if !withPast {
		causal = l.causalMask(ids) // with past, the one query is the last position: it sees all
	}
	crossMask := l.keyMask(encMask, 1, 2)
	for i := range s.layers {
		p := l.layerPrefix("decoder", i)
		x := l.layerNorm(h, p+".self_attn_layer_norm")
		qh := l.queries(x, p+".self_attn")
		kh, vh := l.keysValues(x, p+".self_attn", false)
		if withPast {
			kh = g.node("Concat", []string{pastSelf[i].k, kh}, attrInt("axis", 2))
			vh = g.node("Concat", []string{pastSelf[i].v, vh}, attrInt("axis", 2))
		}
		g.nodeTo(presentName(i, "decoder", "key"), "Identity", []string{kh})
		g.nodeTo(presentName(i, "decoder", "value"), "Identity", []string{vh})
		h = l.residual(h, l.attend(qh, kh, vh, causal, p+".self_attn"))
		x = l.layerNorm(h, p+".encoder_attn_layer_norm")
		h = l.residual(h, l.attend(l.queries(x, p+".encoder_attn"), cross[i].k, cross[i].v, crossMask, p+".encoder_attn"))
		x = l.layerNorm(h, p+".final_layer_norm")
		h = l.residual(h, l.feedForward(x, p))
	}

	bias := make([]float32, v)
	bias[dir.tgtVocab.padID()] = maskValue / 1e5 // Marian never generates <pad>
	biasName := g.floats("final_logits_bias", []int64{1, int64(v)}, bias)
	outProj := g.node("Transpose", []string{table}, attrInts("perm", 1, 0))
	g.nodeTo("logits", "Add", []string{g.node("MatMul", []string{h, outProj}), biasName})
	return g.marshal(fmt.Sprintf("contend lexicon %s %s: word-by-word dictionary translation", name, dir.name))
}

// align is the single-head alignment attention described at buildDecoder, over the
// position and content columns of layer 0's cross-attention keys and values. It reads the
// residual stream directly (no layer norm), so the position codes keep their exact scale.
func (l layers) align(h string, layer0 keyValue, mask string) string {
	s := l.s
	d := l.d()
	pos := s.contentDim
	wq := make([]float32, d*s.positionDim)
	for i := range s.positionDim {
		wq[(pos+i)*s.positionDim+i] = alignGain
	}
	wo := make([]float32, s.contentDim*d)
	for i := range s.contentDim {
		wo[i*d+i] = 1
	}
	first := func(x string, n int) string { // columns [0, n) of [B, S, d]
		return l.g.node("Slice", []string{l.unheads(x), l.g.vecI(false, 0), l.g.vecI(false, int64(n)), l.g.vecI(false, 2)})
	}
	p := "model.decoder.align"
	q := l.g.node("MatMul", []string{h, l.g.floats(p+".q_proj.weight", []int64{int64(d), int64(s.positionDim)}, wq)})
	k := first(layer0.k, s.positionDim)
	v := first(layer0.v, s.contentDim)
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
