package web

import (
	"net/url"
	"strings"
	"testing"
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
