package target

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Config and of the http.Server that Serve runs.
const (
	// DefaultAddr is where ListenAndServe listens when Config.Addr is empty: loopback only.
	DefaultAddr = "127.0.0.1:8080"
	// DefaultRequestTimeout is Config.RequestTimeout's default: a request still waiting or
	// running after this long answers 504 timeout.
	DefaultRequestTimeout = 60 * time.Second
	// DefaultShutdownTimeout is how long Serve waits for running inference once its context
	// ends, before closing their connections (see ErrRequestsCut).
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultInferenceTimeout is Config.InferenceTimeout's default: one Translate call still
	// running after this long is stopped and answers 504 timeout.
	DefaultInferenceTimeout = 10 * time.Second
	// DefaultLoadTimeout is Config.LoadTimeout's default: a load attempt (LoadDelay
	// included) still running after this long fails, and the next request starts another.
	DefaultLoadTimeout = 2 * time.Minute
	// DefaultReadHeaderTimeout, DefaultReadTimeout and DefaultIdleTimeout bound slow or idle
	// clients. There is no write timeout: a translation is bounded by the request timeout,
	// and a CPU profile (/debug/pprof/profile?seconds=N) may legitimately take longer.
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	// RetryAfterSeconds is the Retry-After of every 503 answer.
	RetryAfterSeconds = 1
	// MutexProfileFraction and BlockProfileRate are the runtime's profiling rates when
	// Config.Pprof is set: one mutex contention event in 5, and blocking events sampled at
	// one per 100 µs blocked (a queue behind the naive lock blocks for whole seconds).
	MutexProfileFraction = 5
	BlockProfileRate     = 100_000
	// modelsPerLoad is how many models one load attempt loads: Config.LoadDelay counts per model.
	modelsPerLoad = 2
	// maxWarmRetry caps the backoff between the eager strategy's load attempts.
	maxWarmRetry = 30 * time.Second
)

// Config configures a Server. The zero value of each field but Load means its default.
type Config struct {
	// Strategy is the locking strategy's name, one of StrategyNames; default DefaultStrategy.
	Strategy string
	// Load loads both models; required. See ModelLoader for the real ones.
	Load LoadFunc
	// LoadDelay is added to each of the two model loads of every load attempt (so an attempt
	// takes at least 2×LoadDelay), emulating a slow download; it ends early when the server
	// closes.
	LoadDelay time.Duration
	// MaxBodyBytes bounds a request body; default DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RequestTimeout bounds each /translate request, queueing included; default
	// DefaultRequestTimeout, negative for none.
	RequestTimeout time.Duration
	// InferenceTimeout bounds each Translate call, whatever the request's own deadline;
	// default DefaultInferenceTimeout, negative for none.
	InferenceTimeout time.Duration
	// LoadTimeout bounds each load attempt, which runs detached from the request that
	// started it; default DefaultLoadTimeout, negative for none.
	LoadTimeout time.Duration
	// ShutdownTimeout bounds Serve's graceful shutdown; default DefaultShutdownTimeout.
	ShutdownTimeout time.Duration
	// ReadHeaderTimeout bounds how long Serve waits for a request's headers, so a
	// client trickling them cannot hold a connection open; default
	// DefaultReadHeaderTimeout, negative for none.
	ReadHeaderTimeout time.Duration
	// Pprof serves /debug/pprof/ and turns mutex and block profiling on for the whole process
	// (see MutexProfileFraction, BlockProfileRate). Profiles reveal internals: the CLI enables
	// it on loopback addresses only unless asked.
	Pprof bool
	// Logger receives load outcomes and abandoned requests; default: discard.
	Logger *slog.Logger
	// Addr is ListenAndServe's address; default DefaultAddr. Serve ignores it.
	Addr string
}

// Server is the built-in translation target. It is an http.Handler; Serve or ListenAndServe
// run it on a listener. The caller must call Close when done with a Server it did not run with
// Serve (Serve closes it on return).
type Server struct {
	cfg      Config
	log      *slog.Logger
	strategy Strategy
	metrics  *metrics

	// life ends when the server closes; loads run under it rather than under the request that
	// triggered them, so a client leaving does not throw away a load others are waiting for.
	life context.Context
	stop context.CancelFunc
	// drain ends when shutdown begins: requests waiting in the strategy, and requests arriving
	// after it, answer 503 shutting_down at once.
	drain    context.Context
	drainNow context.CancelFunc
	active   sync.WaitGroup         // handlers running, so Close can wait before closing models
	handling atomic.Int64           // handlers running, for the count of requests a shutdown cut
	loaded   atomic.Pointer[Models] // the models a load returned, for Close
	closing  sync.Once              // runs Close's work once
	closed   error                  // Close's result, set inside closing

	loadMu    sync.Mutex     // guards loadsShut and the Add side of loads
	loadsShut bool           // Close has begun: no new load may start
	loads     sync.WaitGroup // load attempts running, so Close can wait for them
}

// ErrRequestsCut is wrapped by Serve's error when its graceful shutdown had to cut requests:
// inference still running when Config.ShutdownTimeout passed. Requests that were only waiting
// in the strategy are answered 503 at once and are not cut.
var ErrRequestsCut = errors.New("requests cut by shutdown")

// errLoadsClosed fails a load started after Close.
var errLoadsClosed = errors.New("server closed")

// NewServer returns a Server for cfg, after filling in defaults. Its models are not loaded
// until the strategy says so (eager: Serve or Warm).
func NewServer(cfg Config) (*Server, error) {
	if cfg.Load == nil {
		return nil, errors.New("new server: config has no Load function")
	}
	if cfg.Strategy == "" {
		cfg.Strategy = DefaultStrategy
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.InferenceTimeout == 0 {
		cfg.InferenceTimeout = DefaultInferenceTimeout
	}
	if cfg.LoadTimeout == 0 {
		cfg.LoadTimeout = DefaultLoadTimeout
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.ReadHeaderTimeout == 0 {
		cfg.ReadHeaderTimeout = DefaultReadHeaderTimeout
	}
	if cfg.LoadDelay < 0 {
		return nil, fmt.Errorf("new server: negative load delay %s", cfg.LoadDelay)
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics(cfg.Strategy)}
	s.life, s.stop = context.WithCancel(context.Background())
	s.drain, s.drainNow = context.WithCancel(context.Background())
	strategy, err := ParseStrategy(cfg.Strategy, s.instrumentLoad(cfg.Load))
	if err != nil {
		s.stop()
		s.drainNow()
		return nil, fmt.Errorf("new server: %w", err)
	}
	s.strategy = strategy
	if cfg.Pprof {
		runtime.SetMutexProfileFraction(MutexProfileFraction)
		runtime.SetBlockProfileRate(BlockProfileRate)
	}
	return s, nil
}

// Strategy returns the server's locking strategy.
func (s *Server) Strategy() Strategy { return s.strategy }

// Ready reports whether both models are loaded, as /readyz does.
func (s *Server) Ready() bool { return s.strategy.Loaded() }

// Warm loads the models now through the strategy (for eager, its Warm; for the others, one
// Acquire and Release), and returns the load's error. Serve calls it for eager strategies.
func (s *Server) Warm(ctx context.Context) error {
	if w, ok := s.strategy.(Warmer); ok {
		return w.Warm(ctx)
	}
	lease, err := s.strategy.Acquire(ctx)
	lease.Release()
	return err
}

// instrumentLoad wraps load with the server's policy: a load runs under the server's life
// and its own deadline (Config.LoadTimeout) rather than the request's (it outlives a client
// that left), waits LoadDelay per model first, never panics, and is measured and logged.
// Close waits for it.
func (s *Server) instrumentLoad(load LoadFunc) LoadFunc {
	return func(reqCtx context.Context) (*Models, error) {
		s.loadMu.Lock()
		if s.loadsShut {
			s.loadMu.Unlock()
			return nil, errLoadsClosed
		}
		s.loads.Add(1)
		s.loadMu.Unlock()
		defer s.loads.Done()

		ctx, cancel := context.WithCancel(context.WithoutCancel(reqCtx))
		if s.cfg.LoadTimeout > 0 {
			ctx, cancel = context.WithTimeout(context.WithoutCancel(reqCtx), s.cfg.LoadTimeout)
		}
		defer cancel()
		defer context.AfterFunc(s.life, cancel)()
		start := time.Now()
		m, err := s.delayedLoad(ctx, load)
		took := time.Since(start)
		if err == nil && s.life.Err() != nil { // finished as the server closed: nobody will use it
			_ = m.Close()
			m, err = nil, fmt.Errorf("load finished after the server closed: %w", s.life.Err())
		}
		if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) && s.life.Err() == nil {
			err = fmt.Errorf("load exceeded its %s deadline: %w", s.cfg.LoadTimeout, err)
		}
		s.metrics.observeLoad(err, took)
		if err != nil {
			s.log.Error("model load failed", "strategy", s.strategy.Name(), "took", took, "err", err)
			return nil, err
		}
		s.loaded.Store(m)
		s.log.Info("models loaded", "strategy", s.strategy.Name(), "took", took,
			"en-hi", m.EnHi.Name(), "hi-en", m.HiEn.Name())
		return m, nil
	}
}

// delayedLoad sleeps LoadDelay per model, then loads.
func (s *Server) delayedLoad(ctx context.Context, load LoadFunc) (*Models, error) {
	if d := s.cfg.LoadDelay * modelsPerLoad; d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("load delay of %s: %w", d, ctx.Err())
		}
	}
	return callLoad(ctx, load)
}

// ServeHTTP routes a request. Unknown paths answer 404 not_found and wrong methods 405
// method_not_allowed with Allow, both as JSON.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer s.active.Done()
	s.handling.Add(1)
	defer s.handling.Add(-1)
	rec := &statusRecorder{ResponseWriter: w}
	name := s.route(rec, r)
	code := rec.code
	if code == 0 {
		code = http.StatusOK
	}
	s.metrics.countRequest(name, code)
}

// route serves r and returns the handler's name for metrics.
func (s *Server) route(w http.ResponseWriter, r *http.Request) string {
	p := r.URL.Path
	switch {
	case p == "/translate":
		w.Header().Set("Server-Timing", timing{}.header()) // every /translate answer has one
		if allowed(w, r, http.MethodPost) {
			s.handleTranslate(w, r)
		}
		return "translate"
	case p == "/healthz":
		if allowed(w, r, http.MethodGet, http.MethodHead) {
			writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		}
		return "healthz"
	case p == "/readyz":
		if allowed(w, r, http.MethodGet, http.MethodHead) {
			s.handleReady(w)
		}
		return "readyz"
	case p == "/metrics":
		if allowed(w, r, http.MethodGet, http.MethodHead) {
			s.metrics.handler().ServeHTTP(w, r)
		}
		return "metrics"
	case s.cfg.Pprof && p == "/debug/pprof":
		http.Redirect(w, r, "/debug/pprof/", http.StatusMovedPermanently)
		return "pprof"
	case s.cfg.Pprof && strings.HasPrefix(p, "/debug/pprof/"):
		servePprof(w, r)
		return "pprof"
	}
	writeError(w, newAPIError(http.StatusNotFound, CodeNotFound, "no such endpoint %q", p))
	return "other"
}

// allowed answers 405 with Allow unless r's method is one of methods.
func allowed(w http.ResponseWriter, r *http.Request, methods ...string) bool {
	for _, m := range methods {
		if r.Method == m {
			return true
		}
	}
	list := strings.Join(methods, ", ")
	w.Header().Set("Allow", list)
	writeError(w, newAPIError(http.StatusMethodNotAllowed, CodeMethodNotAllowed,
		"%s %s is not allowed (allowed: %s)", r.Method, r.URL.Path, list))
	return false
}

func (s *Server) handleReady(w http.ResponseWriter) {
	if s.drain.Err() != nil {
		writeError(w, shuttingDown())
		return
	}
	if s.strategy.Loaded() {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "strategy": s.strategy.Name()})
		return
	}
	e := newAPIError(http.StatusServiceUnavailable, CodeNotReady,
		"models are not loaded yet (strategy %s)", s.strategy.Name())
	e.RetryAfter = RetryAfterSeconds
	writeError(w, e)
}

// servePprof serves the net/http/pprof handlers under /debug/pprof/.
func servePprof(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, "/debug/pprof/") {
	case "cmdline":
		pprof.Cmdline(w, r)
	case "profile":
		pprof.Profile(w, r)
	case "symbol":
		pprof.Symbol(w, r)
	case "trace":
		pprof.Trace(w, r)
	default:
		pprof.Index(w, r)
	}
}

// statusRecorder remembers the status a handler wrote, for the requests counter.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// unwrapRecorder returns the writer net/http gave, so that http.MaxBytesReader can tell the
// server to close the connection after a body that was too large.
func unwrapRecorder(w http.ResponseWriter) http.ResponseWriter {
	if rec, ok := w.(*statusRecorder); ok {
		return rec.ResponseWriter
	}
	return w
}

// Unwrap lets http.ResponseController reach the connection (pprof's profile extends its
// write deadline through it).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ListenAndServe listens on Config.Addr (default DefaultAddr) and serves until ctx ends; see
// Serve.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		s.Close()
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves HTTP on ln until ctx ends, then shuts down gracefully: new requests and those
// waiting in the strategy's lock answer 503 shutting_down (with Retry-After and Connection:
// close) at once, loads in progress are abandoned, and running inference gets up to
// Config.ShutdownTimeout to finish; if some has to be cut, Serve's error wraps
// ErrRequestsCut. With the eager
// strategy it loads the models in the background right away, retrying with backoff until it
// succeeds, while /readyz answers 503. Serve closes ln and the Server (models included)
// before returning; it returns nil after a shutdown asked for by ctx that cut no request.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	warmCtx, stopWarm := context.WithCancel(ctx)
	defer stopWarm()
	var warming sync.WaitGroup
	if _, ok := s.strategy.(Warmer); ok {
		warming.Go(func() { s.warmLoop(warmCtx) })
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	var err error
	select {
	case err = <-served:
		err = fmt.Errorf("serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
		err = s.shutdown(hs)
		<-served // http.ErrServerClosed
	}
	stopWarm()
	warming.Wait()
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

// shutdown stops hs gracefully: no new connection or request is admitted, requests waiting in
// the strategy answer 503 shutting_down at once (drain), loads in progress are abandoned, and
// running requests get Config.ShutdownTimeout to finish. Requests still running then are cut
// (their connections closed, their inference stopped) and the error wraps ErrRequestsCut.
func (s *Server) shutdown(hs *http.Server) error {
	s.drainNow()
	s.stop() // abandon loads in progress so that their requests can answer
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if hs.Shutdown(sctx) == nil {
		return nil
	}
	cut := s.handling.Load()
	_ = hs.Close()
	if cut == 0 { // the last ones finished between the timeout and Close
		return nil
	}
	s.log.Warn("graceful shutdown timed out; requests cut", "timeout", s.cfg.ShutdownTimeout, "cut", cut)
	return fmt.Errorf("shutdown: %d requests still running after the %s grace were cut: %w",
		cut, s.cfg.ShutdownTimeout, ErrRequestsCut)
}

// warmLoop loads the models until it succeeds or ctx ends, backing off between attempts.
func (s *Server) warmLoop(ctx context.Context) {
	backoff := RetryAfterSeconds * time.Second
	for {
		err := s.Warm(ctx)
		if err == nil || ctx.Err() != nil {
			return
		}
		s.log.Warn("eager load failed; retrying", "in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		backoff = min(2*backoff, maxWarmRetry)
	}
}

// Close abandons loads in progress, waits for the handlers running in this Server to return,
// and closes the models. It is safe to call more than once; later calls return the first
// call's result. Call it after the http.Server or httptest.Server has stopped sending
// requests.
func (s *Server) Close() error {
	s.closing.Do(func() {
		s.drainNow()
		s.stop()
		s.active.Wait()
		s.loadMu.Lock()
		s.loadsShut = true
		s.loadMu.Unlock()
		s.loads.Wait()
		if m := s.loaded.Load(); m != nil {
			s.closed = m.Close()
		}
	})
	return s.closed
}
