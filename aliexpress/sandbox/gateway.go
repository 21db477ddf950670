package sandbox

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// gmt8 is the platform's own time zone (Asia/Shanghai, no daylight saving): TOP-style timestamps and
// the daily quota's midnight are in it.
var gmt8 = time.FixedZone("GMT+8", 8*60*60)

// pst is the fixed UTC-8 zone the affiliate order APIs speak (the docs say "PST").
var pst = time.FixedZone("PST", -8*60*60)

// call is one API request on its way through the gateway.
type call struct {
	r      *http.Request
	params map[string]string
	api    string // "aliexpress.ds.product.get" or "/auth/token/create"
	rest   bool   // arrived on /rest (flat envelopes)
	now    time.Time
	day    int
	reqID  string
	appKey string
	user   string // nick of the access token's owner, when one was presented and valid
	base   string // "http://host" of this request, for absolute picture URLs

	moved   time.Duration // how far the test controls moved the clock (Advance, SetTime)
	limited bool          // a FaultRateLimit applies: answer ApiCallLimit after the other checks
}

// param returns a request parameter with surrounding white space removed.
func (c *call) param(name string) string { return strings.TrimSpace(c.params[name]) }

// apiError is a gateway-level or business failure answered as an error envelope.
type apiError struct {
	Type    string // ISV, ISP or SYSTEM
	Code    string
	Msg     string
	SubCode string
	SubMsg  string
}

func isvError(code, msg string) *apiError { return &apiError{Type: "ISV", Code: code, Msg: msg} }

// missingParam answers a required parameter that was not sent. The code name is an assumption: the
// platform's text for it is not known; MissingParameter is what the same IOP gateway answers for
// other marketplaces.
func missingParam(name string) *apiError {
	return isvError("MissingParameter",
		fmt.Sprintf("The input parameter %q that is mandatory for processing this request is not supplied.", name))
}

// invalidParam answers a parameter whose value is not acceptable. The code name is an assumption
// (see missingParam).
func invalidParam(name, why string) *apiError {
	msg := fmt.Sprintf("The specified parameter %q is invalid", name)
	if why != "" {
		msg += ": " + why
	}
	return isvError("InvalidParameter", msg)
}

var (
	errInvalidAppKey = isvError("InvalidAppkey", "The specified app key is invalid")
	errIPLimit       = isvError("AppWhiteIpLimit", "The IP address of the caller is not in the IP whitelist of the app")
	// The code names of an unknown sign method and a bad timestamp are assumptions (§11 of the
	// reference): the platform's names for them are not known.
	errSignMethod = isvError("InvalidSignMethod", "The specified signature method is not supported")
	errTimestamp  = isvError("InvalidTimestamp", "The specified timestamp is invalid or too far from the server time")
	errSignature  = isvError("IncompleteSignature", "The request signature does not conform to platform standards")
	errToken      = isvError("IllegalAccessToken", "The specified access token is invalid or expired")
	// Unknown API names: InvalidMethod on /sync and InvalidApiPath on /rest are assumptions; the
	// community lists name both and nothing official does.
	errMethod  = isvError("InvalidMethod", "The specified API method is invalid")
	errApiPath = isvError("InvalidApiPath", "The specified API path is invalid")
)

// callLimitError answers ApiCallLimit with the ban's length in the message, as the platform does
// ("this ban will last 1 seconds"); clients read the number to know how long to wait.
func callLimitError(ban time.Duration) *apiError {
	secs := int64((ban + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return isvError("ApiCallLimit", fmt.Sprintf("Api access frequency exceeds the limit. this ban will last %d seconds", secs))
}

// apiMethod is one API the gateway serves.
type apiMethod struct {
	fn     func(*call) (obj, *apiError)
	user   bool // needs a user's access token
	system bool // a /rest system API answering flat bodies
}

// userScoped reports whether an API name acts for a user and so needs an access token: every
// Dropshipping method does.
func userScoped(api string) bool {
	return strings.HasPrefix(api, "aliexpress.ds.") || strings.HasPrefix(api, "aliexpress.trade.ds.") ||
		strings.HasPrefix(api, "aliexpress.trade.buy.") || strings.HasPrefix(api, "aliexpress.logistics.")
}

func (s *Sandbox) serveSync(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, false) }

func (s *Sandbox) serveRest(w http.ResponseWriter, r *http.Request) { s.serveAPI(w, r, true) }

// serveAPI runs one API call: faults first (they sit in front of the gateway), then the checks, the
// method, and the call log.
func (s *Sandbox) serveAPI(w http.ResponseWriter, r *http.Request, rest bool) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<20)
	params, perr := readParams(r)
	api := params["method"]
	if rest {
		if p := strings.TrimPrefix(r.URL.Path, "/rest"); p != "" && p != "/" {
			api = strings.TrimSuffix(p, "/")
		}
	}
	f := s.drawFault(api)
	if f.latency > 0 {
		t := time.NewTimer(f.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			s.record(Call{Method: api, Time: s.Now(), AppKey: params["app_key"], Fault: "latency", Code: "canceled"})
			return
		}
	}
	now, moved := s.clock()
	c := &call{
		r:       r,
		params:  params,
		api:     api,
		rest:    rest,
		now:     now,
		day:     world.Day(now),
		reqID:   s.requestID(now),
		appKey:  params["app_key"],
		base:    baseURL(r),
		moved:   moved,
		limited: f.limit,
	}
	if f.status != 0 {
		s.record(Call{Method: api, Time: now, AppKey: c.appKey, Fault: "http-" + strconv.Itoa(f.status), HTTPStatus: f.status})
		writeServerError(w, f.status)
		return
	}
	body, code := s.handle(c, perr)
	entry := Call{Method: api, Time: now, AppKey: c.appKey, User: c.user, Code: code, HTTPStatus: http.StatusOK, RequestID: c.reqID}
	if f.malformed {
		body = s.mangle(body)
		entry.Fault = "malformed"
	}
	if f.drop {
		entry.Fault = "drop"
		entry.HTTPStatus = 0
	}
	if f.limit {
		entry.Fault = "rate-limit"
	}
	if f.hold > 0 {
		entry.Fault = "timeout"
		entry.HTTPStatus = 0
	}
	s.record(entry)
	s.log.LogAttrs(r.Context(), levelFor(code), "sandbox call",
		slog.String("method", api), slog.String("code", code), slog.String("request_id", c.reqID))
	if f.hold > 0 {
		// The call was handled; its answer never comes. The wait ends when the client gives up,
		// the server closes, or the hold is over, whichever is first.
		t := time.NewTimer(f.hold)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
		dropConnection(w)
		return
	}
	if f.drop {
		dropConnection(w)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// handle checks a call the way the gateway does and runs its method. It returns the response body and
// the outcome code for the call log ("0" for success).
func (s *Sandbox) handle(c *call, perr error) ([]byte, string) {
	if perr != nil {
		return s.errorBody(c, invalidParam("body", "the request body cannot be read")), "InvalidParameter"
	}
	m, e := s.check(c)
	if e != nil {
		return s.errorBody(c, e), e.Code
	}
	payload, e := m.fn(c)
	if e != nil {
		return s.errorBody(c, e), e.Code
	}
	if m.system {
		payload["request_id"] = c.reqID
		payload["code"] = "0"
		return s.encode(payload), "0"
	}
	key := strings.ReplaceAll(c.api, ".", "_") + "_response"
	if c.api == "aliexpress.trade.ds.order.get" && s.opts.LegacyOrderRoot {
		key = "aliexpress_ds_trade_order_get_response"
	}
	if s.form.topCode {
		return s.encode(obj{key: payload, "code": "0", "request_id": c.reqID}), "0"
	}
	payload["request_id"] = c.reqID
	return s.encode(obj{key: payload}), "0"
}

// check applies the gateway's checks in its order and returns the method to run.
func (s *Sandbox) check(c *call) (apiMethod, *apiError) {
	required := []string{"app_key", "sign_method", "timestamp", "sign"}
	if !c.rest {
		required = append([]string{"method"}, required...)
	}
	for _, name := range required {
		if c.param(name) == "" {
			if name == "method" && c.rest {
				continue
			}
			return apiMethod{}, missingParam(name)
		}
	}
	if c.rest && c.api == "" {
		return apiMethod{}, missingParam("method")
	}
	if c.appKey != s.opts.AppKey {
		return apiMethod{}, errInvalidAppKey
	}
	if len(s.opts.IPWhitelist) > 0 && !s.ipAllowed(c.r) {
		return apiMethod{}, errIPLimit
	}
	method := aliexpress.SignMethod(c.params["sign_method"])
	// The system APIs on /rest are documented with sha256 only; /sync also takes the legacy md5 and
	// HMAC-MD5 of the TOP gateway it replaced.
	if !method.Valid() || (c.rest && method != aliexpress.SignSHA256) {
		return apiMethod{}, errSignMethod
	}
	ts, ok := parseTimestamp(c.params["timestamp"])
	if !ok {
		return apiMethod{}, errTimestamp
	}
	if !s.timely(ts, c.now) && (c.moved == 0 || !s.timely(ts, c.now.Add(-c.moved))) {
		// A clock moved by the test controls takes the time of the clients that follow it and the
		// time of those that do not (the wall clock, for a black-box test of another program).
		return apiMethod{}, errTimestamp
	}
	signPath := ""
	if c.rest {
		signPath = c.api
	}
	want, err := aliexpress.Sign(method, s.opts.AppSecret, signPath, c.params)
	if err != nil || subtle.ConstantTimeCompare([]byte(want), []byte(c.params["sign"])) != 1 {
		return apiMethod{}, errSignature
	}
	m, known := s.methods[c.api]
	if known && m.system != c.rest {
		known = false
	}
	if !m.system {
		// An access token is checked whenever one is sent (assumption: the gateway validates a
		// session it is given even for APIs that do not need one); it is required for user APIs.
		tok := c.params["session"]
		if tok == "" {
			tok = c.params["access_token"]
		}
		if tok != "" {
			user, ok := s.tokenUser(tok, c.now)
			if !ok {
				return apiMethod{}, errToken
			}
			c.user = user
		} else if userScoped(c.api) {
			return apiMethod{}, missingParam("session")
		}
	}
	if !known {
		if c.rest {
			return apiMethod{}, errApiPath
		}
		return apiMethod{}, errMethod
	}
	if c.limited {
		return apiMethod{}, callLimitError(banLength)
	}
	if e := s.admit(c.api, c.now); e != nil {
		return apiMethod{}, e
	}
	return m, nil
}

// timely reports whether a request's timestamp is within the window of now.
func (s *Sandbox) timely(ts, now time.Time) bool {
	d := now.Sub(ts)
	return d <= s.opts.TimestampWindow && d >= -s.opts.TimestampWindow
}

// errorBody renders an error envelope: wrapped in error_response on /sync, flat with "message" on /rest.
func (s *Sandbox) errorBody(c *call, e *apiError) []byte {
	if c.rest {
		return s.encode(obj{"type": e.Type, "code": e.Code, "message": e.Msg, "request_id": c.reqID})
	}
	inner := obj{"type": e.Type, "code": e.Code, "msg": e.Msg, "request_id": c.reqID}
	if e.SubCode != "" {
		inner["sub_code"] = e.SubCode
		inner["sub_msg"] = e.SubMsg
	}
	return s.encode(obj{"error_response": inner})
}

// readParams merges the query string with an urlencoded or multipart body. File parts are left out:
// they are not signed. For a name sent twice the body's value wins.
func readParams(r *http.Request) (map[string]string, error) {
	var err error
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" && r.Method == http.MethodPost {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	params := make(map[string]string, len(r.Form))
	for k, vs := range r.Form {
		if k != "" && len(vs) > 0 {
			params[k] = vs[0]
		}
	}
	if err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return params, err
	}
	return params, nil
}

// parseTimestamp accepts the forms the platform takes: milliseconds since the epoch (13 digits), the
// TOP form "2006-01-02 15:04:05" in GMT+8, and ISO 8601 UTC ("2006-01-02T15:04:05Z").
func parseTimestamp(v string) (time.Time, bool) {
	if len(v) == 13 && allDigits(v) {
		ms, err := strconv.ParseInt(v, 10, 64)
		return time.UnixMilli(ms), err == nil
	}
	if t, err := time.ParseInLocation(time.DateTime, v, gmt8); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, true
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// requestID returns an ID in the platform's shape: 8 hex digits naming the gateway host, the time in
// milliseconds and a 4-digit sequence number, 25 characters in all.
func (s *Sandbox) requestID(now time.Time) string {
	s.mu.Lock()
	s.reqSeq++
	seq := s.reqSeq
	s.mu.Unlock()
	return fmt.Sprintf("2101%04x%013d%04d", uint16(s.opts.Seed), now.UnixMilli()%1e13, seq%10000)
}

func (s *Sandbox) ipAllowed(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	for _, allowed := range s.opts.IPWhitelist {
		if a := net.ParseIP(allowed); a != nil && ip != nil && a.Equal(ip) {
			return true
		}
		if allowed == host {
			return true
		}
	}
	return false
}

// baseURL is the scheme and host the request came to, for the absolute URLs of pictures.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	if host == "" {
		host = "localhost"
	}
	return scheme + "://" + host
}

// writeServerError answers the way the platform's front proxies do when a backend fails.
func writeServerError(w http.ResponseWriter, status int) {
	text := http.StatusText(status)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n",
		status, text, status, text)
}
