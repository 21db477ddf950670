package web

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The browser tests drive the real pages in headless Chromium. They need the system chromium;
// with ALISCOUT_REQUIRE_BROWSER=1 (as in CI) a missing browser fails them, otherwise they are
// skipped. ALISCOUT_SCREENSHOTS=dir keeps the screenshots they take.

// browserEnv is a test server with the fake catalog and a headless Chromium tab.
type browserEnv struct {
	t        *testing.T
	ts       *httptest.Server
	ctx      context.Context
	shots    string
	download string
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// placeholderSVG draws a product image for image n, so that screenshots look like a catalog.
func placeholderSVG(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if strings.HasPrefix(name, "broken") {
		http.NotFound(w, r)
		return
	}
	h := fnv.New32a()
	_, _ = io.WriteString(h, name)
	hue := h.Sum32() % 360
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">`+
		`<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="hsl(%d,70%%,88%%)"/><stop offset="1" stop-color="hsl(%d,60%%,70%%)"/></linearGradient></defs>`+
		`<rect width="400" height="400" fill="url(#g)"/><circle cx="200" cy="185" r="95" fill="hsl(%d,55%%,55%%)" opacity=".55"/>`+
		`<rect x="120" y="120" width="160" height="130" rx="18" fill="#fff" opacity=".75"/>`+
		`<text x="200" y="340" font-family="sans-serif" font-size="26" text-anchor="middle" fill="hsl(%d,40%%,25%%)">product %s</text></svg>`,
		hue, (hue+40)%360, hue, hue, strings.TrimSuffix(name, ".svg"))
}

func newBrowserEnv(t *testing.T) *browserEnv {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("ALISCOUT_REQUIRE_BROWSER") == "1" {
			t.Fatal("ALISCOUT_REQUIRE_BROWSER=1 but no chromium is installed (apt-get install -y chromium)")
		}
		t.Skip("browser tests skipped: no chromium on PATH (install it with apt-get install -y chromium; ALISCOUT_REQUIRE_BROWSER=1 makes this a failure)")
	}
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	fc := newFakeCatalog(func(n int) string {
		if n == 6 { // the LED strip's only image is missing: its card must show the fallback
			return base + "/img/broken-6.jpg"
		}
		return fmt.Sprintf("%s/img/%d.svg", base, n)
	})
	srv := New(Config{Simulated: true, Now: func() time.Time { return testNow },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, fc)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /img/{name}", placeholderSVG)
	mux.Handle("/", srv.Handler())
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)

	tmp := t.TempDir()
	for _, d := range []string{"profile", "tmp", "downloads"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("window-size", "1440,1000"),
		chromedp.UserDataDir(filepath.Join(tmp, "profile")),
		chromedp.Env("TMPDIR=" + filepath.Join(tmp, "tmp")),
	}
	// A guard so that a broken page fails the test instead of hanging it; not a timing assertion.
	base2, cancelTimeout := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancelTimeout)
	actx, cancelAlloc := chromedp.NewExecAllocator(base2, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(cancelCtx)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	shots := os.Getenv("ALISCOUT_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(tmp, "shots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	return &browserEnv{t: t, ts: ts, ctx: ctx, shots: shots, download: filepath.Join(tmp, "downloads")}
}

// do runs actions in order in the tab.
func (b *browserEnv) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.t.Fatal(err)
	}
}

// navigate runs the action (a click or a submit) and waits for the page it loads.
func (b *browserEnv) navigate(action chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, action)); err != nil {
		b.t.Fatal(err)
	}
}

// evalJS returns the value of a JavaScript expression on the page.
func evalJS[T any](b *browserEnv, expr string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// text returns the text of the first element sel matches.
func (b *browserEnv) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func (b *browserEnv) screenshot(name string) {
	b.t.Helper()
	buf, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", p)
}

// setValue sets the value of the input sel and tells the page, as typing would.
func (b *browserEnv) setValue(sel, value string) {
	b.t.Helper()
	b.do(setValue(sel, value, "input"))
}

// setValue is an action that sets the value of the element sel and fires event on it.
func setValue(sel, value, event string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(
		`(el => { el.value = %q; el.dispatchEvent(new Event(%q, {bubbles: true})); })(document.querySelector(%q))`, value, event, sel))
}

// imagesLoaded loads every image of the page, lazy ones too, for a full-page screenshot.
func (b *browserEnv) imagesLoaded() {
	b.t.Helper()
	b.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("img[loading=lazy]").forEach(i => i.loading = "eager")`))
	b.waitFor(`Array.from(document.querySelectorAll("img")).every(i => i.complete)`)
}

// waitFor polls a JavaScript condition until it holds; the poll's own limit bounds it.
func (b *browserEnv) waitFor(cond string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Poll[chromedp.Void](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("waiting for %s: %v", cond, err)
	}
}

func TestBrowserSearchFilterAndProduct(t *testing.T) {
	b := newBrowserEnv(t)
	b.do(chromedp.Navigate(b.ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("sandbox-banner")),
		chromedp.SendKeys(chromedp.ID("q"), "phone holder"))
	b.navigate(chromedp.Submit(chromedp.ID("q")))
	b.do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if n := evalJS[int](b, `document.querySelectorAll("[data-results] .product").length`); n != 15 {
		t.Errorf("search shows %d products; want 15", n)
	}
	// The LED strip's image is missing: its card falls back, the others load.
	b.waitFor(`document.querySelector('[data-product="1005000000000002"] img').classList.contains("is-broken")`)
	if n := evalJS[int](b, `document.querySelectorAll("[data-results] img.is-broken").length`); n != 1 {
		t.Errorf("%d images marked broken; want only the LED strip's", n)
	}
	b.imagesLoaded()
	b.screenshot("search-grid")

	// Filter: free shipping only.
	b.do(chromedp.Click(chromedp.CSS(`input[name="free_shipping"]`)))
	b.navigate(chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if loc := evalJS[string](b, `location.search`); !strings.Contains(loc, "free_shipping=true") || !strings.Contains(loc, "q=phone+holder") {
		t.Errorf("filtered URL = %s; want the query and free_shipping", loc)
	}
	if n := evalJS[int](b, `document.querySelectorAll("[data-results] .product").length`); n != 2 {
		t.Errorf("free-shipping search shows %d products; want 2", n)
	}

	// Open the holder's product page.
	b.navigate(chromedp.Click(chromedp.CSS(`[data-product="1005000000000001"] .title a`)))
	b.do(chromedp.WaitVisible(chromedp.ID("variants")))
	if title := b.text("h1.product-title"); !strings.Contains(title, "Magnetic Phone Holder") {
		t.Errorf("product page title = %q", title)
	}
	if n := evalJS[int](b, `document.querySelectorAll("#variants tr.is-soldout").length`); n != 1 {
		t.Errorf("%d sold-out rows; want 1", n)
	}
	// The gallery swaps the main image.
	b.do(chromedp.Click(chromedp.CSS(`.thumbs li:nth-child(2) a`)))
	if src := evalJS[string](b, `document.querySelector(".gallery-main img").getAttribute("src")`); !strings.HasSuffix(src, "/img/2.svg") {
		t.Errorf("main image after a thumbnail click = %s; want image 2", src)
	}
	b.imagesLoaded()
	b.screenshot("product")

	// Margin calculator on the product page: a 30.00 selling price, 2.9 % + 0.30 fees.
	b.setValue(`[data-calc="rule"]`, "")
	b.do(chromedp.SendKeys(chromedp.CSS(`[data-calc="sell"]`), "30"))
	b.waitFor(`document.querySelector('#variants tr[data-item="499"] [data-out="profit"]').textContent === "$23.84"`)
	if m := evalJS[string](b, `document.querySelector('#variants tr[data-item="499"] [data-out="margin"]').textContent`); m != "79.5%" {
		t.Errorf("black variant margin at 30.00 = %q; want 79.5%%", m)
	}
	// Red: 5.99 + 0.60 import charges; profit 30 - 1.17 - 6.59 = 22.24.
	if p := evalJS[string](b, `document.querySelector('#variants tr[data-item="599"] [data-out="profit"]').textContent`); p != "$22.24" {
		t.Errorf("red variant profit = %q; want $22.24", p)
	}
	// Choosing another destination reloads the page with its shipping.
	b.navigate(setValue(`select[name="ship_to"]`, "DE", "change"))
	if ship := b.text("#shipping"); !strings.Contains(ship, "Shipping to Germany") {
		t.Errorf("shipping section = %q; want the shipping to Germany", ship)
	}
	if loc := evalJS[string](b, `location.search`); !strings.Contains(loc, "ship_to=DE") || !strings.Contains(loc, "sell=30") {
		t.Errorf("product URL after choosing Germany = %s; want ship_to=DE and the calculator kept", loc)
	}
}

func TestBrowserMarginCalculatorOnSearch(t *testing.T) {
	b := newBrowserEnv(t)
	b.do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	card := `[data-product="1005000000000001"]`
	profit := `document.querySelector('` + card + ` [data-out="profit"]').textContent`
	if p := evalJS[string](b, profit); p != "$7.32" {
		t.Errorf("default profit = %q; want $7.32 (x2.5 .99 with 2.9%% + 0.30)", p)
	}
	// Typing a selling price updates every card as the user types, with no request.
	b.do(chromedp.SendKeys(chromedp.CSS(`[data-calc="sell"]`), "30"))
	b.waitFor(profit + ` === "$23.84"`)
	margin := evalJS[string](b, `document.querySelector('`+card+` [data-out="margin"]').textContent`)
	roi := evalJS[string](b, `document.querySelector('`+card+` [data-out="roi"]').textContent`)
	if margin != "79.5%" || roi != "477.8%" {
		t.Errorf("margin, ROI at 30.00 = %q, %q; want 79.5%%, 477.8%%", margin, roi)
	}
	// Advertising cost per order comes off the profit.
	b.do(chromedp.SendKeys(chromedp.CSS(`[data-calc="ad_cost"]`), "5"))
	b.waitFor(profit + ` === "$18.84"`)
	// A minimum margin hides the products below it: the holder makes 62.8 %, the strip 27.8 %.
	b.do(chromedp.SendKeys(chromedp.CSS(`[data-calc="min_margin"]`), "50"))
	b.waitFor(`document.querySelector('` + card + `').hidden === false && document.querySelector('[data-product="1005000000000002"]').hidden === true`)
	if note := b.text("[data-hidden-note]"); !strings.Contains(note, "hidden below the minimum margin") {
		t.Errorf("hidden note = %q", note)
	}
	// A bad rule says what is wrong.
	b.setValue(`[data-calc="sell"]`, "")
	b.setValue(`[data-calc="rule"]`, "")
	b.do(chromedp.SendKeys(chromedp.CSS(`[data-calc="rule"]`), "x0.5"))
	b.waitFor(`document.querySelector("[data-calc-status]").textContent.includes("multiplier")`)
	// Without JavaScript the same figures come from the server: submit and compare.
	b.setValue(`[data-calc="rule"]`, "x3 .95")
	b.setValue(`[data-calc="ad_cost"]`, "")
	b.setValue(`[data-calc="min_margin"]`, "")
	live := evalJS[string](b, profit)
	b.navigate(chromedp.Click(chromedp.CSS(`#calc button[type="submit"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if loc := evalJS[string](b, `location.search`); !strings.Contains(loc, "rule=x3+.95") {
		t.Errorf("submitted URL = %s; want the rule", loc)
	}
	if server := evalJS[string](b, profit); live != server || live == "" || live == "–" {
		t.Errorf("live profit %q and server profit %q differ", live, server)
	}
}

func TestBrowserCompareTwo(t *testing.T) {
	b := newBrowserEnv(t)
	b.do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")),
		chromedp.Click(chromedp.CSS(`[data-product="1005000000000001"] [data-compare]`)),
		chromedp.Click(chromedp.CSS(`[data-product="1005000000000002"] [data-compare]`)),
		chromedp.WaitVisible(chromedp.ID("compare-tray")))
	if count := b.text("#compare-tray [data-compare-count]"); count != "2" {
		t.Errorf("tray count = %q; want 2", count)
	}
	b.navigate(chromedp.Click(chromedp.ID("tray-go")))
	b.do(chromedp.WaitVisible(chromedp.ID("compare")))
	text := b.text("#compare")
	for _, want := range []string{"Magnetic Phone Holder", "LED Strip Lights", "Best Gadgets Store"} {
		if !strings.Contains(text, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}
	b.imagesLoaded()
	b.screenshot("compare")
	// The selection survives a reload of the search page.
	b.do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if p := evalJS[string](b, `document.querySelector('[data-product="1005000000000001"] [data-compare]').getAttribute("aria-pressed")`); p != "true" {
		t.Errorf("compare button after reload: aria-pressed = %q; want true", p)
	}
}

func TestBrowserImportAndDownloadShopify(t *testing.T) {
	b := newBrowserEnv(t)
	if _, err := chromedp.CallBrowser(b.ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: b.download, EventsEnabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate(b.ts.URL+"/import"), chromedp.WaitVisible(chromedp.ID("urls")),
		chromedp.SendKeys(chromedp.ID("urls"), "https://www.aliexpress.com/item/1005000000000001.html\nhttps://www.aliexpress.com/item/1005000000000002.html?spm=x\n"))
	b.navigate(chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)))
	b.do(chromedp.WaitVisible(chromedp.ID("preview")))
	if n := evalJS[int](b, `document.querySelectorAll("#preview tr.is-found").length`); n != 2 {
		t.Fatalf("import preview found %d; want 2", n)
	}
	b.imagesLoaded()
	b.screenshot("import")
	downloads := chromedp.BrowserEvents(b.ctx, browser.DownloadProgress)
	b.do(chromedp.Click(chromedp.CSS(`#export-form button[value="shopify"]`)))
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
	data, err := os.ReadFile(filepath.Join(b.download, guid))
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := strings.Cut(string(data), "\n")
	if !strings.HasPrefix(header, "Title,URL handle,Description,Vendor") {
		t.Errorf("downloaded header = %q; want Shopify's", header)
	}
	if !strings.Contains(string(data), "Magnetic Phone Holder") || !strings.Contains(string(data), "LED Strip Lights") {
		t.Error("the download lacks the two products")
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestBrowserTableViewAndSort(t *testing.T) {
	b := newBrowserEnv(t)
	b.do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	b.navigate(chromedp.Click(chromedp.CSS(`a[data-view="table"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	if loc := evalJS[string](b, `location.search`); !strings.Contains(loc, "view=table") {
		t.Errorf("table URL = %s", loc)
	}
	b.imagesLoaded()
	b.screenshot("search-table")
	orders := `Array.from(document.querySelectorAll("table.results-table tbody tr")).map(r => Number(r.cells[6].getAttribute("data-v")))`
	// Clicking a header sorts this page in the browser, descending first, then ascending.
	b.do(chromedp.Click(chromedp.CSS(`th [data-sort-col="6"]`)))
	got := evalJS[[]float64](b, orders)
	if len(got) != 15 || got[0] != 1200000 || !descending(got) {
		t.Errorf("orders after one click = %v; want descending from 1200000", got)
	}
	if loc := evalJS[string](b, `location.search`); strings.Contains(loc, "sort=") {
		t.Errorf("sorting navigated to %s; want an in-page sort", loc)
	}
	b.do(chromedp.Click(chromedp.CSS(`th [data-sort-col="6"]`)))
	if got := evalJS[[]float64](b, orders); !ascending(got) {
		t.Errorf("orders after two clicks = %v; want ascending", got)
	}
	// Sorting by margin uses the live figures; a product that does not ship goes last.
	b.do(chromedp.Click(chromedp.CSS(`th [data-sort-col="10"]`)))
	margins := evalJS[[]string](b, `Array.from(document.querySelectorAll("table.results-table tbody tr")).map(r => r.cells[10].getAttribute("data-v"))`)
	if len(margins) == 0 || margins[len(margins)-1] != "" {
		t.Errorf("margins after sorting = %v; want the product that does not ship last", margins)
	}
	// Back to the grid.
	b.navigate(chromedp.Click(chromedp.CSS(`a[data-view="grid"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS(".grid")))
}

func descending(v []float64) bool {
	for i := 1; i < len(v); i++ {
		if v[i] > v[i-1] {
			return false
		}
	}
	return true
}

func ascending(v []float64) bool {
	for i := 1; i < len(v); i++ {
		if v[i] < v[i-1] {
			return false
		}
	}
	return true
}
