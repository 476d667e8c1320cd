package harness_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/harness"
	"contend/scenarios"
)

// TestSavedResultsAreVegetas checks the raw files: one per step (per level for a
// sweep), read back by vegeta's decoder and by the vegeta CLI.
func TestSavedResultsAreVegetas(t *testing.T) {
	out := filepath.Join(t.TempDir(), "nested", "out")
	p := &probe{}
	base := serve(t, serviceHandler(p, 5*time.Millisecond, false))
	sc := urlScenario(base, "/",
		sequential("seq", 6),
		scenarios.Step{Name: "sweep", Mode: scenarios.ModeSweep, Levels: []int{1, 2}, RequestsPerLevel: 4})
	log := run(t, context.Background(), harness.New(harness.OutDir(out)), sc)
	if err := log.done(); err != nil {
		t.Fatalf("RunDone error: %v", err)
	}
	res := log.only(t)
	runDir := filepath.Join(out, "127.0.0.1_"+portOf(t, base))
	tests := []struct {
		name string
		path string
		want int
	}{
		{name: "step", path: res.Steps[0].RawPath, want: 6},
		{name: "sweep level 1", path: res.Steps[1].Levels[0].RawPath, want: 4},
		{name: "sweep level 2", path: res.Steps[1].Levels[1].RawPath, want: 4},
	}
	wantPaths := []string{
		filepath.Join(runDir, "seq.bin"),
		filepath.Join(runDir, "sweep-c1.bin"),
		filepath.Join(runDir, "sweep-c2.bin"),
	}
	if res.Steps[1].RawPath != "" {
		t.Errorf("sweep step raw path %q, want none (per level)", res.Steps[1].RawPath)
	}
	vegetaBin := vegetaCLI(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.path != wantPaths[i] {
				t.Errorf("raw path %q, want %q", tt.path, wantPaths[i])
			}
			got := decodeAll(t, tt.path)
			if len(got) != tt.want {
				t.Fatalf("decoded %d results, want %d", len(got), tt.want)
			}
			for _, r := range got {
				if r.Code != 200 || r.Headers.Get("Server-Timing") == "" || r.Headers.Get("Content-Type") == "" {
					t.Errorf("saved result %d: code %d headers %v", r.Seq, r.Code, r.Headers)
				}
			}
			cmd := exec.Command(vegetaBin, "report", "--type", "json", tt.path)
			outJSON, err := cmd.Output()
			if err != nil {
				t.Fatalf("vegeta report %s: %v", tt.path, err)
			}
			var rep struct {
				Requests uint64 `json:"requests"`
				Success  float64
			}
			if err := json.Unmarshal(outJSON, &rep); err != nil {
				t.Fatalf("vegeta report output: %v\n%s", err, outJSON)
			}
			if rep.Requests != uint64(tt.want) || rep.Success != 1 {
				t.Errorf("vegeta report: %d requests, success %.2f; want %d, 1", rep.Requests, rep.Success, tt.want)
			}
		})
	}
}

func decodeAll(t *testing.T, path string) []vegeta.Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := vegeta.NewDecoder(f)
	var out []vegeta.Result
	for {
		var r vegeta.Result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("decode %s: %v", path, err)
		}
		out = append(out, r)
	}
}

// vegetaCLI finds the vegeta binary make provisions, failing loudly without it.
func vegetaCLI(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("vegeta"); err == nil {
		return p
	}
	p, err := filepath.Abs(filepath.Join("..", ".cache", "bin", "vegeta"))
	if err == nil {
		if _, err = os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("the vegeta CLI is missing (%v): run make tools", err)
	return ""
}

func portOf(t *testing.T, base string) string {
	t.Helper()
	for i := len(base) - 1; i >= 0; i-- {
		if base[i] == ':' {
			return base[i+1:]
		}
	}
	t.Fatalf("no port in %q", base)
	return ""
}

// TestCheckOutDir checks the --out validation.
func TestCheckOutDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		dir     string
		wantErr bool
	}{
		{name: "existing", dir: dir},
		{name: "created with parents", dir: filepath.Join(dir, "a", "b")},
		{name: "under a file", dir: filepath.Join(file, "sub"), wantErr: true},
		{name: "a file", dir: file, wantErr: true},
		{name: "empty", dir: "", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := harness.CheckOutDir(tt.dir)
			if (err != nil) != tt.wantErr {
				t.Fatalf("CheckOutDir(%q) = %v, want error: %v", tt.dir, err, tt.wantErr)
			}
			if err != nil {
				return
			}
			entries, err := os.ReadDir(tt.dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				if e.Name() != "file" {
					t.Errorf("left %s behind", e.Name())
				}
			}
		})
	}

	// Run checks the directory before sending anything.
	p := &probe{}
	sc := urlScenario(serve(t, serviceHandler(p, 0, false)), "/", sequential("s", 2))
	log := run(t, context.Background(), harness.New(harness.OutDir(filepath.Join(file, "out"))), sc)
	if log.done() == nil {
		t.Error("Run accepted an output directory under a file")
	}
	if hits, _ := p.stats(); hits != 0 {
		t.Errorf("target got %d requests before the output directory was checked", hits)
	}
}
