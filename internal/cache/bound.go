package cache

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
