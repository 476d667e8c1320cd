package target

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits on a translation request.
const (
	// MaxTextRunes is the longest text, in Unicode code points, one request may ask to
	// translate; longer texts answer 422 text_too_long.
	MaxTextRunes = 1000
	// MaxBatch is the most texts one "texts" request may hold; more answer 422 batch_too_large.
	MaxBatch = 32
	// MaxTextTokens and MaxRequestTokens bound what the real models translate: the most
	// source tokens (end-of-sequence included) of one text, and of one request summed over
	// its texts. Longer texts answer 422 text_too_long before any inference. They bound a
	// request's cost: greedy decoding with the key/value cache takes a step per token of the
	// longest text, about 14 ms of CPU on the base models, and the texts of a batch share
	// each step. The costliest request the limits allow (four texts of 64 tokens) takes
	// about 1 s of CPU on base; see the README. A model's own limit per text
	// (max_position_embeddings, 512 for Marian) applies too.
	MaxTextTokens    = 64
	MaxRequestTokens = 256
	// DefaultMaxBodyBytes is Config.MaxBodyBytes's default, 1 MiB; larger bodies answer 413
	// body_too_large.
	DefaultMaxBodyBytes int64 = 1 << 20
)

// limitsNote states every limit on a request's content, for each 422 about its size.
var limitsNote = fmt.Sprintf("limits: %d characters and %d source tokens a text, %d texts and %d source tokens a request",
	MaxTextRunes, MaxTextTokens, MaxBatch, MaxRequestTokens)

// translateRequest is a decoded, validated POST /translate body.
type translateRequest struct {
	Texts  []string // one text unless Batch
	Batch  bool     // the client sent "texts" and gets "translations" back
	Source string
	Target string
}

// wireRequest is the JSON shape of the body. Pointers and nil slices tell an absent field (or
// null) from an empty one.
type wireRequest struct {
	Text   *string  `json:"text"`
	Texts  []string `json:"texts"`
	Source string   `json:"source"`
	Target string   `json:"target"`
}

// checkContentType requires an application/json body (parameters such as charset allowed).
func checkContentType(r *http.Request) *apiError {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return newAPIError(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
			"Content-Type must be application/json, and none was given")
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return newAPIError(http.StatusUnsupportedMediaType, CodeUnsupportedMediaType,
			"Content-Type must be application/json, not %q", ct)
	}
	return nil
}

// decodeRequest reads one JSON object from body (which the caller has already limited with
// http.MaxBytesReader) and validates it. It returns either a valid request or a coded error,
// never both, and never panics on any input.
func decodeRequest(body io.Reader) (translateRequest, *apiError) {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	var wire *wireRequest
	if err := dec.Decode(&wire); err != nil {
		return translateRequest{}, decodeError(err)
	}
	if wire == nil {
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeInvalidJSON,
			"request body must be a JSON object, not null")
	}
	// Exactly one value: anything but white space after it is refused.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if tooLarge := asBodyTooLarge(err); tooLarge != nil {
			return translateRequest{}, tooLarge
		}
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeInvalidJSON,
			"trailing data after the JSON object")
	}
	return wire.validate()
}

// asBodyTooLarge maps http.MaxBytesReader's error to 413, and anything else to nil.
func asBodyTooLarge(err error) *apiError {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return newAPIError(http.StatusRequestEntityTooLarge, CodeBodyTooLarge,
			"request body exceeds %d bytes", mbe.Limit)
	}
	return nil
}

// decodeError maps a json.Decoder error to its coded answer.
func decodeError(err error) *apiError {
	if tooLarge := asBodyTooLarge(err); tooLarge != nil {
		return tooLarge
	}
	var (
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
		badInput = func(format string, args ...any) *apiError {
			return newAPIError(http.StatusBadRequest, CodeInvalidJSON, format, args...)
		}
	)
	switch {
	case errors.Is(err, io.EOF):
		return badInput("request body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badInput("request body ends in the middle of the JSON object")
	case errors.As(err, &syntax):
		return badInput("malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return badInput("request body must be a JSON object, not %s", typeErr.Value)
		}
		return badInput("field %q must be %s, not %s", typeErr.Field, jsonKind(typeErr.Type.String()), typeErr.Value)
	}
	// encoding/json has no typed error for DisallowUnknownFields; its message is stable.
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return newAPIError(http.StatusBadRequest, CodeUnknownField,
			"unknown field %s (known: text, texts, source, target)", field)
	}
	return badInput("cannot read the request body: %v", err)
}

// jsonKind names a Go type of wireRequest the way a JSON client thinks of it.
func jsonKind(goType string) string {
	switch goType {
	case "string":
		return "a string"
	case "[]string":
		return "an array of strings"
	}
	return goType
}

// validate checks a decoded body against the contract and the limits.
func (w *wireRequest) validate() (translateRequest, *apiError) {
	req := translateRequest{Source: w.Source, Target: w.Target}
	switch {
	case w.Text != nil && w.Texts != nil:
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeAmbiguousText,
			`give either "text" or "texts", not both`)
	case w.Text != nil:
		req.Texts = []string{*w.Text}
	case len(w.Texts) > 0:
		req.Texts, req.Batch = w.Texts, true
	case w.Texts != nil:
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeMissingText,
			`"texts" is an empty array: give at least one text`)
	default:
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeMissingText,
			`give "text" (a string) or "texts" (an array of strings)`)
	}
	switch {
	case w.Source == "" && w.Target == "":
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeMissingLanguage,
			`"source" and "target" are missing (supported: en->hi, hi->en)`)
	case w.Source == "":
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeMissingLanguage,
			`"source" is missing (supported: en->hi, hi->en)`)
	case w.Target == "":
		return translateRequest{}, newAPIError(http.StatusBadRequest, CodeMissingLanguage,
			`"target" is missing (supported: en->hi, hi->en)`)
	case !supportedPair(w.Source, w.Target):
		return translateRequest{}, newAPIError(http.StatusUnprocessableEntity, CodeUnsupportedPair,
			"cannot translate %q to %q (supported: en->hi, hi->en)", w.Source, w.Target)
	}
	if len(req.Texts) > MaxBatch {
		return translateRequest{}, newAPIError(http.StatusUnprocessableEntity, CodeBatchTooLarge,
			`"texts" holds %d texts, more than the limit of %d (%s)`, len(req.Texts), MaxBatch, limitsNote)
	}
	for i, t := range req.Texts {
		name := "text"
		if req.Batch {
			name = "texts[" + strconv.Itoa(i) + "]"
		}
		if strings.TrimSpace(t) == "" {
			return translateRequest{}, newAPIError(http.StatusUnprocessableEntity, CodeEmptyText,
				"%s is empty", name)
		}
		if n := utf8.RuneCountInString(t); n > MaxTextRunes {
			return translateRequest{}, newAPIError(http.StatusUnprocessableEntity, CodeTextTooLong,
				"%s is %d characters long, more than the limit of %d (%s)", name, n, MaxTextRunes, limitsNote)
		}
	}
	return req, nil
}
