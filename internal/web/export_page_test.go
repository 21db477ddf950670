package web

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// What is exported is what was on screen: the form's rule and price, the warehouse chosen, and a
// page (not raw JSON) when something is wrong.

func TestExportPageShowsErrorsAsPages(t *testing.T) {
	e := newEnv(t, Config{})
	urls := fmt.Sprintf("%d\n%d", idHolder, idStrip)
	cases := []struct {
		name, body, field string
	}{
		{"a bad rule", url.Values{"format": {"shopify"}, "ids": {fmt.Sprint(idHolder)}, "rule": {"x2,5"}, "urls": {urls}}.Encode(), "rule"},
		{"an empty selection", url.Values{"format": {"shopify"}, "rule": {"x2.5"}, "urls": {urls}}.Encode(), "ids"},
		{"an unknown warehouse", url.Values{"format": {"shopify"}, "ids": {fmt.Sprint(idWarehouse)}, "urls": {fmt.Sprint(idWarehouse)},
			fmt.Sprintf("ships_from_%d", idWarehouse): {"Spain"}}.Encode(), fmt.Sprintf("ships_from_%d", idWarehouse)},
	}
	for _, c := range cases {
		w := e.postForm("/export", c.body)
		if w.Code != 400 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") || w.Header().Get("Content-Disposition") != "" {
			t.Errorf("%s: POST /export = %d %q; want a 400 page, no download", c.name, w.Code, w.Header().Get("Content-Type"))
			continue
		}
		body := w.Body.String()
		pt := checkHTML(t, body)
		// Errors name the field by the label the form shows (the a11y branch's fieldLabel).
		if l := fieldLabel(c.field); !pt.hasText(l) {
			t.Errorf("%s: the page does not name %s (%q)", c.name, c.field, l)
		}
		if len(elementsWith(body, "id", "preview")) != 1 || len(elementsWith(body, "id", "export-form")) != 1 {
			t.Errorf("%s: the page does not show the products looked up with their export form", c.name)
		}
	}
	// The typed rule comes back marked, to be fixed.
	body := e.postForm("/export", cases[0].body).Body.String()
	if r := elementsWith(body, "name", "rule"); len(r) == 0 || attr(r[len(r)-1], "value") != "x2,5" || attr(r[len(r)-1], "aria-invalid") != "true" {
		t.Errorf("rule input = %v; want x2,5 marked invalid", r)
	}
	// A box left unticked stays unticked.
	boxes := elementsWith(body, "name", "ids")
	for _, b := range boxes {
		if attr(b, "value") == fmt.Sprint(idStrip) && hasAttr(b, "checked") {
			t.Error("the strip's box is ticked again; the user left it out")
		}
	}
	// The API keeps JSON.
	w := e.postForm("/api/export", cases[0].body)
	if _, field, _ := jsonError(t, w); w.Code != 400 || field != "rule" {
		t.Errorf("POST /api/export with a bad rule = %d %q; want a 400 JSON error naming rule", w.Code, field)
	}
}

func TestExportLeavesOutWhatCannotBeHad(t *testing.T) {
	e := newEnv(t, Config{})
	for _, target := range []string{"/export", "/api/export"} {
		w := e.postForm(target, fmt.Sprintf("format=shopify&ids=%d,%d,%d", idHolder, idMissing, idSoldOut))
		if w.Code != 200 {
			t.Fatalf("POST %s with a delisted and a sold-out product = %d %s; want the rest exported", target, w.Code, w.Body.String())
		}
		notes := w.Header().Get("X-Aliscout-Notes")
		if w.Header().Get("X-Aliscout-Exported") != "1" || !strings.Contains(notes, fmt.Sprintf("product %d left out: not (or no longer) listed", idMissing)) ||
			!strings.Contains(notes, fmt.Sprintf("product %d left out: sold out", idSoldOut)) {
			t.Errorf("POST %s: exported %q, notes %q; want 1, naming the delisted and the sold-out product", target, w.Header().Get("X-Aliscout-Exported"), notes)
		}
		if bytes.Contains(w.Body.Bytes(), []byte("Posture Corrector")) {
			t.Errorf("POST %s: the sold-out product is in the file", target)
		}
	}
	// in_stock=false exports it, inventory 0, and says so.
	w := e.postForm("/api/export", fmt.Sprintf("format=shopify&ids=%d&in_stock=false", idSoldOut))
	if w.Code != 200 || !bytes.Contains(w.Body.Bytes(), []byte("Posture Corrector")) || !strings.Contains(w.Header().Get("X-Aliscout-Notes"), "exported sold out: inventory 0") {
		t.Errorf("export with in_stock=false = %d, notes %q; want the product, inventory 0, noted", w.Code, w.Header().Get("X-Aliscout-Notes"))
	}
	// Only sold-out products: nothing to export, and the field that would change that.
	w = e.postForm("/api/export", fmt.Sprintf("format=shopify&ids=%d", idSoldOut))
	if _, field, _ := jsonError(t, w); w.Code != 400 || field != "in_stock" {
		t.Errorf("export of a sold-out product only = %d %q; want 400 naming in_stock", w.Code, field)
	}
}

func TestImportFlagsSoldOutProducts(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.postForm("/import", url.Values{"urls": {fmt.Sprintf("%d\n%d", idHolder, idSoldOut)}}.Encode())
	body := w.Body.String()
	pt := checkHTML(t, body)
	if !pt.hasText("Sold out") || !pt.hasText("left out of the export") {
		t.Error("the import preview does not flag the sold-out product")
	}
	if st := elementsWith(body, "data-status", "found"); len(st) != 1 {
		t.Errorf("%d rows say Found; want only the holder", len(st))
	}
	if in := elementsWith(body, "name", "in_stock"); len(in) != 2 || !hasAttr(in[1], "checked") {
		t.Errorf("in_stock inputs = %v; want a hidden false and a ticked box", in)
	}
}

func TestExportFromOneWarehouse(t *testing.T) {
	e := newEnv(t, Config{})
	// The preview offers the warehouses, the shipping rule's choice first selected: China
	// (1.50 tracked) over France (4.50).
	body := e.postForm("/import", url.Values{"urls": {fmt.Sprint(idWarehouse)}}.Encode()).Body.String()
	sel := fmt.Sprintf("ships_from_%d", idWarehouse)
	if len(elementsWith(body, "name", sel)) != 1 || !strings.Contains(body, `<option value="China" selected>`) {
		t.Errorf("the preview lacks a %s select with China selected", sel)
	}
	read := func(w *httptest.ResponseRecorder) ([]string, [][]string) {
		t.Helper()
		if w.Code != 200 {
			t.Fatalf("export = %d %s", w.Code, w.Body.String())
		}
		recs, err := csv.NewReader(bytes.NewReader(w.Body.Bytes())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs[0], recs[1:]
	}
	// Shopify, by default from China: no "Ships From" option a customer would pick.
	head, rows := read(e.postForm("/export", fmt.Sprintf("format=shopify&ids=%d&rule=x2", idWarehouse)))
	opt1, opt2, price := slices.Index(head, "Option1 name"), slices.Index(head, "Option2 name"), slices.Index(head, "Price")
	if rows[0][opt1] != "Color" || rows[0][opt2] != "" || len(rows) != 2 {
		t.Errorf("Shopify rows = %q; want Color only, two variants from China", rows)
	}
	if bytes.Contains([]byte(fmt.Sprint(rows)), []byte("Ships From")) {
		t.Error("the Shopify file still offers Ships From")
	}
	// Chosen France: its one variant, at its own price (19.00 × 2).
	head, rows = read(e.postForm("/export", fmt.Sprintf("format=shopify&ids=%d&rule=x2&%s=France", idWarehouse, sel)))
	if len(rows) != 1 || rows[0][price] != "38.00" || rows[0][slices.Index(head, "Option1 value")] != "Black" {
		t.Errorf("Shopify rows from France = %q; want Black at 38.00", rows)
	}
	// WooCommerce, from a JSON body: no "Ships From" attribute either.
	r := httptest.NewRequest(http.MethodPost, "/api/export", strings.NewReader(
		fmt.Sprintf(`{"format": "woocommerce", "ids": [%d], "ships_from": {"%d": "France"}}`, idWarehouse, idWarehouse)))
	r.Header.Set("Content-Type", "application/json")
	head, rows = read(e.do(r))
	for _, row := range rows {
		for i, c := range row {
			if strings.HasPrefix(head[i], "Attribute") && c == "Ships From" {
				t.Errorf("WooCommerce row %q offers Ships From", row)
			}
		}
	}
}

func TestExportSellsAtTheSellingPriceTyped(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.postForm("/export", fmt.Sprintf("format=json&ids=%d&sell=24.50&rule=x2.5", idHolder))
	if w.Code != 200 || strings.Count(w.Body.String(), `"price":{"amount":"24.50","currency":"USD"}`) != 3 {
		t.Errorf("export at a 24.50 selling price = %d %.300s; want every variant at 24.50", w.Code, w.Body.String())
	}
	// The product page's Export carries the calculator; the import page shows it.
	page := e.get(fmt.Sprintf("/products/%d?sell=24.50&rule=x4+.99&ship_rule=fastest", idHolder)).Body.String()
	carried := map[string]string{}
	for _, in := range elementsWith(page, "data-carry", "") {
		if in.Data == "input" {
			carried[attr(in, "name")] = attr(in, "value")
		}
	}
	if carried["sell"] != "24.50" || carried["rule"] != "x4 .99" || carried["ship_rule"] != "fastest" {
		t.Errorf("the product page's export form carries %v; want sell 24.50, rule x4 .99, ship_rule fastest", carried)
	}
	imp := e.postForm("/import", fmt.Sprintf("ids=%d&sell=24.50&rule=%s&ship_rule=fastest", idHolder, url.QueryEscape("x4 .99"))).Body.String()
	for name, want := range map[string]string{"sell": "24.50", "rule": "x4 .99", "ship_rule": "fastest"} {
		in := elementsWith(imp, "name", name)
		if len(in) == 0 || attr(in[len(in)-1], "value") != want {
			t.Errorf("import page %s = %v; want %q carried to the export", name, in, want)
		}
	}
}
