package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Reporter writes a report in one format, as vegeta's reporters do.
type Reporter func(io.Writer) error

// Report writes the report to w.
func (rep Reporter) Report(w io.Writer) error { return rep(w) }

// NewJSONReporter returns a Reporter that writes r as indented JSON: the
// schema shown in the package doc. ReadJSON reads it back.
func NewJSONReporter(r *Report) Reporter {
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(r); err != nil {
			return fmt.Errorf("write json report: %w", err)
		}
		return nil
	}
}

// ErrNotReport is returned by ReadJSON for JSON that is not a contend report.
var ErrNotReport = errors.New("not a contend report (no scenario or runs)")

// ReadJSON reads a report written by NewJSONReporter (a saved report.json).
func ReadJSON(r io.Reader) (*Report, error) {
	var rep Report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("read json report: %w", err)
	}
	if rep.Runs == nil && rep.Scenario == "" {
		return nil, fmt.Errorf("read json report: %w", ErrNotReport)
	}
	if rep.Runs == nil {
		rep.Runs = []Run{}
	}
	return &rep, nil
}

// Merge combines reports (saved results of several runs) into one, for
// `contend report RESULTS...`: runs in order, scenario names joined with " + ",
// the first report's host. A run whose target and label repeat an earlier one's
// is relabelled "label #2", "label #3", ... so that every column stays apart.
// The inputs are not modified.
func Merge(reports ...*Report) *Report {
	out := &Report{Runs: []Run{}}
	var names []string
	seen := map[string]int{}
	for i, r := range reports {
		if r == nil {
			continue
		}
		if i == 0 || out.Host == (Host{}) {
			out.Host = r.Host
		}
		if !contains(names, r.Scenario) && r.Scenario != "" {
			names = append(names, r.Scenario)
		}
		if out.File == "" {
			out.File = r.File
		} else if r.File != out.File {
			out.File = "-"
		}
		out.Partial = out.Partial || r.Partial
		for _, run := range r.Runs {
			key := run.Target + "\x00" + run.Label()
			seen[key]++
			if n := seen[key]; n > 1 {
				if run.Strategy != "" {
					run.Strategy = fmt.Sprintf("%s #%d", run.Strategy, n)
				} else {
					run.URL = fmt.Sprintf("%s #%d", run.URL, n)
				}
			}
			out.Runs = append(out.Runs, run)
		}
		out.Expectations = append(out.Expectations, r.Expectations...)
		out.Baseline = append(out.Baseline, r.Baseline...)
	}
	if out.File == "-" {
		out.File = ""
	}
	out.Scenario = strings.Join(names, " + ")
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
