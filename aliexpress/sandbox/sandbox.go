// Package sandbox is a local simulator of the AliExpress Open Platform gateway, in the spirit of
// net/http/httptest: code that works against it should work against api-sg.aliexpress.com.
//
// A Sandbox is an http.Handler that answers the gateway's routes:
//
//	GET|POST /sync                business APIs; the API name is the method parameter
//	POST     /rest/<api path>     system APIs such as /auth/token/create
//	POST     /rest                system APIs named by method=/auth/token/...
//	GET      /oauth/authorize     the authorization page (POST approves it)
//	GET      /sandbox/img/...     placeholder product pictures
//	GET      /e/{code}            the affiliate short links it made, redirected to their product
//	GET      /                    a page describing the sandbox
//
// Every request is checked as the platform checks it, in the platform's order: required system
// parameters, app key, sign method, timestamp, signature, access token, API name, call limits. API-level
// failures answer HTTP 200 with the platform's error envelopes. Products, shops, categories, stock and
// shipping come from a deterministic generated catalog that changes from day to day; tokens, orders and
// call limits follow the injected clock of Options.Now, so tests can move time forward.
//
// NewServer starts a Sandbox on a loopback port:
//
//	srv := sandbox.NewServer(sandbox.Options{})
//	defer srv.Close()
//	// point a client at srv.URL with sandbox.DefaultAppKey / sandbox.DefaultAppSecret
//
// Where the platform's behaviour is not known, the Sandbox picks the likeliest and says so in the
// comments of the Options that switch it.
//
// # Test controls
//
// Tests steer a Sandbox with Go methods, and, with Options.Control (aliscout sandbox --control),
// over HTTP with JSON under ControlPath, for black-box tests of programs in any language. Without
// Control those paths answer 404 like any unknown path.
//
//	GET|POST        /__sandbox/clock          {"advance": "24h"} or {"set": "<RFC 3339>"}   Advance, SetTime
//	GET|POST|DELETE /__sandbox/products/{id}  {"price": "9.99", "stock": 0, "gone": true}  SetProduct, ClearProduct
//	GET|DELETE      /__sandbox/calls          calls per API method since start             CallStats
//	GET             /__sandbox/orders         the Dropshipping orders held                 Orders
//	GET|POST|DELETE /__sandbox/faults         {"method", "fault", "times"}                 ArmFault
//
// The clock moves and keeps running from where it was put; everything that follows Options.Now
// follows it, and a request is accepted when its timestamp is near either the moved time or the
// unmoved one, so a program on the wall clock can be tested across days. A product override holds
// on every day until removed and wins over the day's generated price and stock; what it leaves out
// moves with the day. A counted fault applies to the next N calls of one API as they arrive:
// drop-answer (handled, no answer), timeout (handled, the answer held for DefaultFaultHold, at
// most MaxFaultHold, or until the client gives up, then dropped), 5xx (502 then 503 from the front
// proxy, not handled) and rate-limit (ApiCallLimit, not handled). Bad input answers 400 with
// {"error": ..., "field": ...}.
package sandbox

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// DefaultAppKey is the app key a Sandbox accepts unless Options.AppKey says otherwise.
const DefaultAppKey = "500000"

// DefaultAppSecret is the app secret a Sandbox signs with unless Options.AppSecret says otherwise.
const DefaultAppSecret = "sandbox-secret"

// ImagePath is the path below which a Sandbox serves its placeholder product pictures; the
// catalog's image URLs are the Sandbox's own origin plus this path.
const ImagePath = "/sandbox/img/"

// DefaultUserNick is the buyer account that AuthorizeCode and the authorization page use unless told
// otherwise.
const DefaultUserNick = "us1000000001sbox"

// Options configures a Sandbox. The zero value is a test app with the default credentials, the real
// clock and the platform's published limits.
type Options struct {
	// AppKey and AppSecret are the credentials of the one app the Sandbox knows; empty means
	// DefaultAppKey and DefaultAppSecret.
	AppKey, AppSecret string

	// Now is the clock (default time.Now). It decides the catalog day, token and code lifetimes,
	// order progress, timestamp checks and call limits. SetNow replaces it later.
	Now func() time.Time

	// Seed and CatalogSize choose the generated catalog (defaults 1 and 20000). Tokens, codes, order
	// IDs and fault draws are also derived from Seed, so a run is repeatable.
	Seed        int64
	CatalogSize int

	// LaunchedApp gives the token lifetimes of a launched app (access 30 days, refresh 60 days)
	// instead of a test app's (1 day and 2 days).
	LaunchedApp bool

	// TimestampWindow is how far the timestamp parameter may be from the clock, either way
	// (default 7200 s).
	TimestampWindow time.Duration

	// QPS overrides calls per second per API name ("aliexpress.ds.address.get": 4). The defaults are
	// the platform's published table; APIs without a published figure get DefaultQPS. A value below
	// zero means unlimited; zero answers ApiCallLimit to every call (for testing a client's handling).
	QPS map[string]int
	// DefaultQPS is the limit of APIs without a published figure (default 1000; below zero = unlimited).
	DefaultQPS int

	// DailyQuota is the number of calls the app may make per day (GMT+8); past it every call answers
	// ApiCallLimit until the next GMT+8 midnight. 0 means unlimited.
	DailyQuota int

	// Wire is the form answers are written in: WireLive (the default), WireBareLists,
	// WireStringScalars or WireDocSample. The platform's own answers vary between these, so a
	// client should be tested against each (WireForms lists them).
	Wire WireForm

	// IPWhitelist, when not empty, refuses callers whose address is not listed with AppWhiteIpLimit,
	// like the app console's IP whitelist.
	IPWhitelist []string

	// CallbackURL, when set, is the app's registered callback: the authorization page refuses any
	// redirect_uri that does not start with it.
	CallbackURL string

	// WebhookURL, when set, receives the order-status webhook (DROPSHIPPER_ORDER_STATUS_UPDATE)
	// each time an order reaches a status; see SetWebhookURL.
	WebhookURL string

	// AutoPayDisabled makes try_to_pay fail the way it does for accounts that the DS team has not
	// whitelisted: the order is created, unpaid, with "OrderCreated, autoPay fail:APIPayFail".
	AutoPayDisabled bool

	// OrderVisibleAfter is how long after ds.order.create an order can be read back with
	// trade.ds.order.get and ds.order.tracking.get; before that it is not found. Zero means the
	// platform's documented ~10 seconds; a negative value makes orders visible at once.
	OrderVisibleAfter time.Duration

	// ProductErrorsAsErrorResponse makes ds.product.get report 602 (not allowed to the country) and
	// 605 (ITEM_ID_NOT_FOUND) as an error_response instead of rsp_code/rsp_msg in the method object.
	// Which one the platform uses is not known; rsp_code is the likelier, the DS family's own status.
	ProductErrorsAsErrorResponse bool

	// RecommendFeedTOPShape answers ds.recommend.feed.get with result + rsp_code/rsp_msg (the legacy
	// TOP model) instead of resp_result{resp_code, resp_msg, result} (what a production SDK reads).
	RecommendFeedTOPShape bool

	// LegacyOrderWrappers names the list wrappers of trade.ds.order.get ae_child_order_info and
	// ae_order_logistics_info (as two SDKs read them) instead of the official sample's
	// aeop_child_order_info and aeop_order_logistics_info.
	LegacyOrderWrappers bool

	// LegacyOrderRoot answers trade.ds.order.get under the root key of the legacy
	// aliexpress.ds.trade.order.get (aliexpress_ds_trade_order_get_response), which some responses
	// use (reference §6.7), instead of aliexpress_trade_ds_order_get_response.
	LegacyOrderRoot bool

	// MaxProductIDs is how many IDs affiliate productdetail.get takes per call (default 50; the
	// platform's figure is not published). More answer InvalidParameter.
	MaxProductIDs int

	// Logger receives one line per API call (never a secret or token); nil discards.
	Logger *slog.Logger

	// Control serves the test controls as JSON under ControlPath (/__sandbox/): the clock, product
	// overrides, call counts, the orders held and counted faults. Without it those paths answer
	// 404 like any unknown path. Never expose a Sandbox with Control to others.
	Control bool
}

// Sandbox is a simulated AliExpress Open Platform gateway. It is an http.Handler, safe for concurrent
// use, and holds no goroutines of its own.
type Sandbox struct {
	opts    Options
	form    wireShape
	cat     *world.Catalog
	mux     *http.ServeMux
	log     *slog.Logger
	methods map[string]apiMethod

	mu        sync.Mutex
	now       func() time.Time
	rng       *rand.Rand
	reqSeq    uint32
	faults    Faults
	faultRng  *rand.Rand
	burstLeft int
	calls     []Call
	callsHead int // index of the oldest entry once the log is full

	codes     map[string]*authCode
	access    map[string]*accessToken
	refresh   map[string]*refreshToken
	orders    map[int64]*dsOrder
	outOrders map[string]time.Time // user + "\x00" + out_order_id -> when placed
	outIDs    map[string][]int64   // user + "\x00" + out_order_id -> the orders it made
	holds     map[holdKey]int
	nextOrder int64
	buyers    map[string]BuyerStatus // user nick -> standing, when not active
	cpfs      map[string]string      // CPF digits -> folded full name (RegisterCPF)

	qps        map[string]*qpsWindow
	quotaDay   int64
	quotaCount int

	linksMu sync.Mutex
	links   map[string]string // short link code ("_AbC1234") -> the source it leads to

	ctl  controls // the test controls (control.go), guarded by mu
	hook hooks    // the order-status webhook (webhook.go), guarded by mu
}

// maxCalls bounds the call log so a long-running sandbox does not grow without end.
const maxCalls = 10000

// New returns a Sandbox configured by opts.
func New(opts Options) *Sandbox {
	if opts.AppKey == "" {
		opts.AppKey = DefaultAppKey
	}
	if opts.AppSecret == "" {
		opts.AppSecret = DefaultAppSecret
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if opts.CatalogSize <= 0 {
		opts.CatalogSize = 20000
	}
	if opts.TimestampWindow <= 0 {
		opts.TimestampWindow = 7200 * time.Second
	}
	if opts.DefaultQPS == 0 {
		opts.DefaultQPS = 1000
	}
	if opts.OrderVisibleAfter == 0 {
		opts.OrderVisibleAfter = 10 * time.Second
	}
	if opts.MaxProductIDs <= 0 {
		opts.MaxProductIDs = 50
	}
	qps := make(map[string]int, len(publishedQPS)+len(opts.QPS))
	for k, v := range publishedQPS {
		qps[k] = v
	}
	for k, v := range opts.QPS {
		qps[k] = v
	}
	opts.QPS = qps
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Wire == "" {
		opts.Wire = WireLive
	}
	form, ok := wireShapes[opts.Wire]
	if !ok {
		panic(fmt.Sprintf("sandbox: unknown Options.Wire %q; want one of %v", opts.Wire, WireForms()))
	}
	seed := uint64(opts.Seed)
	s := &Sandbox{
		opts:      opts,
		form:      form,
		cat:       world.New(opts.Seed, opts.CatalogSize),
		log:       logger,
		now:       opts.Now,
		rng:       rand.New(rand.NewPCG(seed, 0x5eed_a11e)),
		faultRng:  rand.New(rand.NewPCG(seed, 0xfa17)),
		codes:     make(map[string]*authCode),
		access:    make(map[string]*accessToken),
		refresh:   make(map[string]*refreshToken),
		orders:    make(map[int64]*dsOrder),
		outOrders: make(map[string]time.Time),
		outIDs:    make(map[string][]int64),
		holds:     make(map[holdKey]int),
		qps:       make(map[string]*qpsWindow),
		nextOrder: 8100000000000000 + int64(seed%1000)*1000000,
	}
	s.methods = s.apiMethods()
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("GET /sync", s.serveSync)
	s.mux.HandleFunc("POST /sync", s.serveSync)
	s.mux.HandleFunc("POST /rest", s.serveRest)
	s.mux.HandleFunc("POST /rest/", s.serveRest)
	s.mux.HandleFunc("GET /oauth/authorize", s.serveAuthorize)
	s.mux.HandleFunc("POST /oauth/authorize", s.serveApprove)
	s.mux.HandleFunc("GET "+ImagePath, s.serveImage)
	s.mux.HandleFunc("GET /e/{code}", s.serveShortLink)
	s.mux.HandleFunc("GET /{$}", s.serveHome)
	if opts.Control {
		s.controlRoutes()
	}
	if opts.WebhookURL != "" {
		if err := s.SetWebhookURL(opts.WebhookURL); err != nil {
			s.log.Warn("sandbox: the order-status webhook is off", "err", err)
		}
	}
	return s
}

// ServeHTTP answers one request to the simulated gateway.
func (s *Sandbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// SetNow replaces the clock, and undoes Advance and SetTime. Everything time-dependent (catalog
// day, token and code lifetimes, order progress, timestamp checks, call limits) follows it from the
// next request on.
func (s *Sandbox) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	s.now = now
	s.ctl.offset = 0
	s.mu.Unlock()
}

// Now returns the Sandbox's current time: its clock, moved by Advance or SetTime if they were
// used.
func (s *Sandbox) Now() time.Time {
	now, _ := s.clock()
	return now
}

// AppKey returns the app key the Sandbox accepts.
func (s *Sandbox) AppKey() string { return s.opts.AppKey }

// AppSecret returns the app secret requests must be signed with.
func (s *Sandbox) AppSecret() string { return s.opts.AppSecret }

// SampleProductIDs returns up to n IDs of products that exist today, best sellers first, for tests
// that need a valid product.
func (s *Sandbox) SampleProductIDs(n int) []int64 {
	if n <= 0 {
		return nil
	}
	res := s.cat.Search(world.Query{Sort: world.SortVolumeDesc, Page: 1, PageSize: n}, world.Day(s.Now()))
	ids := make([]int64, 0, len(res.Products))
	for _, p := range res.Products {
		ids = append(ids, p.ID)
	}
	return ids
}

// Server is a Sandbox listening on a loopback port, like httptest.Server.
type Server struct {
	*Sandbox
	// URL is the gateway base, e.g. "http://127.0.0.1:41234"; clients derive /sync, /rest and
	// /oauth/authorize from it.
	URL string

	srv  *http.Server
	ln   net.Listener
	done chan struct{}
	once sync.Once

	mu     sync.Mutex
	idle   *sync.Cond // signalled when active drops to zero
	active int
	closed bool
}

// NewServer starts a Sandbox configured by opts on 127.0.0.1 at a free port. Close stops it.
func NewServer(opts Options) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		if ln, err = net.Listen("tcp6", "[::1]:0"); err != nil {
			panic("sandbox: listen on a loopback port: " + err.Error())
		}
	}
	s := &Server{Sandbox: New(opts), ln: ln, done: make(chan struct{})}
	s.idle = sync.NewCond(&s.mu)
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !s.enter() {
				panic(http.ErrAbortHandler)
			}
			defer s.leave()
			s.Sandbox.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(slog.DiscardHandler, slog.LevelError),
	}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s
}

func (s *Server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.active++
	return true
}

func (s *Server) leave() {
	s.mu.Lock()
	s.active--
	if s.active == 0 {
		s.idle.Broadcast()
	}
	s.mu.Unlock()
}

// Close stops the server, closes its connections and waits for running requests to return.
func (s *Server) Close() {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		_ = s.srv.Close()
		<-s.done
		s.StopWebhooks()
		s.mu.Lock()
		for s.active > 0 {
			s.idle.Wait()
		}
		s.mu.Unlock()
	})
}

// HostileProductIDs returns the IDs of the catalog's hostile products, whose titles, descriptions and
// shop names carry markup, script, spreadsheet formulas, control and bidirectional characters, emoji,
// a 1,000-character title or an empty one. They exist on every day and in every catalog.
func (s *Sandbox) HostileProductIDs() []int64 { return world.HostileIDs() }
