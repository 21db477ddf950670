package cache

import (
	"sync"
	"time"
)

// MakeRoom keeps an in-memory map of kept values bounded: when m holds max entries or more, it
// drops entries (in map order, which is arbitrary) until half of max are left. Call it before
// adding an entry.
func MakeRoom[K comparable, V any](m map[K]V, max int) {
	if len(m) < max {
		return
	}
	for k := range m {
		if len(m) <= max/2 {
			return
		}
		delete(m, k)
	}
}

// DropIf deletes the entries of m whose value drop reports, and reports whether any entries
// remain: the body of a memo's sweep (see SweepLater).
func DropIf[K comparable, V any](m map[K]V, drop func(V) bool) (remain bool) {
	for k, v := range m {
		if drop(v) {
			delete(m, k)
		}
	}
	return len(m) > 0
}

// SweepLater runs sweep after d, and again every d for as long as it reports that entries
// remain, unless a run is due already (*pending). mu guards *pending; the caller holds it, and
// sweep runs holding it.
//
// It is for the in-process memos of decoded values, which MakeRoom bounds by count: entries that
// can no longer be served, or that nobody asked for in a while, then leave memory without waiting
// for the memo to fill. Left there, after a burst of searches they were most of the objects every
// garbage collection had to mark, which lengthened the collections that slow requests under load.
// A timer holds no goroutine while it waits, and none is left once a memo is empty.
func SweepLater(mu *sync.Mutex, pending *bool, d time.Duration, sweep func() (remain bool)) {
	if *pending {
		return
	}
	*pending = true
	time.AfterFunc(d, func() {
		mu.Lock()
		defer mu.Unlock()
		*pending = false
		if sweep() {
			SweepLater(mu, pending, d, sweep)
		}
	})
}
