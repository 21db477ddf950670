// Package redis holds aliscout's Redis adapters: the shared cache store, so that several replicas
// share one cache and one set of upstream calls.
package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/internal/cache"
)

// CacheOptions configures a CacheStore.
type CacheOptions struct {
	// Prefix is put before every key, as given: "aliscout:cache:" keeps the
	// cache apart from anything else in the same Redis database.
	Prefix string
	// Fallback holds entries while Redis is down, so that a replica keeps a
	// cache of its own instead of sending every request upstream; nil means
	// no fallback (Redis errors reach the cache, which counts them).
	Fallback cache.Store
	// DownFor is how long Redis is left alone after a call fails for a
	// reason other than a missing key, before it is tried again (default
	// 10s). Meanwhile every call goes to Fallback at once.
	DownFor time.Duration
	// Timeout bounds each Redis call (default 500ms), so that a Redis that
	// hangs costs a request that long at most, and only once per DownFor.
	Timeout time.Duration
	// Logger gets one warning when Redis goes down and one line when it is
	// back; nil means slog.Default.
	Logger *slog.Logger
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// CacheStore is a cache.Store in Redis, so that several aliscout replicas share
// one cache and one set of upstream calls. Each entry is one Redis string
// whose Redis TTL is the keepFor given to Set; its value is a header line
// with the stored-at time followed by the cached bytes, readable with
// redis-cli when the bytes are JSON.
type CacheStore struct {
	client   goredis.UniversalClient
	prefix   string
	fallback cache.Store
	downFor  time.Duration
	timeout  time.Duration
	log      *slog.Logger
	now      func() time.Time

	mu        sync.Mutex
	downUntil time.Time // zero: up
}

// NewCacheStore returns a CacheStore using client. The caller owns the
// client and closes it.
func NewCacheStore(client goredis.UniversalClient, opts CacheOptions) *CacheStore {
	s := &CacheStore{client: client, prefix: opts.Prefix, fallback: opts.Fallback, downFor: opts.DownFor,
		timeout: opts.Timeout, log: opts.Logger, now: opts.Now}
	if s.downFor <= 0 {
		s.downFor = 10 * time.Second
	}
	if s.timeout <= 0 {
		s.timeout = 500 * time.Millisecond
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// down reports whether Redis is being left alone after a failure.
func (s *CacheStore) down() bool {
	if s.fallback == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.downUntil.IsZero() && s.now().Before(s.downUntil)
}

// failed records that a Redis call failed with err: with a fallback, Redis is left alone for
// DownFor, and the first failure after it was up is logged once.
func (s *CacheStore) failed(err error) {
	if s.fallback == nil {
		return
	}
	s.mu.Lock()
	wasUp := s.downUntil.IsZero()
	s.downUntil = s.now().Add(s.downFor)
	s.mu.Unlock()
	if wasUp {
		s.log.Warn("redis is not answering: caching in this process until it is back", "err", err, "retry_every", s.downFor)
	}
}

// answered records that a Redis call succeeded.
func (s *CacheStore) answered() {
	if s.fallback == nil {
		return
	}
	s.mu.Lock()
	wasDown := !s.downUntil.IsZero()
	s.downUntil = time.Time{}
	s.mu.Unlock()
	if wasDown {
		s.log.Info("redis is answering again: the cache is shared again")
	}
}

// redisHeader starts every stored value; the version lets a later format
// tell old entries apart instead of misreading them.
const redisHeader = "aliscout1 "

// Get implements cache.Store.
func (s *CacheStore) Get(ctx context.Context, key string) (cache.Entry, bool, error) {
	if s.down() {
		return s.fallback.Get(ctx, key)
	}
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	raw, err := s.client.Get(rctx, s.prefix+key).Bytes()
	cancel()
	if errors.Is(err, goredis.Nil) {
		s.answered()
		return cache.Entry{}, false, nil
	}
	if err != nil {
		if ctx.Err() == nil && s.fallback != nil {
			s.failed(err)
			return s.fallback.Get(ctx, key)
		}
		return cache.Entry{}, false, fmt.Errorf("redis: cache get: %w", err)
	}
	s.answered()
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
	if s.down() {
		return s.fallback.Set(ctx, key, e, keepFor)
	}
	rctx, cancel := context.WithTimeout(ctx, s.timeout)
	err := s.client.Set(rctx, s.prefix+key, encodeRedis(e), keepFor).Err()
	cancel()
	if err != nil {
		if ctx.Err() == nil && s.fallback != nil {
			s.failed(err)
			return s.fallback.Set(ctx, key, e, keepFor)
		}
		return fmt.Errorf("redis: cache set: %w", err)
	}
	s.answered()
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

// RouteLogs sends the Redis client library's own log lines (connection pool, reconnects) to log,
// at warn level, instead of plain text on stderr beside a JSON log. The library keeps one logger
// for the process: call it once, from main.
func RouteLogs(log *slog.Logger) { goredis.SetLogger(slogLogging{log}) }

type slogLogging struct{ log *slog.Logger }

func (l slogLogging) Printf(ctx context.Context, format string, v ...any) {
	l.log.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
