package aliexpress

import (
	"context"
	"sync"
	"time"
)

// The platform bans a method for a while when it is called too often, and caps an app's calls per
// day. A Client keeps under both by itself: a Limiter spaces the calls of each method and a Budget
// counts the day's calls. The in-memory ones below are the defaults; several processes that share
// one app key share one QPS and one daily quota, and want a Limiter and a Budget that share their
// state (in Redis, say), set with WithLimiter and WithBudget.

// Limiter keeps a client's calls under the platform's per-method rate limits. The client calls Wait
// before every attempt of every call. Implementations must be safe for concurrent use.
type Limiter interface {
	// Wait blocks until a call to method may start, or until ctx is done, when it returns an error.
	Wait(ctx context.Context, method string) error
}

// Budget counts a client's calls against a daily quota. The platform's day ends at midnight GMT+8
// (PlatformDay). Implementations must be safe for concurrent use.
type Budget interface {
	// Take records one call at now, unless the day's budget is used up: then ok is false, nothing
	// is recorded and the client makes no call (ErrBudgetExhausted). An error fails the call
	// without making it (ErrUnavailable); an implementation that prefers to let calls through
	// when its store is down returns true instead.
	Take(ctx context.Context, now time.Time) (ok bool, err error)
	// Used returns the calls recorded in the platform day of now, and the daily limit (0: none).
	Used(ctx context.Context, now time.Time) (used, limit int, err error)
}

// MethodBudget is a Budget that counts each call by its API method, and may refuse a call for a
// reason of its own (a user's share of the quota used up, say). When a client's Budget has
// TakeMethod, the client calls it instead of Take.
//
// A refusal is ok false with a nil error, as for Take, or an error that has a method
// BudgetExhausted() bool answering true: the client then fails the call with ErrBudgetExhausted,
// the error's message, and the error itself in Error.Err (for errors.As). Any other error fails
// the call as Take's errors do.
type MethodBudget interface {
	Budget
	TakeMethod(ctx context.Context, now time.Time, method string) (ok bool, err error)
}

// budgetRefusal is what a MethodBudget's refusing error has.
type budgetRefusal interface{ BudgetExhausted() bool }

// DefaultRateLimits returns the platform's published per-method QPS limits (the DS "API QPS"
// page), which a client keeps under by itself; methods not listed are not limited by the client.
// The map is a fresh copy each time.
func DefaultRateLimits() map[string]int {
	return map[string]int{
		"aliexpress.ds.product.get":        500,
		"aliexpress.trade.buy.placeorder":  150,
		"aliexpress.ds.order.create":       150,
		"aliexpress.trade.ds.order.get":    1000,
		"aliexpress.ds.freight.query":      350,
		"aliexpress.ds.image.search":       15,
		"aliexpress.ds.order.tracking.get": 100,
		"aliexpress.ds.address.get":        4,
		"aliexpress.ds.category.get":       1000,
		"aliexpress.ds.feed.itemids.get":   3,
		"aliexpress.ds.feedname.get":       1000,
		"aliexpress.ds.recommend.feed.get": 1000,
	}
}

var gmt8 = time.FixedZone("GMT+8", 8*3600)

// PlatformDay names the platform day t falls in ("2026-03-02"): daily quotas reset at midnight
// GMT+8. A shared Budget can key its count by it.
func PlatformDay(t time.Time) string {
	return t.In(gmt8).Format(time.DateOnly)
}

// limiter is the default Limiter. It keeps each method under its QPS in every one-second window:
// a call may start only once the call qps places before it is a second old. (A token bucket is not
// enough: it lets nearly twice the rate through one window, and the platform counts per window and
// bans the method.) It reads the client's clock and waits with the client's sleep, so that tests
// on a fake clock do not wait.
type limiter struct {
	mu      sync.Mutex
	qps     map[string]int
	windows map[string]*window
	now     func() time.Time
	sleep   func(context.Context, time.Duration) error
}

// window holds the start times of the last qps calls of a method, oldest at next.
type window struct {
	starts []time.Time
	next   int
}

func newLimiter(qps map[string]int, now func() time.Time, sleep func(context.Context, time.Duration) error) *limiter {
	l := &limiter{qps: make(map[string]int, len(qps)), windows: map[string]*window{}, now: now, sleep: sleep}
	for m, q := range qps {
		if q > 0 {
			l.qps[m] = q
		}
	}
	return l
}

// limitSlack keeps calls a little further apart than one second, for clock skew with the gateway.
const limitSlack = 5 * time.Millisecond

// reserve books the next start time for a call to method and returns how long to wait for it.
func (l *limiter) reserve(method string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	q := l.qps[method]
	if q <= 0 {
		return 0
	}
	now := l.now()
	w := l.windows[method]
	if w == nil {
		w = &window{starts: make([]time.Time, q)}
		l.windows[method] = w
	}
	start := now
	if oldest := w.starts[w.next]; !oldest.IsZero() {
		if earliest := oldest.Add(time.Second + limitSlack); earliest.After(start) {
			start = earliest
		}
	}
	w.starts[w.next] = start
	w.next = (w.next + 1) % q
	return start.Sub(now)
}

// Wait blocks until a call to method is within its limit.
func (l *limiter) Wait(ctx context.Context, method string) error {
	if d := l.reserve(method); d > 0 {
		return l.sleep(ctx, d)
	}
	return ctx.Err()
}

// budget is the default Budget: a count per platform day in memory.
type budget struct {
	limit int
	mu    sync.Mutex
	day   string
	count int
}

// Take counts a call unless the limit is reached.
func (b *budget) Take(_ context.Context, now time.Time) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	if b.limit > 0 && b.count >= b.limit {
		return false, nil
	}
	b.count++
	return true, nil
}

// Used returns the count of the platform day of now.
func (b *budget) Used(_ context.Context, now time.Time) (int, int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	return b.count, b.limit, nil
}

func (b *budget) roll(now time.Time) {
	if d := PlatformDay(now); d != b.day {
		b.day, b.count = d, 0
	}
}

// bans holds the platform's bans of a client's methods (ApiCallLimit, HTTP 429), so that every
// caller of the client waits one out instead of each being turned away in turn. It is shared by
// the clients WithAccessToken makes.
type bans struct {
	mu    sync.Mutex
	until map[string]time.Time
}

// ban records that method is banned until the given time; a shorter ban leaves a longer one.
func (b *bans) ban(method string, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.until == nil {
		b.until = make(map[string]time.Time)
	}
	if until.After(b.until[method]) {
		b.until[method] = until
	}
}

// remaining returns how long the ban of method lasts after now (0: none).
func (b *bans) remaining(method string, now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	until, ok := b.until[method]
	if !ok {
		return 0
	}
	if !until.After(now) {
		delete(b.until, method)
		return 0
	}
	return until.Sub(now)
}
