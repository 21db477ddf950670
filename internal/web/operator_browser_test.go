package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/browsertest"
	"github.com/aliscout/aliscout/internal/operator"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// TestBrowserOperatorConsole: the operator signs up, opens every console page from the
// navigation, and each passes the accessibility check and fits a phone's screen.
func TestBrowserOperatorConsole(t *testing.T) {
	tab := browsertest.New(t, browsertest.Options{Guard: 3 * time.Minute})
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "aliscout.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc, err := accounts.New(db, accounts.Config{Mode: accounts.SignUpInvite, Password: fastArgon2})
	if err != nil {
		t.Fatal(err)
	}
	ops, err := operator.New(operator.Config{Store: db})
	if err != nil {
		t.Fatal(err)
	}
	day := quota.Day(time.Now())
	db.RaiseQuotaCounts(t.Context(), []store.QuotaCount{
		{Day: day, UserID: 1, Method: "aliexpress.ds.product.get", Kind: "interactive", Calls: 40},
		{Day: day, UserID: 0, Method: "/auth/token/refresh", Kind: "system", Calls: 2},
	})
	db.EnqueueEmail(t.Context(), store.Email{To: "someone@example.com", Subject: "Your AliExpress authorization ends in 7 days", Body: "x"})
	console := &Console{Service: ops, Policy: quota.NewPolicy(5000, 20, 0), RateLimits: map[string]int{"aliexpress.ds.product.get": 500},
		Jobs: &fakeJobs{}, Stats: func() ConsoleStats {
			return ConsoleStats{Since: time.Now(), CacheHits: 3, CacheMisses: 1, CallsSaved: 3}
		}}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	fc := newFakeCatalog(func(n int) string { return fmt.Sprintf("%s/img/%d.svg", base, n) })
	srv := New(Config{Simulated: true, Accounts: svc, Store: db, Console: console,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, fc)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /img/{name}", placeholderSVG)
	mux.Handle("/", srv.Handler())
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)
	b := &browserEnv{Tab: tab, t: t, ts: ts}

	const email, password = "op@example.com", "a long enough password"
	b.Do(chromedp.Navigate(ts.URL+"/signup"), chromedp.WaitVisible(chromedp.ID("signup")))
	b.Do(chromedp.SendKeys(chromedp.CSS(`#signup input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password_confirm"]`), password))
	b.Navigate(chromedp.Click(chromedp.ID("signup-submit")))
	b.Do(chromedp.WaitVisible(chromedp.ID("flash")))
	b.Navigate(chromedp.Click(chromedp.ID("nav-operator")))
	b.Do(chromedp.WaitVisible(chromedp.ID("current")))
	if txt := b.Text("#users"); !strings.Contains(txt, "Users served") {
		t.Errorf("the assessment's users row reads %q", txt)
	}
	axe := browsertest.AxeSource(t)
	pages := []struct{ path, wait string }{
		{"/operator", "#current"}, {"/operator/users", "#users"}, {"/operator/quota", "#methods"},
		{"/operator/jobs", "#failed"}, {"/operator/notices", "#emails"},
	}
	for _, vp := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"desktop", 1440, 1000, false}, {"390 px", 390, 844, true}} {
		b.Viewport(vp.width, vp.height, vp.mobile)
		for _, p := range pages {
			b.Do(chromedp.Navigate(ts.URL+p.path), chromedp.WaitReady(chromedp.CSS(p.wait)))
			b.CheckAxe(axe, p.path+" at "+vp.name)
			if over := b.Overflow(); vp.mobile && len(over) > 0 {
				t.Errorf("%s at 390 px is wider than the screen: %s", p.path, strings.Join(over, ", "))
			}
		}
	}
}
