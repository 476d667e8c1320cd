package models

import (
	"context"
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

// ErrTooLong reports a text with more tokens than the model has positions for.
var ErrTooLong = errors.New("text too long for the model")

// ErrRuntimeNotInitialised reports a Load before InitRuntime.
var ErrRuntimeNotInitialised = errors.New("onnx runtime not initialised (call InitRuntime; run `make ort` if the library is missing)")

// Option tunes Load.
type Option func(*loadOptions)

type loadOptions struct {
	intraOp   int
	maxLength int // 0: from the config
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

// Model is one translation direction loaded from a model directory: tokenizers, an encoder
// session and a decoder session. It implements Translator and is safe for concurrent use;
// concurrent Translate calls run in parallel. The caller must call Close.
type Model struct {
	name string
	dir  string
	cfg  Config

	src, tgt *hfTokenizer
	srcUnk   int64  // source unknown-token id, -1 when the tokenizer has none
	tgtUnk   int64  // target unknown-token id, -1 when none
	unkToken string // the unknown token's string, such as "<unk>"

	enc    *session
	dec    *session
	merged *mergedInputs // placeholders for decoder_model_merged.onnx; nil for decoder_model.onnx

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
	return errors.Join(m.enc.close(), m.dec.close())
}

// File names inside a model directory.
const (
	configFile           = "config.json"
	generationConfigFile = "generation_config.json"
	tokenizerFile        = "tokenizer.json"
	targetTokenizerFile  = "target_tokenizer.json"
	encoderFile          = "encoder_model.onnx"
	decoderFile          = "decoder_model.onnx"
	mergedDecoderFile    = "decoder_model_merged.onnx"
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

	m := &Model{dir: abs, cfg: cfg, name: modelName(cfg.Name, abs)}
	if err := m.loadTokenizers(files); err != nil {
		return nil, err
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
		}
	}()
	if err := m.loadEncoder(files, sessOpts); err != nil {
		return nil, err
	}
	if err := m.loadDecoder(files, sessOpts); err != nil {
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
