package cache

import (
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
//
// The entries live side by side in one slice, linked in recency order by
// index rather than by pointer: a cached entry costs the collector its key
// and value (neither of which it scans) and a few words of one large slot
// array, instead of an item, a list element and an interface of their own
// to trace at every collection.
type MemoryStore struct {
	maxEntries int
	maxBytes   int64
	overhead   int64 // counted per entry beyond its key and value
	now        func() time.Time

	mu    sync.Mutex
	index map[string]int32 // each key's slot
	slots []memorySlot     // entries, and free slots chained through next
	head  int32            // most recently used slot, or none
	tail  int32            // least recently used slot, or none
	free  int32            // first free slot, or none
	bytes int64
}

// none is the index of no slot.
const none = -1

// memorySlot holds one entry, or is free (key and value cleared).
type memorySlot struct {
	key      string
	value    []byte
	storedAt time.Time
	expires  int64 // Unix nanoseconds; zero: never
	prev     int32 // the next more recently used slot, or none
	next     int32 // the next less recently used slot (or free slot), or none
}

// size is what it counts against MaxBytes.
func (s *MemoryStore) size(key string, value []byte) int64 {
	if s.overhead == 0 {
		return int64(len(key) + len(value))
	}
	return int64(2*len(key)+len(value)) + s.overhead
}

// DefaultEntryOverhead is what one entry is counted beyond its key and value bytes: more than its
// slot and its map slot take on amd64 (about 130 bytes), so that the byte bound stays a bound on
// the process's memory with the allocator's rounding and a map grown ahead of its entries.
const DefaultEntryOverhead = 256

// NewMemoryStore returns an empty MemoryStore bounded by opts.
func NewMemoryStore(opts MemoryOptions) *MemoryStore {
	s := &MemoryStore{
		maxEntries: max(opts.MaxEntries, 0),
		maxBytes:   max(opts.MaxBytes, 0),
		now:        opts.Now,
		index:      make(map[string]int32),
		head:       none,
		tail:       none,
		free:       none,
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
	i, ok := s.index[key]
	if !ok {
		return Entry{}, false, nil
	}
	if s.expired(i, s.now()) {
		s.remove(i)
		return Entry{}, false, nil
	}
	s.unlink(i)
	s.pushFront(i)
	sl := &s.slots[i]
	return Entry{Value: sl.value, StoredAt: sl.storedAt}, true, nil
}

// Set implements Store. It keeps its own copy of e.Value and evicts the
// least recently used entries until the new one fits.
func (s *MemoryStore) Set(_ context.Context, key string, e Entry, keepFor time.Duration) error {
	value := clone(e.Value)
	now := s.now()
	var expires int64
	if keepFor > 0 {
		expires = now.Add(keepFor).UnixNano()
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if i, ok := s.index[key]; ok {
		s.remove(i)
	}
	if size := s.size(key, value); s.maxBytes > 0 && size > s.maxBytes {
		return fmt.Errorf("cache: memory set: %d bytes: %w", size, ErrTooLarge)
	}
	i := s.alloc()
	s.slots[i] = memorySlot{key: key, value: value, storedAt: e.StoredAt, expires: expires}
	s.pushFront(i)
	s.index[key] = i
	s.bytes += s.size(key, value)
	s.dropExpiredTail(now)
	for s.over() {
		s.remove(s.tail)
	}
	return nil
}

// Len reports how many entries the store holds, expired ones not yet
// dropped included.
func (s *MemoryStore) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.index)
}

// Bytes reports the bytes the store counts against MaxBytes.
func (s *MemoryStore) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

func (s *MemoryStore) over() bool {
	return (s.maxEntries > 0 && len(s.index) > s.maxEntries) ||
		(s.maxBytes > 0 && s.bytes > s.maxBytes)
}

func (s *MemoryStore) expired(i int32, now time.Time) bool {
	exp := s.slots[i].expires
	return exp != 0 && now.UnixNano() >= exp
}

// dropExpiredTail removes a few expired entries from the cold end, so that
// entries nobody asks for again do not hold memory until eviction reaches
// them. It stops at the first live one: the work per Set stays small.
func (s *MemoryStore) dropExpiredTail(now time.Time) {
	for range 4 {
		if s.tail == none || !s.expired(s.tail, now) {
			return
		}
		s.remove(s.tail)
	}
}

// alloc returns a free slot, growing the slice when none is left. Freed
// slots are reused, so the slice holds at most as many slots as the store
// ever held entries at once.
func (s *MemoryStore) alloc() int32 {
	if i := s.free; i != none {
		s.free = s.slots[i].next
		return i
	}
	s.slots = append(s.slots, memorySlot{})
	return int32(len(s.slots) - 1)
}

// remove drops slot i's entry and frees the slot.
func (s *MemoryStore) remove(i int32) {
	sl := &s.slots[i]
	delete(s.index, sl.key)
	s.bytes -= s.size(sl.key, sl.value)
	s.unlink(i)
	*sl = memorySlot{next: s.free}
	s.free = i
}

func (s *MemoryStore) pushFront(i int32) {
	sl := &s.slots[i]
	sl.prev, sl.next = none, s.head
	if s.head != none {
		s.slots[s.head].prev = i
	}
	s.head = i
	if s.tail == none {
		s.tail = i
	}
}

func (s *MemoryStore) unlink(i int32) {
	sl := &s.slots[i]
	if sl.prev != none {
		s.slots[sl.prev].next = sl.next
	} else {
		s.head = sl.next
	}
	if sl.next != none {
		s.slots[sl.next].prev = sl.prev
	} else {
		s.tail = sl.prev
	}
	sl.prev, sl.next = none, none
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append(make([]byte, 0, len(b)), b...)
}
