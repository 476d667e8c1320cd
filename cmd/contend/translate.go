package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"contend/models"
)

func cmdTranslate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("translate", "translate TEXT... [--from en --to hi] [flags]", stderr)
	from := fs.String("from", "en", "source language (en or hi)")
	to := fs.String("to", "hi", "target language (hi or en)")
	size := fs.String("size", "base", "built-in model size: tiny, base or large")
	modelsDir := fs.String("models", "", "model root holding en-hi/ and hi-en/ (default: the built-in models of --size)")
	ortLib := fs.String("ort-lib", "", "path to libonnxruntime.so (default: $CONTEND_ORT_LIB, then .cache)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("translate needs the text to translate")
	}
	pair := *from + "-" + *to
	if pair != "en-hi" && pair != "hi-en" {
		return usagef("unsupported language pair %s (want en-hi or hi-en)", pair)
	}
	root, err := openModels(*ortLib, *modelsDir, *size)
	if err != nil {
		return err
	}
	m, err := models.Load(models.DirFor(root, *from, *to))
	if err != nil {
		return err
	}
	defer m.Close()
	out, err := m.Translate(ctx, []string{strings.Join(pos, " ")})
	if err != nil {
		return fmt.Errorf("translate: %w", err)
	}
	fmt.Fprintln(stdout, out[0])
	return nil
}

// openModels starts ONNX Runtime (explicit library, else $CONTEND_ORT_LIB, else the
// provisioned one) and finds the model root: dir, else the built-in models of size.
func openModels(ortLib, dir, size string) (string, error) {
	lib, err := models.ResolveLibrary(ortLib)
	if err != nil {
		return "", err
	}
	if err := models.InitRuntime(lib); err != nil {
		return "", err
	}
	return models.ResolveModelsRoot(dir, size)
}
