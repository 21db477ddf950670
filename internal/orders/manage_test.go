package orders_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/orders"
	"github.com/aliscout/aliscout/internal/store"
)

// priced makes the env's product cost exactly cents on AliExpress, and returns an order of one
// unit paid storeCents in the store.
func (e *env) priced(t *testing.T, number string, cents, storeCents int64) store.Order {
	t.Helper()
	if err := e.srv.SetProduct(e.productID, sandbox.ProductOverride{Price: cents}); err != nil {
		t.Fatal(err)
	}
	o := e.storeOrder(t, number)
	o.Lines[0].StorePrice = catalog.Money{Amount: storeCents, Currency: "USD"}
	o, err := e.st.UpdateOrder(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func problemFields(ps []store.OrderProblem) string {
	var f []string
	for _, p := range ps {
		f = append(f, p.Field)
	}
	return strings.Join(f, ",")
}

// A margin below the user's floor stops the placement until the user confirms it; nothing reaches
// AliExpress before.
func TestMarginFloorNeedsConfirmation(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	o := e.priced(t, "#2001", 1000, 1050) // 10.00 on AliExpress, 10.50 paid: at most 4.8 %
	got, err := e.svc.Check(ctx, e.user.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Problems) != 1 || got.Problems[0].Field != "margin" || !got.Problems[0].Confirm || got.State != store.OrderNeedsAttention {
		t.Fatalf("check of a thin order = %s %+v; want one margin problem to confirm", got.State, got.Problems)
	}
	if !strings.Contains(got.Problems[0].Message, "below your floor of 15%") || got.Lines[0].UnitCost != (catalog.Money{Amount: 1000, Currency: "USD"}) {
		t.Errorf("margin problem = %q, unit cost %v; want the floor named and a 10.00 USD cost", got.Problems[0].Message, got.Lines[0].UnitCost)
	}
	if m, ok := got.Margin(); !ok || m.Percent >= 5 || m.Paid.Amount != 1050 {
		t.Errorf("Margin = %+v, %v; want under 5 %% of 10.50", m, ok)
	}
	if _, err := e.svc.Place(ctx, e.user.ID, o.ID, false); !errors.Is(err, orders.ErrProblems) {
		t.Fatalf("Place without confirming: err = %v; want the problems", err)
	}
	if n := e.srv.CallStats().Methods["aliexpress.ds.order.create"]; n != 0 {
		t.Fatalf("%d ds.order.create calls before the user confirmed; want none", n)
	}
	placed, err := e.svc.Place(ctx, e.user.ID, o.ID, true)
	if err != nil || placed.State != store.OrderPlaced || len(e.simOrders(placed.OutOrderID)) != 1 {
		t.Fatalf("Place confirmed = %s, %v; want placed once", placed.State, err)
	}

	// A user who accepts losses sets the floor below zero: the same order then needs no confirmation.
	if _, err := e.st.SaveOrderSettings(ctx, store.OrderSettings{UserID: e.user.ID, MarginFloorPct: -100}); err != nil {
		t.Fatal(err)
	}
	o2 := e.priced(t, "#2002", 1000, 1050)
	if got, err := e.svc.Check(ctx, e.user.ID, o2.ID); err != nil || len(got.Problems) != 0 || got.State != store.OrderChecked {
		t.Errorf("check with a floor of -100 %% = %s %+v, %v; want checked", got.State, got.Problems, err)
	}
}

// The longest delivery the user accepts rules out slower shipping methods, with the fix named.
func TestMaxDeliveryDays(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.st.SaveOrderSettings(ctx, store.OrderSettings{UserID: e.user.ID, MarginFloorPct: -100, MaxDeliveryDays: 1}); err != nil {
		t.Fatal(err)
	}
	o := e.storeOrder(t, "#2101")
	got, err := e.svc.Check(ctx, e.user.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if problemFields(got.Problems) != "lines[0].logistics_service" || !strings.Contains(got.Problems[0].Message, "within your limit of 1 days") {
		t.Fatalf("check with a 1-day limit = %+v; want the shipping method named", got.Problems)
	}
	if _, err := e.st.SaveOrderSettings(ctx, store.OrderSettings{UserID: e.user.ID, MarginFloorPct: -100, MaxDeliveryDays: 90}); err != nil {
		t.Fatal(err)
	}
	if got, err = e.svc.Check(ctx, e.user.ID, o.ID); err != nil || len(got.Problems) != 0 || got.Lines[0].LogisticsService == "" {
		t.Errorf("check with a 90-day limit = %+v, %v; want a method chosen", got.Problems, err)
	}
}

// A dry run shows the request placing would send, with the auto-pay choice, and sends nothing;
// no credential is in it. Lines of the same variant go as one item.
func TestDryRun(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.st.SaveOrderSettings(ctx, store.OrderSettings{UserID: e.user.ID, AutoPay: true, MarginFloorPct: -100}); err != nil {
		t.Fatal(err)
	}
	o := e.storeOrder(t, "#2201")
	o.Lines = append(o.Lines, o.Lines[0])
	o.Lines[1].Quantity = 2
	if _, err := e.st.UpdateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	d, err := e.svc.DryRun(ctx, e.user.ID, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Method != "aliexpress.ds.order.create" || len(d.Problems) != 0 || !d.AutoPay {
		t.Fatalf("DryRun = %s %+v auto-pay %v", d.Method, d.Problems, d.AutoPay)
	}
	place := d.Params["param_place_order_request4_open_api_d_t_o"]
	for _, want := range []string{`"out_order_id":"` + orders.OutOrderID(e.user.ID, "myshop", "#2201") + `"`, `"product_count":3`, `"product_id":` + itoa(e.productID), `"full_name":"Jane Doe"`} {
		if !strings.Contains(place, want) {
			t.Errorf("dry run request lacks %s:\n%s", want, place)
		}
	}
	if strings.Count(place, `"product_count"`) != 1 {
		t.Errorf("two lines of one variant gave several items:\n%s", place)
	}
	if !strings.Contains(d.Params["ds_extend_request"], `"try_to_pay":"true"`) {
		t.Errorf("auto-pay on, but ds_extend_request = %s", d.Params["ds_extend_request"])
	}
	for k, v := range d.Params {
		for _, secret := range []string{sandbox.DefaultAppSecret, sandbox.DefaultAppKey, "access_token", "session", "sign"} {
			if strings.Contains(k+v, secret) {
				t.Errorf("dry run param %s holds %q", k, secret)
			}
		}
	}
	if n := e.srv.CallStats().Methods["aliexpress.ds.order.create"]; n != 0 {
		t.Errorf("a dry run made %d ds.order.create calls", n)
	}
	if got, _ := e.st.Order(ctx, e.user.ID, o.ID); got.State != store.OrderChecked || got.OutOrderID != "" {
		t.Errorf("after a dry run the order is %s with out_order_id %q; want checked, no intent", got.State, got.OutOrderID)
	}
}

// A store line aliscout did not export waits for a mapping; once mapped, it and the later
// orders of that store variant are bought as the mapped product.
func TestVariantMapping(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	if _, err := e.st.SaveOrderSettings(ctx, store.OrderSettings{UserID: e.user.ID, MarginFloorPct: -100}); err != nil {
		t.Fatal(err)
	}
	csv := "order_id,order_number,order_currency,shipping_first_name,shipping_last_name,shipping_phone,shipping_address_1,shipping_address_2,shipping_postcode,shipping_city,shipping_state,shipping_country,line_item_1\n" +
		"1,9001,USD,Jane,Doe,512-555-0100,100 Main Street,,73301,Austin,TX,US,name:Desk Lamp|product_id:55|sku:LAMP-BLK|quantity:1|total:29.99\n"
	got, _, err := e.svc.Import(ctx, e.user.ID, "mywoo", strings.NewReader(csv))
	if err != nil || len(got) != 1 || got[0].Lines[0].StoreSKU != "LAMP-BLK" || got[0].Lines[0].ProductID != "" {
		t.Fatalf("import of a line not exported by aliscout = %+v, %v", got, err)
	}
	checked, err := e.svc.Check(ctx, e.user.ID, got[0].ID)
	if err != nil || problemFields(checked.Problems) != "lines[0].product_id" || !strings.Contains(checked.Problems[0].Message, "LAMP-BLK") {
		t.Fatalf("check of an unmatched line = %+v, %v; want lines[0].product_id named", checked.Problems, err)
	}
	if _, err := e.svc.SaveMapping(ctx, store.VariantMapping{UserID: e.user.ID, Store: "mywoo", StoreSKU: "LAMP-BLK", ProductID: "not a product"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("mapping to %q: err = %v; want ErrInvalid", "not a product", err)
	}
	n, err := e.svc.SaveMapping(ctx, store.VariantMapping{UserID: e.user.ID, Store: "mywoo", StoreSKU: "LAMP-BLK",
		ProductID: "https://www.aliexpress.com/item/" + itoa(e.productID) + ".html?spm=a2g0o", SKUAttr: e.attr})
	if err != nil || n != 1 {
		t.Fatalf("SaveMapping = %d, %v; want the one order updated", n, err)
	}
	checked, err = e.svc.Check(ctx, e.user.ID, got[0].ID)
	if err != nil || len(checked.Problems) != 0 || checked.Lines[0].ProductID != itoa(e.productID) {
		t.Fatalf("check after mapping = %+v %+v, %v; want no problem", checked.Lines, checked.Problems, err)
	}
	// The next order of that store variant is bought as the mapped product from its import on.
	next, _, err := e.svc.Import(ctx, e.user.ID, "mywoo", strings.NewReader(strings.Replace(csv, "1,9001", "2,9002", 1)))
	if err != nil || next[0].Lines[0].ProductID != itoa(e.productID) || next[0].Lines[0].SKUAttr != e.attr {
		t.Errorf("a later order of the mapped variant = %+v, %v", next, err)
	}
	// Another store's SKU of the same name is not mapped.
	other, _, err := e.svc.Import(ctx, e.user.ID, "othershop", strings.NewReader(csv))
	if err != nil || other[0].Lines[0].ProductID != "" {
		t.Errorf("the same SKU in another store = %+v, %v; want unmatched", other, err)
	}
}

// When AliExpress placed an order without telling its numbers, the user types them in once.
func TestSetAliExpressOrders(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	o := e.storeOrder(t, "#2301")
	if _, err := e.svc.SetAliExpressOrders(ctx, e.user.ID, o.ID, []int64{81234567890}); !errors.Is(err, orders.ErrNumbersKnown) {
		t.Fatalf("numbers for an order never sent: err = %v; want ErrNumbersKnown", err)
	}
	o, err := e.st.BeginPlacement(ctx, e.user.ID, o.ID, orders.OutOrderID(e.user.ID, "myshop", "#2301"), e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	o.State, o.OutcomeAt, o.Message = store.OrderPlaced, e.clock.Now(), "AliExpress has this order but did not tell its number"
	if o, err = e.st.UpdateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetAliExpressOrders(ctx, e.user.ID, o.ID, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("no numbers: err = %v; want ErrInvalid", err)
	}
	got, err := e.svc.SetAliExpressOrders(ctx, e.user.ID, o.ID, []int64{81234567890, 81234567891})
	if err != nil || len(got.AEOrderIDs) != 2 || got.State != store.OrderPlaced || got.NextCheckAt.IsZero() {
		t.Fatalf("SetAliExpressOrders = %+v, %v; want both numbers followed", got, err)
	}
	if _, err := e.svc.SetAliExpressOrders(ctx, e.user.ID, o.ID, []int64{1}); !errors.Is(err, orders.ErrNumbersKnown) {
		t.Errorf("numbers typed twice: err = %v; want ErrNumbersKnown", err)
	}
	if _, err := e.svc.SetAliExpressOrders(ctx, e.user.ID+1, o.ID, []int64{81234567890}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("another user's order: err = %v; want ErrNotFound", err)
	}
}
