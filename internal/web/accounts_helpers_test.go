package web

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
	"github.com/aliscout/aliscout/internal/store/storetest"
)

// fastArgon2 are argon2 parameters cheap enough for tests; the hashes have the same form.
var fastArgon2 = accounts.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// flakyCatalog is the fake catalog with a switch that makes every product lookup fail the way an
// unreachable AliExpress does.
type flakyCatalog struct {
	*fakeCatalog
	down atomic.Bool
}

var errAliExpressDown = &catalog.Error{Code: catalog.EUpstream, Message: "AliExpress answered HTTP 503"}

func (c *flakyCatalog) Product(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.Product, error) {
	if c.down.Load() {
		return catalog.Product{}, errAliExpressDown
	}
	return c.fakeCatalog.Product(ctx, id, o)
}

func (c *flakyCatalog) Products(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.Found {
	out := make([]catalog.Found, len(ids))
	for i, id := range ids {
		p, err := c.Product(ctx, id, o)
		out[i] = catalog.Found{ID: id, Product: p, Err: err}
	}
	return out
}

// acctEnv is the app with accounts on a real SQLite store in a temporary folder.
type acctEnv struct {
	t     *testing.T
	cat   *flakyCatalog
	srv   *Server
	h     http.Handler
	logs  *lockedBuffer
	db    *sqlite.DB
	svc   *accounts.Service
	clock *storetest.Clock
}

// acctSetup tunes newAcctEnv.
type acctSetup struct {
	Mode    accounts.SignUpMode // default open
	Config  Config              // the web config; Accounts, Store, Now and Logger are filled in
	Account accounts.Config     // the accounts config; Mode, Password and Now are filled in
}

func newAcctEnv(t *testing.T, setup acctSetup) *acctEnv {
	t.Helper()
	clock := storetest.NewClock(testNow)
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "aliscout.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ac := setup.Account
	ac.Mode, ac.Password, ac.Now = setup.Mode, fastArgon2, clock.Now
	if ac.Mode == "" {
		ac.Mode = accounts.SignUpOpen
	}
	svc, err := accounts.New(db, ac)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	cfg := setup.Config
	cfg.Accounts, cfg.Store, cfg.Now = svc, db, clock.Now
	cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cat := &flakyCatalog{fakeCatalog: newFakeCatalog(nil)}
	srv := New(cfg, cat)
	return &acctEnv{t: t, cat: cat, srv: srv, h: srv.Handler(), logs: logs, db: db, svc: svc, clock: clock}
}

// visitor is one browser on the app: it keeps its cookies and says it is same-origin, as a
// browser submitting the app's own forms does.
type visitor struct {
	e       *acctEnv
	cookies map[string]*http.Cookie
	ua      string
	addr    string
}

func (e *acctEnv) browser(ua string) *visitor {
	return &visitor{e: e, cookies: map[string]*http.Cookie{}, ua: ua, addr: "192.0.2.10:50000"}
}

// do serves r with the browser's cookies and keeps the cookies the answer sets.
func (b *visitor) do(r *http.Request) *httptest.ResponseRecorder {
	b.e.t.Helper()
	for _, c := range b.cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	r.Header.Set("User-Agent", b.ua)
	r.RemoteAddr = b.addr
	if r.Method != http.MethodGet && r.Header.Get("Sec-Fetch-Site") == "" && r.Header.Get("Origin") == "" {
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	w := httptest.NewRecorder()
	b.e.h.ServeHTTP(w, r)
	for _, c := range w.Result().Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return w
}

func (b *visitor) get(target string) *httptest.ResponseRecorder {
	return b.do(httptest.NewRequest(http.MethodGet, target, nil))
}

func (b *visitor) post(target string, form url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(r)
}

// api sends a JSON request with the browser's cookies (and no Origin).
func (b *visitor) api(method, target, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return b.do(r)
}

// follow gets the page a redirect points to.
func (b *visitor) follow(w *httptest.ResponseRecorder) *httptest.ResponseRecorder {
	b.e.t.Helper()
	if w.Code != http.StatusSeeOther && w.Code != http.StatusFound {
		b.e.t.Fatalf("answer %d is not a redirect:\n%s", w.Code, w.Body.String())
	}
	return b.get(w.Header().Get("Location"))
}

// signUp creates an account for email with the password "password-"+email.
func (b *visitor) signUp(email string) {
	b.e.t.Helper()
	w := b.post("/signup", url.Values{"email": {email}, "password": {"password-" + email}, "password_confirm": {"password-" + email}})
	if w.Code != http.StatusSeeOther || b.cookies[sessionCookie] == nil {
		b.e.t.Fatalf("POST /signup %s = %d; want 303 with a session\n%s", email, w.Code, w.Body.String())
	}
}

// signIn signs in with the password signUp gave.
func (b *visitor) signIn(email string) *httptest.ResponseRecorder {
	b.e.t.Helper()
	return b.post("/signin", url.Values{"email": {email}, "password": {"password-" + email}})
}

// api sends an API request with a bearer token and no cookie, as a script does.
func (e *acctEnv) api(method, target, token, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

var tokenRe = regexp.MustCompile(`as_[A-Za-z0-9_-]{43}`)

// createToken makes an API token on the account page and returns it.
func (b *visitor) createToken(name string) string {
	b.e.t.Helper()
	w := b.post("/account/tokens", url.Values{"name": {name}})
	if w.Code != http.StatusCreated {
		b.e.t.Fatalf("POST /account/tokens = %d; want 201\n%s", w.Code, w.Body.String())
	}
	tok := tokenRe.FindString(w.Body.String())
	if tok == "" {
		b.e.t.Fatal("the new token is not on the page")
	}
	return tok
}

// advance moves the clocks of the store, the accounts and the app on.
func (e *acctEnv) advance(d time.Duration) { e.clock.Advance(d) }

// newRequest is a request with a body, as from no browser in particular.
func newRequest(method, target, body string) *http.Request {
	return httptest.NewRequest(method, target, strings.NewReader(body))
}

// newFormRequest is a form POST.
func newFormRequest(target string, form url.Values) *http.Request {
	r := newRequest(http.MethodPost, target, form.Encode())
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

// newJSONRequest is a JSON request.
func newJSONRequest(method, target, body string) *http.Request {
	r := newRequest(method, target, body)
	r.Header.Set("Content-Type", "application/json")
	return r
}

// do serves r as it is: no cookies, no headers added.
func (e *acctEnv) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}
