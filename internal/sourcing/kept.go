package sourcing

import (
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
	clone func(V) V // a copy that shares nothing a caller could change
	mu    sync.Mutex
	m     map[keptKey]keptEntry[V]
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
	if !ok || e.writes != writes || now.Sub(e.at) >= keptRecheck || now.Before(e.at) {
		return keptEntry[V]{}, false
	}
	return e, true
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
	return e.rev
}
