package connect_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/connect"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
	"github.com/aliscout/aliscout/internal/store/storetest"
	"github.com/aliscout/aliscout/internal/vault"
)

// t0 is where test clocks start.
var t0 = time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)

// gateway is the simulator behind a recorder of what reaches it.
type gateway struct {
	*sandbox.Sandbox
	URL string

	mu     sync.Mutex
	params []url.Values // of every aliexpress.ds.add.info call
}

func newGateway(t *testing.T, clock *storetest.Clock) *gateway {
	t.Helper()
	g := &gateway{Sandbox: sandbox.New(sandbox.Options{Now: clock.Now, LaunchedApp: true})}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		for k, v := range r.URL.Query() {
			form[k] = append(form[k], v...)
		}
		if form.Get("method") == "aliexpress.ds.add.info" {
			g.mu.Lock()
			g.params = append(g.params, form)
			g.mu.Unlock()
		}
		g.Sandbox.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	g.URL = srv.URL
	return g
}

// addInfo returns the param0 of every ds.add.info call that reached the gateway.
func (g *gateway) addInfo() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []string
	for _, p := range g.params {
		out = append(out, p.Get("param0"))
	}
	return out
}

// successes counts the calls of method that the gateway answered with success.
func (g *gateway) successes(method string) int {
	n := 0
	for _, c := range g.Calls() {
		if c.Method == method && c.Code == "0" {
			n++
		}
	}
	return n
}

func newClient(t *testing.T, g *gateway, clock *storetest.Clock) *aliexpress.Client {
	t.Helper()
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret,
		aliexpress.WithGateway(g.URL), aliexpress.WithClock(clock.Now),
		aliexpress.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testVault(t *testing.T, keys ...byte) *vault.Vault {
	t.Helper()
	var raw [][]byte
	for _, k := range keys {
		raw = append(raw, bytes.Repeat([]byte{k}, vault.KeySize))
	}
	v, err := vault.New(vault.EnvSecretKey, raw...)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func openSQLite(t *testing.T, clock *storetest.Clock) (*sqlite.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "aliscout.db")
	db, err := sqlite.Open(t.Context(), path, store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// jobsRecorder is a connect.Enqueuer that records what it is asked to queue.
type jobsRecorder struct {
	mu       sync.Mutex
	refresh  []int64
	report   []int64
	mailRuns int
}

func (r *jobsRecorder) EnqueueRefresh(_ context.Context, id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refresh = append(r.refresh, id)
	return nil
}

func (r *jobsRecorder) EnqueueReport(_ context.Context, id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report = append(r.report, id)
	return nil
}

func (r *jobsRecorder) EnqueueMail(context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mailRuns++
	return nil
}

func newService(t *testing.T, cfg connect.Config) *connect.Service {
	t.Helper()
	if cfg.PublicURL == "" {
		cfg.PublicURL = "https://aliscout.example"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	svc, err := connect.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func mustUser(t *testing.T, st store.Store, email string) (store.User, store.Session) {
	t.Helper()
	u, err := st.CreateUser(t.Context(), store.User{Email: email, PasswordHash: "$argon2id$test", Role: store.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := st.CreateSession(t.Context(), store.NewSession{TokenHash: []byte(email), UserID: u.ID,
		IdleTimeout: 400 * 24 * time.Hour, MaxAge: 400 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	return u, sess
}

// stateOf returns the state parameter of an authorization URL.
func stateOf(t *testing.T, authorizeURL string) string {
	t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

// connectAccount runs the whole OAuth flow for nick and returns the account.
func connectAccount(t *testing.T, svc *connect.Service, gw *gateway, user store.User, sess store.Session, nick, storeURL string) connect.Account {
	t.Helper()
	authURL, err := svc.Begin(t.Context(), user.ID, sess.ID, storeURL)
	if err != nil {
		t.Fatal(err)
	}
	code := gw.AuthorizeCodeFor(nick, svc.CallbackURL())
	a, err := svc.Complete(t.Context(), user.ID, sess.ID, code, stateOf(t, authURL))
	if err != nil {
		t.Fatalf("Complete(%s): %v", nick, err)
	}
	return a
}
