package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// LimiterOptions configures a Limiter.
type LimiterOptions struct {
	// Prefix is put before every key ("aliscout:qps:").
	Prefix string
	// Timeout bounds each Redis call (default 500ms).
	Timeout time.Duration
	// DownFor is how long Redis is left alone after a failure (default 10s); meanwhile each
	// replica keeps under the limits on its own.
	DownFor time.Duration
	// Logger gets one warning when Redis goes down.
	Logger *slog.Logger
}

// Limiter is the SDK's Limiter (aliexpress.Limiter) in Redis: every replica's calls to a method
// share its per-second limit. Like the SDK's own, it lets a call start only once the call qps
// places before it is a second old (a sliding window, kept as a sorted set of start times per
// method, on Redis's clock so that the replicas' clocks need not agree). While Redis is down
// each replica keeps under the limits alone, in memory.
type Limiter struct {
	client  goredis.UniversalClient
	prefix  string
	qps     map[string]int
	timeout time.Duration
	downFor time.Duration
	log     *slog.Logger
	id      string
	seq     atomic.Int64

	mu        sync.Mutex
	downUntil time.Time
	local     map[string][]time.Time // the fallback's start times per method
}

// NewLimiter returns a Limiter keeping each method of qps (calls per second) under its limit;
// methods not in it are not limited.
func NewLimiter(client goredis.UniversalClient, qps map[string]int, o LimiterOptions) *Limiter {
	var b [6]byte
	rand.Read(b[:])
	l := &Limiter{client: client, prefix: o.Prefix, qps: map[string]int{}, timeout: o.Timeout, downFor: o.DownFor, log: o.Logger,
		id: hex.EncodeToString(b[:]), local: map[string][]time.Time{}}
	for m, q := range qps {
		if q > 0 {
			l.qps[m] = q
		}
	}
	if l.timeout <= 0 {
		l.timeout = 500 * time.Millisecond
	}
	if l.downFor <= 0 {
		l.downFor = 10 * time.Second
	}
	if l.log == nil {
		l.log = slog.Default()
	}
	return l
}

// window is one second and the SDK's slack for clock skew with the gateway, in microseconds.
const windowMicros = 1_005_000

// reserveScript books a start in the window when there is room and returns 0, or returns how
// many microseconds to wait before asking again. KEYS: the method's set. ARGV: qps, member.
var reserveScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local window = ` + strconv.Itoa(windowMicros) + `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('PEXPIRE', KEYS[1], 2000)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
local wait = tonumber(oldest[2]) + window - now
if wait < 1 then wait = 1 end
return wait
`)

// Wait implements aliexpress.Limiter.
func (l *Limiter) Wait(ctx context.Context, method string) error {
	q := l.qps[method]
	if q <= 0 {
		return ctx.Err()
	}
	for {
		wait, err := l.reserve(ctx, method, q)
		if err != nil {
			return err
		}
		if wait <= 0 {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

func (l *Limiter) reserve(ctx context.Context, method string, q int) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if l.isDown() {
		return l.reserveLocal(method, q), nil
	}
	rctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	member := l.id + ":" + strconv.FormatInt(l.seq.Add(1), 10)
	us, err := reserveScript.Run(rctx, l.client, []string{l.prefix + method}, q, member).Int64()
	if err != nil {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		l.mu.Lock()
		wasUp := l.downUntil.IsZero()
		l.downUntil = time.Now().Add(l.downFor)
		l.mu.Unlock()
		if wasUp {
			l.log.Warn("redis is not answering: each replica keeps under AliExpress's rate limits alone until it is back", "err", fmt.Sprint(err))
		}
		return l.reserveLocal(method, q), nil
	}
	l.mu.Lock()
	l.downUntil = time.Time{}
	l.mu.Unlock()
	return time.Duration(us) * time.Microsecond, nil
}

func (l *Limiter) isDown() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.downUntil.IsZero() && time.Now().Before(l.downUntil)
}

// reserveLocal is the in-memory sliding window of the fallback.
func (l *Limiter) reserveLocal(method string, q int) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	starts := l.local[method]
	cut := 0
	for cut < len(starts) && now.Sub(starts[cut]) >= windowMicros*time.Microsecond {
		cut++
	}
	starts = starts[cut:]
	if len(starts) < q {
		l.local[method] = append(starts, now)
		return 0
	}
	l.local[method] = starts
	return starts[0].Add(windowMicros * time.Microsecond).Sub(now)
}
