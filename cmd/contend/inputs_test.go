package main

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestCredentialsNeverShown attacks a loopback target through a URL with
// userinfo, given by --target or in the scenario file: every request carries the
// credentials as basic auth, and neither stdout, stderr nor any file under --out
// (every report, the raw results) shows them.
func TestCredentialsNeverShown(t *testing.T) {
	const user, password, token = "alice", "s3cret-pw", "t0ken-abc"
	var good, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/translate" {
			http.NotFound(w, r)
			return
		}
		u, pw, ok := r.BasicAuth()
		if !ok || !(u == user && pw == password || u == token && pw == "") {
			bad.Add(1)
			http.Error(w, `{"error": "who are you"}`, http.StatusUnauthorized)
			return
		}
		good.Add(1)
		w.Write([]byte(`{"translation": "ok"}` + "\n"))
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	withPassword := "http://" + user + ":" + password + "@" + host
	withToken := "http://" + token + "@" + host
	secrets := []string{
		password, token,
		base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
		base64.StdEncoding.EncodeToString([]byte(token + ":")),
	}
	scenario := func(url string) string {
		return writeScenario(t, "name: creds\ntarget: {url: '"+url+"'}\n"+
			"request: {body: '{\"text\": \"hi\"}'}\n"+
			"steps:\n  - {name: seq, mode: sequential, requests: 2}\n  - {name: burst, mode: concurrent, requests: 2}\n"+
			// Fails, so that check prints its FAIL lines and every report its verdict.
			"expect:\n  - {step: burst, max_p99: 1ns}\n")
	}
	tests := []struct {
		name  string
		args  []string
		code  int
		shown string // the target as the output must show it
		sent  int64  // requests the target must get with the credentials
	}{
		{"check --target, text", []string{"check", scenario(srv.URL), "--target", withPassword}, exitExpectation,
			"http://" + user + ":xxxxx@" + host, 4},
		{"run --target, json", []string{"run", scenario(srv.URL), "--target", withPassword, "--format", "json"}, exitOK,
			"http://" + user + ":xxxxx@" + host, 4},
		{"token in the file, markdown", []string{"check", scenario(withToken), "--format", "markdown"}, exitExpectation,
			"http://xxxxx@" + host, 4},
		{"remote target refused", []string{"run", scenario(srv.URL), "--target", "http://" + user + ":" + password + "@192.0.2.1:8000"},
			exitUsage, "http://" + user + ":xxxxx@192.0.2.1:8000", 0},
		{"--strategy with a url", []string{"run", scenario(withPassword), "--strategy", "naive"}, exitUsage,
			"http://" + user + ":xxxxx@" + host, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			good.Store(0)
			bad.Store(0)
			out := t.TempDir()
			r := contend(t, 2*time.Minute, append(tt.args, "--no-tui", "--out", out)...)
			if r.code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if good.Load() != tt.sent || bad.Load() != 0 {
				t.Errorf("the target got %d requests with the credentials and %d without, want %d and 0",
					good.Load(), bad.Load(), tt.sent)
			}
			outputs := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
			err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				data, err := os.ReadFile(path)
				outputs[path] = string(data)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if tt.sent > 0 {
				for _, name := range []string{"report.json", "report.txt", "report.md", "report.html", "junit.xml", "seq.bin", "burst.bin"} {
					if !hasFile(outputs, name) {
						t.Errorf("no %s under --out to check: %v", name, mapKeys(outputs))
					}
				}
			}
			for name, text := range outputs {
				for _, s := range secrets {
					if strings.Contains(text, s) {
						t.Errorf("%s shows %q", name, s)
					}
				}
			}
			if !strings.Contains(r.stdout+r.stderr, tt.shown) {
				t.Errorf("the output never names the target as %s:\nstdout:\n%s\nstderr:\n%s", tt.shown, r.stdout, r.stderr)
			}
		})
	}
}

// hasFile reports whether one of outputs' paths is a file called name.
func hasFile(outputs map[string]string, name string) bool {
	for path := range outputs {
		if filepath.Base(path) == name {
			return true
		}
	}
	return false
}

func mapKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// TestHostileCountsRefused checks that the counts and rates that once crashed or
// hung a run are refused before any load, naming file, line and field.
func TestHostileCountsRefused(t *testing.T) {
	tests := []struct {
		step, want string
	}{
		{"{mode: concurrent, concurrency: 1, requests: 1000000000}", ":3: steps[0].requests: requests 1000000000 is above the limit of 1000000"},
		{"{mode: concurrent, concurrency: 1, requests: 9223372036854775807}", ":3: steps[0].requests: requests 9223372036854775807 is above the limit"},
		{"{mode: rate, rate: 1/10s, duration: 2s}", ":3: steps[0].duration: rate 1/10s over 2s comes to 0.2 requests"},
		{"{mode: rate, rate: 1/m, duration: 5s}", ":3: steps[0].duration: rate 1/m over 5s comes to 0.0833 requests"},
		{"{mode: ramp, rate: 1/h, rate_to: 1/h, duration: 2s}", ":3: steps[0].duration: a ramp from 1/h to 1/h over 2s comes to 0.000556 requests"},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			path := writeScenario(t, "target: {url: 'http://127.0.0.1:1'}\nsteps:\n  - "+tt.step+"\n")
			r := contend(t, time.Minute, "run", path, "--no-tui")
			if r.code != exitError {
				t.Errorf("exit %d, want %d", r.code, exitError)
			}
			if !strings.Contains(r.stderr, path+tt.want) {
				t.Errorf("stderr does not say %q:\n%s", path+tt.want, r.stderr)
			}
		})
	}
}
