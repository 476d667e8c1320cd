package models

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// Translator translates batches of texts for one direction. Implementations are safe for
// concurrent use.
type Translator interface {
	// Translate returns one translation per text, in order. Cancelling ctx stops a running
	// ONNX call and returns an error wrapping ctx.Err().
	Translate(ctx context.Context, texts []string) ([]string, error)
	// Name identifies the model, such as "lexicon-base/en-hi" or the export directory's base name.
	Name() string
	// Close releases the model; Translate fails with ErrClosed afterwards.
	Close() error
}

// Default tuning of Load.
const (
	// DefaultIntraOpThreads is ONNX Runtime's thread count inside one operator. One, because
	// the server's parallelism comes from concurrent requests, each on its own core.
	DefaultIntraOpThreads = 1
)

// ErrClosed reports a Translate on a closed Model.
var ErrClosed = errors.New("model closed")

// ErrTooLong reports a text with more tokens than the model has positions for, or a call
// over its MaxTokens; the error is a *TooLongError.
var ErrTooLong = errors.New("text too long for the model")

// TooLongError is a Translate refused before inference for its length: one text over
// SourceLimit, or all texts together over MaxTokens. It matches ErrTooLong.
type TooLongError struct {
	Text   string // "the text", "texts[3]" or "the texts" (all of them, for MaxTokens)
	Tokens int    // source tokens counted, end-of-sequence included
	Limit  int    // the limit passed
	// PerCall is true for MaxTokens (the sum over a call's texts), false for SourceLimit
	// (one text).
	PerCall bool
}

func (e *TooLongError) Error() string {
	if e.PerCall {
		return fmt.Sprintf("%d source tokens in %s, more than the limit of %d tokens per request", e.Tokens, e.Text, e.Limit)
	}
	return fmt.Sprintf("%d source tokens in %s, more than the limit of %d tokens per text", e.Tokens, e.Text, e.Limit)
}

// Is makes errors.Is(err, ErrTooLong) hold.
func (e *TooLongError) Is(target error) bool { return target == ErrTooLong }

// ErrRuntimeNotInitialised reports a Load before InitRuntime.
var ErrRuntimeNotInitialised = errors.New("onnx runtime not initialised (call InitRuntime; run `make ort` if the library is missing)")

// Option tunes Load.
type Option func(*loadOptions)

type loadOptions struct {
	intraOp   int
	maxLength int  // 0: from the config
	maxTokens int  // 0: no limit on a call's tokens
	textLimit int  // 0: no limit on a text's tokens beyond the model's
	noCache   bool // ignore decoder_with_past_model.onnx
}

// IntraOpThreads sets ONNX Runtime's intra-op thread count per session. Default
// DefaultIntraOpThreads (1): parallelism comes from concurrent requests. Above 1, threads do
// not spin while idle, so CPU use reflects work done.
func IntraOpThreads(n int) Option {
	return func(o *loadOptions) { o.intraOp = n }
}

// MaxLength overrides config.json's max_length: the longest decoded sequence, counting the
// decoder start token. It must be at least 2.
func MaxLength(n int) Option {
	return func(o *loadOptions) { o.maxLength = n }
}

// DecoderCache chooses whether greedy decoding uses decoder_with_past_model.onnx when the
// model directory has one (the default, on): each step then runs on the last token and the
// key/value cache, so a translation's cost grows linearly with its length instead of
// quadratically. Off, every step re-reads the whole prefix with decoder_model.onnx.
func DecoderCache(on bool) Option {
	return func(o *loadOptions) { o.noCache = !on }
}

// MaxTokens bounds the source tokens (end-of-sequence included) of one Translate call,
// summed over its texts; more fail with a *TooLongError before any inference. Default 0:
// only the model's own limit (SourceLimit) applies.
func MaxTokens(n int) Option {
	return func(o *loadOptions) { o.maxTokens = n }
}

// MaxTextTokens lowers the most source tokens (end-of-sequence included) one text may have
// below the model's own limit; longer texts fail with a *TooLongError before any inference.
// Default 0: the model's limit (max_position_embeddings, model_max_length) alone.
func MaxTextTokens(n int) Option {
	return func(o *loadOptions) { o.textLimit = n }
}

// Model is one translation direction loaded from a model directory: tokenizers, an encoder
// session and a decoder session. It implements Translator and is safe for concurrent use;
// concurrent Translate calls run in parallel. The caller must call Close.
type Model struct {
	name string
	dir  string
	cfg  Config

	src, tgt *hfTokenizer
	// sourceLimit is the most source tokens one text may have: the smallest of
	// max_position_embeddings, tokenizer_config.json's model_max_length and MaxTextTokens;
	// 0 when none says.
	sourceLimit int
	maxTokens   int // MaxTokens: the most source tokens of one Translate call; 0 for none

	srcUnk   int64  // source unknown-token id, -1 when the tokenizer has none
	tgtUnk   int64  // target unknown-token id, -1 when none
	unkToken string // the unknown token's string, such as "<unk>"

	enc    *session
	dec    *session
	merged *mergedInputs // placeholders for decoder_model_merged.onnx; nil for decoder_model.onnx
	cache  *cacheDecoder // decoder_with_past_model.onnx; nil when absent or DecoderCache(false)

	// mu guards closed and the sessions' lifetime: Translate holds it shared for its whole
	// run, so Translate calls never wait on one another; Close holds it exclusively.
	mu     sync.RWMutex
	closed bool
}

// Name implements Translator: config.json's _name_or_path; for lexicon models
// "lexicon-<size>/<direction>", such as "lexicon-base/en-hi"; else the directory's base name.
func (m *Model) Name() string { return m.name }

// modelName names a model from its config and directory.
func modelName(cfgName, dir string) string {
	switch {
	case cfgName == "":
		return filepath.Base(dir)
	case strings.Contains(cfgName, "/"):
		return cfgName // a hub id such as Helsinki-NLP/opus-mt-en-hi
	default:
		return cfgName + "/" + filepath.Base(dir)
	}
}

// Config returns the model's configuration as loaded, with MaxLength after options.
func (m *Model) Config() Config { return m.cfg }

// Tokenizers returns the source and target tokenizers (the same one when the model directory
// has no target_tokenizer.json). They stay usable after Close.
func (m *Model) Tokenizers() (source, target Tokenizer) { return m.src, m.tgt }

// Close implements Translator. It waits for running Translate calls, then releases the
// sessions. Closing twice is harmless.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	return errors.Join(m.enc.close(), m.dec.close(), m.cache.close())
}

// UsesCache reports whether greedy decoding runs with the key/value cache of
// decoder_with_past_model.onnx (each step costs the same), rather than re-reading the whole
// prefix with decoder_model.onnx at every step.
func (m *Model) UsesCache() bool { return m.cache != nil }

// close releases the with-past session; a nil cacheDecoder has none.
func (c *cacheDecoder) close() error {
	if c == nil {
		return nil
	}
	return c.sess.close()
}

// File names inside a model directory.
const (
	configFile           = "config.json"
	generationConfigFile = "generation_config.json"
	tokenizerFile        = "tokenizer.json"
	targetTokenizerFile  = "target_tokenizer.json"
	tokenizerConfigFile  = "tokenizer_config.json"
	encoderFile          = "encoder_model.onnx"
	decoderFile          = "decoder_model.onnx"
	mergedDecoderFile    = "decoder_model_merged.onnx"
	decoderWithPastFile  = "decoder_with_past_model.onnx"
	onnxSubdir           = "onnx"
)

// Load opens the model directory of one translation direction (see the package doc for its
// layout) and returns a Model. InitRuntime must have succeeded. Every file is read through
// an os.Root on dir, so neither a file name nor a symbolic link can lead outside dir. Errors
// start with "load <dir base name>:" and name the file at fault, such as
// "load en-hi: open /m/en-hi/encoder_model.onnx: no such file or directory".
func Load(dir string, opts ...Option) (*Model, error) {
	m, err := load(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", filepath.Base(dir), err)
	}
	return m, nil
}

func load(dir string, opts []Option) (_ *Model, err error) {
	o := loadOptions{intraOp: DefaultIntraOpThreads}
	for _, opt := range opts {
		opt(&o)
	}
	if o.intraOp < 1 {
		return nil, fmt.Errorf("intra-op threads %d must be at least 1", o.intraOp)
	}
	if !runtimeReady() {
		return nil, ErrRuntimeNotInitialised
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open model directory: %w", err)
	}
	defer root.Close()
	files := modelFiles{root: root, dir: abs}

	cfgJSON, err := files.read(configFile)
	if err != nil {
		return nil, err
	}
	genJSON, err := files.readOptional(generationConfigFile)
	if err != nil {
		return nil, err
	}
	cfg, err := parseConfig(cfgJSON, genJSON, files.path(configFile), files.path(generationConfigFile))
	if err != nil {
		return nil, err
	}
	if o.maxLength != 0 {
		if o.maxLength < 2 {
			return nil, fmt.Errorf("max length %d must be at least 2", o.maxLength)
		}
		cfg.MaxLength = o.maxLength
	}
	if cfg.MaxPositions > 0 && cfg.MaxLength > cfg.MaxPositions {
		cfg.MaxLength = cfg.MaxPositions
	}

	if o.maxTokens < 0 || o.textLimit < 0 {
		return nil, fmt.Errorf("token limits %d and %d must not be negative", o.maxTokens, o.textLimit)
	}
	m := &Model{dir: abs, cfg: cfg, name: modelName(cfg.Name, abs), sourceLimit: cfg.MaxPositions, maxTokens: o.maxTokens}
	if err := m.loadTokenizers(files); err != nil {
		return nil, err
	}
	if err := m.readTokenizerConfig(files); err != nil {
		return nil, err
	}
	if o.textLimit > 0 && (m.sourceLimit == 0 || o.textLimit < m.sourceLimit) {
		m.sourceLimit = o.textLimit
	}

	sessOpts, err := sessionOptions(o.intraOp)
	if err != nil {
		return nil, err
	}
	defer sessOpts.Destroy()
	defer func() {
		if err != nil {
			_ = m.enc.close()
			_ = m.dec.close()
			_ = m.cache.close()
		}
	}()
	if err := m.loadEncoder(files, sessOpts); err != nil {
		return nil, err
	}
	if err := m.loadDecoder(files, sessOpts, !o.noCache); err != nil {
		return nil, err
	}
	return m, nil
}

// loadTokenizers reads the source tokenizer and the target one (the source's when absent)
// and settles the unknown-token ids on both sides.
func (m *Model) loadTokenizers(files modelFiles) error {
	srcJSON, err := files.read(tokenizerFile)
	if err != nil {
		return err
	}
	skip := []int64{m.cfg.PadID, m.cfg.EOSID, m.cfg.DecoderStartID}
	if m.src, err = loadTokenizer(srcJSON, m.cfg.EOSID, skip...); err != nil {
		return fmt.Errorf("%s: %w", files.path(tokenizerFile), err)
	}
	m.tgt = m.src
	tgtJSON, err := files.readOptional(targetTokenizerFile)
	if err != nil {
		return err
	}
	if tgtJSON != nil {
		if m.tgt, err = loadTokenizer(tgtJSON, m.cfg.EOSID, skip...); err != nil {
			return fmt.Errorf("%s: %w", files.path(targetTokenizerFile), err)
		}
	}

	m.unkToken = "<unk>"
	if m.cfg.UnkID >= 0 {
		if tok, ok := m.tgt.Token(m.cfg.UnkID); ok {
			m.unkToken = tok
		}
	}
	m.srcUnk, m.tgtUnk = -1, -1
	if id, ok := m.src.TokenID(m.unkToken); ok {
		m.srcUnk = id
	}
	if id, ok := m.tgt.TokenID(m.unkToken); ok {
		m.tgtUnk = id
	}
	return nil
}

// readTokenizerConfig takes model_max_length from tokenizer_config.json, when present and
// smaller than the positions (Hugging Face writes a huge number for "no limit").
func (m *Model) readTokenizerConfig(files modelFiles) error {
	data, err := files.readOptional(tokenizerConfigFile)
	if err != nil || data == nil {
		return err
	}
	var tc struct {
		ModelMaxLength *float64 `json:"model_max_length"`
	}
	if err := json.Unmarshal(data, &tc); err != nil {
		return fmt.Errorf("%s: parse: %w", files.path(tokenizerConfigFile), err)
	}
	if tc.ModelMaxLength == nil || *tc.ModelMaxLength < 1 || *tc.ModelMaxLength > 1<<31 {
		return nil
	}
	if n := int(*tc.ModelMaxLength); m.sourceLimit == 0 || n < m.sourceLimit {
		m.sourceLimit = n
	}
	return nil
}

// SourceLimit returns the most source tokens (end-of-sequence included) one text may have:
// the smallest of config.json's max_position_embeddings, tokenizer_config.json's
// model_max_length and MaxTextTokens; 0 when none is set.
func (m *Model) SourceLimit() int { return m.sourceLimit }

// sessionOptions returns ONNX Runtime options with the given intra-op threads and one
// inter-op thread. The caller must Destroy them.
func sessionOptions(intraOp int) (*ort.SessionOptions, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("session options: %w", err)
	}
	steps := []func() error{
		func() error { return so.SetIntraOpNumThreads(intraOp) },
		func() error { return so.SetInterOpNumThreads(1) },
	}
	if intraOp > 1 {
		steps = append(steps, func() error { return so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0") })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			_ = so.Destroy()
			return nil, fmt.Errorf("session options: %w", err)
		}
	}
	return so, nil
}

// modelFiles reads files of one model directory through an os.Root.
type modelFiles struct {
	root *os.Root
	dir  string // absolute directory, for messages
}

// path returns the full path of name, for messages.
func (f modelFiles) path(name string) string { return filepath.Join(f.dir, name) }

// read returns the contents of name; its errors name the full path.
func (f modelFiles) read(name string) ([]byte, error) {
	data, err := f.root.ReadFile(name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("open %s: %w", f.path(name), err)
	}
	return data, nil
}

// readOptional is read that returns nil data and no error when name does not exist.
func (f modelFiles) readOptional(name string) ([]byte, error) {
	data, err := f.read(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return data, err
}

// exists reports whether name exists in the directory.
func (f modelFiles) exists(name string) bool {
	_, err := f.root.Stat(name)
	return err == nil
}

// locate returns the first of names that exists, looking in the directory and then in its
// onnx/ subdirectory; when none does it returns the first name, so that reading it reports
// the missing file by its expected path.
func (f modelFiles) locate(names ...string) string {
	for _, sub := range []string{".", onnxSubdir} {
		for _, n := range names {
			p := filepath.Join(sub, n)
			if _, err := f.root.Stat(p); err == nil {
				return filepath.Clean(p)
			}
		}
	}
	return names[0]
}
