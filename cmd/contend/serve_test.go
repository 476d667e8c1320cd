package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServe runs `contend serve` on a free loopback port and returns its base URL.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	cmd := exec.Command(contendBin, append([]string{"serve", "--addr", "127.0.0.1:0", "--addr-file", addrFile}, args...)...)
	cmd.Dir = repoRoot
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(addrFile); err == nil && len(b) > 0 {
			return "http://" + string(b)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("contend serve did not write its address\n%s", logs.String())
	return ""
}

// TestServeGoldenBase sends every golden word and sentence, both directions, through
// the HTTP API of `contend serve` on the base models.
func TestServeGoldenBase(t *testing.T) {
	requireProvisioned(t, "base")
	base := startServe(t, "--size", "base", "--strategy", "double-checked")
	rows := golden(t)
	counts := map[string]int{}
	for _, row := range rows {
		from, to, _ := strings.Cut(row[0], "-")
		body, _ := json.Marshal(map[string]string{"text": row[1], "source": from, "target": to})
		resp, err := http.Post(base+"/translate", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Translation string `json:"translation"`
			Model       string `json:"model"`
		}
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %q: status %d, decode error %v", row[0], row[1], resp.StatusCode, err)
		}
		if !strings.HasPrefix(got.Model, "lexicon-base/") {
			t.Errorf("model %q, want the base lexicon model", got.Model)
		}
		if got.Translation != row[2] {
			t.Errorf("%s %q = %q, want %q", row[0], row[1], got.Translation, row[2])
		}
		kind := "word"
		if strings.Contains(row[1], " ") {
			kind = "sentence"
		}
		counts[row[0]+" "+kind]++
	}
	for _, dir := range []string{"en-hi", "hi-en"} {
		if counts[dir+" word"] < 20 || counts[dir+" sentence"] < 5 {
			t.Errorf("%s: %d words and %d sentences checked, want at least 20 and 5", dir, counts[dir+" word"], counts[dir+" sentence"])
		}
	}
}
