package redis

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
)

// QuotaOptions configures a QuotaCounter.
type QuotaOptions struct {
	// Prefix is put before every key ("aliscout:quota:").
	Prefix string
	// Fallback counts while Redis is down: the store's counter, which every replica shares too,
	// so that the budget still holds (short of the calls Redis counted since they were last
	// copied to the store). Nil: Redis errors fail the calls.
	Fallback quota.Counter
	// DownFor is how long Redis is left alone after a failure (default 10s).
	DownFor time.Duration
	// Timeout bounds each Redis call (default 500ms).
	Timeout time.Duration
	// KeepFor is how long a day's counts stay in Redis (default 3 days): long enough to be
	// copied to the store (CopyToStore).
	KeepFor time.Duration
	// Logger gets one warning when Redis goes down and one line when it is back.
	Logger *slog.Logger
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// QuotaCounter is a quota.Counter in Redis, which every replica shares. A day's counts are
// three keys with the day as hash tag: the total, the users' totals (a hash by user id) and
// the calls by user, method and kind (a hash by "user|method|kind"). One Lua script reads the
// state, applies the policy and counts, so no two replicas see the same state.
type QuotaCounter struct {
	client   goredis.UniversalClient
	prefix   string
	fallback quota.Counter
	downFor  time.Duration
	timeout  time.Duration
	keepFor  time.Duration
	log      *slog.Logger
	now      func() time.Time

	mu        sync.Mutex
	downUntil time.Time
}

// NewQuotaCounter returns a QuotaCounter on client, which the caller owns.
func NewQuotaCounter(client goredis.UniversalClient, o QuotaOptions) *QuotaCounter {
	c := &QuotaCounter{client: client, prefix: o.Prefix, fallback: o.Fallback, downFor: o.DownFor, timeout: o.Timeout,
		keepFor: o.KeepFor, log: o.Logger, now: o.Now}
	if c.downFor <= 0 {
		c.downFor = 10 * time.Second
	}
	if c.timeout <= 0 {
		c.timeout = 500 * time.Millisecond
	}
	if c.keepFor <= 0 {
		c.keepFor = 72 * time.Hour
	}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// takeScript mirrors quota.Policy.Decide. KEYS: total, users, calls. ARGV: user id, calls
// field, budget, reserve, fixed share, seconds to keep. It returns verdict, total, the user's
// calls and the users (the caller counted), as they were before the call.
var takeScript = goredis.NewScript(`
local total = tonumber(redis.call('GET', KEYS[1]) or '0')
local user = ARGV[1]
local users = redis.call('HLEN', KEYS[2])
local userCalls = 0
if user ~= '0' then
  userCalls = tonumber(redis.call('HGET', KEYS[2], user) or '0')
  if userCalls == 0 then users = users + 1 end
end
local budget, reserve, fixed = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local verdict = 0
if budget > 0 then
  if total >= budget then
    verdict = 1
  elseif user ~= '0' then
    local share = fixed
    if share <= 0 then
      local n = users
      if n < 1 then n = 1 end
      share = math.floor((budget - reserve) / n)
      if share < 1 then share = 1 end
    end
    if userCalls >= share and budget - total <= reserve then verdict = 2 end
  end
end
if verdict == 0 then
  local keep = tonumber(ARGV[6])
  redis.call('INCR', KEYS[1])
  redis.call('EXPIRE', KEYS[1], keep)
  if user ~= '0' then
    redis.call('HINCRBY', KEYS[2], user, 1)
    redis.call('EXPIRE', KEYS[2], keep)
  end
  redis.call('HINCRBY', KEYS[3], ARGV[2], 1)
  redis.call('EXPIRE', KEYS[3], keep)
end
return {verdict, total, userCalls, users}
`)

func (c *QuotaCounter) keys(day string) []string {
	base := c.prefix + "{" + day + "}:"
	return []string{base + "total", base + "users", base + "calls"}
}

// Take implements quota.Counter.
func (c *QuotaCounter) Take(ctx context.Context, call quota.Call, p quota.Policy) (quota.State, quota.Verdict, error) {
	if c.down() {
		return c.fallback.Take(ctx, call, p)
	}
	field := strconv.FormatInt(call.Caller.UserID, 10) + "|" + call.Method + "|" + string(call.Caller.Kind)
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	res, err := takeScript.Run(rctx, c.client, c.keys(call.Day), call.Caller.UserID, field, p.Budget, p.Reserve, p.Share,
		int64(c.keepFor/time.Second)).Int64Slice()
	if err != nil || len(res) != 4 {
		if err == nil {
			err = fmt.Errorf("unexpected answer %v", res)
		}
		if c.failed(err) {
			return c.fallback.Take(ctx, call, p)
		}
		return quota.State{}, 0, fmt.Errorf("redis: quota: %w", err)
	}
	c.answered()
	return quota.State{Total: res[1], UserCalls: res[2], Users: int(res[3])}, quota.Verdict(res[0]), nil
}

// DayTotal implements quota.Counter.
func (c *QuotaCounter) DayTotal(ctx context.Context, day string) (int64, error) {
	if c.down() {
		return c.fallback.DayTotal(ctx, day)
	}
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	n, err := c.client.Get(rctx, c.keys(day)[0]).Int64()
	switch {
	case err == goredis.Nil:
		c.answered()
		return 0, nil
	case err != nil:
		if c.failed(err) {
			return c.fallback.DayTotal(ctx, day)
		}
		return 0, fmt.Errorf("redis: quota: %w", err)
	}
	c.answered()
	return n, nil
}

// Counts returns the day's counts by user, method and kind as Redis has them.
func (c *QuotaCounter) Counts(ctx context.Context, day string) ([]store.QuotaCount, error) {
	rctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	m, err := c.client.HGetAll(rctx, c.keys(day)[2]).Result()
	if err != nil {
		return nil, fmt.Errorf("redis: quota counts: %w", err)
	}
	out := make([]store.QuotaCount, 0, len(m))
	for field, v := range m {
		user, rest, ok1 := strings.Cut(field, "|")
		i := strings.LastIndexByte(rest, '|')
		id, err1 := strconv.ParseInt(user, 10, 64)
		n, err2 := strconv.ParseInt(v, 10, 64)
		if !ok1 || i < 0 || err1 != nil || err2 != nil {
			continue // not ours
		}
		out = append(out, store.QuotaCount{Day: day, UserID: id, Method: rest[:i], Kind: rest[i+1:], Calls: n})
	}
	return out, nil
}

// CopyToStore raises the store's counts of the days of now and the day before to Redis's, so
// that the operator console and the DS assessment see them. Copying twice is harmless.
func (c *QuotaCounter) CopyToStore(ctx context.Context, st store.Quota) error {
	now := c.now()
	for _, day := range []string{quota.Day(now.Add(-24 * time.Hour)), quota.Day(now)} {
		counts, err := c.Counts(ctx, day)
		if err != nil {
			return err
		}
		if len(counts) == 0 {
			continue
		}
		if err := st.RaiseQuotaCounts(ctx, counts); err != nil {
			return err
		}
	}
	return nil
}

func (c *QuotaCounter) down() bool {
	if c.fallback == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.downUntil.IsZero() && c.now().Before(c.downUntil)
}

// failed records a failure and reports whether the fallback takes over.
func (c *QuotaCounter) failed(err error) bool {
	if c.fallback == nil {
		return false
	}
	c.mu.Lock()
	wasUp := c.downUntil.IsZero()
	c.downUntil = c.now().Add(c.downFor)
	c.mu.Unlock()
	if wasUp {
		c.log.Warn("redis is not answering: counting AliExpress calls in the store until it is back", "err", err, "retry_every", c.downFor)
	}
	return true
}

func (c *QuotaCounter) answered() {
	if c.fallback == nil {
		return
	}
	c.mu.Lock()
	wasDown := !c.downUntil.IsZero()
	c.downUntil = time.Time{}
	c.mu.Unlock()
	if wasDown {
		c.log.Info("redis is answering again: AliExpress calls are counted there again")
	}
}
