// Package web is aliscout's web app and JSON API: the search page with its comparison grid,
// sortable table and margin calculator, the compare, product and import pages, the store export
// download, health and metrics. Pages are server-rendered with html/template and work without
// JavaScript; one small embedded script adds live margins, the compare tray and table sorting.
//
// With Config.Accounts set, users sign in (sessions in an HttpOnly cookie, or API tokens as
// Authorization: Bearer for the JSON API) and keep saved lists in Config.Store: products with the
// data they were saved with, shown and exported even when AliExpress does not answer. A member
// never sees another's lists, tokens or sessions: their ids answer 404.
//
// The package consumes the catalog through the Catalog interface and never talks to AliExpress
// itself. Text from AliExpress is untrusted: templates escape it, product descriptions pass an
// allow-list sanitizer, and links are only ever http(s). Images, which every visitor's browser
// loads, come only from AliExpress's CDNs, the origins Config.ImageOrigins names, or the app's
// own origin, which serves the simulator's pictures at /img/ (Config.ImageProxy); the
// Content-Security-Policy allows no others.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
	"github.com/aliscout/aliscout/internal/store"
)

// Catalog is what the web app needs from the catalog service.
type Catalog interface {
	Search(ctx context.Context, f catalog.Filters) (catalog.SearchResult, error)
	Product(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.Product, error)
	Shipping(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.ShippingQuote, error)
	Categories(ctx context.Context, language string) ([]catalog.Category, error)
	Links(ctx context.Context, sources []string) ([]catalog.Link, error)
	Products(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.Found
	Import(ctx context.Context, inputs []string, o catalog.ProductOptions) []catalog.ImportResult
	Health(ctx context.Context) catalog.Health
}

// RequestObserver records each answered request, for metrics. route is the pattern the request
// matched ("GET /search"), "" for none.
type RequestObserver interface {
	ObserveRequest(route, method string, code int, d time.Duration)
}

// Defaults of Config.
const (
	DefaultMaxExport      = 200 // products per export download
	DefaultMaxImportLines = 200 // lines per import or link request
)

// Config is how the web app runs. The zero value works: a real (not simulated) catalog, logs to
// slog.Default, the wall clock, no metrics.
type Config struct {
	// Simulated shows the sandbox banner on every page: the catalog runs on the built-in simulator.
	Simulated bool
	// Logger receives one line per request and every server-side error; nil means slog.Default.
	Logger *slog.Logger
	// Now is the clock, injected for tests; nil means time.Now.
	Now func() time.Time
	// Metrics records every request; nil records nothing.
	Metrics RequestObserver
	// MetricsHandler serves GET /metrics; nil answers 404 there.
	MetricsHandler http.Handler
	// Ready says whether this replica can serve: nil when the store (and Redis, when configured)
	// answer, else what does not, in words without secrets. GET /readyz reports it; nil means
	// always ready.
	Ready func(ctx context.Context) error
	// RequestBudget bounds how long one request waits for the catalog: past it, the catalog
	// answers with what it knows (stale data, shipping unknown). 0 means no bound.
	RequestBudget time.Duration
	// MaxExport caps the products of one export download; 0 means DefaultMaxExport.
	MaxExport int
	// MaxImportLines caps the lines of one import or link request; 0 means DefaultMaxImportLines.
	MaxImportLines int
	// TrustedOrigins are extra origins (scheme://host[:port]) allowed to POST, e.g. when the app
	// sits behind a proxy on another host name. Same-origin requests are always allowed.
	TrustedOrigins []string
	// ImageOrigins are origins (scheme://host[:port]) besides AliExpress's image CDNs whose images
	// pages may show and descriptions (on pages, in the API and in exports) may keep: the
	// simulator's, which serves its pictures itself. Images from anywhere else are left out, and
	// the Content-Security-Policy's img-src names no more than these.
	ImageOrigins []string
	// ImageProxy is a base URL (scheme://host[:port]/path/) of pictures the app serves itself, at
	// GET /img/{path}: the simulator's picture path, which the browsers of users on other machines
	// cannot reach on its loopback address. Pages show pictures below it through /img/, the
	// Content-Security-Policy need not name its origin, and the route fetches nothing that is not
	// below it (no redirects, pictures only, at most 4 MB each). Empty: no proxy.
	ImageProxy string
	// AllowedHosts are the Host header values (host, or host:port, in any case) the app answers.
	// Any other host gets 421 Misdirected Request, except on /healthz, which load balancers
	// call by IP: a page on evil.example whose name an attacker points at this server (DNS
	// rebinding) would otherwise be served as evil.example's own, and pass the cross-origin
	// guard with a matching Origin. Empty answers every host, which only tests that make their
	// own requests should want: aliscout serve always sets it.
	AllowedHosts []string

	// Accounts signs users in and keeps their sessions and API tokens. Nil means no accounts at
	// all: research only, as when aliscout ran for one person, and the list and account pages
	// answer 404. When set, Store must be set too.
	Accounts *accounts.Service
	// Store keeps saved lists (and what the account pages show besides the Accounts service's).
	Store store.Store
	// Orders checks, places and follows supplier orders; nil leaves the orders API out.
	Orders Orders
	// OpenResearch opens the research pages and their API (search, product, compare, categories,
	// import preview, links, health) to visitors who are not signed in. When false, everything
	// but /healthz, /metrics (see MetricsOpen), static files and the sign-in, sign-up and
	// invitation pages needs a session or an API token: pages send visitors to /signin, the API
	// answers 401.
	OpenResearch bool
	// MetricsOpen serves /metrics to anyone; otherwise it needs an operator's session or API token.
	MetricsOpen bool
	// SecureCookies marks the session cookie Secure, for an app served over https.
	SecureCookies bool
	// TrustProxy believes the X-Forwarded-For and X-Forwarded-Proto headers of requests, which
	// only a reverse proxy in front of aliscout may set: the first names the client address that
	// sign-in throttling counts, the second (https) makes the session cookie Secure.
	TrustProxy bool

	// Connections connects users' AliExpress accounts (GET /connect/aliexpress and the account
	// page's section); nil leaves them out. It needs Accounts.
	Connections Connections
	// ConnectOrigin is the origin (scheme://host[:port]) of the platform's authorization page,
	// the gateway's: the connect forms lead there through a redirect, which the
	// Content-Security-Policy's form-action must allow.
	ConnectOrigin string
	// UserCatalog returns the catalog acting as the user's default connected AliExpress account,
	// for DS data (variants, stock, shipping) as that account sees it, or an error wrapping
	// ErrNotConnected (no account) or ErrReconnect (its authorization ended). The app then
	// reads through the server-wide catalog, as it does for visitors. Nil: always that one.
	UserCatalog func(ctx context.Context, userID int64) (Catalog, error)

	// Console is the operator console (/operator, /api/operator/...); nil leaves it out. It
	// needs Accounts.
	Console *Console
	// Tracker checks watched products now and keeps webhook settings; nil leaves the watch pages
	// and API working on the store alone, without "check now" or webhooks. MaxWatches caps the
	// watches per user (ALISCOUT_MAX_WATCHES; 0 means 500).
	Tracker    Tracker
	MaxWatches int
}

// Server is the web app. Build it with New and serve Handler.
type Server struct {
	cfg     Config
	cat     Catalog
	log     *slog.Logger
	now     func() time.Time
	pages   *template.Template // the layout, partials and every page's content (mustTemplates)
	static  *staticFiles
	handler http.Handler

	answers   *encodedCache      // encoded JSON answers of cached data, at most maxEncodedAnswers
	contents  *lru[*pageContent] // pages' contents drawn from cached data, at most maxPageContents
	frames    *lru[*pageFrame]   // the frames of those pages for visitors, at most maxPageFrames
	catDigest categoryDigest     // the search form's category tree, digested once per tree

	logMu      sync.Mutex
	lastLogged map[string]time.Time // by problem code and reason: repeated refusals log once a minute
	suppressed map[string]int
	san        sanitize.Options // the image policy of descriptions and product pictures
	page       sanitize.Options // san as pages apply it: pictures through the image proxy, empty alts
	csp        headerValue      // the Content-Security-Policy of every answer
	hosts      map[string]bool  // AllowedHosts, lower-cased; nil answers every host
	proxy      *imageProxy      // ImageProxy; nil without one
}

// New returns the web app over cat. It panics if the embedded templates do not parse, which a
// test catches before any release, or if cfg has Accounts without a Store.
func New(cfg Config, cat Catalog) *Server {
	if cfg.Accounts != nil && cfg.Store == nil {
		panic("web: Config.Accounts is set without Config.Store")
	}
	s := &Server{cfg: cfg, cat: cat, log: cfg.Logger, now: cfg.Now, lastLogged: map[string]time.Time{}, suppressed: map[string]int{},
		answers: newEncodedCache(maxEncodedAnswers), contents: newLRU[*pageContent](maxPageContents),
		frames: newLRU[*pageFrame](maxPageFrames)}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.MaxExport <= 0 {
		s.cfg.MaxExport = DefaultMaxExport
	}
	if s.cfg.MaxImportLines <= 0 {
		s.cfg.MaxImportLines = DefaultMaxImportLines
	}
	origins := s.imageOrigins()
	s.proxy = newImageProxy(cfg.ImageProxy)
	if cfg.ImageProxy != "" && s.proxy == nil {
		s.log.Warn("ignoring image proxy: want scheme://host[:port]/path/", "url", cfg.ImageProxy)
	}
	s.san = sanitize.Options{ImageAllowed: func(u *url.URL) bool {
		if sanitize.AliExpressImage(u) || s.proxy.allowed(u) {
			return true
		}
		for _, o := range origins {
			if u.Scheme == o.Scheme && strings.EqualFold(u.Host, o.Host) && u.User == nil {
				return true
			}
		}
		return false
	}}
	s.page = s.san
	s.page.EmptyAlt = true
	if s.proxy != nil {
		s.page.ImageURL = s.proxy.pageURL
	}
	s.csp = shared(s.connectFormAction(contentSecurityPolicy(origins)))
	if len(cfg.AllowedHosts) > 0 {
		s.hosts = map[string]bool{}
		for _, h := range cfg.AllowedHosts {
			s.hosts[strings.ToLower(h)] = true
		}
	}
	s.static = mustStatic()
	s.pages = mustTemplates(s.static, s.page.Image)
	s.handler = s.middleware(s.routes())
	return s
}

// Handler returns the HTTP handler of the whole app: pages, API, static files, health and metrics.
func (s *Server) Handler() http.Handler { return s.handler }

// imageOrigins parses Config.ImageOrigins, leaving out (and logging) any that is not an http(s)
// origin.
func (s *Server) imageOrigins() []*url.URL {
	var out []*url.URL
	for _, o := range s.cfg.ImageOrigins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			s.log.Warn("ignoring image origin: want scheme://host[:port]", "origin", o)
			continue
		}
		out = append(out, &url.URL{Scheme: u.Scheme, Host: strings.ToLower(u.Host)})
	}
	return out
}
