package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/browsertest"

	"github.com/aliscout/aliscout/internal/export"
)

// TestBrowserRealStack drives the pages in headless Chromium over the whole stack that
// `aliscout serve` runs with no credentials: the simulator, the SDK, the cache, the catalog
// service and the web app. The web package's browser tests cover the pages against a fake
// catalog; this one catches what only the real data shows. It needs the system chromium; with
// ALISCOUT_REQUIRE_BROWSER=1 (as in CI) a missing browser fails it, otherwise it is skipped.
// ALISCOUT_SCREENSHOTS=dir keeps the screenshots it takes.
func TestBrowserRealStack(t *testing.T) {
	tb := newTab(t)
	base, stop := startServe(t, nil)
	t.Cleanup(func() { stop() })

	// 1. Search, as a user types it into the address bar.
	tb.Do(chromedp.Navigate(base+"/search?q=phone+case"), chromedp.WaitVisible(chromedp.ID("sandbox-banner")),
		chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	if banner := tb.Text("#sandbox-banner"); !strings.Contains(banner, "Sandbox data") {
		t.Errorf("sandbox banner = %q; want it to say the data is the sandbox's", banner)
	}
	prices := browsertest.Eval[[]string](tb.Tab, `Array.from(document.querySelectorAll("[data-results] .product .price")).map(p => p.textContent.trim())`)
	if len(prices) < 8 {
		t.Fatalf("search for phone case shows %d products; want at least 8", len(prices))
	}
	for i, p := range prices {
		if c, ok := cents(p); !ok || c <= 0 {
			t.Errorf("card %d price = %q; want a money amount above zero", i, p)
		}
	}
	ids := browsertest.Eval[[]string](tb.Tab, `Array.from(document.querySelectorAll("[data-results] .product")).map(p => p.dataset.product)`)
	tb.ImagesLoaded()
	tb.Screenshot("real-search-grid")

	tb.Navigate(chromedp.Click(chromedp.CSS(`a[data-view="table"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("table.results-table tbody tr.product").length`); n != len(prices) {
		t.Errorf("table view shows %d rows; the grid showed %d products", n, len(prices))
	}
	tb.ImagesLoaded()
	tb.Screenshot("real-search-table")
	tb.Navigate(chromedp.Click(chromedp.CSS(`a[data-view="grid"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.CSS(".grid[data-results]")))
	if loc := browsertest.Eval[string](tb.Tab, `location.search`); strings.Contains(loc, "view=table") || !strings.Contains(loc, "q=phone+case") {
		t.Errorf("URL back in the grid = %s; want the query without the table view", loc)
	}

	// 2. Filter from the form: at least 30 % off, cheapest first.
	tb.Do(chromedp.SendKeys(chromedp.CSS(`input[name="min_discount"]`), "30"),
		browsertest.SetValue(`select[name="sort"]`, "price_asc", "change"))
	tb.Navigate(chromedp.Click(chromedp.CSS(`.filters button[type="submit"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	// The page asks for its cards' shipping as it loads.
	tb.WaitFor(`document.querySelectorAll('[data-results] [data-shipping="pending"]').length === 0`)
	if loc := browsertest.Eval[string](tb.Tab, `location.search`); !strings.Contains(loc, "min_discount=30") || !strings.Contains(loc, "sort=price_asc") {
		t.Errorf("filtered URL = %s; want min_discount=30 and sort=price_asc", loc)
	}
	type card struct {
		ID, Price, Badge string
		Ships            bool
	}
	cards := browsertest.Eval[[]card](tb.Tab, `Array.from(document.querySelectorAll("[data-results] .product")).map(p => ({
		ID: p.dataset.product, Ships: p.dataset.ship !== "",
		Price: p.querySelector(".price").textContent.trim(),
		Badge: (p.querySelector(".badge-discount") || {textContent: ""}).textContent.trim()}))`)
	if len(cards) == 0 {
		t.Fatal("no product has 30 % off or more; want the simulator's discounted cases")
	}
	last := int64(-1)
	for _, c := range cards {
		pct, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(c.Badge, "−"), "%"))
		if err != nil || pct < 30 {
			t.Errorf("product %s discount badge = %q; want 30%% or more", c.ID, c.Badge)
		}
		p, ok := cents(c.Price)
		if !ok {
			t.Errorf("product %s price = %q; want a money amount", c.ID, c.Price)
			continue
		}
		if p < last {
			t.Errorf("product %s costs %s, less than the one before it; want prices ascending", c.ID, c.Price)
		}
		last = p
	}
	tb.ImagesLoaded()
	tb.Screenshot("real-search-filtered")

	// 3. Open the first product that ships to the United States from its card.
	i := slices.IndexFunc(cards, func(c card) bool { return c.Ships })
	if i < 0 {
		t.Fatal("none of the discounted products ships to the United States")
	}
	first := cards[i].ID
	tb.Navigate(chromedp.Click(chromedp.CSS(`[data-results] [data-product="` + first + `"] .title a`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("variants")))
	if loc := browsertest.Eval[string](tb.Tab, `location.pathname`); loc != "/products/"+first {
		t.Errorf("the card of product %s opened %s; want /products/%s", first, loc, first)
	}
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#variants tbody tr.variant").length`); n < 1 {
		t.Errorf("variants table has %d rows; want at least 1", n)
	}
	if h := tb.Text("#shipping h2"); h != "Shipping to United States" {
		t.Errorf("shipping heading = %q; want Shipping to United States", h)
	}
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#shipping tbody tr").length`); n < 1 {
		t.Errorf("shipping table has %d rows; want the services to the United States", n)
	}
	if n := browsertest.Eval[int](tb.Tab, `document.querySelectorAll("#description .description script").length`); n != 0 {
		t.Errorf("the description holds %d script elements; want it sanitized", n)
	}
	if d := tb.Text("#description .description"); strings.TrimSpace(d) == "" {
		t.Error("the description is empty; want the seller's text")
	}
	if note := tb.Text("#source-note"); !strings.Contains(note, "Variants and shipping from the Dropshipping API") {
		t.Errorf("source note = %q; want it to name the Dropshipping API", note)
	}
	tb.ImagesLoaded()
	// The simulator's pictures come through the app's own origin (/img/), which a browser on
	// another machine reaches too; the CSP names no loopback origin (a blocked picture would be
	// recorded as injected code).
	if n := browsertest.Eval[int](tb.Tab, `Array.from(document.querySelectorAll(".gallery img")).filter(i => i.complete && i.naturalWidth > 0 && new URL(i.src).origin === location.origin && new URL(i.src).pathname.startsWith("/img/")).length`); n == 0 {
		t.Error("the product gallery shows no picture from the simulator through /img/")
	}
	tb.Screenshot("real-product")

	// 4. The margin calculator: a selling price wins over the rule, and every variant follows.
	row := `#variants tbody tr.variant:not([data-ship=""])`
	before := browsertest.Eval[string](tb.Tab, `document.querySelector('`+row+` [data-out="profit"]').textContent`)
	tb.Do(chromedp.SendKeys(chromedp.CSS(`[data-calc="sell"]`), "29.99"))
	tb.WaitFor(`document.querySelector('` + row + ` [data-out="price"]').textContent === "$29.99"`)
	fees := browsertest.Eval[[]string](tb.Tab, `["fee_pct", "fee_fixed", "ad_cost"].map(k => document.querySelector('[data-calc="' + k + '"]').value)`)
	type costs struct {
		Item, Ship, Import, Profit, Margin string
	}
	variants := browsertest.Eval[[]costs](tb.Tab, `Array.from(document.querySelectorAll('`+row+`')).map(r => ({
		Item: r.dataset.item, Ship: r.dataset.ship, Import: r.dataset.import,
		Profit: r.querySelector('[data-out="profit"]').textContent, Margin: r.querySelector('[data-out="margin"]').textContent}))`)
	if len(variants) == 0 || variants[0].Profit == before {
		t.Errorf("first variant's profit was %q before typing a selling price of 29.99; want it recomputed (variants %+v)", before, variants)
	}
	for i, v := range variants {
		want, ok := expectedProfit(2999, v.Item, v.Ship, v.Import, fees[0], fees[1], fees[2])
		if !ok {
			t.Errorf("variant %d cost data %+v, fees %q: want amounts", i+1, v, fees)
		} else if got, ok := cents(v.Profit); !ok || got != want {
			t.Errorf("variant %d profit at 29.99 = %q; want %s (29.99 − fees − landed)", i+1, v.Profit, formatCents(want))
		}
		if !percentRE.MatchString(v.Margin) {
			t.Errorf("variant %d margin at 29.99 = %q; want a percentage", i+1, v.Margin)
		}
	}

	// 5. Import two of the products seen in the search, and one line that is no product.
	if len(ids) < 2 {
		t.Fatalf("search gave %d product IDs; want 2 to import", len(ids))
	}
	if _, err := chromedp.CallBrowser(tb.Ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: tb.Downloads, EventsEnabled: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	// Stock in the simulator sells down and restocks from day to day: the first product imported
	// is one in stock today, so that the export has a product to hold; the second is the next one
	// the search showed, whatever its stock.
	ids = importPair(t, base, ids)
	lines := fmt.Sprintf("https://www.aliexpress.com/item/%s.html\nhttps://m.aliexpress.com/i/%s.html\nnot a product link at all\n", ids[0], ids[1])
	tb.Do(chromedp.Navigate(base+"/import"), chromedp.WaitVisible(chromedp.ID("urls")), chromedp.SendKeys(chromedp.ID("urls"), lines))
	tb.Navigate(chromedp.Click(chromedp.CSS(`#import-form button[type="submit"]`)))
	tb.Do(chromedp.WaitVisible(chromedp.ID("preview")))
	if h := tb.Text("#preview h2"); h != "2 found, 1 not found" {
		t.Errorf("import preview heading = %q; want 2 found, 1 not found", h)
	}
	rows := browsertest.Eval[[]listed](tb.Tab, `Array.from(document.querySelectorAll("#preview tr.is-found")).map(r => ({
		ID: r.querySelector('input[name="ids"]').value, Title: r.querySelector("a.title").textContent}))`)
	if got := listedIDs(rows); !slices.Equal(got, ids[:2]) {
		t.Errorf("import found %v; want %v", got, ids[:2])
	}
	if why := browsertest.Eval[string](tb.Tab, `Array.from(document.querySelectorAll("#preview tr.is-missing .warn")).map(w => w.textContent.trim()).join("|")`); why == "" || strings.Contains(why, "|") {
		t.Errorf("reasons for the lines not found = %q; want one reason", why)
	}
	tb.ImagesLoaded()
	tb.Screenshot("real-import")

	// A minute bounds the wait: an error page instead of the download would otherwise hold the
	// test until the browser's guard ends it.
	dlCtx, dlCancel := context.WithTimeout(tb.Ctx, time.Minute)
	defer dlCancel()
	downloads := chromedp.BrowserEvents(dlCtx, browser.DownloadProgress)
	tb.Do(chromedp.Click(chromedp.CSS(`#export-form button[value="shopify"]`)))
	var guid string
	for ev, err := range downloads {
		if err != nil {
			t.Fatalf("download: %v; the page says: %.300s", err, browsertest.Eval[string](tb.Tab, `document.querySelector("main") ? document.querySelector("main").innerText : ""`))
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("the Shopify download was canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			guid = ev.GUID
			break
		}
	}
	f, err := os.Open(filepath.Join(tb.Downloads, guid))
	if err != nil {
		t.Fatal(err)
	}
	records, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatalf("the Shopify download is not CSV: %v", err)
	}
	if len(records) == 0 || !slices.Equal(records[0], export.ShopifyHeader) {
		t.Fatalf("Shopify download header = %q; want export.ShopifyHeader", records[:min(1, len(records))])
	}
	handleCol := slices.Index(export.ShopifyHeader, "URL handle")
	handles := map[string]int{}
	for i, rec := range records[1:] {
		handles[rec[handleCol]]++
		for j, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("Shopify row %d, column %q = %q; want no cell a spreadsheet would run as a formula", i+2, records[0][j], cell)
			}
		}
	}
	// A sold-out product is left out ("Leave out sold-out products" is ticked by default, and the
	// preview says so); the search may have shown it before its stock was known.
	soldOut := browsertest.Eval[[]string](tb.Tab, `Array.from(document.querySelectorAll("#preview tr.is-found.is-soldout input[name='ids']")).map(i => i.value)`)
	if len(soldOut) == len(rows) {
		t.Errorf("every imported product %v is sold out; want one to export", soldOut)
	}
	for _, r := range rows {
		id, _ := strconv.ParseInt(r.ID, 10, 64)
		h := export.Handle(r.Title, id)
		if slices.Contains(soldOut, r.ID) {
			if handles[h] != 0 {
				t.Errorf("the Shopify download has rows for sold-out product %s; want it left out", r.ID)
			}
		} else if handles[h] == 0 {
			t.Errorf("the Shopify download has no rows with handle %q (product %s); handles %v", h, r.ID, handles)
		}
	}

	// 6. The simulator's hostile products: shown as text, never run.
	hostile := hostileIDs(t, base)
	tb.Do(chromedp.Navigate(base+"/search?q=phone+case&min_orders=0"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	shown := 0
	for _, h := range hostile {
		sel := `[data-results] [data-product="` + h.ID + `"] .title a`
		if !browsertest.Eval[bool](tb.Tab, `document.querySelector('`+sel+`') !== null`) {
			t.Logf("hostile product %s is not on the first page", h.ID)
			continue
		}
		shown++
		if got := browsertest.Eval[string](tb.Tab, `document.querySelector('`+sel+`').getAttribute("title")`); got != h.Title {
			t.Errorf("hostile product %s title attribute = %q; want the title as text, %q", h.ID, got, h.Title)
		}
		// Hover the title, as a user's mouse would: an injected onmouseover would fire.
		// Scroll the window only: scrollIntoView would also scroll the title's clamped box.
		// The cards' shipping and pictures arrive after the page, and a card that grows
		// meanwhile moves the title from under the mouse: then measure again.
		var xy []float64
		hovered := false
		for range 3 {
			xy = browsertest.Eval[[]float64](tb.Tab, `(a => {
				window.scrollBy(0, a.getBoundingClientRect().top - innerHeight/2);
				const r = a.getClientRects()[0];
				return [r.x + r.width/2, r.y + r.height/2];
			})(document.querySelector('`+sel+`'))`)
			tb.Do(chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, xy[0], xy[1]))
			if hovered = browsertest.Eval[bool](tb.Tab, `document.querySelector('`+sel+`').matches(":hover")`); hovered {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !hovered {
			t.Errorf("the mouse at %v is not over the title of hostile product %s", xy, h.ID)
		}
	}
	if shown == 0 {
		t.Errorf("none of the hostile products %v is on the first page of the search; want them among the results", hostile)
	}
	tb.noInjectedCode("hostile search")
	tb.ImagesLoaded()
	tb.Screenshot("real-search-hostile")

	tb.Do(chromedp.Navigate(fmt.Sprintf("%s/compare?ids=%s,%s", base, hostile[0].ID, hostile[1].ID)), chromedp.WaitVisible(chromedp.ID("compare")))
	heads := browsertest.Eval[[]string](tb.Tab, `Array.from(document.querySelectorAll("#compare .compare-head a.title")).map(a => a.textContent)`)
	if !slices.Equal(heads, []string{hostile[0].Title, hostile[1].Title}) {
		t.Errorf("compare heads = %q; want the hostile titles as text, %q and %q", heads, hostile[0].Title, hostile[1].Title)
	}
	tb.noInjectedCode("compare")
	tb.ImagesLoaded()
	tb.Screenshot("real-compare-hostile")

	for _, h := range hostile {
		tb.Do(chromedp.Navigate(base+"/products/"+h.ID), chromedp.WaitVisible(chromedp.ID("description")))
		tb.noInjectedCode("product " + h.ID)
	}
	if calls := browsertest.Eval[[]string](tb.Tab, `JSON.parse(sessionStorage.getItem("`+recordKey+`") || "[]")`); len(calls) != 0 {
		t.Errorf("the pages ran injected code: %q; want none", calls)
	}
}

// recordKey is the sessionStorage key under which the tab records dialogs and blocked scripts;
// sessionStorage outlives the navigations of one tab within one origin.
const recordKey = "aliscout-test-injected"

// recorder replaces the dialogs with functions that record their calls, and records every
// inline script or handler the Content-Security-Policy blocks: either means that text from
// AliExpress became code on the page.
const recorder = `(() => {
	const record = (kind, what) => {
		try {
			const calls = JSON.parse(sessionStorage.getItem("` + recordKey + `") || "[]");
			calls.push(kind + " on " + location.pathname + location.search + ": " + String(what));
			sessionStorage.setItem("` + recordKey + `", JSON.stringify(calls));
		} catch (e) { /* about:blank has no storage */ }
	};
	window.alert = m => record("alert", m);
	window.confirm = m => { record("confirm", m); return false; };
	window.prompt = m => { record("prompt", m); return null; };
	document.addEventListener("securitypolicyviolation", e => record("blocked by CSP", e.violatedDirective + " " + e.blockedURI + " " + e.sample));
})();`

// tab is a headless Chromium tab for one test.
// tab is a browser tab for the real-stack test.
type tab struct{ *browsertest.Tab }

func newTab(t *testing.T) *tab {
	t.Helper()
	return &tab{browsertest.New(t, browsertest.Options{InitScript: recorder})}
}

// noInjectedCode checks that the page holds no script but the app's and no element with an
// event handler attribute: the markup a hostile title or description would smuggle in.
func (tb *tab) noInjectedCode(what string) {
	tb.T.Helper()
	scripts := browsertest.Eval[[]string](tb.Tab, `Array.from(document.scripts).map(s => s.src || s.textContent.slice(0, 80))`)
	if len(scripts) != 1 || !strings.Contains(scripts[0], "/static/app.") {
		tb.T.Errorf("%s page scripts = %q; want only the app's", what, scripts)
	}
	handlers := browsertest.Eval[[]string](tb.Tab, `Array.from(document.querySelectorAll("*")).flatMap(el =>
		Array.from(el.attributes).filter(a => a.name.startsWith("on")).map(a => el.tagName + " " + a.name + "=" + a.value))`)
	if len(handlers) != 0 {
		tb.T.Errorf("%s page carries event handler attributes %q; want none", what, handlers)
	}
}

// listed is a product as a page lists it.
type listed struct {
	ID    string
	Title string
}

// hostileIDs returns the simulator's phone cases whose titles carry a script or an attribute
// breakout, the script one first.
func hostileIDs(t *testing.T, base string) []listed {
	t.Helper()
	code, _, body := get(t, base+"/api/search?q=phone+case&min_orders=0&page_size=50")
	if code != 200 {
		t.Fatalf("GET /api/search = %d %s", code, body)
	}
	var res struct {
		Products []struct {
			ID    int64  `json:"id"`
			Title string `json:"title"`
		} `json:"products"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatal(err)
	}
	var script, breakout []listed
	for _, p := range res.Products {
		h := listed{ID: strconv.FormatInt(p.ID, 10), Title: p.Title}
		switch {
		case strings.Contains(p.Title, "<script>"):
			script = append(script, h)
		case strings.Contains(p.Title, "onmouseover"):
			breakout = append(breakout, h)
		}
	}
	if len(script) == 0 || len(breakout) == 0 {
		t.Fatalf("the simulator's phone cases hold %d script titles and %d attribute breakouts; want one of each", len(script), len(breakout))
	}
	return []listed{script[0], breakout[0]}
}

// importPair returns the first of ids whose product has a variant in stock now, and the first
// other one.
func importPair(t *testing.T, base string, ids []string) []string {
	t.Helper()
	for i, id := range ids {
		code, _, body := get(t, base+"/api/products/"+id)
		if code != 200 {
			continue
		}
		var p struct {
			Variants []struct {
				Stock int `json:"stock"`
			} `json:"variants"`
		}
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		for _, v := range p.Variants {
			if v.Stock > 0 {
				other := ids[0]
				if i == 0 {
					other = ids[1]
				}
				return []string{id, other}
			}
		}
	}
	t.Fatalf("none of the products the search showed (%v) is in stock today", ids)
	return nil
}

func listedIDs(ps []listed) []string {
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

var (
	moneyRE   = regexp.MustCompile(`^(−?)\$(\d{1,3}(?:,\d{3})*)\.(\d{2})$`)
	percentRE = regexp.MustCompile(`^−?\d+\.\d%$`)
)

// cents reads a dollar amount as the page shows it ("$1,299.00", "−$0.50") in cents.
func cents(s string) (int64, bool) {
	m := moneyRE.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(m[2], ",", "")+m[3], 10, 64)
	if err != nil {
		return 0, false
	}
	if m[1] != "" {
		v = -v
	}
	return v, true
}

func formatCents(v int64) string {
	sign := ""
	if v < 0 {
		sign, v = "−", -v
	}
	return fmt.Sprintf("%s$%d.%02d", sign, v/100, v%100)
}

// expectedProfit is the profit of one unit sold at price cents, from the cost data of a variant
// row (in cents) and the calculator's fee inputs: price − (price × fee % + fixed fee + ad cost)
// − landed, the percentage fee rounded half away from zero to the cent.
func expectedProfit(price int64, item, ship, imp, feePct, feeFixed, ad string) (int64, bool) {
	amount := func(s string) (int64, bool) {
		if s == "" {
			return 0, true
		}
		whole, frac, _ := strings.Cut(s, ".")
		if len(frac) > 2 {
			return 0, false
		}
		v, err := strconv.ParseInt(whole+(frac + "00")[:2], 10, 64)
		return v, err == nil
	}
	minor := func(s string) (int64, bool) {
		if s == "" {
			return 0, true
		}
		v, err := strconv.ParseInt(s, 10, 64)
		return v, err == nil
	}
	it, ok1 := minor(item)
	sh, ok2 := minor(ship)
	im, ok3 := minor(imp)
	bp, ok4 := amount(feePct) // a percentage with two decimals is basis points
	fixed, ok5 := amount(feeFixed)
	adc, ok6 := amount(ad)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || item == "" || ship == "" {
		return 0, false
	}
	fee := (price*bp + 5000) / 10000
	return price - fee - fixed - adc - (it + sh + im), true
}

func ptr[T any](v T) *T { return &v }
