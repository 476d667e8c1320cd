package harness

import (
	"context"
	"net/http"
	"time"

	"contend/reports"
)

// The metrics a resource sample reads from the target's /metrics; the Prometheus
// Go and process collectors export them (the built-in target registers both).
const (
	rssMetric        = "process_resident_memory_bytes"
	goroutinesMetric = "go_goroutines"
	openFDsMetric    = "process_open_fds"
)

// maxResourceSamples bounds the samples one step keeps: when it is reached, every
// other sample is dropped and the interval doubles, so a long soak keeps an even
// spread over its whole length in bounded memory.
const maxResourceSamples = 1024

// ResourceSample is one reading of the target's process, taken while a step ran:
// resident memory, goroutines and open file descriptors. A value of -1 is one the
// target does not export. It is the reports package's type, so results pass to
// reports as they are.
type ResourceSample = reports.ResourceSample

// scrapeResources reads one sample from the target's /metrics. answered is false
// when no page came back (the target is busy or down); ok is false when none came
// back or it holds none of the three metrics.
func scrapeResources(ctx context.Context, c *http.Client, base string) (smp ResourceSample, answered, ok bool) {
	body, code, err := get(ctx, c, joinURL(rootURL(base), "/metrics"), maxMetricsBody)
	if err != nil {
		return ResourceSample{}, false, false
	}
	if code != http.StatusOK {
		return ResourceSample{}, true, false
	}
	smp, ok = parseResources(body, time.Now())
	return smp, true, ok
}

// parseResources reads a sample taken at at from a Prometheus text exposition.
func parseResources(page []byte, at time.Time) (ResourceSample, bool) {
	m := parseMetrics(page, rssMetric, goroutinesMetric, openFDsMetric)
	if len(m) == 0 {
		return ResourceSample{}, false
	}
	value := func(name string) int64 {
		v, ok := m[name]
		if !ok {
			return -1
		}
		return int64(v)
	}
	return ResourceSample{
		At:         at,
		RSSBytes:   value(rssMetric),
		Goroutines: int(value(goroutinesMetric)),
		OpenFDs:    int(value(openFDsMetric)),
	}, true
}

// sampler takes a resource sample right away, then every interval until stopped.
// It gives up at once when the target answers its first scrape without the metrics
// (a target without /metrics); a scrape that gets no answer in time (a target too
// busy to serve /metrics promptly) is skipped. It takes no sample at the stop: by
// then the attack has closed its connections, and the target's goroutines and
// open files drop to their idle level, which would bend the step's trend. A
// scrape cut short by the stop is not kept.
type sampler struct {
	stop chan struct{}
	done chan struct{}
	// samples and absent are written by the sampling goroutine and read after done.
	samples []ResourceSample
	absent  bool
}

// startSampler starts sampling base's /metrics with c. The caller must call finish.
func startSampler(ctx context.Context, c *http.Client, base string, every time.Duration) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	// A loaded target (or machine) may take seconds to answer /metrics; a late
	// sample is still a sample, so the sampler waits longer than a health probe.
	// Stopping the sampler abandons a scrape in progress.
	slow := *c
	slow.Timeout = max(c.Timeout, scrapeTimeout)
	go s.loop(ctx, &slow, base, every)
	return s
}

// scrapeTimeout bounds one resource scrape.
const scrapeTimeout = 10 * time.Second

func (s *sampler) loop(ctx context.Context, c *http.Client, base string, every time.Duration) {
	defer close(s.done)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		smp, answered, ok := scrapeResources(ctx, c, base)
		switch {
		case ok:
			s.add(smp, tick, &every)
		case answered && len(s.samples) == 0:
			s.absent = true
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-s.stop:
			return
		case <-tick.C:
		}
	}
}

// add keeps smp, thinning the samples and slowing the ticker when they are full.
func (s *sampler) add(smp ResourceSample, tick *time.Ticker, every *time.Duration) {
	if len(s.samples) >= maxResourceSamples {
		kept := s.samples[:0]
		for i := 0; i < len(s.samples); i += 2 {
			kept = append(kept, s.samples[i])
		}
		s.samples = kept
		*every *= 2
		tick.Reset(*every)
	}
	s.samples = append(s.samples, smp)
}

// finish stops the sampler and returns its samples, and
// whether the target turned out to export none of the metrics.
func (s *sampler) finish() ([]ResourceSample, bool) {
	close(s.stop)
	<-s.done
	return s.samples, s.absent
}
