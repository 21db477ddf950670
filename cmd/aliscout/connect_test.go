package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// sandboxToken matches the simulator's access and refresh tokens.
var sandboxToken = regexp.MustCompile(`5000[01]\d{3}[A-Za-z0-9]{56}`)

// startServeOn runs serve against the simulator sb as its gateway, with no credentials and no
// DS token of its own: DS data comes only from users' connected accounts.
func startServeOn(t *testing.T, sb *sandbox.Server) string {
	t.Helper()
	base, stop := startServe(t, map[string]string{"ALIEXPRESS_GATEWAY": sb.URL, "ALISCOUT_SIGNUP": "open"})
	t.Cleanup(func() { stop() })
	return base
}

// get fetches target without following redirects and returns the status, Location and body.
func (u *user) get(target string) (int, string, string) {
	u.t.Helper()
	resp, err := u.client.Get(target)
	if err != nil {
		u.t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(b)
}

// signUp creates an account on the app at base.
func (u *user) signUp(base, email string) {
	u.t.Helper()
	pw := "password-" + email
	if code, body := u.form(base+"/signup", url.Values{"email": {email}, "password": {pw}, "password_confirm": {pw}}); code != http.StatusSeeOther {
		u.t.Fatalf("POST /signup %s = %d\n%s", email, code, body)
	}
}

// approve starts connecting from the app at base and approves on the simulator's page as the
// buyer nick, and returns the callback URL the platform sends the browser back to.
func (u *user) approve(base, storeURL, nick string) string {
	u.t.Helper()
	code, loc, body := u.get(base + "/connect/aliexpress?" + url.Values{"store_url": {storeURL}}.Encode())
	if code != http.StatusSeeOther || !strings.Contains(loc, "/oauth/authorize?") {
		u.t.Fatalf("GET /connect/aliexpress = %d to %q; want 303 to the authorization page\n%s", code, loc, body)
	}
	if code, _, body := u.get(loc); code != http.StatusOK || !strings.Contains(body, "Authorize an application") {
		u.t.Fatalf("GET %s = %d; want the simulator's authorization page\n%s", loc, code, body)
	}
	auth, _ := url.Parse(loc)
	form := url.Values{"action": {"approve"}, "user_nick": {nick}}
	for _, k := range []string{"response_type", "client_id", "redirect_uri", "state"} {
		form.Set(k, auth.Query().Get(k))
	}
	resp, err := u.client.PostForm(auth.Scheme+"://"+auth.Host+"/oauth/authorize", form)
	if err != nil {
		u.t.Fatal(err)
	}
	resp.Body.Close()
	cb := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(cb, base+"/connect/callback?") {
		u.t.Fatalf("approving = %d to %q; want 302 to %s/connect/callback", resp.StatusCode, cb, base)
	}
	return cb
}

// TestConnectOverTheRealStack: connecting an account through serve, the simulator's authorization
// page and back, with the state checked for real; DS data then comes with the user's own token,
// which no answer shows.
func TestConnectOverTheRealStack(t *testing.T) {
	sb := sandbox.NewServer(sandbox.Options{})
	t.Cleanup(sb.Close)
	base := startServeOn(t, sb)
	ana, bob := newUser(t), newUser(t)
	ana.signUp(base, "ana@example.com")
	bob.signUp(base, "bob@example.com")
	id := sb.SampleProductIDs(1)[0]
	product := func(u *user) (source string, variants int) {
		t.Helper()
		code, _, body := u.get(fmt.Sprintf("%s/api/products/%d?ship_to=US", base, id))
		var p struct {
			Source   string            `json:"source"`
			Variants []json.RawMessage `json:"variants"`
		}
		if err := json.Unmarshal([]byte(body), &p); code != 200 || err != nil {
			t.Fatalf("GET /api/products/%d = %d %s", id, code, body)
		}
		return p.Source, len(p.Variants)
	}
	if src, _ := product(ana); src != "affiliate" {
		t.Errorf("product source before connecting = %q; want affiliate (serve has no DS token of its own)", src)
	}

	const nick = "us1000000077sbox"
	cb := ana.approve(base, "https://shop.example", nick)
	// Foreign: another user's browser, or the callback without its state (and no cookie).
	if code, _, body := bob.get(cb); code != http.StatusBadRequest || !strings.Contains(body, "This AliExpress authorization is not valid here") {
		t.Errorf("bob's browser on ana's callback = %d; want 400 saying the authorization is not valid", code)
	}
	u, _ := url.Parse(cb)
	if code, _, _ := newUser(t).get(cb); code != http.StatusSeeOther {
		t.Errorf("a browser signed in to nobody on the callback = %d; want 303 to sign in", code)
	}
	q := u.Query()
	q.Del("state")
	if code, _, _ := bob.get(base + "/connect/callback?" + q.Encode()); code != http.StatusBadRequest {
		t.Errorf("the callback without state = %d; want 400", code)
	}
	code, loc, body := ana.get(cb)
	if code != http.StatusSeeOther || loc != "/account#aliexpress" {
		t.Fatalf("ana's callback = %d to %q; want 303 to her account page\n%s", code, loc, body)
	}
	if code, _, _ := ana.get(cb); code != http.StatusBadRequest {
		t.Errorf("the callback again (state used) = %d; want 400", code)
	}

	code, _, body = ana.get(base + "/api/aliexpress-accounts")
	var list struct {
		Accounts []struct {
			UserNick         string    `json:"user_nick"`
			RefreshExpiresAt time.Time `json:"refresh_expires_at"`
			AccessExpiresAt  time.Time `json:"access_expires_at"`
			StoreURL         string    `json:"store_url"`
			Notice           string    `json:"expiry_notice"`
		} `json:"accounts"`
		CallbackURL string `json:"callback_url"`
	}
	if err := json.Unmarshal([]byte(body), &list); code != 200 || err != nil || len(list.Accounts) != 1 {
		t.Fatalf("GET /api/aliexpress-accounts = %d %s", code, body)
	}
	a := list.Accounts[0]
	// The simulator's app is in test status: the access token lasts a day, the authorization two.
	if a.UserNick != nick || a.StoreURL != "https://shop.example" || time.Until(a.AccessExpiresAt) < 23*time.Hour ||
		time.Until(a.RefreshExpiresAt) < 47*time.Hour || time.Until(a.RefreshExpiresAt) > 49*time.Hour || a.Notice != "7d" {
		t.Errorf("account = %+v; want %s, the store URL, lifetimes of a day and two, and the 7-day notice", a, nick)
	}
	if list.CallbackURL != base+"/connect/callback" {
		t.Errorf("callback_url = %q; want %s/connect/callback", list.CallbackURL, base)
	}

	before := dsCallsAs(sb, nick)
	if src, n := product(ana); src != "ds" || n == 0 {
		t.Errorf("product for ana after connecting = %s with %d variants; want DS variants", src, n)
	}
	if dsCallsAs(sb, nick) == before {
		t.Errorf("no ds.product.get reached the simulator as %s; want ana's product read with her token", nick)
	}
	if src, _ := product(bob); src != "affiliate" {
		t.Errorf("product for bob = %q; want affiliate data: ana's account is hers", src)
	}

	// Opened at localhost rather than the address serve printed, the browser comes back to
	// localhost, where its session cookie is (on the simulator, with no ALISCOUT_PUBLIC_URL).
	carol := newUser(t)
	local := strings.Replace(base, "127.0.0.1", "localhost", 1)
	carol.signUp(local, "carol@example.com")
	if code, loc, _ := carol.get(carol.approve(local, "", "us1000000078sbox")); code != http.StatusSeeOther || loc != "/account#aliexpress" {
		t.Errorf("carol's callback at localhost = %d to %q; want 303 to her account page", code, loc)
	}

	// No answer shows a token.
	for _, path := range []string{"/api/aliexpress-accounts", "/account", fmt.Sprintf("/products/%d", id), "/api/account/export"} {
		if _, _, body := ana.get(base + path); sandboxToken.MatchString(body) {
			t.Errorf("GET %s shows a token", path)
		}
	}
}

// dsCallsAs counts the successful ds.product.get calls made with nick's token.
func dsCallsAs(sb *sandbox.Server, nick string) int {
	n := 0
	for _, c := range sb.Calls() {
		if c.Method == "aliexpress.ds.product.get" && c.User == nick && c.Code == "0" {
			n++
		}
	}
	return n
}

func TestPublicURL(t *testing.T) {
	for _, tc := range []struct {
		configured, listen, want string
	}{
		{"https://scout.example.com", "127.0.0.1:8080", "https://scout.example.com"},
		{"", "127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"", "0.0.0.0:8080", "http://localhost:8080"},
		{"", "[::]:9000", "http://localhost:9000"},
		{"", "[::1]:9000", "http://[::1]:9000"},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tc.listen)
		if err != nil {
			t.Fatal(err)
		}
		if got := publicURL(tc.configured, addr); got != tc.want {
			t.Errorf("publicURL(%q, %s) = %q; want %q", tc.configured, tc.listen, got, tc.want)
		}
	}
}
