package lexicon

import (
	"fmt"

	"github.com/advancedclimatesystems/gonnx/onnx"
)

// buildEncoder returns encoder_model.onnx for a direction. Each source token's embedding is
// the content code of its translation (</s> and <unk> to their own codes, <pad> to zero);
// the position table adds position codes; the cost blocks then write scratch only, so
// last_hidden_state carries, at every source position, the code of the word the decoder must
// emit there and the code of the position.
func buildEncoder(dir *direction, s spec, tgtCodes [][]float32) ([]byte, error) {
	g := newGraph("encoder")
	l := layers{g: g, s: s}
	d := s.dModel()
	ids := g.input("input_ids", onnx.TensorProto_INT64, dim{param: "batch_size"}, dim{param: "encoder_sequence_length"})
	mask := g.input("attention_mask", onnx.TensorProto_INT64, dim{param: "batch_size"}, dim{param: "encoder_sequence_length"})
	g.output("last_hidden_state", onnx.TensorProto_FLOAT,
		dim{param: "batch_size"}, dim{param: "encoder_sequence_length"}, dim{size: int64(d)})

	trans := dir.translationIDs()
	emb := make([]float32, len(trans)*d)
	for src, tgt := range trans {
		if tgt >= 0 {
			copy(emb[src*d:], tgtCodes[tgt])
		}
	}
	table := g.floats("model.encoder.embed_tokens.weight", []int64{int64(len(trans)), int64(d)}, emb)
	posTable, err := l.positionTable("model.encoder.embed_positions.weight")
	if err != nil {
		return nil, fmt.Errorf("encoder: %w", err)
	}

	h := g.node("Gather", []string{table, ids}, attrInt("axis", 0))
	h = l.positions(h, ids, posTable, "")
	keyMask := l.keyMask(mask, 1, 2)
	for i := range s.layers {
		p := l.layerPrefix("encoder", i)
		x := l.layerNorm(h, p+".self_attn_layer_norm")
		h = l.residual(h, l.attention(x, x, keyMask, p+".self_attn"))
		x = l.layerNorm(h, p+".final_layer_norm")
		h = l.residual(h, l.feedForward(x, p))
	}
	g.nodeTo("last_hidden_state", "Identity", []string{h})
	return g.marshal(fmt.Sprintf("contend lexicon encoder %s: word-by-word dictionary translation", dir.name))
}
