package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

// TestAmountsAsTyped checks that prices typed with a decimal comma or a currency sign are taken
// by the pages, and that a refused one is named by its label.
func TestAmountsAsTyped(t *testing.T) {
	e := newEnv(t, Config{})
	for _, q := range []string{"sell=14,99", "sell=%2414.99", "min_price=1,50&max_price=%2420", "fee_fixed=0,30"} {
		w := e.get("/search?q=holder&" + q)
		if w.Code != 200 {
			t.Errorf("GET /search?q=holder&%s = %d; want 200", q, w.Code)
		}
	}
	w := e.get("/search?q=holder&sell=14,99")
	if !checkHTML(t, w.Body.String()).hasText("$14.99") {
		t.Error("a selling price of 14,99 is not priced at $14.99")
	}
	w = e.get("/search?q=holder&min_price=" + url.QueryEscape("€3"))
	pt := checkHTML(t, w.Body.String())
	if w.Code != 400 || !pt.hasText("Min. price") || pt.hasText("min_price") {
		t.Errorf("GET /search with min_price=€3 = %d; want 400 naming Min. price, not min_price", w.Code)
	}
	w = e.get("/search?q=holder&min_price=20&max_price=10")
	if body := w.Body.String(); w.Code != 400 || strings.Contains(body, "min_price 20") || !checkHTML(t, body).hasText("Max. price") {
		t.Errorf("GET /search with max_price below min_price = %d; want 400 naming Max. price in words", w.Code)
	}
}

// TestComparePastedLinks checks that the compare page takes AliExpress links as the import does,
// mixed with IDs, and shows each product's stock.
func TestComparePastedLinks(t *testing.T) {
	e := newEnv(t, Config{})
	q := url.Values{"ids": {"https://www.aliexpress.com/item/1005000000000001.html?spm=a,b, 1005000000000002,https://example.com/x"}}
	w := e.get("/compare?" + q.Encode())
	body := w.Body.String()
	pt := checkHTML(t, body)
	if w.Code != 200 || !pt.hasText("Magnetic Phone Holder") || !pt.hasText("LED Strip Lights") {
		t.Fatalf("compare of a pasted link and an ID = %d; want both products", w.Code)
	}
	if !pt.hasText("https://example.com/x") || !pt.hasText("not an AliExpress product link") {
		t.Error("the line that is no product is not shown with why")
	}
	if in := elementsWith(body, "name", "ids"); len(in) != 1 || !strings.HasPrefix(attr(in[0], "value"), "1005000000000001,1005000000000002") {
		t.Errorf("products field after the look-up = %v; want the IDs found", in)
	}
	// Stock: the holder has 120 black, none silver and an unknown red; the strip says nothing.
	if !pt.hasText("120 in stock") || !pt.hasText("1 of 3 variants sold out") || !pt.hasText("Unknown") {
		t.Error("the compare page does not show the stock of each product")
	}
	w = e.get("/compare?ids=1005000000000001,1005000000000002,1005000000000003,1005000000000004,https://www.aliexpress.com/item/1005000000000100.html")
	if w.Code != 400 || !checkHTML(t, w.Body.String()).hasText("at most 4") {
		t.Errorf("compare of five, one a link = %d; want 400 saying at most 4", w.Code)
	}
}

// TestLinksSayWhatTheyEarn checks that the footer, the health note and /api/health say whether
// the product links earn anything: affiliate links with a tracking ID, plain links without one,
// sandbox links on the simulator.
func TestLinksSayWhatTheyEarn(t *testing.T) {
	cases := []struct {
		name      string
		simulated bool
		tracking  bool
		footer    string
		note      bool // the page says links earn nothing until a tracking ID is set
		api       string
	}{
		{"simulator", true, true, "Sandbox affiliate links", false, "sandbox"},
		{"tracking ID", false, true, "may earn a commission", false, "affiliate"},
		{"no tracking ID", false, false, "earn nothing until an affiliate tracking ID is set", true, "plain"},
	}
	for _, c := range cases {
		e := newEnv(t, Config{Simulated: c.simulated})
		e.fc.setHealth(catalog.Health{Simulated: c.simulated, TrackingID: c.tracking, OK: true, Gateway: "https://api-sg.aliexpress.com"})
		for _, target := range []string{"/search", "/products/1005000000000002", "/import"} {
			w := e.get(target)
			pt := checkHTML(t, w.Body.String())
			if !pt.hasText(c.footer) {
				t.Errorf("%s: GET %s footer lacks %q", c.name, target, c.footer)
			}
			if got := len(elementsWith(w.Body.String(), "id", "links-note")) > 0; got != c.note {
				t.Errorf("%s: GET %s shows the no-tracking-ID note = %v; want %v", c.name, target, got, c.note)
			}
			if c.note && !pt.hasText("ALIEXPRESS_TRACKING_ID") {
				t.Errorf("%s: GET %s does not name ALIEXPRESS_TRACKING_ID", c.name, target)
			}
			if claims := pt.hasText("may earn a commission"); claims != (c.tracking && !c.simulated) {
				t.Errorf("%s: GET %s claims a commission = %v; want %v", c.name, target, claims, !claims)
			}
		}
		if links, _ := decodeJSON(t, e.get("/api/health"))["links"].(string); links != c.api {
			t.Errorf("%s: /api/health links = %q; want %q", c.name, links, c.api)
		}
	}
	// The health card says it too when the connection has a problem.
	e := newEnv(t, Config{})
	e.fc.setHealth(catalog.Health{OK: false, Code: catalog.EConfig, Message: "app key not recognised"})
	if pt := checkHTML(t, e.get("/search").Body.String()); !pt.hasText("ALIEXPRESS_TRACKING_ID") || !pt.hasText("app key not recognised") {
		t.Error("the health card does not say that links earn nothing without a tracking ID")
	}
	// An affiliate-only product says how to connect a dropshipping account.
	w := e.get("/products/1005000000000002")
	if pt := checkHTML(t, w.Body.String()); !pt.hasText("aliscout auth") {
		t.Error("the product page does not say how to connect a dropshipping account")
	}
	// On the simulator, Source on AliExpress says it is a sandbox link.
	e = newEnv(t, Config{Simulated: true})
	if pt := checkHTML(t, e.get("/products/1005000000000001").Body.String()); !pt.hasText("Sandbox AliExpress link") || pt.hasText("Source on AliExpress") {
		t.Error("on the simulator the product page's source link does not say it is a sandbox link")
	}
}
