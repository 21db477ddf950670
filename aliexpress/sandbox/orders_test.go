package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// orderJSON builds a place-order request for one item with an address edited by edit.
func orderJSON(t *testing.T, outID string, p world.Product, v world.Variant, service string, count int, edit func(a map[string]any)) string {
	t.Helper()
	addr := map[string]any{
		"address": "1 Main St", "city": "Austin", "contact_person": "Jane Doe", "country": "US",
		"full_name": "Jane Doe", "mobile_no": "5125550100", "phone_country": "+1", "province": "Texas", "zip": "73301",
	}
	if edit != nil {
		edit(addr)
	}
	req := map[string]any{
		"out_order_id":      outID,
		"logistics_address": addr,
		"product_items": []any{map[string]any{
			"product_id": p.ID, "product_count": count, "sku_attr": v.Attr, "logistics_service_name": service,
		}},
	}
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (e *env) createOrder(order string, ext string) map[string]any {
	e.t.Helper()
	biz := map[string]string{"param_place_order_request4_open_api_d_t_o": order}
	if ext != "" {
		biz["ds_extend_request"] = ext
	}
	return e.ok("aliexpress.ds.order.create", biz)
}

func TestOrderValidation(t *testing.T) {
	e := newEnv(t, Options{QPS: map[string]int{"aliexpress.ds.order.create": -1}})
	p := e.fixture("US")
	v := p.Variants[0]
	service := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0].Code
	set := func(kv ...any) func(map[string]any) {
		return func(a map[string]any) {
			for i := 0; i < len(kv); i += 2 {
				a[kv[i].(string)] = kv[i+1]
			}
		}
	}
	const addr = "B_DROPSHIPPER_DELIVERY_ADDRESS_VALIDATE_FAIL"
	tests := []struct {
		name    string
		order   string
		ext     string
		code    string
		msgPart string
	}{
		{"not JSON", `{"out_order_id":`, "", "PARM_ILLEGL", ""},
		{"no items", `{"logistics_address":{"country":"US"},"product_items":[]}`, "", "PARM_ILLEGL", ""},
		{"no city", orderJSON(t, "", p, v, service, 1, set("city", "")), "", addr, "Please enter a City"},
		{"no province", orderJSON(t, "", p, v, service, 1, set("province", "")), "", addr, "Please select a State/Province/County"},
		{"US province Other", orderJSON(t, "", p, v, service, 1, set("province", "Other")), "", addr, "Please select a State/Province/County"},
		{"US name without space", orderJSON(t, "", p, v, service, 1, set("full_name", "Jane")), "", addr, "first and last name"},
		{"US name too long", orderJSON(t, "", p, v, service, 1, set("full_name", "Jane "+strings.Repeat("x", 40))), "", addr, "Please enter between 2 - 32 characters"},
		{"US address too short", orderJSON(t, "", p, v, service, 1, set("address", "1 M")), "", addr, "Please enter between 5 - 35 characters"},
		{"US address too long", orderJSON(t, "", p, v, service, 1, set("address", strings.Repeat("a", 36))), "", addr, "Please enter between 5 - 35 characters"},
		{"phone with spaces", orderJSON(t, "", p, v, service, 1, set("mobile_no", "512 555 0100")), "", addr, "without any spaces or special characters"},
		{"BR without CPF", orderJSON(t, "", p, v, service, 1, set("country", "BR", "province", "Sao Paulo", "zip", "01310-100")), "", "B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_CN_INVALID", ""},
		{"BR bad CPF", orderJSON(t, "", p, v, service, 1, set("country", "BR", "province", "Sao Paulo", "zip", "01310-100", "cpf", "123.456.789-00")), "", "B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_CN_INVALID", ""},
		{"ES phone not 9 digits", orderJSON(t, "", p, v, service, 1, set("country", "ES", "province", "Madrid", "mobile_no", "61234567")), "", addr, "9-digit"},
		{"SA without short address", orderJSON(t, "", p, v, service, 1, set("country", "SA", "province", "Riyadh", "mobile_no", "512345678")), "", addr, "short address"},
		{"SA mobile not starting with 5", orderJSON(t, "", p, v, service, 1, set("country", "SA", "province", "Riyadh", "mobile_no", "612345678")), `{"trade_extra_param":{"nat_addr":"RRRD2929"}}`, addr, "starting with 5"},
		{"AU name with digits", orderJSON(t, "", p, v, service, 1, set("country", "AU", "province", "Victoria", "full_name", "Jane Doe2")), "", addr, "letters only"},
		{"IL without tax number", orderJSON(t, "", p, v, service, 1, set("country", "IL", "province", "Tel Aviv")), "", addr, "Israeli ID"},
		{"AR mobile not 10 digits", orderJSON(t, "", p, v, service, 1, set("country", "AR", "province", "Buenos Aires", "tax_number", "20123456789", "mobile_no", "512555010")), "", addr, "10-digit"},
		{"ZA name without space", orderJSON(t, "", p, v, service, 1, set("country", "ZA", "province", "Gauteng", "full_name", "Jane")), "", addr, "first and last name"},
		{"MX address2 too long", orderJSON(t, "", p, v, service, 1, set("country", "MX", "province", "Jalisco", "address2", strings.Repeat("b", 61))), "", addr, "60 characters"},
		{"unknown sku_attr", strings.Replace(orderJSON(t, "", p, v, service, 1, nil), `"sku_attr":"`+v.Attr, `"sku_attr":"999:999`, 1), "", "ERROR_WHEN_BUILD_FOR_PLACE_ORDER", ""},
		{"unknown service", orderJSON(t, "", p, v, "NO_SUCH_SERVICE", 1, nil), "", "DELIVERY_METHOD_NOT_EXIST", ""},
		{"more than in stock", orderJSON(t, "", p, v, service, v.Stock+1, nil), "", "INVENTORY_HOLD_ERROR", ""},
		{"auto-pay in EUR", orderJSON(t, "", p, v, service, 1, nil), `{"payment":{"pay_currency":"EUR","try_to_pay":"true"}}`, "PRICE_PAY_CURRENCY_ERROR", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.createOrder(tt.order, tt.ext)
			if str(at(r, "result.is_success")) != "false" || str(at(r, "result.error_code")) != tt.code || !strings.Contains(str(at(r, "result.error_msg")), tt.msgPart) {
				t.Errorf("ds.order.create = %v; want is_success false, %s, message with %q", r["result"], tt.code, tt.msgPart)
			}
		})
	}

	// Valid addresses of the countries with rules pass.
	valid := []func(map[string]any){
		nil,
		set("country", "BR", "province", "Sao Paulo", "zip", "01310-100", "cpf", "529.982.247-25"),
		set("country", "ES", "province", "Madrid", "mobile_no", "612345678"),
		set("country", "MX", "province", "Jalisco", "address2", "Depto 4"),
	}
	for i, edit := range valid {
		addr := map[string]any{"country": "US"}
		if edit != nil {
			edit(addr)
		}
		country := addr["country"].(string)
		q := e.fixture(country)
		opts := e.sb.cat.Shipping(q, q.Variants[0].SKUID, country, 1)
		r := e.createOrder(orderJSON(t, "valid-"+strconv.Itoa(i), q, q.Variants[0], opts[0].Code, 1, edit), "")
		if str(at(r, "result.is_success")) != "true" {
			t.Errorf("ds.order.create to %s = %v; want success", country, r["result"])
		}
	}
}

// TestOrderLifecycle places a paid order and follows it with an injected clock to FINISH.
func TestOrderLifecycle(t *testing.T) {
	e := newEnv(t, Options{QPS: map[string]int{"aliexpress.trade.ds.order.get": -1, "aliexpress.ds.order.tracking.get": -1}})
	p := e.fixture("US")
	v := p.Variants[1]
	opt := e.sb.cat.Shipping(p, v.SKUID, "US", 2)[0]
	before := e.sb.available(v, world.Day(e.clock.Now()))

	r := e.createOrder(orderJSON(t, "ORD-1", p, v, opt.Code, 2, nil), `{"payment":{"pay_currency":"USD","try_to_pay":"true"}}`)
	ids, _ := at(r, "result.order_list.number").([]any)
	if str(at(r, "result.is_success")) != "true" || len(ids) != 1 || kind(ids[0]) != "number" {
		t.Fatalf("ds.order.create = %v; want one numeric order id", r)
	}
	id := str(ids[0])
	if after := e.sb.available(v, world.Day(e.clock.Now())); after != before-2 {
		t.Errorf("stock after ordering 2 = %d; want %d", after, before-2)
	}

	// The same out_order_id within 24 h is refused; after 24 h it is a new order.
	r = e.createOrder(orderJSON(t, "ORD-1", p, v, opt.Code, 1, nil), "")
	if str(at(r, "result.error_code")) != "REPEATED_ORDER_ERROR" {
		t.Errorf("repeated out_order_id = %v; want REPEATED_ORDER_ERROR", r["result"])
	}

	get := func() map[string]any {
		e.token, _ = e.sb.IssueToken(DefaultUserNick) // a test app's token lasts a day
		return e.ok("aliexpress.trade.ds.order.get", map[string]string{"single_order_query": `{"order_id":` + id + `}`})
	}
	track := func() map[string]any {
		e.token, _ = e.sb.IssueToken(DefaultUserNick)
		return e.ok("aliexpress.ds.order.tracking.get", map[string]string{"ae_order_id": id, "language": "en_US"})
	}
	if v := e.call("aliexpress.trade.ds.order.get", map[string]string{"order_id": id}); at(v, "error_response") == nil {
		t.Errorf("trade.ds.order.get right after creation = %v; want not found for the first 10 s", v)
	}
	e.clock.Advance(10 * time.Second)
	g := get()
	shape(t, "trade.ds.order.get", g, map[string]string{
		"result.gmt_create": "string", "result.order_status": "string", "result.logistics_status": "string",
		"result.order_amount.amount": "string", "result.order_amount.currency_code": "string",
		"result.store_info.store_id": "number", "result.store_info.store_name": "string",
		"result.child_order_list.aeop_child_order_info.0.product_id":           "number",
		"result.child_order_list.aeop_child_order_info.0.product_count":        "number",
		"result.child_order_list.aeop_child_order_info.0.product_price.amount": "string",
	})
	wantTotal := money((v.SalePrice*2)+opt.Fee, "USD")
	if v.BulkMin > 1 && 2 >= v.BulkMin {
		wantTotal = money(v.BulkPrice*2+opt.Fee, "USD")
	}
	if got := str(at(g, "result.order_amount.amount")); got != wantTotal {
		t.Errorf("order_amount = %s; want %s (2 units + shipping)", got, wantTotal)
	}
	if tr := track(); str(at(tr, "result.code")) != "1001" || str(at(tr, "result.msg")) != "TRACKING DATA NOT FOUND" {
		t.Errorf("tracking before shipping = %v; want code 1001 TRACKING DATA NOT FOUND", tr)
	}
	// Bare order_id works too (two SDKs send it).
	if g := e.ok("aliexpress.trade.ds.order.get", map[string]string{"order_id": id}); str(at(g, "result.order_status")) == "" {
		t.Errorf("trade.ds.order.get(order_id) = %v; want the order", g)
	}

	var seen []string
	for range 120 {
		g := get()
		st := str(at(g, "result.order_status")) + "/" + str(at(g, "result.logistics_status"))
		if len(seen) == 0 || seen[len(seen)-1] != st {
			seen = append(seen, st)
		}
		if strings.HasPrefix(st, "FINISH") {
			break
		}
		e.clock.Advance(6 * time.Hour)
	}
	want := []string{
		"PAYMENT_PROCESSING/DEFAULT",
		"WAIT_SELLER_SEND_GOODS/WAIT_SELLER_SEND_GOODS",
		"WAIT_BUYER_ACCEPT_GOODS/SELLER_SEND_GOODS",
		"FINISH/BUYER_ACCEPT_GOODS",
	}
	// The first look may already be past payment processing when nothing else ran.
	if strings.Join(seen, " ") != strings.Join(want, " ") {
		t.Errorf("status progression = %v; want %v", seen, want)
	}
	tr := track()
	line := "result.data.tracking_detail_line_list.tracking_detail.0."
	shape(t, "ds.order.tracking.get", tr, map[string]string{
		"result.ret": "bool", line + "carrier_name": "string", line + "mail_no": "string", line + "eta_time_stamps": "number",
		line + "detail_node_list.detail_node.0.time_stamp":    "number",
		line + "detail_node_list.detail_node.0.tracking_name": "string",
		line + "package_item_list.package_item.0.item_id":     "number",
	})
	if got := str(at(tr, line+"detail_node_list.detail_node.0.tracking_name")); got != "Delivered" {
		t.Errorf("newest tracking event after FINISH = %q; want Delivered", got)
	}
	g = get()
	if got := str(at(g, "result.logistics_info_list.aeop_order_logistics_info.0.logistics_no")); got != str(at(tr, line+"mail_no")) {
		t.Errorf("logistics_no = %q; want the tracking mail_no %q", got, str(at(tr, line+"mail_no")))
	}

	// 24 h later the out_order_id is free again.
	e.token, _ = e.sb.IssueToken(DefaultUserNick)
	p2 := e.fixture("US") // stock has moved on since
	opt2 := e.sb.cat.Shipping(p2, p2.Variants[0].SKUID, "US", 1)[0]
	r = e.createOrder(orderJSON(t, "ORD-1", p2, p2.Variants[0], opt2.Code, 1, nil), "")
	if str(at(r, "result.is_success")) != "true" {
		t.Errorf("out_order_id reused after 24 h = %v; want success", r["result"])
	}

	// Orders belong to the token's user.
	other, _ := e.sb.IssueToken("someoneelse")
	e.token = other
	v2 := e.call("aliexpress.trade.ds.order.get", map[string]string{"single_order_query": `{"order_id":"` + id + `"}`})
	if str(at(v2, "error_response.sub_code")) != "isv.invalid-authorization" {
		t.Errorf("another user's order = %v; want error_response isv.invalid-authorization", v2)
	}
}

func TestUnpaidOrder(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.fixture("US")
	v := p.Variants[0]
	opt := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0]
	r := e.createOrder(orderJSON(t, "U-1", p, v, opt.Code, 1, nil), "")
	id, _ := strconv.ParseInt(str(at(r, "result.order_list.number.0")), 10, 64)
	e.clock.Advance(10 * time.Second)
	g := e.ok("aliexpress.trade.ds.order.get", map[string]string{"order_id": strconv.FormatInt(id, 10)})
	if str(at(g, "result.order_status")) != "PLACE_ORDER_SUCCESS" || kind(at(g, "result.pay_timeout_second")) != "number" {
		t.Errorf("unpaid order = %v; want PLACE_ORDER_SUCCESS with pay_timeout_second", g["result"])
	}
	if !e.sb.PayOrder(id) {
		t.Fatal("PayOrder = false; want true")
	}
	e.clock.Advance(time.Hour)
	if st, _, _ := e.sb.OrderStatus(id); st != "WAIT_SELLER_SEND_GOODS" {
		t.Errorf("status after paying = %s; want WAIT_SELLER_SEND_GOODS", st)
	}

	r = e.createOrder(orderJSON(t, "U-2", p, v, opt.Code, 1, nil), "")
	id2, _ := strconv.ParseInt(str(at(r, "result.order_list.number.0")), 10, 64)
	e.clock.Advance(25 * time.Hour)
	if st, lg, _ := e.sb.OrderStatus(id2); st != "FINISH" || lg != "NO_LOGISTICS" {
		t.Errorf("unpaid order after 25 h = %s/%s; want FINISH/NO_LOGISTICS", st, lg)
	}
}

func TestAutoPayDisabled(t *testing.T) {
	e := newEnv(t, Options{AutoPayDisabled: true})
	p := e.fixture("US")
	v := p.Variants[0]
	opt := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0]
	r := e.createOrder(orderJSON(t, "A-1", p, v, opt.Code, 1, nil), `{"payment":{"pay_currency":"USD","try_to_pay":true}}`)
	if str(at(r, "result.is_success")) != "true" || str(at(r, "result.error_msg")) != "OrderCreated, autoPay fail:APIPayFail" {
		t.Errorf("try_to_pay without auto-pay = %v; want created with autoPay fail", r["result"])
	}
	id, _ := strconv.ParseInt(str(at(r, "result.order_list.number.0")), 10, 64)
	if st, _, _ := e.sb.OrderStatus(id); st != "PLACE_ORDER_SUCCESS" {
		t.Errorf("status = %s; want PLACE_ORDER_SUCCESS (unpaid)", st)
	}
}

// TestOrderSplitsPerShop orders items of two shops at once and gets two orders.
func TestOrderSplitsPerShop(t *testing.T) {
	e := newEnv(t, Options{})
	a := e.fixture("US")
	day := world.Day(e.clock.Now())
	var b world.Product
	for _, q := range e.sb.cat.Search(world.Query{ShipTo: "US", Page: 1, PageSize: 200}, day).Products {
		if q.ShopID != a.ShopID && q.Variants[0].Stock > 5 && len(e.sb.cat.Shipping(q, q.Variants[0].SKUID, "US", 1)) > 0 {
			b = q
			break
		}
	}
	item := func(p world.Product) map[string]any {
		return map[string]any{"product_id": strconv.FormatInt(p.ID, 10), "product_count": "1", "sku_attr": p.Variants[0].Attr,
			"logistics_service_name": e.sb.cat.Shipping(p, p.Variants[0].SKUID, "US", 1)[0].Code}
	}
	req, _ := json.Marshal(map[string]any{
		"out_order_id": "SPLIT-1",
		"logistics_address": map[string]any{"address": "1 Main St", "city": "Austin", "country": "US", "full_name": "Jane Doe",
			"mobile_no": "5125550100", "phone_country": "+1", "province": "Texas", "zip": "73301"},
		"product_items": []any{item(a), item(b)},
	})
	r := e.createOrder(string(req), "")
	if ids, _ := at(r, "result.order_list.number").([]any); len(ids) != 2 {
		t.Errorf("order of two shops' items = %v; want two order ids", r["result"])
	}
}
