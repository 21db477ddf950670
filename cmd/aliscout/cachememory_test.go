package main

import (
	"fmt"
	"testing"

	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/config"
)

// TestMemoryCacheBound: ALISCOUT_CACHE_MEMORY bounds the cache serve keeps in memory, and beside
// Redis the fallback copy keeps at most 64 MiB whatever it says.
func TestMemoryCacheBound(t *testing.T) {
	value := make([]byte, 256<<10)
	fill := func(s *cache.MemoryStore, n int) {
		for i := range n {
			if err := s.Set(t.Context(), fmt.Sprint("k", i), cache.Entry{Value: value}, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, tt := range []struct {
		env  map[string]string
		fill int
		want int64
	}{
		{map[string]string{config.EnvCacheMemory: "2MiB"}, 20, 2 << 20},
		{map[string]string{}, 20, 256 << 20}, // 5 MiB filled: all kept
		{map[string]string{config.EnvCacheMemory: "1GiB", config.EnvRedisURL: "redis://127.0.0.1:6379/0"}, 300, 64 << 20},
	} {
		cfg, err := config.FromEnv(func(k string) string { return tt.env[k] })
		if err != nil {
			t.Fatal(err)
		}
		s := memoryCache(&cfg)
		fill(s, tt.fill)
		if got := s.Bytes(); got > tt.want || got < min(tt.want, int64(tt.fill)*int64(len(value)))-2*int64(len(value)) {
			t.Errorf("%v: a store filled with %d×256 KiB holds %d bytes; want the most that fits in %d", tt.env, tt.fill, got, tt.want)
		}
	}
}
