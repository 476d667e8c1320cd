package target

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Results of a model load in contend_model_loads_total's result label.
const (
	loadOK       = "ok"
	loadError    = "error"
	loadPanic    = "panic"
	loadCanceled = "canceled"
	loadTimeout  = "timeout"
)

// durationBuckets span 1 ms to about 2.5 minutes, enough for a queue behind a slow load.
var durationBuckets = prometheus.ExponentialBuckets(0.001, 2.5, 14)

// metrics are one server's instruments, in a registry of its own (never the global one), so
// that several servers can live in one process, as they do in tests. Every contend_ metric
// carries a constant strategy label; the process and Go collectors export
// process_cpu_seconds_total and friends, which the runner samples to measure the target's CPU.
type metrics struct {
	registry *prometheus.Registry

	requests         *prometheus.CounterVec // by handler and code
	inFlight         prometheus.Gauge       // /translate requests being served
	abandoned        prometheus.Counter     // requests skipped because their client left or their deadline passed
	lockWait         prometheus.Histogram   // Lease.Wait of every Acquire
	loadDuration     prometheus.Histogram   // duration of every load attempt, delay included
	inference        prometheus.Histogram   // duration of every Translate call
	inferenceRunning prometheus.Gauge       // Translate calls running now
	loads            *prometheus.CounterVec // by model and result
}

func newMetrics(strategy string) *metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewGoCollector(),
	)
	m := &metrics{
		registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contend_requests_total",
			Help: "HTTP requests served, by handler and status code (499: the client went away).",
		}, []string{"handler", "code"}),
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "contend_requests_in_flight",
			Help: "Translation requests being served, queued ones included.",
		}),
		abandoned: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "contend_requests_abandoned_total",
			Help: "Translation requests never run because their client left or their deadline passed before inference.",
		}),
		lockWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "contend_lock_wait_seconds",
			Help:    "Time each translation request was blocked by the locking strategy.",
			Buckets: durationBuckets,
		}),
		loadDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "contend_model_load_seconds",
			Help:    "Duration of each attempt to load both models, the configured load delay included.",
			Buckets: durationBuckets,
		}),
		inference: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "contend_inference_seconds",
			Help:    "Duration of each translation (tokenize, encode, decode) of one request's texts.",
			Buckets: durationBuckets,
		}),
		inferenceRunning: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "contend_inference_in_flight",
			Help: "Translations running now; stays at 1 or 0 under the naive strategy.",
		}),
		loads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "contend_model_loads_total",
			Help: "Model loads, by model (en-hi, hi-en, or all when the failure names neither) and result (ok, error, panic, canceled, timeout: past the load deadline).",
		}, []string{"model", "result"}),
	}
	labelled := prometheus.WrapRegistererWith(prometheus.Labels{"strategy": strategy}, reg)
	labelled.MustRegister(m.requests, m.inFlight, m.abandoned, m.lockWait, m.loadDuration,
		m.inference, m.inferenceRunning, m.loads)
	return m
}

// handler serves the registry in the Prometheus text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{Registry: m.registry})
}

// observeLoad counts one load attempt's outcome per model.
func (m *metrics) observeLoad(err error, took time.Duration) {
	m.loadDuration.Observe(took.Seconds())
	if err == nil {
		m.loads.WithLabelValues("en-hi", loadOK).Inc()
		m.loads.WithLabelValues("hi-en", loadOK).Inc()
		return
	}
	model := "all"
	var le *LoadError
	if errors.As(err, &le) && le.Model != "" {
		model = le.Model
	}
	m.loads.WithLabelValues(model, loadResult(err)).Inc()
}

// loadResult classifies a failed load for the result label.
func loadResult(err error) string {
	switch {
	case errors.Is(err, ErrLoadPanicked):
		return loadPanic
	case errors.Is(err, context.DeadlineExceeded):
		return loadTimeout
	case isContextErr(err):
		return loadCanceled
	}
	return loadError
}

// countRequest counts one answered request.
func (m *metrics) countRequest(handler string, code int) {
	m.requests.WithLabelValues(handler, strconv.Itoa(code)).Inc()
}
