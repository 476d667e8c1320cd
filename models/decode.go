package models

import (
	"context"
	"fmt"
	"strings"

	ort "github.com/yalue/onnxruntime_go"
)

// Translate implements Translator. Texts are tokenized and checked against SourceLimit and
// MaxTokens (a *TooLongError before any inference), padded into one batch, encoded once,
// then decoded greedily: each step appends the argmax of the last position's logits (never
// the pad token), feeding the last token and the key/value cache to
// decoder_with_past_model.onnx when the model has one, else the whole prefix to
// decoder_model.onnx, until every row has produced the
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
	total := 0
	for i, text := range texts {
		if strings.TrimSpace(text) == "" {
			continue
		}
		ids, words, err := m.src.EncodeWords(text)
		if err != nil {
			return nil, err
		}
		if m.sourceLimit > 0 && len(ids) > m.sourceLimit {
			name := "the text"
			if len(texts) > 1 {
				name = fmt.Sprintf("texts[%d]", i)
			}
			return nil, &TooLongError{Text: name, Tokens: len(ids), Limit: m.sourceLimit}
		}
		total += len(ids)
		rows = append(rows, sourceRow{index: i, ids: ids, unknown: m.unknownWords(ids, words)})
	}
	if m.maxTokens > 0 && total > m.maxTokens {
		name := "the texts"
		if len(texts) == 1 {
			name = "the text"
		}
		return nil, &TooLongError{Text: name, Tokens: total, Limit: m.maxTokens, PerCall: true}
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

// greedy is the state of one batch's greedy decoding: each row's tokens so far, starting
// with the decoder start token, and which rows have ended.
type greedy struct {
	seqs      [][]int64
	done      []bool
	remaining int // rows not done
	eos, pad  int64
}

func newGreedy(batch, maxLen int, start, eos, pad int64) *greedy {
	g := &greedy{seqs: make([][]int64, batch), done: make([]bool, batch), remaining: batch, eos: eos, pad: pad}
	for b := range g.seqs {
		g.seqs[b] = make([]int64, 1, maxLen)
		g.seqs[b][0] = start
	}
	return g
}

// push appends each row's next token (pad for rows already done).
func (g *greedy) push(next []int64) {
	for b, id := range next {
		if g.done[b] {
			g.seqs[b] = append(g.seqs[b], g.pad)
			continue
		}
		g.seqs[b] = append(g.seqs[b], id)
		if id == g.eos {
			g.done[b] = true
			g.remaining--
		}
	}
}

// last returns every row's last token, as a [batch, 1] tensor's data.
func (g *greedy) last() []int64 {
	out := make([]int64, len(g.seqs))
	for b, s := range g.seqs {
		out[b] = s[len(s)-1]
	}
	return out
}

// generated returns each row's tokens without the start token and without end-of-sequence.
func (g *greedy) generated() [][]int64 {
	gen := make([][]int64, len(g.seqs))
	for b, seq := range g.seqs {
		for _, id := range seq[1:] {
			if id == g.eos {
				break
			}
			gen[b] = append(gen[b], id)
		}
	}
	return gen
}

// decode runs greedy decoding for a batch of batch rows, up to maxLen tokens counting the
// start token, and returns each row's generated ids, without the start token and without the
// end-of-sequence token.
func (m *Model) decode(ctx context.Context, ro *ort.RunOptions, enc encoded, batch, maxLen int) ([][]int64, error) {
	g := newGreedy(batch, maxLen, m.cfg.DecoderStartID, m.cfg.EOSID, m.cfg.PadID)
	if m.cache != nil {
		if err := m.decodeCached(ctx, ro, enc, g, maxLen); err != nil {
			return nil, err
		}
		return g.generated(), nil
	}
	feed := map[string]ort.Value{inEncoderHidden: enc.hidden, inEncoderMask: enc.mask}
	placeholders, err := m.placeholders(batch)
	if err != nil {
		return nil, err
	}
	for _, p := range placeholders {
		feed[p.name] = p.value
		defer p.value.Destroy()
	}
	for step := 1; step < maxLen && g.remaining > 0; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		next, err := m.decodeStep(ctx, ro, feed, g.seqs, step)
		if err != nil {
			return nil, err
		}
		g.push(next)
	}
	return g.generated(), nil
}

// decodeCached decodes with the key/value cache: the first step runs decoder_model.onnx on
// the start token and keeps every present.* output; each later step runs
// decoder_with_past_model.onnx on the last token and the cache, replacing the
// self-attention's part of the cache with its outputs.
func (m *Model) decodeCached(ctx context.Context, ro *ort.RunOptions, enc encoded, g *greedy, maxLen int) error {
	c := m.cache
	batch := len(g.seqs)
	feed := map[string]ort.Value{inEncoderHidden: enc.hidden, inEncoderMask: enc.mask}
	cache := make(map[string]ort.Value, len(c.pasts)) // owned here: every value is destroyed
	defer func() {
		for _, v := range cache {
			_ = v.Destroy()
		}
	}()
	for step := 1; step < maxLen && g.remaining > 0; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		ids, err := ort.NewTensor(ort.NewShape(int64(batch), 1), g.last())
		if err != nil {
			return fmt.Errorf("decoder input tensor: %w", err)
		}
		feed[inInputIDs] = ids
		sess := c.sess
		if step == 1 {
			sess = m.dec
		}
		outs, err := sess.run(ctx, ro, feed)
		_ = ids.Destroy()
		if err != nil {
			return err
		}
		next, err := m.nextTokens(sess.path, outs[0], batch, 1)
		_ = outs[0].Destroy()
		if step == 1 {
			for j, p := range c.pasts {
				cache[p.name] = outs[1+j]
			}
		} else {
			for j, i := range c.self {
				name := c.pasts[i].name
				_ = cache[name].Destroy()
				cache[name] = outs[1+j]
			}
		}
		for name, v := range cache {
			feed[name] = v
		}
		if err != nil {
			return err
		}
		g.push(next)
	}
	return nil
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
	return m.nextTokens(m.dec.path, outs[0], len(seqs), width)
}

// nextTokens checks a decoder's logits output ([batch, width, vocab]) and returns, per row,
// the argmax of the last position.
func (m *Model) nextTokens(path string, out ort.Value, batch, width int) ([]int64, error) {
	logits, ok := out.(*ort.Tensor[float32])
	if !ok {
		return nil, fmt.Errorf("decoder %s: logits are %T, want float32 tensor", path, out)
	}
	shape := logits.GetShape()
	if len(shape) != 3 || shape[0] != int64(batch) || shape[1] != int64(width) || shape[2] < 1 {
		return nil, fmt.Errorf("decoder %s: logits shape %v, want [%d %d vocab]", path, shape, batch, width)
	}
	vocab := int(shape[2])
	data := logits.GetData()
	next := make([]int64, batch)
	for b := range batch {
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
