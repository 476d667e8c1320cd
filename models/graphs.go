package models

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// Names of graph inputs and outputs in Optimum and transformers.js exports.
const (
	inInputIDs       = "input_ids"
	inAttentionMask  = "attention_mask"
	inEncoderHidden  = "encoder_hidden_states"
	inEncoderMask    = "encoder_attention_mask"
	inUseCacheBranch = "use_cache_branch"
	inPastPrefix     = "past_key_values."
	outPresentPrefix = "present."
	outLastHidden    = "last_hidden_state"
	outLogits        = "logits"
	selfCacheMarker  = ".decoder." // in past_key_values.N.decoder.key: the self-attention's cache
)

// cacheDecoder is decoder_with_past_model.onnx, which runs one greedy step from the last
// token and the key/value cache, and the plan that feeds its cache.
type cacheDecoder struct {
	sess *session
	// pasts are its past_key_values.* inputs in graph order; each is fed from the present.*
	// output of the same suffix: the encoder's from decoder_model.onnx's first step, the
	// decoder's (self) from the previous step.
	pasts []cacheInput
	self  []int // indexes into pasts of the self-attention inputs, in the order of sess's outputs after logits
}

// cacheInput is one past_key_values.* input and the present.* output that feeds it.
type cacheInput struct {
	name, present string
	self          bool // the self-attention's cache, which grows by one position a step
}

// mergedInputs describes the extra inputs of a decoder that can also run with a key/value
// cache (decoder_model_merged.onnx). Without a cache they get use_cache_branch=false and
// past_key_values.* tensors of zero sequence length, which the graph ignores.
type mergedInputs struct {
	useCacheBranch bool        // the graph declares use_cache_branch
	past           []pastInput // declared past_key_values.* inputs
}

// pastInput is one past_key_values.* input and the sizes of its fixed dimensions.
type pastInput struct {
	name           string
	heads, headDim int64
}

// loadEncoder opens encoder_model.onnx and checks its inputs.
func (m *Model) loadEncoder(files modelFiles, so *ort.SessionOptions) error {
	name := files.locate(encoderFile)
	data, err := files.read(name)
	if err != nil {
		return err
	}
	feedable := func(in string) bool { return in == inInputIDs || in == inAttentionMask }
	if m.enc, err = newSession(files.path(name), data, []string{outLastHidden}, feedable, so); err != nil {
		return err
	}
	if err := m.enc.requireInput(inInputIDs, ort.TensorElementDataTypeInt64); err != nil {
		return err
	}
	if _, ok := m.enc.input(inAttentionMask); ok {
		return m.enc.requireInput(inAttentionMask, ort.TensorElementDataTypeInt64)
	}
	return nil
}

// loadDecoder opens decoder_model.onnx, or decoder_model_merged.onnx when only that exists,
// and checks its inputs. With useCache, and a decoder_with_past_model.onnx beside a plain
// decoder_model.onnx that outputs the cache it needs, it opens that too.
func (m *Model) loadDecoder(files modelFiles, so *ort.SessionOptions, useCache bool) error {
	name := files.locate(decoderFile, mergedDecoderFile)
	data, err := files.read(name)
	if err != nil {
		return err
	}
	outputs := []string{outLogits}
	var pastPath string
	var pastData []byte
	if pastName := files.locate(decoderWithPastFile); useCache && filepath.Base(name) == decoderFile && files.exists(pastName) {
		pastPath = files.path(pastName)
		if pastData, err = files.read(pastName); err != nil {
			return err
		}
		cache, err := planCache(pastPath, pastData, files.path(name), data)
		if err != nil {
			return err
		}
		for _, p := range cache.pasts {
			outputs = append(outputs, p.present)
		}
		m.cache = cache
	}
	feedable := func(in string) bool {
		switch in {
		case inInputIDs, inEncoderHidden, inEncoderMask, inUseCacheBranch:
			return true
		}
		return strings.HasPrefix(in, inPastPrefix)
	}
	if m.dec, err = newSession(files.path(name), data, outputs, feedable, so); err != nil {
		return err
	}
	if err := m.dec.requireInput(inInputIDs, ort.TensorElementDataTypeInt64); err != nil {
		return err
	}
	if err := m.dec.requireInput(inEncoderHidden, ort.TensorElementDataTypeFloat); err != nil {
		return err
	}
	if _, ok := m.dec.input(inEncoderMask); ok {
		if err := m.dec.requireInput(inEncoderMask, ort.TensorElementDataTypeInt64); err != nil {
			return err
		}
	}
	if m.cache != nil {
		pastOutputs := []string{outLogits}
		for _, i := range m.cache.self {
			pastOutputs = append(pastOutputs, m.cache.pasts[i].present)
		}
		if m.cache.sess, err = newSession(pastPath, pastData, pastOutputs, feedable, so); err != nil {
			return err
		}
		if err := m.cache.sess.requireInput(inInputIDs, ort.TensorElementDataTypeInt64); err != nil {
			return err
		}
	}
	return m.planMerged()
}

// planCache matches the past_key_values.* inputs of decoder_with_past_model.onnx (at
// pastPath) with the present.* outputs that feed them: every one among decoder_model.onnx's
// outputs (the first step gives the whole cache), and the self-attention ones among its own
// (each step grows them). Optimum's Marian exports and the lexicon models are laid out so.
func planCache(pastPath string, pastData []byte, decPath string, decData []byte) (*cacheDecoder, error) {
	ins, pastOuts, err := graphIO(pastData)
	if err != nil {
		return nil, fmt.Errorf("read graph %s: %w", pastPath, err)
	}
	_, decOuts, err := graphIO(decData)
	if err != nil {
		return nil, fmt.Errorf("read graph %s: %w", decPath, err)
	}
	declares := func(outs []ort.InputOutputInfo, name string) bool {
		return slices.ContainsFunc(outs, func(o ort.InputOutputInfo) bool { return o.Name == name })
	}
	c := &cacheDecoder{}
	for _, in := range ins {
		suffix, ok := strings.CutPrefix(in.Name, inPastPrefix)
		if !ok {
			continue
		}
		if in.DataType != ort.TensorElementDataTypeFloat {
			return nil, fmt.Errorf("graph %s: input %q is %s, want float", pastPath, in.Name, in.DataType)
		}
		p := cacheInput{name: in.Name, present: outPresentPrefix + suffix, self: strings.Contains(in.Name, selfCacheMarker)}
		if !declares(decOuts, p.present) {
			return nil, fmt.Errorf("graph %s: no output %q to feed %s's input %q (it declares %s)",
				decPath, p.present, filepath.Base(pastPath), in.Name, ioNames(decOuts))
		}
		if p.self {
			if !declares(pastOuts, p.present) {
				return nil, fmt.Errorf("graph %s: no output %q for the next step's %q (it declares %s)",
					pastPath, p.present, in.Name, ioNames(pastOuts))
			}
			c.self = append(c.self, len(c.pasts))
		}
		c.pasts = append(c.pasts, p)
	}
	if len(c.self) == 0 {
		return nil, fmt.Errorf("graph %s: no past_key_values.*%s* input (it declares %s)", pastPath, selfCacheMarker, ioNames(ins))
	}
	return c, nil
}

// planMerged records the placeholder inputs of a merged decoder; plain decoders have none.
func (m *Model) planMerged() error {
	var mi mergedInputs
	for _, in := range m.dec.inputs {
		switch {
		case in.Name == inUseCacheBranch:
			if in.DataType != ort.TensorElementDataTypeBool {
				return fmt.Errorf("graph %s: input %q is %s, want bool", m.dec.path, in.Name, in.DataType)
			}
			mi.useCacheBranch = true
		case strings.HasPrefix(in.Name, inPastPrefix):
			p, err := m.pastShape(in)
			if err != nil {
				return err
			}
			mi.past = append(mi.past, p)
		}
	}
	if mi.useCacheBranch || len(mi.past) > 0 {
		m.merged = &mi
	}
	return nil
}

// pastShape takes heads and head size from the declared shape, or from the config when the
// export left them symbolic.
func (m *Model) pastShape(in ort.InputOutputInfo) (pastInput, error) {
	if in.DataType != ort.TensorElementDataTypeFloat {
		return pastInput{}, fmt.Errorf("graph %s: input %q is %s, want float", m.dec.path, in.Name, in.DataType)
	}
	p := pastInput{name: in.Name}
	if d := in.Dimensions; len(d) == 4 {
		p.heads, p.headDim = d[1], d[3]
	}
	if p.heads <= 0 && m.cfg.DecoderHeads > 0 {
		p.heads = int64(m.cfg.DecoderHeads)
	}
	if p.headDim <= 0 && p.heads > 0 {
		p.headDim = int64(m.cfg.DModel) / p.heads
	}
	if p.heads <= 0 || p.headDim <= 0 {
		return pastInput{}, fmt.Errorf("graph %s: cannot size input %q (shape %v; config has no decoder_attention_heads)",
			m.dec.path, in.Name, in.Dimensions)
	}
	return p, nil
}

// namedValue is a placeholder input and its name.
type namedValue struct {
	name  string
	value ort.Value
}

// placeholders builds the use_cache_branch=false flag and the empty past_key_values.* tensors
// a merged decoder needs for a batch; none for a plain decoder.
func (m *Model) placeholders(batch int) ([]namedValue, error) {
	if m.merged == nil {
		return nil, nil
	}
	var vals []namedValue
	fail := func(err error) ([]namedValue, error) {
		for _, v := range vals {
			_ = v.value.Destroy()
		}
		return nil, fmt.Errorf("decoder placeholders: %w", err)
	}
	if m.merged.useCacheBranch {
		flag, err := ort.NewTensor(ort.NewShape(1), []bool{false})
		if err != nil {
			return fail(err)
		}
		vals = append(vals, namedValue{inUseCacheBranch, flag})
	}
	for _, p := range m.merged.past {
		shape := ort.NewShape(int64(batch), p.heads, 0, p.headDim)
		t, err := ort.NewTensor(shape, []float32{})
		if err != nil {
			return fail(fmt.Errorf("%s: %w", p.name, err))
		}
		vals = append(vals, namedValue{p.name, t})
	}
	return vals, nil
}
