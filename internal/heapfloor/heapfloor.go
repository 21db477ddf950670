// Package heapfloor keeps the garbage collector from running more often than the memory it is
// allowed warrants.
//
// Go starts a collection when the heap has grown by GOGC percent (100 by default) over what the
// previous one found live. A server whose live heap is a few megabytes but which allocates tens of
// megabytes a second for requests (mostly net/http's own) then collects many times a second, and
// on a small machine every collection takes a share of the cores for its whole length: requests
// that arrive meanwhile wait, which is most of such a server's tail latency. A floor raises the
// heap goal to at least the floor while the live heap is small, and leaves Go's own pacing alone
// once twice the live heap is above it: the goal is max(floor, live × (1 + GOGC/100)). The memory
// it costs is bounded by the floor.
//
// It works through debug.SetGCPercent, recomputed after every collection from the live heap that
// collection measured. A memory limit (GOMEMLIMIT) still applies on top of it.
package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// runtimeHeapMinimum is the heap goal Go never goes below at GOGC=100 (4 MiB); it scales with
// GOGC, so a percentage above floor/runtimeHeapMinimum×100 would raise the goal past the floor.
const runtimeHeapMinimum = 4 << 20

// Percent returns the GOGC percentage that puts the heap goal at the floor when live bytes survived
// the last collection, and never below base (Go's own, 100 unless GOGC says otherwise): with a
// large live heap the floor does nothing.
func Percent(live, floor uint64, base int) int {
	if base < 0 || floor <= live {
		return base // collection is off, or the live heap alone passes the floor
	}
	live = max(live, 1)
	p := min((floor-live)*100/live, floor*100/runtimeHeapMinimum)
	if p <= uint64(base) {
		return base
	}
	return int(p)
}

// Floor keeps the heap goal at or above a number of bytes; Start makes one.
type Floor struct {
	floor  uint64
	base   int
	mu     sync.Mutex
	set    int // the percentage last set
	cycles uint64
	done   bool
	sample []metrics.Sample
}

// Start keeps the heap goal of this process at or above floor bytes until Stop, with base as the
// percentage that applies once the live heap is large (pass 100, Go's default). A floor of 0
// does nothing.
func Start(floor uint64, base int) *Floor {
	f := &Floor{floor: floor, base: base, set: base,
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	if floor == 0 {
		f.done = true
		return f
	}
	f.adjust()
	f.arm()
	return f
}

// sentinel is an object nobody refers to: its finalizer runs after the collection that finds it
// unreachable, which is every collection once it is re-made each time. It holds a pointer so that
// it is not packed with other small objects.
type sentinel struct{ _ *byte }

func (f *Floor) arm() {
	s := new(sentinel)
	runtime.SetFinalizer(s, func(*sentinel) {
		if f.adjust() {
			f.arm()
		}
	})
}

// adjust sets the percentage for the live heap the last collection measured, once a collection
// has run; it reports false once the floor is stopped. Setting it takes the heap lock once per
// collection, which costs nothing next to the collection.
func (f *Floor) adjust() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return false
	}
	metrics.Read(f.sample)
	var live uint64
	if f.sample[0].Value.Kind() == metrics.KindUint64 {
		live = f.sample[0].Value.Uint64()
	}
	if live == 0 {
		return true // no collection yet: Go's first goal (4 MiB) stands
	}
	f.cycles++
	f.set = Percent(live, f.floor, f.base)
	debug.SetGCPercent(f.set)
	return true
}

// Stats reports the percentage in force and how many collections the floor has seen.
func (f *Floor) Stats() (percent int, cycles uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.set, f.cycles
}

// Stop gives the collector back its base percentage; the floor no longer applies.
func (f *Floor) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return
	}
	f.done = true
	debug.SetGCPercent(f.base)
	f.set = f.base
}
