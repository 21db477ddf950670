package heapfloor

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	for _, c := range []struct {
		name        string
		live, floor uint64
		base, want  int
	}{
		{"small live heap: the goal is the floor", 8 * mib, 64 * mib, 100, 700},
		{"live heap at half the floor: Go's own goal is the floor", 32 * mib, 64 * mib, 100, 100},
		{"large live heap: Go's own pacing", 200 * mib, 64 * mib, 100, 100},
		{"live heap above the floor", 65 * mib, 64 * mib, 100, 100},
		{"a higher base is kept", 8 * mib, 64 * mib, 800, 800},
		{"tiny live heap: capped so Go's minimum goal stays at the floor", 1024, 64 * mib, 100, 1600},
		{"nothing live yet", 0, 64 * mib, 100, 1600},
		{"collection off stays off", 8 * mib, 64 * mib, -1, -1},
		{"a floor under Go's own minimum goal changes nothing", 1024, 2 * mib, 100, 100},
	} {
		if got := Percent(c.live, c.floor, c.base); got != c.want {
			t.Errorf("%s: Percent(%d, %d, %d) = %d, want %d", c.name, c.live, c.floor, c.base, got, c.want)
		}
		if c.base > 0 {
			// Whatever the percentage, neither goal Go derives from it passes the floor
			// unless Go's own pacing (base) already does.
			p := uint64(Percent(c.live, c.floor, c.base))
			if goal := c.live + c.live*p/100; p != uint64(c.base) && goal > c.floor {
				t.Errorf("%s: goal %d above floor %d", c.name, goal, c.floor)
			}
			if minimum := runtimeHeapMinimum * p / 100; minimum > c.floor && p != uint64(c.base) {
				t.Errorf("%s: Go's minimum goal %d above floor %d", c.name, minimum, c.floor)
			}
		}
	}
}

// heapGoal is the goal the runtime works to now.
func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestFloorRaisesTheGoal runs the floor on this process's own collector: after a collection, the
// runtime's heap goal is at the floor, and Stop gives it back Go's own pacing.
func TestFloorRaisesTheGoal(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	const floor = 256 << 20
	runtime.GC()
	if g := heapGoal(); g >= floor {
		t.Fatalf("the test's heap goal is %d before the floor; it cannot show the floor's effect", g)
	}
	f := Start(floor, 100)
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC() // the floor adjusts after each collection, in the finalizer goroutine
		if _, cycles := f.Stats(); cycles > 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the floor saw no collection in 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	p, _ := f.Stats()
	if got := gcPercent(); got != p || p <= 100 {
		t.Fatalf("GOGC in force %d, floor says %d; want the same, above 100", got, p)
	}
	if g := heapGoal(); g < floor*9/10 || g > floor*11/10 {
		t.Errorf("heap goal %d MiB with a %d MiB floor; want about the floor", g>>20, floor>>20)
	}
	f.Stop()
	runtime.GC()
	if got := gcPercent(); got != 100 {
		t.Errorf("GOGC after Stop = %d, want 100", got)
	}
	if g := heapGoal(); g >= floor/2 {
		t.Errorf("heap goal %d MiB after Stop; want Go's own, far below the floor", g>>20)
	}
	// A collection after Stop leaves the percentage alone.
	runtime.GC()
	time.Sleep(50 * time.Millisecond)
	if got := gcPercent(); got != 100 {
		t.Errorf("GOGC after Stop and a collection = %d, want 100", got)
	}
}

func TestZeroFloorDoesNothing(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	f := Start(0, 100)
	runtime.GC()
	time.Sleep(20 * time.Millisecond)
	if got := gcPercent(); got != 100 {
		t.Errorf("GOGC with a zero floor = %d, want 100", got)
	}
	f.Stop()
}
