package lexicon

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"testing"

	ort "github.com/yalue/onnxruntime_go"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    Size
		wantErr bool
	}{
		{"tiny", Tiny, false},
		{"base", Base, false},
		{"large", Large, false},
		{"", "", true},
		{"Base", "", true},
		{"huge", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseSize(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("ParseSize(%q) = %q, %v; want %q, error %t", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestBuildUnknownSize(t *testing.T) {
	dir := t.TempDir()
	if err := Build(dir, Size("huge")); err == nil {
		t.Fatal("Build with size huge: want an error")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("Build with a bad size wrote %d entries", len(entries))
	}
}

// TestBuildDeterministic builds the tiny models twice and compares every file byte for byte.
func TestBuildDeterministic(t *testing.T) {
	first := builtModels(t, Tiny)
	second := t.TempDir()
	if err := Build(second, Tiny); err != nil {
		t.Fatal(err)
	}
	files := []string{EncoderFile, DecoderFile, DecoderWithPastFile, ConfigFile, TokenizerFile, TargetTokenizerFile}
	for _, d := range Directions {
		for _, f := range files {
			t.Run(d+"/"+f, func(t *testing.T) {
				a, err := os.ReadFile(filepath.Join(first, d, f))
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join(second, d, f))
				if err != nil {
					t.Fatal(err)
				}
				if len(a) == 0 || !bytes.Equal(a, b) {
					t.Errorf("%s/%s differs between builds (%d and %d bytes)", d, f, len(a), len(b))
				}
			})
		}
		entries, err := os.ReadDir(filepath.Join(second, d))
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != len(files) {
			t.Errorf("%s holds %d files, want %d (no temporaries left behind)", d, len(entries), len(files))
		}
	}
}

// TestConfig checks config.json against the graphs' real interface as ONNX Runtime reads it.
func TestConfig(t *testing.T) {
	initORT(t)
	root := builtModels(t, Tiny)
	tests := []struct {
		dir, source, target string
	}{
		{"en-hi", "en", "hi"},
		{"hi-en", "hi", "en"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(root, tt.dir, ConfigFile))
			if err != nil {
				t.Fatal(err)
			}
			var c modelConfig
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			want := contendConfig{Generator: "lexicon", Size: Tiny, SourceLang: tt.source, TargetLang: tt.target}
			got := contendConfig{Generator: c.Contend.Generator, Size: c.Contend.Size, SourceLang: c.Contend.SourceLang, TargetLang: c.Contend.TargetLang}
			if got != want {
				t.Errorf("contend section %+v, want %+v", got, want)
			}
			if c.ModelType != "marian" || c.EOSTokenID != 0 || c.UnkTokenID != 1 ||
				c.PadTokenID != c.VocabSize-1 || c.DecoderStartTokenID != c.PadTokenID || c.MaxLength != maxPositions {
				t.Errorf("config ids: %+v", c)
			}
			if c.DModel != specs[Tiny].dModel() || c.EncoderLayers != specs[Tiny].layers {
				t.Errorf("d_model %d, encoder_layers %d; want %d, %d", c.DModel, c.EncoderLayers, specs[Tiny].dModel(), specs[Tiny].layers)
			}

			ins, outs, err := ort.GetInputOutputInfo(filepath.Join(root, tt.dir, DecoderFile))
			if err != nil {
				t.Fatal(err)
			}
			gotIns := map[string]string{}
			for _, in := range ins {
				gotIns[in.Name] = in.Dimensions.String()
			}
			wantIns := map[string]string{
				"input_ids":              "[-1 -1]",
				"encoder_hidden_states":  ort.NewShape(-1, -1, int64(c.DModel)).String(),
				"encoder_attention_mask": "[-1 -1]",
			}
			for name, shape := range wantIns {
				if gotIns[name] != shape {
					t.Errorf("decoder input %s has shape %q, want %q", name, gotIns[name], shape)
				}
			}
			if len(outs) != 1+4*c.DecoderLayers || outs[0].Name != "logits" || outs[0].Dimensions[2] != int64(c.VocabSize) {
				t.Errorf("decoder outputs %v, want logits [batch, tgt_len, %d] and 4 present.* per layer", outs, c.VocabSize)
			}
			checkCache(t, filepath.Join(root, tt.dir), c)
		})
	}
}

// TestSharedWeights checks spec.weightSets: blocks that reuse an earlier block's
// weights add no initializers of their own, the files shrink, and the
// translations stay those of a model whose blocks all have their own weights
// (the blocks write scratch only, whatever their weights).
func TestSharedWeights(t *testing.T) {
	es, err := loadEntries()
	if err != nil {
		t.Fatal(err)
	}
	own := specs[Tiny]
	own.layers = 3
	shared := own
	shared.weightSets = 2
	var enHi *direction
	for _, d := range directions(es, own.maxWordLen) {
		if d.name == "en-hi" {
			enHi = d
		}
	}
	if enHi == nil {
		t.Fatal("no en-hi direction")
	}
	root := t.TempDir()
	sizes := map[string]int64{}
	for name, s := range map[string]spec{"own": own, "shared": shared} {
		path := filepath.Join(root, name, "en-hi")
		if err := buildDirection(path, enHi, Tiny, s); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		fi, err := os.Stat(filepath.Join(path, EncoderFile))
		if err != nil {
			t.Fatal(err)
		}
		sizes[name] = fi.Size()
		data, err := os.ReadFile(filepath.Join(path, DecoderFile))
		if err != nil {
			t.Fatal(err)
		}
		third := bytes.Contains(data, []byte("model.decoder.layers.2."))
		if third != (name == "own") {
			t.Errorf("%s: the third block's own weights present = %v", name, third)
		}
	}
	// One block's matrices alone (4 attention projections, 2 feed-forward ones),
	// 4 bytes a weight: the least the shared encoder must save.
	d, ffn := int64(own.dModel()), int64(own.ffnDim)
	if saved, block := sizes["own"]-sizes["shared"], 4*(4*d*d+2*d*ffn); saved < block {
		t.Errorf("sharing saved %d bytes of the encoder (%d vs %d), less than one block's %d", saved, sizes["shared"], sizes["own"], block)
	}
	a := loadTestModel(t, filepath.Join(root, "own", "en-hi"))
	defer a.close()
	b := loadTestModel(t, filepath.Join(root, "shared", "en-hi"))
	defer b.close()
	for _, text := range []string{"the water is cold", "the big boy and the small girl eat good hot rice."} {
		if got, want := b.translate(t, text), a.translate(t, text); got != want {
			t.Errorf("%q: shared weights give %q, own weights %q", text, got, want)
		}
	}
}

// checkCache checks the key/value cache interface against Optimum's Marian layout:
// decoder_model.onnx outputs present.N.{decoder,encoder}.{key,value} [batch, heads, length,
// head size]; decoder_with_past_model.onnx takes the last token, the encoder mask and
// past_key_values.N.* of the same shapes, and outputs logits and present.N.decoder.*.
func checkCache(t *testing.T, dir string, c modelConfig) {
	t.Helper()
	heads, size := int64(c.DecoderAttentionHeads), int64(c.DModel/c.DecoderAttentionHeads)
	cache := ort.NewShape(-1, heads, -1, size).String()
	_, outs, err := ort.GetInputOutputInfo(filepath.Join(dir, DecoderFile))
	if err != nil {
		t.Fatal(err)
	}
	gotOuts := map[string]string{}
	for _, o := range outs {
		gotOuts[o.Name] = o.Dimensions.String()
	}
	ins, pastOuts, err := ort.GetInputOutputInfo(filepath.Join(dir, DecoderWithPastFile))
	if err != nil {
		t.Fatal(err)
	}
	gotIns := map[string]string{}
	for _, in := range ins {
		gotIns[in.Name] = in.Dimensions.String()
	}
	gotPastOuts := map[string]string{}
	for _, o := range pastOuts {
		gotPastOuts[o.Name] = o.Dimensions.String()
	}
	wantIns := map[string]string{"input_ids": "[-1 1]", "encoder_attention_mask": "[-1 -1]"}
	wantPastOuts := map[string]string{"logits": ort.NewShape(-1, 1, int64(c.VocabSize)).String()}
	for i := range c.DecoderLayers {
		for _, kind := range []string{"decoder", "encoder"} {
			for _, kv := range []string{"key", "value"} {
				if got := gotOuts[presentName(i, kind, kv)]; got != cache {
					t.Errorf("%s output %s: shape %q, want %q", DecoderFile, presentName(i, kind, kv), got, cache)
				}
				wantIns[pastName(i, kind, kv)] = cache
				if kind == "decoder" {
					wantPastOuts[presentName(i, kind, kv)] = cache
				}
			}
		}
	}
	if !maps.Equal(gotIns, wantIns) {
		t.Errorf("%s inputs %v, want %v", DecoderWithPastFile, gotIns, wantIns)
	}
	if !maps.Equal(gotPastOuts, wantPastOuts) {
		t.Errorf("%s outputs %v, want %v", DecoderWithPastFile, gotPastOuts, wantPastOuts)
	}
}
