package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// The CLI tests run the real binary: `contend run` starts `contend serve` children
// from its own executable, so the test binary itself cannot stand in for it.
var (
	contendBin string
	repoRoot   string
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = filepath.Clean(filepath.Join(wd, "..", ".."))
	dir, err := os.MkdirTemp("", "contend-cli-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	contendBin = filepath.Join(dir, "contend")
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", contendBin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build contend: %v\n", err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		// The tests run servers and clients of their own besides the binary.
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goroutines leaked: %v\n", err)
			return 1
		}
	}
	return code
}

// requireProvisioned fails (never skips) when make has not provisioned the runtime
// and the models the CLI tests use.
func requireProvisioned(t *testing.T, sizes ...string) {
	t.Helper()
	lib := os.Getenv("CONTEND_ORT_LIB")
	if lib == "" {
		lib = filepath.Join(repoRoot, ".cache", "onnxruntime", "1.30.0", "libonnxruntime.so.1")
	}
	if _, err := os.Stat(lib); err != nil {
		t.Fatalf("ONNX Runtime is missing (%v): run `make ort`", err)
	}
	for _, size := range sizes {
		root := os.Getenv("CONTEND_MODELS")
		if root == "" {
			root = filepath.Join(repoRoot, ".cache", "models")
		}
		if _, err := os.Stat(filepath.Join(root, size, "en-hi", "config.json")); err != nil {
			t.Fatalf("the %s models are missing (%v): run `make models`", size, err)
		}
	}
}

type result struct {
	stdout, stderr string
	code           int
}

// contend runs the binary from the repository root with a bounded time.
func contend(t *testing.T, timeout time.Duration, args ...string) result {
	t.Helper()
	cmd := exec.Command(contendBin, args...)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		t.Fatalf("contend %s: still running after %s\nstderr:\n%s", strings.Join(args, " "), timeout, errb.String())
	}
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

func TestUsageExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "usage: contend"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"run"}, exitUsage, "run needs exactly one scenario file"},
		{[]string{"run", "scenarios/ci.yaml", "--format", "yaml"}, exitUsage, "--format must be text, json or markdown"},
		{[]string{"serve", "--strategy", "optimistic"}, exitUsage, "optimistic"},
		{[]string{"translate", "hello", "--from", "en", "--to", "fr"}, exitUsage, "unsupported language pair en-fr"},
		{[]string{"models", "build", "--size", "huge"}, exitUsage, "huge"},
		{[]string{"run", "--help"}, exitOK, "usage: contend run"},
		{[]string{"run", "scenarios/ci.yaml", "--target", "http://192.0.2.1:8000"}, exitUsage, "--allow-remote"},
		{[]string{"demo", "--size", "huge"}, exitUsage, "huge"},
		{[]string{"run", "scenarios/ci.yaml", "--target", "http://127.0.0.1:1", "--size", "tiny"}, exitUsage, "--size applies to the built-in target"},
		{[]string{"serve", "--size", "huge"}, exitUsage, "huge"},
		{[]string{"serve", "stray"}, exitUsage, "unexpected argument"},
		{[]string{"run", "scenarios/ci.yaml", "--tui", "--no-tui"}, exitUsage, "--tui and --no-tui"},
		{[]string{"run", "scenarios/ci.yaml", "--timeout", "-1s"}, exitUsage, "--timeout must not be negative"},
		{[]string{"check", "scenarios/ci.yaml", "--timeout", "soon"}, exitUsage, "soon"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := contend(t, time.Minute, tt.args...)
			if r.code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", r.code, tt.code, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr does not mention %q:\n%s", tt.want, r.stderr)
			}
		})
	}
}

func TestBadScenarioNamesFileLineField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	src := "name: bad\ntarget: {url: http://127.0.0.1:1}\nsteps:\n  - {name: s, mode: sequential, requests: 2, rate: 5/x}\n"
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	r := contend(t, time.Minute, "run", path, "--no-tui")
	if r.code != exitError {
		t.Errorf("exit %d, want %d", r.code, exitError)
	}
	want := path + ":4: steps[0].rate"
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr does not name %q:\n%s", want, r.stderr)
	}
}

func TestOutDirUnwritableFailsBeforeLoad(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	srv := newCountingServer(t, false)
	r := contend(t, time.Minute, "run", "scenarios/ci.yaml", "--no-tui", "--target", srv.URL(), "--out", filepath.Join(blocker, "out"))
	if r.code != exitError {
		t.Errorf("exit %d, want %d\nstderr: %s", r.code, exitError, r.stderr)
	}
	if n := srv.Count(); n != 0 {
		t.Errorf("%d requests were sent before the --out error", n)
	}
}

// golden reads models/lexicon/testdata/golden.tsv: direction, source, expected.
func golden(t *testing.T) [][3]string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "models", "lexicon", "testdata", "golden.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var rows [][3]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		if len(parts) == 3 {
			rows = append(rows, [3]string{parts[0], parts[1], parts[2]})
		}
	}
	return rows
}

func TestTranslateGoldenSentences(t *testing.T) {
	requireProvisioned(t, "base")
	sentences := 0
	for _, row := range golden(t) {
		if !strings.Contains(row[1], " ") {
			continue // the words are covered by the models and target tests
		}
		sentences++
		from, to, _ := strings.Cut(row[0], "-")
		t.Run(row[0]+" "+row[1], func(t *testing.T) {
			r := contend(t, 2*time.Minute, "translate", row[1], "--from", from, "--to", to)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if got := strings.TrimSpace(r.stdout); got != row[2] {
				t.Errorf("translate %q = %q, want %q", row[1], got, row[2])
			}
		})
	}
	if sentences < 10 {
		t.Fatalf("golden.tsv has %d sentences, want at least 5 per direction", sentences)
	}
}
