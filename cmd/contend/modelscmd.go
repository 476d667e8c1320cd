package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"contend/models/lexicon"
)

func cmdModels(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "build" {
		fmt.Fprintln(stderr, "usage: contend models build [--size tiny|base|large] [--out DIR]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return errHelp
		}
		return usagef("models: want the subcommand build")
	}
	fs := newFlagSet("models build", "models build [--size tiny|base|large] [--out DIR]", stderr)
	size := fs.String("size", "base", "model size: tiny, base or large")
	out := fs.String("out", "", "output directory (default .cache/models/SIZE)")
	if err := parseNoArgs(fs, args[1:]); err != nil {
		return err
	}
	sz, err := lexicon.ParseSize(*size)
	if err != nil {
		return usageError{err.Error()}
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(".cache", "models", string(sz))
	}
	start := time.Now()
	if err := lexicon.Build(dir, sz); err != nil {
		return fmt.Errorf("models build: %w", err)
	}
	fmt.Fprintf(stdout, "built %s models in %s: %s\n", sz, time.Since(start).Round(time.Millisecond), dir)
	return nil
}
