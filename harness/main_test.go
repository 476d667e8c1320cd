package harness_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
)

// TestMain doubles as the fake built-in target: when the Runner re-executes this
// test binary with fakeServeEnv set, it serves instead of testing, so the child
// process path is tested without the real CLI. Otherwise it runs the tests and
// fails on leaked goroutines.
func TestMain(m *testing.M) {
	if os.Getenv(fakeServeEnv) == "1" {
		os.Exit(fakeServe(os.Args[1:]))
	}
	goleak.VerifyTestMain(m)
}
