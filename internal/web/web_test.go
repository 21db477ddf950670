package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/catalog"
)

func TestHealthz(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/healthz")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != "ok" {
		t.Errorf("GET /healthz = %d %q; want 200 ok", w.Code, w.Body.String())
	}
}

func TestHomeRedirectsToSearch(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/")
	if w.Code != http.StatusFound || w.Header().Get("Location") != "/search" {
		t.Errorf("GET / = %d to %q; want 302 to /search", w.Code, w.Header().Get("Location"))
	}
}

func TestSearchPage(t *testing.T) {
	e := newEnv(t, Config{Simulated: true})
	w := e.get("/search?q=phone+holder")
	if w.Code != 200 {
		t.Fatalf("GET /search = %d; want 200\n%s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	pt := checkHTML(t, body)
	for _, want := range []string{
		"Sandbox data", "ALIEXPRESS_APP_KEY", "ALIEXPRESS_APP_SECRET", // the banner
		"Sandbox affiliate links", "earn nothing", // the disclosure, on the simulator
		"price at time of search", "14 Mar 2025, 06:26 UTC", // the oldest fetch time (a stale product)
		"Magnetic Phone Holder for Car", "$4.99", "$9.99", "−50%", "12K orders", "Free shipping", "7–15 days",
		"7% comm.", "1.2M orders", "Does not ship", "Margin calculator",
	} {
		if !pt.hasText(want) {
			t.Errorf("search page lacks %q", want)
		}
	}
	// The affiliate button goes to the affiliate link, marked sponsored; a javascript: affiliate
	// link falls back to the product page.
	links := elementsWith(body, "rel", "sponsored noopener")
	if len(links) == 0 {
		t.Fatal("no Source on AliExpress links")
	}
	hrefs := map[string]bool{}
	for _, l := range links {
		if attr(l, "target") != "_blank" {
			t.Errorf("affiliate link without target=_blank: %s", l)
		}
		hrefs[attr(l, "href")] = true
	}
	if !hrefs["https://s.click.aliexpress.com/e/_holder"] || !hrefs["https://www.aliexpress.com/item/1005000000000002.html"] {
		t.Errorf("affiliate hrefs = %v; want the holder's affiliate link and the strip's product URL", hrefs)
	}
	// Each product carries its cost data for the margin script, in cents.
	cards := elementsWith(body, "data-product", strconv.FormatInt(idHolder, 10))
	if len(cards) != 1 || attr(cards[0], "data-item") != "499" || attr(cards[0], "data-ship") != "0" || attr(cards[0], "data-currency") != "USD" {
		t.Errorf("holder card data = %v; want data-item=499 data-ship=0 data-currency=USD", cards)
	}
	noShip := elementsWith(body, "data-product", strconv.FormatInt(idNoShip, 10))
	if len(noShip) != 1 || attr(noShip[0], "data-ship") != "" {
		t.Errorf("no-ship card data = %v; want empty data-ship", noShip)
	}
	// The default calculator (x2.5 .99, 2.9 % + 0.30) prices the holder at 12.99 with 7.32 profit.
	if !pt.hasText("$12.99") || !pt.hasText("$7.32") || !pt.hasText("56.4%") {
		t.Errorf("search page lacks the holder's default margin ($12.99, $7.32, 56.4%%)")
	}
	// The filter form is a GET form with every filter.
	for _, name := range filterFields {
		if name == "page" || name == "page_size" {
			continue
		}
		if len(elementsWith(body, "name", name)) == 0 {
			t.Errorf("search form lacks the %s field", name)
		}
	}
	if got := e.fc.searches[0]; got.Query != "phone holder" || got.MinOrders != catalog.DefaultMinOrders {
		t.Errorf("Search got %+v; want the query and the default minimum orders", got)
	}
}

func TestSearchPageEmptyFormNoSearch(t *testing.T) {
	e := newEnv(t, Config{})
	e.fc.setHealth(catalog.Health{Gateway: "https://api-sg.aliexpress.com", AppKey: "12345", OK: true})
	w := e.get("/search")
	if w.Code != 200 {
		t.Fatalf("GET /search = %d; want 200", w.Code)
	}
	if len(e.fc.searches) != 0 {
		t.Errorf("an empty form searched AliExpress: %v", e.fc.searches)
	}
	pt := checkHTML(t, w.Body.String())
	if !pt.hasText("Find products worth selling") {
		t.Error("empty search page lacks its welcome")
	}
	// The categories select holds the tree: tops, then their children indented.
	if !strings.Contains(w.Body.String(), `<option value="201">`+"\u00a0\u00a0\u00a0\u00a0"+`Phone Holders</option>`) {
		t.Error("category select lacks the indented child category")
	}
	if strings.Contains(w.Body.String(), "Sandbox data") {
		t.Error("banner shown although not simulated")
	}
}

func TestSearchBadInputNamesField(t *testing.T) {
	cases := []struct{ query, field string }{
		{"q=x&sort=cheapest", "sort"},
		{"q=x&min_price=-5", "min_price"},
		{"q=x&max_price=abc", "max_price"},
		{"q=x&min_rating=9", "min_rating"},
		{"q=x&min_orders=lots", "min_orders"},
		{"q=x&min_discount=150", "min_discount"},
		{"q=x&max_delivery_days=-1", "max_delivery_days"},
		{"q=x&ship_to=USA", "ship_to"},
		{"q=x&currency=XYZ", "currency"},
		{"q=x&language=klingon", "language"},
		{"q=x&page=0", "page"},
		{"q=x&ship_rule=teleport", "ship_rule"},
		{"q=x&in_stock=maybe", "in_stock"},
		{"q=x&free_shipping=maybe", "free_shipping"},
		{"q=x&category=-3", "category"},
	}
	e := newEnv(t, Config{})
	for _, c := range cases {
		w := e.get("/api/search?" + c.query)
		code, field, msg := jsonError(t, w)
		if w.Code != 400 || code != catalog.EInvalid || field != c.field || !strings.Contains(msg, c.field) {
			t.Errorf("GET /api/search?%s = %d %s field %q (%q); want 400 invalid naming %s", c.query, w.Code, code, field, msg, c.field)
		}
		p := e.get("/search?" + c.query)
		if p.Code != 400 {
			t.Errorf("GET /search?%s = %d; want 400", c.query, p.Code)
		}
		body := p.Body.String()
		pt := checkHTML(t, body)
		// The page names the field by the label the user sees, and links to its input.
		if !pt.hasText(fieldLabel(c.field)) || len(elementsWith(body, "href", "#"+fieldID(c.field))) == 0 {
			t.Errorf("GET /search?%s: page does not name %s by its label %q with a link to #%s", c.query, c.field, fieldLabel(c.field), fieldID(c.field))
		}
		if len(elementsWith(body, "aria-invalid", "true")) == 0 && c.field != "sort" && c.field != "page" && c.field != "ship_to" &&
			c.field != "currency" && c.field != "language" && c.field != "free_shipping" && c.field != "category" && c.field != "min_rating" &&
			c.field != "ship_rule" && c.field != "in_stock" {
			t.Errorf("GET /search?%s: the %s input is not marked invalid", c.query, c.field)
		}
	}
	// The page also checks the calculator and the view.
	for _, c := range []struct{ query, field string }{
		{"q=x&view=list", "view"}, {"q=x&sell=abc", "sell"}, {"q=x&rule=y2", "rule"}, {"q=x&fee_pct=200", "fee_pct"},
		{"q=x&fee_fixed=-1", "fee_fixed"}, {"q=x&ad_cost=x", "ad_cost"}, {"q=x&min_margin=abc", "min_margin"},
	} {
		p := e.get("/search?" + c.query)
		if p.Code != 400 || !checkHTML(t, p.Body.String()).hasText(fieldLabel(c.field)) {
			t.Errorf("GET /search?%s = %d; want 400 naming %s", c.query, p.Code, fieldLabel(c.field))
		}
	}
}

func TestSearchKeepsTypedInputOnError(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/search?q=" + url.QueryEscape(hostileAttr) + "&min_price=-5&max_price=20")
	body := w.Body.String()
	checkHTML(t, body)
	inputs := elementsWith(body, "name", "min_price")
	if len(inputs) != 1 || attr(inputs[0], "value") != "-5" {
		t.Errorf("min_price input = %v; want it refilled with -5", inputs)
	}
	q := elementsWith(body, "name", "q")
	if len(q) != 1 || attr(q[0], "value") != hostileAttr {
		t.Errorf("q input = %v; want it refilled with the typed text", q)
	}
}

func TestAPISearchShape(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/api/search?q=holder&page_size=5&page=2")
	if w.Code != 200 {
		t.Fatalf("GET /api/search = %d\n%s", w.Code, w.Body.String())
	}
	m := decodeJSON(t, w)
	for _, k := range []string{"products", "total", "page", "stale", "page_size", "total_is_estimate", "pages"} {
		if _, ok := m[k]; !ok {
			t.Errorf("search JSON lacks %q: %s", k, w.Body.String())
		}
	}
	if m["total"] != 15.0 || m["page"] != 2.0 || m["stale"] != false || m["page_size"] != 5.0 || m["pages"] != 3.0 {
		t.Errorf("search JSON = total %v page %v stale %v page_size %v pages %v; want 15 2 false 5 3", m["total"], m["page"], m["stale"], m["page_size"], m["pages"])
	}
	if n := len(m["products"].([]any)); n != 5 {
		t.Errorf("products = %d; want 5", n)
	}
	// Money is an exact decimal string with its currency.
	w = e.get("/api/search?q=holder&page_size=1")
	var res struct {
		Products []map[string]json.RawMessage `json:"products"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if got := string(res.Products[0]["price"]); got != `{"amount":"4.99","currency":"USD"}` {
		t.Errorf("price = %s; want {\"amount\":\"4.99\",\"currency\":\"USD\"}", got)
	}
	for _, k := range []string{"id", "title", "url", "affiliate_url", "images", "original_price", "discount_percent", "rating",
		"orders_30d", "commission_rate", "variants", "shipping", "ship_to", "source", "fetched_at", "stale", "shop", "options"} {
		if _, ok := res.Products[0][k]; !ok {
			t.Errorf("product JSON lacks %q", k)
		}
	}
	if string(res.Products[0]["id"]) != "1005000000000001" {
		t.Errorf("id = %s; want 1005000000000001", res.Products[0]["id"])
	}
	// An estimated total says so.
	m = decodeJSON(t, e.get("/api/search?q=holder&min_rating=4"))
	if m["total_is_estimate"] != true {
		t.Errorf("total_is_estimate = %v; want true", m["total_is_estimate"])
	}
}

func TestSearchFailures(t *testing.T) {
	cases := []struct {
		q          string
		status     int
		code       string
		retryAfter string
		mention    string
	}{
		{"fail", 502, catalog.EUpstream, "", "not answering"},
		{"ratelimit", 503, catalog.ERateLimited, "7", "try again"},
		{"config", 502, catalog.EConfig, "", "ALIEXPRESS_APP_KEY"},
		{"internal", 500, catalog.EInternal, "", "server log"},
	}
	e := newEnv(t, Config{})
	for _, c := range cases {
		w := e.get("/api/search?q=" + c.q)
		code, _, msg := jsonError(t, w)
		if w.Code != c.status || code != c.code || !strings.Contains(msg, c.mention) {
			t.Errorf("GET /api/search?q=%s = %d %s %q; want %d %s mentioning %q", c.q, w.Code, code, msg, c.status, c.code, c.mention)
		}
		if got := w.Header().Get("Retry-After"); got != c.retryAfter {
			t.Errorf("GET /api/search?q=%s: Retry-After = %q; want %q", c.q, got, c.retryAfter)
		}
		if strings.Contains(w.Body.String(), "hunter2") {
			t.Errorf("GET /api/search?q=%s leaks an internal error: %s", c.q, w.Body.String())
		}
		p := e.get("/search?q=" + c.q + "&min_price=3")
		if p.Code != c.status {
			t.Errorf("GET /search?q=%s = %d; want %d", c.q, p.Code, c.status)
		}
		pt := checkHTML(t, p.Body.String())
		if !pt.hasText(c.mention) || strings.Contains(p.Body.String(), "hunter2") {
			t.Errorf("GET /search?q=%s: page does not say %q, or leaks", c.q, c.mention)
		}
		if in := elementsWith(p.Body.String(), "name", "min_price"); len(in) != 1 || attr(in[0], "value") != "3" {
			t.Errorf("GET /search?q=%s: the form lost the typed min_price", c.q)
		}
	}
	if !strings.Contains(e.logs.String(), "hunter2") {
		t.Error("the internal error is not in the log")
	}
}

func TestPanicIsRecovered(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/search?q=panic")
	if w.Code != 500 || !strings.Contains(w.Body.String(), "Something went wrong") {
		t.Errorf("GET /search?q=panic = %d; want a 500 page", w.Code)
	}
	w = e.get("/api/search?q=panic")
	if code, _, _ := jsonError(t, w); w.Code != 500 || code != catalog.EInternal {
		t.Errorf("GET /api/search?q=panic = %d %s; want 500 internal", w.Code, code)
	}
	if !strings.Contains(e.logs.String(), "boom") {
		t.Error("the panic is not in the log")
	}
	if w := e.get("/search?q=holder"); w.Code != 200 {
		t.Errorf("after a panic GET /search = %d; want 200", w.Code)
	}
}

func TestStaleIsMarked(t *testing.T) {
	e := newEnv(t, Config{})
	m := decodeJSON(t, e.get("/api/search?q=stale"))
	if m["stale"] != true || m["stale_reason"] != "AliExpress answered HTTP 503" {
		t.Errorf("stale search JSON: stale %v reason %v; want true and the reason", m["stale"], m["stale_reason"])
	}
	for _, target := range []string{"/search?q=stale", fmt.Sprintf("/products/%d", idStale), fmt.Sprintf("/compare?ids=%d", idStale)} {
		w := e.get(target)
		if w.Code != 200 || !checkHTML(t, w.Body.String()).hasText("AliExpress is not answering") {
			t.Errorf("GET %s = %d; want 200 with the stale note", target, w.Code)
		}
	}
	if w := e.get("/search?q=nothing"); strings.Contains(w.Body.String(), `id="stale-note"`) {
		t.Error("a fresh search shows the stale note")
	}
	m = decodeJSON(t, e.get(fmt.Sprintf("/api/products/%d", idStale)))
	if m["stale"] != true {
		t.Errorf("stale product JSON stale = %v; want true", m["stale"])
	}
}

func TestHealthCardAndAPI(t *testing.T) {
	e := newEnv(t, Config{})
	m := decodeJSON(t, e.get("/api/health"))
	if m["ok"] != true || m["simulated"] != true || m["gateway"] != "http://127.0.0.1:9/sandbox" || m["app_key"] != "sandbox-key" {
		t.Errorf("health JSON = %v", m)
	}
	e.fc.setHealth(catalog.Health{Gateway: "https://api-sg.aliexpress.com", AppKey: "12345", OK: false, Code: catalog.EConfig,
		Message: "AliExpress refused the app key: check ALIEXPRESS_APP_KEY and ALIEXPRESS_APP_SECRET", CheckedAt: testNow})
	m = decodeJSON(t, e.get("/api/health"))
	if m["ok"] != false || m["code"] != catalog.EConfig || !strings.Contains(m["message"].(string), "refused") {
		t.Errorf("health JSON = %v; want not ok with the message", m)
	}
	for _, k := range []string{"secret", "app_secret"} {
		if _, ok := m[k]; ok {
			t.Errorf("health JSON has %q", k)
		}
	}
	for _, target := range []string{"/search", "/import", "/compare", fmt.Sprintf("/products/%d", idHolder), "/nope"} {
		w := e.get(target)
		pt := checkHTML(t, w.Body.String())
		if !pt.hasText("AliExpress refused the app key") || !pt.hasText("AliExpress connection problem") {
			t.Errorf("GET %s: no health card", target)
		}
		if pt.hasText("Sandbox data") {
			t.Errorf("GET %s: sandbox banner on a real gateway", target)
		}
	}
}

func TestBannerOnEveryPage(t *testing.T) {
	e := newEnv(t, Config{Simulated: true})
	for _, target := range []string{"/search", "/search?q=holder", "/import", "/compare", "/compare?ids=1005000000000001",
		fmt.Sprintf("/products/%d", idHolder), fmt.Sprintf("/products/%d", idMissing), "/nope"} {
		w := e.get(target)
		pt := checkHTML(t, w.Body.String())
		if !pt.hasText("Sandbox data") || !pt.hasText("built-in AliExpress simulator") {
			t.Errorf("GET %s: no sandbox banner", target)
		}
		if !pt.hasText("affiliate links") {
			t.Errorf("GET %s: no affiliate disclosure", target)
		}
	}
}

func TestSearchViewsAndPagination(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/search?q=holder&page_size=5&page=2&view=table&sell=19.99")
	if w.Code != 200 {
		t.Fatalf("GET table = %d", w.Code)
	}
	body := w.Body.String()
	checkHTML(t, body)
	for _, want := range []string{`rel="prev"`, `rel="next"`, `aria-current="page">2</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("pagination lacks %s", want)
		}
	}
	// The links keep the search, the view and the calculator.
	next := elementsWith(body, "rel", "next")[0]
	u, _ := url.Parse(attr(next, "href"))
	if q := u.Query(); q.Get("page") != "3" || q.Get("view") != "table" || q.Get("sell") != "19.99" || q.Get("q") != "holder" || q.Get("page_size") != "5" {
		t.Errorf("next link = %s; want page 3 of the same search, view and calculator", u)
	}
	// Every sortable column header links to the search sorted on the server, across all
	// results; a column already sorted one way links to the other.
	sorts := elementsWith(body, "data-sort", "price")
	if len(sorts) != 1 || !strings.Contains(attr(sorts[0], "href"), "sort=price_asc") || !strings.Contains(attr(sorts[0], "href"), "sell=19.99") {
		t.Errorf("price header = %v; want a link sorting by price, keeping the calculator", sorts)
	}
	w = e.get("/search?q=holder&view=table&sort=price_asc")
	body = w.Body.String()
	if h := elementsWith(body, "data-sort", "price"); len(h) != 1 || !strings.Contains(attr(h[0], "href"), "sort=price_desc") {
		t.Errorf("price header of a search sorted by price = %v; want a link to the other direction", h)
	}
	if th := elementsWith(body, "aria-sort", "ascending"); len(th) != 1 {
		t.Errorf("headers marked ascending = %v; want the price column", th)
	}
	if n := len(elementsWith(body, "data-sort-col", "")); n != 0 {
		t.Errorf("%d headers sort only the page in the browser; want every sort on the server", n)
	}
	w = e.get("/search?q=holder&min_rating=4")
	if !checkHTML(t, w.Body.String()).hasText("About 15 products") {
		t.Error("an estimated total does not say about")
	}
}

func TestMinMarginHidesProducts(t *testing.T) {
	e := newEnv(t, Config{})
	// At a fixed 10.00 selling price the 12.50 strip loses money: below 20 % it is hidden.
	w := e.get("/search?q=holder&sell=10.00&min_margin=20")
	body := w.Body.String()
	strip := elementsWith(body, "data-product", strconv.FormatInt(idStrip, 10))
	if len(strip) != 1 {
		t.Fatalf("strip card missing")
	}
	hidden := false
	for _, a := range strip[0].Attr {
		hidden = hidden || a.Key == "hidden"
	}
	if !hidden {
		t.Error("a product below the minimum margin is not hidden")
	}
	if !checkHTML(t, body).hasText("hidden below the minimum margin") {
		t.Error("no note on hidden products")
	}
}

func TestProductPage(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get(fmt.Sprintf("/products/%d?sell=19.99&fee_pct=3&fee_fixed=0.30&ad_cost=2", idHolder))
	if w.Code != 200 {
		t.Fatalf("GET product = %d\n%s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	pt := checkHTML(t, body)
	for _, want := range []string{"Magnetic Phone Holder for Car", "Sold out", "Variants and shipping from the Dropshipping API",
		"AliExpress Standard Shipping", "DHL", "Best Gadgets Store", "Great", "quality", "Price at time of search", "Black", "Silver",
		"Red " + hostileScript} {
		if !pt.hasText(want) {
			t.Errorf("product page lacks %q", want)
		}
	}
	// Per variant: black 4.99 free shipping, sells at 19.99: fees 0.60+0.30+2.00, profit 12.10.
	rows := elementsWith(body, "data-item", "499")
	if len(rows) < 1 {
		t.Fatal("no variant row for the black variant")
	}
	for _, want := range []string{"$12.10", "60.5%"} {
		if !pt.hasText(want) {
			t.Errorf("product page lacks the black variant's %s", want)
		}
	}
	// Red: 5.99 + 0.60 import charges = 6.59 landed, profit 19.99-2.90-6.59 = 10.50.
	if !pt.hasText("$6.59") || !pt.hasText("$10.50") {
		t.Error("the red variant's landed cost does not include its import charges")
	}
	// Sanitized description: no script, no handler, no javascript: link, an https image.
	if strings.Contains(body, `alert("desc")`) || strings.Contains(body, "evil.example") {
		t.Error("the description was not sanitized")
	}
	if len(elementsWith(body, "src", "https://ae01.alicdn.com/kf/desc.jpg")) != 1 {
		t.Error("the description's protocol-relative image is not kept as https")
	}
	if a := elementsWith(body, "href", "https://example.com/ok"); len(a) != 1 || attr(a[0], "rel") != "nofollow noopener" {
		t.Errorf("description link = %v; want rel=nofollow noopener", a)
	}
	// The gallery has the product and variant images, never a javascript: or data: one.
	if len(elementsWith(body, "data-thumb", "")) != 5 {
		t.Errorf("gallery has %d thumbnails; want 5 (3 product + 2 variant images)", len(elementsWith(body, "data-thumb", "")))
	}
	// The sold-out variant is styled as such.
	if len(elementsWith(body, "class", "product variant is-soldout")) != 1 {
		t.Error("the sold-out variant is not marked")
	}
}

func TestProductPageAffiliateSource(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get(fmt.Sprintf("/products/%d", idStrip))
	pt := checkHTML(t, w.Body.String())
	if !pt.hasText("Product-level data from the Affiliate API") {
		t.Error("affiliate product does not say where its data came from")
	}
	links := elementsWith(w.Body.String(), "rel", "sponsored noopener")
	if len(links) != 1 || attr(links[0], "href") != "https://www.aliexpress.com/item/1005000000000002.html" {
		t.Errorf("source link = %v; want the product URL instead of a javascript: affiliate link", links)
	}
}

func TestProductErrors(t *testing.T) {
	e := newEnv(t, Config{})
	cases := []struct {
		target string
		status int
		code   string
		field  string
		say    string
	}{
		{fmt.Sprintf("/products/%d", idMissing), 404, catalog.ENotFound, "", "no longer"},
		{fmt.Sprintf("/products/%d", idBroken), 502, catalog.EUpstream, "", "not answering"},
		{"/products/abc", 400, catalog.EInvalid, "id", "not a product ID"},
		{"/products/-5", 400, catalog.EInvalid, "id", "not a product ID"},
		{fmt.Sprintf("/products/%d?ship_to=usa1", idHolder), 400, catalog.EInvalid, "ship_to", "country"},
		{fmt.Sprintf("/products/%d?currency=doge", idHolder), 400, catalog.EInvalid, "currency", "currency"},
		{fmt.Sprintf("/products/%d?sell=-1", idHolder), 400, catalog.EInvalid, "sell", "negative"},
	}
	for _, c := range cases {
		w := e.get(c.target)
		if w.Code != c.status || !checkHTML(t, w.Body.String()).hasText(c.say) {
			t.Errorf("GET %s = %d; want %d saying %q", c.target, w.Code, c.status, c.say)
		}
		if c.field != "" && !strings.Contains(w.Body.String(), c.field) {
			t.Errorf("GET %s does not name %s", c.target, c.field)
		}
		api := "/api" + c.target
		if strings.Contains(api, "sell=") {
			continue // the API has no calculator
		}
		w = e.get(api)
		code, field, _ := jsonError(t, w)
		if w.Code != c.status || code != c.code || field != c.field {
			t.Errorf("GET %s = %d %s %q; want %d %s %q", api, w.Code, code, field, c.status, c.code, c.field)
		}
	}
}

// TestInputThatMeansNothingIsRefused covers values that parsed but meant nothing, or that
// AliExpress answered with a message naming no field: each is refused with a 400 naming the field,
// before any upstream call.
func TestInputThatMeansNothingIsRefused(t *testing.T) {
	e := newEnv(t, Config{})
	holder := strconv.FormatInt(idHolder, 10)
	cases := []struct{ target, field string }{
		{"/api/products/9223372036854775807", "id"},
		{"/api/products/9007199254740993", "id"},
		{"/api/products/1234", "id"},
		{"/api/products/9223372036854775807/shipping", "id"},
		{"/api/search?q=x&min_rating=NaN", "min_rating"},
		{"/api/search?q=x&min_rating=Inf", "min_rating"},
		{"/api/search?q=phone%FF%FEcase", "q"},
		{"/api/search?q=phone%00case", "q"},
		{"/api/search?q=x&ship_to=XX", "ship_to"},
		{"/api/search?q=x&ship_to=ZZ", "ship_to"},
		{"/api/search?q=x&ship_to=AA", "ship_to"},
		{"/api/search?q=x&max_price=9223372036854775.807", "max_price"},
		{"/api/products/" + holder + "?ship_to=ZZ", "ship_to"},
		{"/api/products/" + holder + "/shipping?country=XX", "country"},
	}
	for _, c := range cases {
		w := e.get(c.target)
		if _, field, msg := jsonError(t, w); w.Code != 400 || field != c.field {
			t.Errorf("GET %s = %d field %q (%s); want 400 naming %s", c.target, w.Code, field, msg, c.field)
		}
	}
	pages := []struct{ target, field string }{
		{"/products/9223372036854775807", "id"},
		{"/search?q=phone%FF%FEcase", "q"},
		{"/search?q=x&sell=9223372036854775.807", "sell"},
		{"/search?q=x&fee_fixed=1000000000.01", "fee_fixed"},
		{"/search?q=x&rule=x2%FF", "rule"},
		{"/products/" + holder + "?sell=9223372036854775.807", "sell"},
		{"/products/" + holder + "?ad_cost=99999999999", "ad_cost"},
		{"/compare?ids=" + holder + ",9223372036854775807", "ids"},
	}
	for _, c := range pages {
		w := e.get(c.target)
		body := w.Body.String()
		if w.Code != 400 || !checkHTML(t, body).hasText(fieldLabel(c.field)) {
			t.Errorf("GET %s = %d; want 400 naming %s", c.target, w.Code, fieldLabel(c.field))
		}
		if !utf8.ValidString(body) {
			t.Errorf("GET %s: the page is not valid UTF-8 (the input came back raw)", c.target)
		}
	}
	post := func(ct, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/links", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		return e.do(r)
	}
	for _, c := range []struct{ ct, body string }{
		{"application/json", `{"urls":["https://www.aliexpress.com/item/1005000000000001.html"]} xyz`},
		{"application/json", `{"urls":["https://www.aliexpress.com/item/1005000000000001.html"]}{"urls":[]}`},
		{"text/plain", "https://www.aliexpress.com/item/1005000000000001.html\n\xff\n"},
		{"application/x-www-form-urlencoded", "urls=https%3A%2F%2Fwww.aliexpress.com%2Fitem%2F1005000000000001.html%FF"},
	} {
		w := post(c.ct, c.body)
		if _, field, msg := jsonError(t, w); w.Code != 400 || field != "urls" {
			t.Errorf("POST /api/links %s %q = %d field %q (%s); want 400 naming urls", c.ct, c.body, w.Code, field, msg)
		}
	}
	w := e.postForm("/import", "urls=1005000000000001%0A%FF%FE")
	if w.Code != 400 || !checkHTML(t, w.Body.String()).hasText(fieldLabel("urls")) || !utf8.ValidString(w.Body.String()) {
		t.Errorf("POST /import of invalid UTF-8 = %d; want 400 naming the links field, on a valid UTF-8 page", w.Code)
	}
	if n := e.fc.spent(); n != 0 {
		t.Errorf("refused input cost %d upstream calls; want 0", n)
	}
	// A well-formed JSON body still works.
	if w := post("application/json", `{"urls":["https://www.aliexpress.com/item/1005000000000001.html"]}`+"\n"); w.Code != 200 {
		t.Errorf("POST /api/links with a trailing newline = %d; want 200", w.Code)
	}
}

func TestProductNotShipped(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get(fmt.Sprintf("/products/%d?ship_to=AQ", idHolder))
	if w.Code != 200 || !checkHTML(t, w.Body.String()).hasText("does not ship to AQ") {
		t.Errorf("GET product to AQ = %d; want 200 saying it does not ship there", w.Code)
	}
	w = e.get(fmt.Sprintf("/api/products/%d/shipping?country=AQ", idHolder))
	if code, _, _ := jsonError(t, w); w.Code != 422 || code != catalog.ENotShipped {
		t.Errorf("GET shipping to AQ = %d %s; want 422 not_shipped", w.Code, code)
	}
}

func TestAPIProductAndShipping(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get(fmt.Sprintf("/api/products/%d?ship_to=DE", idHolder))
	m := decodeJSON(t, w)
	if w.Code != 200 || m["ship_to"] != "DE" || m["source"] != "ds" {
		t.Errorf("GET /api/products = %d %v", w.Code, m)
	}
	vs := m["variants"].([]any)
	red := vs[2].(map[string]any)
	if red["image"] != "" {
		t.Errorf("a data: variant image reached the API: %v", red["image"])
	}
	if ic := red["import_charge"].(map[string]any); ic["amount"] != "0.60" {
		t.Errorf("import_charge = %v; want 0.60", ic)
	}
	if imgs := m["images"].([]any); len(imgs) != 3 {
		t.Errorf("images = %v; want the 3 http(s) ones", imgs)
	}
	if strings.Contains(m["description_html"].(string), "script") {
		t.Error("the API's description is not sanitized")
	}
	w = e.get(fmt.Sprintf("/api/products/%d/shipping?country=gb", idHolder))
	m = decodeJSON(t, w)
	if w.Code != 200 || m["ship_to"] != "GB" || m["product_id"] != float64(idHolder) {
		t.Errorf("GET shipping = %d %v", w.Code, m)
	}
	opts := m["options"].([]any)
	if len(opts) != 2 || opts[1].(map[string]any)["fee"].(map[string]any)["amount"] != "12.99" {
		t.Errorf("shipping options = %v", opts)
	}
	w = e.get(fmt.Sprintf("/api/products/%d/shipping?country=XYZ", idHolder))
	if _, field, _ := jsonError(t, w); w.Code != 400 || field != "country" {
		t.Errorf("GET shipping?country=XYZ = %d field %q; want 400 country", w.Code, field)
	}
}

func TestComparePage(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get(fmt.Sprintf("/compare?ids=%d,%d", idHolder, idStrip))
	if w.Code != 200 {
		t.Fatalf("GET /compare = %d", w.Code)
	}
	pt := checkHTML(t, w.Body.String())
	for _, want := range []string{"Magnetic Phone Holder for Car", "LED Strip Lights", "Best Gadgets Store", "Light World", "12K", "−50%", "Variants", "Margin"} {
		if !pt.hasText(want) {
			t.Errorf("compare page lacks %q", want)
		}
	}
	// The form of checkboxes sends ids=1&ids=2; a missing product gets its own column.
	w = e.get(fmt.Sprintf("/compare?ids=%d&ids=%d", idHolder, idMissing))
	pt = checkHTML(t, w.Body.String())
	if w.Code != 200 || !pt.hasText("no longer) listed on AliExpress") || !pt.hasText("Magnetic Phone Holder") {
		t.Errorf("compare with a missing product = %d; want 200 with the missing one marked", w.Code)
	}
	for _, c := range []struct{ q, say string }{
		{"ids=1005000000000001,1005000000000002,1005000000000003,1005000000000004,1005000000000100", "at most 4"},
		{"ids=12,abc", "not a product ID"},
	} {
		w := e.get("/compare?" + c.q)
		pt := checkHTML(t, w.Body.String())
		if w.Code != 400 || !pt.hasText(c.say) || !pt.hasText(fieldLabel("ids")) {
			t.Errorf("GET /compare?%s = %d; want 400 saying %q and naming the products field", c.q, w.Code, c.say)
		}
	}
	w = e.get("/compare")
	if w.Code != 200 || !checkHTML(t, w.Body.String()).hasText("Nothing picked yet") {
		t.Errorf("empty compare = %d", w.Code)
	}
}

func TestImportFlow(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/import")
	if w.Code != 200 || len(elementsWith(w.Body.String(), "name", "urls")) != 1 {
		t.Fatalf("GET /import = %d; want the form", w.Code)
	}
	text := "https://www.aliexpress.com/item/1005000000000001.html?spm=a2g0o\n\n  1005000000000002 \nnot a link\nhttps://www.aliexpress.com/item/1005009999999999.html\n"
	w = e.postForm("/import", url.Values{"urls": {text}, "ship_to": {"US"}, "currency": {"USD"}, "rule": {"x3"}}.Encode())
	if w.Code != 200 {
		t.Fatalf("POST /import = %d\n%s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	pt := checkHTML(t, body)
	for _, want := range []string{"2 found, 2 not found", "Magnetic Phone Holder", "LED Strip Lights", "not an AliExpress product link or ID",
		"not (or no longer) listed", "Download Shopify CSV", "WooCommerce CSV", "JSON"} {
		if !pt.hasText(want) {
			t.Errorf("import preview lacks %q", want)
		}
	}
	boxes := elementsWith(body, "name", "ids")
	if len(boxes) != 2 {
		t.Errorf("import preview has %d export checkboxes; want 2", len(boxes))
	}
	if f := elementsWith(body, "id", "export-form"); len(f) != 1 || attr(f[0], "action") != "/export" || attr(f[0], "method") != "post" {
		t.Errorf("export form = %v; want POST /export, the page route", f)
	}
	if r := elementsWith(body, "name", "rule"); len(r) == 0 || attr(r[len(r)-1], "value") != "x3" {
		t.Errorf("rule input = %v; want x3 kept", r)
	}
	if !strings.Contains(body, ">"+strings.ReplaceAll(text, "&", "&amp;")+"</textarea>") {
		t.Error("the textarea does not hold what was pasted")
	}
	// ids= from the search page's "Export selected" (a POST) previews at once, with the
	// search's settings.
	w = e.postForm("/import", fmt.Sprintf("ids=%d&ids=%d&ship_to=DE&currency=EUR&rule=x3&sell=&fee_pct=2.9", idHolder, idStale))
	body = w.Body.String()
	if w.Code != 200 || !checkHTML(t, body).hasText("2 found") {
		t.Errorf("POST /import ids= = %d; want a preview of 2", w.Code)
	}
	if !strings.Contains(body, fmt.Sprintf(">%d\n%d</textarea>", idHolder, idStale)) {
		t.Error("the textarea does not list the IDs looked up")
	}
	for _, c := range []struct{ name, value string }{{"ship_to", "DE"}, {"currency", "EUR"}} {
		if in := elementsWith(body, "name", c.name); len(in) == 0 || attr(in[len(in)-1], "value") != c.value {
			t.Errorf("export form %s = %v; want %s kept from the search", c.name, in, c.value)
		}
	}
	w = e.postForm("/import", "ids=")
	if w.Code != 400 || !checkHTML(t, w.Body.String()).hasText("pick at least one product") {
		t.Errorf("POST /import with no ids = %d; want 400 asking to pick one", w.Code)
	}
}

func TestImportLimitsKeepTheText(t *testing.T) {
	e := newEnv(t, Config{MaxImportLines: 3})
	text := "1005000000000001\n1005000000000002\n1005000000000003\n" + hostileScript + "\n"
	w := e.postForm("/import", url.Values{"urls": {text}}.Encode())
	body := w.Body.String()
	pt := checkHTML(t, body)
	if w.Code != 400 || !pt.hasText("4 lines pasted; at most 3") {
		t.Errorf("POST /import of 4 lines = %d; want 400 with the limit", w.Code)
	}
	if !pt.hasText(text) {
		t.Error("the textarea lost what was pasted")
	}
	w = e.postForm("/import", url.Values{"urls": {"  \n "}}.Encode())
	if w.Code != 400 || !checkHTML(t, w.Body.String()).hasText("paste at least one") {
		t.Errorf("POST /import of nothing = %d; want 400", w.Code)
	}
	w = e.postForm("/import", url.Values{"urls": {"1005000000000001"}, "rule": {"x0.5"}}.Encode())
	if w.Code != 400 || !checkHTML(t, w.Body.String()).hasText("rule") {
		t.Errorf("POST /import with a bad rule = %d; want 400 naming rule", w.Code)
	}
}

// TestQuotaIsSpentOnlyByPOST: GET /import?ids=<200 IDs> cost 450 upstream calls and
// GET /api/export 629, so any page on the internet could make a visitor's browser spend the
// operator's quota with an <img> tag. Both now spend only on a POST, which the cross-origin guard
// refuses from other sites.
func TestQuotaIsSpentOnlyByPOST(t *testing.T) {
	e := newEnv(t, Config{})
	var ids []string
	for i := range 200 {
		ids = append(ids, strconv.FormatInt(idHolder+int64(i), 10))
	}
	all := strings.Join(ids, ",")

	// A GET spends nothing: the import form comes back filled in, the export refuses.
	w := e.get("/import?ids=" + all + "&ship_to=DE")
	body := w.Body.String()
	if w.Code != 200 || !checkHTML(t, body).hasText("to fetch them") || !strings.Contains(body, ids[199]+"</textarea>") {
		t.Errorf("GET /import?ids= = %d; want the form filled in, not looked up", w.Code)
	}
	w = e.get("/api/export?format=shopify&ids=" + all)
	if code, _, msg := jsonError(t, w); w.Code != 405 || w.Header().Get("Allow") != "POST" || code != "method_not_allowed" || !strings.Contains(msg, "POST /api/export") {
		t.Errorf("GET /api/export = %d Allow %q %s %q; want 405, Allow: POST, saying to POST", w.Code, w.Header().Get("Allow"), code, msg)
	}
	if n := e.fc.spent(); n != 0 {
		t.Fatalf("GET /import and GET /api/export spent %d upstream calls; want 0", n)
	}

	// A POST from another site is refused before it reaches the catalog.
	posts := []struct{ target, ct, body string }{
		{"/import", "application/x-www-form-urlencoded", "ids=" + all},
		{"/api/export", "application/x-www-form-urlencoded", "format=shopify&ids=" + all},
		{"/api/export", "application/json", `{"format": "json", "ids": [` + all + `]}`},
	}
	for _, p := range posts {
		for _, h := range []map[string]string{
			{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
			{"Origin": "https://evil.example"},
			{"Sec-Fetch-Site": "cross-site"},
			{"Sec-Fetch-Site": "same-site"},
		} {
			r := httptest.NewRequest(http.MethodPost, p.target, strings.NewReader(p.body))
			r.Header.Set("Content-Type", p.ct)
			for k, v := range h {
				r.Header.Set(k, v)
			}
			if w := e.do(r); w.Code != http.StatusForbidden {
				t.Errorf("POST %s with %v = %d; want 403", p.target, h, w.Code)
			}
		}
	}
	if n := e.fc.spent(); n != 0 {
		t.Fatalf("cross-site POSTs spent %d upstream calls; want 0", n)
	}

	// The same POSTs from aliscout's own pages, and from a script (no Origin, no Sec-Fetch-Site),
	// work.
	two := fmt.Sprintf("%d,%d", idHolder, idStrip)
	same := []struct {
		target, ct, body string
		headers          map[string]string
	}{
		{"/import", "application/x-www-form-urlencoded", "ids=" + two, map[string]string{"Origin": "http://example.com", "Sec-Fetch-Site": "same-origin"}},
		{"/api/export", "application/x-www-form-urlencoded", "format=shopify&ids=" + two, map[string]string{"Origin": "http://example.com"}},
		{"/api/export", "application/json", fmt.Sprintf(`{"format": "woocommerce", "ids": [%d, "%d"], "rule": "x3"}`, idHolder, idStrip), nil},
		{"/api/export?format=json&ids=" + two, "", "", nil},
	}
	for _, p := range same {
		r := httptest.NewRequest(http.MethodPost, p.target, strings.NewReader(p.body))
		if p.ct != "" {
			r.Header.Set("Content-Type", p.ct)
		}
		for k, v := range p.headers {
			r.Header.Set(k, v)
		}
		w := e.do(r)
		if w.Code != 200 {
			t.Errorf("POST %s %s = %d; want 200\n%.300s", p.target, p.body, w.Code, w.Body.String())
		}
		if p.target != "/import" && !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment;") {
			t.Errorf("POST %s %s is not a download", p.target, p.body)
		}
	}
	if n := e.fc.spent(); n == 0 {
		t.Error("same-origin POSTs spent nothing; want them to look the products up")
	}

	// A JSON body is read one way or refused.
	for _, body := range []string{
		fmt.Sprintf(`{"format": "json", "ids": [%d]} xyz`, idHolder),
		fmt.Sprintf(`{"format": "json", "id": [%d]}`, idHolder),
		`{"format": "json", "ids": ["12abc"]}`,
		`{"format": "json", "ids": [9223372036854775807]}`,
	} {
		r := httptest.NewRequest(http.MethodPost, "/api/export", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := e.do(r)
		if _, field, msg := jsonError(t, w); w.Code != 400 || field == "" {
			t.Errorf("POST /api/export %s = %d field %q (%s); want 400 naming a field", body, w.Code, field, msg)
		}
	}

	// The pages send their exports as POSTs, and work without JavaScript.
	page := e.get("/search?q=holder").Body.String()
	exports := 0
	for _, b := range elementsWith(page, "formaction", "/import") {
		exports++
		if attr(b, "formmethod") != "post" {
			t.Errorf("search page export button %s; want formmethod=post", b.String())
		}
	}
	if exports == 0 {
		t.Error("the search page has no export button")
	}
	page = e.get("/products/" + strconv.FormatInt(idHolder, 10) + "?ship_to=DE").Body.String()
	if f := elementsWith(page, "id", "xf"); len(f) != 1 || attr(f[0], "method") != "post" || attr(f[0], "action") != "/import" {
		t.Errorf("product page export form = %v; want POST /import", f)
	}
	if b := elementsWith(page, "form", "xf"); len(b) != 1 || attr(b[0], "type") != "submit" {
		t.Errorf("product page export button = %v; want a submit button of the form", b)
	}
	if strings.Contains(page, `href="/import?`) || strings.Contains(page, "/api/export?") {
		t.Error("the product page still links to a quota-spending GET")
	}
}

// TestHostIsChecked: a page on evil.example whose name resolves to this server (DNS rebinding)
// was served as evil.example's own, and its POSTs passed the cross-origin guard with a matching
// Origin. Only the configured hosts are answered now; /healthz answers any, for load balancers.
func TestHostIsChecked(t *testing.T) {
	e := newEnv(t, Config{AllowedHosts: []string{"scout.example.com", "127.0.0.1:8080", "localhost:8080", "[::1]:8080"}})
	req := func(method, target, host string) *http.Request {
		r := httptest.NewRequest(method, target, nil)
		r.Host = host
		return r
	}
	for _, host := range []string{"evil.example", "evil.example:8080", "scout.example.com.evil.example", "127.0.0.1:9999", "", "localhost"} {
		for _, target := range []string{"/search?q=holder", "/api/search?q=holder", "/api/health", "/static/app.css", "/import", "/nope"} {
			w := e.do(req(http.MethodGet, target, host))
			if w.Code != http.StatusMisdirectedRequest || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") ||
				!strings.Contains(w.Body.String(), "ALISCOUT_PUBLIC_URL") {
				t.Errorf("GET %s with Host %q = %d %q; want a plain 421 naming ALISCOUT_PUBLIC_URL", target, host, w.Code, w.Header().Get("Content-Type"))
			}
		}
	}
	// The rebinding attack itself: the page's own Origin matches the Host it sends.
	r := req(http.MethodPost, "/api/links", "evil.example")
	r.Body = io.NopCloser(strings.NewReader(`{"urls":["1005000000000001"]}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", "http://evil.example")
	if w := e.do(r); w.Code != http.StatusMisdirectedRequest {
		t.Errorf("POST /api/links from a rebound evil.example = %d; want 421", w.Code)
	}
	if n := e.fc.spent(); n != 0 {
		t.Errorf("misdirected requests spent %d upstream calls; want 0", n)
	}
	for _, host := range []string{"scout.example.com", "SCOUT.example.COM", "127.0.0.1:8080", "localhost:8080", "[::1]:8080"} {
		if w := e.do(req(http.MethodGet, "/search?q=holder", host)); w.Code != 200 {
			t.Errorf("GET /search with Host %q = %d; want 200", host, w.Code)
		}
	}
	for _, host := range []string{"10.0.0.7:8080", "evil.example"} {
		if w := e.do(req(http.MethodGet, "/healthz", host)); w.Code != 200 {
			t.Errorf("GET /healthz with Host %q = %d; want 200 (load balancers call it by IP)", host, w.Code)
		}
	}
}

func TestCrossOriginPostsAreRefused(t *testing.T) {
	e := newEnv(t, Config{})
	for _, c := range []struct{ target, ct, body string }{
		{"/import", "application/x-www-form-urlencoded", "urls=1005000000000001"},
		{"/api/links", "application/json", `{"urls":["1005000000000001"]}`},
	} {
		r := httptest.NewRequest(http.MethodPost, c.target, strings.NewReader(c.body))
		r.Header.Set("Content-Type", c.ct)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		w := e.do(r)
		if w.Code != http.StatusForbidden {
			t.Errorf("cross-site POST %s = %d; want 403", c.target, w.Code)
		}
		r = httptest.NewRequest(http.MethodPost, c.target, strings.NewReader(c.body))
		r.Header.Set("Content-Type", c.ct)
		r.Header.Set("Origin", "https://evil.example")
		if w := e.do(r); w.Code != http.StatusForbidden {
			t.Errorf("POST %s from another Origin = %d; want 403", c.target, w.Code)
		}
	}
	// Same origin by Origin header works.
	r := httptest.NewRequest(http.MethodPost, "http://example.com/api/links", strings.NewReader(`{"urls":["1005000000000001"]}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Origin", "http://example.com")
	if w := e.do(r); w.Code != 200 {
		t.Errorf("same-origin POST = %d; want 200", w.Code)
	}
}

func TestAPILinks(t *testing.T) {
	e := newEnv(t, Config{MaxImportLines: 5})
	post := func(ct, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/api/links", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		return e.do(r)
	}
	for _, c := range []struct{ ct, body string }{
		{"application/json", `{"urls": ["https://www.aliexpress.com/item/1005000000000001.html", "https://example.com/x"]}`},
		{"application/x-www-form-urlencoded", url.Values{"urls": {"https://www.aliexpress.com/item/1005000000000001.html\nhttps://example.com/x"}}.Encode()},
		{"text/plain", "https://www.aliexpress.com/item/1005000000000001.html\r\n\r\nhttps://example.com/x\n"},
	} {
		w := post(c.ct, c.body)
		if w.Code != 200 {
			t.Fatalf("POST /api/links (%s) = %d %s", c.ct, w.Code, w.Body.String())
		}
		var out struct {
			Links []map[string]any `json:"links"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Links) != 2 {
			t.Fatalf("links = %v; want 2", out.Links)
		}
		l0, l1 := out.Links[0], out.Links[1]
		if l0["source"] != "https://www.aliexpress.com/item/1005000000000001.html" || l0["product_id"] != float64(idHolder) ||
			l0["url"] != "https://s.click.aliexpress.com/e/_1005000000000001" || l0["error"] != "" {
			t.Errorf("link 0 = %v", l0)
		}
		if l1["url"] != "" || l1["error"] == "" {
			t.Errorf("link 1 = %v; want an error and no url", l1)
		}
	}
	for _, c := range []struct{ ct, body string }{
		{"application/json", `{"urls": []}`},
		{"application/json", `{"urls": `},
		{"text/plain", "1\n2\n3\n4\n5\n6\n"},
	} {
		w := post(c.ct, c.body)
		if _, field, _ := jsonError(t, w); w.Code != 400 || field != "urls" {
			t.Errorf("POST /api/links %q = %d field %q; want 400 urls", c.body, w.Code, field)
		}
	}
}

func TestAPICategories(t *testing.T) {
	e := newEnv(t, Config{})
	m := decodeJSON(t, e.get("/api/categories?language=fr"))
	cats := m["categories"].([]any)
	if len(cats) != 5 || cats[1].(map[string]any)["parent_id"] != 200.0 {
		t.Errorf("categories = %v", cats)
	}
	w := e.get("/api/categories?language=xx")
	if _, field, _ := jsonError(t, w); w.Code != 400 || field != "language" {
		t.Errorf("categories?language=xx = %d %q; want 400 language", w.Code, field)
	}
}

func TestAPIExportShopify(t *testing.T) {
	e := newEnv(t, Config{})
	ids := []string{strconv.FormatInt(idHolder, 10), strconv.FormatInt(idStrip, 10)}
	for i := range hostileTitles {
		ids = append(ids, strconv.FormatInt(idHostileBase+int64(i), 10))
	}
	w := e.postForm("/api/export", "format=shopify&rule="+url.QueryEscape("x2.5 .99")+"&ids="+strings.Join(ids, ","))
	if w.Code != 200 {
		t.Fatalf("POST /api/export = %d\n%s", w.Code, w.Body.String())
	}
	if got := w.Header().Get("Content-Disposition"); got != `attachment; filename="aliscout-shopify-20250314.csv"` {
		t.Errorf("Content-Disposition = %q", got)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q; want text/csv", ct)
	}
	records, err := csv.NewReader(bytes.NewReader(w.Body.Bytes())).ReadAll()
	if err != nil {
		t.Fatalf("the export is not CSV: %v", err)
	}
	if records[0][0] != "Title" || records[0][1] != "URL handle" {
		t.Errorf("header = %v; want Shopify's", records[0][:3])
	}
	checkNoFormulas(t, records)
	if got := w.Result().Trailer.Get("X-Aliscout-Validation"); got != "ok" {
		t.Errorf("validation trailer = %q; want ok", got)
	}
	// The holder's black variant costs 4.99: x2.5 .99 sells it at 12.99.
	if !bytes.Contains(w.Body.Bytes(), []byte("12.99")) {
		t.Error("the rule's price 12.99 is not in the file")
	}
	// A title that starts like a formula loses those characters (an apostrophe would show on
	// the storefront), and the check's report lists each such change.
	changes := w.Result().Trailer.Get("X-Aliscout-Changes")
	for _, h := range []string{hostileHyperlnk, hostileSum, hostileAt} {
		stripped := strings.TrimLeft(h, "=+-@")
		if !bytes.Contains(w.Body.Bytes(), []byte(strings.ReplaceAll(stripped, `"`, `""`))) || bytes.Contains(w.Body.Bytes(), []byte("'"+h[:1])) {
			t.Errorf("the hostile title %q is not written as %q", h, stripped)
		}
		if !strings.Contains(changes, "Title") || !strings.Contains(changes, strconv.QuoteToASCII(stripped)) {
			t.Errorf("changes trailer = %q; want the title %q listed", changes, stripped)
		}
	}
}

// checkNoFormulas fails for a cell a spreadsheet would run as a formula.
func checkNoFormulas(t *testing.T, records [][]string) {
	t.Helper()
	for i, rec := range records {
		for j, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
				t.Errorf("row %d column %d = %q starts a formula", i, j, cell)
			}
		}
	}
}

func TestAPIExportFormats(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.postForm("/api/export", fmt.Sprintf("format=woocommerce&ids=%d&ids=%d", idHolder, idHostileBase+2))
	if w.Code != 200 || w.Header().Get("Content-Disposition") != `attachment; filename="aliscout-woocommerce-20250314.csv"` {
		t.Fatalf("woocommerce export = %d %q", w.Code, w.Header().Get("Content-Disposition"))
	}
	records, err := csv.NewReader(bytes.NewReader(w.Body.Bytes())).ReadAll()
	if err != nil || records[0][0] != "ID" || records[0][1] != "Type" {
		t.Fatalf("woocommerce export: %v, header %v", err, records[0][:2])
	}
	checkNoFormulas(t, records)
	w = e.postForm("/api/export", fmt.Sprintf("format=json&ids=%d&currency=USD", idHolder))
	if w.Code != 200 || w.Header().Get("Content-Disposition") != `attachment; filename="aliscout-json-20250314.json"` {
		t.Fatalf("json export = %d %q", w.Code, w.Header().Get("Content-Disposition"))
	}
	var products []map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &products); err != nil || len(products) != 1 {
		t.Fatalf("json export: %v, %d products", err, len(products))
	}
}

func TestAPIExportBadInput(t *testing.T) {
	e := newEnv(t, Config{MaxExport: 2})
	cases := []struct {
		q      string
		status int
		field  string
	}{
		{"format=xlsx&ids=1005000000000001", 400, "format"},
		{"format=shopify", 400, "ids"},
		{"format=shopify&ids=abc", 400, "ids"},
		{"format=shopify&ids=1005000000000001,1005000000000002,1005000000000003", 400, "ids"},
		{"format=shopify&ids=1005000000000001&rule=" + url.QueryEscape("x0.5"), 400, "rule"},
		{"format=shopify&ids=1005000000000001&currency=ABC", 400, "currency"},
		{fmt.Sprintf("format=shopify&ids=%d", idMissing), 404, ""},
		{fmt.Sprintf("format=shopify&ids=%d", idBroken), 502, ""},
	}
	for _, c := range cases {
		w := e.postForm("/api/export", c.q)
		_, field, msg := jsonError(t, w)
		if w.Code != c.status || field != c.field {
			t.Errorf("POST /api/export %s = %d field %q (%s); want %d %q", c.q, w.Code, field, msg, c.status, c.field)
		}
		if w.Header().Get("Content-Disposition") != "" {
			t.Errorf("POST /api/export %s: a failed export is still a download", c.q)
		}
	}
}

func TestHostileTextIsEscapedEverywhere(t *testing.T) {
	e := newEnv(t, Config{Simulated: true})
	var hostileIDs []string
	for i := range hostileTitles {
		hostileIDs = append(hostileIDs, strconv.FormatInt(idHostileBase+int64(i), 10))
	}
	pages := []string{"/search?q=" + url.QueryEscape(hostileScript), "/search?q=x&view=table", "/search?q=" + url.QueryEscape(hostileAttr) + "&view=table"}
	for i := 0; i < len(hostileIDs); i += MaxCompare {
		pages = append(pages, "/compare?ids="+strings.Join(hostileIDs[i:min(i+MaxCompare, len(hostileIDs))], ","))
	}
	for _, id := range hostileIDs {
		pages = append(pages, "/products/"+id)
	}
	for _, target := range append(pages, "POST /import") {
		var w *httptest.ResponseRecorder
		if target == "POST /import" {
			w = e.postForm("/import", "ids="+strings.Join(hostileIDs, ","))
		} else {
			w = e.get(target)
		}
		if w.Code != 200 {
			t.Errorf("GET %s = %d", target, w.Code)
			continue
		}
		body := w.Body.String()
		if strings.Contains(body, "<script>alert") || strings.Contains(body, `onmouseover="alert`) || strings.Contains(body, "\u202E") {
			t.Errorf("GET %s: hostile text reached the page raw", target)
		}
		checkHTML(t, body)
	}
	// The hostile titles are shown (as text), not dropped.
	w := e.get("/search?q=x")
	pt := checkHTML(t, w.Body.String())
	for _, want := range []string{hostileScript, hostileAttr, hostileHyperlnk, hostileSum, hostileMinus, hostileAt, "Tabbed title",
		"Invoice gnp.exe", hostileEmoji, "Untitled product 1005000000000110"} {
		if !pt.hasText(want) {
			t.Errorf("search page does not show %q as text", want)
		}
	}
	if !pt.hasAttr(hostileAttr) {
		t.Error("the hostile title is not in a title attribute, whole")
	}
	// The import textarea shows pasted hostile text as text.
	w = e.postForm("/import", url.Values{"urls": {hostileScript + "\n" + hostileAttr}}.Encode())
	body := w.Body.String()
	if strings.Contains(body, "<script>alert") || !checkHTML(t, body).hasText(hostileScript) {
		t.Error("the import page does not escape pasted text")
	}
	// JSON escapes markup too.
	w = e.get(fmt.Sprintf("/api/products/%d", idHostileBase))
	if strings.Contains(w.Body.String(), "<script>") {
		t.Error("JSON carries raw markup")
	}
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p["title"] != hostileScript {
		t.Errorf("JSON title = %v (%v); want the text unchanged", p["title"], err)
	}
}

// TestImagesOnlyFromAllowedHosts: every visitor's browser loads the images of a page, so a
// seller's <img src="http://127.0.0.1:8080/api/export?..."> in a description made each of them
// call that URL, and the CSP allowed images from any http: host.
func TestImagesOnlyFromAllowedHosts(t *testing.T) {
	e := newEnv(t, Config{})
	id := strconv.FormatInt(idHolder, 10)
	body := e.get("/products/" + id).Body.String()
	if strings.Contains(body, "127.0.0.1:8080") || len(elementsWith(body, "alt", "pixel")) != 0 {
		t.Error("the product page keeps a description image from outside AliExpress")
	}
	if len(elementsWith(body, "src", "https://ae01.alicdn.com/kf/desc.jpg")) != 1 {
		t.Error("the product page lost the description image from AliExpress's CDN")
	}
	if api := e.get("/api/products/" + id).Body.String(); strings.Contains(api, "127.0.0.1:8080") {
		t.Error("the API's description keeps an image from outside AliExpress")
	}
	w := e.postForm("/api/export", "format=json&ids="+id)
	if w.Code != 200 || strings.Contains(w.Body.String(), "127.0.0.1:8080") || !strings.Contains(w.Body.String(), "ae01.alicdn.com/kf/desc.jpg") {
		t.Errorf("export = %d; want the description with AliExpress's image only", w.Code)
	}
	csp := e.get("/search").Header().Get("Content-Security-Policy")
	imgSrc := cspDirective(csp, "img-src")
	if want := "'self' https://*.alicdn.com https://*.aliexpress-media.com https://*.aliexpress.com https://*.aliimg.com"; imgSrc != want {
		t.Errorf("CSP img-src = %q; want %q", imgSrc, want)
	}

	// On the simulator, its own origin serves the pictures: allowed, and nothing more.
	e = newEnv(t, Config{Simulated: true, ImageOrigins: []string{"http://127.0.0.1:8080", "not an origin", "http://x.example/path"}})
	body = e.get("/products/" + id).Body.String()
	if len(elementsWith(body, "src", spendingImage)) != 1 {
		t.Error("the simulator's origin is not allowed for description images")
	}
	csp = e.get("/search").Header().Get("Content-Security-Policy")
	if got := cspDirective(csp, "img-src"); !strings.HasSuffix(got, " https://*.aliimg.com http://127.0.0.1:8080") {
		t.Errorf("CSP img-src on the simulator = %q; want the simulator's origin added, and no invalid one", got)
	}
	if !strings.Contains(e.logs.String(), "ignoring image origin") {
		t.Error("invalid image origins are not logged")
	}
}

// cspDirective returns the sources of directive in csp.
func cspDirective(csp, directive string) string {
	for _, d := range strings.Split(csp, ";") {
		if name, sources, _ := strings.Cut(strings.TrimSpace(d), " "); name == directive {
			return sources
		}
	}
	return ""
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, Config{})
	for _, target := range []string{"/search", "/api/search?q=x", "/healthz", "/nope"} {
		w := e.get(target)
		h := w.Header()
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP = %q", target, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" ||
			cspDirective(h.Get("Content-Security-Policy"), "frame-ancestors") != "'none'" {
			t.Errorf("GET %s: headers %v", target, h)
		}
		if !strings.HasPrefix(target, "/api/") && (h.Get("X-Frame-Options") != "DENY" || h.Get("Cross-Origin-Opener-Policy") != "same-origin") {
			t.Errorf("GET %s, a document: headers %v; want X-Frame-Options and Cross-Origin-Opener-Policy", target, h)
		}
	}
	body := e.get("/search").Body.String()
	if len(elementsWith(body, "style", "")) != 0 {
		t.Error("a page has an inline style, which the CSP blocks")
	}
}

func TestStaticFiles(t *testing.T) {
	e := newEnv(t, Config{})
	body := e.get("/search").Body.String()
	var js, css string
	for _, s := range elementsWith(body, "src", "") {
		if strings.HasPrefix(attr(s, "src"), "/static/app.") {
			js = attr(s, "src")
		}
	}
	for _, l := range elementsWith(body, "rel", "stylesheet") {
		css = attr(l, "href")
	}
	for _, u := range []string{js, css} {
		if !strings.HasPrefix(u, "/static/app.") || strings.Count(u, ".") != 2 {
			t.Fatalf("static URL %q has no content hash", u)
		}
		w := e.get(u)
		if w.Code != 200 || !strings.Contains(w.Header().Get("Cache-Control"), "immutable") || w.Header().Get("ETag") == "" {
			t.Errorf("GET %s = %d, Cache-Control %q", u, w.Code, w.Header().Get("Cache-Control"))
		}
	}
	if w := e.get(js); !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
		t.Errorf("app.js Content-Type = %q", w.Header().Get("Content-Type"))
	}
	if w := e.get("/static/app.0000000000.js"); w.Code != 404 {
		t.Errorf("an old hash = %d; want 404", w.Code)
	}
}

func TestUnknownRoutes(t *testing.T) {
	e := newEnv(t, Config{})
	if w := e.get("/nope"); w.Code != 404 || !strings.Contains(w.Header().Get("Content-Type"), "text/html") {
		t.Errorf("GET /nope = %d %s; want a 404 page", w.Code, w.Header().Get("Content-Type"))
	}
	if w := e.get("/api/nope"); w.Code != 404 {
		t.Errorf("GET /api/nope = %d; want 404", w.Code)
	} else if code, _, _ := jsonError(t, w); code != catalog.ENotFound {
		t.Errorf("GET /api/nope code = %q", code)
	}
	r := httptest.NewRequest(http.MethodPost, "/search", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if w := e.do(r); w.Code != http.StatusMethodNotAllowed || w.Header().Get("Allow") != "GET" {
		t.Errorf("POST /search = %d Allow %q; want 405 GET", w.Code, w.Header().Get("Allow"))
	}
}

// recordingObserver keeps the requests the server reports for metrics.
type recordingObserver struct {
	mu   sync.Mutex
	seen []string
}

func (o *recordingObserver) ObserveRequest(route, method string, code int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, fmt.Sprintf("%s|%s|%d", route, method, code))
}

func TestMetricsObserveRoutes(t *testing.T) {
	obs := &recordingObserver{}
	e := newEnv(t, Config{Metrics: obs, MetricsHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "metrics page")
	})})
	e.get("/search?q=holder")
	e.get("/api/search?q=fail")
	e.get("/products/abc")
	e.get("/no/such/page")
	if w := e.get("/metrics"); w.Code != 200 || w.Body.String() != "metrics page" {
		t.Errorf("GET /metrics = %d %q; want the metrics handler's page", w.Code, w.Body.String())
	}
	want := []string{"GET /search|GET|200", "GET /api/search|GET|502", "GET /products/{id}|GET|400", "other|GET|404", "GET /metrics|GET|200"}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if !slices.Equal(obs.seen, want) {
		t.Errorf("observed requests = %q; want %q (route patterns, never raw paths)", obs.seen, want)
	}
}

func TestProblemOf(t *testing.T) {
	cases := []struct {
		err    error
		status int
		code   string
	}{
		{&catalog.Error{Code: catalog.EInvalid, Field: "q", Message: "too long"}, 400, catalog.EInvalid},
		{&catalog.Error{Code: catalog.ENotFound}, 404, catalog.ENotFound},
		{&catalog.Error{Code: catalog.ENotShipped}, 422, catalog.ENotShipped},
		{&catalog.Error{Code: catalog.ERateLimited}, 503, catalog.ERateLimited},
		{&catalog.Error{Code: catalog.EUpstream}, 502, catalog.EUpstream},
		{&catalog.Error{Code: catalog.EConfig}, 502, catalog.EConfig},
		{&catalog.Error{Code: catalog.EInternal}, 500, catalog.EInternal},
		{fmt.Errorf("wrapped: %w", &catalog.Error{Code: catalog.ENotFound}), 404, catalog.ENotFound},
		{errors.New("plain"), 500, catalog.EInternal},
		{&catalog.Error{Code: "weird"}, 500, catalog.EInternal},
	}
	for _, c := range cases {
		p := problemOf(c.err)
		if p.Status != c.status || p.Code != c.code {
			t.Errorf("problemOf(%v) = %d %s; want %d %s", c.err, p.Status, p.Code, c.status, c.code)
		}
	}
	if p := problemOf(&catalog.Error{Code: catalog.ERateLimited}); p.RetryAfter != defaultRetryAfter {
		t.Errorf("RetryAfter = %v; want the default", p.RetryAfter)
	}
}

func TestRequestLog(t *testing.T) {
	e := newEnv(t, Config{})
	e.get("/search?q=holder")
	if log := e.logs.String(); !strings.Contains(log, "http request") || !strings.Contains(log, `route="GET /search"`) || !strings.Contains(log, "status=200") {
		t.Errorf("request log = %s", log)
	}
}
