package target

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// timing is what one /translate request reports in its Server-Timing header.
type timing struct {
	wait, load, infer time.Duration
}

// header formats t as "wait;dur=1.234, load;dur=0.000, infer;dur=56.789" (milliseconds).
func (t timing) header() string {
	b := make([]byte, 0, 64)
	for i, m := range [...]struct {
		name string
		d    time.Duration
	}{{"wait", t.wait}, {"load", t.load}, {"infer", t.infer}} {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, m.name...)
		b = append(b, ";dur="...)
		b = strconv.AppendFloat(b, float64(m.d)/float64(time.Millisecond), 'f', 3, 64)
	}
	return string(b)
}

// singleResponse answers a "text" request.
type singleResponse struct {
	Translation string `json:"translation"`
	Source      string `json:"source"`
	Target      string `json:"target"`
	Model       string `json:"model"`
}

// batchResponse answers a "texts" request.
type batchResponse struct {
	Translations []string `json:"translations"`
	Source       string   `json:"source"`
	Target       string   `json:"target"`
	Model        string   `json:"model"`
}

// handleTranslate serves POST /translate: decode, acquire the models through the strategy,
// translate under the request's context, answer. Every answer carries Server-Timing.
func (s *Server) handleTranslate(w http.ResponseWriter, r *http.Request) {
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec()
	ctx := r.Context()
	if s.cfg.RequestTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.cfg.RequestTimeout)
		defer cancel()
	}
	var t timing
	fail := func(e *apiError) {
		w.Header().Set("Server-Timing", t.header())
		writeError(w, e)
	}

	if s.drain.Err() != nil { // shutting down: admit nothing new
		fail(shuttingDown())
		return
	}
	if e := checkContentType(r); e != nil {
		fail(e)
		return
	}
	req, e := decodeRequest(http.MaxBytesReader(unwrapRecorder(w), r.Body, s.cfg.MaxBodyBytes))
	if e != nil {
		fail(e)
		return
	}

	// Waiting in the strategy also ends when a shutdown begins.
	acquireCtx, stopAcquire := context.WithCancel(ctx)
	defer stopAcquire()
	defer context.AfterFunc(s.drain, stopAcquire)()
	lease, err := s.strategy.Acquire(acquireCtx)
	defer lease.Release()
	t.wait, t.load = lease.Wait, lease.Load
	s.metrics.lockWait.Observe(lease.Wait.Seconds())
	if err != nil {
		if ctx.Err() == nil && s.drain.Err() != nil {
			fail(shuttingDown())
			return
		}
		fail(s.acquireError(ctx, err, t))
		return
	}
	// The client may have gone, or the deadline passed, while this request queued: it must
	// not run.
	if ctxErr(ctx) != nil {
		s.metrics.abandoned.Inc()
		fail(s.contextError(ctx, "before inference", t))
		return
	}

	model, _ := lease.Models.For(req.Source, req.Target) // the pair was validated
	inferCtx, stopInfer := ctx, context.CancelFunc(func() {})
	if s.cfg.InferenceTimeout > 0 {
		inferCtx, stopInfer = context.WithTimeout(ctx, s.cfg.InferenceTimeout)
	}
	start := time.Now()
	s.metrics.inferenceRunning.Inc()
	out, err := safeTranslate(inferCtx, model, req.Texts)
	s.metrics.inferenceRunning.Dec()
	t.infer = time.Since(start)
	stopInfer()
	s.metrics.inference.Observe(t.infer.Seconds())
	lease.Release() // naive holds its lock over inference, not over writing the answer

	switch {
	case err != nil && ctx.Err() != nil:
		fail(s.contextError(ctx, "during inference", t))
		return
	case err != nil && isContextErr(err) && inferCtx.Err() != nil:
		fail(newAPIError(http.StatusGatewayTimeout, CodeTimeout,
			"inference ran past the server's limit of %s per request and was stopped", s.cfg.InferenceTimeout))
		return
	case errors.Is(err, ErrTextTooLong):
		fail(newAPIError(http.StatusUnprocessableEntity, CodeTextTooLong, "%v (%s)", err, limitsNote))
		return
	case err != nil:
		s.log.Error("inference failed", "model", model.Name(), "texts", len(req.Texts), "err", err)
		fail(newAPIError(http.StatusInternalServerError, CodeInferenceFailed,
			"model %s failed: %v", model.Name(), err))
		return
	case len(out) != len(req.Texts):
		fail(newAPIError(http.StatusInternalServerError, CodeInferenceFailed,
			"model %s returned %d translations for %d texts", model.Name(), len(out), len(req.Texts)))
		return
	}

	w.Header().Set("Server-Timing", t.header())
	if req.Batch {
		writeJSON(w, http.StatusOK, batchResponse{Translations: out, Source: req.Source,
			Target: req.Target, Model: model.Name()})
		return
	}
	writeJSON(w, http.StatusOK, singleResponse{Translation: out[0], Source: req.Source,
		Target: req.Target, Model: model.Name()})
}

// acquireError maps a failed Acquire to its answer.
func (s *Server) acquireError(ctx context.Context, err error, t timing) *apiError {
	if ctx.Err() != nil && isContextErr(err) {
		s.metrics.abandoned.Inc()
		return s.contextError(ctx, "while waiting for the models", t)
	}
	var e *apiError
	switch {
	case errors.Is(err, ErrNotReady):
		e = newAPIError(http.StatusServiceUnavailable, CodeModelUnavailable,
			"models are still loading (strategy %s); retry shortly", s.strategy.Name())
	default:
		e = newAPIError(http.StatusServiceUnavailable, CodeModelUnavailable, "%v", err)
	}
	e.RetryAfter = RetryAfterSeconds
	return e
}

// contextError answers a request whose context ended: 504 when its deadline passed, 499
// (logged; the client is gone) when it was canceled.
func (s *Server) contextError(ctx context.Context, stage string, t timing) *apiError {
	if errors.Is(ctxErr(ctx), context.DeadlineExceeded) {
		return newAPIError(http.StatusGatewayTimeout, CodeTimeout,
			"the request's deadline of %s passed %s", s.cfg.RequestTimeout, stage)
	}
	s.log.Info("client went away", "stage", stage, "wait", t.wait, "load", t.load, "infer", t.infer)
	return newAPIError(StatusClientClosedRequest, CodeCanceled, "the client went away %s", stage)
}

// safeTranslate runs model.Translate, turning a panic into an error.
func safeTranslate(ctx context.Context, model Translator, texts []string) (out []string, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("translate panicked: %v", r)
		}
	}()
	return model.Translate(ctx, texts)
}

// ctxErr is ctx.Err(), or context.DeadlineExceeded once ctx's deadline has passed even if its
// timer has not fired yet (on a busy machine it can fire late), so that a request past its
// deadline is never run.
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}

// isContextErr reports whether err comes from a context ending.
func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
