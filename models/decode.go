package models

import (
	"context"
	"fmt"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// Translate implements Translator. Texts are tokenized and padded into one batch, encoded
// once, then decoded greedily: each step feeds the tokens so far and appends the argmax of the
// last position's logits (never the pad token), until every row has produced the
// end-of-sequence token or the sequence reaches MaxLength (or, for short sources, twice the
// longest source's tokens plus 16, a guard against models that never stop). Unknown source
// words are copied into the places of the unknown tokens of the output, in order. Blank
// texts translate to "".
func (m *Model) Translate(ctx context.Context, texts []string) ([]string, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return nil, fmt.Errorf("translate %s: %w", m.name, ErrClosed)
	}
	out, err := m.translate(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("translate %s: %w", m.name, err)
	}
	return out, nil
}

// sourceRow is one non-blank text of a batch.
type sourceRow struct {
	index   int      // position in the caller's slice
	ids     []int64  // token ids, ending with end-of-sequence
	unknown []string // source words that became the unknown token, in order
}

func (m *Model) translate(ctx context.Context, texts []string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]string, len(texts))
	rows := make([]sourceRow, 0, len(texts))
	for i, text := range texts {
		if strings.TrimSpace(text) == "" {
			continue
		}
		ids, words, err := m.src.EncodeWords(text)
		if err != nil {
			return nil, err
		}
		if m.cfg.MaxPositions > 0 && len(ids) > m.cfg.MaxPositions {
			return nil, fmt.Errorf("text %d has %d tokens, the model takes %d: %w", i, len(ids), m.cfg.MaxPositions, ErrTooLong)
		}
		rows = append(rows, sourceRow{index: i, ids: ids, unknown: m.unknownWords(ids, words)})
	}
	if len(rows) == 0 {
		return out, nil
	}

	ro, release, err := watchCancel(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	enc, err := m.encode(ctx, ro, rows)
	if err != nil {
		return nil, err
	}
	defer enc.destroy()
	longest := 0
	for _, r := range rows {
		longest = max(longest, len(r.ids))
	}
	generated, err := m.decode(ctx, ro, enc, len(rows), m.lengthLimit(longest))
	if err != nil {
		return nil, err
	}
	for r, row := range rows {
		out[row.index] = m.detokenize(generated[r], row.unknown)
	}
	return out, nil
}

// unknownWords returns the source words that the tokenizer mapped to the unknown token.
func (m *Model) unknownWords(ids []int64, words []string) []string {
	var unk []string
	for i, id := range ids {
		if id == m.srcUnk && m.srcUnk >= 0 {
			if w := strings.TrimSpace(words[i]); w != "" {
				unk = append(unk, w)
			}
		}
	}
	return unk
}

// encoded is the encoder's output for one batch and the mask the decoder attends with.
type encoded struct {
	hidden ort.Value
	mask   *ort.Tensor[int64]
}

func (e encoded) destroy() {
	destroyAll([]ort.Value{e.hidden, e.mask})
}

// encode pads the rows to the longest, builds the attention mask and runs the encoder once.
func (m *Model) encode(ctx context.Context, ro *ort.RunOptions, rows []sourceRow) (encoded, error) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r.ids))
	}
	ids := make([]int64, len(rows)*width)
	mask := make([]int64, len(rows)*width)
	for b, r := range rows {
		for j := range width {
			ids[b*width+j] = m.cfg.PadID
			if j < len(r.ids) {
				ids[b*width+j] = r.ids[j]
				mask[b*width+j] = 1
			}
		}
	}
	shape := ort.NewShape(int64(len(rows)), int64(width))
	idsT, err := ort.NewTensor(shape, ids)
	if err != nil {
		return encoded{}, fmt.Errorf("input ids tensor: %w", err)
	}
	defer idsT.Destroy()
	maskT, err := ort.NewTensor(shape, mask)
	if err != nil {
		return encoded{}, fmt.Errorf("attention mask tensor: %w", err)
	}
	outs, err := m.enc.run(ctx, ro, map[string]ort.Value{inInputIDs: idsT, inAttentionMask: maskT})
	if err != nil {
		_ = maskT.Destroy()
		return encoded{}, err
	}
	return encoded{hidden: outs[0], mask: maskT}, nil
}

// Output length bound relative to the source, as fairseq's max_len_a and max_len_b: a model
// that never produces the end-of-sequence token stops after lengthRatio*source+lengthSlack
// tokens instead of running to a max_length of 512, which without a key/value cache costs
// quadratic time. Real translations stay far below it (the lexicon models' output is as
// long as their input).
const (
	lengthRatio = 2
	lengthSlack = 16
)

// lengthLimit is the decoded length bound, counting the start token, for a batch whose
// longest source has srcLen tokens: MaxLength, or less for short sources.
func (m *Model) lengthLimit(srcLen int) int {
	return min(m.cfg.MaxLength, lengthRatio*srcLen+lengthSlack)
}

// decode runs greedy decoding for a batch of batch rows, up to maxLen tokens counting the
// start token, and returns each row's generated ids, without the start token and without the
// end-of-sequence token.
func (m *Model) decode(ctx context.Context, ro *ort.RunOptions, enc encoded, batch, maxLen int) ([][]int64, error) {
	feed := map[string]ort.Value{inEncoderHidden: enc.hidden, inEncoderMask: enc.mask}
	placeholders, err := m.placeholders(batch)
	if err != nil {
		return nil, err
	}
	for _, p := range placeholders {
		feed[p.name] = p.value
		defer p.value.Destroy()
	}

	seqs := make([][]int64, batch)
	for b := range seqs {
		seqs[b] = make([]int64, 1, maxLen)
		seqs[b][0] = m.cfg.DecoderStartID
	}
	done := make([]bool, batch)
	remaining := batch
	for step := 1; step < maxLen && remaining > 0; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next, err := m.decodeStep(ctx, ro, feed, seqs, step)
		if err != nil {
			return nil, err
		}
		for b, id := range next {
			if done[b] {
				seqs[b] = append(seqs[b], m.cfg.PadID)
				continue
			}
			seqs[b] = append(seqs[b], id)
			if id == m.cfg.EOSID {
				done[b] = true
				remaining--
			}
		}
	}

	gen := make([][]int64, batch)
	for b, seq := range seqs {
		for _, id := range seq[1:] {
			if id == m.cfg.EOSID {
				break
			}
			gen[b] = append(gen[b], id)
		}
	}
	return gen, nil
}

// decodeStep runs the decoder over the tokens so far (each row of seqs has length width) and
// returns, per row, the most likely next token.
func (m *Model) decodeStep(ctx context.Context, ro *ort.RunOptions, feed map[string]ort.Value, seqs [][]int64, width int) ([]int64, error) {
	flat := make([]int64, 0, len(seqs)*width)
	for _, s := range seqs {
		flat = append(flat, s...)
	}
	idsT, err := ort.NewTensor(ort.NewShape(int64(len(seqs)), int64(width)), flat)
	if err != nil {
		return nil, fmt.Errorf("decoder input tensor: %w", err)
	}
	defer idsT.Destroy()
	feed[inInputIDs] = idsT
	outs, err := m.dec.run(ctx, ro, feed)
	if err != nil {
		return nil, err
	}
	defer destroyAll(outs)
	logits, ok := outs[0].(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("decoder %s: logits are %T, want float32 tensor", m.dec.path, outs[0])
	}
	shape := logits.GetShape()
	if len(shape) != 3 || shape[0] != int64(len(seqs)) || shape[1] != int64(width) || shape[2] < 1 {
		return nil, fmt.Errorf("decoder %s: logits shape %v, want [%d %d vocab]", m.dec.path, shape, len(seqs), width)
	}
	vocab := int(shape[2])
	data := logits.GetData()
	next := make([]int64, len(seqs))
	for b := range seqs {
		last := data[(b*width+width-1)*vocab : (b*width+width)*vocab]
		next[b] = m.argmax(last)
	}
	return next, nil
}

// argmax returns the index of the largest logit, never the pad token (Marian's generation
// config bans it) unless pad and end-of-sequence are the same token.
func (m *Model) argmax(logits []float32) int64 {
	best := -1
	for i, v := range logits {
		if int64(i) == m.cfg.PadID && m.cfg.PadID != m.cfg.EOSID {
			continue
		}
		if best < 0 || v > logits[best] {
			best = i
		}
	}
	return int64(best)
}

// detokenize turns one row's generated ids into text, copying unknown source words through.
func (m *Model) detokenize(ids []int64, unknown []string) string {
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		switch {
		case id == m.tgtUnk && m.tgtUnk >= 0:
			tokens = append(tokens, m.unkToken)
		case m.tgt.skip[id]:
		default:
			if tok, ok := m.tgt.Token(id); ok {
				tokens = append(tokens, tok)
			}
		}
	}
	tokens = replaceUnknowns(tokens, m.unkToken, unknown, m.tgt.asWord)
	return m.tgt.DecodeTokens(tokens)
}
