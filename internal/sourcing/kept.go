package sourcing

import (
	"cmp"
	"sync"
	"time"

	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// keptMemo keeps answers the service built from its cache entries (products, shipping quotes),
// so that one asked for again is copied instead of built again. An entry holds while the cache
// has stored nothing since it was built (this process's writes are the only way its entries
// change here), and at most keptRecheck (other replicas' writes). Each kept answer has a
// Revision, new with each put.
type keptMemo[V any] struct {
	clone func(V) V        // a copy that shares nothing a caller could change
	now   func() time.Time // the clock the answers' times are on, for sweeping the ended ones
	mu    sync.Mutex
	m     map[keptKey]keptEntry[V]
	// sweeping says a sweep of the ended entries is due (cache.SweepLater), every sweepEvery
	// (keptRecheck when 0).
	sweeping   bool
	sweepEvery time.Duration
}

// keptKey names a kept answer: whose account sees it ("" for the service's own), for which
// product, with which options (normalized).
type keptKey struct {
	account string
	id      int64
	o       catalog.ProductOptions
}

type keptEntry[V any] struct {
	v      V
	rev    uint64
	at     time.Time
	writes uint64
}

// keptRecheck bounds how long a kept answer is served without a look at its cache entries.
const keptRecheck = 5 * time.Second

// maxKept bounds the answers kept in one keptMemo; past it, half of them go.
const maxKept = 1024

// get returns a copy of the answer kept for key, and its Revision, when it still holds at now
// with the cache at writes.
func (m *keptMemo[V]) get(key keptKey, now time.Time, writes uint64) (V, uint64, bool) {
	e, ok := m.valid(key, now, writes)
	if !ok {
		var zero V
		return zero, 0, false
	}
	return m.clone(e.v), e.rev, true
}

// revision is the Revision of the answer get would give, without the copy.
func (m *keptMemo[V]) revision(key keptKey, now time.Time, writes uint64) (uint64, bool) {
	e, ok := m.valid(key, now, writes)
	return e.rev, ok
}

func (m *keptMemo[V]) valid(key keptKey, now time.Time, writes uint64) (keptEntry[V], bool) {
	m.mu.Lock()
	e, ok := m.m[key]
	m.mu.Unlock()
	if !ok || e.writes != writes || e.ended(now) {
		return keptEntry[V]{}, false
	}
	return e, true
}

// ended says e is past keptRecheck at now, or from a clock that went back: never served again.
func (e keptEntry[V]) ended(now time.Time) bool {
	return now.Sub(e.at) >= keptRecheck || now.Before(e.at)
}

// put keeps v, built at now with the cache at writes, and returns the Revision it keeps it under.
func (m *keptMemo[V]) put(key keptKey, v V, now time.Time, writes uint64) uint64 {
	e := keptEntry[V]{v: m.clone(v), rev: newRevision(), at: now, writes: writes}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[keptKey]keptEntry[V]{}
	}
	cache.MakeRoom(m.m, maxKept)
	m.m[key] = e
	if m.now != nil {
		every := cmp.Or(m.sweepEvery, keptRecheck)
		cache.SweepLater(&m.mu, &m.sweeping, every, func() bool {
			now := m.now()
			return cache.DropIf(m.m, func(e keptEntry[V]) bool { return e.ended(now) })
		})
	}
	return e.rev
}
