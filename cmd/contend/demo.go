package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"contend/models"
	"contend/models/lexicon"
	"contend/scenarios"
)

// demoScenario is the shipped scenario `contend demo` runs.
const demoScenario = "seed-repro.yaml"

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("demo", "demo [flags]", stderr)
	f := runFlags{maxBody: -1} // -1: the scenario's request.max_body (demo has no --max-body)
	fs.StringVar(&f.format, "format", "text", "what goes to stdout: text, json or markdown")
	fs.StringVar(&f.out, "out", filepath.Join("out", "demo"), "write the reports and raw results here")
	fs.BoolVar(&f.tui, "tui", false, "force the live dashboard")
	fs.BoolVar(&f.noTUI, "no-tui", false, "plain progress lines instead of the dashboard")
	fs.BoolVar(&f.linger, "linger", false, lingerUsage)
	fs.Var(&f.strategies, "strategy", "strategies to compare (default: the scenario's naive,double-checked)")
	fs.StringVar(&f.size, "size", "", "override the model size (tiny, base, large)")
	if err := parseNoArgs(fs, args); err != nil {
		return err
	}
	if err := checkDisplay(f); err != nil {
		return err
	}
	if f.size != "" {
		if err := checkSize(f.size); err != nil {
			return err
		}
	}
	sc, err := scenarios.LoadShipped(demoScenario)
	if err != nil {
		return err
	}
	if f.size != "" {
		sc.Target.Builtin.Size = f.size
	}
	// Build what is missing: the runtime must come from `make ort` (npm), but the
	// models are generated here if they are not there yet.
	if _, err := models.ResolveLibrary(""); err != nil {
		return err
	}
	if err := ensureModels(sc.Target.Builtin.Size, stderr); err != nil {
		return err
	}
	_, err = execute(ctx, sc, f, stdout, stderr)
	if err == nil && f.out != "" {
		fmt.Fprintf(stderr, "reports written to %s (open report.html in a browser)\n", f.out)
	}
	return err
}

// ensureModels generates the built-in models of the given size when they are missing.
func ensureModels(size string, stderr io.Writer) error {
	if _, err := models.ResolveModelsRoot("", size); err == nil {
		return nil
	}
	sz, err := lexicon.ParseSize(size)
	if err != nil {
		return err
	}
	dir := filepath.Join(".cache", "models", string(sz))
	if env := os.Getenv("CONTEND_MODELS"); env != "" {
		dir = filepath.Join(env, string(sz))
	}
	fmt.Fprintf(stderr, "building the %s models into %s ...\n", sz, dir)
	return lexicon.Build(dir, sz)
}
