package main

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestScanFollowsLiteralsConstantsAndParameters(t *testing.T) {
	calls, err := Scan(filepath.Join("testdata", "mod"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range calls {
		got[c.Program] = c.Pos
	}
	want := map[string]string{
		"/usr/bin/python3": "tool/tool.go:8",
		"frobnicate":       "tool/tool.go:12",
		"hey":              "tool/tool.go:23",
		"wrk":              "tool/tool.go:24",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Scan = %v, want %v", got, want)
	}
}

func TestCheckNamesEveryKindOfProblem(t *testing.T) {
	calls := []Call{{"hey", "a.go:1"}, {"frobnicate", "b.go:2"}, {"go", "c.go:3"}}
	source := map[string]string{"hey": "make test", "go": "base image", "stale": "make test"}
	present := func(p string) bool { return p == "go" }
	got := strings.Join(Check(calls, source, present), "\n")
	for _, w := range []string{
		"frobnicate is run at b.go:2 but make test does not provision it",
		"hey (make test) is run at a.go:1 but is not on this machine",
		"stale is listed as make test but no code runs it",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("problems do not say %q:\n%s", w, got)
		}
	}
	if strings.Contains(got, "go ") && strings.Contains(got, "c.go:3") {
		t.Errorf("go is present and listed, yet reported:\n%s", got)
	}
}

// TestTheRepositoryIsAccountedFor runs the check over this module the way make test
// does, with the lists from the Makefile, so a new exec of an unlisted program fails here.
func TestTheRepositoryIsAccountedFor(t *testing.T) {
	root := filepath.Join("..", "..")
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]string{}
	for _, line := range strings.Split(string(mk), "\n") {
		for _, name := range []string{"TEST_PROGRAMS", "BASE_PROGRAMS"} {
			if rest, ok := strings.CutPrefix(line, name); ok {
				if v, ok := strings.CutPrefix(strings.TrimSpace(rest), ":="); ok {
					lists[name] = strings.TrimSpace(v)
				}
			}
		}
	}
	if lists["TEST_PROGRAMS"] == "" || lists["BASE_PROGRAMS"] == "" {
		t.Fatalf("the Makefile defines no TEST_PROGRAMS or BASE_PROGRAMS: %v", lists)
	}
	calls, err := Scan(root)
	if err != nil {
		t.Fatal(err)
	}
	source := map[string]string{}
	for _, p := range strings.Fields(lists["BASE_PROGRAMS"]) {
		source[p] = "base image"
	}
	for _, p := range strings.Fields(lists["TEST_PROGRAMS"]) {
		source[p] = "make test"
	}
	// Presence is make test's job (it runs the command after provisioning); here only the
	// lists are checked against the code.
	present := func(string) bool { return true }
	for _, p := range Check(calls, source, present) {
		t.Error(p)
	}
}
