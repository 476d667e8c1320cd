package models

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// EnvModels names the environment variable holding the models cache; the Makefile sets it.
// Models of size S are read from $CONTEND_MODELS/S.
const EnvModels = "CONTEND_MODELS"

// modelsRel is where `make models` writes models, relative to the repository root.
var modelsRel = filepath.Join(".cache", "models")

// ErrModelsMissing reports that no built models were found.
var ErrModelsMissing = errors.New("models not built")

// ResolveModelsRoot finds the directory holding one size of built models (with en-hi and
// hi-en inside). An explicit non-empty dir wins; else $CONTEND_MODELS/<size>; else
// .cache/models/<size> searched upward from the working directory and then from the
// executable's directory. When nothing is found the error wraps ErrModelsMissing and names the
// command that builds them.
func ResolveModelsRoot(explicit, size string) (string, error) {
	if explicit != "" {
		return existingDir(explicit, size)
	}
	if size == "" || strings.ContainsAny(size, `/\`) || size == "." || size == ".." {
		return "", fmt.Errorf("resolve models: invalid size %q", size)
	}
	if env := os.Getenv(EnvModels); env != "" {
		return existingDir(filepath.Join(env, size), size)
	}
	if p, ok := searchUpward(filepath.Join(modelsRel, size), true); ok {
		return p, nil
	}
	return "", fmt.Errorf("resolve models: no %s above the working directory or the executable "+
		"(run `make models` or `contend models build --size %s`): %w",
		filepath.Join(modelsRel, size), size, ErrModelsMissing)
}

// existingDir returns the absolute form of dir when it is a directory.
func existingDir(dir, size string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("resolve models %s: %w", dir, err)
	}
	st, err := os.Stat(abs)
	if err == nil && !st.IsDir() {
		err = fmt.Errorf("%s is not a directory", abs)
	}
	if err != nil {
		return "", fmt.Errorf("resolve models: %w (run `make models` or `contend models build --size %s --out %s`): %w",
			err, sizeOrDefault(size), abs, ErrModelsMissing)
	}
	return abs, nil
}

func sizeOrDefault(size string) string {
	if size == "" {
		return "SIZE"
	}
	return size
}

// DirFor returns the model directory for one translation direction: <root>/<source>-<target>,
// such as <root>/en-hi.
func DirFor(root, source, target string) string {
	return filepath.Join(root, source+"-"+target)
}

// searchUpward looks for rel in the working directory and its parents, then in the
// executable's directory and its parents, and returns the first match that is a directory
// (wantDir) or a regular file.
func searchUpward(rel string, wantDir bool) (string, bool) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if exe, err := os.Executable(); err == nil {
		if resolved, err := filepath.EvalSymlinks(exe); err == nil {
			exe = resolved
		}
		starts = append(starts, filepath.Dir(exe))
	}
	for _, start := range starts {
		for dir := start; ; {
			candidate := filepath.Join(dir, rel)
			if st, err := os.Stat(candidate); err == nil && st.IsDir() == wantDir {
				return candidate, true
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", false
}
