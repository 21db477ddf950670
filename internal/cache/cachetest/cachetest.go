// Package cachetest is the behaviour suite every cache.Store passes: the memory store here, the
// Redis store in internal/redis.
package cachetest

import (
	"sync"

	"github.com/aliscout/aliscout/internal/cache"

	"bytes"
	"testing"
	"time"
)

// Backend is one Store implementation as the suite sees it.
type Backend struct {
	// Open returns an empty store. now is the clock a store that expires entries itself by time
	// may use.
	Open func(t *testing.T, now func() time.Time) cache.Store
	// ExpiresByClock reports that the store's expiry follows now, so the suite can test it
	// without waiting.
	ExpiresByClock bool
}

// TestStore runs the Store contract against b.
func TestStore(t *testing.T, b Backend) {
	ctx := t.Context()
	stamp := time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.FixedZone("X", 3600))

	t.Run("Missing", func(t *testing.T) {
		s := b.Open(t, time.Now)
		e, ok, err := s.Get(ctx, "nothing")
		if err != nil || ok {
			t.Fatalf("Get(nothing) = %v, %v, %v; want absent, no error", e, ok, err)
		}
	})

	t.Run("RoundTrip", func(t *testing.T) {
		values := []struct {
			name  string
			value []byte
		}{
			{"json", []byte(`{"title":"Phone case","price":"3.99"}`)},
			{"empty", []byte{}},
			{"binary", []byte{0, 1, 2, '\n', 255, '\r', 0}},
			{"header inside", []byte("aliscout1 2020-01-01T00:00:00Z\nx\naliscout1 y\n")},
			{"large", bytes.Repeat([]byte("0123456789"), 100_000)},
		}
		s := b.Open(t, time.Now)
		for _, v := range values {
			key := cache.Key("roundtrip", v.name)
			if err := s.Set(ctx, key, cache.Entry{Value: v.value, StoredAt: stamp}, time.Hour); err != nil {
				t.Fatalf("Set(%q) = %v", key, err)
			}
			got, ok, err := s.Get(ctx, key)
			if err != nil || !ok {
				t.Fatalf("Get(%q) = _, %v, %v; want present", key, ok, err)
			}
			if !bytes.Equal(got.Value, v.value) {
				t.Errorf("Get(%q).Value = %q; want %q", key, trim(got.Value), trim(v.value))
			}
			if !got.StoredAt.Equal(stamp) {
				t.Errorf("Get(%q).StoredAt = %v; want %v", key, got.StoredAt, stamp)
			}
		}
	})

	t.Run("Keys", func(t *testing.T) {
		s := b.Open(t, time.Now)
		keys := []string{"a", "A", "a b", "a:b", cache.Key("a:b"), "товар", "*", "[x]", ""}
		for i, k := range keys {
			if err := s.Set(ctx, k, cache.Entry{Value: []byte{byte(i)}, StoredAt: stamp}, time.Hour); err != nil {
				t.Fatalf("Set(%q) = %v", k, err)
			}
		}
		for i, k := range keys {
			got, ok, err := s.Get(ctx, k)
			if err != nil || !ok || !bytes.Equal(got.Value, []byte{byte(i)}) {
				t.Errorf("Get(%q) = %v, %v, %v; want [%d]", k, got.Value, ok, err, i)
			}
		}
	})

	t.Run("Overwrite", func(t *testing.T) {
		s := b.Open(t, time.Now)
		s.Set(ctx, "k", cache.Entry{Value: []byte("old"), StoredAt: stamp}, time.Hour)
		later := stamp.Add(time.Minute)
		if err := s.Set(ctx, "k", cache.Entry{Value: []byte("new"), StoredAt: later}, time.Hour); err != nil {
			t.Fatalf("Set = %v", err)
		}
		got, ok, err := s.Get(ctx, "k")
		if err != nil || !ok || string(got.Value) != "new" || !got.StoredAt.Equal(later) {
			t.Errorf("Get(k) = %q at %v, %v, %v; want \"new\" at %v", got.Value, got.StoredAt, ok, err, later)
		}
	})

	t.Run("KeepsOwnCopy", func(t *testing.T) {
		s := b.Open(t, time.Now)
		v := []byte("original")
		s.Set(ctx, "k", cache.Entry{Value: v, StoredAt: stamp}, time.Hour)
		copy(v, "XXXXXXXX")
		got, _, _ := s.Get(ctx, "k")
		if string(got.Value) != "original" {
			t.Errorf("Get(k) after the caller changed its slice = %q; want \"original\"", got.Value)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		if !b.ExpiresByClock {
			t.Skip("this store expires entries by its own clock; see its own tests")
		}
		clk := newClock()
		s := b.Open(t, clk.Now)
		s.Set(ctx, "short", cache.Entry{Value: []byte("s"), StoredAt: clk.Now()}, time.Minute)
		s.Set(ctx, "forever", cache.Entry{Value: []byte("f"), StoredAt: clk.Now()}, 0)
		clk.Advance(time.Minute - time.Nanosecond)
		if _, ok, _ := s.Get(ctx, "short"); !ok {
			t.Errorf("Get(short) just before keepFor = absent; want present")
		}
		clk.Advance(time.Nanosecond)
		if _, ok, _ := s.Get(ctx, "short"); ok {
			t.Errorf("Get(short) at keepFor = present; want absent")
		}
		clk.Advance(1000 * time.Hour)
		if _, ok, _ := s.Get(ctx, "forever"); !ok {
			t.Errorf("Get(forever) with keepFor 0 = absent; want present")
		}
	})
}

func trim(b []byte) []byte {
	if len(b) > 40 {
		return b[:40]
	}
	return b
}

// clock is a settable clock for the expiry tests.
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
