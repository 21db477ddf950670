package aliexpress

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testKey   = "500123"
	testToken = "50000000TESTTOKENvalue"
)

// gateway is a fake gateway mounted under a non-empty base path. It checks each request's
// signature and answers with the next body of its script.
type gateway struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	answers []answer
	reqs    []url.Values
	paths   []string
}

type answer struct {
	status int
	body   string
}

func newGateway(t *testing.T, answers ...answer) *gateway {
	t.Helper()
	g := &gateway{t: t, answers: answers}
	mux := http.NewServeMux()
	mux.HandleFunc("/api-prefix/", g.serve)
	g.srv = httptest.NewServer(mux)
	t.Cleanup(g.srv.Close)
	return g
}

func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		g.t.Errorf("request method = %s; want POST", r.Method)
	}
	if err := r.ParseForm(); err != nil {
		g.t.Errorf("ParseForm: %v", err)
	}
	if r.URL.RawQuery != "" {
		g.t.Errorf("request URL has a query %q; want every parameter in the body", r.URL.RawQuery)
	}
	params := map[string]string{}
	for k, v := range r.PostForm {
		params[k] = v[0]
		if strings.TrimSpace(v[0]) == "" {
			g.t.Errorf("parameter %s sent empty; want empty parameters left out", k)
		}
	}
	apiPath := ""
	if p := strings.TrimPrefix(r.URL.Path, "/api-prefix/rest"); p != r.URL.Path {
		apiPath = p
	}
	want, err := Sign(SignMethod(params["sign_method"]), testSecret, apiPath, params)
	if err != nil || params["sign"] != want {
		g.t.Errorf("request to %s: sign = %s; want %s (%v)", r.URL.Path, params["sign"], want, err)
	}
	g.mu.Lock()
	g.reqs = append(g.reqs, r.PostForm)
	g.paths = append(g.paths, r.URL.Path)
	var a answer
	if len(g.answers) > 0 {
		a = g.answers[0]
		if len(g.answers) > 1 {
			g.answers = g.answers[1:]
		}
	}
	g.mu.Unlock()
	if a.status == -1 { // drop the connection
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close()
		return
	}
	if a.status == 0 {
		a.status = http.StatusOK
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(a.status)
	io.WriteString(w, a.body)
}

func (g *gateway) calls() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.reqs)
}

func (g *gateway) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	base := []Option{
		WithGateway(g.srv.URL + "/api-prefix"),
		WithRandSeed(1),
		WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }),
	}
	c, err := NewClient(testKey, testSecret, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const okQuery = `{"aliexpress_affiliate_product_query_response":{"resp_result":{"resp_code":200,"resp_msg":"Call succeeds","result":{"current_record_count":0}},"request_id":"2101e9d5170000001"}}`

func TestCallSendsSignedForm(t *testing.T) {
	g := newGateway(t, answer{body: okQuery})
	c := g.client(t, WithClock(func() time.Time { return time.UnixMilli(1700000000000) }))
	raw, resp, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", map[string]string{"keywords": "wireless earbuds", "category_ids": ""}, true)
	if err != nil {
		t.Fatalf("Call() error = %v", err)
	}
	if resp.RequestID != "2101e9d5170000001" || resp.Attempts != 1 || resp.HTTPStatus != 200 {
		t.Errorf("Call() response = %+v; want request id, 1 attempt, 200", resp)
	}
	if !bytes.Contains(raw, []byte(`"resp_result"`)) {
		t.Errorf("Call() payload = %s; want the object under the method's _response key", raw)
	}
	got := g.reqs[0]
	for k, want := range map[string]string{"method": "aliexpress.affiliate.product.query", "app_key": testKey, "sign_method": "sha256", "timestamp": "1700000000000", "keywords": "wireless earbuds"} {
		if got.Get(k) != want {
			t.Errorf("sent %s = %q; want %q", k, got.Get(k), want)
		}
	}
	if got.Has("category_ids") || got.Has("session") {
		t.Errorf("sent %v; want no empty category_ids and no session without a token", got)
	}
	if g.paths[0] != "/api-prefix/sync" {
		t.Errorf("request path = %s; want /api-prefix/sync", g.paths[0])
	}
}

func TestSystemCallGoesToRest(t *testing.T) {
	g := newGateway(t, answer{body: `{"access_token":"x","code":"0","request_id":"r1"}`})
	c := g.client(t, WithSignMethod(SignMD5))
	x, err := c.do(context.Background(), &request{method: "/auth/token/create", params: map[string]string{"code": "3_500123_TESTCODE"}})
	resp := x.resp
	if err != nil {
		t.Fatalf("do(/auth/token/create) error = %v", err)
	}
	if g.paths[0] != "/api-prefix/rest/auth/token/create" || g.reqs[0].Has("method") || g.reqs[0].Get("sign_method") != "sha256" {
		t.Errorf("system call sent to %s with %v; want /rest/auth/token/create, sha256, no method", g.paths[0], g.reqs[0])
	}
	if resp.RequestID != "r1" {
		t.Errorf("RequestID = %q; want r1", resp.RequestID)
	}
}

func TestErrorEnvelopes(t *testing.T) {
	tests := []struct {
		name     string
		system   bool
		body     string
		status   int
		kind     error
		code     string
		retryFor time.Duration
	}{
		{name: "sync signature", body: `{"error_response":{"type":"ISV","code":"IncompleteSignature","msg":"The request signature does not conform to platform standards","request_id":"r"}}`, kind: ErrSignature, code: "IncompleteSignature"},
		{name: "sync app key", body: `{"error_response":{"type":"ISV","code":"InvalidAppkey","msg":"Invalid app key","request_id":"r"}}`, kind: ErrAppKey},
		{name: "sync token", body: `{"error_response":{"type":"ISV","code":"IllegalAccessToken","msg":"The specified access token is invalid or expired"}}`, kind: ErrInvalidToken},
		{name: "sync TOP permission", body: `{"error_response":{"type":"ISP","code":"15","msg":"Remote service error","sub_code":"isv.insufficient-permission","sub_msg":"Insufficient permission."}}`, kind: ErrPermission, code: "15"},
		{name: "sync rate limit", body: `{"error_response":{"type":"ISV","code":"ApiCallLimit","msg":"Api access frequency exceeds the limit. this ban will last 3 seconds"}}`, kind: ErrRateLimited, retryFor: 3 * time.Second},
		{name: "sync TOP rate limit", body: `{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-api-access-count","sub_msg":"This ban will last for 86000 more seconds"}}`, kind: ErrRateLimited, retryFor: 86000 * time.Second},
		{name: "sync ip whitelist", body: `{"error_response":{"type":"ISV","code":"AppWhiteIpLimit","msg":"ip"}}`, kind: ErrIPNotAllowed},
		{name: "sync TOP wrapper with DS sub code", body: `{"error_response":{"type":"ISP","code":"15","msg":"Remote service error","sub_code":"ITEM_ID_NOT_FOUND","sub_msg":"item not found"}}`, kind: ErrItemNotFound, code: "15"},
		{name: "sync item not found", body: `{"error_response":{"type":"ISV","code":"ITEM_ID_NOT_FOUND","msg":"item not found"}}`, kind: ErrItemNotFound},
		{name: "sync flat IOP error", body: `{"type":"ISV","code":"InvalidApiPath","message":"The specified API path is invalid","request_id":"r"}`, kind: ErrUnknownMethod},
		{name: "rest flat", system: true, body: `{"type":"ISV","code":"InvalidCode","message":"Invalid authorization code","request_id":"r"}`, kind: ErrInvalidCode},
		{name: "rest wrapped", system: true, body: `{"error_response":{"type":"ISV","code":"IllegalRefreshToken","msg":"refresh token expired"}}`, kind: ErrInvalidRefreshToken},
		{name: "not json", body: `<html>502 Bad Gateway</html>`, kind: ErrMalformedResponse},
		{name: "truncated", body: `{"aliexpress_affiliate_product_query_response":{"resp_re`, kind: ErrMalformedResponse},
		{name: "missing response key", body: `{"something_else":{}}`, kind: ErrMalformedResponse},
		{name: "http 503", status: 503, body: `oops`, kind: ErrUnavailable},
		{name: "http 404", status: 404, body: `not found`, kind: ErrMalformedResponse},
		{name: "http 429", status: 429, body: ``, kind: ErrRateLimited, retryFor: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, answer{status: tt.status, body: tt.body})
			c := g.client(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			method := "aliexpress.affiliate.product.query"
			if tt.system {
				method = "/auth/token/create"
			}
			_, err := c.do(context.Background(), &request{method: method, params: map[string]string{"x": "1"}, idempotent: true})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("do() error = %v; want *Error", err)
			}
			if !errors.Is(err, tt.kind) {
				t.Errorf("do() error = %v; want kind %v", err, tt.kind)
			}
			if tt.code != "" && e.Code != tt.code {
				t.Errorf("Error.Code = %q; want %q", e.Code, tt.code)
			}
			if e.RetryAfter != tt.retryFor {
				t.Errorf("Error.RetryAfter = %s; want %s", e.RetryAfter, tt.retryFor)
			}
			if e.Method != method || !strings.Contains(err.Error(), method) {
				t.Errorf("error %q does not name the method %s", err, method)
			}
		})
	}
}

func TestRetriesReadsOnTransientFailures(t *testing.T) {
	g := newGateway(t,
		answer{status: 502, body: "bad gateway"},
		answer{status: -1},
		answer{body: `{"error_response":{"code":"ApiCallLimit","msg":"Api access frequency exceeds the limit. this ban will last 1 seconds"}}`},
		answer{body: okQuery},
	)
	var waits []time.Duration
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	c := g.client(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxBanWait: 5 * time.Second}),
		WithClock(clock.Now), WithSleep(func(ctx context.Context, d time.Duration) error { waits = append(waits, d); return clock.Sleep(ctx, d) }))
	_, resp, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", nil, true)
	if err != nil {
		t.Fatalf("Call() error = %v; want success after retries", err)
	}
	if resp.Attempts != 4 || g.calls() != 4 {
		t.Errorf("attempts = %d, gateway saw %d; want 4", resp.Attempts, g.calls())
	}
	// Two back-offs, then a little jitter and the rest of the 1s ban.
	if len(waits) != 4 || waits[2]+waits[3] != time.Second {
		t.Errorf("waits = %v; want two back-offs, then 1s in all for the ban", waits)
	}
	for _, w := range waits[:2] {
		if w < 0 || w > time.Second {
			t.Errorf("back-off %s outside [0, MaxDelay]", w)
		}
	}
}

func TestNoRetry(t *testing.T) {
	tests := []struct {
		name string
		req  request
		ans  answer
	}{
		{"signature refused", request{method: "aliexpress.affiliate.product.query", idempotent: true}, answer{body: `{"error_response":{"code":"IncompleteSignature","msg":"x"}}`}},
		{"order without out_order_id", request{method: "aliexpress.ds.order.create", idempotent: false}, answer{status: 503}},
		{"ban longer than MaxBanWait", request{method: "aliexpress.affiliate.product.query", idempotent: true}, answer{body: `{"error_response":{"code":"ApiCallLimit","msg":"this ban will last 3600 seconds"}}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGateway(t, tt.ans)
			c := g.client(t)
			if _, err := c.do(context.Background(), &tt.req); err == nil {
				t.Fatal("do() error = nil; want an error")
			}
			if g.calls() != 1 {
				t.Errorf("gateway saw %d calls; want exactly 1 (no retry)", g.calls())
			}
		})
	}
}

func TestRetryStopsOnContextCancel(t *testing.T) {
	g := newGateway(t, answer{status: 503})
	ctx, cancel := context.WithCancel(context.Background())
	c := g.client(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 10, BaseDelay: time.Second, MaxDelay: time.Second}),
		WithSleep(func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }))
	_, _, err := c.Call(ctx, "aliexpress.affiliate.product.query", nil, true)
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("Call() error = %v; want ErrUnavailable", err)
	}
	if g.calls() != 1 {
		t.Errorf("gateway saw %d calls; want 1 (cancelled during the back-off)", g.calls())
	}
}

func TestDailyBudget(t *testing.T) {
	g := newGateway(t, answer{body: okQuery})
	now := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC) // 23:00 GMT+8
	c := g.client(t, WithDailyBudget(2), WithClock(func() time.Time { return now }))
	for i := 0; i < 2; i++ {
		if _, _, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", nil, true); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	_, _, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", nil, true)
	if !errors.Is(err, ErrBudgetExhausted) || g.calls() != 2 {
		t.Fatalf("third call error = %v, gateway saw %d; want ErrBudgetExhausted and no call sent", err, g.calls())
	}
	if used, limit, err := c.BudgetUsed(context.Background()); used != 2 || limit != 2 || err != nil {
		t.Errorf("BudgetUsed() = %d, %d, %v; want 2, 2", used, limit, err)
	}
	now = now.Add(2 * time.Hour) // past midnight GMT+8: a new platform day
	if _, _, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", nil, true); err != nil {
		t.Errorf("call on the next platform day error = %v; want success", err)
	}
}

func TestRateLimiterHoldsUnderQPS(t *testing.T) {
	const qps = 4
	clock := time.Unix(0, 0)
	l := newLimiter(map[string]int{"m": qps}, func() time.Time { return clock }, nil)
	var starts []time.Time
	for i := 0; i < 13; i++ {
		starts = append(starts, clock.Add(l.reserve("m")))
		clock = clock.Add(37 * time.Millisecond) // callers arrive faster than the limit
	}
	// No one-second window, sliding or fixed, may hold more than qps calls.
	for i := range starts {
		in := 0
		for _, s := range starts {
			if !s.Before(starts[i]) && s.Before(starts[i].Add(time.Second)) {
				in++
			}
		}
		if in > qps {
			t.Errorf("%d calls start within one second of call %d; want at most %d", in, i, qps)
		}
	}
	for sec := int64(0); sec < 5; sec++ {
		in := 0
		for _, s := range starts {
			if s.Unix() == sec {
				in++
			}
		}
		if in > qps {
			t.Errorf("%d calls in wall-clock second %d; want at most %d", in, sec, qps)
		}
	}
	if d := l.reserve("other"); d != 0 {
		t.Errorf("reserve(unlimited method) = %s; want 0", d)
	}
}

func TestSecretsNeverInErrorsOrLogs(t *testing.T) {
	// A hostile gateway that echoes everything it was sent back in its messages.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		var vals []string
		for k, v := range r.PostForm {
			vals = append(vals, k+"="+v[0])
		}
		body, _ := json.Marshal(map[string]any{"error_response": map[string]string{"code": "InvalidParameter",
			"msg": "bad request: " + strings.Join(vals, " ") + " secret=" + testSecret}})
		w.Write(body)
	}))
	defer srv.Close()
	var logs bytes.Buffer
	c, err := NewClient(testKey, testSecret, WithGateway(srv.URL), WithAccessToken(testToken),
		WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	const refresh, code = "50001TESTREFRESHvalue", "3_500123_TESTCODEvalue"
	calls := []struct {
		req     *request
		secrets []string
	}{
		{&request{method: "aliexpress.ds.product.get", params: map[string]string{"product_id": "1"}, session: true}, []string{testSecret, testToken}},
		{&request{method: "/auth/token/refresh", params: map[string]string{"refresh_token": refresh}}, []string{testSecret, refresh}},
		{&request{method: "/auth/token/create", params: map[string]string{"code": code}}, []string{testSecret, code}},
	}
	for _, call := range calls {
		logs.Reset()
		_, err = c.do(context.Background(), call.req)
		if err == nil {
			t.Fatalf("%s: error = nil; want the gateway's error", call.req.method)
		}
		var e *Error
		errors.As(err, &e)
		if e.Message == "" || !strings.Contains(err.Error(), "[redacted]") {
			t.Errorf("%s: error %q; want the echoed values replaced by [redacted]", call.req.method, err)
		}
		for _, s := range []string{err.Error(), logs.String()} {
			for _, secret := range call.secrets {
				if strings.Contains(s, secret) {
					t.Errorf("%s: %q leaked in %q", call.req.method, secret, s)
				}
			}
			// The signature is 64 hex characters: none may survive.
			if m := regexp.MustCompile(`[0-9A-F]{64}`).FindString(s); m != "" {
				t.Errorf("%s: a signature leaked: %q", call.req.method, s)
			}
		}
	}
}

func TestCallNeverRetriesAnOrderWithoutOutOrderID(t *testing.T) {
	for _, tt := range []struct {
		order string
		want  int
	}{
		{`{"logistics_address":{},"product_items":[]}`, 1},
		{`{"out_order_id":"ORD-7","logistics_address":{},"product_items":[]}`, 3},
	} {
		g := newGateway(t, answer{status: 503})
		c := g.client(t, WithAccessToken(testToken))
		c.Call(context.Background(), "aliexpress.ds.order.create", map[string]string{"param_place_order_request4_open_api_d_t_o": tt.order}, true)
		if g.calls() != tt.want {
			t.Errorf("Call(ds.order.create, %s) under 503s sent %d requests; want %d", tt.order, g.calls(), tt.want)
		}
	}
}

func TestTransportErrorHidesURL(t *testing.T) {
	c, err := NewClient(testKey, testSecret, WithGateway("http://user:pa55word@127.0.0.1:1/gw"), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = c.Call(context.Background(), "aliexpress.affiliate.category.get", nil, true)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Call() to a closed port error = %v; want ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), "pa55word") {
		t.Errorf("error %q leaks gateway credentials", err)
	}
}

func TestNewClientValidates(t *testing.T) {
	tests := []struct {
		name      string
		key, sec  string
		opts      []Option
		wantInErr string
	}{
		{"no key", "", "s", nil, "app key"},
		{"no secret", "k", "", nil, "app secret"},
		{"bad gateway", "k", "s", []Option{WithGateway("ftp://x")}, "gateway"},
		{"bad sign method", "k", "s", []Option{WithSignMethod("sha1")}, "sign method"},
		{"bad retry", "k", "s", []Option{WithRetryPolicy(RetryPolicy{})}, "MaxAttempts"},
	}
	for _, tt := range tests {
		_, err := NewClient(tt.key, tt.sec, tt.opts...)
		if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
			t.Errorf("%s: NewClient() error = %v; want one naming %q", tt.name, err, tt.wantInErr)
		}
	}
}

func TestSessionNeeded(t *testing.T) {
	g := newGateway(t, answer{body: okQuery})
	c := g.client(t)
	_, err := c.do(context.Background(), &request{method: "aliexpress.ds.product.get", session: true})
	if !errors.Is(err, ErrInvalidToken) || g.calls() != 0 {
		t.Errorf("DS call without a token: error = %v, calls = %d; want ErrInvalidToken before any call", err, g.calls())
	}
	c2 := c.WithAccessToken(testToken)
	if _, err := c2.do(context.Background(), &request{method: "aliexpress.affiliate.product.query", session: true, idempotent: true}); err != nil {
		t.Fatal(err)
	}
	if got := g.reqs[0].Get("session"); got != testToken {
		t.Errorf("session sent = %q; want the token", got)
	}
	if c.accessToken != "" {
		t.Error("WithAccessToken changed the original client")
	}
}

func TestConcurrentCalls(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, okQuery)
	}))
	defer srv.Close()
	c, _ := NewClient(testKey, testSecret, WithGateway(srv.URL), WithDailyBudget(1000))
	var wg sync.WaitGroup
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", nil, true); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if used, _, _ := c.BudgetUsed(context.Background()); used != 32 || n.Load() != 32 {
		t.Errorf("budget used %d, server saw %d; want 32 and 32", used, n.Load())
	}
}

func FuzzDecodeSync(f *testing.F) {
	f.Add([]byte(okQuery))
	f.Add([]byte(`{"error_response":{"code":7,"msg":"ban will last 5 seconds"}}`))
	f.Add([]byte(`{"code":"InvalidApiPath","type":"ISV"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		x, err := testReply("aliexpress.affiliate.product.query", body)
		if err == nil {
			if _, err := affDecodeProductPage(x, ""); err == nil {
				return
			}
		}
		var e *Error
		if !errors.As(err, &e) || e.Kind == nil {
			t.Fatalf("decodeSync error %v is not a typed *Error with a kind", err)
		}
	})
}

// TestHugeAnswerIsCutShort: a gateway answering 64 MB must cost the client no more than its
// bound (4 MiB by default), once: the call fails with ErrResponseTooLarge and is not retried.
func TestHugeAnswerIsCutShort(t *testing.T) {
	const huge = 64 << 20
	for _, announce := range []bool{true, false} {
		var calls atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			if announce {
				w.Header().Set("Content-Length", strconv.Itoa(huge))
			}
			chunk := bytes.Repeat([]byte(" "), 64<<10)
			io.WriteString(w, `{"aliexpress_affiliate_product_query_response":{"pad":"`)
			for n := 0; n < huge; n += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}))
		read := &countingTransport{base: http.DefaultTransport}
		c, err := NewClient(testKey, testSecret, WithGateway(srv.URL), WithHTTPClient(&http.Client{Transport: read}),
			WithSleep(func(ctx context.Context, d time.Duration) error { return ctx.Err() }))
		if err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, resp, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", nil, true)
		runtime.ReadMemStats(&after)
		srv.Close()
		if !errors.Is(err, ErrResponseTooLarge) || calls.Load() != 1 || resp.Attempts != 1 {
			t.Errorf("Content-Length announced %v: error = %v after %d calls (Attempts %d); want ErrResponseTooLarge after one",
				announce, err, calls.Load(), resp.Attempts)
		}
		if n := read.n.Load(); n > DefaultMaxResponseBytes+1 {
			t.Errorf("Content-Length announced %v: the client read %d bytes of the answer; want at most %d", announce, n, DefaultMaxResponseBytes+1)
		}
		// Reading up to the bound costs about twice the bound (the buffer grows by doubling); the
		// rest is the test server's and, under -race, the detector's.
		if got := after.TotalAlloc - before.TotalAlloc; got > 8*DefaultMaxResponseBytes {
			t.Errorf("Content-Length announced %v: the call allocated %d MiB; want at most %d MiB",
				announce, got>>20, 8*DefaultMaxResponseBytes>>20)
		}
	}
	if _, err := NewClient(testKey, testSecret, WithMaxResponseBytes(0)); err == nil {
		t.Error("WithMaxResponseBytes(0) accepted; want an error")
	}
}

// TestRedactorKeepsOrdinaryText: redaction hides credentials, not the text around them, and not
// runs of one character that a credential happens to contain.
func TestRedactorKeepsOrdinaryText(t *testing.T) {
	r := newRedactor("50000TESTACCESS000000000000000000000000001", "abc")
	for in, want := range map[string]string{
		"token 50000testaccess000000000000000000000000001 refused": "token [redacted] refused",
		"request 2101e9d517000000000005678 failed":                 "request 2101e9d517000000000005678 failed",
		"the abc of it":        "the abc of it",
		"half: TESTACCESS0000": "half: [redacted]",
	} {
		if got := r.redact(in); got != want {
			t.Errorf("redact(%q) = %q; want %q", in, got, want)
		}
	}
}

// fakeClock is a clock that sleeping moves forward, for WithClock and WithSleep.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
	return nil
}

// TestBanPausesEveryCaller: once the platform bans a method (ApiCallLimit with a ban length),
// every caller of the client, and of the clients WithAccessToken makes, waits the ban out instead
// of being turned away in turn. The fake gateway bans like the platform: any call to the method
// within the ban is refused.
func TestBanPausesEveryCaller(t *testing.T) {
	const m = "aliexpress.ds.order.tracking.get"
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var bannedUntil time.Time
	var calls, refused int
	var early []time.Time // calls that arrived while banned
	ban := 2 * time.Second
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		defer mu.Unlock()
		now := clock.Now()
		if r.Form.Get("method") != m {
			io.WriteString(w, okQuery)
			return
		}
		calls++
		if calls == 1 || now.Before(bannedUntil) {
			if calls > 1 {
				early = append(early, now)
			}
			refused++
			bannedUntil = now.Add(ban)
			fmt.Fprintf(w, `{"error_response":{"type":"ISP","code":"ApiCallLimit","msg":"Api access frequency exceeds the limit. this ban will last %d seconds"}}`, int(ban/time.Second))
			return
		}
		io.WriteString(w, `{"aliexpress_ds_order_tracking_get_response":{"result":{"ret":true,"data":{"tracking_detail_line_list":[{"mail_no":"LP1"}]}}}}`)
	}))
	defer srv.Close()
	newClient := func(p RetryPolicy) *Client {
		c, err := NewClient(testKey, testSecret, WithGateway(srv.URL), WithAccessToken(testToken), WithClock(clock.Now),
			WithSleep(clock.Sleep), WithRetryPolicy(p), WithRandSeed(3))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c := newClient(RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Millisecond, MaxBanWait: 5 * time.Second})
	ctx := context.Background()

	// The first caller is turned away; it does not retry, so the ban is still on.
	first := c.WithAccessToken(testToken)
	first.retry.MaxAttempts = 1
	if _, _, err := first.DS.Tracking(ctx, 1, nil); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("first call error = %v; want ErrRateLimited", err)
	}
	// Four more callers, one through another user's client, arrive during the ban.
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cc := c
			if i == 3 {
				cc = c.WithAccessToken("another-user-token")
			}
			if _, resp, err := cc.DS.Tracking(ctx, 1, nil); err != nil || resp.Attempts != 1 {
				t.Errorf("caller %d: Attempts %d, error %v; want the tracking at the first attempt, after the ban", i, resp.Attempts, err)
			}
		}()
	}
	// Other methods are not banned.
	if _, _, err := c.Call(ctx, "aliexpress.affiliate.product.query", nil, true); err != nil {
		t.Errorf("another method during the ban: %v", err)
	}
	wg.Wait()
	mu.Lock()
	if calls != 5 || refused != 1 || len(early) != 0 {
		t.Errorf("gateway saw %d calls, refused %d, %d within the ban; want 5, 1 and none", calls, refused, len(early))
	}
	mu.Unlock()

	// A ban longer than MaxBanWait turns callers away at once, without a call.
	mu.Lock()
	ban, calls, bannedUntil = time.Hour, 0, time.Time{}
	mu.Unlock()
	if _, _, err := c.DS.Tracking(ctx, 1, nil); !errors.Is(err, ErrRateLimited) {
		t.Fatalf("call banned for an hour: error = %v; want ErrRateLimited", err)
	}
	_, resp, err := c.DS.Tracking(ctx, 1, nil)
	mu.Lock()
	defer mu.Unlock()
	var e *Error
	if !errors.As(err, &e) || e.Kind != ErrRateLimited || e.RetryAfter < 59*time.Minute || resp.Attempts != 0 || calls != 1 {
		t.Errorf("call during an hour's ban = %v (Attempts %d, gateway calls %d); want ErrRateLimited with about an hour left and no call",
			err, resp.Attempts, calls)
	}
}

// countingLimiter and stubBudget stand in for limiters and budgets shared by several processes.
type countingLimiter struct {
	mu    sync.Mutex
	waits map[string]int
}

func (l *countingLimiter) Wait(ctx context.Context, method string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.waits == nil {
		l.waits = map[string]int{}
	}
	l.waits[method]++
	return ctx.Err()
}

type stubBudget struct {
	ok   bool
	err  error
	took int
}

func (b *stubBudget) Take(context.Context, time.Time) (bool, error) {
	b.took++
	return b.ok, b.err
}

func (b *stubBudget) Used(context.Context, time.Time) (int, int, error) { return b.took, 10, b.err }

// TestLimiterAndBudgetArePluggable: a client asks its Limiter before every attempt and its Budget
// before every call, whatever they are; a Budget's refusal or failure stops the call before it is
// sent. The defaults' options cannot be mixed with replacements.
func TestLimiterAndBudgetArePluggable(t *testing.T) {
	g := newGateway(t, answer{status: 503}, answer{body: okQuery})
	l := &countingLimiter{}
	b := &stubBudget{ok: true}
	c := g.client(t, WithLimiter(l), WithBudget(b))
	if _, _, err := c.Call(context.Background(), "aliexpress.affiliate.product.query", nil, true); err != nil {
		t.Fatal(err)
	}
	if l.waits["aliexpress.affiliate.product.query"] != 2 || b.took != 2 {
		t.Errorf("limiter waited %v, budget took %d; want 2 and 2 (one per attempt)", l.waits, b.took)
	}
	if used, limit, err := c.BudgetUsed(context.Background()); used != 2 || limit != 10 || err != nil {
		t.Errorf("BudgetUsed() = %d, %d, %v; want the budget's 2, 10", used, limit, err)
	}
	for _, tt := range []struct {
		budget *stubBudget
		kind   error
	}{
		{&stubBudget{ok: false}, ErrBudgetExhausted},
		{&stubBudget{err: errors.New("redis: connection refused")}, ErrUnavailable},
	} {
		calls := g.calls()
		_, _, err := g.client(t, WithLimiter(l), WithBudget(tt.budget)).Call(context.Background(), "aliexpress.affiliate.product.query", nil, true)
		if !errors.Is(err, tt.kind) || g.calls() != calls {
			t.Errorf("budget %+v: error = %v, %d calls sent; want %v and none", tt.budget, err, g.calls()-calls, tt.kind)
		}
	}
	for _, opts := range [][]Option{
		{WithLimiter(l), WithRateLimits(map[string]int{"m": 1})},
		{WithBudget(b), WithDailyBudget(5)},
		{WithLimiter(nil)}, {WithBudget(nil)}, {WithSleep(nil)},
	} {
		if _, err := NewClient(testKey, testSecret, opts...); err == nil {
			t.Errorf("NewClient with conflicting or nil options succeeded; want an error")
		}
	}
}

// countingTransport counts the bytes of answer bodies the client reads.
type countingTransport struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &t.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestConnectionsToASlowGatewayBounded: 60 concurrent calls to a gateway that answers slowly open
// at most DefaultMaxConnsPerHost connections; the rest wait for a free one.
func TestConnectionsToASlowGatewayBounded(t *testing.T) {
	var open, peak atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.Write([]byte(`{"aliexpress_affiliate_category_get_response":{"resp_result":{"resp_code":200,"result":{"categories":{"category":[]}}}}}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			n := open.Add(1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
		case http.StateClosed, http.StateHijacked:
			open.Add(-1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := NewClient(testKey, testSecret, WithGateway(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 60 {
		wg.Go(func() { c.Affiliate.Categories(context.Background()) })
	}
	wg.Wait()
	if p := peak.Load(); p > DefaultMaxConnsPerHost {
		t.Errorf("60 concurrent calls opened %d connections at once; want at most %d", p, DefaultMaxConnsPerHost)
	}
}
