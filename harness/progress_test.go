package harness_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"contend/harness"
)

// TestProgressBeforeFirstCompletion holds three concurrent requests in the
// handler until a Progress event has shown all three in flight with their send
// times: the dashboard's in-flight count must not wait for a completion (a cold
// start holds every request for seconds).
func TestProgressBeforeFirstCompletion(t *testing.T) {
	gate := make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(release)
	base := serve(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			http.NotFound(w, r)
			return
		}
		select {
		case <-gate:
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	sc := urlScenario(base, "/", concurrent("burst", 3, 3))
	var (
		results  int
		seen     bool
		progress harness.Event
	)
	log := drain(t, harness.New().Run(context.Background(), sc), func(ev harness.Event) {
		switch ev.Kind {
		case harness.Results:
			results += len(ev.Results)
		case harness.Progress:
			if !seen && results == 0 && ev.Snapshot.InFlight == 3 {
				seen, progress = true, ev
				release()
			}
		}
	})
	if err := log.done(); err != nil {
		t.Fatalf("RunDone error: %v", err)
	}
	if !seen {
		t.Fatalf("no Progress event showed 3 requests in flight before the first result:\n%s", log.kinds())
	}
	if progress.Snapshot.Done != 0 || len(progress.Sent) != 3 || progress.Step.Name != "burst" {
		t.Errorf("Progress: done %d, %d send times, step %q; want 0, 3, burst", progress.Snapshot.Done, len(progress.Sent), progress.Step.Name)
	}
	for i := 1; i < len(progress.Sent); i++ {
		if progress.Sent[i].Before(progress.Sent[i-1]) {
			t.Errorf("send times out of order: %v", progress.Sent)
		}
	}
	if progress.Snapshot.Elapsed <= 0 {
		t.Errorf("Progress elapsed %s, want > 0", progress.Snapshot.Elapsed)
	}
}
