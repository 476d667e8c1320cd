package lexicon

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/pretrained"
	ort "github.com/yalue/onnxruntime_go"
)

// defaultORTLib is where `make ort` provisions ONNX Runtime, relative to this package.
const defaultORTLib = "../../.cache/onnxruntime/1.30.0/libonnxruntime.so.1"

var (
	ortOnce sync.Once
	ortErr  error
)

// initORT loads ONNX Runtime once per test binary, failing the test loudly when the library
// is missing.
func initORT(tb testing.TB) {
	tb.Helper()
	ortOnce.Do(func() {
		lib := os.Getenv("CONTEND_ORT_LIB")
		if lib == "" {
			lib = defaultORTLib
		}
		if _, err := os.Stat(lib); err != nil {
			ortErr = fmt.Errorf("onnx runtime library %s: %w (run make ort)", lib, err)
			return
		}
		ort.SetSharedLibraryPath(lib)
		ortErr = ort.InitializeEnvironment(ort.WithLogLevelError())
	})
	if ortErr != nil {
		tb.Fatalf("initialise onnx runtime: %v", ortErr)
	}
}

// testModel is one built direction loaded into ONNX Runtime, with a greedy decoder loop that
// stands in for the production Translator of package models.
type testModel struct {
	cfg      modelConfig
	enc      *ort.DynamicAdvancedSession
	dec      *ort.DynamicAdvancedSession
	src      *tokenizer.Tokenizer
	tgtVocab []string // target tokens by id
}

func loadTestModel(tb testing.TB, dir string) *testModel {
	tb.Helper()
	initORT(tb)
	m := &testModel{}
	raw, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m.cfg); err != nil {
		tb.Fatalf("parse %s: %v", ConfigFile, err)
	}
	opts, err := ort.NewSessionOptions()
	if err != nil {
		tb.Fatal(err)
	}
	defer opts.Destroy()
	if err := opts.SetIntraOpNumThreads(1); err != nil {
		tb.Fatal(err)
	}
	if err := opts.SetInterOpNumThreads(1); err != nil {
		tb.Fatal(err)
	}
	m.enc, err = ort.NewDynamicAdvancedSession(filepath.Join(dir, EncoderFile),
		[]string{"input_ids", "attention_mask"}, []string{"last_hidden_state"}, opts)
	if err != nil {
		tb.Fatalf("load encoder: %v", err)
	}
	m.dec, err = ort.NewDynamicAdvancedSession(filepath.Join(dir, DecoderFile),
		[]string{"input_ids", "encoder_hidden_states", "encoder_attention_mask"}, []string{"logits"}, opts)
	if err != nil {
		tb.Fatalf("load decoder: %v", err)
	}
	tb.Cleanup(func() {
		m.enc.Destroy()
		m.dec.Destroy()
	})
	m.src, err = pretrained.FromFile(filepath.Join(dir, TokenizerFile))
	if err != nil {
		tb.Fatalf("load %s: %v", TokenizerFile, err)
	}
	var tf struct {
		Model struct {
			Vocab map[string]int `json:"vocab"`
		} `json:"model"`
	}
	raw, err = os.ReadFile(filepath.Join(dir, TargetTokenizerFile))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, &tf); err != nil {
		tb.Fatalf("parse %s: %v", TargetTokenizerFile, err)
	}
	m.tgtVocab = make([]string, len(tf.Model.Vocab))
	for tok, id := range tf.Model.Vocab {
		m.tgtVocab[id] = tok
	}
	return m
}

// encodeSource tokenizes text with the source tokenizer (which appends </s>).
func (m *testModel) encodeSource(tb testing.TB, text string) []int64 {
	tb.Helper()
	en, err := m.src.EncodeSingle(text, true)
	if err != nil {
		tb.Fatalf("tokenize %q: %v", text, err)
	}
	ids := make([]int64, len(en.Ids))
	for i, id := range en.Ids {
		ids[i] = int64(id)
	}
	return ids
}

// greedy runs the encoder once and the decoder step by step, taking the argmax of the last
// position, until </s> or len(src)+4 steps. It returns the generated ids without the start
// token and the final </s>.
func (m *testModel) greedy(tb testing.TB, src []int64) []int64 {
	tb.Helper()
	n := int64(len(src))
	mask := make([]int64, n)
	for i := range mask {
		mask[i] = 1
	}
	idsT := mustTensor(tb, ort.NewShape(1, n), src)
	defer idsT.Destroy()
	maskT := mustTensor(tb, ort.NewShape(1, n), mask)
	defer maskT.Destroy()
	encOut := []ort.Value{nil}
	if err := m.enc.Run([]ort.Value{idsT, maskT}, encOut); err != nil {
		tb.Fatalf("run encoder: %v", err)
	}
	defer encOut[0].Destroy()

	out := []int64{int64(m.cfg.DecoderStartTokenID)}
	for len(out) <= len(src)+4 {
		decIDs := mustTensor(tb, ort.NewShape(1, int64(len(out))), out)
		logits := []ort.Value{nil}
		err := m.dec.Run([]ort.Value{decIDs, encOut[0], maskT}, logits)
		decIDs.Destroy()
		if err != nil {
			tb.Fatalf("run decoder: %v", err)
		}
		data := logits[0].(*ort.Tensor[float32]).GetData()
		v := m.cfg.VocabSize
		last := data[(len(out)-1)*v : len(out)*v]
		best := 0
		for i, x := range last {
			if x > last[best] {
				best = i
			}
		}
		logits[0].Destroy()
		if best == m.cfg.EOSTokenID {
			return out[1:]
		}
		out = append(out, int64(best))
	}
	tb.Fatalf("no </s> after %d steps for source ids %v", len(out)-1, src)
	return nil
}

// translate returns the space-joined target tokens for text.
func (m *testModel) translate(tb testing.TB, text string) string {
	tb.Helper()
	ids := m.greedy(tb, m.encodeSource(tb, text))
	toks := make([]string, len(ids))
	for i, id := range ids {
		toks[i] = m.tgtVocab[id]
	}
	return strings.Join(toks, " ")
}

func mustTensor[T ort.TensorData](tb testing.TB, s ort.Shape, data []T) *ort.Tensor[T] {
	tb.Helper()
	t, err := ort.NewTensor(s, data)
	if err != nil {
		tb.Fatalf("new tensor %v: %v", s, err)
	}
	return t
}
