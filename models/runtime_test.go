package models

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestInitRuntime(t *testing.T) {
	requireRuntime(t)
	lib, err := ResolveLibrary("")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("version", func(t *testing.T) {
		if got := RuntimeVersion(); got != DefaultORTVersion {
			t.Errorf("RuntimeVersion = %q, want %q", got, DefaultORTVersion)
		}
	})
	t.Run("idempotent under concurrency", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Go(func() { errs[i] = InitRuntime(lib) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("InitRuntime call %d: %v", i, err)
			}
		}
	})
	t.Run("empty path resolves the same library", func(t *testing.T) {
		if err := InitRuntime(""); err != nil {
			t.Errorf("InitRuntime(\"\"): %v", err)
		}
	})
	t.Run("another library is refused", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
		if err := os.WriteFile(other, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		err := InitRuntime(other)
		if err == nil || !strings.Contains(err.Error(), "already initialised") {
			t.Errorf("InitRuntime(other) = %v, want an already-initialised error", err)
		}
	})
	t.Run("missing library", func(t *testing.T) {
		err := InitRuntime(filepath.Join(t.TempDir(), "missing.so"))
		if err == nil || !strings.Contains(err.Error(), "make ort") {
			t.Errorf("InitRuntime(missing) = %v, want an error naming `make ort`", err)
		}
	})
}
