package cache

import (
	"cmp"
	"hash/maphash"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// decodedMemo keeps the values FetchJSON decoded, by key and a digest of the bytes they were
// decoded from, so that a value read again is copied instead of decoded again: decoding a
// product's JSON on every page view cost more than the page. A value is handed out only as a deep
// copy (see deepCopy), so each caller still gets its own.
//
// It keeps a digest of the bytes rather than the bytes: holding them would keep answers the store
// has evicted alive, up to maxDecoded of them past the store's bound. Hashing an answer costs a
// few microseconds, a small part of the deep copy that follows.
type decodedMemo struct {
	mu       sync.Mutex
	seed     maphash.Seed
	m        map[string]*decodedValue
	sweeping bool // a sweep of the idle values is due (SweepLater)
	// idle is how long a value nobody asks for stays (decodedIdle when 0).
	idle time.Duration
}

type decodedValue struct {
	n    int    // length of the bytes v was decoded from
	sum  uint64 // their maphash
	v    any
	used atomic.Int64 // when v was last decoded or handed out, as nanoseconds since sinceStart's start
}

// maxDecoded bounds the values kept; past it, half of them go. The values are pointer-rich (a
// decoded page of 50 products is thousands of objects), so every garbage collection marks all of
// them: after a burst of distinct searches, 1,024 of them (until decodedIdle let them go) doubled
// the marking work of each collection under load, and with it the tail of every request, while
// the values read again and again, the ones worth keeping, are far fewer.
const maxDecoded = 256

// decodedIdle is how long a decoded value nobody asks for stays in memory. The values are there to
// spare decoding what is read again and again; one not read for this long costs more kept (memory,
// and work for every garbage collection) than decoding it again would.
const decodedIdle = 30 * time.Second

// processStart anchors the memo's monotonic times.
var processStart = time.Now()

func sinceStart() int64 { return int64(time.Since(processStart)) }

func (d *decodedMemo) get(key string, raw []byte) (any, bool) {
	d.mu.Lock()
	e, ok := d.m[key]
	seed := d.seed
	d.mu.Unlock()
	if !ok || e.n != len(raw) || e.sum != maphash.Bytes(seed, raw) {
		return nil, false
	}
	e.used.Store(sinceStart())
	return e.v, true
}

func (d *decodedMemo) put(key string, raw []byte, v any) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = map[string]*decodedValue{}
		d.seed = maphash.MakeSeed()
	}
	MakeRoom(d.m, maxDecoded)
	e := &decodedValue{n: len(raw), sum: maphash.Bytes(d.seed, raw), v: v}
	e.used.Store(sinceStart())
	d.m[key] = e
	idle := cmp.Or(d.idle, decodedIdle)
	SweepLater(&d.mu, &d.sweeping, idle, func() bool {
		before := sinceStart() - int64(idle)
		return DropIf(d.m, func(e *decodedValue) bool { return e.used.Load() < before })
	})
}

// Clone returns a copy of v that shares nothing a caller could change with it (see deepCopy): for
// a value kept in memory and handed to callers that may change what they get.
func Clone[T any](v T) T { return deepCopy(v) }

// deepCopy returns a copy of v that shares nothing a caller could change with it: pointers,
// slices, maps and interfaces are copied all the way down; strings, and unexported fields (such
// as a time.Time's location), are shared, as they cannot be changed through the copy.
func deepCopy[T any](v T) T {
	src := reflect.ValueOf(&v).Elem()
	if !hasReferences(src.Type()) {
		return v
	}
	dst := reflect.New(src.Type()).Elem()
	copyValue(dst, src)
	return dst.Interface().(T)
}

func copyValue(dst, src reflect.Value) {
	switch src.Kind() {
	case reflect.Pointer:
		if src.IsNil() {
			return
		}
		n := reflect.New(src.Type().Elem())
		copyValue(n.Elem(), src.Elem())
		dst.Set(n)
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		n := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		if !hasReferences(src.Type().Elem()) {
			reflect.Copy(n, src)
		} else {
			for i := range src.Len() {
				copyValue(n.Index(i), src.Index(i))
			}
		}
		dst.Set(n)
	case reflect.Map:
		if src.IsNil() {
			return
		}
		n := reflect.MakeMapWithSize(src.Type(), src.Len())
		deep := hasReferences(src.Type().Elem())
		for it := src.MapRange(); it.Next(); {
			val := it.Value()
			if deep {
				c := reflect.New(val.Type()).Elem()
				copyValue(c, val)
				val = c
			}
			n.SetMapIndex(it.Key(), val)
		}
		dst.Set(n)
	case reflect.Interface:
		if src.IsNil() {
			return
		}
		c := reflect.New(src.Elem().Type()).Elem()
		copyValue(c, src.Elem())
		dst.Set(c)
	case reflect.Array:
		dst.Set(src)
		if hasReferences(src.Type().Elem()) {
			for i := range src.Len() {
				copyValue(dst.Index(i), src.Index(i))
			}
		}
	case reflect.Struct:
		dst.Set(src) // every field, unexported ones too
		for i := range src.NumField() {
			if f := dst.Field(i); f.CanSet() && hasReferences(f.Type()) {
				copyValue(f, src.Field(i))
			}
		}
	default:
		dst.Set(src)
	}
}

var referenceTypes sync.Map // reflect.Type → bool

// hasReferences reports whether a value of t can be changed through a copy of it: it holds a
// pointer, slice, map or interface in a field a caller can reach.
func hasReferences(t reflect.Type) bool {
	if v, ok := referenceTypes.Load(t); ok {
		return v.(bool)
	}
	referenceTypes.Store(t, true) // a recursive type holds a reference
	has := false
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		has = true
	case reflect.Array:
		has = hasReferences(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && hasReferences(f.Type) {
				has = true
				break
			}
		}
	}
	referenceTypes.Store(t, has)
	return has
}
