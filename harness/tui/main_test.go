package tui

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if a goroutine outlives them: Run must
// leave nothing behind once it has returned and the stream is closed.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
