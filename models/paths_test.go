package models

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveLibrary(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "libonnxruntime.so.1")
	if err := os.WriteFile(lib, []byte("not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir() // a checkout with the library where `make ort` puts it
	cached := filepath.Join(tree, ortLibRel)
	if err := os.MkdirAll(filepath.Dir(cached), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cached, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(tree, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		explicit string
		env      string
		wd       string // "" leaves the working directory alone
		want     string
		wantErr  bool
	}{
		{name: "explicit", explicit: lib, env: "/nonexistent", want: lib},
		{name: "explicit missing", explicit: filepath.Join(dir, "missing.so"), wantErr: true},
		{name: "explicit directory", explicit: dir, wantErr: true},
		{name: "env", env: lib, want: lib},
		{name: "env missing", env: filepath.Join(dir, "missing.so"), wantErr: true},
		{name: "search upward from the working directory", wd: deep, want: cached},
		{name: "nothing found", wd: dir, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvORTLib, tt.env)
			if tt.wd != "" {
				t.Chdir(tt.wd)
			}
			got, err := ResolveLibrary(tt.explicit)
			if tt.wantErr {
				if !errors.Is(err, ErrRuntimeMissing) || !strings.Contains(err.Error(), "make ort") {
					t.Fatalf("ResolveLibrary = %q, %v; want an error wrapping ErrRuntimeMissing naming `make ort`", got, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveLibrary: %v", err)
			}
			if !sameFile(got, tt.want) {
				t.Errorf("ResolveLibrary = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestResolveModelsRoot(t *testing.T) {
	env := t.TempDir()
	if err := os.MkdirAll(filepath.Join(env, "base"), 0o755); err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir()
	cached := filepath.Join(tree, modelsRel, "tiny")
	if err := os.MkdirAll(cached, 0o755); err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(tree, "x", "y")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(env, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		explicit string
		size     string
		env      string
		wd       string
		want     string
		wantErr  string
	}{
		{name: "explicit", explicit: env, size: "base", env: "/nonexistent", want: env},
		{name: "explicit missing", explicit: filepath.Join(env, "nope"), size: "base", wantErr: "contend models build --size base"},
		{name: "explicit is a file", explicit: file, size: "base", wantErr: "not a directory"},
		{name: "env", size: "base", env: env, want: filepath.Join(env, "base")},
		{name: "env without the size", size: "large", env: env, wantErr: "make models"},
		{name: "search upward", size: "tiny", wd: deep, want: cached},
		{name: "nothing found", size: "tiny", wd: env, wantErr: "contend models build --size tiny"},
		{name: "size with a separator", size: "../etc", env: env, wantErr: "invalid size"},
		{name: "empty size", size: "", env: env, wantErr: "invalid size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvModels, tt.env)
			if tt.wd != "" {
				t.Chdir(tt.wd)
			}
			got, err := ResolveModelsRoot(tt.explicit, tt.size)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ResolveModelsRoot = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ResolveModelsRoot: %v", err)
			}
			if !sameFile(got, tt.want) {
				t.Errorf("ResolveModelsRoot = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDirFor(t *testing.T) {
	tests := []struct{ root, src, tgt, want string }{
		{"/m/base", "en", "hi", "/m/base/en-hi"},
		{"/m/base", "hi", "en", "/m/base/hi-en"},
		{"rel", "en", "hi", filepath.Join("rel", "en-hi")},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := DirFor(tt.root, tt.src, tt.tgt); got != tt.want {
				t.Errorf("DirFor(%q, %q, %q) = %q, want %q", tt.root, tt.src, tt.tgt, got, tt.want)
			}
		})
	}
}
