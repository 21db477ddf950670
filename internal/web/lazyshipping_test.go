package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/aliscout/aliscout/internal/browsertest"
)

// TestSearchShippingPending checks the page of a search whose shipping is left to come: the cards
// say they wait, the page says how many and links to loading it without JavaScript, and that link
// draws the page with the shipping.
func TestSearchShippingPending(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/search?q=lazy")
	body := w.Body.String()
	pt := checkHTML(t, body)
	if w.Code != 200 || !pt.hasText("Shipping not loaded yet") || !pt.hasText("is still loading") {
		t.Fatalf("GET /search?q=lazy = %d; want cards waiting for their shipping and a note saying so", w.Code)
	}
	if n := len(elementsWith(body, "data-shipping", "pending")); n != 15 {
		t.Errorf("%d cards wait for their shipping; want 15", n)
	}
	if strings.Contains(body, `<span class="free">Free shipping</span>`) {
		t.Error("a waiting card shows shipping")
	}
	links := elementsWith(body, "data-load-shipping", "")
	if len(links) != 1 || !strings.Contains(attr(links[0], "href"), "shipping=load") {
		t.Fatalf("Load shipping link = %v; want one link with shipping=load", links)
	}
	before := e.fc.spent()
	w = e.get(attr(links[0], "href"))
	body = w.Body.String()
	pt = checkHTML(t, body)
	if w.Code != 200 || !strings.Contains(body, `<span class="free">Free shipping</span>`) || pt.hasText("Shipping not loaded yet") || len(elementsWith(body, "id", "shipping-note")) != 0 {
		t.Errorf("Load shipping = %d; want every card with its shipping and no note", w.Code)
	}
	if n := e.fc.spent() - before; n != 16 {
		t.Errorf("Load shipping cost %d catalog calls; want the search and one shipping per product (16)", n)
	}
	// The JSON API says the shipping is pending.
	if m := decodeJSON(t, e.get("/api/search?q=lazy")); !strings.Contains(e.get("/api/search?q=lazy").Body.String(), `"shipping_pending":true`) || m["products"] == nil {
		t.Error("/api/search does not say that the shipping is pending")
	}
}

// TestAPIShipping checks GET /api/shipping: a page's products in one request, each with its
// options and cheapest, or why not; and refused from other sites.
func TestAPIShipping(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/api/shipping?ids=1005000000000001,1005000000000003,1005000000000500&ship_to=US")
	m := decodeJSON(t, w)
	quotes, _ := m["quotes"].([]any)
	if w.Code != 200 || len(quotes) != 3 {
		t.Fatalf("GET /api/shipping = %d %s; want three quotes", w.Code, w.Body.String())
	}
	holder, noShip, broken := quotes[0].(map[string]any), quotes[1].(map[string]any), quotes[2].(map[string]any)
	if c, _ := holder["cheapest"].(map[string]any); c == nil || c["free"] != true || holder["error"] != nil {
		t.Errorf("holder quote = %v; want its free cheapest option", holder)
	}
	if noShip["cheapest"] != nil || noShip["error"] != nil {
		t.Errorf("nozzle quote = %v; want no cheapest option (it does not ship) and no error", noShip)
	}
	if errObj, _ := broken["error"].(map[string]any); errObj == nil || errObj["code"] != "upstream" {
		t.Errorf("broken product quote = %v; want an upstream error", broken)
	}
	for _, target := range []string{"/api/shipping", "/api/shipping?ids=abc", "/api/shipping?ids=1005000000000001&ship_to=USA"} {
		if w := e.get(target); w.Code != 400 {
			t.Errorf("GET %s = %d; want 400", target, w.Code)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/api/shipping?ids=1005000000000001", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	before := e.fc.spent()
	if w := e.do(r); w.Code != 403 || e.fc.spent() != before {
		t.Errorf("cross-site GET /api/shipping = %d, %d calls; want 403 and none", w.Code, e.fc.spent()-before)
	}
}

// TestBrowserShippingArrives checks that the page's script fetches the waiting cards' shipping in
// one request and fills in the cards and their margins, as the server would have drawn them.
func TestBrowserShippingArrives(t *testing.T) {
	b := newBrowserEnv(t)
	card := `[data-product="1005000000000001"]`
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=lazy"), chromedp.WaitVisible(chromedp.CSS("[data-results]")))
	b.WaitFor(`document.querySelectorAll('[data-shipping="pending"]').length === 0`)
	if ship := b.Text(card + " .ship"); ship != "Free shipping · 7–15 days" {
		t.Errorf("holder's shipping after loading = %q; want Free shipping · 7–15 days", ship)
	}
	if p := browsertest.Eval[string](b.Tab, `document.querySelector('`+card+` [data-out="profit"]').textContent`); p != "$7.32" {
		t.Errorf("holder's profit after loading = %q; want $7.32, as when the search brings its shipping", p)
	}
	if !browsertest.Eval[bool](b.Tab, `document.getElementById("shipping-note").hidden`) {
		t.Error("the note that shipping is loading stays after it loaded")
	}
	if why := b.Text(`[data-product="1005000000000003"] .ship`); why != "Does not ship to US" {
		t.Errorf("nozzle's shipping = %q; want Does not ship to US", why)
	}
	// The table too.
	b.Do(chromedp.Navigate(b.ts.URL+"/search?q=lazy&view=table"), chromedp.WaitVisible(chromedp.CSS("table.results-table")))
	b.WaitFor(`document.querySelectorAll('[data-shipping="pending"]').length === 0`)
	// The table is sorted by the server (its headers are links), so its cells carry no sort
	// values: the shipping that arrives is the cell's text.
	if ship := b.Text(`tr` + card + ` td.t-ship`); !strings.HasPrefix(ship, "Free shipping · 7–15 days") {
		t.Errorf("holder's table shipping after loading = %q; want Free shipping · 7–15 days", ship)
	}
}
