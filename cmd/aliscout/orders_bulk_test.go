package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// TestOrdersBulkPlacementAndSettings: over serve and the simulator, a user sets their order
// settings, sees a dry run's request, confirms an order below their margin floor, and places all
// their checked orders in one click as paced jobs whose progress they follow; each store order
// becomes exactly one AliExpress order.
func TestOrdersBulkPlacementAndSettings(t *testing.T) {
	st := newOrderStack(t)
	sb, base, ana, bob, pid, attr := st.sb, st.base, st.ana, st.bob, st.pid, st.attr
	if err := sb.SetProduct(pid, sandbox.ProductOverride{Price: 1000}); err != nil { // 10.00 USD a unit
		t.Fatal(err)
	}
	create := func(number, price string) apiOrder {
		t.Helper()
		body := fmt.Sprintf(`{"store": "myshop", "store_order_id": %q, "lines": [{"product_id": "%d", "sku_attr": %q, "quantity": 1,
			"store_price": %q, "currency": "USD"}], "address": {"full_name": "Jane Doe", "address": "100 Main Street", "city": "Austin",
			"province": "Texas", "zip": "73301", "country": "US", "phone": "5125550100"}}`, number, pid, attr, price)
		code, resp := ana.json("POST", base+"/api/orders", body)
		var o apiOrder
		if err := json.Unmarshal([]byte(resp), &o); code != http.StatusCreated || err != nil {
			t.Fatalf("POST /api/orders = %d %s", code, resp)
		}
		return o
	}
	check := func(o apiOrder) apiOrder {
		t.Helper()
		code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/check", base, o.ID), "")
		var c struct {
			Order apiOrder `json:"order"`
		}
		if err := json.Unmarshal([]byte(body), &c); code != http.StatusOK || err != nil {
			t.Fatalf("check = %d %s", code, body)
		}
		return c.Order
	}

	// Settings: defaults, refused values name their field, saved values come back.
	if code, _, body := ana.get(base + "/api/orders/settings"); code != http.StatusOK || body != `{"auto_pay":false,"margin_floor_pct":15,"max_delivery_days":0}`+"\n" {
		t.Errorf("GET /api/orders/settings = %d %q; want the defaults", code, body)
	}
	for body, field := range map[string]string{`{"margin_floor_pct": 500}`: "margin_floor_pct", `{"max_delivery_days": -1}`: "max_delivery_days", `{"auto_pay": "yes"}`: "auto_pay"} {
		if code, resp := ana.json("PUT", base+"/api/orders/settings", body); code != http.StatusBadRequest || !strings.Contains(resp, field) {
			t.Errorf("PUT /api/orders/settings %s = %d %s; want 400 naming %s", body, code, resp, field)
		}
	}
	if code, resp := ana.json("PUT", base+"/api/orders/settings", `{"margin_floor_pct": 20}`); code != http.StatusOK || !strings.Contains(resp, `"margin_floor_pct":20`) {
		t.Errorf("PUT /api/orders/settings = %d %s", code, resp)
	}
	if _, _, body := bob.get(base + "/api/orders/settings"); !strings.Contains(body, `"margin_floor_pct":15`) {
		t.Errorf("bob's settings changed with ana's: %s", body)
	}

	// A thin order waits for a confirmation; the API names the margin and places it once confirmed.
	thin := check(create("#3001", "10.50"))
	if thin.State != "needs_attention" || len(thin.Problems) != 1 || thin.Problems[0].Field != "margin" {
		t.Fatalf("a thin order after its check = %+v; want a margin problem", thin)
	}
	if code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/place", base, thin.ID), ""); code != http.StatusUnprocessableEntity || !strings.Contains(body, `"confirm":true`) {
		t.Errorf("placing a thin order unconfirmed = %d %s; want 422 with a problem to confirm", code, body)
	}
	if code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/place", base, thin.ID), `{"confirm": true}`); code != http.StatusOK || !strings.Contains(body, `"state":"placed"`) {
		t.Errorf("placing a thin order confirmed = %d %s; want placed", code, body)
	}

	// Three good orders: a dry run of one shows its request and sends nothing.
	var good []apiOrder
	for i := range 3 {
		good = append(good, check(create(fmt.Sprintf("#310%d", i), "99.99")))
	}
	before := sb.CallStats().Methods["aliexpress.ds.order.create"]
	code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/dry-run", base, good[0].ID), "")
	if code != http.StatusOK || !strings.Contains(body, `"method":"aliexpress.ds.order.create"`) || !strings.Contains(body, `"product_count":1`) ||
		!strings.Contains(body, `"margin"`) || strings.Contains(body, "access_token") || strings.Contains(body, sandbox.DefaultAppSecret) {
		t.Errorf("dry run = %d %s; want the request, no credential", code, body)
	}
	if after := sb.CallStats().Methods["aliexpress.ds.order.create"]; after != before {
		t.Errorf("a dry run called ds.order.create %d times", after-before)
	}
	if code, _ := bob.json("POST", fmt.Sprintf("%s/api/orders/%d/dry-run", base, good[0].ID), ""); code != http.StatusNotFound {
		t.Errorf("bob's dry run of ana's order = %d; want 404", code)
	}

	// Place all checked orders: accepted at once, followed to the end.
	code, body = ana.json("POST", base+"/api/orders/place", "")
	var batch struct {
		ID       int64 `json:"id"`
		Total    int   `json:"total"`
		Placed   int   `json:"placed"`
		Finished bool  `json:"finished"`
	}
	if err := json.Unmarshal([]byte(body), &batch); code != http.StatusAccepted || err != nil || batch.Total != 3 {
		t.Fatalf("POST /api/orders/place = %d %s; want 202 with the 3 checked orders", code, body)
	}
	deadline := time.Now().Add(60 * time.Second)
	for !batch.Finished {
		if time.Now().After(deadline) {
			t.Fatalf("the bulk placement did not finish in 60 s: %s", body)
		}
		time.Sleep(200 * time.Millisecond)
		_, _, body = ana.get(fmt.Sprintf("%s/api/orders/batches/%d", base, batch.ID))
		if err := json.Unmarshal([]byte(body), &batch); err != nil {
			t.Fatal(err)
		}
	}
	if batch.Placed != 3 {
		t.Errorf("bulk placement = %s; want 3 placed", body)
	}
	for _, o := range good {
		n := 0
		for _, r := range sb.Orders() {
			if strings.HasPrefix(r.OutOrderID, "as") && r.OutOrderID == outOrderOf(t, ana, base, o.ID) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("order %s is %d AliExpress orders; want exactly 1", o.StoreOrderID, n)
		}
	}
	if code, _, _ := bob.get(fmt.Sprintf("%s/api/orders/batches/%d", base, batch.ID)); code != http.StatusNotFound {
		t.Errorf("bob reading ana's placement = %d; want 404", code)
	}
	if code, body := bob.json("POST", base+"/api/orders/place", fmt.Sprintf(`{"ids": [%d]}`, good[0].ID)); code != http.StatusNotFound {
		t.Errorf("bob placing ana's order = %d %s; want 404", code, body)
	}
	if code, _, body := ana.get(base + "/orders"); code != http.StatusOK || !strings.Contains(body, `id="batch-progress"`) || !strings.Contains(body, "3 placed") {
		t.Errorf("the orders page after a bulk placement = %d; want its progress\n%s", code, body)
	}

	// The order page shows the margin and, on asking, the dry run's request.
	if code, _, body := ana.get(fmt.Sprintf("%s/orders/%d", base, thin.ID)); code != http.StatusOK || !strings.Contains(body, `id="order-margin"`) {
		t.Errorf("the thin order's page = %d; want its margin\n%s", code, body)
	}
	fresh := check(create("#3200", "10.50"))
	if code, body := ana.form(fmt.Sprintf("%s/orders/%d/dry-run", base, fresh.ID), nil); code != http.StatusOK || !strings.Contains(body, `id="dry-run-request"`) ||
		!strings.Contains(body, "param_place_order_request4_open_api_d_t_o") || !strings.Contains(body, `id="confirm-margin"`) {
		t.Errorf("a dry run from the order page = %d; want the request and the margin confirmation\n%s", code, body)
	}

	// Numbers typed in for an order whose numbers are known: refused.
	if code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/aliexpress-orders", base, good[0].ID), `{"aliexpress_order_ids": ["81234567890"]}`); code != http.StatusConflict {
		t.Errorf("typing numbers for an order with numbers = %d %s; want 409", code, body)
	}
	if code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/aliexpress-orders", base, good[0].ID), `{"aliexpress_order_ids": ["12x"]}`); code != http.StatusBadRequest || !strings.Contains(body, "aliexpress_order_ids") {
		t.Errorf("typing a bad number = %d %s; want 400 naming aliexpress_order_ids", code, body)
	}
	// A mapping to something that is no product is refused with the field named.
	if code, body := ana.json("POST", base+"/api/orders/mappings", `{"store": "myshop", "store_sku": "LAMP", "product_id": "lamp"}`); code != http.StatusBadRequest || !strings.Contains(body, "product_id") {
		t.Errorf("a mapping to %q = %d %s; want 400 naming product_id", "lamp", code, body)
	}
	if code, body := ana.json("POST", base+"/api/orders/mappings", fmt.Sprintf(`{"store": "myshop", "store_sku": "LAMP", "product_id": "%d"}`, pid)); code != http.StatusOK || !strings.Contains(body, `"orders_changed":0`) {
		t.Errorf("a mapping = %d %s", code, body)
	}
	if code, _, body := ana.get(base + "/api/orders/mappings?store=myshop"); code != http.StatusOK || !strings.Contains(body, `"store_sku":"LAMP"`) {
		t.Errorf("GET /api/orders/mappings = %d %s", code, body)
	}
}

// outOrderOf reads an order's out_order_id through the API.
func outOrderOf(t *testing.T, u *user, base string, id int64) string {
	t.Helper()
	_, _, body := u.get(fmt.Sprintf("%s/api/orders/%d", base, id))
	var o apiOrder
	if err := json.Unmarshal([]byte(body), &o); err != nil || o.OutOrderID == "" {
		t.Fatalf("order %d: %s", id, body)
	}
	return o.OutOrderID
}
