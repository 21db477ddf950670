package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/export"
)

// createList makes a list with the API and returns its id.
func createList(t *testing.T, b *visitor, name string) string {
	t.Helper()
	w := b.api("POST", "/api/lists", fmt.Sprintf(`{"name": %q}`, name))
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /api/lists %q = %d %s", name, w.Code, w.Body.String())
	}
	return strconv.FormatInt(int64(decodeJSON(t, w)["id"].(float64)), 10)
}

func TestListsAPI(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")

	w := ann.api("GET", "/api/lists", "")
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"lists":[]}` {
		t.Errorf("GET /api/lists of a new user = %d %s; want an empty list", w.Code, w.Body.String())
	}
	id := createList(t, ann, "Summer")
	base := "/api/lists/" + id
	if w := ann.api("GET", base, ""); w.Code != 200 || !strings.Contains(w.Body.String(), `"items":[]`) {
		t.Errorf("GET %s of an empty list = %d %s; want \"items\": []", base, w.Code, w.Body.String())
	}
	if w := ann.api("POST", "/api/lists", `{"name": "Summer"}`); w.Code != http.StatusConflict {
		t.Errorf("a second list named Summer = %d; want 409", w.Code)
	} else if code, field, _ := jsonError(t, w); code != codeConflict || field != "name" {
		t.Errorf("a second list named Summer: code %q field %q", code, field)
	}

	// Saving: only product_id is needed; the catalog gives title, image and price.
	w = ann.api("POST", base+"/items", `{"product_id": 1005000000000001}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("POST %s/items = %d %s", base, w.Code, w.Body.String())
	}
	item := decodeJSON(t, w)
	if item["product_id"] != float64(idHolder) || item["title"] != "Magnetic Phone Holder for Car, 360° Rotation" ||
		item["price"].(map[string]any)["amount"] != "4.99" || item["added"] != true || item["saved_at"] == "" {
		t.Errorf("saved item = %s", w.Body.String())
	}
	// The same product again is the same item, updated.
	w = ann.api("POST", base+"/items", `{"product_id": "1005000000000001", "note": "again"}`)
	if w.Code != http.StatusOK || decodeJSON(t, w)["added"] != false {
		t.Errorf("saving the same product twice = %d %s; want 200, not added", w.Code, w.Body.String())
	}
	// A variant, a destination, a rule and a note.
	w = ann.api("POST", base+"/items", `{"product_id": 1005000000000001, "sku_id": "h-red", "country": "de", "rule": "x3 .95", "note": "red one"}`)
	if w.Code != http.StatusCreated {
		t.Fatalf("saving a variant = %d %s", w.Code, w.Body.String())
	}
	red := decodeJSON(t, w)
	if red["sku_id"] != "h-red" || red["country"] != "DE" || red["rule"] != "x3 .95" || red["price"].(map[string]any)["amount"] != "5.99" {
		t.Errorf("saved variant = %s", w.Body.String())
	}
	redID := strconv.FormatInt(int64(red["id"].(float64)), 10)
	// AliExpress down: saved with what is known, and said so.
	e.cat.down.Store(true)
	w = ann.api("POST", base+"/items", `{"product_id": 1005000000000002}`)
	e.cat.down.Store(false)
	if w.Code != http.StatusCreated || !strings.Contains(decodeJSON(t, w)["warning"].(string), "did not answer") {
		t.Errorf("saving while AliExpress is down = %d %s; want 201 with a warning", w.Code, w.Body.String())
	}

	w = ann.api("GET", base, "")
	list := decodeJSON(t, w)
	items := list["items"].([]any)
	if w.Code != 200 || list["name"] != "Summer" || len(items) != 3 {
		t.Fatalf("GET %s = %d %s; want Summer with 3 items", base, w.Code, w.Body.String())
	}
	for i, it := range items {
		m := it.(map[string]any)
		if m["position"] != float64(i) || m["product_id"] == nil {
			t.Errorf("item %d = %v", i, m)
		}
	}
	if note := items[0].(map[string]any)["note"]; note != "again" {
		t.Errorf("the first item's note = %v; want the second save's", note)
	}

	// Refusals name the field.
	for _, c := range []struct {
		method, target, body string
		status               int
		field                string
	}{
		{"POST", "/api/lists", `{}`, 400, "name"},
		{"POST", "/api/lists", `{"name": ""}`, 400, "name"},
		{"POST", "/api/lists", `{"name": "` + strings.Repeat("x", 101) + `"}`, 400, "name"},
		{"POST", "/api/lists", `{"name": "A", "colour": "red"}`, 400, "colour"},
		{"POST", "/api/lists", `{"name": "A"} {"name": "B"}`, 400, "body"},
		{"POST", "/api/lists", `{"name": 7}`, 400, "name"},
		{"POST", "/api/lists", `not json`, 400, "body"},
		{"POST", "/api/lists", ``, 400, "body"},
		{"POST", "/api/lists", `{"name": "` + strings.Repeat("x", 70<<10) + `"}`, 413, "body"},
		{"PATCH", base, `{"nme": "x"}`, 400, "nme"},
		{"POST", base + "/items", `{}`, 400, "product_id"},
		{"POST", base + "/items", `{"product_id": "abc"}`, 400, "product_id"},
		{"POST", base + "/items", `{"product_id": -5}`, 400, "product_id"},
		{"POST", base + "/items", `{"product_id": 1005000000000001, "sku_id": "nope"}`, 400, "sku_id"},
		{"POST", base + "/items", `{"product_id": 1005000000000001, "country": "XYZ"}`, 400, "country"},
		{"POST", base + "/items", `{"product_id": 1005000000000001, "rule": "x0.5"}`, 400, "rule"},
		{"POST", base + "/items", `{"product_id": 1005000000000001, "note": "` + strings.Repeat("n", 1001) + `"}`, 400, "note"},
		{"POST", base + "/items", `{"product_id": 1005000000000404}`, 404, "product_id"},
		{"PATCH", base + "/items/" + redID, `{"position": -1}`, 400, "position"},
		{"DELETE", base + "/items", `{"sku_id": "h-red"}`, 400, "product_id"},
		{"DELETE", base + "/items", `{"product_id": 1005000000000003}`, 404, "product_id"},
	} {
		w := ann.api(c.method, c.target, c.body)
		if w.Code != c.status {
			t.Errorf("%s %s %.60s = %d; want %d\n%s", c.method, c.target, c.body, w.Code, c.status, w.Body.String())
			continue
		}
		if _, field, msg := jsonError(t, w); field != c.field || msg == "" {
			t.Errorf("%s %s %.60s: field %q; want %q", c.method, c.target, c.body, field, c.field)
		}
	}

	// Edit, move, rename, remove.
	w = ann.api("PATCH", base+"/items/"+redID, `{"note": "the red one", "position": 0}`)
	if w.Code != 200 || decodeJSON(t, w)["position"] != float64(0) {
		t.Errorf("PATCH item = %d %s; want it first", w.Code, w.Body.String())
	}
	w = ann.api("PATCH", base, `{"name": "Summer 2025"}`)
	if w.Code != 200 || decodeJSON(t, w)["name"] != "Summer 2025" {
		t.Errorf("PATCH %s = %d %s", base, w.Code, w.Body.String())
	}
	if w := ann.api("DELETE", base+"/items", `{"product_id": 1005000000000001, "sku_id": "h-red"}`); w.Code != http.StatusNoContent {
		t.Errorf("DELETE the red variant by product = %d %s", w.Code, w.Body.String())
	}
	w = ann.api("GET", base, "")
	items = decodeJSON(t, w)["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("after removing one: %d items", len(items))
	}
	firstID := strconv.FormatInt(int64(items[0].(map[string]any)["id"].(float64)), 10)
	if w := ann.api("DELETE", base+"/items/"+firstID, ""); w.Code != http.StatusNoContent {
		t.Errorf("DELETE an item by id = %d", w.Code)
	}

	// Another user sees none of it: every route with an id answers 404, and changes nothing.
	bob := e.browser("Chrome")
	bob.signUp("bob@example.com")
	bobBase := "/api/lists/" + createList(t, bob, "Bob's")
	otherItem := base + "/items/" + strconv.FormatInt(int64(items[1].(map[string]any)["id"].(float64)), 10)
	idRoutes := []struct{ method, target, body string }{
		{"GET", base, ""},
		{"PATCH", base, `{"name": "mine now"}`},
		{"DELETE", base, ""},
		{"POST", base + "/items", `{"product_id": 1005000000000001}`},
		{"DELETE", base + "/items", `{"product_id": 1005000000000002}`},
		{"PATCH", otherItem, `{"note": "x"}`},
		{"DELETE", otherItem, ""},
		{"POST", base + "/export?format=shopify", ""},
		{"PATCH", bobBase + "/items/" + strings.TrimPrefix(otherItem, base+"/items/"), `{"note": "x"}`},
		{"DELETE", bobBase + "/items/" + strings.TrimPrefix(otherItem, base+"/items/"), ""},
	}
	for _, c := range idRoutes {
		w := bob.api(c.method, c.target, c.body)
		if w.Code != http.StatusNotFound {
			t.Errorf("Bob: %s %s = %d; want 404", c.method, c.target, w.Code)
		} else if code, _, _ := jsonError(t, w); code != catalog.ENotFound {
			t.Errorf("Bob: %s %s code %q", c.method, c.target, code)
		}
	}
	if w := ann.api("GET", base, ""); w.Code != 200 || decodeJSON(t, w)["name"] != "Summer 2025" || len(decodeJSON(t, w)["items"].([]any)) != 1 {
		t.Errorf("Ann's list after Bob's tries = %s", w.Body.String())
	}
	// Malformed and unknown ids are 404, never 500.
	for _, bad := range []string{"abc", "0", "-1", "1.5", "99999999999999999999", "%20", "999"} {
		for _, c := range []struct{ method, target, body string }{
			{"GET", "/api/lists/" + bad, ""},
			{"PATCH", "/api/lists/" + bad, `{"name": "x"}`},
			{"DELETE", "/api/lists/" + bad, ""},
			{"POST", "/api/lists/" + bad + "/items", `{"product_id": 1005000000000001}`},
			{"DELETE", "/api/lists/" + bad + "/items", `{"product_id": 1005000000000001}`},
			{"PATCH", base + "/items/" + bad, `{"note": "x"}`},
			{"DELETE", base + "/items/" + bad, ""},
		} {
			if w := ann.api(c.method, c.target, c.body); w.Code != http.StatusNotFound {
				t.Errorf("%s %s = %d; want 404", c.method, c.target, w.Code)
			}
		}
	}
	if w := ann.api("DELETE", base, ""); w.Code != http.StatusNoContent {
		t.Errorf("DELETE %s = %d", base, w.Code)
	}
	if w := ann.api("GET", base, ""); w.Code != http.StatusNotFound {
		t.Errorf("GET a deleted list = %d; want 404", w.Code)
	}
}

func TestListPagesOfAnotherUserAre404(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	id := createList(t, ann, "Ann's")
	w := ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": 1005000000000001}`)
	item := strconv.FormatInt(int64(decodeJSON(t, w)["id"].(float64)), 10)
	bob := e.browser("Chrome")
	bob.signUp("bob@example.com")
	for _, c := range []struct {
		method, target string
		form           url.Values
	}{
		{"GET", "/lists/" + id, nil},
		{"POST", "/lists/" + id + "/rename", url.Values{"name": {"Bob's now"}}},
		{"POST", "/lists/" + id + "/delete", nil},
		{"POST", "/lists/" + id + "/export", url.Values{"format": {"shopify"}}},
		{"POST", "/lists/" + id + "/items/" + item, url.Values{"note": {"x"}}},
		{"POST", "/lists/" + id + "/items/" + item + "/move", url.Values{"direction": {"down"}}},
		{"POST", "/lists/" + id + "/items/" + item + "/delete", nil},
		{"POST", "/lists/save", url.Values{"ids": {"1005000000000002"}, "list": {id}}},
		{"GET", "/lists/abc", nil},
		{"GET", "/lists/0", nil},
		{"POST", "/lists/abc/items/1/delete", nil},
		{"POST", "/lists/" + id + "/items/abc", url.Values{"note": {"x"}}},
	} {
		var w = bob.get(c.target)
		if c.method == "POST" {
			w = bob.post(c.target, c.form)
		}
		want := http.StatusNotFound
		if c.target == "/lists/save" {
			want = http.StatusBadRequest // the chooser offers Bob's lists only
		}
		if w.Code != want {
			t.Errorf("Bob: %s %s = %d; want %d", c.method, c.target, w.Code, want)
		}
	}
	w = ann.api("GET", "/api/lists/"+id, "")
	if m := decodeJSON(t, w); m["name"] != "Ann's" || len(m["items"].([]any)) != 1 {
		t.Errorf("Ann's list after Bob's tries = %s", w.Body.String())
	}
}

func TestSaveFromPages(t *testing.T) {
	e := newAcctEnv(t, acctSetup{Config: Config{OpenResearch: true}})
	ann := e.browser("Firefox")
	// Not signed in: no Save buttons.
	if w := ann.get("/search?q=holder"); len(elementsWith(w.Body.String(), "data-save", "")) != 0 {
		t.Error("the search page offers Save to a visitor who is not signed in")
	}
	ann.signUp("ann@example.com")
	w := ann.get("/search?q=holder&ship_to=DE")
	page := w.Body.String()
	checkHTML(t, page)
	if n := len(elementsWith(page, "data-save", "")); n != 15 {
		t.Errorf("the search grid has %d Save buttons; want one per product (15)", n)
	}
	if n := len(elementsWith(ann.get("/search?q=holder&view=table").Body.String(), "data-save", "")); n != 15 {
		t.Errorf("the search table has %d Save buttons; want 15", n)
	}
	// The first save, with no list yet, makes "My products" and comes back to the search.
	w = ann.post("/lists/save", url.Values{"ids": {"1005000000000001"}, "list": {"new"}, "ship_to": {"DE"},
		"rule": {"x3"}, "note": {"for the car"}, "next": {"/search?q=holder&ship_to=DE"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/search?q=holder&ship_to=DE" {
		t.Fatalf("POST /lists/save = %d to %q\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	w = ann.follow(w)
	pt := checkHTML(t, w.Body.String())
	if !pt.hasText("Saved “Magnetic Phone Holder for Car, 360° Rotation” to “My products”") {
		t.Errorf("the search page after saving does not say so:\n%s", w.Body.String())
	}
	lists, _ := e.db.Lists(t.Context(), 1)
	if len(lists) != 1 || lists[0].Name != "My products" {
		t.Fatalf("lists after the first save = %+v", lists)
	}
	listID := strconv.FormatInt(lists[0].ID, 10)
	// The chooser now offers it; saving again by id, or by the same new name, is the same list
	// and the same item.
	if len(elementsWith(w.Body.String(), "value", listID)) == 0 {
		t.Error("the save chooser does not offer the new list")
	}
	ann.post("/lists/save", url.Values{"ids": {"1005000000000001"}, "list": {listID}, "ship_to": {"DE"}})
	ann.post("/lists/save", url.Values{"ids": {"1005000000000002"}, "list": {"new"}, "new_list": {"My products"}})
	items, _ := e.db.Items(t.Context(), 1, lists[0].ID)
	if len(items) != 2 || items[0].Country != "DE" || items[0].PricingRule != "x3" || items[0].Note != "for the car" {
		t.Errorf("items = %+v; want the holder once (with its first note, rule and country) and the strip", items)
	}
	// The product page saves a variant; the import preview saves what is checked.
	w = ann.get("/products/1005000000000001?ship_to=FR")
	if len(elementsWith(w.Body.String(), "id", "psave")) != 1 || len(elementsWith(w.Body.String(), "value", "h-red")) == 0 {
		t.Error("the product page lacks the save form with its variants")
	}
	w = ann.post("/lists/save", url.Values{"ids": {"1005000000000001"}, "sku": {"h-silver"}, "list": {listID}, "ship_to": {"FR"}, "next": {"/products/1005000000000001?ship_to=FR"}})
	if w.Code != http.StatusSeeOther {
		t.Errorf("saving a variant from the product page = %d\n%s", w.Code, w.Body.String())
	}
	w = ann.post("/import", url.Values{"urls": {"1005000000000003\n1005000000000004"}})
	if len(elementsWith(w.Body.String(), "id", "save-checked")) != 1 {
		t.Error("the import preview lacks Save checked to list")
	}
	w = ann.post("/lists/save", url.Values{"ids": {"1005000000000003", "1005000000000004"}, "list": {listID}, "ship_to": {"US"}, "rule": {"x2.5 .99"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/lists/"+listID {
		t.Errorf("saving from the import = %d to %q; want the list", w.Code, w.Header().Get("Location"))
	}
	items, _ = e.db.Items(t.Context(), 1, lists[0].ID)
	if len(items) != 5 {
		t.Errorf("%d items; want 5", len(items))
	}
	// Bad input names the field.
	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"list": {listID}}, "ids"},
		{url.Values{"ids": {"abc"}, "list": {listID}}, "ids"},
		{url.Values{"ids": {"1005000000000001"}, "list": {"zzz"}}, "list"},
		{url.Values{"ids": {"1005000000000001"}, "list": {listID}, "ship_to": {"Germany"}}, "ship_to"},
		{url.Values{"ids": {"1005000000000001"}, "list": {listID}, "rule": {"x0.5"}}, "rule"},
		{url.Values{"ids": {"1005000000000001"}, "list": {listID}, "sku": {"nope"}}, "sku_id"},
		{url.Values{"ids": {"1005000000000001"}, "new_list": {strings.Repeat("n", 101)}}, "new_list"},
	} {
		w := ann.post("/lists/save", c.form)
		if w.Code != http.StatusBadRequest || !checkHTML(t, w.Body.String()).hasText(c.field) {
			t.Errorf("POST /lists/save %v = %d; want 400 naming %s", c.form, w.Code, c.field)
		}
	}
}

func TestListPageShowsSavedDataWhenAliExpressFails(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	id := createList(t, ann, "Saved")
	ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": 1005000000000001, "note": "<b>bold</b> note"}`)
	ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": 1005000000000002, "country": "DE"}`)

	w := ann.get("/lists/" + id)
	pt := checkHTML(t, w.Body.String())
	for _, want := range []string{"Magnetic Phone Holder", "LED Strip Lights", "$4.99", "figures from 14 Mar 2025, 09:26 UTC", "Now", "<b>bold</b> note", "Germany"} {
		if !pt.hasText(want) {
			t.Errorf("the list page lacks %q", want)
		}
	}
	if w.Code != 200 || len(elementsWith(w.Body.String(), "class", "live-price")) != 2 {
		t.Errorf("GET /lists/%s = %d; want two live prices", id, w.Code)
	}
	// Margin from the item's rule (the default x2.5 .99) and landed cost to its country.
	if !pt.hasText("$12.99") {
		t.Error("the list page lacks the selling price by the default rule ($12.99 for $4.99)")
	}

	e.cat.down.Store(true)
	e.advance(72 * 60 * 60 * 1e9)
	w = ann.get("/lists/" + id + "?view=table")
	pt = checkHTML(t, w.Body.String())
	if w.Code != 200 {
		t.Fatalf("GET the list with AliExpress down = %d\n%s", w.Code, w.Body.String())
	}
	for _, want := range []string{"Magnetic Phone Holder", "LED Strip Lights", "$4.99", "$12.50", "14 Mar 2025, 09:26 UTC", "AliExpress did not answer for 2"} {
		if !pt.hasText(want) {
			t.Errorf("the list page with AliExpress down lacks %q", want)
		}
	}
	w = ann.get("/lists/" + id)
	if pt := checkHTML(t, w.Body.String()); !pt.hasText("3 days ago") || !pt.hasText("did not answer") {
		t.Error("the grid does not say how old the saved figures are")
	}
}

func TestListExportShopify(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	id := createList(t, ann, "Shop")
	ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": 1005000000000001, "rule": "x3"}`)
	ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": 1005000000000002}`)
	ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": 1005000000000500}`) // AliExpress fails for it: saved with a warning

	w := ann.post("/lists/"+id+"/export", url.Values{"format": {"shopify"}})
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("POST /lists/%s/export = %d %s\n%s", id, w.Code, w.Header(), w.Body.String())
	}
	csv := w.Body.String()
	if err := export.Validate(export.FormatShopify, strings.NewReader(csv)); err != nil {
		t.Errorf("the list's Shopify CSV fails validation: %v", err)
	}
	if !strings.Contains(csv, "Magnetic Phone Holder") || !strings.Contains(csv, "LED Strip Lights") {
		t.Error("the export lacks a product")
	}
	if !strings.Contains(csv, ",14.97,") {
		t.Error("the holder is not priced with its own rule x3 (4.99 → 14.97)")
	}
	if got := w.Header().Get("X-Aliscout-Left-Out"); got != "1005000000000500" {
		t.Errorf("X-Aliscout-Left-Out = %q; want the product AliExpress failed for", got)
	}
	if v := w.Result().Trailer.Get("X-Aliscout-Validation"); v != "ok" {
		t.Errorf("validation trailer = %q", v)
	}
	// The API route, JSON and WooCommerce, and bad input.
	for _, f := range []string{"woocommerce", "json"} {
		w := ann.api("POST", "/api/lists/"+id+"/export?format="+f, "")
		if w.Code != 200 {
			t.Errorf("export %s = %d", f, w.Code)
		} else if err := export.Validate(f, strings.NewReader(w.Body.String())); err != nil {
			t.Errorf("export %s fails validation: %v", f, err)
		}
	}
	if w := ann.post("/lists/"+id+"/export", url.Values{"format": {"xlsx"}}); w.Code != 400 || !checkHTML(t, w.Body.String()).hasText("format") {
		t.Errorf("export as xlsx = %d; want 400 naming format", w.Code)
	}
	if w := ann.post("/lists/"+id+"/export", url.Values{"format": {"shopify"}, "rule": {"x0.5"}}); w.Code != 400 {
		t.Errorf("export with a bad rule = %d; want 400", w.Code)
	}
	empty := createList(t, ann, "Empty")
	if w := ann.post("/lists/"+empty+"/export", url.Values{"format": {"shopify"}}); w.Code != 400 {
		t.Errorf("export of an empty list = %d; want 400", w.Code)
	}
	e.cat.down.Store(true)
	if w := ann.post("/lists/"+id+"/export", url.Values{"format": {"shopify"}}); w.Code != http.StatusBadGateway {
		t.Errorf("export with AliExpress down = %d; want 502", w.Code)
	}
}

func TestListPages(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	w := ann.get("/lists")
	if pt := checkHTML(t, w.Body.String()); w.Code != 200 || !pt.hasText("No lists yet") {
		t.Errorf("GET /lists of a new user = %d", w.Code)
	}
	w = ann.post("/lists", url.Values{"name": {"Gadgets"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/lists/") {
		t.Fatalf("POST /lists = %d %q", w.Code, w.Header().Get("Location"))
	}
	listPath := w.Header().Get("Location")
	if w := ann.post("/lists", url.Values{"name": {"Gadgets"}}); w.Code != http.StatusConflict || !checkHTML(t, w.Body.String()).hasText("choose another name") {
		t.Errorf("a second Gadgets = %d; want 409 saying so", w.Code)
	}
	if w := ann.post("/lists", url.Values{"name": {"  "}}); w.Code != http.StatusBadRequest {
		t.Errorf("a blank name = %d; want 400", w.Code)
	}
	id := strings.TrimPrefix(listPath, "/lists/")
	for _, p := range []string{"1005000000000001", "1005000000000002", "1005000000000004"} {
		ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": `+p+`}`)
	}
	items, _ := e.db.Items(t.Context(), 1, mustAtoi(t, id))
	item := func(i int) string { return listPath + "/items/" + strconv.FormatInt(items[i].ID, 10) }
	if w := ann.post(item(2)+"/move", url.Values{"direction": {"up"}}); w.Code != http.StatusSeeOther {
		t.Errorf("move up = %d", w.Code)
	}
	if w := ann.post(item(2)+"/move", url.Values{"direction": {"sideways"}}); w.Code != http.StatusBadRequest {
		t.Errorf("move sideways = %d; want 400", w.Code)
	}
	if w := ann.post(item(0), url.Values{"note": {"best seller"}, "country": {"gb"}, "rule": {"x2"}}); w.Code != http.StatusSeeOther {
		t.Errorf("edit = %d", w.Code)
	}
	if w := ann.post(item(0), url.Values{"country": {"Britain"}}); w.Code != http.StatusBadRequest {
		t.Errorf("edit with a bad country = %d; want 400", w.Code)
	}
	if w := ann.post(item(1)+"/delete", nil); w.Code != http.StatusSeeOther {
		t.Errorf("remove = %d", w.Code)
	}
	got, _ := e.db.Items(t.Context(), 1, mustAtoi(t, id))
	if len(got) != 2 || got[0].ProductID != "1005000000000001" || got[0].Note != "best seller" || got[0].Country != "GB" ||
		got[1].ProductID != "1005000000000004" {
		t.Errorf("items after move, edit, remove = %+v", got)
	}
	w = ann.get(listPath)
	if pt := checkHTML(t, w.Body.String()); !pt.hasText("best seller") || !pt.hasText("United Kingdom") {
		t.Errorf("the list page lacks the edit")
	}
	if w := ann.post(listPath+"/rename", url.Values{"name": {"Top gadgets"}}); w.Code != http.StatusSeeOther {
		t.Errorf("rename = %d", w.Code)
	}
	if w := ann.get("/lists"); !checkHTML(t, w.Body.String()).hasText("Top gadgets") {
		t.Error("the lists page lacks the new name")
	}
	if w := ann.post(listPath+"/delete", nil); w.Code != http.StatusSeeOther {
		t.Errorf("delete = %d", w.Code)
	}
	if w := ann.get(listPath); w.Code != http.StatusNotFound {
		t.Errorf("a deleted list's page = %d; want 404", w.Code)
	}
}

func mustAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDatabaseDownResearchGoesOn(t *testing.T) {
	e := newAcctEnv(t, acctSetup{Config: Config{OpenResearch: true}})
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	e.db.Close()
	if w := ann.get("/search?q=holder"); w.Code != 200 {
		t.Errorf("search with the database down = %d; want 200", w.Code)
	}
	if w := ann.get("/api/products/1005000000000001"); w.Code != 200 {
		t.Errorf("API product with the database down = %d; want 200", w.Code)
	}
	w := ann.get("/lists")
	if w.Code != http.StatusServiceUnavailable || !checkHTML(t, w.Body.String()).hasText("aliscout's database is not answering; research still works") {
		t.Errorf("GET /lists with the database down = %d; want 503 saying so", w.Code)
	}
	w = ann.api("GET", "/api/lists", "")
	if w.Code != http.StatusServiceUnavailable {
		t.Errorf("GET /api/lists with the database down = %d; want 503", w.Code)
	} else if code, _, msg := jsonError(t, w); code != codeUnavailable || !strings.Contains(msg, "research still works") {
		t.Errorf("GET /api/lists with the database down: %q %q", code, msg)
	}
	if w := e.browser("curl").post("/signin", url.Values{"email": {"ann@example.com"}, "password": {"password-ann@example.com"}}); w.Code != http.StatusServiceUnavailable {
		t.Errorf("sign-in with the database down = %d; want 503", w.Code)
	}
	if strings.Contains(e.logs.String(), "password-ann") {
		t.Error("a password is in the log")
	}
}

func TestListOfHostileProducts(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	id := createList(t, ann, `<script>alert("list")</script>`)
	for i := range hostileTitles {
		note := fmt.Sprintf(`{"product_id": %d, "note": %q}`, idHostileBase+int64(i), hostileAttr+hostileScript)
		if w := ann.api("POST", "/api/lists/"+id+"/items", note); w.Code != http.StatusCreated {
			t.Fatalf("saving hostile product %d = %d %s", i, w.Code, w.Body.String())
		}
	}
	for _, view := range []string{"", "?view=table"} {
		w := ann.get("/lists/" + id + view)
		pt := checkHTML(t, w.Body.String())
		if w.Code != 200 || !pt.hasText(hostileScript) || !pt.hasText(`<script>alert("list")</script>`) {
			t.Errorf("GET /lists/%s%s = %d; want the hostile texts shown as text", id, view, w.Code)
		}
	}
	checkHTML(t, ann.get("/lists").Body.String())
	w := ann.post("/lists/"+id+"/export", url.Values{"format": {"shopify"}})
	if err := export.Validate(export.FormatShopify, strings.NewReader(w.Body.String())); w.Code != 200 || err != nil {
		t.Errorf("export of hostile products = %d, %v", w.Code, err)
	}
	// The flash message of a save carries a hostile title as text.
	w = ann.post("/lists/save", url.Values{"ids": {strconv.FormatInt(idHostileBase, 10)}, "list": {id}, "next": {"/lists"}})
	if pt := checkHTML(t, ann.follow(w).Body.String()); !pt.hasText("Saved “" + hostileScript) {
		t.Error("the flash after saving a hostile product does not show its title as text")
	}
}
