package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestOrderEditing: an order's address is fixed through the API and the page (the field the
// check named is marked, a mistake keeps what was typed), an order is typed in the page, and an
// order on its way can no longer be edited.
func TestOrderEditing(t *testing.T) {
	st := newOrderStack(t)
	base, ana, bob, pid, attr := st.base, st.ana, st.bob, st.pid, st.attr
	code, body := ana.json("POST", base+"/api/orders", fmt.Sprintf(`{"store": "myshop", "store_order_id": "#8001", "lines": [{"product_id": "%d",
		"sku_attr": %q, "quantity": 1, "store_price": "99.99", "currency": "USD"}], "address": {"full_name": "Jane",
		"address": "100 Main Street", "city": "Austin", "province": "Texas", "zip": "73301", "country": "US", "phone": "5125550100"}}`, pid, attr))
	var o apiOrder
	if err := json.Unmarshal([]byte(body), &o); code != http.StatusCreated || err != nil {
		t.Fatalf("POST /api/orders = %d %s", code, body)
	}
	orderURL := fmt.Sprintf("%s/api/orders/%d", base, o.ID)
	if code, body := ana.json("POST", orderURL+"/check", ""); code != http.StatusOK || !strings.Contains(body, `"field":"address.full_name"`) {
		t.Fatalf("check = %d %s; want address.full_name named", code, body)
	}
	page := fmt.Sprintf("%s/orders/%d", base, o.ID)
	if code, _, body := ana.get(page); code != http.StatusOK || !strings.Contains(body, `id="addr-full_name" name="full_name" value="Jane" autocomplete="name" maxlength="200" required aria-invalid="true"`) {
		t.Errorf("the order page = %d; want the full name field marked invalid\n%s", code, body)
	}

	// The API: a bad country is refused by name; a good address saves and the order is checked again.
	if code, body := ana.json("PATCH", orderURL, `{"address": {"full_name": "Jane Doe", "address": "100 Main Street", "city": "Austin", "province": "Texas", "country": "USA"}}`); code != http.StatusBadRequest || !strings.Contains(body, "address.country") {
		t.Errorf("PATCH with country USA = %d %s; want 400 naming address.country", code, body)
	}
	if code, body := ana.json("PATCH", orderURL, `{}`); code != http.StatusBadRequest {
		t.Errorf("PATCH with nothing = %d %s; want 400", code, body)
	}
	if code, _ := bob.json("PATCH", orderURL, `{"address": {"full_name": "Bob Smith"}}`); code != http.StatusNotFound {
		t.Errorf("bob's PATCH of ana's order = %d; want 404", code)
	}

	// The page: a mistake comes back with what was typed and the field named.
	form := url.Values{"full_name": {"Jane Doe"}, "address": {"100 Main Street"}, "city": {"Austin"}, "province": {"Texas"},
		"zip": {"73301"}, "country": {"U1"}, "phone": {"5125550100"}}
	if code, body := ana.form(page+"/address", form); code != http.StatusBadRequest || !strings.Contains(body, `value="Jane Doe"`) ||
		!strings.Contains(body, `id="addr-country" name="country" value="U1"`) || !strings.Contains(body, "two-letter code") {
		t.Errorf("the address form with country U1 = %d; want the typed values kept and the country named\n%s", code, body)
	}
	form.Set("country", "us")
	if code, body := ana.form(page+"/address", form); code != http.StatusSeeOther {
		t.Fatalf("the address form = %d; want 303\n%s", code, body)
	}
	code, body = ana.json("POST", orderURL+"/check", "")
	if code != http.StatusOK || !strings.Contains(body, `"ok":true`) || !strings.Contains(body, `"full_name":"Jane Doe"`) || !strings.Contains(body, `"country":"US"`) {
		t.Fatalf("check after the fix = %d %s; want ok", code, body)
	}
	if code, body := ana.json("POST", orderURL+"/place", ""); code != http.StatusOK {
		t.Fatalf("place = %d %s", code, body)
	}
	if code, body := ana.json("PATCH", orderURL, `{"address": {"full_name": "Jane Roe", "address": "1 Elm Street", "city": "Austin", "province": "Texas", "country": "US"}}`); code != http.StatusConflict {
		t.Errorf("PATCH of a placed order = %d %s; want 409", code, body)
	}
	if _, _, body := ana.get(page); strings.Contains(body, `id="address-form"`) {
		t.Error("a placed order's page still offers the address form")
	}

	// An order typed in the page.
	typed := url.Values{"store": {"myshop"}, "store_order_id": {"#8002"}, "product": {"not a product"}, "quantity": {"1"},
		"store_price": {"19.99"}, "currency": {"USD"}, "full_name": {"John Smith"}, "address": {"1 Elm Street"}, "city": {"Austin"},
		"province": {"Texas"}, "zip": {"73301"}, "country": {"US"}}
	if code, body := ana.form(base+"/orders/new", typed); code != http.StatusBadRequest || !strings.Contains(body, `value="John Smith"`) || !strings.Contains(body, "AliExpress product id or its link") {
		t.Errorf("typing an order with a bad product = %d; want 400 with the form kept\n%s", code, body)
	}
	typed.Set("product", fmt.Sprintf("https://www.aliexpress.com/item/%d.html?spm=x", pid))
	typed.Set("sku_attr", attr)
	code, body = ana.form(base+"/orders/new", typed)
	if code != http.StatusSeeOther {
		t.Fatalf("typing an order = %d\n%s", code, body)
	}
	if _, _, body := ana.get(base + "/api/orders"); !strings.Contains(body, fmt.Sprintf(`"store_order_id":"#8002","state":"new","lines":[{"product_id":"%d"`, pid)) {
		t.Errorf("the typed order is not listed as new with its product:\n%s", body)
	}
}

// TestForeignRecipient: an order to Israel is placed for a local recipient, and the address form
// marks a foreign one, whose tax number then goes where the platform wants a foreigner's.
func TestForeignRecipient(t *testing.T) {
	st := newOrderStack(t)
	base, ana, pid, attr := st.base, st.ana, st.pid, st.attr
	create := func(number string, foreigner bool) (string, string) {
		t.Helper()
		code, body := ana.json("POST", base+"/api/orders", fmt.Sprintf(`{"store": "myshop", "store_order_id": %q, "lines": [{"product_id": "%d",
			"sku_attr": %q, "quantity": 1, "store_price": "99.99", "currency": "USD"}], "address": {"full_name": "Noa Levi",
			"address": "12 Herzl Street", "city": "Tel Aviv", "province": "Tel Aviv", "zip": "6100000", "country": "IL",
			"phone": "0501234567", "tax_number": "123456782", "is_foreigner": %v}}`, number, pid, attr, foreigner))
		var o apiOrder
		if err := json.Unmarshal([]byte(body), &o); code != http.StatusCreated || err != nil {
			t.Fatalf("POST /api/orders = %d %s", code, body)
		}
		return fmt.Sprintf("%s/api/orders/%d", base, o.ID), fmt.Sprintf("%s/orders/%d", base, o.ID)
	}

	local, _ := create("#8101", false)
	if code, body := ana.json("POST", local+"/place", ""); code != http.StatusOK || !strings.Contains(body, `"state":"placed"`) {
		t.Fatalf("placing an order to a local recipient in Israel = %d %s; want placed", code, body)
	}

	orderURL, page := create("#8102", false)
	if code, _, body := ana.get(page); code != http.StatusOK || !strings.Contains(body, `<input type="checkbox" id="addr-is_foreigner" name="is_foreigner" value="true">`) {
		t.Fatalf("the order page = %d; want the foreigner box, not ticked\n%s", code, body)
	}
	form := url.Values{"full_name": {"Noa Levi"}, "address": {"12 Herzl Street"}, "city": {"Tel Aviv"}, "province": {"Tel Aviv"},
		"zip": {"6100000"}, "country": {"IL"}, "phone": {"0501234567"}, "tax_number": {"98765432-1"}, "is_foreigner": {"true"}}
	if code, body := ana.form(page+"/address", form); code != http.StatusSeeOther {
		t.Fatalf("the address form = %d; want 303\n%s", code, body)
	}
	if code, _, body := ana.get(page); code != http.StatusOK || !strings.Contains(body, `name="is_foreigner" value="true" checked>`) {
		t.Errorf("the order page = %d; want the foreigner box ticked\n%s", code, body)
	}
	code, body := ana.json("POST", orderURL+"/dry-run", "")
	if code != http.StatusOK || !strings.Contains(body, `"foreigner_passport_no":"987654321","is_foreigner":"true"`) {
		t.Fatalf("dry run = %d %s; want is_foreigner true and the tax number as foreigner_passport_no", code, body)
	}
	if code, body := ana.json("POST", orderURL+"/place", ""); code != http.StatusOK || !strings.Contains(body, `"state":"placed"`) {
		t.Fatalf("placing an order to a foreigner in Israel = %d %s; want placed", code, body)
	}
}
