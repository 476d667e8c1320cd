package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"contend/reports"
)

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "report REPORT.json... [--format text|json|markdown] [--out DIR]", stderr)
	var f runFlags
	fs.StringVar(&f.format, "format", "text", "what goes to stdout: text, json or markdown")
	fs.StringVar(&f.out, "out", "", "write report.json, report.md, report.html, junit.xml here")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("report needs at least one report.json")
	}
	switch f.format {
	case "text", "json", "markdown":
	default:
		return usagef("--format must be text, json or markdown, not %q", f.format)
	}
	var all []*reports.Report
	for _, p := range pos {
		fh, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("report: %w", err)
		}
		rep, err := reports.ReadJSON(fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("report %s: %w", p, err)
		}
		all = append(all, rep)
	}
	if f.out != "" {
		if err := os.MkdirAll(f.out, 0o755); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return writeOutputs(reports.Merge(all...), f, stdout)
}
