package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"contend/models"
)

// TestVersionReportsBuildAndRuntime runs the real binary: its fields must match the module
// graph it was built from (the test binary links the same modules), the checkout's commit,
// the toolchain, and the ONNX Runtime library make provisions.
func TestVersionReportsBuildAndRuntime(t *testing.T) {
	requireProvisioned(t)
	r := contend(t, time.Minute, "version", "--format", "json")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got versionInfo
	dec := json.NewDecoder(strings.NewReader(r.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("decode %q: %v", r.stdout, err)
	}
	if got.Go != runtime.Version() {
		t.Errorf("go = %q, want %q", got.Go, runtime.Version())
	}
	if got.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("platform = %q", got.Platform)
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("the test binary has no build info")
	}
	want := buildVersion(bi).Modules
	for _, m := range reportedModules {
		if want[m.label] == "" {
			t.Fatalf("the test binary does not link %s", m.path)
		}
		if got.Modules[m.label] != want[m.label] {
			t.Errorf("%s = %q, want %q (go.mod)", m.label, got.Modules[m.label], want[m.label])
		}
	}
	if got.ONNXRuntime != models.DefaultORTVersion || got.ONNXRuntimeError != "" {
		t.Errorf("onnxruntime = %q (error %q), want %s", got.ONNXRuntime, got.ONNXRuntimeError, models.DefaultORTVersion)
	}
	// A clone stamps the commit; the test builds from the repository it runs in. (A git
	// worktree, whose .git is a file, gets no stamp from this toolchain, nor does a tarball.)
	if st, err := os.Stat(filepath.Join(repoRoot, ".git")); err == nil && st.IsDir() {
		head, err := exec.Command("git", "-C", repoRoot, "rev-parse", "HEAD").Output()
		if err != nil {
			t.Fatalf("git rev-parse HEAD: %v", err)
		}
		if got.Revision != strings.TrimSpace(string(head)) {
			t.Errorf("revision = %q, want HEAD %s", got.Revision, head)
		}
		if got.Contend == "" || got.Contend == "unknown" || got.Contend == "(devel)" {
			t.Errorf("contend = %q, want a VCS pseudo-version", got.Contend)
		}
	}

	text := contend(t, time.Minute, "--version")
	if text.code != exitOK {
		t.Fatalf("--version exit %d: %s", text.code, text.stderr)
	}
	for _, w := range []string{"contend", got.Contend, "vegeta", got.Modules["vegeta"], "onnxruntime_go",
		"bubbletea", "onnxruntime     " + models.DefaultORTVersion} {
		if !strings.Contains(text.stdout, w) {
			t.Errorf("--version does not show %q:\n%s", w, text.stdout)
		}
	}
}

// TestVersionWithoutRuntime: a missing library is reported, not fatal: the rest of the
// answer is what a bug report needs most.
func TestVersionWithoutRuntime(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	r := contend(t, time.Minute, "version", "--ort-lib", missing)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "onnxruntime     not loaded: ") || !strings.Contains(r.stdout, missing) {
		t.Errorf("want the missing library named:\n%s", r.stdout)
	}
	if r := contend(t, time.Minute, "version", "--format", "yaml"); r.code != exitUsage {
		t.Errorf("--format yaml: exit %d, want %d", r.code, exitUsage)
	}
}

func TestBuildVersionReadsStampAndReplacements(t *testing.T) {
	bi := &debug.BuildInfo{
		GoVersion: "go1.99.1",
		Main:      debug.Module{Path: "contend", Version: "v1.2.3"},
		Deps: []*debug.Module{
			{Path: "github.com/tsenart/vegeta/v12", Version: "v12.13.0"},
			{Path: "github.com/yalue/onnxruntime_go", Version: "v1.27.0",
				Replace: &debug.Module{Path: "github.com/yalue/onnxruntime_go", Version: "v1.27.1-fork"}},
		},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	v := buildVersion(bi)
	if v.Contend != "v1.2.3" || v.Go != "go1.99.1" || !v.Modified || v.Revision != "0123456789abcdef0123" {
		t.Errorf("buildVersion = %+v", v)
	}
	if v.Modules["onnxruntime_go"] != "v1.27.1-fork" || v.Modules["vegeta"] != "v12.13.0" || v.Modules["bubbletea"] != "" {
		t.Errorf("modules = %v", v.Modules)
	}
	var b strings.Builder
	v.ONNXRuntimeError = "no library"
	if err := v.writeText(&b); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"v1.2.3 (commit 0123456789ab, 2026-12-01T10:00:00Z, modified)", "bubbletea       not linked",
		"onnxruntime     not loaded: no library"} {
		if !strings.Contains(b.String(), w) {
			t.Errorf("text does not contain %q:\n%s", w, b.String())
		}
	}
	if got := buildVersion(nil); got.Contend != "unknown" || got.Go != runtime.Version() {
		t.Errorf("buildVersion(nil) = %+v", got)
	}
}
