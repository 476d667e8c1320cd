package target

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Error codes of the JSON error body, one per cause. The HTTP status of each is in the
// package documentation.
const (
	CodeInvalidJSON          = "invalid_json"
	CodeUnknownField         = "unknown_field"
	CodeAmbiguousText        = "ambiguous_text"
	CodeMissingText          = "missing_text"
	CodeMissingLanguage      = "missing_language"
	CodeEmptyText            = "empty_text"
	CodeTextTooLong          = "text_too_long"
	CodeBatchTooLarge        = "batch_too_large"
	CodeUnsupportedPair      = "unsupported_language_pair"
	CodeUnsupportedMediaType = "unsupported_media_type"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeNotFound             = "not_found"
	CodeBodyTooLarge         = "body_too_large"
	CodeModelUnavailable     = "model_unavailable"
	CodeNotReady             = "not_ready"
	CodeShuttingDown         = "shutting_down"
	CodeInferenceFailed      = "inference_failed"
	CodeTimeout              = "timeout"
	CodeCanceled             = "canceled"
)

// StatusClientClosedRequest is the status recorded (and written, though nobody reads it) when
// the client went away before its answer; nginx's convention.
const StatusClientClosedRequest = 499

// apiError is an error answered to the client: a status, a stable code and a message.
type apiError struct {
	Status  int
	Code    string
	Message string
	// RetryAfter, in seconds, is sent as the Retry-After header when positive.
	RetryAfter int
	// CloseConn sends Connection: close, so that the client does not reuse a connection the
	// server is about to close.
	CloseConn bool
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

func newAPIError(status int, code, format string, args ...any) *apiError {
	return &apiError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// shuttingDown is the answer to a request that a shutdown refused: 503 with Retry-After and
// Connection: close (another instance, or this one restarted, may take it).
func shuttingDown() *apiError {
	e := newAPIError(http.StatusServiceUnavailable, CodeShuttingDown,
		"the server is shutting down; retry on a new connection")
	e.RetryAfter = RetryAfterSeconds
	e.CloseConn = true
	return e
}

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers e as JSON, with Retry-After when e asks for it.
func writeError(w http.ResponseWriter, e *apiError) {
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.RetryAfter))
	}
	if e.CloseConn {
		w.Header().Set("Connection", "close")
	}
	var body errorBody
	body.Error.Code = e.Code
	body.Error.Message = e.Message
	writeJSON(w, e.Status, body)
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	b, err := json.Marshal(v)
	if err != nil { // only our own response types get here; they always marshal
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"code":"internal","message":"cannot encode the response"}}`)
	}
	b = append(b, '\n')
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
