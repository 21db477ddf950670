package web

import (
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/browsertest"
)

// The browser tests drive the real pages in headless Chromium. They need the system chromium;
// with ALISCOUT_REQUIRE_BROWSER=1 (as in CI) a missing browser fails them, otherwise they are
// skipped. ALISCOUT_SCREENSHOTS=dir keeps the screenshots they take.

// browserEnv is a test server with the fake catalog and a headless Chromium tab.
type browserEnv struct {
	*browsertest.Tab
	t  *testing.T
	ts *httptest.Server
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
	tab := browsertest.New(t, browsertest.Options{Guard: 3 * time.Minute})
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	fc := newFakeCatalog(func(n int) string {
		if n == 6 { // the LED strip's only image is missing: its card must show the fallback
			return base + "/img/broken-6.jpg"
		}
		return fmt.Sprintf("%s/img/%d.svg", base, n)
	})
	// The test server serves the pictures, as the simulator does its own.
	srv := New(Config{Simulated: true, Now: func() time.Time { return testNow }, ImageOrigins: []string{base},
		AllowedHosts: []string{ts.Listener.Addr().String()},
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil))}, fc)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /img/{name}", placeholderSVG)
	mux.Handle("/", srv.Handler())
	ts.Config.Handler = mux
	ts.Start()
	t.Cleanup(ts.Close)

	return &browserEnv{Tab: tab, t: t, ts: ts}
}

func TestBrowserSearchFilterAndProduct(t *testing.T) {
	b := newBrowserEnv(t)
	b.Do(chromedp.Navigate(b.ts.URL+"/"), chromedp.WaitVisible(chromedp.ID("sandbox-banner")),
		chromedp.SendKeys(chromedp.ID("q"), "phone holder"))
	b.Navigate(chromedp.Submit(chromedp.ID("q")))
	b.Do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("[data-results] .product").length`); n != 15 {
		t.Errorf("search shows %d products; want 15", n)
	}
	// The LED strip's image is missing: its card falls back, the others load.
	b.WaitFor(`document.querySelector('[data-product="1005000000000002"] img').classList.contains("is-broken")`)
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("[data-results] img.is-broken").length`); n != 1 {
		t.Errorf("%d images marked broken; want only the LED strip's", n)
	}
	b.ImagesLoaded()
	b.Screenshot("search-grid")

	// Filter: free shipping only.
	b.Do(chromedp.Click(chromedp.CSS(`input[name="free_shipping"]`)))
	b.Navigate(chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if loc := browsertest.Eval[string](b.Tab, `location.search`); !strings.Contains(loc, "free_shipping=true") || !strings.Contains(loc, "q=phone+holder") {
		t.Errorf("filtered URL = %s; want the query and free_shipping", loc)
	}
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("[data-results] .product").length`); n != 2 {
		t.Errorf("free-shipping search shows %d products; want 2", n)
	}

	// Open the holder's product page.
	b.Navigate(chromedp.Click(chromedp.CSS(`[data-product="1005000000000001"] .title a`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("variants")))
	if title := b.Text("h1.product-title"); !strings.Contains(title, "Magnetic Phone Holder") {
		t.Errorf("product page title = %q", title)
	}
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("#variants tr.is-soldout").length`); n != 1 {
		t.Errorf("%d sold-out rows; want 1", n)
	}
	// The gallery swaps the main image.
	b.Do(chromedp.Click(chromedp.CSS(`.thumbs li:nth-child(2) a`)))
	if src := browsertest.Eval[string](b.Tab, `document.querySelector(".gallery-main img").getAttribute("src")`); !strings.HasSuffix(src, "/img/2.svg") {
		t.Errorf("main image after a thumbnail click = %s; want image 2", src)
	}
	b.ImagesLoaded()
	b.Screenshot("product")

	// Margin calculator on the product page: a 30.00 selling price, 2.9 % + 0.30 fees.
	b.Do(browsertest.SetValue(`[data-calc="rule"]`, "", "input"))
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-calc="sell"]`), "30"))
	b.WaitFor(`document.querySelector('#variants tr[data-item="499"] [data-out="profit"]').textContent === "$23.84"`)
	if m := browsertest.Eval[string](b.Tab, `document.querySelector('#variants tr[data-item="499"] [data-out="margin"]').textContent`); m != "79.5%" {
		t.Errorf("black variant margin at 30.00 = %q; want 79.5%%", m)
	}
	// Red: 5.99 + 0.60 import charges; profit 30 - 1.17 - 6.59 = 22.24.
	if p := browsertest.Eval[string](b.Tab, `document.querySelector('#variants tr[data-item="599"] [data-out="profit"]').textContent`); p != "$22.24" {
		t.Errorf("red variant profit = %q; want $22.24", p)
	}
	// Choosing another destination reloads the page with its shipping.
	b.Navigate(browsertest.SetValue(`select[name="ship_to"]`, "DE", "change"))
	if ship := b.Text("#shipping"); !strings.Contains(ship, "Shipping to Germany") {
		t.Errorf("shipping section = %q; want the shipping to Germany", ship)
	}
	if loc := browsertest.Eval[string](b.Tab, `location.search`); !strings.Contains(loc, "ship_to=DE") || !strings.Contains(loc, "sell=30") {
		t.Errorf("product URL after choosing Germany = %s; want ship_to=DE and the calculator kept", loc)
	}
}

func TestBrowserMarginCalculatorOnSearch(t *testing.T) {
	b := newBrowserEnv(t)
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	card := `[data-product="1005000000000001"]`
	profit := `document.querySelector('` + card + ` [data-out="profit"]').textContent`
	if p := browsertest.Eval[string](b.Tab, profit); p != "$7.32" {
		t.Errorf("default profit = %q; want $7.32 (x2.5 .99 with 2.9%% + 0.30)", p)
	}
	// Typing a selling price updates every card as the user types, with no request.
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-calc="sell"]`), "30"))
	b.WaitFor(profit + ` === "$23.84"`)
	margin := browsertest.Eval[string](b.Tab, `document.querySelector('`+card+` [data-out="margin"]').textContent`)
	roi := browsertest.Eval[string](b.Tab, `document.querySelector('`+card+` [data-out="roi"]').textContent`)
	if margin != "79.5%" || roi != "477.8%" {
		t.Errorf("margin, ROI at 30.00 = %q, %q; want 79.5%%, 477.8%%", margin, roi)
	}
	// Advertising cost per order comes off the profit.
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-calc="ad_cost"]`), "5"))
	b.WaitFor(profit + ` === "$18.84"`)
	// A minimum margin hides the products below it: the holder makes 62.8 %, the strip 27.8 %.
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-calc="min_margin"]`), "50"))
	b.WaitFor(`document.querySelector('` + card + `').hidden === false && document.querySelector('[data-product="1005000000000002"]').hidden === true`)
	if note := b.Text("[data-hidden-note]"); !strings.Contains(note, "hidden below the minimum margin") {
		t.Errorf("hidden note = %q", note)
	}
	// A bad rule says what is wrong.
	b.Do(browsertest.SetValue(`[data-calc="sell"]`, "", "input"))
	b.Do(browsertest.SetValue(`[data-calc="rule"]`, "", "input"))
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-calc="rule"]`), "x0.5"))
	b.WaitFor(`document.querySelector("[data-calc-status]").textContent.includes("multiplier")`)
	// Without JavaScript the same figures come from the server: submit and compare.
	b.Do(browsertest.SetValue(`[data-calc="rule"]`, "x3 .95", "input"))
	b.Do(browsertest.SetValue(`[data-calc="ad_cost"]`, "", "input"))
	b.Do(browsertest.SetValue(`[data-calc="min_margin"]`, "", "input"))
	live := browsertest.Eval[string](b.Tab, profit)
	b.Navigate(chromedp.Click(chromedp.CSS(`#calc button[type="submit"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if loc := browsertest.Eval[string](b.Tab, `location.search`); !strings.Contains(loc, "rule=x3+.95") {
		t.Errorf("submitted URL = %s; want the rule", loc)
	}
	if server := browsertest.Eval[string](b.Tab, profit); live != server || live == "" || live == "–" {
		t.Errorf("live profit %q and server profit %q differ", live, server)
	}
}

func TestBrowserCompareTwo(t *testing.T) {
	b := newBrowserEnv(t)
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")),
		chromedp.Click(chromedp.CSS(`[data-product="1005000000000001"] [data-compare]`)),
		chromedp.Click(chromedp.CSS(`[data-product="1005000000000002"] [data-compare]`)),
		chromedp.WaitVisible(chromedp.ID("compare-tray")))
	if count := b.Text("#compare-tray [data-compare-count]"); count != "2" {
		t.Errorf("tray count = %q; want 2", count)
	}
	b.Navigate(chromedp.Click(chromedp.ID("tray-go")))
	b.Do(chromedp.WaitVisible(chromedp.ID("compare")))
	text := b.Text("#compare")
	for _, want := range []string{"Magnetic Phone Holder", "LED Strip Lights", "Best Gadgets Store"} {
		if !strings.Contains(text, want) {
			t.Errorf("compare page lacks %q", want)
		}
	}
	b.ImagesLoaded()
	b.Screenshot("compare")
	// The selection survives a reload of the search page.
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if p := browsertest.Eval[string](b.Tab, `document.querySelector('[data-product="1005000000000001"] [data-compare]').getAttribute("aria-pressed")`); p != "true" {
		t.Errorf("compare button after reload: aria-pressed = %q; want true", p)
	}
}

func TestBrowserImportAndDownloadShopify(t *testing.T) {
	b := newBrowserEnv(t)
	if _, err := chromedp.CallBrowser(b.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: b.Downloads, EventsEnabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	b.Do(chromedp.Navigate(b.ts.URL+"/import"), chromedp.WaitVisible(chromedp.ID("urls")),
		chromedp.SendKeys(chromedp.ID("urls"), "https://www.aliexpress.com/item/1005000000000001.html\nhttps://www.aliexpress.com/item/1005000000000002.html?spm=x\n"))
	b.Navigate(chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("preview")))
	if n := browsertest.Eval[int](b.Tab, `document.querySelectorAll("#preview tr.is-found").length`); n != 2 {
		t.Fatalf("import preview found %d; want 2", n)
	}
	b.ImagesLoaded()
	b.Screenshot("import")
	downloads := chromedp.BrowserEvents(b.Ctx, browser.DownloadProgress)
	b.Do(chromedp.Click(chromedp.CSS(`#export-form button[value="shopify"]`)))
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
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder&page_size=5"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	b.Navigate(chromedp.Click(chromedp.CSS(`a[data-view="table"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	if loc := browsertest.Eval[string](b.Tab, `location.search`); !strings.Contains(loc, "view=table") {
		t.Errorf("table URL = %s", loc)
	}
	b.ImagesLoaded()
	b.Screenshot("search-table")
	orders := map[string]float64{}
	for _, p := range newFakeCatalog(nil).products {
		orders[strconv.FormatInt(p.ID, 10)] = float64(p.Orders30d)
	}
	pageOrders := func() []float64 {
		var out []float64
		for _, id := range browsertest.Eval[[]string](b.Tab, `Array.from(document.querySelectorAll("table.results-table tbody tr")).map(r => r.dataset.product)`) {
			out = append(out, orders[id])
		}
		return out
	}
	// A header sorts the whole search on the server, as without JavaScript: the first page
	// sorted by orders starts with the most ordered product of all 15, not of these 5.
	b.Navigate(chromedp.Click(chromedp.CSS(`a[data-sort="orders"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	if loc := browsertest.Eval[string](b.Tab, `location.search`); !strings.Contains(loc, "sort=orders_desc") || !strings.Contains(loc, "view=table") {
		t.Errorf("sorting by orders went to %s; want the server's sort=orders_desc in the table view", loc)
	}
	got := pageOrders()
	if len(got) != 5 || got[0] != 1200000 || !descending(got) {
		t.Errorf("orders after one click = %v; want the 5 most ordered of the search, from 1200000 down", got)
	}
	if aria := browsertest.Eval[string](b.Tab, `document.querySelector('a[data-sort="orders"]').closest("th").getAttribute("aria-sort")`); aria != "descending" {
		t.Errorf("orders header aria-sort = %q; want descending", aria)
	}
	// Price sorts up first, then down, across all results.
	prices := map[string]int64{}
	for _, p := range newFakeCatalog(nil).products {
		prices[strconv.FormatInt(p.ID, 10)] = p.Price.Amount
	}
	pagePrices := func() []float64 {
		var out []float64
		for _, id := range browsertest.Eval[[]string](b.Tab, `Array.from(document.querySelectorAll("table.results-table tbody tr")).map(r => r.dataset.product)`) {
			out = append(out, float64(prices[id]))
		}
		return out
	}
	b.Navigate(chromedp.Click(chromedp.CSS(`a[data-sort="price"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	if got := pagePrices(); len(got) != 5 || !ascending(got) || got[0] != 100 {
		t.Errorf("prices after one click = %v; want the cheapest of the search first, from 1.00 up", got)
	}
	b.Navigate(chromedp.Click(chromedp.CSS(`a[data-sort="price"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	if got := pagePrices(); len(got) != 5 || !descending(got) || got[0] != 1250 {
		t.Errorf("prices after two clicks = %v; want the dearest of the search first, from 12.50 down", got)
	}
	// The page's pager follows the sort.
	if next := browsertest.Eval[string](b.Tab, `document.querySelector('a[rel="next"]').getAttribute("href")`); !strings.Contains(next, "sort=price_desc") || !strings.Contains(next, "page=2") {
		t.Errorf("next page link = %s; want page 2 of the same sort", next)
	}
	// Back to the grid.
	b.Navigate(chromedp.Click(chromedp.CSS(`a[data-view="grid"]`)))
	b.Do(chromedp.WaitVisible(chromedp.CSS(".grid")))
}

// TestBrowserCalculatorStateReachesExport types a rule the page did not start with, opens a
// product and exports from the search: the product page and the file use the rule typed, not
// the page's first one.
func TestBrowserCalculatorStateReachesExport(t *testing.T) {
	b := newBrowserEnv(t)
	if _, err := chromedp.CallBrowser(b.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: b.Downloads, EventsEnabled: ptrTo(true)}); err != nil {
		t.Fatal(err)
	}
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	b.Do(browsertest.SetValue(`[data-calc="rule"]`, "x4 .99", "input"))
	card := `[data-product="1005000000000001"]`
	b.WaitFor(`document.querySelector('` + card + ` [data-out="price"]').textContent === "$19.99"`)
	if href := browsertest.Eval[string](b.Tab, `document.querySelector('`+card+` .title a').getAttribute("href")`); !strings.Contains(href, "rule=x4+.99") {
		t.Errorf("product link after typing x4 .99 = %s; want the rule in it", href)
	}
	// Open the product: its figures use the typed rule.
	b.Navigate(chromedp.Click(chromedp.CSS(card + ` .title a`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("variants")))
	if rule := browsertest.Eval[string](b.Tab, `document.querySelector('[data-calc="rule"]').value`); rule != "x4 .99" {
		t.Errorf("product page rule = %q; want x4 .99 carried from the search", rule)
	}
	// A selling price typed on the product page goes with its Export button.
	b.Do(chromedp.SendKeys(chromedp.CSS(`[data-calc="sell"]`), "24.5"))
	b.WaitFor(`document.querySelector('#xf input[name="sell"]').value === "24.5"`)
	b.Navigate(chromedp.Click(chromedp.CSS(`button[form="xf"]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("preview")))
	if sell := browsertest.Eval[string](b.Tab, `document.querySelector('#export-form input[name="sell"]').value`); sell != "24.5" {
		t.Errorf("export form selling price = %q; want 24.5 from the product page", sell)
	}
	// Back on the search, Export selected carries the typed rule to the export.
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=holder"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	b.Do(browsertest.SetValue(`[data-calc="rule"]`, "x4 .99", "input"))
	b.Do(chromedp.Click(chromedp.CSS(card + ` [data-pick]`)))
	b.Navigate(chromedp.Click(chromedp.CSS(`button[formaction="/import"]`)))
	b.Do(chromedp.WaitVisible(chromedp.ID("preview")))
	if rule := browsertest.Eval[string](b.Tab, `document.querySelector('#export-form input[name="rule"]').value`); rule != "x4 .99" {
		t.Fatalf("export form rule = %q; want x4 .99 typed on the search", rule)
	}
	downloads := chromedp.BrowserEvents(b.Ctx, browser.DownloadProgress)
	b.Do(chromedp.Click(chromedp.CSS(`#export-form button[value="json"]`)))
	var guid string
	for ev, err := range downloads {
		if err != nil {
			t.Fatalf("download: %v", err)
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
	// The black variant costs 4.99: x4 .99 sells it at 19.99 (the page's first rule, x2.5 .99,
	// gave 12.99).
	if !strings.Contains(string(data), `"price":{"amount":"19.99","currency":"USD"}`) {
		t.Errorf("the export does not price with the rule typed: %.300s", data)
	}
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
