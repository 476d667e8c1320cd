// Command checkprograms checks, on the current machine, that every external program the
// code runs (the test suite included) is either provisioned by `make test` or comes with
// the machine's base image, and that each is really there. `make test` runs it after
// provisioning, so a test that needs a program only an earlier `make bench` (or a
// developer's habit) installed fails here, with its file and line, instead of on the next
// new machine.
//
//	go run ./internal/checkprograms --provisioned "hey wrk vegeta" --base "go git"
//
// Exit status: 0 when every program is accounted for and present, 1 otherwise.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr, onThisMachine))
}

func run(args []string, stdout, stderr io.Writer, present func(string) bool) int {
	fs := flag.NewFlagSet("checkprograms", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("root", ".", "module root to scan")
	provisioned := fs.String("provisioned", "", "programs `make test` provisions (space-separated)")
	base := fs.String("base", "", "programs every new machine has (space-separated)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	calls, err := Scan(*root)
	if err != nil {
		fmt.Fprintf(stderr, "checkprograms: %v\n", err)
		return 1
	}
	source := map[string]string{}
	for _, p := range strings.Fields(*base) {
		source[p] = "base image"
	}
	for _, p := range strings.Fields(*provisioned) {
		source[p] = "make test"
	}
	problems := Check(calls, source, present)
	for _, p := range problems {
		fmt.Fprintln(stderr, "checkprograms: "+p)
	}
	if len(problems) > 0 {
		return 1
	}
	progs := map[string]bool{}
	for _, c := range calls {
		progs[c.Program] = true
	}
	names := make([]string, 0, len(progs))
	for p := range progs {
		names = append(names, p+" ("+source[p]+")")
	}
	sort.Strings(names)
	fmt.Fprintf(stdout, "checkprograms: the code runs %d external programs, all provisioned and present: %s\n",
		len(names), strings.Join(names, ", "))
	return 0
}

// Check returns one line per problem: a program the code runs that no list accounts for,
// one that is accounted for but missing from this machine, and a listed program the code
// no longer runs (a stale list hides the next missing one).
func Check(calls []Call, source map[string]string, present func(string) bool) []string {
	var problems []string
	where := map[string][]string{}
	for _, c := range calls {
		where[c.Program] = append(where[c.Program], c.Pos)
	}
	progs := make([]string, 0, len(where))
	for p := range where {
		progs = append(progs, p)
	}
	sort.Strings(progs)
	for _, p := range progs {
		at := strings.Join(where[p], ", ")
		src, ok := source[p]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%s is run at %s but make test does not provision it: "+
				"add it to TEST_DEBS (Debian) or TEST_TOOLS in the Makefile, or move the code that runs it under make bench", p, at))
		case !present(p):
			problems = append(problems, fmt.Sprintf("%s (%s) is run at %s but is not on this machine: "+
				"run make test-deps", p, src, at))
		}
	}
	listed := make([]string, 0, len(source))
	for p := range source {
		listed = append(listed, p)
	}
	sort.Strings(listed)
	for _, p := range listed {
		if _, ok := where[p]; !ok {
			problems = append(problems, fmt.Sprintf("%s is listed as %s but no code runs it: drop it from the Makefile's list", p, source[p]))
		}
	}
	return problems
}
