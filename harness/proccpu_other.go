//go:build !linux

package harness

import (
	"errors"
	"fmt"
)

// ErrNotMeasured wraps every reason the target's CPU could not be measured.
var ErrNotMeasured = errors.New("target CPU not measured")

// procCPU is Linux-only: /proc tells which process listens on a port.
type procCPU struct{ desc string }

func findTargetProcess(string, int) (*procCPU, error) {
	return nil, fmt.Errorf("%w: finding the target's process needs Linux's /proc", ErrNotMeasured)
}

func (*procCPU) seconds() float64 { return -1 }

func hostBusySeconds() float64 { return -1 }

func (*procCPU) runnable() (int, bool) { return 0, false }

func (*procCPU) tree() ([]int, bool) { return nil, false }

func (*procCPU) runnableIn([]int) int { return 0 }

func totalMemory() uint64 { return 0 }
