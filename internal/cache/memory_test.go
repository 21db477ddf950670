package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// present lists which of keys the store holds, without touching their
// recency more than a Get does.
func present(s *MemoryStore, keys ...string) []string {
	var got []string
	for _, k := range keys {
		if _, ok, _ := s.Get(context.Background(), k); ok {
			got = append(got, k)
		}
	}
	return got
}

func TestMemoryStoreLRU(t *testing.T) {
	tests := []struct {
		name string
		opts MemoryOptions
		// ops: "set k n" stores n bytes under k, "get k" reads k.
		ops  []string
		want []string // keys left, of a..e
	}{
		{
			name: "entries evict the least recently set",
			opts: MemoryOptions{MaxEntries: 2},
			ops:  []string{"set a 1", "set b 1", "set c 1"},
			want: []string{"b", "c"},
		},
		{
			name: "a read makes an entry recent",
			opts: MemoryOptions{MaxEntries: 2},
			ops:  []string{"set a 1", "set b 1", "get a", "set c 1"},
			want: []string{"a", "c"},
		},
		{
			name: "an overwrite makes an entry recent and does not count twice",
			opts: MemoryOptions{MaxEntries: 2},
			ops:  []string{"set a 1", "set b 1", "set a 1", "set c 1"},
			want: []string{"a", "c"},
		},
		{
			name: "bytes count key and value",
			opts: MemoryOptions{MaxBytes: 30, EntryOverhead: -1},
			ops:  []string{"set a 9", "set b 9", "set c 9"}, // 10 bytes each
			want: []string{"a", "b", "c"},
		},
		{
			name: "bytes evict as many as needed",
			opts: MemoryOptions{MaxBytes: 30, EntryOverhead: -1},
			ops:  []string{"set a 9", "set b 9", "set c 9", "get a", "set d 19"},
			want: []string{"a", "d"},
		},
		{
			name: "both bounds hold",
			opts: MemoryOptions{MaxEntries: 3, MaxBytes: 25, EntryOverhead: -1},
			ops:  []string{"set a 1", "set b 1", "set c 1", "set d 1", "set e 21"},
			want: []string{"d", "e"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewMemoryStore(tt.opts)
			for _, op := range tt.ops {
				var verb, key string
				var n int
				fmt.Sscan(op, &verb, &key, &n)
				switch verb {
				case "set":
					if err := s.Set(t.Context(), key, Entry{Value: []byte(strings.Repeat("x", n))}, 0); err != nil {
						t.Fatalf("Set(%s) = %v", key, err)
					}
				case "get":
					s.Get(t.Context(), key)
				}
			}
			if s.Len() != len(tt.want) {
				t.Errorf("Len() = %d; want %d", s.Len(), len(tt.want))
			}
			if tt.opts.MaxBytes > 0 && s.Bytes() > tt.opts.MaxBytes {
				t.Errorf("Bytes() = %d; want at most %d", s.Bytes(), tt.opts.MaxBytes)
			}
			if got := present(s, "a", "b", "c", "d", "e"); !slices.Equal(got, tt.want) {
				t.Errorf("after %q the store holds %q; want %q", tt.ops, got, tt.want)
			}
		})
	}
}

func TestMemoryStoreTooLarge(t *testing.T) {
	s := NewMemoryStore(MemoryOptions{MaxBytes: 10, EntryOverhead: -1})
	ctx := t.Context()
	s.Set(ctx, "a", Entry{Value: []byte("small")}, 0)
	s.Set(ctx, "k", Entry{Value: []byte("old")}, 0)
	err := s.Set(ctx, "k", Entry{Value: []byte("far too large")}, 0)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("Set(k, 13 bytes) in a 10-byte store = %v; want ErrTooLarge", err)
	}
	if got := present(s, "a", "k"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("after a too-large Set the store holds %q; want [a] (the old k replaced by nothing, a kept)", got)
	}
	if s.Bytes() != 6 {
		t.Errorf("Bytes() = %d; want 6", s.Bytes())
	}
}

func TestMemoryStoreDefaultBound(t *testing.T) {
	s := NewMemoryStore(MemoryOptions{})
	if s.maxBytes != DefaultMemoryBytes || s.maxEntries != 0 {
		t.Errorf("NewMemoryStore(zero) bounds = %d entries, %d bytes; want 0, %d", s.maxEntries, s.maxBytes, DefaultMemoryBytes)
	}
}

func TestMemoryStoreDropsExpiredOnSet(t *testing.T) {
	clk := newClock()
	s := NewMemoryStore(MemoryOptions{MaxEntries: 100, Now: clk.Now, EntryOverhead: -1})
	ctx := t.Context()
	for _, k := range []string{"a", "b", "c"} {
		s.Set(ctx, k, Entry{Value: []byte(k)}, time.Minute)
	}
	clk.Advance(time.Hour)
	s.Set(ctx, "d", Entry{Value: []byte("d")}, time.Minute)
	if s.Len() != 1 || s.Bytes() != 2 {
		t.Errorf("after expiry and one Set: Len() = %d, Bytes() = %d; want 1, 2", s.Len(), s.Bytes())
	}
}

// TestMemoryStoreCountsOverhead: by default each entry costs more than its key and value, so that
// the byte bound holds for the process's memory, not only for the payload.
func TestMemoryStoreCountsOverhead(t *testing.T) {
	s := NewMemoryStore(MemoryOptions{MaxBytes: 10 * DefaultEntryOverhead})
	for i := range 100 {
		s.Set(t.Context(), fmt.Sprint("k", i), Entry{Value: []byte("v")}, 0)
	}
	if s.Len() >= 10 {
		t.Errorf("Len() = %d tiny entries in a store of 10 entries' overhead; want fewer than 10", s.Len())
	}
	if s.Bytes() > 10*DefaultEntryOverhead {
		t.Errorf("Bytes() = %d; want at most %d", s.Bytes(), 10*DefaultEntryOverhead)
	}
}

// TestMemoryStoreMatchesModel runs random sets, reads and expiries against a plain list kept in
// recency order: the store must hold exactly the entries, values and order the model does, and
// reuse the slots it freed.
func TestMemoryStoreMatchesModel(t *testing.T) {
	const maxEntries = 5
	clk := newClock()
	s := NewMemoryStore(MemoryOptions{MaxEntries: maxEntries, Now: clk.Now, EntryOverhead: -1})
	ctx := t.Context()
	type entry struct {
		key, value string
		expires    time.Time // zero: never
	}
	var model []entry // most recently used first
	find := func(k string) int {
		return slices.IndexFunc(model, func(e entry) bool { return e.key == k })
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for step := range 5000 {
		k := fmt.Sprint("k", rnd.IntN(9))
		switch op := rnd.IntN(10); {
		case op < 5:
			v := fmt.Sprint("v", step)
			keep := time.Duration(rnd.IntN(3)) * time.Minute // 0: forever
			if err := s.Set(ctx, k, Entry{Value: []byte(v), StoredAt: clk.Now()}, keep); err != nil {
				t.Fatalf("step %d: Set(%s) = %v", step, k, err)
			}
			if i := find(k); i >= 0 {
				model = slices.Delete(model, i, i+1)
			}
			e := entry{key: k, value: v}
			if keep > 0 {
				e.expires = clk.Now().Add(keep)
			}
			model = append([]entry{e}, model...)
			// The store drops a few expired entries from the cold end, then the least recent.
			for range 4 {
				last := len(model) - 1
				if last < 0 || model[last].expires.IsZero() || clk.Now().Before(model[last].expires) {
					break
				}
				model = model[:last]
			}
			if len(model) > maxEntries {
				model = model[:maxEntries]
			}
		case op < 9:
			got, ok, _ := s.Get(ctx, k)
			i := find(k)
			live := i >= 0 && (model[i].expires.IsZero() || clk.Now().Before(model[i].expires))
			if ok != live || (ok && string(got.Value) != model[i].value) {
				t.Fatalf("step %d: Get(%s) = %q, %v; want %v (model %v)", step, k, got.Value, ok, live, model)
			}
			if i >= 0 {
				e := model[i]
				model = slices.Delete(model, i, i+1)
				if live {
					model = append([]entry{e}, model...)
				}
			}
		default:
			clk.Advance(30 * time.Second)
		}
		if s.Len() != len(model) {
			t.Fatalf("step %d: Len() = %d; want %d (model %v)", step, s.Len(), len(model), model)
		}
	}
	var order []string
	for i := s.head; i != none; i = s.slots[i].next {
		order = append(order, s.slots[i].key)
	}
	var want []string
	for _, e := range model {
		want = append(want, e.key)
	}
	if !slices.Equal(order, want) {
		t.Errorf("recency order %q; want %q", order, want)
	}
	if len(s.slots) > maxEntries+1 {
		t.Errorf("%d slots for at most %d entries: freed slots are not reused", len(s.slots), maxEntries)
	}
}

// TestMemoryStoreObjectsPerEntry: an entry costs the collector its key and its value and no object
// of its own (no item, list element or interface), so that a store of many small answers keeps
// collections short.
func TestMemoryStoreObjectsPerEntry(t *testing.T) {
	const n = 20000
	keys := make([]string, n)
	for i := range keys {
		keys[i] = fmt.Sprintf("search:item %d", i)
	}
	value := []byte(`{"products":[]}`)
	s := NewMemoryStore(MemoryOptions{MaxEntries: n})
	objects := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapObjects
	}
	before := objects()
	for _, k := range keys {
		s.Set(t.Context(), k, Entry{Value: value}, time.Hour)
	}
	after := objects()
	runtime.KeepAlive(s)
	// The value copies (keys are the caller's), the slot array and the map's groups: a little over one per entry.
	if per := float64(after-before) / n; per > 1.5 {
		t.Errorf("%.2f heap objects per entry; want at most 1.5 (the value's copy and a share of the slots and map)", per)
	}
}

func BenchmarkMemoryStore(b *testing.B) {
	const n = 10000
	keys := make([]string, 2*n)
	for i := range keys {
		keys[i] = fmt.Sprintf("search:item %d", i)
	}
	value := make([]byte, 2048)
	b.Run("get", func(b *testing.B) {
		s := NewMemoryStore(MemoryOptions{MaxEntries: n})
		for _, k := range keys[:n] {
			s.Set(b.Context(), k, Entry{Value: value}, time.Hour)
		}
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, ok, _ := s.Get(b.Context(), keys[i%n]); !ok {
				b.Fatal("miss")
			}
		}
	})
	b.Run("set-evict", func(b *testing.B) {
		s := NewMemoryStore(MemoryOptions{MaxEntries: n})
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s.Set(b.Context(), keys[i%len(keys)], Entry{Value: value}, time.Hour)
		}
	})
}
