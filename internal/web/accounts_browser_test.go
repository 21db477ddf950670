package web

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/browsertest"
	"github.com/aliscout/aliscout/internal/export"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// newAccountsBrowserEnv is the app with accounts on a SQLite store, research behind sign-in, and
// a headless Chromium tab. The store and the accounts run on the wall clock, as the browser's
// cookies do.
func newAccountsBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
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
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	fc := newFakeCatalog(func(n int) string { return fmt.Sprintf("%s/img/%d.svg", base, n) })
	srv := New(Config{Simulated: true, Accounts: svc, Store: db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, fc)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /img/{name}", placeholderSVG)
	mux.Handle("/", srv.Handler())
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)
	return &browserEnv{Tab: tab, t: t, ts: ts}
}

func TestBrowserAccountSaveAndExportList(t *testing.T) {
	b := newAccountsBrowserEnv(t)
	const email, password = "op@example.com", "a long enough password"

	// A fresh instance: the first visitor is sent to create the operator account.
	b.Do(chromedp.Navigate(b.ts.URL+"/search"), chromedp.WaitVisible(chromedp.ID("first-run")))
	if loc := browsertest.Eval[string](b.Tab, `location.pathname + location.search`); loc != "/signup?next=%2Fsearch" {
		t.Errorf("a fresh instance sent the visitor to %s; want /signup?next=%%2Fsearch", loc)
	}
	b.Screenshot("signup-first")
	b.Do(chromedp.SendKeys(chromedp.CSS(`#signup input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password"]`), password),
		chromedp.SendKeys(chromedp.CSS(`#signup input[name="password_confirm"]`), password))
	b.Navigate(chromedp.Click(chromedp.ID("signup-submit")))
	b.Do(chromedp.WaitVisible(chromedp.ID("flash")))
	if f := b.Text("#flash"); !strings.Contains(f, "operator") {
		t.Errorf("flash after sign-up = %q; want the operator welcome", f)
	}
	if who := b.Text("#nav-account"); who != email {
		t.Errorf("top bar shows %q; want %s", who, email)
	}

	// Sign out, and in again.
	b.Navigate(chromedp.Click(chromedp.ID("signout")))
	b.Do(chromedp.WaitVisible(chromedp.ID("signin")))
	b.Do(chromedp.SendKeys(chromedp.CSS(`#signin input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`#signin input[name="password"]`), "wrong password"))
	b.Navigate(chromedp.Click(chromedp.ID("signin-submit")))
	b.Do(chromedp.WaitVisible(chromedp.ID("auth-problem")))
	b.Do(chromedp.SendKeys(chromedp.CSS(`#signin input[name="password"]`), password))
	b.Navigate(chromedp.Click(chromedp.ID("signin-submit")))
	b.Do(chromedp.WaitVisible(chromedp.ID("nav-account")))

	// Save two products from the search grid: the first save makes "My products".
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	b.Do(chromedp.SendKeys(chromedp.CSS(`#save input[name="note"]`), "first pick"))
	b.Navigate(chromedp.Click(chromedp.CSS(`[data-product="1005000000000001"] [data-save]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("flash")))
	if f := b.Text("#flash"); !strings.Contains(f, "Magnetic Phone Holder") || !strings.Contains(f, "My products") {
		t.Errorf("flash after the first save = %q", f)
	}
	if sel := browsertest.Eval[string](b.Tab, `document.querySelector('#save select[name="list"] option:checked').textContent`); !strings.HasPrefix(sel, "My products") {
		t.Errorf("the chooser after the first save shows %q; want My products", sel)
	}
	b.Navigate(chromedp.Click(chromedp.CSS(`[data-product="1005000000000002"] [data-save]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("flash")))
	b.ImagesLoaded()
	b.Screenshot("search-saved")

	// The list page shows both, after a reload too.
	b.Navigate(chromedp.Click(chromedp.ID("nav-lists")))
	b.Navigate(chromedp.Click(chromedp.CSS("a.list-name")))
	b.Do(chromedp.WaitVisible(chromedp.ID("items")))
	b.Do(chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("items")))
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("#items .list-item").length`); n != 2 {
		t.Fatalf("the list shows %d products; want 2", n)
	}
	text := b.Text("#items")
	for _, want := range []string{"Magnetic Phone Holder", "LED Strip Lights", "first pick", "figures from"} {
		if !strings.Contains(text, want) {
			t.Errorf("the list page lacks %q", want)
		}
	}
	b.ImagesLoaded()
	b.Screenshot("list")

	// Export the list as a Shopify CSV.
	if _, err := chromedp.CallBrowser(b.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: b.Downloads, EventsEnabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	downloads := chromedp.BrowserEvents(b.Ctx, browser.DownloadProgress)
	b.Do(chromedp.Click(chromedp.CSS(`#list-export button[value="shopify"]`)))
	var guid string
	for ev, err := range downloads {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	data, err := os.ReadFile(filepath.Join(b.Downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	if err := export.Validate(export.FormatShopify, strings.NewReader(string(data))); err != nil {
		t.Errorf("the downloaded CSV fails Shopify's checks: %v", err)
	}
	if !strings.Contains(string(data), "Magnetic Phone Holder") || !strings.Contains(string(data), "LED Strip Lights") {
		t.Error("the download lacks the two products")
	}

	// Sign out: the list is behind sign-in again.
	b.Navigate(chromedp.Click(chromedp.ID("signout")))
	b.Do(chromedp.WaitVisible(chromedp.ID("signin")))
	b.Do(chromedp.Navigate(b.ts.URL+"/lists"), chromedp.WaitVisible(chromedp.ID("signin")))
	if loc := browsertest.Eval[string](b.Tab, `location.pathname`); loc != "/signin" {
		t.Errorf("/lists after sign-out went to %s; want /signin", loc)
	}
}
