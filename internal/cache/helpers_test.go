package cache

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// clock is a settable time source, so expiry is tested without sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// failingStore fails every call it is told to fail, and otherwise passes
// through to a MemoryStore.
type failingStore struct {
	inner   Store
	failGet bool
	failSet bool
}

var errStoreDown = errors.New("store down")

func (s *failingStore) Get(ctx context.Context, key string) (Entry, bool, error) {
	if s.failGet {
		return Entry{}, false, errStoreDown
	}
	return s.inner.Get(ctx, key)
}

func (s *failingStore) Set(ctx context.Context, key string, e Entry, keepFor time.Duration) error {
	if s.failSet {
		return errStoreDown
	}
	return s.inner.Set(ctx, key, e, keepFor)
}

// backend is one Store implementation as the cache suites see it; the Redis store runs the same
// store contract (cachetest) in internal/redis.
type backend struct {
	name string
	// open returns an empty store. now is the clock a store that expires entries itself by time
	// may use.
	open func(t *testing.T, now func() time.Time) Store
}

var backends = []backend{
	{
		name: "memory",
		open: func(t *testing.T, now func() time.Time) Store {
			return NewMemoryStore(MemoryOptions{MaxEntries: 1000, Now: now})
		},
	},
}
