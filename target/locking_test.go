package target

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestParseStrategy(t *testing.T) {
	tests := []struct {
		name    string
		wantErr error
	}{
		{StrategyNaive, nil},
		{StrategyDoubleChecked, nil},
		{StrategyOnce, nil},
		{StrategyEager, nil},
		{"Naive", ErrUnknownStrategy},
		{"", ErrUnknownStrategy},
		{"double_checked", ErrUnknownStrategy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseStrategy(tt.name, nil)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if s.Name() != tt.name {
				t.Errorf("Name() = %q, want %q", s.Name(), tt.name)
			}
			if s.Loaded() {
				t.Error("a new strategy reports its models loaded")
			}
			// A strategy without a load function fails, it does not panic.
			lease, err := acquire(t.Context(), s)
			lease.Release()
			if err == nil {
				t.Error("Acquire without a load function succeeded")
			}
		})
	}
	if len(StrategyNames) != 4 {
		t.Errorf("StrategyNames = %v, want the four strategies", StrategyNames)
	}
}

// acquire loads through s as a request would: eager strategies are warmed first.
func acquire(ctx context.Context, s Strategy) (Lease, error) {
	if w, ok := s.(Warmer); ok {
		if err := w.Warm(ctx); err != nil {
			return Lease{}, err
		}
	}
	return s.Acquire(ctx)
}

// TestStrategiesLoadOnceUnderConcurrency sends 100 concurrent cold Acquires through each
// strategy (eager ones warmed concurrently too): one load, every caller served.
func TestStrategiesLoadOnceUnderConcurrency(t *testing.T) {
	for _, name := range StrategyNames {
		t.Run(name, func(t *testing.T) {
			gate := make(chan struct{})
			loader := &fakeLoader{gate: gate, outcomes: []func() (*Models, error){fakeModels(nil)}}
			s, err := ParseStrategy(name, loader.load)
			if err != nil {
				t.Fatal(err)
			}
			var (
				wg       sync.WaitGroup
				failures atomic.Int64
				loads    atomic.Int64
			)
			for range 100 {
				wg.Go(func() {
					lease, err := acquire(t.Context(), s)
					defer lease.Release()
					if err != nil || lease.Models == nil {
						failures.Add(1)
						return
					}
					if lease.Load > 0 {
						loads.Add(1)
					}
				})
			}
			waitFor(t, 5*time.Second, "the first load to start", func() bool { return loader.calls.Load() > 0 })
			time.Sleep(20 * time.Millisecond) // let the others pile up behind it
			close(gate)
			wg.Wait()
			if got := loader.calls.Load(); got != 1 {
				t.Errorf("load ran %d times, want 1", got)
			}
			if got := failures.Load(); got != 0 {
				t.Errorf("%d of 100 callers failed", got)
			}
			if got, want := loads.Load(), int64(1); name != StrategyEager && got != want {
				t.Errorf("%d leases report load time, want %d", got, want)
			}
			if !s.Loaded() {
				t.Error("Loaded() = false after a successful load")
			}
		})
	}
}

// TestFailedLoadRetries: a failing or panicking first load fails its caller; the next caller
// loads again, except under once, where the failure sticks.
func TestFailedLoadRetries(t *testing.T) {
	tests := []struct {
		strategy  string
		first     func() (*Models, error)
		wantLoads int64 // after two Acquires
		wantRetry bool  // the second Acquire succeeds
	}{
		{StrategyNaive, missingFile, 2, true},
		{StrategyDoubleChecked, missingFile, 2, true},
		{StrategyEager, missingFile, 2, true},
		{StrategyOnce, missingFile, 1, false},
		{StrategyNaive, panicking, 2, true},
		{StrategyDoubleChecked, panicking, 2, true},
		{StrategyOnce, panicking, 1, false},
	}
	for _, tt := range tests {
		name := tt.strategy + "/error"
		if isPanicking(tt.first) {
			name = tt.strategy + "/panic"
		}
		t.Run(name, func(t *testing.T) {
			loader := &fakeLoader{outcomes: []func() (*Models, error){tt.first, fakeModels(nil)}}
			s, err := ParseStrategy(tt.strategy, loader.load)
			if err != nil {
				t.Fatal(err)
			}
			lease, err := acquire(t.Context(), s)
			lease.Release()
			if err == nil {
				t.Fatal("first Acquire succeeded, want the load's failure")
			}
			if isPanicking(tt.first) && !errors.Is(err, ErrLoadPanicked) {
				t.Errorf("first error %v does not wrap ErrLoadPanicked", err)
			}
			if s.Loaded() {
				t.Error("Loaded() = true after a failed load")
			}
			lease, err = acquire(t.Context(), s)
			lease.Release()
			if got := err == nil; got != tt.wantRetry {
				t.Errorf("second Acquire err = %v, want success %v", err, tt.wantRetry)
			}
			if !tt.wantRetry && !errors.Is(err, ErrLoadNotRetried) {
				t.Errorf("sticky error %v does not wrap ErrLoadNotRetried", err)
			}
			if got := loader.calls.Load(); got != tt.wantLoads {
				t.Errorf("load ran %d times, want %d", got, tt.wantLoads)
			}
		})
	}
}

// isPanicking tells the panicking outcome apart from the others.
func isPanicking(f func() (*Models, error)) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	_, _ = f()
	return false
}

// TestAcquireGivesUpWhenContextEnds: a caller queued behind a held lock or a running load
// leaves when its context ends, reporting how long it waited.
func TestAcquireGivesUpWhenContextEnds(t *testing.T) {
	const patience = 30 * time.Millisecond
	for _, name := range []string{StrategyNaive, StrategyDoubleChecked, StrategyOnce} {
		t.Run(name, func(t *testing.T) {
			gate := make(chan struct{})
			loader := &fakeLoader{gate: gate, outcomes: []func() (*Models, error){fakeModels(nil)}}
			s, err := ParseStrategy(name, loader.load)
			if err != nil {
				t.Fatal(err)
			}
			first := make(chan error, 1)
			go func() {
				lease, err := s.Acquire(context.Background())
				lease.Release()
				first <- err
			}()
			waitFor(t, 5*time.Second, "the load to start", func() bool { return loader.calls.Load() == 1 })

			ctx, cancel := context.WithTimeout(t.Context(), patience)
			defer cancel()
			deadline, _ := ctx.Deadline()
			// Acquire starts its own clock after this one and may be descheduled before it
			// does, so its Wait has no lower bound here; what it guarantees is that it gives
			// up no earlier than the deadline and reports a wait within the call's span.
			before := time.Now()
			lease, err := s.Acquire(ctx)
			after := time.Now()
			lease.Release()
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("queued Acquire err = %v, want context.DeadlineExceeded", err)
			}
			if after.Before(deadline) {
				t.Errorf("queued Acquire returned %s before its deadline", deadline.Sub(after))
			}
			if lease.Wait <= 0 || lease.Wait > after.Sub(before) || lease.Models != nil {
				t.Errorf("queued lease = %+v, want 0 < Wait <= %s (the call's span) and no models", lease, after.Sub(before))
			}
			close(gate)
			if err := <-first; err != nil {
				t.Errorf("loading Acquire: %v", err)
			}
		})
	}
}

// TestNaiveHoldsLockUntilRelease: under naive a second caller waits for the first's Release
// even once loaded; under double-checked it does not wait at all.
func TestNaiveHoldsLockUntilRelease(t *testing.T) {
	tests := []struct {
		strategy  string
		wantBlock bool
	}{
		{StrategyNaive, true},
		{StrategyDoubleChecked, false},
		{StrategyOnce, false},
		{StrategyEager, false},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
			s, err := ParseStrategy(tt.strategy, loader.load)
			if err != nil {
				t.Fatal(err)
			}
			held, err := acquire(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			second, err := s.Acquire(ctx)
			second.Release()
			if blocked := err != nil; blocked != tt.wantBlock {
				t.Errorf("second Acquire while the first is held: err = %v, want blocked %v", err, tt.wantBlock)
			}
			if !tt.wantBlock && second.Wait != 0 {
				t.Errorf("warm Acquire waited %s, want 0 (lock-free fast path)", second.Wait)
			}
			held.Release()
			held.Release() // a second Release is harmless
			third, err := s.Acquire(t.Context())
			third.Release()
			if err != nil {
				t.Errorf("Acquire after Release: %v", err)
			}
		})
	}
}

func TestEagerAcquireBeforeWarm(t *testing.T) {
	loader := &fakeLoader{outcomes: []func() (*Models, error){fakeModels(nil)}}
	s, err := ParseStrategy(StrategyEager, loader.load)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Acquire(t.Context()); !errors.Is(err, ErrNotReady) {
		t.Fatalf("Acquire before Warm: err = %v, want ErrNotReady", err)
	}
	if got := loader.calls.Load(); got != 0 {
		t.Fatalf("Acquire loaded %d times; eager loads only in Warm", got)
	}
	if err := s.(Warmer).Warm(t.Context()); err != nil {
		t.Fatal(err)
	}
	lease, err := s.Acquire(t.Context())
	lease.Release()
	if err != nil || lease.Models == nil {
		t.Fatalf("Acquire after Warm: %+v, %v", lease, err)
	}
}
