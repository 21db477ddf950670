package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// ctlEnv is a Sandbox server with its test controls on, and an SDK client acting for
// DefaultUserNick on a clock of its own that the controls do not move: as a program under a
// black-box test sees it.
type ctlEnv struct {
	srv   *Server
	clock *clock // the client's clock, and the Sandbox's before the controls move it
	c     *aliexpress.Client
	ctx   context.Context
}

func newCtlEnv(t *testing.T, edits ...func(*Options)) *ctlEnv {
	t.Helper()
	ck := &clock{t: testEpoch}
	opts := Options{Now: ck.Now, Control: true, DefaultQPS: -1, OrderVisibleAfter: -1}
	for _, edit := range edits {
		edit(&opts)
	}
	srv := NewServer(opts)
	t.Cleanup(srv.Close)
	x := &ctlEnv{srv: srv, clock: ck, ctx: context.Background()}
	token, _ := srv.IssueToken(DefaultUserNick)
	x.c = x.client(t).WithAccessToken(token)
	return x
}

// client returns a new SDK client without retries, for DefaultUserNick once given a token. A new
// one starts without the ban an ApiCallLimit put on its method.
func (x *ctlEnv) client(t *testing.T) *aliexpress.Client {
	t.Helper()
	c, err := aliexpress.NewClient(DefaultAppKey, DefaultAppSecret,
		aliexpress.WithGateway(x.srv.URL), aliexpress.WithClock(x.clock.Now), aliexpress.WithTrackingID(sdkTrackingID),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

// do sends a control request and decodes its JSON answer.
func (x *ctlEnv) do(t *testing.T, method, path, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, x.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("%s %s: Content-Type %q, body %s; want JSON", method, path, ct, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, raw)
	}
	return resp.StatusCode, out
}

// ok sends a control request that must succeed.
func (x *ctlEnv) ok(t *testing.T, method, path, body string) map[string]any {
	t.Helper()
	code, out := x.do(t, method, path, body)
	if code != http.StatusOK {
		t.Fatalf("%s %s %s = %d %v; want 200", method, path, body, code, out)
	}
	return out
}

// bad sends a control request that must be refused with 400 naming field.
func (x *ctlEnv) bad(t *testing.T, method, path, body, field string) {
	t.Helper()
	code, out := x.do(t, method, path, body)
	got, _ := out["field"].(string)
	if code != http.StatusBadRequest || got != field || out["error"] == "" {
		t.Errorf("%s %s %s = %d %v; want 400 naming field %q", method, path, body, code, out, field)
	}
}

func TestControlRoutesOnlyWithControl(t *testing.T) {
	plain := New(Options{})
	unknown := httptest.NewRecorder()
	plain.ServeHTTP(unknown, httptest.NewRequest(http.MethodGet, "/no/such/path", nil))
	for _, path := range []string{"/__sandbox/", "/__sandbox/clock", "/__sandbox/calls", "/__sandbox/orders", "/__sandbox/faults", "/__sandbox/products/1005001234567890"} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			w := httptest.NewRecorder()
			plain.ServeHTTP(w, httptest.NewRequest(method, path, strings.NewReader(`{"advance":"24h"}`)))
			if w.Code != http.StatusNotFound || w.Body.String() != unknown.Body.String() {
				t.Errorf("%s %s without Control = %d %q; want the 404 of any unknown path, %q", method, path, w.Code, w.Body.String(), unknown.Body.String())
			}
		}
	}
	if now := plain.Now(); time.Since(now).Abs() > time.Minute {
		t.Errorf("Now() without Control = %v; want the real clock", now)
	}

	x := newCtlEnv(t)
	idx := x.ok(t, http.MethodGet, "/__sandbox/", "")
	if list, _ := idx["controls"].([]any); len(list) < 6 {
		t.Errorf("GET /__sandbox/ = %v; want the list of controls", idx)
	}
	if code, out := x.do(t, http.MethodGet, "/__sandbox/nothing", ""); code != http.StatusNotFound || out["error"] == "" {
		t.Errorf("GET /__sandbox/nothing = %d %v; want a JSON 404", code, out)
	}
	if code, out := x.do(t, http.MethodPut, "/__sandbox/clock", `{}`); code != http.StatusMethodNotAllowed || out["error"] == "" {
		t.Errorf("PUT /__sandbox/clock = %d %v; want a JSON 405", code, out)
	}
}

func TestControlClock(t *testing.T) {
	x := newCtlEnv(t)
	st := x.ok(t, http.MethodGet, "/__sandbox/clock", "")
	if st["now"] != testEpoch.Format(time.RFC3339Nano) || st["day"] != float64(world.Day(testEpoch)) || st["moved"] != "0s" {
		t.Fatalf("GET clock = %v; want %s, day %d, moved 0s", st, testEpoch.Format(time.RFC3339), world.Day(testEpoch))
	}
	p := findProduct(t, x.srv.Sandbox, testEpoch, "US", "several SKUs in stock", nil)
	if _, _, err := x.c.DS.Product(x.ctx, p.ID, &aliexpress.DSProductOptions{ShipTo: "US"}); err != nil {
		t.Fatalf("DS.Product with a fresh test-app token: %v", err)
	}

	// A test app's token lives one day: advancing 24 hours expires it, although the client's own
	// clock has not moved.
	st = x.ok(t, http.MethodPost, "/__sandbox/clock", `{"advance": "24h"}`)
	want := testEpoch.Add(24 * time.Hour)
	if st["now"] != want.Format(time.RFC3339Nano) || st["day"] != float64(world.Day(want)) || st["moved"] != "24h0m0s" {
		t.Errorf("POST clock advance 24h = %v; want %s, day %d", st, want.Format(time.RFC3339), world.Day(want))
	}
	if got := x.srv.Now(); !got.Equal(want) {
		t.Errorf("Now() after advance 24h = %v; want %v", got, want)
	}
	_, _, err := x.c.DS.Product(x.ctx, p.ID, &aliexpress.DSProductOptions{ShipTo: "US"})
	if !errors.Is(err, aliexpress.ErrInvalidToken) {
		t.Errorf("DS.Product after advance 24h err = %v; want ErrInvalidToken (the test app's token expired)", err)
	}
	// The client signs with its own, unmoved clock, and is still accepted.
	if _, _, err := x.c.Affiliate.ProductDetails(x.ctx, []int64{p.ID}, nil); err != nil {
		t.Errorf("ProductDetails signed at the unmoved time after advance: %v", err)
	}
	// So is one that follows the moved clock.
	x.clock.Advance(24 * time.Hour)
	st = x.ok(t, http.MethodGet, "/__sandbox/clock", "")
	if st["now"] != testEpoch.Add(48*time.Hour).Format(time.RFC3339Nano) {
		t.Errorf("clock after the underlying clock moved a day more = %v; want epoch + 48h (it runs on)", st["now"])
	}
	if _, _, err := x.c.Affiliate.ProductDetails(x.ctx, []int64{p.ID}, nil); err != nil {
		t.Errorf("ProductDetails signed at the moved time: %v", err)
	}
	x.clock.Advance(-24 * time.Hour)

	x.ok(t, http.MethodPost, "/__sandbox/clock", `{"advance": "36h"}`)
	if got := x.srv.Now(); !got.Equal(testEpoch.Add(60 * time.Hour)) {
		t.Errorf("Now() after advance 24h and 36h = %v; want epoch + 60h", got)
	}
	set := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	st = x.ok(t, http.MethodPost, "/__sandbox/clock", `{"set": "2026-06-01T14:00:00+02:00"}`)
	if st["now"] != set.Format(time.RFC3339Nano) || st["day"] != float64(world.Day(set)) {
		t.Errorf("POST clock set = %v; want %s", st, set.Format(time.RFC3339))
	}
	x.srv.SetNow(x.clock.Now)
	if got := x.srv.Now(); !got.Equal(testEpoch) {
		t.Errorf("Now() after SetNow = %v; want the new clock's %v, unmoved", got, testEpoch)
	}

	x.bad(t, http.MethodPost, "/__sandbox/clock", `{"advance": "a day"}`, "advance")
	x.bad(t, http.MethodPost, "/__sandbox/clock", `{"advance": "-1h"}`, "advance")
	x.bad(t, http.MethodPost, "/__sandbox/clock", `{"advance": 24}`, "advance")
	x.bad(t, http.MethodPost, "/__sandbox/clock", `{"set": "June 1"}`, "set")
	x.bad(t, http.MethodPost, "/__sandbox/clock", `{}`, "advance")
	x.bad(t, http.MethodPost, "/__sandbox/clock", `{"advance": "1h", "set": "2026-06-01T00:00:00Z"}`, "advance")
	x.bad(t, http.MethodPost, "/__sandbox/clock", `{"advnace": "1h"}`, "advnace")
	x.bad(t, http.MethodPost, "/__sandbox/clock", ``, "")
}

func TestControlProduct(t *testing.T) {
	x := newCtlEnv(t)
	p := findProduct(t, x.srv.Sandbox, testEpoch, "US", "several SKUs in stock", nil)
	path := "/__sandbox/products/" + strconv.FormatInt(p.ID, 10)
	usd := func(cents int64) aliexpress.Money { return amount(t, cents, "USD") }
	ds := func() *aliexpress.DSProduct {
		t.Helper()
		d, _, err := x.c.DS.Product(x.ctx, p.ID, &aliexpress.DSProductOptions{ShipTo: "US", Currency: "USD"})
		if err != nil {
			t.Fatalf("DS.Product(%d): %v", p.ID, err)
		}
		return d
	}
	service := x.srv.cat.Shipping(p, p.Variants[0].SKUID, "US", 1)[0].Code

	st := x.ok(t, http.MethodGet, path, "")
	if st["listed"] != true || st["override"] != nil || st["sale_price"] != money(p.SalePrice, "USD") {
		t.Errorf("GET %s = %v; want the day's figures and no override", path, st)
	}

	st = x.ok(t, http.MethodPost, path, `{"price": "9.99"}`)
	if o, _ := st["override"].(map[string]any); o["price"] != "9.99" || st["sale_price"] != "9.99" {
		t.Errorf("POST price 9.99 = %v; want the override and a sale price of 9.99", st)
	}
	aff, _, err := x.c.Affiliate.ProductDetails(x.ctx, []int64{p.ID}, &aliexpress.ProductDetailsOptions{TargetCurrency: "USD"})
	if err != nil || len(aff) != 1 || aff[0].TargetSalePrice != usd(999) || aff[0].TargetOriginalPrice.Amount < 999 {
		t.Errorf("ProductDetails after price 9.99 = %+v, %v; want a sale price of 9.99 USD under the original", aff, err)
	}
	for _, v := range ds().Variants {
		if v.SalePrice != usd(999) || v.Price.Amount < 999 || v.Stock != findVariant(p, v.SKUID).Stock {
			t.Errorf("DS.Product variant %s after price 9.99 = sale %v list %v stock %d; want 9.99 USD and the day's stock", v.SKUID, v.SalePrice, v.Price, v.Stock)
		}
	}
	req := orderRequest(p, p.Variants[0], 1, service)
	req.OutOrderID = "CTL-PRICE"
	res, _, err := x.c.DS.CreateOrder(x.ctx, req)
	if err != nil || len(res.OrderIDs) != 1 {
		t.Fatalf("CreateOrder at the overridden price: %+v, %v", res, err)
	}
	if o, _, err := x.c.DS.Order(x.ctx, res.OrderIDs[0]); err != nil || o.Items[0].Price != usd(999) {
		t.Errorf("Order placed under the override = %+v, %v; want the line at 9.99 USD", o, err)
	}

	// The override wins over the next day's figures; what it leaves unset moves with the day.
	x.ok(t, http.MethodPost, "/__sandbox/clock", `{"advance": "24h"}`)
	tomorrow, _ := New(Options{}).cat.Product(p.ID, world.Day(testEpoch)+1)
	st = x.ok(t, http.MethodGet, path, "")
	if st["sale_price"] != "9.99" {
		t.Errorf("GET %s a day later = %v; want the overridden 9.99", path, st)
	}
	if vs, _ := st["variants"].([]any); len(vs) != len(tomorrow.Variants) || vs[0].(map[string]any)["stock"] != float64(tomorrow.Variants[0].Stock) {
		t.Errorf("GET %s a day later: variants %v; want the next day's stock %d", path, vs, tomorrow.Variants[0].Stock)
	}
	x.srv.SetNow(x.clock.Now)
	x.srv.SetBuyerStatus(DefaultUserNick, BuyerActive)
	token, _ := x.srv.IssueToken(DefaultUserNick)
	x.c = x.c.WithAccessToken(token)

	// Stock 0, keeping the price: out of stock everywhere, orders refused.
	st = x.ok(t, http.MethodPost, path, `{"stock": 0}`)
	if o, _ := st["override"].(map[string]any); o["price"] != "9.99" || o["stock"] != float64(0) {
		t.Errorf("POST stock 0 after price 9.99 = %v; want both in the override", st)
	}
	for _, v := range ds().Variants {
		if v.Stock != 0 || v.SalePrice != usd(999) {
			t.Errorf("DS.Product variant %s after stock 0 = stock %d, sale %v; want 0 at 9.99", v.SKUID, v.Stock, v.SalePrice)
		}
	}
	opts, _, err := x.c.DS.Freight(x.ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: p.Variants[0].SKUID, Quantity: 1, ShipTo: "US", Currency: "USD"})
	if err != nil || len(opts) == 0 || opts[0].AvailableStock != 0 {
		t.Errorf("Freight after stock 0 = %+v, %v; want options with no stock available", opts, err)
	}
	req.OutOrderID = "CTL-STOCK"
	_, _, err = x.c.DS.CreateOrder(x.ctx, req)
	wantErr(t, "CreateOrder(stock 0)", err, aliexpress.ErrOrderRejected, "INVENTORY_HOLD_ERROR", "")

	// Gone: not found the way the platform says it of each API.
	listed := func(t *testing.T) bool {
		t.Helper()
		q := &aliexpress.ProductQuery{CategoryIDs: []int64{p.CategoryID}, MinSalePrice: usd(999), MaxSalePrice: usd(999), PageSize: 50}
		page, _, err := x.c.Affiliate.QueryProducts(x.ctx, q)
		if err != nil && !errors.Is(err, aliexpress.ErrNoResults) {
			t.Fatalf("QueryProducts: %v", err)
		}
		for _, q := range page.Products {
			if q.ID == p.ID {
				return true
			}
		}
		return false
	}
	if !listed(t) {
		t.Fatalf("QueryProducts at 9.99 in its category leaves out product %d priced 9.99 by its override", p.ID)
	}
	x.ok(t, http.MethodPost, path, `{"gone": true}`)
	if got, _, err := x.c.Affiliate.ProductDetails(x.ctx, []int64{p.ID}, nil); len(got) != 0 {
		t.Errorf("ProductDetails of a gone product = %+v, %v; want nothing", got, err)
	}
	_, _, err = x.c.DS.Product(x.ctx, p.ID, &aliexpress.DSProductOptions{ShipTo: "US"})
	if !errors.Is(err, aliexpress.ErrItemNotFound) {
		t.Errorf("DS.Product of a gone product err = %v; want ErrItemNotFound", err)
	}
	_, _, err = x.c.DS.Freight(x.ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: p.Variants[0].SKUID, Quantity: 1, ShipTo: "US", Currency: "USD"})
	wantErr(t, "Freight(gone)", err, nil, "501", "")
	req.OutOrderID = "CTL-GONE"
	_, _, err = x.c.DS.CreateOrder(x.ctx, req)
	wantErr(t, "CreateOrder(gone)", err, aliexpress.ErrOrderRejected, "ERROR_WHEN_BUILD_FOR_PLACE_ORDER", "")
	if listed(t) {
		t.Errorf("QueryProducts at 9.99 in its category lists product %d made gone", p.ID)
	}
	if st := x.ok(t, http.MethodGet, path, ""); st["listed"] != false {
		t.Errorf("GET %s when gone = %v; want listed false", path, st)
	}

	// DELETE, and {"reset": true}, give the day's figures back.
	x.ok(t, http.MethodDelete, path, "")
	// (less the unit the order at 9.99 took)
	if d := ds(); d.Variants[0].SalePrice != usd(p.Variants[0].SalePrice) || d.Variants[0].Stock != p.Variants[0].Stock-1 {
		t.Errorf("DS.Product after DELETE = sale %v stock %d; want the day's %s and %d", d.Variants[0].SalePrice, d.Variants[0].Stock, money(p.Variants[0].SalePrice, "USD"), p.Variants[0].Stock-1)
	}
	x.ok(t, http.MethodPost, path, `{"price": 5, "stock": 3}`)
	if o, _ := x.srv.Override(p.ID); o.Price != 500 || o.Stock == nil || *o.Stock != 3 || o.Gone {
		t.Errorf("Override after price 5 (a number), stock 3 = %+v; want 500 cents and 3", o)
	}
	x.ok(t, http.MethodPost, path, `{"reset": true}`)
	if _, ok := x.srv.Override(p.ID); ok {
		t.Error("Override after reset: still there")
	}
	x.ok(t, http.MethodPost, path, `{"gone": true}`)
	if st := x.ok(t, http.MethodPost, path, `{"gone": false}`); st["override"] != nil || st["listed"] != true {
		t.Errorf("POST gone false over a gone-only override = %v; want no override left and the product listed", st)
	}
	x.bad(t, http.MethodPost, path, `{}`, "")

	x.bad(t, http.MethodPost, path, `{"price": "cheap"}`, "price")
	x.bad(t, http.MethodPost, path, `{"price": "0"}`, "price")
	x.bad(t, http.MethodPost, path, `{"price": "9.999"}`, "price")
	x.bad(t, http.MethodPost, path, `{"stock": -1}`, "stock")
	x.bad(t, http.MethodPost, path, `{"stock": "many"}`, "stock")
	x.bad(t, http.MethodPost, path, `{"gone": "yes"}`, "gone")
	x.bad(t, http.MethodPost, path, `{"reset": true, "stock": 1}`, "reset")
	x.bad(t, http.MethodPost, path, `{"colour": "red"}`, "colour")
	x.bad(t, http.MethodPost, "/__sandbox/products/abc", `{"gone": true}`, "id")
	if code, out := x.do(t, http.MethodPost, "/__sandbox/products/1005000000000001", `{"gone": true}`); code != http.StatusNotFound || out["field"] != "id" {
		t.Errorf("POST an unknown product = %d %v; want 404 naming id", code, out)
	}
	if err := x.srv.SetProduct(1005000000000001, ProductOverride{Gone: true}); !errors.Is(err, ErrUnknownProduct) {
		t.Errorf("SetProduct(unknown) = %v; want ErrUnknownProduct", err)
	}
}

func findVariant(p world.Product, sku string) world.Variant {
	v, _ := p.Variant(sku)
	return v
}

func TestControlCallsCount(t *testing.T) {
	x := newCtlEnv(t)
	ids := x.srv.SampleProductIDs(2)
	for range 3 {
		if _, _, err := x.c.Affiliate.ProductDetails(x.ctx, ids, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := x.c.DS.Product(x.ctx, 1005000000000001, &aliexpress.DSProductOptions{ShipTo: "US"})
	if !errors.Is(err, aliexpress.ErrItemNotFound) {
		t.Fatalf("DS.Product(unknown) = %v", err)
	}
	x.srv.ResetCalls() // the call log; the counts go on
	bad, _ := aliexpress.NewClient(DefaultAppKey, "wrong-secret", aliexpress.WithGateway(x.srv.URL), aliexpress.WithClock(x.clock.Now),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}))
	if _, _, err := bad.Affiliate.ProductDetails(x.ctx, ids, nil); !errors.Is(err, aliexpress.ErrSignature) {
		t.Fatalf("ProductDetails with a wrong secret = %v", err)
	}
	e := &env{t: t, sb: x.srv.Sandbox, clock: x.clock}
	e.call("aliexpress.no.such.method", nil)
	e.call("aliexpress.no.such.method.either", nil)
	st := x.ok(t, http.MethodGet, "/__sandbox/calls", "")
	calls, _ := st["calls"].(map[string]any)
	outcomes, _ := st["outcomes"].(map[string]any)
	if calls["aliexpress.affiliate.productdetail.get"] != float64(4) || calls["aliexpress.ds.product.get"] != float64(1) ||
		calls[UnknownMethod] != float64(2) || st["total"] != float64(7) || len(calls) != 3 {
		t.Errorf("GET calls = %v; want 4 productdetail.get (one refused), 1 ds.product.get, 2 unknown, 7 in all", st)
	}
	pd, _ := outcomes["aliexpress.affiliate.productdetail.get"].(map[string]any)
	if pd["0"] != float64(3) || pd["IncompleteSignature"] != float64(1) {
		t.Errorf("GET calls outcomes of productdetail.get = %v; want 3 answered 0 and 1 IncompleteSignature", pd)
	}
	st = x.ok(t, http.MethodDelete, "/__sandbox/calls", "")
	if st["total"] != float64(0) {
		t.Errorf("DELETE calls = %v; want the counts back to zero", st)
	}
}

func TestControlFaults(t *testing.T) {
	x := newCtlEnv(t)
	p := findProduct(t, x.srv.Sandbox, testEpoch, "US", "several SKUs in stock", nil)
	service := x.srv.cat.Shipping(p, p.Variants[0].SKUID, "US", 1)[0].Code
	orders := func(query string) []any {
		t.Helper()
		list, _ := x.ok(t, http.MethodGet, "/__sandbox/orders"+query, "")["orders"].([]any)
		return list
	}
	armed := func() []any {
		t.Helper()
		list, _ := x.ok(t, http.MethodGet, "/__sandbox/faults", "")["faults"].([]any)
		return list
	}
	place := func(out string) ([]int64, error) {
		req := orderRequest(p, p.Variants[0], 1, service)
		req.OutOrderID = out
		res, _, err := x.c.DS.CreateOrder(x.ctx, req)
		if res == nil {
			return nil, err
		}
		return res.OrderIDs, err
	}
	if list := orders(""); len(list) != 0 {
		t.Fatalf("orders before any = %v; want none", list)
	}

	// drop-answer: the order is made, the client gets no answer; a retry is refused as a repeat.
	x.ok(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "drop-answer", "times": 1}`)
	if list := armed(); len(list) != 1 || list[0].(map[string]any)["times"] != float64(1) {
		t.Errorf("faults armed = %v; want drop-answer with 1 call left", list)
	}
	if _, err := place("DROP-1"); err == nil {
		t.Fatal("CreateOrder under drop-answer: an answer came; want a lost one")
	}
	list := orders("?out_order_id=DROP-1")
	if len(list) != 1 {
		t.Fatalf("orders of DROP-1 after a dropped answer = %v; want the one order made", list)
	}
	o := list[0].(map[string]any)
	prods, _ := o["products"].([]any)
	if o["status"] != "PLACE_ORDER_SUCCESS" || o["user"] != DefaultUserNick || o["order_id"] == nil || len(prods) != 1 ||
		prods[0].(map[string]any)["product_id"] != float64(p.ID) || o["amount"] == "" || o["created"] != testEpoch.Format(time.RFC3339) {
		t.Errorf("order of DROP-1 = %v; want awaiting payment, %s, one line of product %d", o, DefaultUserNick, p.ID)
	}
	if list := armed(); len(list) != 0 {
		t.Errorf("faults armed after the one call = %v; want none", list)
	}
	if _, err := place("DROP-1"); !errors.Is(err, aliexpress.ErrDuplicateOrder) {
		t.Errorf("CreateOrder(DROP-1) again = %v; want ErrDuplicateOrder", err)
	}

	// 5xx twice: nothing is made, the count goes down by one per call, then calls go through.
	x.ok(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "5xx", "times": 2}`)
	x.ok(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.product.get", "fault": "rate-limit", "times": 3}`)
	if list := armed(); len(list) != 2 {
		t.Errorf("faults armed for two methods = %v; want both", list)
	}
	for i := range 2 {
		if _, err := place("FIVE-1"); !errors.Is(err, aliexpress.ErrUnavailable) {
			t.Errorf("CreateOrder under 5xx, call %d = %v; want ErrUnavailable", i+1, err)
		}
		left := -1
		for _, f := range armed() {
			if f := f.(map[string]any); f["method"] == "aliexpress.ds.order.create" {
				left = int(f["times"].(float64))
			}
		}
		if want := 1 - i; left != want && !(want == 0 && left == -1) {
			t.Errorf("5xx calls left after call %d = %d; want %d", i+1, left, want)
		}
	}
	if list := orders("?out_order_id=FIVE-1"); len(list) != 0 {
		t.Errorf("orders of FIVE-1 after two 5xx = %v; want none", list)
	}
	if ids, err := place("FIVE-1"); err != nil || len(ids) != 1 {
		t.Errorf("CreateOrder(FIVE-1) after the 5xx ran out = %v, %v; want one order", ids, err)
	}

	// rate-limit on another method, armed at the same time, is independent of it. (A new client
	// per call: the SDK keeps to the ban an ApiCallLimit announces.)
	token, _ := x.srv.IssueToken(DefaultUserNick)
	for i := range 3 {
		_, _, err := x.client(t).WithAccessToken(token).DS.Product(x.ctx, p.ID, &aliexpress.DSProductOptions{ShipTo: "US"})
		if !errors.Is(err, aliexpress.ErrRateLimited) {
			t.Errorf("DS.Product under rate-limit, call %d = %v; want ErrRateLimited", i+1, err)
		}
	}
	if _, _, err := x.client(t).WithAccessToken(token).DS.Product(x.ctx, p.ID, &aliexpress.DSProductOptions{ShipTo: "US"}); err != nil {
		t.Errorf("DS.Product after the rate-limit ran out = %v", err)
	}

	// timeout: the order is made and the client's own deadline ends the wait.
	x.ok(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "timeout"}`)
	if list := armed(); len(list) != 1 || list[0].(map[string]any)["hold"] != DefaultFaultHold.String() {
		t.Errorf("timeout armed = %v; want the default hold %s", list, DefaultFaultHold)
	}
	ctx, cancel := context.WithTimeout(x.ctx, 300*time.Millisecond)
	req := orderRequest(p, p.Variants[0], 1, service)
	req.OutOrderID = "SLOW-1"
	_, _, err := x.c.DS.CreateOrder(ctx, req)
	cancel()
	if err == nil {
		t.Error("CreateOrder under timeout: an answer came; want the client's deadline")
	}
	if list := orders("?out_order_id=SLOW-1"); len(list) != 1 {
		t.Errorf("orders of SLOW-1 after a timeout = %v; want the one order made", list)
	}
	// A short hold ends by itself, without an answer.
	x.ok(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "timeout", "hold": "50ms"}`)
	if _, err := place("SLOW-2"); err == nil {
		t.Error("CreateOrder under a 50ms hold: an answer came; want none")
	}
	if list := orders(""); len(list) != 4 {
		t.Errorf("orders in all = %d; want 4 (DROP-1, FIVE-1, SLOW-1, SLOW-2)", len(list))
	}
	calls := x.srv.CallStats()
	if n := calls.Methods["aliexpress.ds.order.create"]; n != 7 {
		t.Errorf("CallStats ds.order.create = %d; want 7 (drop, repeat, two 5xx, one through, two held)", n)
	}
	if n := calls.Outcomes["aliexpress.ds.order.create"]["http-502"] + calls.Outcomes["aliexpress.ds.order.create"]["http-503"]; n != 2 {
		t.Errorf("CallStats outcomes of ds.order.create = %v; want two 5xx", calls.Outcomes["aliexpress.ds.order.create"])
	}

	// DELETE disarms; a fault armed then disarmed never fires.
	x.ok(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "5xx", "times": 5}`)
	x.ok(t, http.MethodDelete, "/__sandbox/faults?method=aliexpress.ds.order.create", "")
	if list := armed(); len(list) != 0 {
		t.Errorf("faults after DELETE = %v; want none", list)
	}
	if ids, err := place("AFTER-1"); err != nil || len(ids) != 1 {
		t.Errorf("CreateOrder after DELETE faults = %v, %v; want an order", ids, err)
	}

	x.bad(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.make", "fault": "5xx"}`, "method")
	x.bad(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "explode"}`, "fault")
	x.bad(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "5xx", "times": 0}`, "times")
	x.bad(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "5xx", "hold": "1s"}`, "hold")
	x.bad(t, http.MethodPost, "/__sandbox/faults", `{"method": "aliexpress.ds.order.create", "fault": "timeout", "hold": "1h"}`, "hold")
	x.bad(t, http.MethodGet, "/__sandbox/orders?status=open", "", "status")
	x.bad(t, http.MethodDelete, "/__sandbox/faults?method=nope", "", "method")
}

func TestArmFaultInProcess(t *testing.T) {
	sb := New(Options{})
	for _, f := range []CountedFault{
		{Method: "nope", Fault: Fault5xx, Times: 1},
		{Method: "aliexpress.ds.order.create", Fault: "melt", Times: 1},
		{Method: "aliexpress.ds.order.create", Fault: Fault5xx, Times: 0},
		{Method: "aliexpress.ds.order.create", Fault: FaultDropAnswer, Times: 1, Hold: time.Second},
		{Method: "aliexpress.ds.order.create", Fault: FaultTimeout, Times: 1, Hold: time.Hour},
	} {
		if err := sb.ArmFault(f); err == nil {
			t.Errorf("ArmFault(%+v) = nil; want an error", f)
		}
	}
	if err := sb.ArmFault(CountedFault{Method: "/auth/token/create", Fault: FaultRateLimit, Times: 2}); err != nil {
		t.Fatalf("ArmFault(system API) = %v", err)
	}
	if got := sb.ArmedFaults(); len(got) != 1 || got[0].Times != 2 {
		t.Errorf("ArmedFaults() = %+v; want one with 2 calls left", got)
	}
	sb.DisarmFaults("")
	if got := sb.ArmedFaults(); len(got) != 0 {
		t.Errorf("ArmedFaults() after DisarmFaults = %+v; want none", got)
	}
}
