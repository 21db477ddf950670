package cache_test

import (
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/cache/cachetest"
)

func TestMemoryStore(t *testing.T) {
	cachetest.TestStore(t, cachetest.Backend{
		Open: func(t *testing.T, now func() time.Time) cache.Store {
			return cache.NewMemoryStore(cache.MemoryOptions{MaxEntries: 1000, Now: now})
		},
		ExpiresByClock: true,
	})
}
