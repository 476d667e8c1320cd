package models

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/advancedclimatesystems/gonnx/onnx"
	"google.golang.org/protobuf/proto"
)

// TestMergedDecoderLayout loads a model laid out as transformers.js exports it: the graphs in
// onnx/, and decoder_model_merged.onnx instead of decoder_model.onnx, with use_cache_branch and
// past_key_values.* inputs declared ahead of the others. The lexicon decoder has no cache
// branch, so the extra inputs are declared but unused: what this checks is that inputs are
// bound by name, that the placeholders have shapes ONNX Runtime accepts (zero past length,
// heads and head size from the declared shape or, when symbolic, from config.json), and that
// the translations are those of the plain layout.
func TestMergedDecoderLayout(t *testing.T) {
	dir := copyModel(t, "en-hi")
	if err := os.Mkdir(filepath.Join(dir, onnxSubdir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, encoderFile), filepath.Join(dir, onnxSubdir, encoderFile)); err != nil {
		t.Fatal(err)
	}
	heads := int64(tinyModel(t, "en-hi").Config().DecoderHeads)
	headDim := int64(tinyModel(t, "en-hi").Config().DModel) / heads
	mergeDecoder(t, filepath.Join(dir, decoderFile), filepath.Join(dir, onnxSubdir, mergedDecoderFile), heads, headDim)
	if err := os.Remove(filepath.Join(dir, decoderFile)); err != nil {
		t.Fatal(err)
	}

	m, err := Load(dir)
	if err != nil {
		t.Fatalf("Load(merged layout): %v", err)
	}
	defer m.Close()
	if m.merged == nil || !m.merged.useCacheBranch || len(m.merged.past) != 8 {
		t.Fatalf("merged inputs = %+v, want use_cache_branch and 8 past inputs", m.merged)
	}
	for _, p := range m.merged.past {
		if p.heads != heads || p.headDim != headDim {
			t.Errorf("%s sized %d heads x %d, want %d x %d", p.name, p.heads, p.headDim, heads, headDim)
		}
	}
	texts := sentences["en-hi"]
	got := translateEach(t, m, texts)
	want := translateEach(t, tinyModel(t, "en-hi"), texts)
	if !slices.Equal(got, want) {
		t.Errorf("merged layout translates %q\nplain layout %q", got, want)
	}
}

// mergeDecoder writes a copy of the decoder graph at src to dst with the inputs of a merged
// decoder added in front: use_cache_branch, past_key_values.0.* with fixed heads and head
// size, past_key_values.1.* with symbolic ones.
func mergeDecoder(t *testing.T, src, dst string, heads, headDim int64) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var model onnx.ModelProto
	if err := proto.Unmarshal(data, &model); err != nil {
		t.Fatalf("parse %s: %v", src, err)
	}
	dim := func(v int64, param string) *onnx.TensorShapeProto_Dimension {
		if param != "" {
			return &onnx.TensorShapeProto_Dimension{Value: &onnx.TensorShapeProto_Dimension_DimParam{DimParam: param}}
		}
		return &onnx.TensorShapeProto_Dimension{Value: &onnx.TensorShapeProto_Dimension_DimValue{DimValue: v}}
	}
	input := func(name string, elem onnx.TensorProto_DataType, dims ...*onnx.TensorShapeProto_Dimension) *onnx.ValueInfoProto {
		return &onnx.ValueInfoProto{Name: name, Type: &onnx.TypeProto{Value: &onnx.TypeProto_TensorType{
			TensorType: &onnx.TypeProto_Tensor{ElemType: int32(elem), Shape: &onnx.TensorShapeProto{Dim: dims}},
		}}}
	}
	extra := []*onnx.ValueInfoProto{input(inUseCacheBranch, onnx.TensorProto_BOOL, dim(1, ""))}
	for layer := range 2 {
		for _, kind := range []string{"decoder.key", "decoder.value", "encoder.key", "encoder.value"} {
			h, d := dim(heads, ""), dim(headDim, "")
			if layer == 1 {
				h, d = dim(0, "num_heads"), dim(0, "head_dim")
			}
			name := fmt.Sprintf("%s%d.%s", inPastPrefix, layer, kind)
			extra = append(extra, input(name, onnx.TensorProto_FLOAT,
				dim(0, "batch_size"), h, dim(0, "past_sequence_length"), d))
		}
	}
	// Reverse the original inputs as well, so that nothing depends on their order.
	orig := slices.Clone(model.Graph.Input)
	slices.Reverse(orig)
	model.Graph.Input = append(extra, orig...)
	out, err := proto.Marshal(&model)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out, 0o644); err != nil {
		t.Fatal(err)
	}
}
