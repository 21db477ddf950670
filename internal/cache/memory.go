package cache

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultMemoryBytes bounds a MemoryStore whose options set no bound at all,
// so that a zero MemoryOptions can never grow without limit.
const DefaultMemoryBytes = 64 << 20

// ErrTooLarge is returned by MemoryStore.Set for an entry that could never
// fit within the store's byte bound.
var ErrTooLarge = errors.New("cache: entry larger than the store")

// MemoryOptions bounds a MemoryStore. When both bounds are zero the store
// keeps at most DefaultMemoryBytes.
type MemoryOptions struct {
	// MaxEntries is the most entries kept; zero means no entry bound.
	MaxEntries int
	// MaxBytes is the most bytes kept, counted as each key (twice: the map
	// and the entry hold it) plus its value plus EntryOverhead; zero means no
	// byte bound.
	MaxBytes int64
	// EntryOverhead is what each entry costs beyond its key and value: the
	// entry, its list element and its map slot. Zero means
	// DefaultEntryOverhead, measured on amd64; negative counts only the key
	// and the value bytes.
	EntryOverhead int64
	// Now tells the time used for expiry; nil means time.Now.
	Now func() time.Time
}

// MemoryStore is a Store held in this process: bounded by entries and bytes
// with least-recently-used eviction, and dropping entries once their keepFor
// has passed. It suits a single aliscout replica; several replicas share a
// RedisStore instead.
type MemoryStore struct {
	maxEntries int
	maxBytes   int64
	overhead   int64 // counted per entry beyond its key and value
	now        func() time.Time

	mu    sync.Mutex
	items map[string]*list.Element // values are *memoryItem
	order *list.List               // front is most recently used
	bytes int64
}

// size is what it counts against MaxBytes.
func (s *MemoryStore) size(it *memoryItem) int64 {
	if s.overhead == 0 {
		return int64(len(it.key) + len(it.entry.Value))
	}
	return int64(2*len(it.key)+len(it.entry.Value)) + s.overhead
}

type memoryItem struct {
	key     string
	entry   Entry
	expires time.Time // zero: never
}

// DefaultEntryOverhead is what one entry costs beyond its key and value bytes on amd64, rounded
// up: the item, its list element and its map slot.
const DefaultEntryOverhead = 256

// NewMemoryStore returns an empty MemoryStore bounded by opts.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	s := &MemoryStore{
		maxEntries: max(opts.MaxEntries, 0),
		maxBytes:   max(opts.MaxBytes, 0),
		now:        opts.Now,
		items:      make(map[string]*list.Element),
		order:      list.New(),
	}
	switch {
	case opts.EntryOverhead == 0:
		s.overhead = DefaultEntryOverhead
	case opts.EntryOverhead > 0:
		s.overhead = opts.EntryOverhead
	}
	if s.maxEntries == 0 && s.maxBytes == 0 {
		s.maxBytes = DefaultMemoryBytes
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Get implements Store. The returned Value is shared with the store and
// must not be modified.
func (s *MemoryStore) Get(_ context.Context, key string) (Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	el, ok := s.items[key]
	if !ok {
		return Entry{}, false, nil
	}
	it := el.Value.(*memoryItem)
	if s.expired(it, s.now()) {
		s.remove(el)
		return Entry{}, false, nil
	}
	s.order.MoveToFront(el)
	return it.entry, true, nil
}

// Set implements Store. It keeps its own copy of e.Value and evicts the
// least recently used entries until the new one fits.
func (s *MemoryStore) Set(_ context.Context, key string, e Entry, keepFor time.Duration) error {
	it := &memoryItem{key: key, entry: Entry{Value: clone(e.Value), StoredAt: e.StoredAt}}
	now := s.now()
	if keepFor > 0 {
		it.expires = now.Add(keepFor)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.items[key]; ok {
		s.remove(el)
	}
	if s.maxBytes > 0 && s.size(it) > s.maxBytes {
		return fmt.Errorf("cache: memory set: %d bytes: %w", s.size(it), ErrTooLarge)
	}
	s.items[key] = s.order.PushFront(it)
	s.bytes += s.size(it)
	s.dropExpiredTail(now)
	for s.over() {
		s.remove(s.order.Back())
	}
	return nil
}

// Len reports how many entries the store holds, expired ones not yet
// dropped included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

// Bytes reports the bytes the store counts against MaxBytes.
func (s *MemoryStore) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

func (s *MemoryStore) over() bool {
	return (s.maxEntries > 0 && len(s.items) > s.maxEntries) ||
		(s.maxBytes > 0 && s.bytes > s.maxBytes)
}

func (s *MemoryStore) expired(it *memoryItem, now time.Time) bool {
	return !it.expires.IsZero() && !now.Before(it.expires)
}

// dropExpiredTail removes a few expired entries from the cold end, so that
// entries nobody asks for again do not hold memory until eviction reaches
// them. It stops at the first live one: the work per Set stays small.
func (s *MemoryStore) dropExpiredTail(now time.Time) {
	for range 4 {
		el := s.order.Back()
		if el == nil || !s.expired(el.Value.(*memoryItem), now) {
			return
		}
		s.remove(el)
	}
}

func (s *MemoryStore) remove(el *list.Element) {
	it := s.order.Remove(el).(*memoryItem)
	delete(s.items, it.key)
	s.bytes -= s.size(it)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}
