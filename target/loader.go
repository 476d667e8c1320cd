package target

import (
	"context"
	"errors"
	"runtime/debug"

	"contend/models"
)

// ModelLoader returns a LoadFunc that loads the real models with contend/models: root/en-hi
// then root/hi-en (models.DirFor), each with intraOp ONNX Runtime intra-op threads per session
// (0 or less: the models package's default), MaxTextTokens and MaxRequestTokens. An emulated slow
// download is Config.LoadDelay, the one place a load delay lives. models.InitRuntime must have
// succeeded first. A failure returns a
// *LoadError naming the model and its directory, its cause naming the file, and closes
// whatever was already loaded.
func ModelLoader(root string, intraOp int) LoadFunc {
	opts := []models.Option{models.MaxTextTokens(MaxTextTokens), models.MaxTokens(MaxRequestTokens)}
	if intraOp > 0 {
		opts = append(opts, models.IntraOpThreads(intraOp))
	}
	return func(ctx context.Context) (*Models, error) {
		var loaded [2]*models.Model
		for i, pair := range [2][2]string{{English, Hindi}, {Hindi, English}} {
			name := pair[0] + "-" + pair[1]
			dir := models.DirFor(root, pair[0], pair[1])
			m, err := loadOne(ctx, dir, opts)
			if err != nil {
				for _, done := range loaded[:i] {
					_ = done.Close()
				}
				return nil, &LoadError{Model: name, Path: dir, Err: err}
			}
			loaded[i] = m
		}
		// Creating the sessions read both models' files (hundreds of megabytes for
		// base) into memory that is garbage now. Hand it back at once: otherwise it
		// stays resident until the heap doubles again, which under light traffic takes
		// a minute or more, and a soak would read that late drop as the target's
		// memory trend.
		debug.FreeOSMemory()
		return &Models{EnHi: modelTranslator{loaded[0]}, HiEn: modelTranslator{loaded[1]}}, nil
	}
}

// loadOne loads one model directory, unless ctx has ended.
func loadOne(ctx context.Context, dir string, opts []models.Option) (*models.Model, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return models.Load(dir, opts...)
}

// modelTranslator adapts *models.Model to Translator, mapping models.ErrTooLong to
// ErrTextTooLong so that the server core need not import contend/models.
type modelTranslator struct {
	*models.Model
}

func (t modelTranslator) Translate(ctx context.Context, texts []string) ([]string, error) {
	out, err := t.Model.Translate(ctx, texts)
	var tl *models.TooLongError
	if errors.As(err, &tl) {
		return nil, &tooLong{msg: tl.Error()}
	}
	return out, err
}

// tooLong is a model's refusal of a request's length; its message states the limit.
type tooLong struct{ msg string }

func (e *tooLong) Error() string        { return e.msg }
func (e *tooLong) Is(target error) bool { return target == ErrTextTooLong }
