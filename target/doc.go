// Package target is contend's built-in translation service: an HTTP server that translates
// English<->Hindi with two ONNX models (en->hi and hi->en), loads them lazily, and guards that
// load with a selectable locking strategy, so that the lock contention of the seed can be
// reproduced, measured and shown fixed.
//
// # Strategies
//
// A Strategy hands out the loaded models (see ParseStrategy and StrategyNames):
//
//	naive            one global lock held over check, load and inference (the seed's bug:
//	                 concurrent requests run one at a time)
//	double-checked   lock-free fast path once loaded; the lock is taken only around the first
//	                 load and the check is repeated under it (the fix)
//	once             sync.Once-style; simple, but a failed load sticks and is never retried
//	eager            loads when the server starts (Server.Warm); /readyz gates traffic
//
// # HTTP API
//
//	POST /translate  {"text": "the water is cold", "source": "en", "target": "hi"}
//	                 or {"texts": ["...", "..."], "source": "hi", "target": "en"}
//	  200 {"translation": "...", "source": "en", "target": "hi", "model": "..."}
//	      or {"translations": [...], "source": ..., "target": ..., "model": ...}
//	  Server-Timing: wait;dur=0.012, load;dur=0.000, infer;dur=41.870
//	GET /healthz      200 while the process serves
//	GET /readyz       200 once both models are loaded, else 503
//	GET /metrics      Prometheus text format (its own registry)
//	/debug/pprof/...  only when Config.Pprof is set; mutex and block profiling on
//
// The strategies' locks are channels, so that a waiter can leave when its request's context
// ends; a queue behind one therefore shows in the block profile (target.ctxMutex.Lock), not
// in the mutex profile.
//
// Every /translate response, errors included, carries Server-Timing with wait (time blocked
// in the strategy's lock), load (time spent waiting for a model load this request started
// or joined) and infer (tokenize, encode and decode), in milliseconds. Errors are JSON, one code per cause:
//
//	{"error": {"code": "empty_text", "message": "text is empty"}}
//
//	400 invalid_json, unknown_field, ambiguous_text (both text and texts), missing_text
//	    (neither), missing_language (source or target absent)
//	404 not_found          405 method_not_allowed (with Allow)
//	413 body_too_large     (the raw body exceeds Config.MaxBodyBytes)
//	415 unsupported_media_type (Content-Type must be application/json)
//	422 empty_text, text_too_long (MaxTextRunes, MaxTextTokens, MaxRequestTokens),
//	    batch_too_large (MaxBatch), unsupported_language_pair
//	500 inference_failed   (a model failed on valid input)
//	503 model_unavailable  (+ Retry-After; the load failed, panicked or is still running)
//	503 shutting_down      (+ Retry-After, Connection: close; the server is stopping)
//	504 timeout            (the request's deadline, Config.RequestTimeout, or the
//	                       inference's, Config.InferenceTimeout, passed)
//	499 canceled           (the client went away; logged, nobody reads it)
//
// Limits on content (text length in runes or in model tokens, batch size) answer 422: the
// body was read and understood, its content is refused, and the message states every limit.
// The token limits bound what a valid request costs, and are checked after tokenizing,
// before any inference. 413 is kept for bodies too large to read. /readyz answers 503
// not_ready (with Retry-After) until both models are loaded; under the lazy strategies that
// is until the first /translate.
//
// # Requests, loads and contexts
//
// A request runs under its own context, bounded by Config.RequestTimeout; its inference is
// bounded again by Config.InferenceTimeout. Waiting in a strategy's lock gives up when that
// context ends, and a request whose context ended while it queued is answered without
// running (counted in contend_requests_abandoned_total). A load, though, runs detached, in a
// goroutine of its own under the server's lifetime and its own deadline
// (Config.LoadTimeout), not under the request that happened to start it: every caller,
// the one that started it included, may leave when its own context ends, the load goes on,
// and its models serve the next caller. Closing the server (Serve's context ending, or
// Close) abandons loads in progress.
//
// # Shutdown
//
// When Serve's context ends it stops admitting: the listener closes, and requests that
// arrive on open connections or wait in the strategy's lock answer 503 shutting_down at
// once (with Retry-After and Connection: close). Running inference gets
// Config.ShutdownTimeout to finish; whatever still runs then is cut, and Serve's error wraps
// ErrRequestsCut (the CLI exits 1 for it, 0 after a clean shutdown).
//
// Serve also bounds slow clients: a request's headers must arrive within
// Config.ReadHeaderTimeout (a client trickling them is disconnected), its body within
// DefaultReadTimeout, and a body larger than Config.MaxBodyBytes answers 413. The CLI
// serves /debug/pprof on loopback addresses only, unless asked (contend serve --pprof).
//
// # Imports
//
// The server core depends only on the small Translator interface defined here; the one file
// that loads real models (loader.go, ModelLoader) imports contend/models. This package must
// not import contend/harness, contend/reports or contend/cmd, and nothing in it calls
// os.Exit, log.Fatal, flag or signal.Notify: the CLI passes a context in and owns signals.
package target
