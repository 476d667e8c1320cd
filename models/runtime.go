package models

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
)

// DefaultORTVersion is the ONNX Runtime release that `make ort` provisions and that the
// library search in ResolveLibrary looks for.
const DefaultORTVersion = "1.30.0"

// EnvORTLib names the environment variable that points at libonnxruntime; the Makefile sets it.
const EnvORTLib = "CONTEND_ORT_LIB"

// ortLibRel is where `make ort` puts the library, relative to the repository root.
var ortLibRel = filepath.Join(".cache", "onnxruntime", DefaultORTVersion, "libonnxruntime.so.1")

// ErrRuntimeMissing reports that no ONNX Runtime shared library was found.
var ErrRuntimeMissing = errors.New("onnx runtime library not found (run `make ort`)")

// ResolveLibrary finds libonnxruntime. An explicit non-empty path wins; else $CONTEND_ORT_LIB;
// else .cache/onnxruntime/1.30.0/libonnxruntime.so.1 searched upward from the working directory
// and then from the executable's directory. A path that was given but does not exist, or a
// search that finds nothing, is an error wrapping ErrRuntimeMissing.
func ResolveLibrary(explicit string) (string, error) {
	if explicit != "" {
		return existingFile(explicit, "onnx runtime library")
	}
	if env := os.Getenv(EnvORTLib); env != "" {
		p, err := existingFile(env, "$"+EnvORTLib)
		if err != nil {
			return "", err
		}
		return p, nil
	}
	if p, ok := searchUpward(ortLibRel, false); ok {
		return p, nil
	}
	return "", fmt.Errorf("resolve onnx runtime: no %s above the working directory or the executable: %w",
		ortLibRel, ErrRuntimeMissing)
}

// existingFile returns the absolute form of path when it names a regular file.
func existingFile(path, what string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve %s %s: %w", what, path, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w: %w", what, err, ErrRuntimeMissing)
	}
	if st.IsDir() {
		return "", fmt.Errorf("resolve %s: %s is a directory: %w", what, abs, ErrRuntimeMissing)
	}
	return abs, nil
}

// runtimeState records the process-wide ONNX Runtime environment.
var runtimeState struct {
	mu      sync.Mutex // guards libPath and version
	libPath string     // library the environment was initialised from; "" until then
	version string     // ORT's own version string once initialised
}

// InitRuntime initialises ONNX Runtime from libPath once per process. It is idempotent and safe
// for concurrent use: later calls with the same library return nil, a later call with a
// different library is an error (a process can hold only one). An empty libPath is resolved
// with ResolveLibrary(""). A failed initialisation may be retried. The environment lives until
// the process exits.
func InitRuntime(libPath string) error {
	if libPath == "" {
		p, err := ResolveLibrary("")
		if err != nil {
			return fmt.Errorf("init onnx runtime: %w", err)
		}
		libPath = p
	}
	abs, err := existingFile(libPath, "onnx runtime library")
	if err != nil {
		return fmt.Errorf("init onnx runtime: %w", err)
	}
	runtimeState.mu.Lock()
	defer runtimeState.mu.Unlock()
	if runtimeState.libPath != "" {
		if !sameFile(runtimeState.libPath, abs) {
			return fmt.Errorf("init onnx runtime from %s: already initialised from %s", abs, runtimeState.libPath)
		}
		return nil
	}
	if ort.IsInitialized() {
		return fmt.Errorf("init onnx runtime from %s: initialised outside this package", abs)
	}
	ort.SetSharedLibraryPath(abs)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return fmt.Errorf("init onnx runtime from %s: %w", abs, err)
	}
	runtimeState.libPath = abs
	runtimeState.version = ort.GetVersion()
	return nil
}

// sameFile reports whether two paths name one file, through symbolic links.
func sameFile(a, b string) bool {
	if a == b {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// RuntimeVersion returns ONNX Runtime's own version string (such as "1.30.0") once InitRuntime
// has succeeded, and "" before.
func RuntimeVersion() string {
	runtimeState.mu.Lock()
	defer runtimeState.mu.Unlock()
	return runtimeState.version
}

// runtimeReady reports whether InitRuntime has succeeded.
func runtimeReady() bool {
	runtimeState.mu.Lock()
	defer runtimeState.mu.Unlock()
	return runtimeState.libPath != ""
}
