// Package redis holds aliscout's Redis adapters: the shared cache store, so that several replicas
// share one cache and one set of upstream calls.
package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/internal/cache"
)

// CacheOptions configures a CacheStore.
type CacheOptions struct {
	// Prefix is put before every key, as given: "aliscout:cache:" keeps the
	// cache apart from anything else in the same Redis database.
	Prefix string
}

// CacheStore is a cache.Store in Redis, so that several aliscout replicas share
// one cache and one set of upstream calls. Each entry is one Redis string
// whose Redis TTL is the keepFor given to Set; its value is a header line
// with the stored-at time followed by the cached bytes, readable with
// redis-cli when the bytes are JSON.
type CacheStore struct {
	client goredis.UniversalClient
	prefix string
}

// NewCacheStore returns a CacheStore using client. The caller owns the
// client and closes it.
func NewCacheStore(client goredis.UniversalClient, opts CacheOptions) *CacheStore {
	return &CacheStore{client: client, prefix: opts.Prefix}
}

// redisHeader starts every stored value; the version lets a later format
// tell old entries apart instead of misreading them.
const redisHeader = "aliscout1 "

// Get implements cache.Store.
func (s *CacheStore) Get(ctx context.Context, key string) (cache.Entry, bool, error) {
	raw, err := s.client.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, goredis.Nil) {
		return cache.Entry{}, false, nil
	}
	if err != nil {
		return cache.Entry{}, false, fmt.Errorf("redis: cache get: %w", err)
	}
	e, err := decodeRedis(raw)
	if err != nil {
		return cache.Entry{}, false, fmt.Errorf("redis: cache get: %w", err)
	}
	return e, true, nil
}

// Set implements cache.Store.
func (s *CacheStore) Set(ctx context.Context, key string, e cache.Entry, keepFor time.Duration) error {
	if keepFor < 0 {
		keepFor = 0 // go-redis reads a negative expiration as "keep the old TTL"
	}
	if err := s.client.Set(ctx, s.prefix+key, encodeRedis(e), keepFor).Err(); err != nil {
		return fmt.Errorf("redis: cache set: %w", err)
	}
	return nil
}

func encodeRedis(e cache.Entry) []byte {
	b := make([]byte, 0, len(redisHeader)+len(time.RFC3339Nano)+1+len(e.Value))
	b = append(b, redisHeader...)
	b = e.StoredAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '\n')
	return append(b, e.Value...)
}

func decodeRedis(raw []byte) (cache.Entry, error) {
	rest, ok := bytes.CutPrefix(raw, []byte(redisHeader))
	if !ok {
		return cache.Entry{}, errors.New("unknown value format")
	}
	stamp, value, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return cache.Entry{}, errors.New("value without stored-at line")
	}
	at, err := time.Parse(time.RFC3339Nano, string(stamp))
	if err != nil {
		return cache.Entry{}, fmt.Errorf("stored-at: %w", err)
	}
	return cache.Entry{Value: value, StoredAt: at}, nil
}
