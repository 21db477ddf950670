package sandbox

import "time"

// publishedQPS is the platform's published per-API limit (calls per second) for DS APIs. Whether it
// is per app or platform-wide is not known; the Sandbox applies it per app.
var publishedQPS = map[string]int{
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

// qpsWindow counts one API's calls in the current second of the Sandbox's clock.
type qpsWindow struct {
	second   int64
	n        int
	banUntil time.Time
}

// banLength is how long the platform bans an API after its rate is exceeded.
const banLength = time.Second

// admit applies the call limits to one call that passed the other checks: an injected burst, the
// API's QPS and the app's daily quota. Limits follow the Sandbox's clock, so a test with a frozen
// clock stays throttled until it moves the clock.
func (s *Sandbox) admit(api string, now time.Time) *apiError {
	if s.takeBurst(api) {
		return callLimitError(banLength)
	}
	limit, ok := s.opts.QPS[api]
	if !ok {
		limit = s.opts.DefaultQPS
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.DailyQuota > 0 {
		local := now.In(gmt8)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, gmt8)
		if day.Unix() != s.quotaDay {
			s.quotaDay, s.quotaCount = day.Unix(), 0
		}
		if s.quotaCount >= s.opts.DailyQuota {
			return callLimitError(day.AddDate(0, 0, 1).Sub(now))
		}
		s.quotaCount++
	}
	if limit < 0 {
		return nil
	}
	w := s.qps[api]
	if w == nil {
		w = &qpsWindow{}
		s.qps[api] = w
	}
	if now.Before(w.banUntil) {
		return callLimitError(w.banUntil.Sub(now))
	}
	if sec := now.Unix(); sec != w.second {
		w.second, w.n = sec, 0
	}
	w.n++
	if w.n > limit {
		w.banUntil = now.Add(banLength)
		return callLimitError(banLength)
	}
	return nil
}
