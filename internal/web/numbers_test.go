package web

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// The figures a user acts on: pages that exist, the shipping the card shows being the one its
// figures use, import charges said, stock shown, one rating.

func TestSearchPastTheEndShowsTheLastPage(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/search?q=holder&page_size=5&page=9")
	if w.Code != 200 {
		t.Fatalf("GET /search page 9 of 3 = %d; want 200 with the last page", w.Code)
	}
	body := w.Body.String()
	pt := checkHTML(t, body)
	if !pt.hasText("There is no page 9 of this search; this is its last page, 3.") {
		t.Error("the page does not say it is the last page instead of page 9")
	}
	if !strings.Contains(body, `aria-current="page">3</span>`) || strings.Contains(body, `rel="next"`) {
		t.Error("the pager does not show page 3 as current and last")
	}
	if len(elementsWith(body, "data-product", "")) == 0 {
		t.Error("the last page shows no products")
	}
	m := decodeJSON(t, e.get("/api/search?q=holder&page_size=5&page=9"))
	if m["page"] != 3.0 || m["requested_page"] != 9.0 || m["has_next"] != false || m["last_page"] != 3.0 ||
		!strings.Contains(m["note"].(string), "page 9 is past the end") {
		t.Errorf("API page 9 of 3 = page %v requested %v has_next %v last %v note %q; want the last page and a note",
			m["page"], m["requested_page"], m["has_next"], m["last_page"], m["note"])
	}
}

func TestPagerOffersOnlyPagesThatExist(t *testing.T) {
	e := newEnv(t, Config{})
	// 15 products, 5 a page: pages 1 to 3, whatever an estimate says.
	w := e.get("/search?q=holder&page_size=5&min_rating=4")
	body := w.Body.String()
	for _, n := range []string{"1", "2", "3"} {
		if !strings.Contains(body, ">"+n+"</") {
			t.Errorf("pager lacks page %s", n)
		}
	}
	if strings.Contains(body, ">4</a>") {
		t.Error("pager offers page 4 of 3")
	}
	if !checkHTML(t, body).hasText("page 1 of 3") {
		t.Error("the count does not say page 1 of 3")
	}
}

func TestCardUsesTheShippingThatMeetsTheFilters(t *testing.T) {
	e := newEnv(t, Config{})
	// The holder ships free in 7–15 days and by DHL in 3–6: within 10 days only DHL qualifies,
	// and its fee is in the landed cost and margin.
	w := e.get("/search?q=holder&max_delivery_days=10")
	card := elementsWith(w.Body.String(), "data-product", strconv.FormatInt(idHolder, 10))
	if len(card) != 1 || attr(card[0], "data-ship") != "1299" {
		t.Fatalf("holder card = %v; want DHL's 12.99 in its cost data", card)
	}
	pt := checkHTML(t, w.Body.String())
	if !pt.hasText("3–6 days") || pt.hasText("7–15 days") || !pt.hasText("by DHL") {
		t.Error("the holder's card does not show DHL, 3–6 days, the method that meets the filter")
	}
	// The product page, reached from the card, uses the same method.
	detail := elementsWith(w.Body.String(), "data-carry", "")
	var href string
	for _, a := range detail {
		if strings.HasPrefix(attr(a, "href"), fmt.Sprintf("/products/%d", idHolder)) {
			href = attr(a, "href")
			break
		}
	}
	if !strings.Contains(href, "max_delivery_days=10") {
		t.Fatalf("product link = %q; want the delivery filter carried", href)
	}
	p := e.get(href)
	rows := elementsWith(p.Body.String(), "data-item", "499")
	if len(rows) == 0 {
		t.Fatal("product page has no figures for the black variant")
	}
	for _, r := range rows {
		if attr(r, "data-ship") != "1299" {
			t.Errorf("product page black variant = %v; want DHL's 12.99 as on the card", r)
		}
	}
}

func TestShipRuleChoosesTheMethodEverywhere(t *testing.T) {
	e := newEnv(t, Config{})
	// Default: the cheapest tracked method. The strip has only an untracked one: the card says so.
	w := e.get("/search?q=holder")
	pt := checkHTML(t, w.Body.String())
	if !pt.hasText("by Cainiao Saver, untracked") || !pt.hasText("by AliExpress Standard Shipping") {
		t.Error("cards do not name the method used and whether it is tracked")
	}
	// fastest: DHL for the holder, on the search card, the product page and compare.
	for _, target := range []string{"/search?q=holder&ship_rule=fastest", fmt.Sprintf("/products/%d?ship_rule=fastest", idHolder),
		fmt.Sprintf("/compare?ids=%d&ship_rule=fastest", idHolder)} {
		body := e.get(target).Body.String()
		found := false
		for _, el := range elementsWith(body, "data-item", "499") {
			found = true
			if attr(el, "data-ship") != "1299" {
				t.Errorf("GET %s: black variant ships for %s; want DHL's 1299", target, attr(el, "data-ship"))
			}
		}
		if !found {
			t.Errorf("GET %s: no figures for the black variant", target)
		}
		selects := 0
		for _, el := range elementsWith(body, "name", "ship_rule") {
			if el.Data == "select" {
				selects++
			}
		}
		if selects != 1 {
			t.Errorf("GET %s: %d ship_rule selects; want the calculator's", target, selects)
		}
	}
	// The export prices a landed-cost rule on the same method: (4.99 + 12.99) × 2 = 35.96.
	x := e.postForm("/api/export", fmt.Sprintf("format=json&ids=%d&rule=%s&ship_rule=fastest", idHolder, url.QueryEscape("x2 landed")))
	if x.Code != 200 || !strings.Contains(x.Body.String(), `"price":{"amount":"35.96","currency":"USD"}`) {
		t.Errorf("landed export by the fastest method = %d %.300s; want 35.96 for the black variant", x.Code, x.Body.String())
	}
	// The product page's shipping table says which method the figures use.
	body := e.get(fmt.Sprintf("/products/%d", idHolder)).Body.String()
	if used := elementsWith(body, "class", "is-used"); len(used) != 1 || !checkHTML(t, body).hasText("Used for the figures") {
		t.Errorf("shipping table rows marked used = %v; want one", used)
	}
	if e.get("/search?q=holder&ship_rule=service:").Code != 400 {
		t.Error("an empty service code is not refused")
	}
}

func TestSearchMarginsSayTheyLeaveOutImportCharges(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/search?q=holder")
	body := w.Body.String()
	// The strip is affiliate data (no import charges known); the holder is DS data.
	strip := cardHTML(body, idStrip)
	holder := cardHTML(body, idHolder)
	if !strings.Contains(strip, "Before import charges") {
		t.Error("the affiliate product's margin does not say it is before import charges")
	}
	if strings.Contains(holder, "Before import charges") {
		t.Error("the DS product's margin says it is before import charges; its data has them")
	}
	table := e.get("/search?q=holder&view=table").Body.String()
	if !checkHTML(t, table).hasText("before import charges") {
		t.Error("the table's margin column does not say some margins are before import charges")
	}
}

// cardHTML returns the markup of a product's search card.
func cardHTML(body string, id int64) string {
	i := strings.Index(body, fmt.Sprintf(`data-product="%d"`, id))
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</article>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

func TestStockIsShown(t *testing.T) {
	e := newEnv(t, Config{})
	body := e.get("/search?q=holder").Body.String()
	if !strings.Contains(cardHTML(body, idHolder), "120 in stock") {
		t.Error("the holder's card does not show its stock (120)")
	}
	if strings.Contains(cardHTML(body, idStrip), "in stock") {
		t.Error("the strip's card claims a stock its data does not have")
	}
	table := e.get("/search?q=holder&view=table").Body.String()
	if !checkHTML(t, table).hasText("120 in stock") {
		t.Error("the table does not show stock")
	}
	cmp := e.get(fmt.Sprintf("/compare?ids=%d,%d", idHolder, idSoldOut)).Body.String()
	pt := checkHTML(t, cmp)
	if !pt.hasText("Stock") || !pt.hasText("120 in stock") || !pt.hasText("Sold out") {
		t.Error("compare does not show stock: 120 in stock, and sold out")
	}
	prod := checkHTML(t, e.get(fmt.Sprintf("/products/%d", idSoldOut)).Body.String())
	if !prod.hasText("Sold out: every variant") {
		t.Error("the product page of a sold-out product does not say so")
	}
	// A search that left sold-out products out says so, and how to see them.
	soldout := checkHTML(t, e.get("/search?q=soldout").Body.String())
	if !soldout.hasText("1 sold-out product was left out of this page") {
		t.Error("the search does not say a sold-out product was left out")
	}
	all := e.get("/search?q=soldout&in_stock=false").Body.String()
	if !strings.Contains(cardHTML(all, idSoldOut), "Sold out") {
		t.Error("with in_stock=false the sold-out product is not shown as sold out")
	}
	if in := elementsWith(all, "name", "in_stock"); len(in) != 2 || attr(in[1], "checked") != "" || hasAttr(in[1], "checked") {
		t.Errorf("in_stock inputs = %v; want a hidden false and an unticked checkbox", in)
	}
}

func hasAttr(tok interface{ String() string }, key string) bool {
	return strings.Contains(tok.String(), " "+key)
}

func TestOneRatingEverywhere(t *testing.T) {
	e := newEnv(t, Config{})
	// The holder's reviews average 4.7; its 96.5 % positive feedback reads 4.8, which is what a
	// search has: every page and the API show 4.8.
	m := decodeJSON(t, e.get("/api/search?q=holder&page_size=1"))
	if r := m["products"].([]any)[0].(map[string]any)["rating"]; r != 4.8 {
		t.Errorf("API search rating = %v; want 4.8", r)
	}
	if r := decodeJSON(t, e.get(fmt.Sprintf("/api/products/%d", idHolder)))["rating"]; r != 4.8 {
		t.Errorf("API product rating = %v; want 4.8", r)
	}
	for _, target := range []string{"/search?q=holder", fmt.Sprintf("/products/%d", idHolder), fmt.Sprintf("/compare?ids=%d", idHolder)} {
		pt := checkHTML(t, e.get(target).Body.String())
		if !pt.hasText("★ 4.8") || pt.hasText("★ 4.7") {
			t.Errorf("GET %s does not show the one rating, ★ 4.8", target)
		}
	}
}

func TestMinMarginOnProductAndCompare(t *testing.T) {
	e := newEnv(t, Config{})
	// At 7.00 with no fees: black (4.99, free) makes 28.7 %, silver (5.49) 21.6 %, red (5.99 +
	// 0.60) 5.9 %. A 20 % minimum hides red on the product page.
	q := "?sell=7&fee_pct=0&fee_fixed=&min_margin=20"
	body := e.get(fmt.Sprintf("/products/%d%s", idHolder, q)).Body.String()
	hidden := 0
	for _, row := range elementsWith(body, "data-product", strconv.FormatInt(idHolder, 10)) {
		if hasAttr(row, "hidden") && attr(row, "data-item") == "599" {
			hidden++
		}
		if hasAttr(row, "hidden") && attr(row, "data-item") != "599" {
			t.Errorf("variant row %v hidden; want only red's", row)
		}
	}
	if hidden != 1 || !checkHTML(t, body).hasText("variant(s) hidden below the minimum margin") {
		t.Errorf("product page hides %d variants below 20 %%; want red, with a note", hidden)
	}
	// Compare marks a product below the minimum rather than hiding the column.
	cmp := e.get(fmt.Sprintf("/compare?ids=%d,%d&%s", idHolder, idStrip, q[1:])).Body.String()
	below := elementsWith(cmp, "data-below-min", "")
	marked := 0
	for _, b := range below {
		if !hasAttr(b, "hidden") {
			marked++
		}
	}
	if marked != 1 {
		t.Errorf("compare marks %d products below the minimum; want the strip (12.50 at 7.00 loses money)", marked)
	}
	// The search says its minimum applies to this page only.
	s := checkHTML(t, e.get("/search?q=holder&sell=10&min_margin=20").Body.String())
	if !s.hasText("on this page hidden below the minimum margin; other pages are not filtered") || !s.hasText("(this page)") {
		t.Error("the search does not say the minimum margin filters this page only")
	}
}
