package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const ttl = 5 * time.Minute

var errRateLimited = errors.New("ApiCallLimit: rate limited")

// loader counts its calls and answers with the value or error it is set to.
type loader struct {
	calls atomic.Int64
	mu    sync.Mutex
	value string
	err   error
}

func (l *loader) set(value string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.value, l.err = value, err
}

func (l *loader) load(ctx context.Context) ([]byte, error) {
	l.calls.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return nil, l.err
	}
	return []byte(l.value), nil
}

// TestCache runs the Cache behaviour against every backend.
func TestCache(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testCache(t, b) })
	}
}

// harness is a Cache on a fresh store with its own clock.
type harness struct {
	clk   *clock
	cache *Cache
	store Store
}

// newHarness builds a cache on a fresh store of b with a settable clock. Failed loads are not
// remembered unless opts says so (TestRemembersFailures covers that), so that each suite step
// sees its own load.
func newHarness(t *testing.T, b backend, opts Options) *harness {
	clk := newClock()
	opts.Now = clk.Now
	if opts.FailFor == 0 {
		opts.FailFor = -1
	}
	s := b.open(t, clk.Now)
	return &harness{clk: clk, cache: New(s, opts), store: s}
}

func testCache(t *testing.T, b backend) {
	t.Run("FreshHitCostsNoLoad", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		l := &loader{value: "v1"}
		first, err := h.cache.Fetch(t.Context(), "k", ttl, l.load)
		if err != nil || string(first.Value) != "v1" || first.Hit || first.Stale {
			t.Fatalf("first Fetch = %+v, %v; want v1 loaded", first, err)
		}
		h.clk.Advance(ttl - time.Nanosecond)
		l.set("v2", nil)
		got, err := h.cache.Fetch(t.Context(), "k", ttl, l.load)
		if err != nil || string(got.Value) != "v1" || !got.Hit || got.Stale || !got.StoredAt.Equal(first.StoredAt) {
			t.Errorf("Fetch just before ttl = %+v, %v; want the v1 hit stored at %v", got, err, first.StoredAt)
		}
		if n := l.calls.Load(); n != 1 {
			t.Errorf("loads = %d; want 1", n)
		}
		if s := h.cache.Stats(); s != (Stats{Hits: 1, Misses: 1, Loads: 1}) {
			t.Errorf("Stats() = %+v; want 1 hit, 1 miss, 1 load", s)
		}
	})

	t.Run("ExpiryLoadsAgain", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		l := &loader{value: "v1"}
		h.cache.Fetch(t.Context(), "k", ttl, l.load)
		h.clk.Advance(ttl)
		l.set("v2", nil)
		got, err := h.cache.Fetch(t.Context(), "k", ttl, l.load)
		if err != nil || string(got.Value) != "v2" || got.Hit || !got.StoredAt.Equal(h.clk.Now()) {
			t.Errorf("Fetch at ttl = %+v, %v; want v2 loaded now", got, err)
		}
		got, err = h.cache.Fetch(t.Context(), "k", ttl, l.load)
		if err != nil || string(got.Value) != "v2" || !got.Hit {
			t.Errorf("Fetch after the reload = %+v, %v; want the v2 hit", got, err)
		}
		if n := l.calls.Load(); n != 2 {
			t.Errorf("loads = %d; want 2", n)
		}
	})

	t.Run("KeysAreSeparate", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		for _, k := range []string{"a", "b"} {
			got, err := h.cache.Fetch(t.Context(), k, ttl, func(context.Context) ([]byte, error) { return []byte(k), nil })
			if err != nil || string(got.Value) != k || got.Hit {
				t.Errorf("Fetch(%s) = %+v, %v; want %s loaded", k, got, err, k)
			}
		}
	})

	t.Run("ConcurrentCallersShareOneLoad", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		const callers = 100
		var calls atomic.Int64
		release := make(chan struct{})
		load := func(ctx context.Context) ([]byte, error) {
			calls.Add(1)
			<-release
			return []byte("shared"), nil
		}
		results := make([]Result, callers)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() { results[i], errs[i] = h.cache.Fetch(t.Context(), "k", ttl, load) })
		}
		waitFor(t, func() bool { return h.cache.waiting("k") == callers })
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("%d concurrent Fetch cost %d loads; want 1", callers, n)
		}
		for i := range callers {
			if errs[i] != nil || string(results[i].Value) != "shared" {
				t.Errorf("caller %d: Fetch = %+v, %v; want \"shared\"", i, results[i], errs[i])
			}
		}
		if s := h.cache.Stats(); s.Misses != callers || s.Loads != 1 {
			t.Errorf("Stats() = %+v; want %d misses, 1 load", s, callers)
		}
	})

	t.Run("CancelledWaiterDoesNotStopTheLoad", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		release := make(chan struct{})
		loadErr := make(chan error, 1)
		load := func(ctx context.Context) ([]byte, error) {
			<-release
			loadErr <- ctx.Err()
			return []byte("v"), nil
		}
		// The first caller starts the load and then gives up.
		firstCtx, cancelFirst := context.WithCancel(t.Context())
		first := make(chan error, 1)
		go func() {
			_, err := h.cache.Fetch(firstCtx, "k", ttl, load)
			first <- err
		}()
		waitFor(t, func() bool { return h.cache.waiting("k") == 1 })
		second := make(chan Result, 1)
		go func() {
			r, _ := h.cache.Fetch(t.Context(), "k", ttl, load)
			second <- r
		}()
		waitFor(t, func() bool { return h.cache.waiting("k") == 2 })

		cancelFirst()
		if err := <-first; !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller's Fetch error = %v; want context.Canceled", err)
		}
		close(release)
		if err := <-loadErr; err != nil {
			t.Errorf("load saw ctx.Err() = %v after the first caller gave up; want nil", err)
		}
		if r := <-second; string(r.Value) != "v" {
			t.Errorf("waiting caller's Fetch = %+v; want \"v\"", r)
		}
		if r, err := h.cache.Fetch(t.Context(), "k", ttl, load); err != nil || !r.Hit {
			t.Errorf("Fetch after the load = %+v, %v; want a hit", r, err)
		}
	})

	t.Run("CancelledBeforeAMissStartsNoLoad", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		l := &loader{value: "v"}
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := h.cache.Fetch(ctx, "k", ttl, l.load); !errors.Is(err, context.Canceled) {
			t.Errorf("Fetch(cancelled ctx) = %v; want context.Canceled", err)
		}
		if n := l.calls.Load(); n != 0 {
			t.Errorf("loads = %d; want 0", n)
		}
	})

	t.Run("StaleOnFailure", func(t *testing.T) {
		staleFor := time.Hour
		tests := []struct {
			age       time.Duration
			wantStale bool
		}{
			{ttl, true},
			{ttl + staleFor - time.Nanosecond, true},
			{ttl + staleFor, false},
			{ttl + 2*staleFor, false},
		}
		for _, tt := range tests {
			t.Run(tt.age.String(), func(t *testing.T) {
				h := newHarness(t, b, Options{StaleFor: staleFor})
				l := &loader{value: "good"}
				first, _ := h.cache.Fetch(t.Context(), "k", ttl, l.load)
				h.clk.Advance(tt.age)
				l.set("", errRateLimited)
				got, err := h.cache.Fetch(t.Context(), "k", ttl, l.load)
				if !tt.wantStale {
					if err != errRateLimited || got.Value != nil {
						t.Errorf("Fetch at age %v after a failed load = %+v, %v; want the load error itself", tt.age, got, err)
					}
					if s := h.cache.Stats(); s.Stale != 0 || s.LoadErrors != 1 {
						t.Errorf("Stats() = %+v; want no stale, 1 load error", s)
					}
					return
				}
				if err != nil {
					t.Fatalf("Fetch at age %v after a failed load = %v; want the stale entry", tt.age, err)
				}
				if string(got.Value) != "good" || !got.Stale || got.Hit || !got.StoredAt.Equal(first.StoredAt) {
					t.Errorf("Fetch at age %v = %+v; want stale \"good\" stored at %v", tt.age, got, first.StoredAt)
				}
				if !errors.Is(got.Err, errRateLimited) {
					t.Errorf("Fetch at age %v: Result.Err = %v; want the load error", tt.age, got.Err)
				}
				if s := h.cache.Stats(); s.Stale != 1 || s.LoadErrors != 1 || s.Loads != 2 {
					t.Errorf("Stats() = %+v; want 1 stale, 1 load error, 2 loads", s)
				}
				// The stale entry is not refreshed: the next Fetch tries again.
				l.set("better", nil)
				if got, err := h.cache.Fetch(t.Context(), "k", ttl, l.load); err != nil || string(got.Value) != "better" || got.Stale {
					t.Errorf("Fetch once upstream is back = %+v, %v; want \"better\"", got, err)
				}
			})
		}
	})

	t.Run("StaleServingOff", func(t *testing.T) {
		h := newHarness(t, b, Options{StaleFor: -1})
		l := &loader{value: "good"}
		h.cache.Fetch(t.Context(), "k", ttl, l.load)
		h.clk.Advance(ttl)
		l.set("", errRateLimited)
		if _, err := h.cache.Fetch(t.Context(), "k", ttl, l.load); err != errRateLimited {
			t.Errorf("Fetch with StaleFor < 0 after a failed load = %v; want the load error", err)
		}
	})

	t.Run("FailureWithNothingCached", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		wrapped := fmt.Errorf("aliexpress: product.get: %w", errRateLimited)
		l := &loader{err: wrapped}
		got, err := h.cache.Fetch(t.Context(), "k", ttl, l.load)
		if err != wrapped || !errors.Is(err, errRateLimited) || got.Value != nil {
			t.Errorf("Fetch = %+v, %v; want the load error unchanged", got, err)
		}
		// Failures are not cached: the next Fetch loads again.
		l.set("v", nil)
		if got, err := h.cache.Fetch(t.Context(), "k", ttl, l.load); err != nil || string(got.Value) != "v" {
			t.Errorf("Fetch after a failure = %+v, %v; want \"v\"", got, err)
		}
	})

	t.Run("LoadPanic", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		_, err := h.cache.Fetch(t.Context(), "k", ttl, func(context.Context) ([]byte, error) { panic("boom") })
		var pe *PanicError
		if !errors.As(err, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
			t.Errorf("Fetch of a panicking load = %v; want a *PanicError with \"boom\" and a stack", err)
		}
	})

	t.Run("LoadTimeout", func(t *testing.T) {
		h := newHarness(t, b, Options{LoadTimeout: 10 * time.Millisecond})
		_, err := h.cache.Fetch(t.Context(), "k", ttl, func(ctx context.Context) ([]byte, error) {
			<-ctx.Done()
			return nil, ctx.Err()
		})
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Fetch of a load that outlives LoadTimeout = %v; want context.DeadlineExceeded", err)
		}
	})

	t.Run("ZeroTTLAlwaysLoadsButKeepsForStale", func(t *testing.T) {
		h := newHarness(t, b, Options{})
		l := &loader{value: "v"}
		h.cache.Fetch(t.Context(), "k", 0, l.load)
		h.cache.Fetch(t.Context(), "k", 0, l.load)
		if n := l.calls.Load(); n != 2 {
			t.Errorf("loads with ttl 0 = %d; want 2", n)
		}
		l.set("", errRateLimited)
		if got, err := h.cache.Fetch(t.Context(), "k", 0, l.load); err != nil || !got.Stale {
			t.Errorf("Fetch with ttl 0 after a failed load = %+v, %v; want stale", got, err)
		}
	})
}

// waitFor polls cond until it holds. It waits for goroutines to reach a
// state, not for time to pass, so it asserts nothing about speed; the test
// timeout catches a state never reached.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for !cond() {
		if t.Context().Err() != nil {
			t.Fatal("test ended while waiting")
		}
		time.Sleep(time.Millisecond)
	}
}

func TestStoreErrorsDoNotFailFetch(t *testing.T) {
	tests := []struct {
		name            string
		failGet         bool
		failSet         bool
		wantStoreErrors uint64
	}{
		{"get fails", true, false, 2}, // the caller's read and the load's re-read
		{"set fails", false, true, 1},
		{"both fail", true, true, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := &failingStore{inner: NewMemoryStore(MemoryOptions{Now: clk.Now}), failGet: tt.failGet, failSet: tt.failSet}
			c := New(s, Options{Now: clk.Now})
			l := &loader{value: "v"}
			got, err := c.Fetch(t.Context(), "k", ttl, l.load)
			if err != nil || string(got.Value) != "v" {
				t.Errorf("Fetch = %+v, %v; want \"v\" loaded", got, err)
			}
			if st := c.Stats(); st.StoreErrors != tt.wantStoreErrors {
				t.Errorf("Stats().StoreErrors = %d; want %d", st.StoreErrors, tt.wantStoreErrors)
			}
		})
	}
}

func TestStaleFromCallerWhenStoreFailsOnReread(t *testing.T) {
	clk := newClock()
	s := &failingStore{inner: NewMemoryStore(MemoryOptions{Now: clk.Now})}
	c := New(s, Options{Now: clk.Now})
	l := &loader{value: "good"}
	c.Fetch(t.Context(), "k", ttl, l.load)
	clk.Advance(ttl)
	l.set("", errRateLimited)
	// Let the caller's read through, then fail the load's re-read.
	failing := &onceStore{Store: s, after: 1}
	c.store = failing
	got, err := c.Fetch(t.Context(), "k", ttl, l.load)
	if err != nil || !got.Stale || string(got.Value) != "good" {
		t.Errorf("Fetch = %+v, %v; want the stale entry the caller read", got, err)
	}
}

// onceStore fails every Get after the first `after` ones.
type onceStore struct {
	Store
	mu    sync.Mutex
	after int
}

func (s *onceStore) Get(ctx context.Context, key string) (Entry, bool, error) {
	s.mu.Lock()
	n := s.after
	s.after--
	s.mu.Unlock()
	if n <= 0 {
		return Entry{}, false, errStoreDown
	}
	return s.Store.Get(ctx, key)
}

func BenchmarkFetchHit(b *testing.B) {
	c := New(NewMemoryStore(MemoryOptions{}), Options{})
	ctx := context.Background()
	load := func(context.Context) ([]byte, error) { return []byte(`{"id":"1005001234567890"}`), nil }
	key := Key("product", "1005001234567890", "US", "USD", "en")
	c.Fetch(ctx, key, time.Hour, load)
	b.ReportAllocs()
	for b.Loop() {
		if r, err := c.Fetch(ctx, key, time.Hour, load); err != nil || !r.Hit {
			b.Fatalf("Fetch = %+v, %v; want a hit", r, err)
		}
	}
}

func BenchmarkFetchHitParallel(b *testing.B) {
	c := New(NewMemoryStore(MemoryOptions{}), Options{})
	ctx := context.Background()
	load := func(context.Context) ([]byte, error) { return []byte(`{"id":"1005001234567890"}`), nil }
	key := Key("product", "1005001234567890", "US", "USD", "en")
	c.Fetch(ctx, key, time.Hour, load)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if r, err := c.Fetch(ctx, key, time.Hour, load); err != nil || !r.Hit {
				b.Errorf("Fetch = %+v, %v; want a hit", r, err)
				return
			}
		}
	})
}

// TestRemembersFailures: a failing upstream is asked once per FailFor, whatever the number of
// fetches, and a stale entry is served meanwhile; after FailFor it is asked again.
func TestRemembersFailures(t *testing.T) {
	h := newHarness(t, backends[0], Options{FailFor: 5 * time.Second})
	ctx := t.Context()
	good := &loader{value: "good"}
	h.cache.Fetch(ctx, "k", ttl, good.load)
	h.clk.Advance(ttl + time.Second)
	var calls atomic.Int32
	failing := func(context.Context) ([]byte, error) { calls.Add(1); return nil, errors.New("upstream down") }
	for i := range 50 {
		r, err := h.cache.Fetch(ctx, "k", ttl, failing)
		if err != nil || !r.Stale || string(r.Value) != "good" {
			t.Fatalf("fetch %d while upstream fails = %+v, %v; want the stale entry", i, r, err)
		}
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("50 fetches of a failing key made %d loads; want 1 within FailFor", n)
	}
	if st := h.cache.Stats(); st.Remembered != 49 {
		t.Errorf("Stats().Remembered = %d; want 49", st.Remembered)
	}
	// Nothing cached: the remembered error itself comes back, with no load.
	for range 3 {
		if _, err := h.cache.Fetch(ctx, "cold", ttl, failing); err == nil || err.Error() != "upstream down" {
			t.Errorf("Fetch(cold) while failing = %v; want the load's error", err)
		}
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("loads = %d; want 2 (one per key)", n)
	}
	h.clk.Advance(5 * time.Second)
	r, err := h.cache.Fetch(ctx, "k", ttl, good.load)
	if err != nil || r.Stale || string(r.Value) != "good" || good.calls.Load() != 2 {
		t.Errorf("Fetch after FailFor = %+v, %v (loads %d); want a new load", r, err, good.calls.Load())
	}
}

// TestCallerDeadlineServesStale: a caller whose deadline ends before a slow load gets the stale
// entry at once; the load goes on and the next caller gets its value.
func TestCallerDeadlineServesStale(t *testing.T) {
	h := newHarness(t, backends[0], Options{})
	ctx := t.Context()
	h.cache.Fetch(ctx, "k", ttl, (&loader{value: "old"}).load)
	h.clk.Advance(ttl + time.Second)
	release := make(chan struct{})
	slow := func(context.Context) ([]byte, error) { <-release; return []byte("new"), nil }
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	r, err := h.cache.Fetch(short, "k", ttl, slow)
	if err != nil || !r.Stale || string(r.Value) != "old" || !errors.Is(r.Err, context.DeadlineExceeded) {
		t.Fatalf("Fetch past the caller's deadline = %+v, %v; want the stale entry marked stale", r, err)
	}
	close(release)
	for range 100 {
		if h.cache.waiting("k") == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	r, err = h.cache.Fetch(ctx, "k", ttl, slow)
	if err != nil || !r.Hit || string(r.Value) != "new" {
		t.Errorf("next Fetch = %+v, %v; want the value the detached load stored", r, err)
	}
}
