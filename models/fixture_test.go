package models

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"contend/models/lexicon"

	"go.uber.org/goleak"
)

// TestMain removes the models built for this test binary and fails it if goroutines leaked.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, dir := range append(fixture.extraDirs, fixture.dir) {
		if dir != "" {
			_ = os.RemoveAll(dir)
		}
	}
	if code == 0 {
		// The Unigram tokenizer of github.com/sugarme/tokenizer starts a cache janitor
		// per tokenizer that stops only when the tokenizer is garbage collected.
		if err := goleak.Find(goleak.IgnoreTopFunction("github.com/patrickmn/go-cache.(*janitor).Run")); err != nil {
			fmt.Fprintf(os.Stderr, "leaked goroutines: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// fixture holds lexicon models built once per test binary.
var fixture struct {
	once sync.Once
	dir  string // temporary directory holding the tiny models
	err  error

	extraDirs []string // more temporary directories to remove, such as benchmark models

	loadOnce sync.Once
	loaded   map[string]*Model // tiny models by direction, shared by read-only tests
	loadErr  error
}

// requireRuntime initialises ONNX Runtime or fails the test, saying how to provision it.
func requireRuntime(t testing.TB) {
	t.Helper()
	lib, err := ResolveLibrary("")
	if err != nil {
		t.Fatalf("onnx runtime missing (run `make ort`): %v", err)
	}
	if err := InitRuntime(lib); err != nil {
		t.Fatalf("init onnx runtime (run `make ort`): %v", err)
	}
}

// tinyRoot returns a directory holding freshly built tiny lexicon models (en-hi and hi-en),
// built once per test binary.
func tinyRoot(t testing.TB) string {
	t.Helper()
	requireRuntime(t)
	fixture.once.Do(func() {
		fixture.dir, fixture.err = os.MkdirTemp("", "contend-models-test-")
		if fixture.err == nil {
			fixture.err = lexicon.Build(filepath.Join(fixture.dir, "tiny"), lexicon.Tiny)
		}
	})
	if fixture.err != nil {
		t.Fatalf("build tiny lexicon models: %v", fixture.err)
	}
	return filepath.Join(fixture.dir, "tiny")
}

// tinyModel returns the shared tiny model for a direction such as "en-hi". Tests must not
// close it.
func tinyModel(t testing.TB, direction string) *Model {
	t.Helper()
	root := tinyRoot(t)
	fixture.loadOnce.Do(func() {
		fixture.loaded = map[string]*Model{}
		for _, d := range lexicon.Directions {
			m, err := Load(filepath.Join(root, d))
			if err != nil {
				fixture.loadErr = err
				return
			}
			fixture.loaded[d] = m
		}
	})
	if fixture.loadErr != nil {
		t.Fatalf("load tiny models: %v", fixture.loadErr)
	}
	m, ok := fixture.loaded[direction]
	if !ok {
		t.Fatalf("no tiny model for direction %q", direction)
	}
	return m
}
