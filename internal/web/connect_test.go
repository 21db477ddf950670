package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// fakeConnections is Connections in memory, with the checks of internal/connect: a state works
// once, for the user and session (or, made with session 0, any session of the user) it was made
// for; a code works once. It keeps a token per account, as the real one does sealed, to check
// that no answer ever shows one.
type fakeConnections struct {
	mu       sync.Mutex
	now      func() time.Time
	nextID   int64
	states   map[string]*fakeState
	codes    map[string]bool // issued, not yet used
	accounts map[int64][]ConnectedAccount
	tokens   map[int64]string // by account id
	begun    []fakeState
}

type fakeState struct {
	user, session    int64
	storeURL, origin string
	used             bool
}

const fakeCallback = "https://aliscout.example/connect/callback"

func newFakeConnections(now func() time.Time) *fakeConnections {
	return &fakeConnections{now: now, states: map[string]*fakeState{}, codes: map[string]bool{},
		accounts: map[int64][]ConnectedAccount{}, tokens: map[int64]string{}}
}

func (f *fakeConnections) Begin(_ context.Context, userID, sessionID int64, storeURL, origin string) (string, error) {
	if storeURL != "" && !strings.HasPrefix(storeURL, "https://") && !strings.HasPrefix(storeURL, "http://") {
		return "", invalid("store_url", "must be an http:// or https:// address")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	state := fmt.Sprintf("state-%d", len(f.states)+1)
	st := fakeState{user: userID, session: sessionID, storeURL: storeURL, origin: origin}
	f.states[state] = &st
	f.begun = append(f.begun, st)
	return "https://gateway.example/oauth/authorize?" + url.Values{"client_id": {"app"}, "redirect_uri": {fakeCallback},
		"state": {state}}.Encode(), nil
}

// approve is the platform's approval page: it returns the code the callback gets.
func (f *fakeConnections) approve() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	code := fmt.Sprintf("code-%d", len(f.codes)+1)
	f.codes[code] = true
	return code
}

func (f *fakeConnections) Complete(_ context.Context, userID, sessionID int64, code, state string) (ConnectedAccount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.states[state]
	if state == "" || st == nil || st.used || st.user != userID || (st.session != 0 && st.session != sessionID) {
		return ConnectedAccount{}, ErrConnectState
	}
	st.used = true
	if !f.codes[code] {
		return ConnectedAccount{}, ErrConnectCode
	}
	delete(f.codes, code)
	f.nextID++
	now := f.now()
	a := ConnectedAccount{ID: f.nextID, Nick: fmt.Sprintf("buyer%d <b>sbox</b>", f.nextID), Email: fmt.Sprintf("buyer%d@example.com", f.nextID),
		StoreURL: st.storeURL, IsDefault: len(f.accounts[userID]) == 0, AccessExpiresAt: now.Add(30 * 24 * time.Hour),
		RefreshExpiresAt: now.Add(60 * 24 * time.Hour), ReportState: store.ReportNone, CreatedAt: now}
	if st.storeURL != "" {
		a.ReportState = store.ReportPending
	}
	f.accounts[userID] = append(f.accounts[userID], a)
	f.tokens[a.ID] = fmt.Sprintf("50000123TOKEN%dSECRET", a.ID)
	return a, nil
}

func (f *fakeConnections) List(_ context.Context, userID int64) ([]ConnectedAccount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]ConnectedAccount(nil), f.accounts[userID]...), nil
}

// find returns the index of one of the user's accounts.
func (f *fakeConnections) find(userID, id int64) (int, error) {
	for i, a := range f.accounts[userID] {
		if a.ID == id {
			return i, nil
		}
	}
	return 0, ErrNotConnected
}

func (f *fakeConnections) SetDefault(_ context.Context, userID, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.find(userID, id); err != nil {
		return err
	}
	for i := range f.accounts[userID] {
		f.accounts[userID][i].IsDefault = f.accounts[userID][i].ID == id
	}
	return nil
}

func (f *fakeConnections) Disconnect(_ context.Context, userID, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, err := f.find(userID, id)
	if err != nil {
		return err
	}
	f.accounts[userID] = append(f.accounts[userID][:i], f.accounts[userID][i+1:]...)
	delete(f.tokens, id)
	return nil
}

func (f *fakeConnections) SetStoreURL(_ context.Context, userID, id int64, storeURL string) (ConnectedAccount, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, err := f.find(userID, id)
	if err != nil {
		return ConnectedAccount{}, err
	}
	if storeURL != "" && !strings.HasPrefix(storeURL, "https://") && !strings.HasPrefix(storeURL, "http://") {
		return ConnectedAccount{}, invalid("store_url", "must be an http:// or https:// address")
	}
	a := &f.accounts[userID][i]
	a.StoreURL, a.ReportState = storeURL, store.ReportPending
	if storeURL == "" {
		a.ReportState = store.ReportNone
	}
	return *a, nil
}

func (f *fakeConnections) CallbackURL() string { return fakeCallback }

// update changes one of the user's accounts, as the background jobs do.
func (f *fakeConnections) update(userID, id int64, fn func(*ConnectedAccount)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	i, err := f.find(userID, id)
	if err != nil {
		panic(err)
	}
	fn(&f.accounts[userID][i])
}

// userCatalog is Config.UserCatalog over the fake: the default account's catalog, which says in
// its products' titles whose it is.
func (f *fakeConnections) userCatalog(base *fakeCatalog) func(ctx context.Context, userID int64) (Catalog, error) {
	return func(_ context.Context, userID int64) (Catalog, error) {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, a := range f.accounts[userID] {
			if !a.IsDefault {
				continue
			}
			if a.NeedsReconnect {
				return nil, ErrReconnect
			}
			return &accountCatalog{fakeCatalog: base, nick: a.Nick, token: f.tokens[a.ID]}, nil
		}
		return nil, fmt.Errorf("user %d: %w", userID, ErrNotConnected)
	}
}

// accountCatalog is the catalog acting as one connected account.
type accountCatalog struct {
	*fakeCatalog
	nick  string
	token string // as the real one holds it in its client
}

func (c *accountCatalog) Product(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.Product, error) {
	p, err := c.fakeCatalog.Product(ctx, id, o)
	p.Title = "As seen by " + c.nick + ": " + p.Title
	p.Source = catalog.SourceDS
	return p, err
}

func (c *accountCatalog) Products(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.Found {
	found := c.fakeCatalog.Products(ctx, ids, o)
	for i := range found {
		if found[i].Err == nil {
			found[i].Product.Title = "As seen by " + c.nick + ": " + found[i].Product.Title
			found[i].Product.Source = catalog.SourceDS
		}
	}
	return found
}

// connectEnv is the app with accounts and connected AliExpress accounts on the fake; cfg adds to
// its configuration.
func connectEnv(t *testing.T, cfg Config) (*acctEnv, *fakeConnections) {
	t.Helper()
	var conns *fakeConnections
	var e *acctEnv
	// The fake needs the env's clock, and the env the fake: late-bound through pointers.
	conns = newFakeConnections(func() time.Time { return e.clock.Now() })
	cfg.Connections = conns
	cfg.UserCatalog = func(ctx context.Context, userID int64) (Catalog, error) {
		return conns.userCatalog(e.cat.fakeCatalog)(ctx, userID)
	}
	e = newAcctEnv(t, acctSetup{Config: cfg})
	return e, conns
}

// connect runs the flow in b's browser up to the platform's approval, and returns where the
// platform would send the browser back.
func (b *visitor) connect(conns *fakeConnections, storeURL string) *connectFlow {
	b.e.t.Helper()
	w := b.get("/connect/aliexpress?" + url.Values{"store_url": {storeURL}}.Encode())
	if w.Code != http.StatusSeeOther {
		b.e.t.Fatalf("GET /connect/aliexpress = %d; want 303 to the platform\n%s", w.Code, w.Body.String())
	}
	auth, err := url.Parse(w.Header().Get("Location"))
	if err != nil || auth.Host != "gateway.example" {
		b.e.t.Fatalf("GET /connect/aliexpress went to %q; want the gateway's authorization page", w.Header().Get("Location"))
	}
	return &connectFlow{state: auth.Query().Get("state"), code: conns.approve()}
}

// followPage gets the page a redirect points to, without its fragment, as a browser does.
func (b *visitor) followPage(w *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	b.e.t.Helper()
	if w.Code != http.StatusSeeOther {
		b.e.t.Fatalf("answer %d is not a redirect:\n%s", w.Code, w.Body.String())
	}
	target, _, _ := strings.Cut(w.Header().Get("Location"), "#")
	return b.get(target)
}

// connectFlow is an authorization approved on the platform.
type connectFlow struct{ state, code string }

// callback is where the platform sends the browser back.
func (c *connectFlow) callback() string {
	return "/connect/callback?" + url.Values{"code": {c.code}, "state": {c.state}}.Encode()
}

func TestConnectStart(t *testing.T) {
	e, conns := connectEnv(t, Config{ConnectOrigin: "https://gateway.example"})
	// Not signed in: sign in first, and come back.
	anon := e.browser("Firefox")
	w := anon.get("/connect/aliexpress?store_url=https%3A%2F%2Fshop.example")
	if loc := w.Header().Get("Location"); w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin?next=%2Fconnect%2Faliexpress") {
		t.Errorf("GET /connect/aliexpress signed out = %d to %q; want the sign-in page that comes back", w.Code, loc)
	}

	b := e.browser("Firefox")
	b.signUp("ana@example.com")
	w = b.get("/connect/aliexpress?store_url=https%3A%2F%2Fshop.example")
	auth, _ := url.Parse(w.Header().Get("Location"))
	if w.Code != http.StatusSeeOther || auth.Host != "gateway.example" || auth.Query().Get("redirect_uri") != fakeCallback {
		t.Fatalf("GET /connect/aliexpress = %d to %q; want 303 to the authorization page with the callback", w.Code, auth)
	}
	// Browsers hold a form's redirect to form-action: the connect form leads to the gateway.
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' https://gateway.example;") {
		t.Errorf("Content-Security-Policy = %q; want form-action to allow the gateway", csp)
	}
	c := b.cookies[connectCookie]
	if c == nil || c.Value != auth.Query().Get("state") || !c.HttpOnly || c.Path != "/connect/" || c.MaxAge <= 0 || c.MaxAge > 900 ||
		c.SameSite != http.SameSiteLaxMode {
		t.Errorf("state cookie = %+v; want the state, HttpOnly, SameSite=Lax, Path=/connect/, at most 15 minutes", c)
	}
	if st := conns.begun[len(conns.begun)-1]; st.session == 0 || st.storeURL != "https://shop.example" || st.origin != "http://example.com" {
		t.Errorf("Begin got %+v; want the session, the store URL and the origin the request came to", st)
	}

	// A bad store URL: the account page says so on its field.
	w = b.get("/connect/aliexpress?store_url=ftp%3A%2F%2Fshop.example")
	if pt := checkHTML(t, w.Body.String()); w.Code != http.StatusBadRequest || len(elementsWith(w.Body.String(), "aria-invalid", "true")) != 1 ||
		!pt.hasAttr("ftp://shop.example") {
		t.Errorf("GET /connect/aliexpress with an ftp store URL = %d; want 400, the connect form again with its field marked", w.Code)
	}

	// A script with an API token gets the link for its user; the state is the user's.
	tok := b.createToken("connector")
	r := newRequest(http.MethodGet, "/connect/aliexpress", "")
	r.Header.Set("Authorization", "Bearer "+tok)
	w = e.do(r)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "https://gateway.example/oauth/authorize?") ||
		len(w.Result().Cookies()) != 0 {
		t.Errorf("GET /connect/aliexpress with a token = %d to %q, cookies %v; want 303 to the platform and no cookie",
			w.Code, w.Header().Get("Location"), w.Result().Cookies())
	}
	if st := conns.begun[len(conns.begun)-1]; st.session != 0 || st.user == 0 {
		t.Errorf("Begin with a token got %+v; want the user and no session", st)
	}
	r = newRequest(http.MethodGet, "/connect/aliexpress", "")
	r.Header.Set("Authorization", "Bearer "+tok)
	r.Header.Set("Accept", "application/json")
	w = e.do(r)
	var out struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); w.Code != 200 || err != nil || !strings.HasPrefix(out.AuthorizeURL, "https://gateway.example/") {
		t.Errorf("GET /connect/aliexpress with a token, accepting JSON = %d %s; want 200 with authorize_url", w.Code, w.Body.String())
	}
	// A page route takes no token: only starting to connect does.
	r = newRequest(http.MethodGet, "/account", "")
	r.Header.Set("Authorization", "Bearer "+tok)
	if w := e.do(r); w.Code != http.StatusSeeOther {
		t.Errorf("GET /account with only a token = %d; want 303 to sign in", w.Code)
	}
}

// TestConnectCallbackState: the callback refuses a missing, reused or foreign state with a page
// that says so, takes the state from the cookie when the platform leaves it out, and shows the
// connected account.
func TestConnectCallbackState(t *testing.T) {
	e, conns := connectEnv(t, Config{})
	ana := e.browser("Firefox")
	ana.signUp("ana@example.com")
	bob := e.browser("Chrome")
	bob.signUp("bob@example.com")

	refused := func(name string, w *httptest.ResponseRecorder) {
		t.Helper()
		pt := checkHTML(t, w.Body.String())
		if w.Code != http.StatusBadRequest || !pt.hasText("This AliExpress authorization is not valid here") {
			t.Errorf("callback with %s = %d; want 400 saying the authorization is not valid\n%s", name, w.Code, w.Body.String())
		}
	}
	// Missing: no state in the query, no cookie.
	refused("no state", ana.get("/connect/callback?code="+conns.approve()))

	// Foreign: bob's browser brings back ana's authorization.
	flow := ana.connect(conns, "")
	refused("another user's state", bob.get(flow.callback()))
	// The same user in another browser (another session).
	ana2 := e.browser("Safari")
	if w := ana2.signIn("ana@example.com"); w.Code != http.StatusSeeOther {
		t.Fatalf("sign in = %d", w.Code)
	}
	refused("another session's state", ana2.get(flow.callback()))

	// The right browser connects, and the account page shows the account.
	w := ana.get(flow.callback())
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/account#aliexpress" {
		t.Fatalf("callback = %d to %q; want 303 to the account page", w.Code, w.Header().Get("Location"))
	}
	if ana.cookies[connectCookie] != nil {
		t.Error("the state cookie outlives the callback")
	}
	page := ana.followPage(w)
	pt := checkHTML(t, page.Body.String())
	for _, want := range []string{"Connected the AliExpress account buyer1 <b>sbox</b>.", "buyer1@example.com",
		formatTime(testNow.Add(30 * 24 * time.Hour)), formatTime(testNow.Add(60 * 24 * time.Hour))} {
		if !pt.hasText(want) {
			t.Errorf("the account page after connecting does not say %q", want)
		}
	}
	if len(elementsWith(page.Body.String(), "data-account", "1")) == 0 {
		t.Errorf("the account page after connecting does not show the account\n%s", page.Body.String())
	}
	// Reused.
	refused("a used state", ana.get(flow.callback()))

	// The platform leaves state out: the cookie stands in.
	flow = ana.connect(conns, "https://shop.example")
	if w := ana.get("/connect/callback?code=" + flow.code); w.Code != http.StatusSeeOther {
		t.Errorf("callback without state, with the cookie = %d; want 303 (connected)\n%s", w.Code, w.Body.String())
	}
	if list, _ := conns.List(t.Context(), 1); len(list) != 2 || list[1].StoreURL != "https://shop.example" {
		t.Errorf("ana's accounts = %+v; want a second one with the store URL", list)
	}
	// A spent or refused code is refused with its own message.
	flow = ana.connect(conns, "")
	flow.code = "code-spent"
	if w := ana.get(flow.callback()); w.Code != http.StatusBadRequest || !checkHTML(t, w.Body.String()).hasText("AliExpress refused the authorization") {
		t.Errorf("callback with a refused code = %d; want 400 saying AliExpress refused it", w.Code)
	}
	// Cancelled on the platform.
	if w := ana.get("/connect/callback?error=access_denied&state=x"); w.Code != http.StatusSeeOther ||
		!checkHTML(t, ana.followPage(w).Body.String()).hasText("No AliExpress account was connected") {
		t.Errorf("callback with error=access_denied = %d; want 303 to the account page saying nothing was connected", w.Code)
	}
}

func TestConnectedAccountsAPI(t *testing.T) {
	e, conns := connectEnv(t, Config{})
	ana := e.browser("Firefox")
	ana.signUp("ana@example.com") // the first: the operator
	bob := e.browser("Chrome")
	bob.signUp("bob@example.com")
	for range 2 {
		if w := ana.get(ana.connect(conns, "https://shop.example").callback()); w.Code != http.StatusSeeOther {
			t.Fatalf("connect = %d", w.Code)
		}
	}
	if w := bob.get(bob.connect(conns, "").callback()); w.Code != http.StatusSeeOther {
		t.Fatalf("connect = %d", w.Code)
	}
	anaTok := ana.createToken("script")
	w := e.api(http.MethodGet, "/api/aliexpress-accounts", anaTok, "")
	var out struct {
		Accounts []map[string]any `json:"accounts"`
		Callback string           `json:"callback_url"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); w.Code != 200 || err != nil || len(out.Accounts) != 2 {
		t.Fatalf("GET /api/aliexpress-accounts = %d %s; want ana's two accounts", w.Code, w.Body.String())
	}
	for _, k := range []string{"id", "user_nick", "account", "access_expires_at", "refresh_expires_at", "needs_reconnect", "report_state",
		"report_message", "store_url", "is_default", "expiry_notice"} {
		if _, ok := out.Accounts[0][k]; !ok {
			t.Errorf("an account in the API has no %q: %v", k, out.Accounts[0])
		}
	}
	if out.Accounts[0]["refresh_expires_at"] != testNow.Add(60*24*time.Hour).Format(time.RFC3339) || out.Accounts[0]["report_state"] != "pending" {
		t.Errorf("account = %v; want its refresh end and report state", out.Accounts[0])
	}
	if out.Callback != fakeCallback {
		t.Errorf("callback_url for the operator = %q; want %q", out.Callback, fakeCallback)
	}
	w = bob.api(http.MethodGet, "/api/aliexpress-accounts", "")
	if !strings.Contains(w.Body.String(), `"user_nick":"buyer3 \u003cb\u003esbox\u003c/b\u003e"`) || strings.Contains(w.Body.String(), "callback_url") ||
		strings.Contains(w.Body.String(), "buyer1") {
		t.Errorf("bob's GET /api/aliexpress-accounts = %s; want his account only, and no callback URL for a member", w.Body.String())
	}

	// Another user's account is not found, whatever the route.
	anaFirst := strconv.FormatInt(int64(out.Accounts[0]["id"].(float64)), 10)
	for _, tc := range []struct {
		name string
		w    *httptest.ResponseRecorder
	}{
		{"POST default", bob.post("/account/aliexpress/"+anaFirst+"/default", nil)},
		{"POST store-url", bob.post("/account/aliexpress/"+anaFirst+"/store-url", url.Values{"store_url": {"https://evil.example"}})},
		{"POST disconnect", bob.post("/account/aliexpress/"+anaFirst+"/disconnect", nil)},
		{"API default", bob.api(http.MethodPost, "/api/aliexpress-accounts/"+anaFirst+"/default", "")},
		{"API store_url", bob.api(http.MethodPatch, "/api/aliexpress-accounts/"+anaFirst, `{"store_url": "https://evil.example"}`)},
		{"API delete", bob.api(http.MethodDelete, "/api/aliexpress-accounts/"+anaFirst, "")},
		{"API delete, not an id", bob.api(http.MethodDelete, "/api/aliexpress-accounts/x1", "")},
	} {
		if tc.w.Code != http.StatusNotFound {
			t.Errorf("%s of another user's account = %d; want 404\n%s", tc.name, tc.w.Code, tc.w.Body.String())
		}
	}
	if list, _ := conns.List(t.Context(), 1); len(list) != 2 || list[0].StoreURL != "https://shop.example" {
		t.Errorf("ana's accounts after bob's tries = %+v; want them unchanged", list)
	}

	// Ana manages her own: the second becomes the default, its store URL changes, the first goes.
	second := strconv.FormatInt(int64(out.Accounts[1]["id"].(float64)), 10)
	if w := ana.post("/account/aliexpress/"+second+"/default", nil); w.Code != http.StatusSeeOther {
		t.Errorf("POST default = %d; want 303", w.Code)
	}
	if w := ana.post("/account/aliexpress/"+second+"/store-url", url.Values{"store_url": {"javascript:alert(1)"}}); w.Code != http.StatusBadRequest {
		t.Errorf("POST store-url javascript: = %d; want 400", w.Code)
	}
	w = e.api(http.MethodPatch, "/api/aliexpress-accounts/"+second, anaTok, `{"store_url": "https://new.example"}`)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"store_url":"https://new.example"`) || !strings.Contains(w.Body.String(), `"report_state":"pending"`) {
		t.Errorf("PATCH store_url = %d %s; want the account with the new URL, report pending", w.Code, w.Body.String())
	}
	if w := e.api(http.MethodDelete, "/api/aliexpress-accounts/"+anaFirst, anaTok, ""); w.Code != http.StatusNoContent {
		t.Errorf("DELETE = %d; want 204", w.Code)
	}
	if list, _ := conns.List(t.Context(), 1); len(list) != 1 || !list[0].IsDefault || list[0].StoreURL != "https://new.example" {
		t.Errorf("ana's accounts = %+v; want the second only, default, with the new URL", list)
	}

	// The operator sees the Callback URL to set in the App Console; a member does not.
	if w := ana.get("/account"); len(elementsWith(w.Body.String(), "id", "callback-url")) != 1 || !strings.Contains(w.Body.String(), "<code>"+fakeCallback+"</code>") {
		t.Errorf("the operator's account page does not show the Callback URL %s", fakeCallback)
	}
	if w := bob.get("/account"); strings.Contains(w.Body.String(), fakeCallback) {
		t.Errorf("a member's account page shows the Callback URL")
	}

	// No answer shows a token: not the API, not the account page, not the product page.
	pages := []*httptest.ResponseRecorder{
		e.api(http.MethodGet, "/api/aliexpress-accounts", anaTok, ""),
		ana.get("/account"),
		ana.get(fmt.Sprintf("/products/%d", idHolder)),
		e.api(http.MethodGet, fmt.Sprintf("/api/products/%d", idHolder), anaTok, ""),
		bob.get("/account"),
		e.api(http.MethodGet, "/api/account/export", anaTok, ""),
	}
	if body := pages[len(pages)-1].Body.String(); !strings.Contains(body, `"aliexpress_accounts":[{"id":2,`) {
		t.Errorf("ana's data export does not hold her connected account:\n%s", body)
	}
	for i, w := range pages {
		if strings.Contains(w.Body.String(), "50000123TOKEN") {
			t.Errorf("answer %d shows a token:\n%s", i, w.Body.String())
		}
	}
}

// TestConnectBanner: a user whose account's authorization ends within 7 days, within 1 day, or has
// ended sees a banner on every page with a Reconnect button, and a notice on the account page.
func TestConnectBanner(t *testing.T) {
	e, conns := connectEnv(t, Config{})
	ana := e.browser("Firefox")
	ana.signUp("ana@example.com")
	bob := e.browser("Chrome")
	bob.signUp("bob@example.com")
	if w := ana.get(ana.connect(conns, "").callback()); w.Code != http.StatusSeeOther {
		t.Fatalf("connect = %d", w.Code)
	}
	banner := func(b *visitor, path string) (notice string, reconnect bool) {
		t.Helper()
		w := b.get(path)
		if w.Code != 200 {
			t.Fatalf("GET %s = %d", path, w.Code)
		}
		body := w.Body.String()
		checkHTML(t, body)
		els := elementsWith(body, "data-notice", "")
		if len(els) == 0 {
			return "", false
		}
		i, j := strings.Index(body, `id="connect-banner"`), strings.Index(body, "<main")
		return attr(els[0], "data-notice"), i >= 0 && i < j && strings.Contains(body[i:j], `action="/connect/aliexpress"`) &&
			strings.Contains(body[i:j], "Reconnect</button>")
	}
	for _, tc := range []struct {
		at   time.Duration // after connecting; the authorization lasts 60 days
		want string
	}{
		{52 * 24 * time.Hour, ""},
		{53*24*time.Hour + time.Minute, notice7Days},
		{59*24*time.Hour + time.Minute, notice1Day},
		{60 * 24 * time.Hour, noticeEnded},
	} {
		e.clock.Set(testNow.Add(tc.at))
		// Sessions end when idle: sign in again, as the user would.
		ana.signIn("ana@example.com")
		bob.signIn("bob@example.com")
		for _, path := range []string{"/search", "/lists", "/account"} {
			got, reconnect := banner(ana, path)
			if got != tc.want || (tc.want != "" && !reconnect) {
				t.Errorf("%s after %s: banner %q (reconnect button %v); want %q with a Reconnect button", path, tc.at, got, reconnect, tc.want)
			}
		}
		if got, _ := banner(bob, "/search"); got != "" {
			t.Errorf("bob, who connected nothing, sees the banner %q", got)
		}
	}
	// The account page says it next to the account too.
	if w := ana.get("/account"); len(elementsWith(w.Body.String(), "class", "card card-alert connect-notice")) != 1 {
		t.Errorf("the account page has no notice next to the account whose authorization ended")
	}
	// Found dead before its end (revoked at AliExpress): ended at once.
	e.clock.Set(testNow.Add(time.Hour))
	conns.update(1, 1, func(a *ConnectedAccount) { a.NeedsReconnect = true })
	if got, _ := banner(ana, "/search"); got != noticeEnded {
		t.Errorf("banner for an account that needs reconnecting = %q; want ended", got)
	}
	w := ana.get("/account")
	if pt := checkHTML(t, w.Body.String()); !pt.hasText("ended: connect it again") {
		t.Errorf("the account page does not say the account must be connected again")
	}
}

// TestProductUsesTheUserCatalog: a user's product page reads through their default account's
// catalog; without one the page says DS data needs a connected account and shows what the
// server-wide catalog has.
func TestProductUsesTheUserCatalog(t *testing.T) {
	e, conns := connectEnv(t, Config{})
	ana := e.browser("Firefox")
	ana.signUp("ana@example.com")
	path := fmt.Sprintf("/products/%d", idStrip)
	w := ana.get(path)
	pt := checkHTML(t, w.Body.String())
	if w.Code != 200 || len(elementsWith(w.Body.String(), "id", "connect-ds-note")) != 1 || pt.hasText("As seen by") {
		t.Fatalf("product page without an account = %d; want the server-wide data and the note to connect one\n%s", w.Code, w.Body.String())
	}
	if !strings.Contains(w.Body.String(), `action="/connect/aliexpress"`) {
		t.Error("the note has no Connect button")
	}
	if pt.hasText("aliscout auth") {
		t.Error("with accounts the product page also sends the user to the operator's aliscout auth")
	}
	if w := ana.get(ana.connect(conns, "").callback()); w.Code != http.StatusSeeOther {
		t.Fatalf("connect = %d", w.Code)
	}
	w = ana.get(path)
	pt = checkHTML(t, w.Body.String())
	if w.Code != 200 || !pt.hasText("As seen by buyer1 <b>sbox</b>") || len(elementsWith(w.Body.String(), "id", "connect-ds-note")) != 0 {
		t.Errorf("product page with an account = %d; want the account's data and no note\n%s", w.Code, w.Body.String())
	}
	tok := ana.createToken("script")
	w = e.api(http.MethodGet, "/api"+path, tok, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "As seen by buyer1") {
		t.Errorf("GET /api%s with ana's token = %d; want her account's data", path, w.Code)
	}
	// Visitors (open research) get the server-wide catalog and no note.
	e2, _ := connectEnv(t, Config{OpenResearch: true})
	if w := e2.browser("Edge").get(path); w.Code != 200 || strings.Contains(w.Body.String(), "connect-ds-note") {
		t.Errorf("product page for a visitor = %d; want it without the note", w.Code)
	}
}

// TestCompareAndExportUseTheUserCatalog: the compare page and a store export of a connected user
// read through their default account too, so the variants, stock and prices they compare and
// export are those their account would order at.
func TestCompareAndExportUseTheUserCatalog(t *testing.T) {
	e, conns := connectEnv(t, Config{})
	ana := e.browser("Firefox")
	ana.signUp("ana@example.com")
	compare := fmt.Sprintf("/compare?ids=%d,%d", idStrip, idHolder)
	if w := ana.get(compare); w.Code != 200 || strings.Contains(w.Body.String(), "As seen by") {
		t.Fatalf("compare without an account = %d; want the server-wide data", w.Code)
	}
	if w := ana.get(ana.connect(conns, "").callback()); w.Code != http.StatusSeeOther {
		t.Fatalf("connect = %d", w.Code)
	}
	if w := ana.get(compare); w.Code != 200 || strings.Count(w.Body.String(), "As seen by buyer1") < 2 {
		t.Errorf("compare with an account = %d; want both products as her account sees them\n%s", w.Code, w.Body.String())
	}
	w := ana.post("/export", url.Values{"format": {"json"}, "ids": {fmt.Sprint(idStrip)}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), "As seen by buyer1") {
		t.Errorf("export with an account = %d; want the product as her account sees it\n%s", w.Code, w.Body.String())
	}
}
