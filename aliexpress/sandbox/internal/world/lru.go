package world

import "sync"

// lru is a small concurrency-safe cache that keeps roughly the n most recently used entries: two
// generations of maps, the older dropped when the newer fills. It bounds memory without the
// bookkeeping of a linked list.
type lru[K comparable, V any] struct {
	mu       sync.Mutex
	n        int
	cur, old map[K]V
}

func newLRU[K comparable, V any](n int) *lru[K, V] {
	return &lru[K, V]{n: n, cur: make(map[K]V), old: make(map[K]V)}
}

func (l *lru[K, V]) get(k K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if v, ok := l.cur[k]; ok {
		return v, true
	}
	v, ok := l.old[k]
	if ok {
		l.putLocked(k, v)
	}
	return v, ok
}

func (l *lru[K, V]) put(k K, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.putLocked(k, v)
}

func (l *lru[K, V]) putLocked(k K, v V) {
	if len(l.cur) >= l.n {
		l.old, l.cur = l.cur, make(map[K]V, l.n)
	}
	l.cur[k] = v
}
