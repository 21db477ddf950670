package sourcing

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestForEachBoundsConcurrency(t *testing.T) {
	var running, peak atomic.Int32
	errs := forEach(context.Background(), 3, 40, func(ctx context.Context, i int) error {
		n := running.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer running.Add(-1)
		if i == 7 {
			return errors.New("seven")
		}
		return nil
	})
	if p := peak.Load(); p > 3 || p < 1 {
		t.Errorf("peak concurrency = %d; want 1..3", p)
	}
	for i, err := range errs {
		if (err != nil) != (i == 7) {
			t.Errorf("errs[%d] = %v", i, err)
		}
	}
}

func TestForEachStopsStartingWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var started atomic.Int32
	errs := forEach(ctx, 1, 10, func(ctx context.Context, i int) error {
		started.Add(1)
		if i == 2 {
			cancel()
		}
		return nil
	})
	if n := started.Load(); n > 4 {
		t.Errorf("forEach started %d calls after cancel at the third; want it to stop starting", n)
	}
	if !errors.Is(errs[9], context.Canceled) {
		t.Errorf("errs[9] = %v; want context.Canceled for a call never started", errs[9])
	}
}

func TestForEachRecoversPanics(t *testing.T) {
	errs := forEach(context.Background(), 2, 3, func(ctx context.Context, i int) error {
		if i == 1 {
			panic("boom")
		}
		return nil
	})
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Errorf("errs = %v; want only the panicking call to fail", errs)
	}
}
