package lexicon

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// fixtureRoot holds the models the tests build, once per size, removed when the tests end.
var fixtureRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lexicon-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "lexicon tests:", err)
		os.Exit(1)
	}
	fixtureRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	fixtureMu    sync.Mutex
	fixtureBuilt = map[Size]error{} // guarded by fixtureMu: sizes already built and their error
)

// builtModels returns the directory holding the en-hi and hi-en models of size, building
// them on first use.
func builtModels(tb testing.TB, size Size) string {
	tb.Helper()
	fixtureMu.Lock()
	defer fixtureMu.Unlock()
	dir := filepath.Join(fixtureRoot, string(size))
	err, ok := fixtureBuilt[size]
	if !ok {
		err = Build(dir, size)
		fixtureBuilt[size] = err
	}
	if err != nil {
		tb.Fatalf("build %s models: %v", size, err)
	}
	return dir
}

var (
	loadedMu sync.Mutex
	loaded   = map[string]*testModel{} // guarded by loadedMu: sessions by size/direction
)

// model returns the loaded size/direction model, shared by the tests of this binary.
func model(tb testing.TB, size Size, dir string) *testModel {
	tb.Helper()
	root := builtModels(tb, size)
	loadedMu.Lock()
	defer loadedMu.Unlock()
	key := string(size) + "/" + dir
	if m, ok := loaded[key]; ok {
		return m
	}
	m := loadTestModel(tb, filepath.Join(root, dir))
	loaded[key] = m
	return m
}
