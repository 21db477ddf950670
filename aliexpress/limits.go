package aliexpress

import (
	"context"
	"sync"
	"time"
)

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

// limiter keeps each method under its QPS in every one-second window: a call may start only once
// the call qps places before it is a second old. (A token bucket is not enough: it lets nearly
// twice the rate through one window, and the platform counts per window and bans the method.)
type limiter struct {
	mu      sync.Mutex
	qps     map[string]int
	windows map[string]*window
	now     func() time.Time
}

// window holds the start times of the last qps calls of a method, oldest at next.
type window struct {
	starts []time.Time
	next   int
}

func newLimiter(qps map[string]int) *limiter {
	l := &limiter{qps: make(map[string]int, len(qps)), windows: map[string]*window{}, now: time.Now}
	for m, q := range qps {
		l.qps[m] = q
	}
	return l
}

func (l *limiter) set(method string, qps int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if qps == 0 {
		delete(l.qps, method)
	} else {
		l.qps[method] = qps
	}
	delete(l.windows, method)
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

// wait blocks until a call to method is within its limit.
func (l *limiter) wait(ctx context.Context, method string, sleep func(context.Context, time.Duration) error) error {
	if d := l.reserve(method); d > 0 {
		return sleep(ctx, d)
	}
	return ctx.Err()
}

// budget counts calls per platform day (the platform's daily quotas reset at midnight GMT+8).
type budget struct {
	limit int
	mu    sync.Mutex
	day   string
	count int
}

var gmt8 = time.FixedZone("GMT+8", 8*3600)

func (b *budget) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	if b.limit > 0 && b.count >= b.limit {
		return false
	}
	b.count++
	return true
}

func (b *budget) used(now time.Time) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(now)
	return b.count
}

func (b *budget) roll(now time.Time) {
	if d := now.In(gmt8).Format(time.DateOnly); d != b.day {
		b.day, b.count = d, 0
	}
}
