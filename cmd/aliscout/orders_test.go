package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// orderableVariant finds a sample product with a variant in stock that ships to the US, through
// the SDK as nick, and returns the product id, the variant's sku_attr and its SKU id.
func orderableVariant(t *testing.T, sb *sandbox.Server, nick string) (int64, string, string) {
	t.Helper()
	access, _ := sb.IssueToken(nick)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL), aliexpress.WithAccessToken(access))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range sb.SampleProductIDs(10) {
		p, _, err := c.DS.Product(t.Context(), id, &aliexpress.DSProductOptions{ShipTo: "US"})
		if err != nil {
			continue
		}
		for _, v := range p.Variants {
			if v.Stock < 10 {
				continue
			}
			if opts, _, err := c.DS.Freight(t.Context(), &aliexpress.FreightQuery{ProductID: id, SKUID: v.SKUID, Quantity: 1, ShipTo: "US"}); err == nil && len(opts) > 0 {
				return id, v.Attr, v.SKUID
			}
		}
	}
	t.Fatal("no orderable sample product")
	return 0, "", ""
}

// orderStack is serve on the simulator with two users: ana, the operator, who connected the
// simulator's buyer orderNick, and bob, a member with no account; and a variant that ships to the US.
type orderStack struct {
	sb          *sandbox.Server
	base        string
	ana, bob    *user
	pid         int64
	attr, skuID string
}

const orderNick = "us1000000078sbox"

func newOrderStack(t *testing.T) *orderStack {
	t.Helper()
	st := &orderStack{sb: sandbox.NewServer(sandbox.Options{LaunchedApp: true}), ana: newUser(t), bob: newUser(t)}
	t.Cleanup(st.sb.Close)
	st.base = startServeOn(t, st.sb)
	st.ana.signUp(st.base, "ana@example.com")
	st.bob.signUp(st.base, "bob@example.com")
	if code, _, body := st.ana.get(st.ana.approve(st.base, "https://shop.example", orderNick)); code != http.StatusSeeOther {
		t.Fatalf("connecting = %d\n%s", code, body)
	}
	st.pid, st.attr, st.skuID = orderableVariant(t, st.sb, orderNick)
	return st
}

type apiOrder struct {
	ID           int64    `json:"id"`
	State        string   `json:"state"`
	OutOrderID   string   `json:"out_order_id"`
	AEOrderIDs   []string `json:"aliexpress_order_ids"`
	Message      string   `json:"message"`
	StoreOrderID string   `json:"store_order_id"`
	Problems     []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"problems"`
}

// TestOrdersOverTheRealStack: a signed-in user with a connected account sends store orders to
// serve, which checks them against the simulator through the SDK, names the bad address field,
// and places the good order exactly once although the platform's answer is lost.
func TestOrdersOverTheRealStack(t *testing.T) {
	st := newOrderStack(t)
	sb, base, ana, bob, pid, attr, skuID := st.sb, st.base, st.ana, st.bob, st.pid, st.attr, st.skuID

	order := func(number, name string) string {
		return fmt.Sprintf(`{"store": "myshop", "store_order_id": %q, "lines": [{"product_id": "%d", "sku_attr": %q, "quantity": 1,
			"store_price": "29.99", "currency": "USD"}], "address": {"full_name": %q, "address": "100 Main Street", "city": "Austin",
			"province": "Texas", "zip": "73301", "country": "US", "phone": "5125550100"}}`, number, pid, attr, name)
	}
	create := func(body string, want int) apiOrder {
		t.Helper()
		code, resp := ana.json("POST", base+"/api/orders", body)
		var o apiOrder
		if err := json.Unmarshal([]byte(resp), &o); code != want || err != nil || o.ID == 0 {
			t.Fatalf("POST /api/orders = %d %s; want %d with an id", code, resp, want)
		}
		return o
	}
	good := create(order("#1001", "Jane Doe"), http.StatusCreated)
	if again := create(order("#1001", "Jane Doe"), http.StatusOK); again.ID != good.ID {
		t.Errorf("the same store order again has id %d; want %d", again.ID, good.ID)
	}
	if code, body := ana.json("POST", base+"/api/orders", `{"store": "myshop", "store_order_id": "#9", "lines": [{"product_id": "x", "quantity": 1, "store_price": "1", "currency": "USD"}]}`); code != http.StatusBadRequest || !strings.Contains(body, "lines[0].product_id") {
		t.Errorf("POST /api/orders with a bad product id = %d %s; want 400 naming lines[0].product_id", code, body)
	}

	// Pre-flight names the bad field; placing answers the problems and sends nothing.
	bad := create(order("#1002", "Jane"), http.StatusCreated)
	code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/check", base, bad.ID), "")
	var check struct {
		OK       bool `json:"ok"`
		Problems []struct {
			Field string `json:"field"`
		} `json:"problems"`
	}
	if err := json.Unmarshal([]byte(body), &check); code != http.StatusOK || err != nil || check.OK || len(check.Problems) != 1 || check.Problems[0].Field != "address.full_name" {
		t.Errorf("check of a one-word US name = %d %s; want ok false naming address.full_name", code, body)
	}
	if code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/place", base, bad.ID), ""); code != http.StatusUnprocessableEntity || !strings.Contains(body, "address.full_name") {
		t.Errorf("place with problems = %d %s; want 422 with them", code, body)
	}
	code, body = ana.json("POST", fmt.Sprintf("%s/api/orders/%d/check", base, good.ID), "")
	if err := json.Unmarshal([]byte(body), &check); code != http.StatusOK || err != nil || !check.OK {
		t.Fatalf("check of a good order = %d %s; want ok", code, body)
	}

	// The answer to ds.order.create is lost: the order is made once and recorded.
	if err := sb.ArmFault(sandbox.CountedFault{Method: "aliexpress.ds.order.create", Fault: sandbox.FaultDropAnswer, Times: 1}); err != nil {
		t.Fatal(err)
	}
	code, body = ana.json("POST", fmt.Sprintf("%s/api/orders/%d/place", base, good.ID), "")
	var placed apiOrder
	if err := json.Unmarshal([]byte(body), &placed); code != http.StatusOK || err != nil || placed.State != "placed" {
		t.Fatalf("place = %d %s; want 200 placed", code, body)
	}
	var sim []string
	for _, r := range sb.Orders() {
		if r.OutOrderID == placed.OutOrderID {
			sim = append(sim, strconv.FormatInt(r.ID, 10))
		}
	}
	if len(sim) != 1 || !slices.Equal(placed.AEOrderIDs, sim) {
		t.Errorf("the simulator holds %v for %s; the order records %v; want exactly one, the same", sim, placed.OutOrderID, placed.AEOrderIDs)
	}
	if code, body := ana.json("POST", fmt.Sprintf("%s/api/orders/%d/place", base, good.ID), ""); code != http.StatusConflict {
		t.Errorf("placing again = %d %s; want 409", code, body)
	}
	code, _, body = ana.get(fmt.Sprintf("%s/api/orders/%d", base, good.ID))
	var got apiOrder
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil || !slices.Equal(got.AEOrderIDs, sim) {
		t.Errorf("GET /api/orders/%d = %d %s", good.ID, code, body)
	}
	if code, _, _ := bob.get(fmt.Sprintf("%s/api/orders/%d", base, good.ID)); code != http.StatusNotFound {
		t.Errorf("another user's GET of the order = %d; want 404", code)
	}

	// A Shopify export: its AliExpress lines come in, and a second import duplicates nothing.
	csv, err := os.ReadFile("../../internal/orders/testdata/shopify_orders.csv")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.NewReplacer("{{P1}}", strconv.FormatInt(pid, 10), "{{S1}}", skuID, "{{S2}}", skuID).Replace(string(csv))
	for i, want := range []string{`"created":2,"existing":0`, `"created":0,"existing":2`} {
		code, body := ana.do("POST", base+"/api/orders/import?store=shopify-main", "text/csv", text)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("import %d = %d %s; want %s", i+1, code, body, want)
		}
	}
	code, _, body = ana.get(base + "/api/orders")
	var list struct {
		Orders []apiOrder `json:"orders"`
	}
	if err := json.Unmarshal([]byte(body), &list); code != http.StatusOK || err != nil || len(list.Orders) != 4 {
		t.Errorf("GET /api/orders = %d, %d orders; want 4\n%s", code, len(list.Orders), body)
	}

	// The pages: the list, an order with its pre-flight line by line, placing from the page.
	if code, _, body := ana.get(base + "/orders"); code != http.StatusOK || !strings.Contains(body, "#1001") || !strings.Contains(body, "#1002") || !strings.Contains(body, `id="nav-orders"`) ||
		!strings.Contains(body, `href="/api/orders/tracking?format=shopify"`) {
		t.Errorf("GET /orders = %d; want the orders listed\n%s", code, body)
	}
	if code, _, body := ana.get(fmt.Sprintf("%s/orders/%d", base, good.ID)); code != http.StatusOK || !strings.Contains(body, sim[0]) {
		t.Errorf("GET /orders/%d = %d; want its AliExpress order %s\n%s", good.ID, code, sim[0], body)
	}
	if code, body := ana.form(fmt.Sprintf("%s/orders/%d/place", base, bad.ID), nil); code != http.StatusUnprocessableEntity || !strings.Contains(body, `data-field="address.full_name"`) {
		t.Errorf("placing the bad order from its page = %d; want 422 naming address.full_name\n%s", code, body)
	}
	if code, _, _ := bob.get(fmt.Sprintf("%s/orders/%d", base, good.ID)); code != http.StatusNotFound {
		t.Errorf("another user's order page = %d; want 404", code)
	}

	// The webhook needs no sign-in and only causes a check.
	wh := fmt.Sprintf(`{"data":{"buyerId":1,"orderId":%s,"orderStatus":"OrderShipped"},"message_type":53,"seller_id":"x","site":"ae_global","timestamp":1}`, sim[0])
	if code, body := newUser(t).json("POST", base+"/webhooks/aliexpress", wh); code != http.StatusOK {
		t.Errorf("POST /webhooks/aliexpress = %d %s; want 200", code, body)
	}
	if code, _ := newUser(t).json("POST", base+"/webhooks/aliexpress", `{"data":{}}`); code != http.StatusBadRequest {
		t.Errorf("POST /webhooks/aliexpress without an order id = %d; want 400", code)
	}

	// Once the order is paid on AliExpress and the follower has seen it, the operator's monthly
	// assessment counts its amount and ana as a user served. (ana signed up first: she is the
	// operator.)
	aeID, _ := strconv.ParseInt(sim[0], 10, 64)
	if !sb.PayOrder(aeID) {
		t.Fatalf("the simulator could not pay order %d", aeID)
	}
	sb.Advance(2 * time.Hour) // past the payment's processing
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := newUser(t).json("POST", base+"/webhooks/aliexpress", wh); code != http.StatusOK {
			t.Fatalf("POST /webhooks/aliexpress = %d", code)
		}
		_, _, body := ana.get(fmt.Sprintf("%s/api/orders/%d", base, good.ID))
		if strings.Contains(body, `"paid":true`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the order was not seen paid within 30 s: %s", body)
		}
		time.Sleep(300 * time.Millisecond)
	}
	// The paid sale is reported to AliExpress once, by a job.
	deadline = time.Now().Add(30 * time.Second)
	for {
		_, _, body := ana.get(fmt.Sprintf("%s/api/orders/%d", base, good.ID))
		if strings.Contains(body, `"report":{"state":"sent"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sale was not reported within 30 s: %s", body)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if n := sb.CallStats().Methods["aliexpress.ds.member.orderdata.submit"]; n != 1 {
		t.Errorf("orderdata.submit was called %d times for one paid order of one line; want 1", n)
	}
	code, _, body = ana.get(base + "/api/operator/assessment")
	var a struct {
		Users       int `json:"users"`
		OrderAmount struct {
			Amount   string `json:"amount"`
			Currency string `json:"currency"`
		} `json:"order_amount"`
	}
	if err := json.Unmarshal([]byte(body), &a); code != http.StatusOK || err != nil || a.Users != 1 ||
		a.OrderAmount.Currency != "USD" || a.OrderAmount.Amount == "" || a.OrderAmount.Amount == "0.00" {
		t.Errorf("GET /api/operator/assessment after a paid order = %d %s; want ana served and the amount paid", code, body)
	}
	if code, _, _ := bob.get(base + "/api/operator/assessment"); code != http.StatusForbidden {
		t.Errorf("a member's GET /api/operator/assessment = %d; want 403", code)
	}

	// Once the parcel ships, its tracking number goes back to the store as a Shopify CSV.
	sb.Advance(5 * 24 * time.Hour)
	deadline = time.Now().Add(30 * time.Second)
	for {
		newUser(t).json("POST", base+"/webhooks/aliexpress", wh)
		_, _, body := ana.get(fmt.Sprintf("%s/api/orders/%d", base, good.ID))
		if strings.Contains(body, `"number":"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no tracking number within 30 s: %s", body)
		}
		time.Sleep(300 * time.Millisecond)
	}
	code, _, body = ana.get(base + "/api/orders/tracking?format=shopify")
	if code != http.StatusOK || !strings.HasPrefix(body, "Order Name,Tracking Number,Tracking Company") || !strings.Contains(body, "#1001,LP") {
		t.Errorf("GET /api/orders/tracking?format=shopify = %d\n%s", code, body)
	}
	if code, _, body := bob.get(base + "/api/orders/tracking?format=json"); code != http.StatusOK || strings.Contains(body, "#1001") {
		t.Errorf("another user's tracking export = %d %s; want none of ana's orders", code, body)
	}
	if code, _, _ := ana.get(base + "/api/orders/tracking?format=xml"); code != http.StatusBadRequest {
		t.Errorf("a tracking export in an unknown format = %d; want 400", code)
	}
}
