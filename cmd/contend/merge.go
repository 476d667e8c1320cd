package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"contend/reports"
)

// mergeShards reads the shards' reports named by args (report.json files, or
// directories holding one shard's directory each) and merges them exactly.
func mergeShards(args []string, allowPartial bool) (*reports.Report, error) {
	var files []reports.ShardFile
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		if !fi.IsDir() {
			f, err := readShard(a)
			if err != nil {
				return nil, err
			}
			files = append(files, f)
			continue
		}
		// A directory: every DIR/*/report.json that is a shard's (a merged
		// report saved beside them, DIR/merged, is left out).
		found, err := filepath.Glob(filepath.Join(a, "*", "report.json"))
		if err != nil {
			return nil, fmt.Errorf("merge: %w", err)
		}
		sort.Strings(found)
		n := 0
		for _, p := range found {
			f, err := readShard(p)
			if errors.Is(err, reports.ErrNotShard) {
				continue
			}
			if err != nil {
				return nil, err
			}
			files = append(files, f)
			n++
		}
		if n == 0 {
			return nil, fmt.Errorf("merge: no shard's report.json under %s (want %s/*/report.json written by run --shard I/N --out)", a, a)
		}
	}
	return reports.MergeShards(files, allowPartial)
}

// readShard reads one shard's report.json and, when they are where the report
// says, its raw results.
func readShard(path string) (reports.ShardFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return reports.ShardFile{}, fmt.Errorf("merge: %w", err)
	}
	defer fh.Close()
	rep, err := reports.ReadJSON(fh)
	if err != nil {
		return reports.ShardFile{}, fmt.Errorf("merge %s: %w", path, err)
	}
	if rep.Shard == nil {
		return reports.ShardFile{}, fmt.Errorf("merge %s: %w", path, reports.ErrNotShard)
	}
	f := reports.ShardFile{Name: path, Report: rep}
	if raw, err := readRaw(path, rep); err == nil {
		f.Raw = raw
	}
	return f, nil
}

// readRaw reads a shard's raw results back. The report names them under the
// shard's --out directory as the shard saw it; here they are looked for under
// the report's own directory, so a results volume mounted elsewhere (or copied
// out with kubectl cp) still finds them.
func readRaw(reportPath string, rep *reports.Report) (*reports.RunInput, error) {
	if len(rep.Runs) != 1 || rep.Shard.Out == "" {
		return nil, errors.New("no raw results")
	}
	dir := filepath.Dir(reportPath)
	locate := func(raw string) (string, error) {
		rel, err := filepath.Rel(rep.Shard.Out, raw)
		if err != nil || raw == "" || !filepath.IsLocal(rel) {
			return "", errors.New("raw results outside the shard's output directory")
		}
		return filepath.Join(dir, rel), nil
	}
	ri := &reports.RunInput{}
	for _, st := range rep.Runs[0].Steps {
		si := reports.StepInput{}
		si.Step.Name, si.Step.Mode = st.Name, st.Mode
		if len(st.Levels) > 0 {
			for _, l := range st.Levels {
				p, err := locate(l.Raw)
				if err != nil {
					return nil, err
				}
				res, err := decodeRaw(p)
				if err != nil {
					return nil, err
				}
				si.Levels = append(si.Levels, reports.LevelInput{Concurrency: l.Concurrency, Results: res})
			}
		} else {
			p, err := locate(st.Raw)
			if err != nil {
				return nil, err
			}
			if si.Results, err = decodeRaw(p); err != nil {
				return nil, err
			}
		}
		ri.Steps = append(ri.Steps, si)
	}
	return ri, nil
}

// decodeRaw reads a file of vegeta results (gob, as the harness saves them).
func decodeRaw(path string) ([]vegeta.Result, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	dec := vegeta.NewDecoder(fh)
	var out []vegeta.Result
	for {
		var r vegeta.Result
		err := dec.Decode(&r)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, r)
	}
}
