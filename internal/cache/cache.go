// Package cache keeps AliExpress answers so that the platform's call quota
// is spent once per answer: a repeated search or a product just shown costs
// no upstream call, concurrent identical requests share one call, and when
// AliExpress fails or rate-limits, the last good answer is served marked
// stale instead of an error.
//
// A Cache sits on a Store: a MemoryStore for one replica, internal/redis.CacheStore for
// several sharing one cache.
package cache

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultStaleFor    = 24 * time.Hour
	DefaultLoadTimeout = 30 * time.Second
	DefaultFailFor     = 5 * time.Second
)

// storeTimeout bounds each store call a load makes on behalf of all its
// waiters, so a hung store cannot hold them past their own deadlines' worth.
const storeTimeout = 5 * time.Second

// Options configures a Cache. The zero value is ready to use.
type Options struct {
	// Now tells the time; nil means time.Now. Tests inject a clock.
	Now func() time.Time
	// StaleFor is how long past its TTL an entry may still be served when
	// a load fails. Zero means DefaultStaleFor; a negative value turns
	// stale serving off.
	StaleFor time.Duration
	// LoadTimeout bounds one load. The load runs detached from the caller
	// who started it (others may be waiting on it), so this is its only
	// deadline besides the ones the load sets itself. Zero means
	// DefaultLoadTimeout.
	LoadTimeout time.Duration
	// FailFor is how long a failed load is remembered: a fetch of the same
	// key within it gets the same failure (or the stale entry) without a
	// new load, so that a failing upstream is not asked again by every
	// request. Zero means DefaultFailFor; a negative value turns it off.
	FailFor time.Duration
}

// Result is what Fetch returns.
type Result struct {
	// Value is the cached or loaded bytes. It is shared with other callers
	// and with the store: do not modify it.
	Value []byte
	// StoredAt is when Value was loaded from upstream.
	StoredAt time.Time
	// Hit reports that Value was fresh in the cache and cost no load.
	Hit bool
	// Stale reports that the load failed and Value is an older answer
	// kept past its TTL; Err holds why.
	Stale bool
	// Err is the load error behind a stale Value, for logs and for telling
	// the user why the data is old. It is nil unless Stale.
	Err error
}

// Stats is a snapshot of a Cache's counters, each counted since New.
type Stats struct {
	Hits        uint64 // fetches answered from a fresh entry, with no load
	Misses      uint64 // fetches that needed a load, their own or a shared one
	Stale       uint64 // fetches answered with a stale entry after a failed (or too slow) load
	Loads       uint64 // loads run (one per group of concurrent fetches of a key)
	Remembered  uint64 // fetches answered from a remembered failure, with no load
	LoadErrors  uint64 // loads that failed
	StoreErrors uint64 // failed store reads and writes, and unreadable entries
}

// Cache is a read-through cache over a Store with one load per key at a
// time and stale answers on upstream failure. It is safe for concurrent use.
type Cache struct {
	store       Store
	now         func() time.Time
	staleFor    time.Duration // negative: off
	loadTimeout time.Duration
	failFor     time.Duration // negative: off

	mu       sync.Mutex
	flights  map[string]*flight
	failures map[string]failure // recent failed loads, by key

	hits, misses, stale, loads, loadErrors, storeErrors, remembered atomic.Uint64
	writes                                                          atomic.Uint64 // entries this Cache stored

	decoded decodedMemo // FetchJSON's decoded values
}

// failure is a failed load, remembered until until.
type failure struct {
	err   error
	until time.Time
}

// maxFailures bounds the failures remembered; past it the oldest half go.
const maxFailures = 4096

// New returns a Cache over store.
func New(store Store, opts Options) *Cache {
	c := &Cache{
		store:       store,
		now:         opts.Now,
		staleFor:    opts.StaleFor,
		loadTimeout: opts.LoadTimeout,
		failFor:     opts.FailFor,
		flights:     make(map[string]*flight),
		failures:    make(map[string]failure),
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.staleFor == 0 {
		c.staleFor = DefaultStaleFor
	}
	if c.loadTimeout <= 0 {
		c.loadTimeout = DefaultLoadTimeout
	}
	if c.failFor == 0 {
		c.failFor = DefaultFailFor
	}
	return c
}

// Writes counts the entries this Cache has stored (or tried to): a reader that checked some keys
// need not check them again while it is unchanged, as far as this process's writes go.
func (c *Cache) Writes() uint64 { return c.writes.Load() }

// Stats returns the counters as they are now.
func (c *Cache) Stats() Stats {
	return Stats{
		Hits:        c.hits.Load(),
		Misses:      c.misses.Load(),
		Stale:       c.stale.Load(),
		Loads:       c.loads.Load(),
		LoadErrors:  c.loadErrors.Load(),
		StoreErrors: c.storeErrors.Load(),
		Remembered:  c.remembered.Load(),
	}
}

// PanicError is the error a Fetch returns when its load panicked. The panic
// is recovered because the load runs on a goroutine of the cache's own,
// where it would otherwise stop the whole server.
type PanicError struct {
	Value any    // what the load panicked with
	Stack []byte // the load's stack at the panic
}

// Error says what the load panicked with; the stack is in Stack.
func (e *PanicError) Error() string { return fmt.Sprintf("cache: load panicked: %v", e.Value) }

// Fetch returns the value under key: a fresh entry (younger than ttl) costs
// nothing; otherwise load is called once for all concurrent callers of the
// same key, and its value stored for ttl plus Options.StaleFor. If load
// fails and an entry younger than ttl plus StaleFor exists, that entry is
// returned with Stale set, Err holding the load error, and a nil error. If
// nothing usable exists, the load error is returned unchanged, so callers
// can match it with errors.Is and errors.As.
//
// The load runs detached from ctx, with ctx's values and its own
// Options.LoadTimeout: a caller whose ctx ends first gets the stale entry,
// when there is one (Stale set, Err holding ctx's error), or ctx.Err(), at
// once, while the load goes on for the others and for the next caller. A
// failed load is remembered for Options.FailFor: fetches of the key meanwhile
// get the same answer without another load. Callers of
// one key share one load, so a key must capture everything that changes the
// answer, and should always be fetched with the same ttl. A ttl of zero or
// less never counts an entry fresh; the value is still kept for stale use.
//
// Store failures never fail a Fetch; they are counted in Stats.
func (c *Cache) Fetch(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) (Result, error) {
	return c.fetch(ctx, key, ttl, load, nil, nil)
}

// fetch is Fetch for typed callers. use, when set, is given a fresh entry
// read on the caller's goroutine, and check any entry read on a load's;
// an entry either rejects is treated as unreadable.
func (c *Cache) fetch(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error), use, check func([]byte) error) (Result, error) {
	r, err := c.lookup(ctx, key, ttl, load, use, check)
	switch {
	case r.Hit:
		c.hits.Add(1)
	case r.Stale:
		c.misses.Add(1)
		c.stale.Add(1)
	default:
		c.misses.Add(1)
	}
	return r, err
}

func (c *Cache) lookup(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error), use, check func([]byte) error) (Result, error) {
	var seen *Entry
	e, ok, err := c.store.Get(ctx, key)
	switch {
	case err != nil:
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		c.storeErrors.Add(1)
	case ok && c.fresh(e, ttl):
		if use == nil || use(e.Value) == nil {
			return Result{Value: e.Value, StoredAt: e.StoredAt, Hit: true}, nil
		}
		c.storeErrors.Add(1)
	case ok:
		stale := e // a copy, so that e stays on the stack on the hit path
		seen = &stale
	}
	staleOr := func(err error) (Result, error) {
		if seen != nil && c.usableStale(*seen, ttl) && (check == nil || check(seen.Value) == nil) {
			return Result{Value: seen.Value, StoredAt: seen.StoredAt, Stale: true, Err: err}, nil
		}
		return Result{}, err
	}
	if err := c.recentFailure(key); err != nil {
		c.remembered.Add(1)
		return staleOr(err)
	}
	if err := ctx.Err(); err != nil {
		return staleOr(err) // start no load that nobody waits for
	}

	f := c.join(ctx, key, ttl, load, check, seen)
	select {
	case <-f.done:
		return f.res, f.err
	case <-ctx.Done():
		return staleOr(ctx.Err())
	}
}

// recentFailure returns the error of a load of key that failed within FailFor, or nil.
func (c *Cache) recentFailure(key string) error {
	if c.failFor < 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	f, ok := c.failures[key]
	if !ok {
		return nil
	}
	if !c.now().Before(f.until) {
		delete(c.failures, key)
		return nil
	}
	return f.err
}

// remember records (err != nil) or forgets (err == nil) the failure of a load of key. Failures
// for which the caller is to blame (a panic is ours, not upstream's) are remembered too: asking
// again within seconds would fail the same way.
func (c *Cache) remember(key string, err error) {
	if c.failFor < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil {
		delete(c.failures, key)
		return
	}
	if len(c.failures) >= maxFailures {
		now := c.now()
		for k, f := range c.failures {
			if !now.Before(f.until) || len(c.failures) >= maxFailures/2 {
				delete(c.failures, k)
			}
		}
	}
	c.failures[key] = failure{err: err, until: c.now().Add(c.failFor)}
}

// fresh reports whether e may be served without a load. An entry stamped in
// the future (clock skew between replicas) counts as just stored.
func (c *Cache) fresh(e Entry, ttl time.Duration) bool {
	return c.now().Sub(e.StoredAt) < ttl
}

// usableStale reports whether e may be served after a failed load.
func (c *Cache) usableStale(e Entry, ttl time.Duration) bool {
	return c.staleFor >= 0 && c.now().Sub(e.StoredAt) < ttl+c.staleFor
}

// A flight is one load shared by every caller of a key that arrives while it
// runs. res and err are written before done is closed and read only after.
type flight struct {
	done    chan struct{}
	res     Result
	err     error
	waiters int // callers that joined; guarded by Cache.mu
}

// join returns the flight for key, starting one if none runs.
func (c *Cache) join(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error), check func([]byte) error, seen *Entry) *flight {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.flights[key]; ok {
		f.waiters++
		return f
	}
	f := &flight{done: make(chan struct{}), waiters: 1}
	c.flights[key] = f
	go func() {
		defer close(f.done)
		f.res, f.err = c.run(context.WithoutCancel(ctx), key, ttl, load, check, seen)
		// Leave the map only after the store is written, so that a caller
		// who misses this flight finds the new entry instead of loading
		// again.
		c.mu.Lock()
		delete(c.flights, key)
		c.mu.Unlock()
	}()
	return f
}

// waiting reports how many callers have joined the load of key now
// running, or zero when none runs.
func (c *Cache) waiting(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.flights[key]; ok {
		return f.waiters
	}
	return 0
}

// run is the body of a flight. seen is the stale entry the starting caller
// read, if any: the fallback when the store cannot be read again.
func (c *Cache) run(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error), check func([]byte) error, seen *Entry) (Result, error) {
	// Read again: a flight that ended between the caller's read and this
	// one, here or on another replica, may have stored a fresh entry.
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	e, ok, err := c.store.Get(sctx, key)
	cancel()
	switch {
	case err != nil:
		c.storeErrors.Add(1)
	case ok && check != nil && check(e.Value) != nil:
		c.storeErrors.Add(1)
		seen = nil // the same bytes the caller saw, most likely
	case ok && c.fresh(e, ttl):
		return Result{Value: e.Value, StoredAt: e.StoredAt, Hit: true}, nil
	case ok:
		seen = &e
	}

	c.loads.Add(1)
	lctx, cancel := context.WithTimeout(ctx, c.loadTimeout)
	v, err := safeLoad(lctx, load)
	cancel()
	c.remember(key, err)
	if err != nil {
		c.loadErrors.Add(1)
		if seen != nil && c.usableStale(*seen, ttl) && (check == nil || check(seen.Value) == nil) {
			return Result{Value: seen.Value, StoredAt: seen.StoredAt, Stale: true, Err: err}, nil
		}
		return Result{}, err
	}

	now := c.now()
	keepFor := ttl
	if c.staleFor > 0 {
		keepFor += c.staleFor
	}
	if keepFor > 0 {
		sctx, cancel := context.WithTimeout(ctx, storeTimeout)
		c.writes.Add(1)
		if err := c.store.Set(sctx, key, Entry{Value: v, StoredAt: now}, keepFor); err != nil {
			c.storeErrors.Add(1)
		}
		cancel()
	}
	return Result{Value: v, StoredAt: now}, nil
}

func safeLoad(ctx context.Context, load func(context.Context) ([]byte, error)) (v []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			v, err = nil, &PanicError{Value: p, Stack: debug.Stack()}
		}
	}()
	return load(ctx)
}

// Store puts value under key as a fresh entry loaded now, kept for ttl plus Options.StaleFor, and
// forgets any remembered failure of key.
func (c *Cache) Store(ctx context.Context, key string, ttl time.Duration, value []byte) error {
	c.remember(key, nil)
	keepFor := ttl
	if c.staleFor > 0 {
		keepFor += c.staleFor
	}
	sctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	c.writes.Add(1)
	if err := c.store.Set(sctx, key, Entry{Value: value, StoredAt: c.now()}, keepFor); err != nil {
		c.storeErrors.Add(1)
		return fmt.Errorf("cache: store %s: %w", key, err)
	}
	return nil
}

// Fresh reports whether key holds an entry younger than ttl, without loading anything: for a
// caller deciding which keys one upstream call should fill.
func (c *Cache) Fresh(ctx context.Context, key string, ttl time.Duration) bool {
	e, ok, err := c.store.Get(ctx, key)
	return err == nil && ok && c.fresh(e, ttl)
}
