package main

import (
	"contend/models/lexicon"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp is returned when -h was asked for; the usage was already printed.
var errHelp = errors.New("help requested")

// newFlagSet returns a FlagSet that reports errors instead of exiting.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: contend %s\n\nflags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs parses flags that may stand before, between or after positional
// arguments ("contend translate TEXT --from en"), and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, errHelp
			}
			return nil, usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if rest[0] == "--" {
			return append(pos, rest[1:]...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// listFlag is a comma-separated list flag ("naive,double-checked").
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = nil
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// parseNoArgs parses flags for a command that takes no positional arguments.
func parseNoArgs(fs *flag.FlagSet, args []string) error {
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("%s: unexpected argument %q", fs.Name(), pos[0])
	}
	return nil
}

// checkSize rejects a model size that is not tiny, base or large as a usage error.
func checkSize(size string) error {
	if _, err := lexicon.ParseSize(size); err != nil {
		return usageError{err.Error()}
	}
	return nil
}

// lingerUsage is the help of --linger, shared by run, check and demo.
const lingerUsage = "keep the final dashboard on screen until q is pressed (ignored without the dashboard)"

// checkDisplay rejects contradictory display flags.
func checkDisplay(f runFlags) error {
	if f.tui && f.noTUI {
		return usagef("--tui and --no-tui contradict each other")
	}
	if f.linger && f.noTUI {
		return usagef("--linger keeps the dashboard, which --no-tui turns off")
	}
	return nil
}
