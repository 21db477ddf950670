package redis

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/cache/cachetest"
)

func TestRedisStoreTTLAndPrefix(t *testing.T) {
	s, client, prefix := newRedisStore(t)
	ctx := t.Context()
	tests := []struct {
		key     string
		keepFor time.Duration
		want    time.Duration // Redis PTTL; -1 means none
	}{
		{"hour", time.Hour, time.Hour},
		{"odd", 1500 * time.Millisecond, 1500 * time.Millisecond},
		{"forever", 0, -1},
		{"negative", -time.Second, -1},
	}
	for _, tt := range tests {
		if err := s.Set(ctx, tt.key, cache.Entry{Value: []byte("v"), StoredAt: time.Now()}, tt.keepFor); err != nil {
			t.Fatalf("Set(%s) = %v", tt.key, err)
		}
		got, err := client.PTTL(ctx, prefix+tt.key).Result()
		if err != nil {
			t.Fatalf("PTTL %s%s: %v", prefix, tt.key, err)
		}
		if tt.want < 0 {
			if got >= 0 {
				t.Errorf("Set(%s, keepFor %v): Redis TTL = %v; want none", tt.key, tt.keepFor, got)
			}
			continue
		}
		if got <= 0 || got > tt.want || got < tt.want-time.Minute {
			t.Errorf("Set(%s, keepFor %v): Redis TTL = %v; want about %v", tt.key, tt.keepFor, got, tt.want)
		}
	}
}

func TestRedisStoreValueFormat(t *testing.T) {
	s, client, prefix := newRedisStore(t)
	ctx := t.Context()
	at := time.Date(2025, 3, 14, 9, 26, 53, 5, time.UTC)
	s.Set(ctx, "k", cache.Entry{Value: []byte(`{"id":1}`), StoredAt: at}, time.Hour)
	raw, err := client.Get(ctx, prefix+"k").Result()
	if want := "aliscout1 2025-03-14T09:26:53.000000005Z\n{\"id\":1}"; err != nil || raw != want {
		t.Errorf("GET %sk = %q, %v; want %q", prefix, raw, err, want)
	}
}

func TestRedisStoreUnreadableValue(t *testing.T) {
	s, client, prefix := newRedisStore(t)
	ctx := t.Context()
	for _, raw := range []string{
		`{"written":"by something else"}`,
		"aliscout1 no newline",
		"aliscout1 yesterday\n{}",
	} {
		client.Set(ctx, prefix+"k", raw, time.Minute)
		if _, ok, err := s.Get(ctx, "k"); err == nil || ok {
			t.Errorf("Get of %q = %v, %v; want an error", raw, ok, err)
		}
	}
}

func TestRedisStoreDown(t *testing.T) {
	s := NewCacheStore(unreachableRedis(t), CacheOptions{})
	if _, _, err := s.Get(t.Context(), "k"); err == nil {
		t.Errorf("Get on an unreachable Redis = nil error; want one")
	}
	if err := s.Set(t.Context(), "k", cache.Entry{}, time.Minute); err == nil {
		t.Errorf("Set on an unreachable Redis = nil error; want one")
	}
}

// redisAddr is the Redis that the development machines and CI run.
const redisAddr = "127.0.0.1:6379"

// redisReachable pings the test Redis once for the whole run, so that a
// machine without one skips quickly.
var redisReachable = sync.OnceValue(func() error {
	client := goredis.NewClient(&goredis.Options{Addr: redisAddr, DialTimeout: time.Second, MaxRetries: -1})
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return client.Ping(ctx).Err()
})

// redisClient connects to the test Redis, or skips the test when there is
// none, unless ALISCOUT_REQUIRE_REDIS=1 makes that a failure (CI sets it).
func redisClient(t testing.TB) *goredis.Client {
	t.Helper()
	if err := redisReachable(); err != nil {
		if os.Getenv("ALISCOUT_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis at %s is not reachable and ALISCOUT_REQUIRE_REDIS=1: %v", redisAddr, err)
		}
		t.Skipf("redis at %s is not reachable (%v): skipping; set ALISCOUT_REQUIRE_REDIS=1 to fail instead", redisAddr, err)
	}
	client := goredis.NewClient(&goredis.Options{Addr: redisAddr, DialTimeout: time.Second})
	t.Cleanup(func() { client.Close() })
	return client
}

// newRedisStore returns a RedisStore under a prefix of its own, whose keys
// are deleted when the test ends.
func newRedisStore(t testing.TB) (*CacheStore, *goredis.Client, string) {
	t.Helper()
	client := redisClient(t)
	var b [8]byte
	rand.Read(b[:])
	prefix := "aliscout-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			if err := client.Del(ctx, iter.Val()).Err(); err != nil {
				t.Errorf("cleanup: del %s: %v", iter.Val(), err)
			}
		}
		if err := iter.Err(); err != nil {
			t.Errorf("cleanup: scan %s*: %v", prefix, err)
		}
	})
	return NewCacheStore(client, CacheOptions{Prefix: prefix}), client, prefix
}

// unreachableRedis returns a client of a Redis that refuses connections.
func unreachableRedis(t testing.TB) *goredis.Client {
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	return client
}

func TestCacheOverUnreachableRedis(t *testing.T) {
	c := cache.New(NewCacheStore(unreachableRedis(t), CacheOptions{}), cache.Options{})
	got, err := c.Fetch(t.Context(), "k", time.Minute, func(context.Context) ([]byte, error) { return []byte("v"), nil })
	if err != nil || string(got.Value) != "v" {
		t.Errorf("Fetch with Redis down = %+v, %v; want \"v\" loaded", got, err)
	}
	if st := c.Stats(); st.StoreErrors == 0 {
		t.Errorf("Stats().StoreErrors = 0; want the failures counted")
	}
}

func TestReplicasShareOneRedis(t *testing.T) {
	s, _, _ := newRedisStore(t)
	now := time.Now()
	a := cache.New(s, cache.Options{Now: func() time.Time { return now }})
	b := cache.New(NewCacheStore(s.client, CacheOptions{Prefix: s.prefix}), cache.Options{Now: func() time.Time { return now }})
	l := &loader{value: "v"}
	a.Fetch(t.Context(), "k", time.Minute, l.load)
	got, err := b.Fetch(t.Context(), "k", time.Minute, l.load)
	if err != nil || !got.Hit || string(got.Value) != "v" {
		t.Errorf("second replica's Fetch = %+v, %v; want the first replica's entry as a hit", got, err)
	}
	if n := l.calls.Load(); n != 1 {
		t.Errorf("loads across two replicas = %d; want 1", n)
	}
}

func TestCacheStoreContract(t *testing.T) {
	cachetest.TestStore(t, cachetest.Backend{
		Open: func(t *testing.T, now func() time.Time) cache.Store {
			s, _, _ := newRedisStore(t)
			return s
		},
	})
}

// loader counts the loads of one value.
type loader struct {
	value string
	calls atomic.Int32
}

func (l *loader) load(context.Context) ([]byte, error) {
	l.calls.Add(1)
	return []byte(l.value), nil
}

// hangingRedis is a TCP server that accepts connections and never answers, the worst kind of
// Redis outage: every call waits for its timeout.
func hangingRedis(t *testing.T) *goredis.Client {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	client := goredis.NewClient(&goredis.Options{Addr: ln.Addr().String(), MaxRetries: -1, ContextTimeoutEnabled: true})
	t.Cleanup(func() {
		client.Close()
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return client
}

// TestRedisDownFallsBackFast: with Redis hanging, the first call waits its short timeout, logs
// one warning and switches to the in-process fallback; the next hundred calls do not touch
// Redis at all, and what they store is found again.
func TestRedisDownFallsBackFast(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := NewCacheStore(hangingRedis(t), CacheOptions{Fallback: cache.NewMemoryStore(cache.MemoryOptions{}),
		Timeout: 100 * time.Millisecond, DownFor: time.Minute, Logger: log})
	c := cache.New(s, cache.Options{})
	ctx := t.Context()
	start := time.Now()
	loads := 0
	for i := range 100 {
		r, err := c.Fetch(ctx, "k", time.Minute, func(context.Context) ([]byte, error) { loads++; return []byte("v"), nil })
		if err != nil || string(r.Value) != "v" {
			t.Fatalf("fetch %d with Redis hanging = %+v, %v", i, r, err)
		}
	}
	if loads != 1 {
		t.Errorf("100 fetches with Redis down made %d loads; want 1 (the fallback keeps the entry)", loads)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("100 fetches with Redis hanging took %v; want Redis left alone after the first timeout", d)
	}
	if n := strings.Count(logs.String(), "redis is not answering"); n != 1 {
		t.Errorf("logged %d warnings; want 1:\n%s", n, logs.String())
	}
}
