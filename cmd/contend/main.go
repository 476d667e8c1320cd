// Command contend reproduces, measures and guards against lock contention in
// model-serving services. See the README for the subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"contend/harness"
)

// Exit codes, so CI can tell a regression from a crash.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitExpectation = 3
)

// usageError marks an error caused by how contend was called (exit 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// errExpectation is returned when a run finished but an expectation failed (exit 3).
var errExpectation = errors.New("expectation failed")

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"demo", "the seed's before/after on the built-in target", cmdDemo},
		{"run", "run a scenario file", cmdRun},
		{"check", "run a scenario, exit 3 if an expectation fails", cmdCheck},
		{"serve", "run the built-in translation target", cmdServe},
		{"translate", "translate once with the built-in models", cmdTranslate},
		{"models", "generate the built-in models (models build)", cmdModels},
		{"report", "re-render or merge saved report.json files", cmdReport},
		{"probe", "diagnose any HTTP endpoint in one line (hey/oha-style flags)", cmdProbe},
		{"version", "contend, Go, library and ONNX Runtime versions", cmdVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first Ctrl-C contend winds down (and writes the partial report);
	// restoring the default handler lets a second one end it at once.
	go func() {
		<-ctx.Done()
		stop()
	}()
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		// contend's own commands generate load; serve is the target, measured
		// as it is.
		harness.TuneGC()
	}
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "-v" {
		args = append([]string{"version"}, args[1:]...)
	}
	for _, c := range commands() {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		return exitCode(err, stderr)
	}
	fmt.Fprintf(stderr, "contend: unknown command %q\n\n", args[0])
	printUsage(stderr)
	return exitUsage
}

func exitCode(err error, stderr io.Writer) int {
	var ue usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "contend: %v\n", err)
		return exitUsage
	case errors.Is(err, errExpectation):
		fmt.Fprintf(stderr, "contend: %v\n", err)
		return exitExpectation
	default:
		fmt.Fprintf(stderr, "contend: %v\n", err)
		return exitError
	}
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: contend <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'contend <command> -h' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 error, 2 usage, 3 expectation failed.")
}
