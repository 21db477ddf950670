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
				if kv[i+1] == nil {
					delete(a, kv[i].(string))
				} else {
					a[kv[i].(string)] = kv[i+1]
				}
			}
		}
	}
	const addr = "B_DROPSHIPPER_DELIVERY_ADDRESS_VALIDATE_FAIL"
	// Addresses that pass their country's rules, for the cases to spoil one field of.
	br := []any{"country", "BR", "province", "Sao Paulo", "city", "Sao Paulo", "zip", "01310-100", "cpf", "529.982.247-25", "full_name", "Joao Silva"}
	sa := []any{"country", "SA", "province", "Riyadh", "city", "Riyadh", "zip", "12271", "mobile_no", "512345678", "phone_country", "+966"}
	il := []any{"country", "IL", "province", "Tel Aviv", "city", "Tel Aviv", "is_foreigner", "false", "passport_no", "123456782"}
	ar := []any{"country", "AR", "province", "Buenos Aires", "city", "La Plata", "is_foreigner", "false", "passport_no", "20-12345678-6", "mobile_no", "2215550100"}
	with := func(base []any, kv ...any) func(map[string]any) {
		return set(append(append([]any{}, base...), kv...)...)
	}
	natAddr := `{"trade_extra_param":{"nat_addr":"RRRD2929"}}`
	tests := []struct {
		name    string
		edit    func(map[string]any)
		ext     string
		code    string
		msgPart string
	}{
		{"no city", set("city", ""), "", addr, "Please enter a City"},
		{"no province", set("province", ""), "", addr, "Please select a State/Province/County"},
		{"no address", set("address", nil), "", addr, "address"},
		{"country not two letters", set("country", "USA"), "", addr, "Country"},
		{"phone with spaces", set("mobile_no", "512 555 0100"), "", addr, "without any spaces or special characters"},
		{"phone country with a letter", set("phone_country", "+1a"), "", addr, "without any spaces or special characters"},
		{"US province Other", set("province", "Other"), "", addr, "Please select a State/Province/County"},
		{"US without names", set("full_name", nil, "contact_person", nil), "", addr, "first and last name"},
		{"US name without space", set("full_name", "Jane"), "", addr, "first and last name"},
		{"US contact without space", set("contact_person", "Jane"), "", addr, "first and last name"},
		{"US name too long", set("full_name", "Jane "+strings.Repeat("x", 40)), "", addr, "Please enter between 2 - 32 characters"},
		{"US address too short", set("address", "1 M"), "", addr, "Please enter between 5 - 35 characters"},
		{"US address too long", set("address", strings.Repeat("a", 36)), "", addr, "Please enter between 5 - 35 characters"},
		{"BR without CPF", with(br, "cpf", nil), "", "B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_CN_INVALID", ""},
		{"BR bad CPF", with(br, "cpf", "123.456.789-00"), "", "B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_CN_INVALID", ""},
		{"BR CPF of another name", with(br, "cpf", "111.444.777-35"), "", "B_DROPSHIPPER_DELIVERY_ADDRESS_CPF_NOT_MATCH", ""},
		{"BR name without space", with(br, "full_name", "Joao"), "", addr, "full name"},
		{"BR unknown state", with(br, "province", "Gotham"), "", addr, "Please select a State/Province/County"},
		{"BR city Other", with(br, "city", "Other"), "", addr, "Please enter a City"},
		{"BR zip not 8 digits", with(br, "zip", "0131-100"), "", addr, "ZIP"},
		{"ES phone not 9 digits", set("country", "ES", "province", "Madrid", "mobile_no", "61234567"), "", addr, "9-digit"},
		{"ES without phone", set("country", "ES", "province", "Madrid", "mobile_no", nil), "", addr, "9-digit"},
		{"SA without short address", with(sa), "", addr, "short address"},
		{"SA short address malformed", with(sa), `{"trade_extra_param":{"nat_addr":"RRR12929"}}`, addr, "short address"},
		{"SA mobile not starting with 5", with(sa, "mobile_no", "612345678"), natAddr, addr, "starting with 5"},
		{"SA phone country too long", with(sa, "phone_country", "+9660000000"), natAddr, addr, "without any spaces"},
		{"SA name without space", with(sa, "full_name", "Jane"), natAddr, addr, "first and last name"},
		{"SA city too short", with(sa, "city", "R"), natAddr, addr, "2 - 64"},
		{"SA without zip", with(sa, "zip", nil), natAddr, addr, "ZIP"},
		{"AU name with digits", set("country", "AU", "province", "Victoria", "full_name", "Jane Doe2"), "", addr, "letters only"},
		{"NZ without full name", set("country", "NZ", "province", "Auckland", "full_name", nil), "", addr, "letters only"},
		{"IL without is_foreigner", with(il, "is_foreigner", nil), "", addr, "is_foreigner"},
		{"IL tax ID in tax_number", with(il, "passport_no", nil, "tax_number", "123456782"), "", addr, "Israeli ID number in passport_no"},
		{"IL tax ID not 9 digits", with(il, "passport_no", "12345678"), "", addr, "Israeli ID"},
		{"IL foreigner without foreigner_passport_no", with(il, "is_foreigner", "true"), "", addr, "foreigner_passport_no"},
		{"AR tax ID without hyphens", with(ar, "passport_no", "20123456786"), "", addr, "20-12345678-6"},
		{"AR mobile not 10 digits", with(ar, "mobile_no", "512555010"), "", addr, "10-digit"},
		{"ZA name without space", set("country", "ZA", "province", "Gauteng", "full_name", "Jane"), "", addr, "first and last name"},
		{"DZ without full name", set("country", "DZ", "province", "Alger", "full_name", nil), "", addr, "first and last name"},
		{"MX address2 too long", set("country", "MX", "province", "Jalisco", "address2", strings.Repeat("b", 61)), "", addr, "60 characters"},
		{"a country AliExpress does not serve", set("country", "KP", "province", "Pyongyang"), "", "A002_INVALID_ZONE", ""},
		{"a coupon", nil, `{"promotion":{"promotion_code":"SAVE5"}}`, "A004_CANNOT_USER_COUPON", ""},
		{"auto-pay in EUR", nil, `{"payment":{"pay_currency":"EUR","try_to_pay":"true"}}`, "PRICE_PAY_CURRENCY_ERROR", ""},
	}
	e.sb.RegisterCPF("111.444.777-35", "Maria Souza")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.createOrder(orderJSON(t, "", p, v, service, 1, tt.edit), tt.ext)
			if str(at(r, "result.is_success")) != "false" || str(at(r, "result.error_code")) != tt.code || !strings.Contains(str(at(r, "result.error_msg")), tt.msgPart) {
				t.Errorf("ds.order.create = %v; want is_success false, %s, message with %q", r["result"], tt.code, tt.msgPart)
			}
		})
	}
	for _, tt := range []struct {
		name, order, code string
	}{
		{"not JSON", `{"out_order_id":`, "PARM_ILLEGL"},
		{"no items", `{"logistics_address":{"country":"US"},"product_items":[]}`, "PARM_ILLEGL"},
		{"unknown sku_attr", strings.Replace(orderJSON(t, "", p, v, service, 1, nil), `"sku_attr":"`+v.Attr, `"sku_attr":"999:999`, 1), "ERROR_WHEN_BUILD_FOR_PLACE_ORDER"},
		{"unknown product", strings.Replace(orderJSON(t, "", p, v, service, 1, nil), strconv.FormatInt(p.ID, 10), "1005000000000001", 1), "ERROR_WHEN_BUILD_FOR_PLACE_ORDER"},
		{"unknown service", orderJSON(t, "", p, v, "NO_SUCH_SERVICE", 1, nil), "DELIVERY_METHOD_NOT_EXIST"},
		{"more than in stock", orderJSON(t, "", p, v, service, v.Stock+1, nil), "INVENTORY_HOLD_ERROR"},
	} {
		if r := e.createOrder(tt.order, ""); str(at(r, "result.error_code")) != tt.code {
			t.Errorf("ds.order.create(%s) = %v; want %s", tt.name, r["result"], tt.code)
		}
	}

	// Valid addresses of the countries with rules pass; names and phones are optional elsewhere.
	valid := map[string]struct {
		edit func(map[string]any)
		ext  string
	}{
		"US as the documented example": {nil, ""},
		"US with contact_person only":  {set("full_name", nil), ""},
		"BR":                           {with(br), ""},
		"BR with accents and a code":   {with(br, "province", "SP", "city", "São Paulo", "full_name", "João Silva"), ""},
		"BR with the registered name":  {with(br, "cpf", "11144477735", "full_name", "maria  souza"), ""},
		"ES":                           {set("country", "ES", "province", "Madrid", "mobile_no", "612345678"), ""},
		"SA in Arabic with hyphens":    {with(sa, "full_name", "محمد العتيبي", "mobile_no", "51-234-5678", "phone_country", "(+966)"), `{"trade_extra_param":{"nat_addr":"rrrd2929"}}`},
		"AU":                           {set("country", "AU", "province", "Victoria"), ""},
		"IL local":                     {with(il), ""},
		"IL foreigner":                 {with(il, "is_foreigner", "true", "passport_no", nil, "foreigner_passport_no", "123456782"), ""},
		"AR":                           {with(ar), ""},
		"MX":                           {set("country", "MX", "province", "Jalisco", "address2", "Depto 4"), ""},
		"DE without name or phone":     {set("country", "DE", "province", "Berlin", "full_name", nil, "contact_person", nil, "mobile_no", nil, "phone_country", nil), ""},
		"GB with a bare phone country": {set("country", "GB", "province", "England", "phone_country", "44"), ""},
	}
	for name, tt := range valid {
		addr := map[string]any{"country": "US"}
		if tt.edit != nil {
			tt.edit(addr)
		}
		country := addr["country"].(string)
		q := e.fixture(country)
		opts := e.sb.cat.Shipping(q, q.Variants[0].SKUID, country, 1)
		r := e.createOrder(orderJSON(t, "valid-"+name, q, q.Variants[0], opts[0].Code, 1, tt.edit), tt.ext)
		if str(at(r, "result.is_success")) != "true" {
			t.Errorf("ds.order.create %s = %v; want success", name, r["result"])
		}
	}
}

// TestOrderNotAllowedInCountry checks A005_INVALID_COUNTRIES for a product that may not be sold to
// the destination.
func TestOrderNotAllowedInCountry(t *testing.T) {
	e := newEnv(t, Options{})
	day := world.Day(e.clock.Now())
	for _, q := range e.sb.cat.Search(world.Query{Page: 1, PageSize: 2000}, day).Products {
		for _, country := range q.NotAllowedIn {
			if country != "KR" && country != "TR" && country != "AE" && country != "CL" {
				continue // countries without address rules of their own
			}
			r := e.createOrder(orderJSON(t, "", q, q.Variants[0], "", 1, func(a map[string]any) {
				a["country"], a["province"] = country, "Capital"
			}), "")
			if str(at(r, "result.error_code")) != "A005_INVALID_COUNTRIES" {
				t.Errorf("ds.order.create of %d to %s = %v; want A005_INVALID_COUNTRIES", q.ID, country, r["result"])
			}
			return
		}
	}
	t.Fatal("no product among the first 2000 is barred from KR, TR, AE or CL")
}

// TestOrderBuyerStatus checks that an account in bad standing cannot order, with the documented
// code, and can again once restored.
func TestOrderBuyerStatus(t *testing.T) {
	e := newEnv(t, Options{QPS: map[string]int{"aliexpress.ds.order.create": -1}})
	p := e.fixture("US")
	v := p.Variants[0]
	service := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0].Code
	for _, st := range []BuyerStatus{BuyerBlacklisted, BuyerDisabled, BuyerSuspicious, BuyerInvalidAccountInfo} {
		e.sb.SetBuyerStatus(DefaultUserNick, st)
		r := e.createOrder(orderJSON(t, "", p, v, service, 1, nil), "")
		if str(at(r, "result.is_success")) != "false" || str(at(r, "result.error_code")) != string(st) {
			t.Errorf("ds.order.create by a %s account = %v; want error_code %s", st, r["result"], st)
		}
	}
	other, _ := e.sb.IssueToken("us1000000002sbox")
	e.sb.SetBuyerStatus("us1000000002sbox", BuyerDisabled)
	e.sb.SetBuyerStatus(DefaultUserNick, BuyerActive)
	if r := e.createOrder(orderJSON(t, "", p, v, service, 1, nil), ""); str(at(r, "result.is_success")) != "true" {
		t.Errorf("ds.order.create after SetBuyerStatus(BuyerActive) = %v; want success", r["result"])
	}
	e.token = other
	if r := e.createOrder(orderJSON(t, "", p, v, service, 1, nil), ""); str(at(r, "result.error_code")) != string(BuyerDisabled) {
		t.Errorf("ds.order.create by another, disabled account = %v; want USER_ACCOUNT_DISABLED", r["result"])
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
