package sandbox

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests here hold the Sandbox to the documentation's samples of the answers a client meets when
// something is missing or empty: an order or product the platform does not know, an address tree,
// the member benefits, and tracking.

func TestOrderGetUnknownAndForeign(t *testing.T) {
	e := newEnv(t, Options{QPS: map[string]int{"aliexpress.ds.order.create": -1}, OrderVisibleAfter: 10 * time.Second})
	p := e.fixture("US")
	v := p.Variants[0]
	service := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0].Code
	r := e.createOrder(orderJSON(t, "", p, v, service, 1, nil), "")
	id := str(at(r, "result.order_list.number.0"))

	query := func(id string) map[string]any {
		t.Helper()
		return e.call("aliexpress.trade.ds.order.get", map[string]string{"single_order_query": `{"order_id":"` + id + `"}`})
	}
	want := func(name string, got map[string]any, subCode, subMsg string) {
		t.Helper()
		er, _ := got["error_response"].(map[string]any)
		if str(er["type"]) != "ISP" || str(er["code"]) != "15" || str(er["msg"]) != "Remote service error" ||
			str(er["sub_code"]) != subCode || str(er["sub_msg"]) != subMsg || len(str(er["request_id"])) != 25 {
			t.Errorf("trade.ds.order.get(%s) = %s; want error_response ISP 15 Remote service error, %s %q", name, toJSON(got), subCode, subMsg)
		}
	}
	want("an order nobody placed", query("8100000000000001"), "isv.insufficient-permission", "Insufficient permission.")
	want("an order placed a second ago", query(id), "isv.insufficient-permission", "Insufficient permission.")
	e.clock.Advance(11 * time.Second)
	if r := query(id); r["error_response"] != nil {
		t.Fatalf("trade.ds.order.get(own order after 11 s) = %s; want the order", toJSON(r))
	}
	e.token, _ = e.sb.IssueToken("us1000000002sbox")
	want("another buyer's order", query(id), "isv.invalid-authorization", "Accessing data not belonging to you.")

	// Tracking of an order the caller cannot see is not found, in the tracking envelope.
	tr := e.ok("aliexpress.ds.order.tracking.get", map[string]string{"ae_order_id": id, "language": "en_US"})
	if str(at(tr, "result.ret")) != "false" || str(at(tr, "result.code")) != "1001" || str(at(tr, "result.msg")) != "TRACKING DATA NOT FOUND" || at(tr, "result.data") != nil {
		t.Errorf("ds.order.tracking.get(another buyer's order) = %s; want ret false, code \"1001\", TRACKING DATA NOT FOUND", toJSON(tr))
	}
}

func TestOrderGetLegacyRoot(t *testing.T) {
	e := newEnv(t, Options{LegacyOrderRoot: true, OrderVisibleAfter: -1})
	p := e.fixture("US")
	v := p.Variants[0]
	r := e.createOrder(orderJSON(t, "", p, v, e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0].Code, 1, nil), "")
	got := e.call("aliexpress.trade.ds.order.get", map[string]string{"single_order_query": `{"order_id":` + str(at(r, "result.order_list.number.0")) + `}`})
	if at(got, "aliexpress_ds_trade_order_get_response.result.order_status") == nil || got["aliexpress_trade_ds_order_get_response"] != nil {
		t.Errorf("trade.ds.order.get with LegacyOrderRoot = %s; want the order under aliexpress_ds_trade_order_get_response", truncate(toJSON(got), 200))
	}
	// Other methods keep their own root.
	if e.ok("aliexpress.ds.member.benefit.get", nil) == nil {
		t.Error("ds.member.benefit.get lost its root")
	}
}

func TestFreightUnknownProduct(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.fixture("US")
	for name, req := range map[string]string{
		"an unknown product": `{"quantity":1,"shipToCountry":"US","productId":"1005000000000001","selectedSkuId":"12000000000000001","language":"en","locale":"en_US","currency":"USD"}`,
		// The mistake integrators report from live traffic: sku_attr passed as selectedSkuId.
		"a sku_attr for a SKU ID": `{"quantity":1,"shipToCountry":"US","productId":"` + strconv.FormatInt(p.ID, 10) + `","selectedSkuId":"` + p.Variants[0].Attr + `","language":"en","locale":"en_US","currency":"USD"}`,
	} {
		r := e.ok("aliexpress.ds.freight.query", map[string]string{"queryDeliveryReq": req})
		res, _ := r["result"].(map[string]any)
		if len(res) != 3 || res["success"] != false || str(res["code"]) != "501" || kind(res["code"]) != "number" || res["msg"] != "DELIVERY_INFO_EMPTY" {
			t.Errorf("ds.freight.query(%s) = %s; want result {success false, code 501, msg DELIVERY_INFO_EMPTY} only", name, toJSON(r))
		}
	}
	r := e.ok("aliexpress.ds.freight.query", map[string]string{"queryDeliveryReq": `{"quantity":1,"shipToCountry":"DE","productId":"` +
		strconv.FormatInt(p.ID, 10) + `","selectedSkuId":"` + p.Variants[0].SKUID + `","language":"en","locale":"en_US","currency":"EUR"}`})
	opt := "result.delivery_options.delivery_option_d_t_o.0."
	shape(t, "ds.freight.query to DE", r, map[string]string{
		opt + "guaranteed_delivery_days": "string", opt + "available_stock": "string", opt + "ddpIncludeVATTax": "string",
	})
	if got := str(at(r, opt+"ddpIncludeVATTax")); got != "true" {
		t.Errorf("ds.freight.query to DE: ddpIncludeVATTax = %q; want \"true\"", got)
	}
}

func TestAddressGetShape(t *testing.T) {
	e := newEnv(t, Options{})
	for _, country := range []string{"US", "BR", "JP"} {
		r := e.ok("aliexpress.ds.address.get", map[string]string{"countryCode": country, "language": "en_US", "isMultiLanguage": "true"})
		res, _ := r["result"].(map[string]any)
		if res["ret"] != true || res["code"] != "" || res["msg"] != "" {
			t.Errorf("ds.address.get(%s) ret, code, msg = %v, %q, %q; want true and two empty strings", country, res["ret"], res["code"], res["msg"])
		}
		if str(at(r, "result.data.country")) != country || str(at(r, "result.data.type")) != "country" || kind(at(r, "result.data.children")) != "string" {
			t.Errorf("ds.address.get(%s) data = %s; want country %s, type \"country\", children a JSON string", country, truncate(toJSON(at(r, "result.data")), 200), country)
		}
		children := decode(t, []byte(`{"c":`+str(at(r, "result.data.children"))+`}`))["c"].([]any)
		if n := len(children); (country == "JP") != (n == 0) {
			t.Errorf("ds.address.get(%s) has %d provinces", country, n)
		}
	}
	if got := e.errCode("aliexpress.ds.address.get", nil); got != "MissingParameter" {
		t.Errorf("ds.address.get without countryCode = %q; want MissingParameter", got)
	}
}

func TestMemberBenefitShape(t *testing.T) {
	for _, tt := range []struct {
		disabled           bool
		canApply, canBenef string
	}{{false, "false", "true"}, {true, "true", "false"}} {
		e := newEnv(t, Options{AutoPayDisabled: tt.disabled})
		r := e.ok("aliexpress.ds.member.benefit.get", nil)
		list, _ := r["result"].([]any)
		if len(list) != 1 || str(r["rsp_code"]) != "200" {
			t.Fatalf("ds.member.benefit.get = %s; want rsp_code 200 and result a bare array of one benefit", toJSON(r))
		}
		b := list[0].(map[string]any)
		if b["code"] != "auto-pay" || b["canApply"] != tt.canApply || b["canBenefit"] != tt.canBenef {
			t.Errorf("ds.member.benefit.get (auto-pay disabled %v) = %s; want auto-pay, canApply %q, canBenefit %q (strings)", tt.disabled, toJSON(b), tt.canApply, tt.canBenef)
		}
	}
}

func TestTrackingShape(t *testing.T) {
	e := newEnv(t, Options{QPS: map[string]int{"aliexpress.ds.order.tracking.get": -1}, OrderVisibleAfter: -1})
	p := e.fixture("US")
	v := p.Variants[0]
	r := e.createOrder(orderJSON(t, "", p, v, e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0].Code, 1, nil), `{"payment":{"try_to_pay":"true"}}`)
	id := str(at(r, "result.order_list.number.0"))
	track := func() map[string]any {
		return e.ok("aliexpress.ds.order.tracking.get", map[string]string{"ae_order_id": id, "language": "en_US"})
	}
	if tr := track(); str(at(tr, "result.ret")) != "false" || str(at(tr, "result.code")) != "1001" {
		t.Errorf("ds.order.tracking.get before dispatch = %s; want ret false, code \"1001\"", toJSON(tr))
	}
	e.clock.Advance(20 * 24 * time.Hour)
	e.token, _ = e.sb.IssueToken(DefaultUserNick) // a test app's token lasts a day
	tr := track()
	res := tr["result"].(map[string]any)
	if res["ret"] != true || res["code"] != "" || res["msg"] != "" {
		t.Errorf("ds.order.tracking.get success ret, code, msg = %v, %q, %q; want true and two empty strings, as the documentation's sample", res["ret"], res["code"], res["msg"])
	}
	line := "result.data.tracking_detail_line_list.tracking_detail.0."
	shape(t, "ds.order.tracking.get", tr, map[string]string{
		line + "carrier_name": "string", line + "mail_no": "string", line + "eta_time_stamps": "number",
		line + "detail_node_list.detail_node.0.time_stamp":    "number",
		line + "package_item_list.package_item.0.item_id":     "number",
		line + "package_item_list.package_item.0.sku_id":      "number",
		line + "package_item_list.package_item.0.quantity":    "number",
		line + "package_item_list.package_item.0.sku_desc":    "string",
		line + "package_item_list.package_item.0.item_title":  "string",
		line + "detail_node_list.detail_node.0.tracking_name": "string",
	})
	want := make([]string, 0, len(v.Values))
	for _, vv := range v.Values {
		want = append(want, vv.PropertyName+":"+vv.ValueName)
	}
	if got := str(at(tr, line+"package_item_list.package_item.0.sku_desc")); got != strings.Join(want, "; ") {
		t.Errorf("sku_desc = %q; want %q, as the documentation's \"Color:Silvery; Size:M\"", got, strings.Join(want, "; "))
	}
}
