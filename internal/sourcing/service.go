// Package sourcing is aliscout's AliExpress-backed catalog service: searches, products, shipping,
// categories, affiliate links and the health of the connection, read through the cache so that
// the platform's call quota is spent once per answer. It converts the SDK's answers into the
// domain (internal/catalog) as they enter, and it is the one place where the SDK's errors get
// words (Translate) that the pages, the API, the command line and the metrics share.
package sourcing

import (
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// ServiceOptions configures a Service.
type ServiceOptions struct {
	TTLs TTLs
	// DS says the client carries a dropshipping access token: variants, stock and shipping then
	// come from the DS API.
	DS        bool
	Simulated bool
	Now       func() time.Time
	Logger    *slog.Logger
	// ScanPages bounds how many upstream pages of 50 one search reads when it applies filters
	// AliExpress cannot apply (default 6, i.e. 300 products).
	ScanPages int
	// EnrichLimit bounds how many products of one search get their shipping fetched to check the
	// free-shipping and delivery-days filters (default 60); the visible page always does.
	EnrichLimit int
	// LazyShipping leaves the shipping of a search's products to SearchShipping when the search
	// needs none to filter or sort: the search costs one upstream call instead of one per product
	// shown, and the products whose shipping the cache lacks are marked ShippingPending. The web
	// app asks for it as the page loads; the command line wants it at once.
	LazyShipping bool
	// Parallel bounds concurrent upstream calls of one request (default 6).
	Parallel int
	// BreakAfter is how many failures in a row of one AliExpress method (the platform not
	// answering, not "no such product") pause that method's calls for BreakFor; then one call
	// probes. Defaults 5 and 30s.
	BreakAfter int
	BreakFor   time.Duration
	// LinkClient follows short links (s.click.aliexpress.com/e/…) to their product; nil means the
	// AliExpress client's own HTTP client. On the simulator it is sandbox.ShortLinkClient, which
	// sends them to the simulator, whose links they are, and nowhere else.
	LinkClient *http.Client
	// MemoFor is how long a search result is kept decoded in this process (default 15s), so that
	// a popular search costs neither a call nor decoding the cached answers again. Negative: off.
	MemoFor time.Duration
}

// Service answers searches and product lookups from AliExpress through the cache, so that
// repeated and concurrent requests cost one call, and a failing platform serves the last good data
// marked stale.
type Service struct {
	ae    *aliexpress.Client
	cache *cache.Cache
	opts  ServiceOptions

	// health, memo, products and breaker are shared with the views ForAccount makes.
	health   *lastHealth
	memo     *searchMemo
	products *keptMemo[catalog.Product]       // keyed by account, for the views too
	quotes   *keptMemo[catalog.ShippingQuote] // likewise

	// ns keeps this gateway's and app's answers apart from another's in a shared cache.
	ns string

	breaker *breaker

	// cats is the sorted category tree, decoded, shared with the views.
	cats *categoryMemo

	// acct is the connected account a view made by ForAccount acts as; nil for the service
	// itself, whose DS calls (when DS is on) use the server-wide token of its client.
	acct *accountView
}

// lastHealth is the outcome of the last health check.
type lastHealth struct {
	mu sync.Mutex
	h  catalog.Health
}

// searchMemo holds decoded search results for MemoFor.
type searchMemo struct {
	mu       sync.Mutex
	m        map[string]memoEntry
	sweeping bool // a sweep of the ended entries is due (cache.SweepLater)
}

// dropEnded drops the entries that have ended at now, and reports whether any remain; the
// caller holds m.mu.
func (m *searchMemo) dropEnded(now time.Time) bool {
	return cache.DropIf(m.m, func(e memoEntry) bool { return !now.Before(e.expires) })
}

// NewService returns a service calling AliExpress with client through c.
func NewService(client *aliexpress.Client, c *cache.Cache, opts ServiceOptions) *Service {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.ScanPages <= 0 {
		opts.ScanPages = 6
	}
	if opts.EnrichLimit <= 0 {
		opts.EnrichLimit = 60
	}
	if opts.Parallel <= 0 {
		opts.Parallel = 6
	}
	if opts.TTLs == (TTLs{}) {
		opts.TTLs = DefaultTTLs()
	}
	if opts.MemoFor == 0 {
		opts.MemoFor = 15 * time.Second
	}
	if opts.MemoFor > opts.TTLs.Search {
		opts.MemoFor = opts.TTLs.Search
	}
	ns := cache.Key(client.Gateway(), client.AppKey(), client.TrackingID())
	if opts.BreakAfter <= 0 {
		opts.BreakAfter = defaultBreakAfter
	}
	if opts.BreakFor <= 0 {
		opts.BreakFor = defaultBreakFor
	}
	return &Service{ae: client, cache: c, opts: opts, health: &lastHealth{}, memo: &searchMemo{m: map[string]memoEntry{}}, products: &keptMemo[catalog.Product]{clone: catalog.Product.Clone, now: opts.Now}, quotes: &keptMemo[catalog.ShippingQuote]{clone: catalog.ShippingQuote.Clone, now: opts.Now}, ns: ns,
		breaker: newBreaker(opts.Now, opts.BreakAfter, opts.BreakFor), cats: &categoryMemo{}}
}

// key builds a cache key in this service's namespace.
func (s *Service) key(parts ...string) string {
	return cache.Key(append([]string{s.ns}, parts...)...)
}

type staleInfo struct {
	stale    bool
	reason   string
	storedAt time.Time // when the data came from AliExpress
}

func staleOf(r cache.Result) staleInfo {
	if !r.Stale {
		return staleInfo{storedAt: r.StoredAt}
	}
	reason := "AliExpress is not answering; showing saved results from " + r.StoredAt.UTC().Format("15:04 MST")
	if errors.Is(r.Err, aliexpress.ErrRateLimited) || errors.Is(r.Err, aliexpress.ErrBudgetExhausted) {
		reason = "AliExpress is rate-limiting aliscout; showing saved results from " + r.StoredAt.UTC().Format("15:04 MST")
	}
	return staleInfo{stale: true, reason: reason, storedAt: r.StoredAt}
}
