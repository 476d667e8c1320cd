package target

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// TestSlowHeadersAreCutOff: a client trickling its headers (slowloris) is
// disconnected once Config.ReadHeaderTimeout passes, and the server keeps serving
// everyone else.
func TestSlowHeadersAreCutOff(t *testing.T) {
	const limit = 300 * time.Millisecond
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	srv, err := NewServer(Config{Strategy: StrategyDoubleChecked, Load: loader.load, ReadHeaderTimeout: limit})
	if err != nil {
		t.Fatal(err)
	}
	ln := listenLoopback(t)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	// The server's header deadline starts once it has accepted the connection,
	// so timing from before the dial can only overstate how long it waited.
	start := time.Now()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	closed := make(chan time.Duration, 1)
	go func() {
		_, _ = io.Copy(io.Discard, conn) // returns when the server hangs up
		closed <- time.Since(start)
	}()
	if _, err := io.WriteString(conn, "POST /translate HTTP/1.1\r\nHost: contend\r\n"); err != nil {
		t.Fatal(err)
	}
	// Trickle a header line every 100 ms for up to 10 s, never finishing.
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var took time.Duration
wait:
	for {
		select {
		case took = <-closed:
			break wait
		case <-tick.C:
			if time.Since(start) > 10*time.Second {
				t.Fatalf("the server still holds a connection trickling headers after %s", time.Since(start))
			}
			// Once the server hung up the write fails; the reader reports it.
			_, _ = io.WriteString(conn, "X-Slow: 1\r\n")
		}
	}
	if took < limit || took > limit+2*time.Second {
		t.Errorf("cut off after %s, want just after the %s header timeout", took, limit)
	}

	client := &http.Client{Timeout: 5 * time.Second}
	defer client.CloseIdleConnections()
	r, err := do(t.Context(), client, http.MethodGet, "http://"+ln.Addr().String()+"/healthz", "", nil)
	if err != nil || r.Status != http.StatusOK {
		t.Errorf("after the slow client: /healthz %d, %v; want 200", r.Status, err)
	}
}

func TestReadHeaderTimeoutDefault(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	tests := []struct {
		name string
		set  time.Duration
		want time.Duration
	}{
		{"default", 0, DefaultReadHeaderTimeout},
		{"set", time.Second, time.Second},
		{"none", -1, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, err := NewServer(Config{Load: loader.load, ReadHeaderTimeout: tt.set})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if got := srv.cfg.ReadHeaderTimeout; got != tt.want {
				t.Errorf("ReadHeaderTimeout = %s, want %s", got, tt.want)
			}
		})
	}
}
