package harness_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"contend/harness"
	"contend/scenarios"
)

// TestHugeCountAllocatesNothingUpFront runs steps built in code, which skip the
// scenario file's bounds, with the largest request count there is: the runner
// must start sending at once (not make room for every result first, which
// panicked with "makeslice: cap out of range") and stop when cancelled.
func TestHugeCountAllocatesNothingUpFront(t *testing.T) {
	tests := []struct {
		name string
		step scenarios.Step
	}{
		{"concurrent", concurrent("huge", math.MaxInt, 1)},
		{"sequential", sequential("huge", math.MaxInt)},
		{"sweep", scenarios.Step{Name: "huge", Mode: scenarios.ModeSweep, Levels: []int{1}, RequestsPerLevel: math.MaxInt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &probe{arrived: make(chan struct{}, 16)}
			base := serve(t, serviceHandler(p, time.Millisecond, false))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				for range 5 {
					<-p.arrived
				}
				cancel()
			}()
			log := run(t, ctx, harness.New(), urlScenario(base, "/", tt.step))
			if err := log.done(); !errors.Is(err, context.Canceled) {
				t.Fatalf("RunDone error %v, want context.Canceled", err)
			}
			res := log.only(t)
			if len(res.Steps) != 1 || len(res.Steps[0].Results) < 5 {
				t.Fatalf("got %d steps, want one with the 5 or more requests sent before the cancel", len(res.Steps))
			}
		})
	}
}

// TestDurationEndsTimeBoundStep runs rate and ramp steps whose next request falls
// due after their duration (built in code: a scenario file refuses those that
// cannot send one): each ends at its duration, having sent exactly the requests
// due within it, however long the pacer would have waited for the next.
func TestDurationEndsTimeBoundStep(t *testing.T) {
	rate := func(freq int, per, d time.Duration) scenarios.Step {
		return scenarios.Step{Name: "rate", Mode: scenarios.ModeRate, Rate: scenarios.Rate{Freq: freq, Per: per},
			Duration: scenarios.Duration{Duration: d}}
	}
	hourly := scenarios.Rate{Freq: 1, Per: time.Hour}
	tests := []struct {
		name string
		step scenarios.Step
		want int // requests sent
	}{
		// Due at 1.9s, then 3.8s: vegeta alone sent the second and ran 3.8s.
		{"rate 1/1900ms over 2s", rate(1, 1900*time.Millisecond, 2*time.Second), 1},
		// First due at 10s: vegeta alone ran 10.1s.
		{"rate 1/10s over 2s", rate(1, 10*time.Second, 2*time.Second), 0},
		// First due at a minute: vegeta alone ran a minute.
		{"rate 1/m over 1s", rate(1, time.Minute, time.Second), 0},
		// vegeta's linear pacer sends its first at once, the next an hour later.
		{"ramp 1/h to 1/h over 1s", scenarios.Step{Name: "ramp", Mode: scenarios.ModeRamp, Rate: hourly, RateTo: hourly,
			Duration: scenarios.Duration{Duration: time.Second}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := &probe{}
			base := serve(t, serviceHandler(p, time.Millisecond, false))
			// Far beyond the duration, far short of the pacer's next hit: a step
			// that waits for the pacer is cancelled and fails the test.
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			log := run(t, ctx, harness.New(), urlScenario(base, "/", tt.step))
			if err := log.done(); err != nil {
				t.Fatalf("RunDone error %v: the step outlived its duration", err)
			}
			sr := log.only(t).Steps[0]
			if got := len(sr.Results); got != tt.want {
				t.Errorf("sent %d requests, want %d", got, tt.want)
			}
			if hits, _ := p.stats(); hits != tt.want {
				t.Errorf("the target got %d requests, want %d", hits, tt.want)
			}
			t.Logf("%d requests, step wall %s", len(sr.Results), sr.Wall.Round(time.Millisecond))
			if sr.Wall < tt.step.Duration.Duration {
				t.Errorf("step wall %s, want its whole duration %s", sr.Wall, tt.step.Duration)
			}
		})
	}
}

// TestCredentialsStayInTheRequests attacks a URL with userinfo: every request
// carries it as basic auth, and no event, result or saved file shows it.
func TestCredentialsStayInTheRequests(t *testing.T) {
	const user, password = "alice", "s3cret-pw"
	var good, bad, probes atomic.Int64
	base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, pw, ok := r.BasicAuth(); !ok || u != user || pw != password {
			bad.Add(1)
			http.Error(w, "who are you", http.StatusUnauthorized)
			return
		}
		if r.URL.Path == "/metrics" { // the Runner's own probes carry them too
			probes.Add(1)
			http.NotFound(w, r)
			return
		}
		good.Add(1)
		w.Write([]byte("ok\n"))
	}))
	withAuth := strings.Replace(base, "://", "://"+user+":"+password+"@", 1)
	out := t.TempDir()
	sc := urlScenario(withAuth, "/", sequential("seq", 3), concurrent("burst", 4, 2))
	log := run(t, context.Background(), harness.New(harness.OutDir(out)), sc)
	if err := log.done(); err != nil {
		t.Fatalf("RunDone error: %v", err)
	}
	if good.Load() != 7 || bad.Load() != 0 || probes.Load() == 0 {
		t.Errorf("the target saw %d requests and %d probes with the credentials and %d without, want 7, some and 0",
			good.Load(), probes.Load(), bad.Load())
	}
	secrets := []string{password, base64.StdEncoding.EncodeToString([]byte(user + ":" + password))}
	shown := strings.Replace(base, "://", "://"+user+":xxxxx@", 1)
	if res := log.only(t); res.Run != shown || res.URL != shown {
		t.Errorf("run %q, url %q, want both %q", res.Run, res.URL, shown)
	}
	leaks := map[string]int{} // event kind and secret: how many events show it
	for _, ev := range log.events {
		ev.Scenario = nil // the caller's own, as given
		data, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Err != nil {
			data = append(data, ev.Err.Error()...)
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				leaks[ev.Kind.String()+" shows "+s]++
			}
		}
	}
	for leak, n := range leaks {
		t.Errorf("%d events: %s", n, leak)
	}
	files := 0
	err := filepath.WalkDir(out, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds %q", path, s)
			}
		}
		return err
	})
	if err != nil || files != 2 {
		t.Errorf("checked %d saved files (%v), want the 2 raw results files", files, err)
	}
}
