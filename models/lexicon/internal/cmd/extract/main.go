package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"contend/models/lexicon/internal/extract"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "extract:", err)
		os.Exit(1)
	}
}

func run() error {
	index := flag.String("index", "/usr/share/dictd/freedict-eng-hin.index", "dictd index file")
	dict := flag.String("dict", "/usr/share/dictd/freedict-eng-hin.dict.dz", "dictd body (.dict or .dict.dz)")
	out := flag.String("out", "data/eng-hin.tsv", "output TSV")
	flag.Parse()

	fi, err := os.Open(*index)
	if err != nil {
		return err
	}
	defer fi.Close()
	idx, err := extract.ReadIndex(fi)
	if err != nil {
		return fmt.Errorf("%s: %w", *index, err)
	}
	fd, err := os.Open(*dict)
	if err != nil {
		return err
	}
	defer fd.Close()
	body, err := extract.ReadBody(fd)
	if err != nil {
		return fmt.Errorf("%s: %w", *dict, err)
	}
	pairs, err := extract.Extract(idx, body)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := extract.WriteTSV(&buf, pairs); err != nil {
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "extract: wrote %d pairs to %s\n", len(pairs), *out)
	return nil
}
