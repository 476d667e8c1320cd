package scenarios

import "time"

// Upper bounds on what a scenario file may ask for. Validate rejects a value above
// one with an *Error naming the file, line and field, so that a typo such as an
// extra six zeros is refused before any load is sent rather than ending in an
// out-of-memory crash. Each bounds what one step may send; a scenario that
// needs more writes more steps.
const (
	// MaxFileSize is the largest scenario file Load reads (1 MiB).
	MaxFileSize = 1 << 20
	// MaxRequests bounds the requests one step sends: requests, warmup, a sweep's
	// levels x requests_per_level, and the requests a rate or ramp step offers
	// over its duration.
	MaxRequests = 1_000_000
	// MaxConcurrency bounds a step's workers: concurrency and every sweep level.
	// Each worker holds a goroutine and a connection.
	MaxConcurrency = 10_000
	// MaxDuration bounds a rate or ramp step's duration.
	MaxDuration = 24 * time.Hour
)
