package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisOptions configures a RedisStore.
type RedisOptions struct {
	// Prefix is put before every key, as given: "aliscout:cache:" keeps the
	// cache apart from anything else in the same Redis database.
	Prefix string
}

// RedisStore is a Store in Redis, so that several aliscout replicas share
// one cache and one set of upstream calls. Each entry is one Redis string
// whose Redis TTL is the keepFor given to Set; its value is a header line
// with the stored-at time followed by the cached bytes, readable with
// redis-cli when the bytes are JSON.
type RedisStore struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisStore returns a RedisStore using client. The caller owns the
// client and closes it.
func NewRedisStore(client redis.UniversalClient, opts RedisOptions) *RedisStore {
	return &RedisStore{client: client, prefix: opts.Prefix}
}

// redisHeader starts every stored value; the version lets a later format
// tell old entries apart instead of misreading them.
const redisHeader = "aliscout1 "

// Get implements Store.
func (s *RedisStore) Get(ctx context.Context, key string) (Entry, bool, error) {
	raw, err := s.client.Get(ctx, s.prefix+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return Entry{}, false, nil
	}
	if err != nil {
		return Entry{}, false, fmt.Errorf("cache: redis get: %w", err)
	}
	e, err := decodeRedis(raw)
	if err != nil {
		return Entry{}, false, fmt.Errorf("cache: redis get: %w", err)
	}
	return e, true, nil
}

// Set implements Store.
func (s *RedisStore) Set(ctx context.Context, key string, e Entry, keepFor time.Duration) error {
	if keepFor < 0 {
		keepFor = 0 // go-redis reads a negative expiration as "keep the old TTL"
	}
	if err := s.client.Set(ctx, s.prefix+key, encodeRedis(e), keepFor).Err(); err != nil {
		return fmt.Errorf("cache: redis set: %w", err)
	}
	return nil
}

func encodeRedis(e Entry) []byte {
	b := make([]byte, 0, len(redisHeader)+len(time.RFC3339Nano)+1+len(e.Value))
	b = append(b, redisHeader...)
	b = e.StoredAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '\n')
	return append(b, e.Value...)
}

func decodeRedis(raw []byte) (Entry, error) {
	rest, ok := bytes.CutPrefix(raw, []byte(redisHeader))
	if !ok {
		return Entry{}, errors.New("unknown value format")
	}
	stamp, value, ok := bytes.Cut(rest, []byte{'\n'})
	if !ok {
		return Entry{}, errors.New("value without stored-at line")
	}
	at, err := time.Parse(time.RFC3339Nano, string(stamp))
	if err != nil {
		return Entry{}, fmt.Errorf("stored-at: %w", err)
	}
	return Entry{Value: value, StoredAt: at}, nil
}
