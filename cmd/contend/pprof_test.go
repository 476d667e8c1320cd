package main

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPprofEnabled: /debug/pprof is served on a loopback address by default and
// nowhere else unless asked for.
func TestPprofEnabled(t *testing.T) {
	tcp := func(ip string) net.Addr { return &net.TCPAddr{IP: net.ParseIP(ip), Port: 8080} }
	tests := []struct {
		mode    string
		addr    net.Addr
		want    bool
		wantErr bool
	}{
		{"auto", tcp("127.0.0.1"), true, false},
		{"auto", tcp("127.8.9.10"), true, false},
		{"auto", tcp("::1"), true, false},
		{"auto", tcp("0.0.0.0"), false, false},
		{"auto", tcp("::"), false, false},
		{"auto", tcp("192.0.2.7"), false, false},
		{"auto", &net.UnixAddr{Name: "/tmp/s", Net: "unix"}, false, false},
		{"on", tcp("0.0.0.0"), true, false},
		{"off", tcp("127.0.0.1"), false, false},
		{"yes", tcp("127.0.0.1"), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.mode+" "+tt.addr.String(), func(t *testing.T) {
			got, err := pprofEnabled(tt.mode, tt.addr)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want an error: %v", err, tt.wantErr)
			}
			var ue usageError
			if err != nil && !errors.As(err, &ue) {
				t.Errorf("error %v is not a usage error (exit 2)", err)
			}
			if got != tt.want {
				t.Errorf("pprofEnabled(%q, %s) = %v, want %v", tt.mode, tt.addr, got, tt.want)
			}
		})
	}
}

// TestServePprofOnlyOnLoopback runs `contend serve` on every interface: by
// default it serves no profiles there, and does with --pprof on.
func TestServePprofOnlyOnLoopback(t *testing.T) {
	requireProvisioned(t, "tiny")
	tests := []struct {
		flags []string
		want  int
	}{
		{nil, http.StatusNotFound},
		{[]string{"--pprof", "on"}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.flags), func(t *testing.T) {
			addrFile := filepath.Join(t.TempDir(), "addr")
			args := append([]string{"serve", "--size", "tiny", "--addr", "0.0.0.0:0", "--addr-file", addrFile}, tt.flags...)
			cmd := exec.Command(contendBin, args...)
			cmd.Dir = repoRoot
			var stderr lockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer func() {
				_ = cmd.Process.Signal(os.Interrupt)
				_ = cmd.Wait()
			}()
			var port string
			for deadline := time.Now().Add(time.Minute); port == ""; time.Sleep(50 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("serve wrote no address within a minute\nstderr:\n%s", stderr.String())
				}
				if b, err := os.ReadFile(addrFile); err == nil {
					_, port, _ = net.SplitHostPort(strings.TrimSpace(string(b)))
				}
			}
			// Only loopback is asked; the listener is on every interface.
			client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
			resp, err := client.Get("http://127.0.0.1:" + port + "/debug/pprof/")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("/debug/pprof/ answered %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}
