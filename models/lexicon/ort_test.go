package lexicon

import (
	"encoding/json"
	"fmt"
	"math"
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
	cfg       modelConfig
	enc       *ort.DynamicAdvancedSession
	dec       *ort.DynamicAdvancedSession
	src       *tokenizer.Tokenizer
	srcPad    int64    // source <pad> id, for right-padding batches
	tgtVocab  []string // target tokens by id
	minMargin float32  // smallest winning logit margin seen by greedyBatch
}

// loadTestModel loads the model in dir with one intra-op thread. The caller must call close
// (shared fixtures live until the test binary exits).
func loadTestModel(tb testing.TB, dir string) *testModel {
	tb.Helper()
	initORT(tb)
	m := &testModel{minMargin: float32(math.Inf(1))}
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
	m.src, err = pretrained.FromFile(filepath.Join(dir, TokenizerFile))
	if err != nil {
		tb.Fatalf("load %s: %v", TokenizerFile, err)
	}
	pad, ok := m.src.TokenToId(padToken)
	if !ok {
		tb.Fatalf("%s has no %s", TokenizerFile, padToken)
	}
	m.srcPad = int64(pad)
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

// close releases the sessions.
func (m *testModel) close() {
	m.enc.Destroy()
	m.dec.Destroy()
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

// greedy translates one tokenized source; see greedyBatch.
func (m *testModel) greedy(tb testing.TB, src []int64) []int64 {
	tb.Helper()
	return m.greedyBatch(tb, [][]int64{src}, len(src)+4)[0]
}

// greedyBatch is the minimal greedy loop the brief asks for: the encoder runs once over the
// right-padded batch, then the decoder runs step by step on the growing prefix, taking the
// argmax of the last position, until every row has emitted </s> (a test failure if one has
// not after maxSteps). It returns each row's generated ids without the start token and the
// final </s>, and records the smallest logit margin between the chosen token and the
// runner-up in m.minMargin.
func (m *testModel) greedyBatch(tb testing.TB, srcs [][]int64, maxSteps int) [][]int64 {
	tb.Helper()
	b := int64(len(srcs))
	var n int64
	for _, s := range srcs {
		n = max(n, int64(len(s)))
	}
	ids := make([]int64, b*n)
	mask := make([]int64, b*n)
	for r, s := range srcs {
		for i := range n {
			if i < int64(len(s)) {
				ids[int64(r)*n+i], mask[int64(r)*n+i] = s[i], 1
			} else {
				ids[int64(r)*n+i] = m.srcPad
			}
		}
	}
	idsT := mustTensor(tb, ort.NewShape(b, n), ids)
	defer idsT.Destroy()
	maskT := mustTensor(tb, ort.NewShape(b, n), mask)
	defer maskT.Destroy()
	encOut := []ort.Value{nil}
	if err := m.enc.Run([]ort.Value{idsT, maskT}, encOut); err != nil {
		tb.Fatalf("run encoder: %v", err)
	}
	defer encOut[0].Destroy()

	v := m.cfg.VocabSize
	outs := make([][]int64, b)
	done := make([]bool, b)
	prefix := []int64{} // row-major [b, t] decoder input
	for range b {
		prefix = append(prefix, int64(m.cfg.DecoderStartTokenID))
	}
	for t := int64(1); ; t++ {
		if t > int64(maxSteps)+1 {
			tb.Fatalf("no </s> after %d steps for a row of source ids %v", maxSteps, srcs)
		}
		decIDs := mustTensor(tb, ort.NewShape(b, t), prefix)
		logits := []ort.Value{nil}
		err := m.dec.Run([]ort.Value{decIDs, encOut[0], maskT}, logits)
		decIDs.Destroy()
		if err != nil {
			tb.Fatalf("run decoder: %v", err)
		}
		data := logits[0].(*ort.Tensor[float32]).GetData()
		next := make([]int64, b)
		all := true
		for r := range b {
			last := data[(r*t+t-1)*int64(v) : (r*t+t)*int64(v)]
			best, second := argmax2(last)
			if !done[r] {
				m.minMargin = min(m.minMargin, last[best]-last[second])
				if best == m.cfg.EOSTokenID {
					done[r] = true
				} else {
					outs[r] = append(outs[r], int64(best))
				}
			}
			next[r] = int64(best)
			all = all && done[r]
		}
		logits[0].Destroy()
		if all {
			return outs
		}
		grown := make([]int64, 0, b*(t+1))
		for r := range b {
			grown = append(grown, prefix[r*t:(r+1)*t]...)
			grown = append(grown, next[r])
		}
		prefix = grown
	}
}

// argmax2 returns the indices of the largest and second largest values.
func argmax2(xs []float32) (best, second int) {
	best, second = 0, 1
	if xs[1] > xs[0] {
		best, second = 1, 0
	}
	for i := 2; i < len(xs); i++ {
		switch {
		case xs[i] > xs[best]:
			best, second = i, best
		case xs[i] > xs[second]:
			second = i
		}
	}
	return best, second
}

// tokens maps target ids to their tokens.
func (m *testModel) tokens(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = m.tgtVocab[id]
	}
	return out
}

// translate returns the target tokens for text joined as the golden file writes them.
func (m *testModel) translate(tb testing.TB, text string) string {
	tb.Helper()
	return joinTokens(m.tokens(m.greedy(tb, m.encodeSource(tb, text))))
}

// joinTokens joins tokens with spaces, gluing closing punctuation to the word before it.
func joinTokens(toks []string) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 && !strings.Contains(".,?!।", t) {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

func mustTensor[T ort.TensorData](tb testing.TB, s ort.Shape, data []T) *ort.Tensor[T] {
	tb.Helper()
	t, err := ort.NewTensor(s, data)
	if err != nil {
		tb.Fatalf("new tensor %v: %v", s, err)
	}
	return t
}
