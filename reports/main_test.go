package reports

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package when a test leaves a goroutine behind (the loopback
// tests run real HTTP servers and clients).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
