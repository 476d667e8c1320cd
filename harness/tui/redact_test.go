package tui

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"contend/harness"
)

// TestDashboardHidesCredentials drives the real program with a real run against
// a URL with userinfo: no frame shows the password, the run's label shows it
// redacted.
func TestDashboardHidesCredentials(t *testing.T) {
	const password = "s3cret-pw"
	var authorized atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pw, ok := r.BasicAuth(); !ok || pw != password {
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/metrics" { // the runner's own probe: no metrics here
			http.NotFound(w, r)
			return
		}
		authorized.Add(1)
		w.Write([]byte("{}\n"))
	}))
	defer srv.Close()
	withAuth := strings.Replace(srv.URL, "://", "://u:"+password+"@", 1)

	var out bytes.Buffer
	m, err := run(context.Background(), harness.New().Run(context.Background(), loopbackScenario(withAuth)),
		newConfig([]Option{WithInput(nil), WithOutput(&out), WindowSize(120, 30)}))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if !m.finished {
		t.Fatal("the program did not see the run finish")
	}
	frames := ansi.Strip(out.String()) + m.View()
	if strings.Contains(frames, password) {
		t.Errorf("the dashboard shows the password:\n%s", m.View())
	}
	rows := m.tableRows()
	if want := strings.Replace(srv.URL, "://", "://u:xxxxx@", 1); len(rows) != 1 || rows[0].Run != want {
		t.Errorf("rows %+v, want one run labelled %s", rows, want)
	}
	if n := authorized.Load(); n != 8 {
		t.Errorf("%d requests carried the credentials, want all 8", n)
	}
}
