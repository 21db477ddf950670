package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// clock is a settable time source, so expiry is tested without sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock {
	return &clock{now: time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// redisAddr is the Redis that the development machines and CI run.
const redisAddr = "127.0.0.1:6379"

// redisReachable pings the test Redis once for the whole run, so that a
// machine without one skips quickly.
var redisReachable = sync.OnceValue(func() error {
	client := redis.NewClient(&redis.Options{Addr: redisAddr, DialTimeout: time.Second, MaxRetries: -1})
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return client.Ping(ctx).Err()
})

// redisClient connects to the test Redis, or skips the test when there is
// none, unless ALISCOUT_REQUIRE_REDIS=1 makes that a failure (CI sets it).
func redisClient(t testing.TB) *redis.Client {
	t.Helper()
	if err := redisReachable(); err != nil {
		if os.Getenv("ALISCOUT_REQUIRE_REDIS") == "1" {
			t.Fatalf("redis at %s is not reachable and ALISCOUT_REQUIRE_REDIS=1: %v", redisAddr, err)
		}
		t.Skipf("redis at %s is not reachable (%v): skipping; set ALISCOUT_REQUIRE_REDIS=1 to fail instead", redisAddr, err)
	}
	client := redis.NewClient(&redis.Options{Addr: redisAddr, DialTimeout: time.Second})
	t.Cleanup(func() { client.Close() })
	return client
}

// newRedisStore returns a RedisStore under a prefix of its own, whose keys
// are deleted when the test ends.
func newRedisStore(t testing.TB) (*RedisStore, *redis.Client, string) {
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
	return NewRedisStore(client, RedisOptions{Prefix: prefix}), client, prefix
}

// unreachableRedis returns a client of a Redis that refuses connections.
func unreachableRedis(t testing.TB) *redis.Client {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	return client
}

// backend is one Store implementation as the shared suites see it.
type backend struct {
	name string
	// open returns an empty store. now is the clock a store that expires
	// entries itself by time may use.
	open func(t *testing.T, now func() time.Time) Store
	// expiresByClock reports that the store's expiry follows now, so the
	// suite can test it without waiting.
	expiresByClock bool
}

var backends = []backend{
	{
		name: "memory",
		open: func(t *testing.T, now func() time.Time) Store {
			return NewMemoryStore(MemoryOptions{MaxEntries: 1000, Now: now})
		},
		expiresByClock: true,
	},
	{
		name: "redis",
		open: func(t *testing.T, now func() time.Time) Store {
			s, _, _ := newRedisStore(t)
			return s
		},
	},
}

// failingStore fails every call it is told to fail, and otherwise passes
// through to a MemoryStore.
type failingStore struct {
	inner   Store
	failGet bool
	failSet bool
}

var errStoreDown = errors.New("store down")

func (s *failingStore) Get(ctx context.Context, key string) (Entry, bool, error) {
	if s.failGet {
		return Entry{}, false, errStoreDown
	}
	return s.inner.Get(ctx, key)
}

func (s *failingStore) Set(ctx context.Context, key string, e Entry, keepFor time.Duration) error {
	if s.failSet {
		return errStoreDown
	}
	return s.inner.Set(ctx, key, e, keepFor)
}
