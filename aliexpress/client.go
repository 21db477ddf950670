package aliexpress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultGateway is the platform's gateway; /sync, /rest/... and /oauth/authorize hang off it.
const DefaultGateway = "https://api-sg.aliexpress.com"

// DefaultMaxResponseBytes is how much of an answer a client reads unless WithMaxResponseBytes says
// otherwise. The largest answers (hotproduct.download pages, a product with hundreds of variants)
// are a few hundred kilobytes; a bound far above that would let a misbehaving gateway hold that
// much memory per concurrent call and attempt.
const DefaultMaxResponseBytes = 4 << 20

// Client calls the AliExpress Open Platform. It is safe for use by many goroutines. Its services
// group the methods by API area, as the platform's documentation does.
type Client struct {
	appKey      string
	appSecret   string
	accessToken string
	trackingID  string
	gateway     *url.URL
	httpClient  *http.Client
	timeout     time.Duration
	maxBody     int64
	signMethod  SignMethod
	now         func() time.Time
	logger      *slog.Logger
	retry       RetryPolicy
	sleep       func(ctx context.Context, d time.Duration) error
	jitter      *lockedRand
	limiter     Limiter
	budget      Budget
	bans        *bans
	observe     func(CallInfo)

	// What WithRateLimits and WithDailyBudget set for the default limiter and budget.
	rateLimits  map[string]int
	dailyBudget int

	// Affiliate holds the aliexpress.affiliate.* methods.
	Affiliate *AffiliateService
	// DS holds the dropshipping aliexpress.ds.* methods; they need an access token (WithAccessToken).
	DS *DSService
	// OAuth holds the authorization URL and the /auth/token/* calls.
	OAuth *OAuthService
}

type service struct{ client *Client }

// Option configures a Client.
type Option func(*Client) error

// WithGateway sets the gateway base URL (default DefaultGateway), e.g. a sandbox's URL. A path on
// it is kept: "http://host/prefix" calls "http://host/prefix/sync".
func WithGateway(gateway string) Option {
	return func(c *Client) error {
		u, err := url.Parse(strings.TrimSpace(gateway))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("aliexpress: gateway %q is not an http(s) URL", redactURL(gateway))
		}
		u.User = nil
		u.RawQuery, u.Fragment = "", ""
		u.Path = strings.TrimRight(u.Path, "/")
		c.gateway = u
		return nil
	}
}

// WithHTTPClient sets the HTTP client (default: a client with sane transport timeouts).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("aliexpress: nil http client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithTimeout bounds each attempt of a call (default 20s). The caller's context bounds the whole call.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("aliexpress: timeout %s must be positive", d)
		}
		c.timeout = d
		return nil
	}
}

// WithMaxResponseBytes bounds how many bytes of an answer the client reads (default
// DefaultMaxResponseBytes). A larger answer fails the call with ErrResponseTooLarge at once,
// without being read to the end or retried.
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return fmt.Errorf("aliexpress: max response bytes %d must be positive", n)
		}
		c.maxBody = n
		return nil
	}
}

// WithSignMethod sets the signing algorithm (default SignSHA256). System (/rest) calls always use sha256,
// the only method the platform documents for them.
func WithSignMethod(m SignMethod) Option {
	return func(c *Client) error {
		if !m.Valid() {
			return fmt.Errorf("aliexpress: unknown sign method %q (want sha256, md5 or hmac)", string(m))
		}
		c.signMethod = m
		return nil
	}
}

// WithClock sets the clock used for request timestamps, token expiry, rate limits, platform bans
// and the daily budget.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now == nil {
			return errors.New("aliexpress: nil clock")
		}
		c.now = now
		return nil
	}
}

// WithLogger sets a logger for one debug line per attempt (method, status, duration, request id;
// never parameters, tokens or signatures). Default: no logging.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("aliexpress: nil logger")
		}
		c.logger = l
		return nil
	}
}

// WithRetryPolicy sets how failed reads are retried. RetryPolicy{MaxAttempts: 1} switches retries off.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxAttempts < 1 {
			return fmt.Errorf("aliexpress: retry policy MaxAttempts %d must be at least 1", p.MaxAttempts)
		}
		c.retry = p
		return nil
	}
}

// WithAccessToken sets the user access token (the session parameter) for the client's calls.
func WithAccessToken(token string) Option {
	return func(c *Client) error {
		c.accessToken = token
		return nil
	}
}

// WithTrackingID sets the affiliate tracking ID used by affiliate methods that take one, so that
// products carry promotion links.
func WithTrackingID(id string) Option {
	return func(c *Client) error {
		c.trackingID = strings.TrimSpace(id)
		return nil
	}
}

// WithRateLimits overrides limits of the default Limiter, in calls per second; 0 removes a
// method's limit. Defaults are the platform's published DS figures (DefaultRateLimits()). It cannot
// be combined with WithLimiter.
func WithRateLimits(qps map[string]int) Option {
	return func(c *Client) error {
		if c.rateLimits == nil {
			c.rateLimits = DefaultRateLimits()
		}
		for m, q := range qps {
			if q < 0 {
				return fmt.Errorf("aliexpress: rate limit for %s is negative", m)
			}
			c.rateLimits[m] = q
		}
		return nil
	}
}

// WithDailyBudget caps the calls the client makes per platform day (which ends at midnight GMT+8)
// with the default, in-memory Budget; past it calls fail with ErrBudgetExhausted before anything
// is sent. 0 means no cap. It cannot be combined with WithBudget.
func WithDailyBudget(calls int) Option {
	return func(c *Client) error {
		if calls < 0 {
			return fmt.Errorf("aliexpress: daily budget %d is negative", calls)
		}
		c.dailyBudget = calls
		return nil
	}
}

// WithLimiter replaces the default Limiter, an in-memory one per client that keeps each method
// under DefaultRateLimits, e.g. with one that several processes share.
func WithLimiter(l Limiter) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("aliexpress: nil limiter")
		}
		c.limiter = l
		return nil
	}
}

// WithBudget replaces the default Budget, an in-memory count per client, e.g. with one that
// several processes share.
func WithBudget(b Budget) Option {
	return func(c *Client) error {
		if b == nil {
			return errors.New("aliexpress: nil budget")
		}
		c.budget = b
		return nil
	}
}

// CallInfo describes one attempt of a call, for metrics.
type CallInfo struct {
	Method     string
	Attempt    int
	Duration   time.Duration
	HTTPStatus int   // 0 when no answer arrived
	Err        error // nil on success; an *Error otherwise
}

// WithObserver calls f after every attempt (from the calling goroutine), e.g. to count upstream
// calls per method and their errors. f must be quick and safe for concurrent use.
func WithObserver(f func(CallInfo)) Option {
	return func(c *Client) error {
		c.observe = f
		return nil
	}
}

// WithRandSeed seeds the retry jitter, for deterministic tests.
func WithRandSeed(seed uint64) Option {
	return func(c *Client) error {
		c.jitter = &lockedRand{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
		return nil
	}
}

// WithSleep replaces how the client waits: between attempts, for the default Limiter and while a
// platform ban lasts. sleep must return early with ctx's error when ctx is done. Tests pair it with
// WithClock, moving the clock instead of waiting.
func WithSleep(sleep func(ctx context.Context, d time.Duration) error) Option {
	return func(c *Client) error {
		if sleep == nil {
			return errors.New("aliexpress: nil sleep")
		}
		c.sleep = sleep
		return nil
	}
}

// NewClient returns a client for the app identified by appKey and appSecret.
func NewClient(appKey, appSecret string, opts ...Option) (*Client, error) {
	appKey = strings.TrimSpace(appKey)
	if appKey == "" {
		return nil, errors.New("aliexpress: app key is empty")
	}
	if appSecret == "" {
		return nil, errors.New("aliexpress: app secret is empty")
	}
	gw, _ := url.Parse(DefaultGateway)
	c := &Client{
		appKey:     appKey,
		appSecret:  appSecret,
		gateway:    gw,
		httpClient: defaultHTTPClient(),
		timeout:    20 * time.Second,
		maxBody:    DefaultMaxResponseBytes,
		signMethod: SignSHA256,
		now:        time.Now,
		logger:     slog.New(slog.DiscardHandler),
		retry:      DefaultRetryPolicy(),
		sleep:      sleepCtx,
		jitter:     &lockedRand{r: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))},
		bans:       &bans{},
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	switch {
	case c.limiter == nil:
		qps := c.rateLimits
		if qps == nil {
			qps = DefaultRateLimits()
		}
		c.limiter = newLimiter(qps, c.now, c.sleep)
	case c.rateLimits != nil:
		return nil, errors.New("aliexpress: WithRateLimits sets the default limiter, which WithLimiter replaces: give one of them")
	}
	switch {
	case c.budget == nil:
		c.budget = &budget{limit: c.dailyBudget}
	case c.dailyBudget != 0:
		return nil, errors.New("aliexpress: WithDailyBudget sets the default budget, which WithBudget replaces: give one of them")
	}
	c.initServices()
	return c, nil
}

func (c *Client) initServices() {
	c.Affiliate = &AffiliateService{client: c}
	c.DS = &DSService{client: c}
	c.OAuth = &OAuthService{client: c}
}

// WithAccessToken returns a client that acts for the user whose access token is given. It shares
// the original's connections, rate limits, platform bans and daily budget, so it is cheap to make
// per request.
func (c *Client) WithAccessToken(token string) *Client {
	c2 := *c
	c2.accessToken = token
	c2.initServices()
	return &c2
}

// AppKey returns the client's app key (it is not a secret).
func (c *Client) AppKey() string { return c.appKey }

// Gateway returns the gateway base URL.
func (c *Client) Gateway() string { return c.gateway.String() }

// TrackingID returns the affiliate tracking ID the client uses.
func (c *Client) TrackingID() string { return c.trackingID }

// HTTPClient returns the HTTP client the client calls with, for resolving short links the same way.
func (c *Client) HTTPClient() *http.Client { return c.httpClient }

// BudgetUsed returns how many calls the client's Budget has counted in the current platform day,
// and the daily limit (0 = no cap).
func (c *Client) BudgetUsed(ctx context.Context) (used, limit int, err error) {
	return c.budget.Used(ctx, c.now())
}

// DefaultMaxConnsPerHost bounds the connections the default HTTP client opens to the gateway.
const DefaultMaxConnsPerHost = 16

func defaultHTTPClient() *http.Client {
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: DefaultMaxConnsPerHost,
		// A slow gateway must not make one process open hundreds of connections: calls beyond
		// this many wait for a free one (bounded by their context).
		MaxConnsPerHost:       DefaultMaxConnsPerHost,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	return &http.Client{Transport: t}
}

// Response describes the exchange behind a call's result.
type Response struct {
	Method     string // API method or path
	RequestID  string // the platform's request_id
	HTTPStatus int
	Attempts   int // how many times the request was sent
	// Warnings lists the optional fields of the answer that could not be read: the result leaves
	// them empty (or leaves the list element out) rather than failing the call.
	Warnings []Warning
}

// request is one call to make.
type request struct {
	method string            // business method name, or system API path ("/auth/token/create")
	params map[string]string // business parameters; empty values are not sent
	// idempotent calls may be retried; ds.order.create is only when it carries an out_order_id.
	idempotent bool
	// session adds the access token; the call fails locally when the client has none.
	session bool
	// businessKind is the kind of a failure a status marker reports (is_success false) with a
	// code the classification does not know, e.g. ErrOrderRejected for ds.order.create.
	businessKind error
}

func (r *request) isSystem() bool { return strings.HasPrefix(r.method, "/") }

// Call calls any business method on /sync with the given parameters and returns the object under
// "<method>_response", for methods this package does not type yet. Reads are retried; pass
// idempotent=false for writes without an idempotency key.
//
// An order-creating method (aliexpress.ds.order.create, aliexpress.trade.buy.placeorder) is never
// retried unless its order parameter carries an out_order_id, whatever idempotent says: a retry
// without one could place the order twice.
//
// Every success-or-failure marker of the answer (rsp_code, resp_code, code, ret, success,
// is_success, result_success) is checked: a failure is an error, never an empty payload.
func (c *Client) Call(ctx context.Context, method string, params map[string]string, idempotent bool) (json.RawMessage, *Response, error) {
	if isOrderMethod(method) && !hasOutOrderID(params) {
		idempotent = false
	}
	x, err := c.do(ctx, &request{method: method, params: params, idempotent: idempotent, session: c.accessToken != ""})
	return x.payload, x.resp, err
}

// isOrderMethod reports whether method places orders.
func isOrderMethod(method string) bool {
	return method == "aliexpress.ds.order.create" || method == "aliexpress.trade.buy.placeorder"
}

// hasOutOrderID reports whether an order request's JSON parameter names an out_order_id.
func hasOutOrderID(params map[string]string) bool {
	var o struct {
		OutOrderID string `json:"out_order_id"`
	}
	raw := params["param_place_order_request4_open_api_d_t_o"]
	return json.Unmarshal([]byte(raw), &o) == nil && strings.TrimSpace(o.OutOrderID) != ""
}

// do sends r, retrying as the policy allows, and returns the reply: its payload is the object
// under <method>_response for /sync, the token object for /rest. The reply is never nil: its
// Response describes the exchange even when the call failed.
func (c *Client) do(ctx context.Context, r *request) (*reply, error) {
	x := &reply{c: c, resp: &Response{Method: r.method}}
	for _, k := range [...]string{"session", "access_token", "refresh_token", "code", "uuid"} { // credentials
		if v := r.params[k]; v != "" {
			x.hidden = append(x.hidden, v)
		}
	}
	if r.session && c.accessToken == "" {
		return x, &Error{Method: r.method, Kind: ErrInvalidToken, Message: "this method needs a user access token and the client has none (use WithAccessToken)"}
	}
	for attempt := 1; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return x, &Error{Method: r.method, Kind: ErrUnavailable, Message: "call abandoned: " + err.Error(), Err: err}
		}
		if err := c.waitOutBan(ctx, r.method); err != nil {
			return x, err
		}
		if err := c.limiter.Wait(ctx, r.method); err != nil {
			return x, &Error{Method: r.method, Kind: ErrUnavailable, Message: "waiting for the rate limit: " + err.Error(), Err: err}
		}
		if ok, err := c.take(ctx, r.method); err != nil {
			var refusal budgetRefusal
			if errors.As(err, &refusal) && refusal.BudgetExhausted() {
				return x, &Error{Method: r.method, Kind: ErrBudgetExhausted, Message: err.Error(), Err: err}
			}
			return x, &Error{Method: r.method, Kind: ErrUnavailable, Message: "counting the call against the daily budget: " + err.Error(), Err: err}
		} else if !ok {
			msg := "the daily call budget is used up (the platform day ends at midnight GMT+8)"
			if _, limit, err := c.budget.Used(ctx, c.now()); err == nil && limit > 0 {
				msg = fmt.Sprintf("%d calls made today (the platform day ends at midnight GMT+8)", limit)
			}
			return x, &Error{Method: r.method, Kind: ErrBudgetExhausted, Message: msg}
		}
		x.resp.Attempts = attempt
		start := time.Now()
		d, err := c.once(ctx, r, x)
		if c.observe != nil {
			c.observe(CallInfo{Method: r.method, Attempt: attempt, Duration: time.Since(start), HTTPStatus: x.resp.HTTPStatus, Err: err})
		}
		if err == nil {
			x.payload, x.resultPath, x.resultRaw = d.payload, d.resultPath, d.result
			return x, nil
		}
		var apiErr *Error
		if !errors.As(err, &apiErr) {
			apiErr = &Error{Method: r.method, Kind: ErrUnavailable, Message: c.redact(err.Error(), x.hidden...), Err: err}
		}
		if apiErr.Kind == ErrRateLimited && apiErr.RetryAfter > 0 {
			c.bans.ban(r.method, c.now().Add(apiErr.RetryAfter))
		}
		wait, retry := c.shouldRetry(ctx, r, apiErr, attempt)
		if !retry {
			return x, apiErr
		}
		c.logger.LogAttrs(ctx, slog.LevelDebug, "aliexpress: retrying", slog.String("method", r.method),
			slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.String("code", apiErr.Code))
		if err := c.sleep(ctx, wait); err != nil {
			return x, apiErr
		}
	}
}

// take counts one call of method against the Budget, by method when it is a MethodBudget.
func (c *Client) take(ctx context.Context, method string) (bool, error) {
	if mb, ok := c.budget.(MethodBudget); ok {
		return mb.TakeMethod(ctx, c.now(), method)
	}
	return c.budget.Take(ctx, c.now())
}

// waitOutBan waits while the platform's ban of method lasts, for every caller of the client: one
// that was turned away with a ban length recorded it. A ban longer than the retry policy's
// MaxBanWait fails the call at once, without sending it.
func (c *Client) waitOutBan(ctx context.Context, method string) error {
	d := c.bans.remaining(method, c.now())
	if d <= 0 {
		return nil
	}
	if d > c.retry.MaxBanWait {
		return &Error{Method: method, Kind: ErrRateLimited, RetryAfter: d,
			Message: fmt.Sprintf("the platform banned this method; the ban lasts %s more", d.Round(time.Second))}
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "aliexpress: waiting out a ban", slog.String("method", method), slog.Duration("wait", d))
	if err := c.sleep(ctx, d); err != nil {
		return &Error{Method: method, Kind: ErrUnavailable, Message: "waiting out the platform's ban: " + err.Error(), Err: err}
	}
	return nil
}

// once sends one attempt. The attempt's signature joins x.hidden.
func (c *Client) once(ctx context.Context, r *request, x *reply) (decoded, error) {
	resp := x.resp
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	params := make(map[string]string, len(r.params)+6)
	for k, v := range r.params {
		if !isBlank(v) {
			params[k] = v
		}
	}
	signMethod := c.signMethod
	endpoint := *c.gateway
	apiPath := ""
	if r.isSystem() {
		signMethod = SignSHA256
		apiPath = r.method
		endpoint.Path += "/rest" + r.method
	} else {
		endpoint.Path += "/sync"
		params["method"] = r.method
	}
	params["app_key"] = c.appKey
	params["sign_method"] = string(signMethod)
	params["timestamp"] = strconv.FormatInt(c.now().UnixMilli(), 10)
	if r.session {
		params["session"] = c.accessToken
	}
	sign, err := Sign(signMethod, c.appSecret, apiPath, params)
	if err != nil {
		return decoded{}, &Error{Method: r.method, Kind: ErrSignature, Message: err.Error()}
	}
	// Values of this request that must not reach an error message, should the gateway echo them.
	x.hidden = append(x.hidden, sign)
	hidden := x.hidden
	form := make(url.Values, len(params)+1)
	for k, v := range params {
		form.Set(k, v)
	}
	form.Set("sign", sign)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return decoded{}, &Error{Method: r.method, Kind: ErrInvalidParameter, Message: c.redact(err.Error(), hidden...)}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "aliscout-aliexpress-go")

	start := time.Now()
	hr, err := c.httpClient.Do(req)
	if err != nil {
		return decoded{}, &Error{Method: r.method, Kind: ErrUnavailable, Message: c.redact(transportMessage(err), hidden...), Err: unwrapURLError(err)}
	}
	defer hr.Body.Close()
	resp.HTTPStatus = hr.StatusCode
	if hr.ContentLength > c.maxBody {
		return decoded{}, c.tooLarge(r.method, hr.StatusCode, hr.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, c.maxBody+1))
	c.logger.LogAttrs(ctx, slog.LevelDebug, "aliexpress: call", slog.String("method", r.method),
		slog.Int("status", hr.StatusCode), slog.Duration("took", time.Since(start)), slog.Int("bytes", len(body)))
	if err != nil {
		return decoded{}, &Error{Method: r.method, Kind: ErrUnavailable, HTTPStatus: hr.StatusCode, Message: "reading the answer: " + c.redact(transportMessage(err), hidden...), Err: unwrapURLError(err)}
	}
	if int64(len(body)) > c.maxBody {
		return decoded{}, c.tooLarge(r.method, hr.StatusCode, -1)
	}
	if hr.StatusCode != http.StatusOK {
		return decoded{}, c.statusError(r.method, hr, body, hidden)
	}
	d, err := decodeAnswer(r, body)
	rid := d.requestID
	resp.RequestID = rid
	if err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.HTTPStatus = hr.StatusCode
			if e.RequestID == "" {
				e.RequestID = rid
			}
			c.redactor(hidden...).redactError(e)
		}
		return d, err
	}
	return d, nil
}

// tooLarge is the error of an answer over the client's bound; size is its announced length, or -1.
func (c *Client) tooLarge(method string, status int, size int64) *Error {
	msg := fmt.Sprintf("answer larger than the %d bytes the client reads", c.maxBody)
	if size >= 0 {
		msg = fmt.Sprintf("answer of %d bytes is larger than the %d bytes the client reads", size, c.maxBody)
	}
	return &Error{Method: method, Kind: ErrResponseTooLarge, HTTPStatus: status, Message: msg}
}

// decoded is an HTTP 200 answer taken apart.
type decoded struct {
	payload    json.RawMessage // the object under <method>_response on /sync, the token object on /rest
	requestID  string
	resultPath string // where the payload's result is, for reply.result
	result     json.RawMessage
}

// decodeAnswer takes the body of an HTTP 200 answer to r apart: the envelope of its family, then
// every status marker in it.
func decodeAnswer(r *request, body []byte) (decoded, error) {
	var d decoded
	var err error
	if r.isSystem() {
		d.payload, d.requestID, err = decodeRest(r.method, body)
		if err == nil {
			d.payload = restUnwrap(d.payload)
		}
	} else {
		d.payload, d.requestID, err = decodeSync(r.method, body)
	}
	if err != nil {
		return d, err
	}
	var e *Error
	if d.resultPath, d.result, e = checkStatus(r.method, d.requestID, d.payload, r.businessKind); e != nil {
		return d, e
	}
	return d, nil
}

// statusError turns a non-200 answer into an error; an error envelope in it is used when present.
func (c *Client) statusError(method string, hr *http.Response, body []byte, hidden []string) error {
	var top map[string]json.RawMessage
	if json.Unmarshal(body, &top) == nil {
		if _, _, err := decodeSync(method, body); err != nil {
			var e *Error
			if errors.As(err, &e) && !errors.Is(e.Kind, ErrMalformedResponse) {
				e.HTTPStatus = hr.StatusCode
				c.redactor(hidden...).redactError(e)
				return e
			}
		}
	}
	e := &Error{Method: method, HTTPStatus: hr.StatusCode, Message: fmt.Sprintf("gateway answered HTTP %d", hr.StatusCode)}
	e.Kind = ErrUnreadableResponse
	switch {
	case hr.StatusCode == http.StatusTooManyRequests:
		e.Kind = ErrRateLimited
		e.RetryAfter = time.Second
		if s, err := strconv.Atoi(hr.Header.Get("Retry-After")); err == nil && s >= 0 {
			e.RetryAfter = time.Duration(s) * time.Second
		}
	case hr.StatusCode >= 500:
		e.Kind = ErrUnavailable
	case hr.StatusCode == http.StatusNotFound:
		e.Message += " (is the gateway URL right?)"
	}
	return e
}

// redactor returns a redactor of the client's secret and token and of a call's other credentials
// (hidden: its signatures, refresh token or authorization code).
func (c *Client) redactor(hidden ...string) *redactor {
	if c == nil {
		return newRedactor(hidden...)
	}
	return newRedactor(append([]string{c.appSecret, c.accessToken}, hidden...)...)
}

// redact removes every form of the client's and the call's credentials from a message that may
// echo what was sent.
func (c *Client) redact(s string, hidden ...string) string {
	return c.redactor(hidden...).redact(s)
}

// transportMessage describes a transport error without the request URL.
func transportMessage(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redactURL drops credentials and the query from a URL for an error message.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable)"
	}
	u.User = nil
	u.RawQuery = ""
	return u.String()
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

func (l *lockedRand) float64() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Float64()
}
