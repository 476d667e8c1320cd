package harness

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/scenarios"
)

// responseCheck is the scenario's request.expect as it applies to one target.
type responseCheck struct {
	status int  // the one status a success must have, 0 for any 2xx or 3xx
	json   bool // the body must parse as JSON
}

// newResponseCheck resolves e's defaults for the built-in target (builtin true)
// or an external URL.
func newResponseCheck(e scenarios.ResponseExpect, builtin bool) responseCheck {
	return responseCheck{status: e.Status, json: e.WantJSON(builtin)}
}

// apply turns a 2xx or 3xx result that fails the check into a failed one whose
// error says why, as "response is not JSON: invalid character 'g' looking for
// beginning of value". Results that already failed are left alone. It must run
// before the body is dropped.
func (c responseCheck) apply(res *vegeta.Result) {
	if res.Error != "" || res.Code < 200 || res.Code >= 400 {
		return
	}
	if c.status != 0 && int(res.Code) != c.status {
		res.Error = fmt.Sprintf("response status %d, want %d", res.Code, c.status)
		return
	}
	if c.json {
		if res.BytesIn > uint64(len(res.Body)) {
			res.Error = fmt.Sprintf("response is not JSON-checked: its body of %d bytes is longer than the %d kept (raise request.max_body or --max-body)", res.BytesIn, len(res.Body))
			return
		}
		if err := checkJSON(res.Body); err != nil {
			res.Error = "response is not JSON: " + err.Error()
		}
	}
}

// checkJSON returns why body is not one JSON value, nil when it is.
func checkJSON(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("empty body")
	}
	if json.Valid(body) {
		return nil
	}
	var v json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON")
}
