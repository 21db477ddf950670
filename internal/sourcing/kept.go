package sourcing

import (
	"sync"
	"time"

	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// productMemo keeps the products Product built, so that a product viewed again is copied
// instead of built again from its cache entries (the affiliate and DS products and the
// freight). An entry holds while the cache has stored nothing since it was built (this process's
// writes are the only way its entries change here), and at most productRecheck (other replicas'
// writes).
type productMemo struct {
	mu sync.Mutex
	m  map[productMemoKey]productMemoEntry
}

// productMemoKey names a kept product: whose account sees it ("" for the service's own), and
// with which options (normalized).
type productMemoKey struct {
	account string
	id      int64
	o       catalog.ProductOptions
}

type productMemoEntry struct {
	p      catalog.Product
	at     time.Time
	writes uint64
}

// productRecheck bounds how long a kept product is served without a look at its cache entries.
const productRecheck = 5 * time.Second

// maxProductMemo bounds the products kept; past it, half of them go.
const maxProductMemo = 1024

func (m *productMemo) get(key productMemoKey, now time.Time, writes uint64) (catalog.Product, bool) {
	e, ok := m.valid(key, now, writes)
	if !ok {
		return catalog.Product{}, false
	}
	return cache.Clone(e.p), true
}

// revision is the Revision of the product get would give, without the copy.
func (m *productMemo) revision(key productMemoKey, now time.Time, writes uint64) (uint64, bool) {
	e, ok := m.valid(key, now, writes)
	return e.p.Revision, ok
}

func (m *productMemo) valid(key productMemoKey, now time.Time, writes uint64) (productMemoEntry, bool) {
	m.mu.Lock()
	e, ok := m.m[key]
	m.mu.Unlock()
	if !ok || e.writes != writes || now.Sub(e.at) >= productRecheck || now.Before(e.at) {
		return productMemoEntry{}, false
	}
	return e, true
}

// put keeps p, built at now with the cache at writes, and returns the Revision it keeps it under.
func (m *productMemo) put(key productMemoKey, p catalog.Product, now time.Time, writes uint64) uint64 {
	p = cache.Clone(p)
	p.Revision = newRevision()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil {
		m.m = map[productMemoKey]productMemoEntry{}
	}
	if len(m.m) >= maxProductMemo {
		n := 0
		for k := range m.m {
			if n >= maxProductMemo/2 {
				break
			}
			delete(m.m, k)
			n++
		}
	}
	m.m[key] = productMemoEntry{p: p, at: now, writes: writes}
	return p.Revision
}
