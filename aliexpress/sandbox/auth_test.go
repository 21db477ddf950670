package sandbox

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAuthorizePage(t *testing.T) {
	e := newEnv(t, Options{CallbackURL: "https://app.example/callback"})
	tests := []struct {
		query      string
		wantStatus int
		wantText   string
	}{
		{"response_type=code&force_auth=true&client_id=500000&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&state=%3Cscript%3Ex%3C%2Fscript%3E", 200, "&lt;script&gt;x&lt;/script&gt;"},
		{"response_type=code&client_id=999&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback", 400, "not the app key"},
		{"response_type=token&client_id=500000&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback", 400, "response_type"},
		{"response_type=code&client_id=500000&redirect_uri=javascript%3Aalert(1)", 400, "redirect_uri"},
		{"response_type=code&client_id=500000&redirect_uri=https%3A%2F%2Fevil.example%2F", 400, "callback URL"},
	}
	for _, tt := range tests {
		status, ctype, body := e.serve(httptest.NewRequest(http.MethodGet, "/oauth/authorize?"+tt.query, nil))
		if status != tt.wantStatus || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(string(body), tt.wantText) {
			t.Errorf("GET /oauth/authorize?%s = %d %q; want %d with %q", tt.query, status, truncate(string(body), 200), tt.wantStatus, tt.wantText)
		}
		if strings.Contains(string(body), "<script>x") {
			t.Errorf("GET /oauth/authorize?%s echoes state unescaped", tt.query)
		}
	}
}

// TestOAuthFlow approves the page, trades the code, refreshes, and checks every lifetime rule.
func TestOAuthFlow(t *testing.T) {
	e := newEnv(t, Options{})
	approve := url.Values{"response_type": {"code"}, "client_id": {"500000"}, "redirect_uri": {"https://app.example/cb?x=1"},
		"state": {"s t"}, "user_nick": {"buyer42"}, "action": {"approve"}}
	r := httptest.NewRequest(http.MethodPost, "/oauth/authorize", strings.NewReader(approve.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.sb.ServeHTTP(w, r)
	loc, err := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusFound || err != nil || loc.Host != "app.example" || loc.Query().Get("x") != "1" || loc.Query().Get("state") != "s t" {
		t.Fatalf("approve = %d, Location %q; want 302 to the callback with x and state", w.Code, w.Header().Get("Location"))
	}
	code := loc.Query().Get("code")
	if !strings.HasPrefix(code, "3_500000_") {
		t.Fatalf("code = %q; want 3_<app key>_...", code)
	}

	tok := e.rest("/auth/token/create", map[string]string{"code": code})
	shape(t, "token create", tok, map[string]string{
		"access_token": "string", "refresh_token": "string", "expires_in": "number", "refresh_expires_in": "number",
		"expire_time": "number", "refresh_token_valid_time": "number", "user_id": "string", "seller_id": "string",
		"user_nick": "string", "havana_id": "string", "account": "string", "account_platform": "string",
		"account_id": "string", "locale": "string", "sp": "string", "code": "string", "request_id": "string",
	})
	if str(tok["code"]) != "0" || str(tok["expires_in"]) != "86400" || str(tok["refresh_expires_in"]) != "172800" || str(tok["user_nick"]) != "buyer42" {
		t.Errorf("token = %v; want code 0, 86400/172800 s, user buyer42", tok)
	}
	if got := str(tok["expire_time"]); got != "1772510400000" { // testEpoch + 1 day in ms
		t.Errorf("expire_time = %s; want 1772510400000", got)
	}

	if got := str(e.rest("/auth/token/create", map[string]string{"code": code})["code"]); got != "InvalidCode" {
		t.Errorf("second use of a code = %s; want InvalidCode", got)
	}
	late := e.sb.AuthorizeCode("https://app.example/cb")
	e.clock.Advance(3*time.Minute + time.Second)
	if got := str(e.rest("/auth/token/create", map[string]string{"code": late})["code"]); got != "InvalidCode" {
		t.Errorf("code after 3 minutes = %s; want InvalidCode", got)
	}
	withUUID := e.sb.AuthorizeCode("https://app.example/cb")
	if got := str(e.rest("/auth/token/create", map[string]string{"code": withUUID, "uuid": "abc"})["code"]); got != "InvalidCode" {
		t.Errorf("token create with uuid = %s; want InvalidCode", got)
	}

	// The access token works for DS calls.
	e.token = str(tok["access_token"])
	e.ok("aliexpress.ds.feedname.get", nil)

	// Refresh 10 hours later: new pair, the refresh expiry does not move.
	e.clock.Advance(10 * time.Hour)
	ref := e.rest("/auth/token/refresh", map[string]string{"refresh_token": str(tok["refresh_token"])})
	if str(ref["code"]) != "0" || str(ref["access_token"]) == str(tok["access_token"]) || str(ref["refresh_token"]) == str(tok["refresh_token"]) {
		t.Fatalf("refresh = %v; want a new pair", ref)
	}
	if str(ref["refresh_token_valid_time"]) != str(tok["refresh_token_valid_time"]) {
		t.Errorf("refresh_token_valid_time = %s after refresh; want unchanged %s", str(ref["refresh_token_valid_time"]), str(tok["refresh_token_valid_time"]))
	}
	wantLeft := 172800 - int((3*time.Minute+time.Second+10*time.Hour)/time.Second)
	if got := str(ref["refresh_expires_in"]); got != strconv.Itoa(wantLeft) {
		t.Errorf("refresh_expires_in = %s; want %d", got, wantLeft)
	}
	if got := str(e.rest("/auth/token/refresh", map[string]string{"refresh_token": str(tok["refresh_token"])})["code"]); got != "IllegalRefreshToken" {
		t.Errorf("reusing a spent refresh token = %s; want IllegalRefreshToken", got)
	}

	// Past the access token's day: IllegalAccessToken. Past the refresh token's two days: IllegalRefreshToken.
	e.token = str(ref["access_token"])
	e.clock.Advance(24 * time.Hour)
	if got := e.errCode("aliexpress.ds.feedname.get", nil); got != "IllegalAccessToken" {
		t.Errorf("DS call with an expired token = %q; want IllegalAccessToken", got)
	}
	e.clock.Advance(14 * time.Hour)
	if got := str(e.rest("/auth/token/refresh", map[string]string{"refresh_token": str(ref["refresh_token"])})["code"]); got != "IllegalRefreshToken" {
		t.Errorf("refresh after 2 days = %s; want IllegalRefreshToken", got)
	}
}

func TestLaunchedAppLifetimes(t *testing.T) {
	e := newEnv(t, Options{LaunchedApp: true})
	tok := e.rest("/auth/token/create", map[string]string{"code": e.sb.AuthorizeCode("https://app.example/cb")})
	if str(tok["expires_in"]) != "2592000" || str(tok["refresh_expires_in"]) != "5184000" {
		t.Errorf("launched app token lifetimes = %s/%s; want 2592000/5184000", str(tok["expires_in"]), str(tok["refresh_expires_in"]))
	}
}

// TestRestMethodParam checks the official SDKs' form: POST /rest with method=/auth/token/create.
func TestRestMethodParam(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.params("/auth/token/create")
	p["code"] = e.sb.AuthorizeCode("https://app.example/cb")
	e.sign("/auth/token/create", p)
	_, body := e.post("/rest", p)
	if v := decode(t, body); str(v["code"]) != "0" || kind(v["access_token"]) != "string" {
		t.Errorf("POST /rest method=/auth/token/create = %s; want a token", body)
	}
}

func TestSecurityToken(t *testing.T) {
	e := newEnv(t, Options{})
	tok := e.rest("/auth/token/security/create", map[string]string{"code": e.sb.AuthorizeCode("https://app.example/cb"), "uuid": "u-1"})
	if str(tok["code"]) != "0" || tok["user_nick"] != nil {
		t.Errorf("security create = %v; want a token without user_nick", tok)
	}
	ref := e.rest("/auth/token/security/refresh", map[string]string{"refresh_token": str(tok["refresh_token"])})
	if str(ref["code"]) != "0" {
		t.Errorf("security refresh = %v; want a token", ref)
	}
}

func TestApproveCancel(t *testing.T) {
	e := newEnv(t, Options{})
	v := url.Values{"response_type": {"code"}, "client_id": {"500000"}, "redirect_uri": {"https://app.example/cb"}, "action": {"cancel"}}
	r := httptest.NewRequest(http.MethodPost, "/oauth/authorize", strings.NewReader(v.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	e.sb.ServeHTTP(w, r)
	if loc := w.Header().Get("Location"); w.Code != http.StatusFound || !strings.Contains(loc, "error=access_denied") || strings.Contains(loc, "code=") {
		t.Errorf("cancel = %d %q; want a redirect with error=access_denied and no code", w.Code, loc)
	}
}
