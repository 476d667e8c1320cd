package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"contend/reports"
)

func cmdReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("report", "report REPORT.json... [--merge [--allow-partial]] [--format text|json|markdown] [--out DIR]", stderr)
	var f runFlags
	var merge, allowPartial bool
	fs.StringVar(&f.format, "format", "text", "what goes to stdout: text, json or markdown")
	fs.StringVar(&f.out, "out", "", "write report.json, report.md, report.html, junit.xml here")
	fs.BoolVar(&merge, "merge", false, "merge the shards of one run (report.json files or DIR holding DIR/*/report.json), exit 3 if an expectation fails")
	fs.BoolVar(&allowPartial, "allow-partial", false, "with --merge: merge the shards there are and say which are missing")
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
	if allowPartial && !merge {
		return usagef("--allow-partial applies to --merge")
	}
	if merge {
		rep, err := mergeShards(pos, allowPartial)
		if err != nil {
			return err
		}
		if err := prepareOut(f.out); err != nil {
			return err
		}
		if err := writeOutputs(rep, f, stdout); err != nil {
			return err
		}
		return gate(rep, stderr)
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
	if err := prepareOut(f.out); err != nil {
		return err
	}
	return writeOutputs(reports.Merge(all...), f, stdout)
}

func prepareOut(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
