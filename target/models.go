package target

import (
	"context"
	"errors"
	"fmt"
)

// Language codes the built-in target translates between.
const (
	English = "en"
	Hindi   = "hi"
)

// Translator translates a batch of texts with one model, one direction. It is the subset of
// contend/models.Model that the server needs, so that the server core does not depend on
// ONNX Runtime. Translate must be safe for concurrent use and must return promptly once ctx
// ends. The owner calls Close once, after the last Translate.
type Translator interface {
	Translate(ctx context.Context, texts []string) ([]string, error)
	Name() string
	Close() error
}

// Models are the two models the target serves. Both are needed before the first translation,
// as in the seed: a LoadFunc returns both or an error.
type Models struct {
	EnHi Translator // English to Hindi
	HiEn Translator // Hindi to English
}

// For returns the model translating source to target, or false for an unsupported pair.
func (m *Models) For(source, target string) (Translator, bool) {
	switch {
	case source == English && target == Hindi:
		return m.EnHi, m.EnHi != nil
	case source == Hindi && target == English:
		return m.HiEn, m.HiEn != nil
	}
	return nil, false
}

// Close closes both models and returns the errors of both.
func (m *Models) Close() error {
	var errs []error
	for _, t := range []Translator{m.EnHi, m.HiEn} {
		if t == nil {
			continue
		}
		if err := t.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close model %s: %w", t.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// supportedPair reports whether the target translates source to target.
func supportedPair(source, target string) bool {
	return (source == English && target == Hindi) || (source == Hindi && target == English)
}

// LoadFunc loads both models. It must honour ctx (return soon after ctx ends) and should wrap
// its errors with the file or directory that failed, because the server shows that message to
// clients in its 503 answer. A strategy calls it at most once at a time.
type LoadFunc func(ctx context.Context) (*Models, error)

// LoadError is a failed load of one model; loaders return it (wrapped or not) so that metrics
// and 503 answers can name the model and the path.
type LoadError struct {
	Model string // "en-hi" or "hi-en"
	Path  string // the model directory or file that failed
	Err   error
}

// Error returns "model en-hi at PATH: cause".
func (e *LoadError) Error() string {
	return fmt.Sprintf("model %s at %s: %v", e.Model, e.Path, e.Err)
}

// Unwrap returns the cause.
func (e *LoadError) Unwrap() error { return e.Err }

// ErrTextTooLong is wrapped by a Translator's error for a text with more tokens than the model
// takes; the server answers it 422 text_too_long, like a text over MaxTextRunes.
var ErrTextTooLong = errors.New("text too long for the model")

// ErrLoadPanicked is wrapped by the error a strategy returns when its LoadFunc panicked.
var ErrLoadPanicked = errors.New("model load panicked")

// ErrNoModels is wrapped by the error a strategy returns when its LoadFunc returned neither
// models nor an error, or only one of the two models.
var ErrNoModels = errors.New("model load returned no models")

// callLoad runs load, turning a panic into an error wrapping ErrLoadPanicked and an incomplete
// result into one wrapping ErrNoModels, so that no load can take the process down.
func callLoad(ctx context.Context, load LoadFunc) (m *Models, err error) {
	if load == nil {
		return nil, fmt.Errorf("%w: no load function configured", ErrNoModels)
	}
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: %v", ErrLoadPanicked, r)
		}
	}()
	m, err = load(ctx)
	if err != nil {
		if m != nil {
			_ = m.Close() // a failed load owns nothing: release what it returned anyway
		}
		return nil, err
	}
	if m == nil || m.EnHi == nil || m.HiEn == nil {
		if m != nil {
			_ = m.Close()
		}
		return nil, fmt.Errorf("%w: both en-hi and hi-en are needed", ErrNoModels)
	}
	return m, nil
}
