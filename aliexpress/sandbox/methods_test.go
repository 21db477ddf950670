package sandbox

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

var (
	priceUSD   = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)
	percent    = regexp.MustCompile(`^[0-9]+(\.[0-9])?%$`)
	promoShort = regexp.MustCompile(`^https://s\.click\.aliexpress\.com/e/_[0-9A-Za-z]{7}$`)
)

// fixture finds a product that ships to country with several SKUs in stock.
func (e *env) fixture(country string) world.Product {
	e.t.Helper()
	return e.find(country, "several SKUs in stock", nil)
}

// find is fixture for a product that also satisfies want (nil: any), described by what.
func (e *env) find(country, what string, want func(world.Product) bool) world.Product {
	e.t.Helper()
	return findProduct(e.t, e.sb, e.clock.Now(), country, what, want)
}

// findProduct finds, among the best sellers of the day of now, a product that ships to country with
// several SKUs, each with 20 or more in stock, and that satisfies want (nil: any).
func findProduct(t *testing.T, sb *Sandbox, now time.Time, country, what string, want func(world.Product) bool) world.Product {
	t.Helper()
	res := sb.cat.Search(world.Query{ShipTo: country, Sort: world.SortVolumeDesc, Page: 1, PageSize: 2000}, world.Day(now))
	for _, p := range res.Products {
		if len(p.Variants) < 2 || slices.Contains(p.NotAllowedIn, country) || slices.Contains(sb.HostileProductIDs(), p.ID) {
			continue
		}
		if want != nil && !want(p) {
			continue
		}
		inStock := true
		for _, v := range p.Variants {
			if v.Stock < 20 {
				inStock = false
			}
		}
		if inStock && len(sb.cat.Shipping(p, p.Variants[0].SKUID, country, 1)) > 0 {
			return p
		}
	}
	t.Fatalf("no product with %s ships to %s", what, country)
	return world.Product{}
}

var affProductShape = map[string]string{
	"product_id": "number", "product_title": "string", "product_detail_url": "string", "product_main_image_url": "string",
	"product_small_image_urls.string": "array", "original_price": "string", "original_price_currency": "string",
	"sale_price": "string", "sale_price_currency": "string", "target_sale_price": "string",
	"target_sale_price_currency": "string", "target_original_price": "string", "app_sale_price": "string",
	"target_app_sale_price": "string", "discount": "string", "evaluate_rate": "string", "lastest_volume": "number",
	"commission_rate": "string", "hot_product_commission_rate": "string", "first_level_category_id": "number",
	"first_level_category_name": "string", "second_level_category_id": "number", "shop_id": "number",
	"shop_url": "string", "platform_product_type": "string", "sku_id": "number",
}

func productShape(prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range affProductShape {
		out[prefix+k] = v
	}
	return out
}

func TestAffiliateProductQuery(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.ok("aliexpress.affiliate.product.query", map[string]string{
		"page_size": "5", "sort": "LAST_VOLUME_DESC", "target_currency": "EUR", "target_language": "EN", "tracking_id": "mytrack",
	})
	shape(t, "product.query", r, productShape("resp_result.result.products.product.0."))
	shape(t, "product.query", r, map[string]string{
		"resp_result.resp_code": "number", "resp_result.resp_msg": "string",
		"resp_result.result.current_page_no": "number", "resp_result.result.current_record_count": "number",
		"resp_result.result.total_page_no": "number", "resp_result.result.total_record_count": "number",
	})
	p := at(r, "resp_result.result.products.product.0")
	if got := str(at(p, "target_sale_price_currency")); got != "EUR" {
		t.Errorf("target_sale_price_currency = %q; want EUR", got)
	}
	for _, f := range []string{"sale_price", "target_sale_price", "original_price"} {
		if got := str(at(p, f)); !priceUSD.MatchString(got) {
			t.Errorf("%s = %q; want a decimal string with 2 places", f, got)
		}
	}
	for _, f := range []string{"commission_rate", "evaluate_rate", "discount"} {
		if got := str(at(p, f)); !percent.MatchString(got) {
			t.Errorf("%s = %q; want a percentage like 7.0%%", f, got)
		}
	}
	id := str(at(p, "product_id"))
	if got := str(at(p, "product_detail_url")); got != "https://www.aliexpress.com/item/"+id+".html" {
		t.Errorf("product_detail_url = %q; want the canonical item URL", got)
	}
	if got := str(at(p, "promotion_link")); !promoShort.MatchString(got) {
		t.Errorf("promotion_link = %q; want an s.click short link", got)
	}
	img := str(at(p, "product_main_image_url"))
	if !strings.HasPrefix(img, "http://example.com/sandbox/img/") {
		t.Fatalf("product_main_image_url = %q; want a picture on the sandbox itself", img)
	}
	status, ctype, body := e.serve(httptest.NewRequest(http.MethodGet, strings.TrimPrefix(img, "http://example.com"), nil))
	if status != 200 || ctype != "image/png" || !strings.HasPrefix(string(body), "\x89PNG") {
		t.Errorf("GET %s = %d %s; want a PNG", img, status, ctype)
	}

	// Sorted by volume, page 1 of 5 from the top.
	vols := []int{}
	for _, x := range at(r, "resp_result.result.products.product").([]any) {
		n, _ := strconv.Atoi(str(at(x, "lastest_volume")))
		vols = append(vols, n)
	}
	if !slices.IsSortedFunc(vols, func(a, b int) int { return b - a }) {
		t.Errorf("lastest_volume with LAST_VOLUME_DESC = %v; want descending", vols)
	}

	// JPY has no decimals.
	r = e.ok("aliexpress.affiliate.product.query", map[string]string{"page_size": "1", "target_currency": "JPY"})
	if got := str(at(r, "resp_result.result.products.product.0.target_sale_price")); strings.Contains(got, ".") {
		t.Errorf("JPY target_sale_price = %q; want no decimals", got)
	}
	// fields narrows the product objects.
	r = e.ok("aliexpress.affiliate.product.query", map[string]string{"page_size": "1", "fields": "commission_rate,sale_price"})
	if got := at(r, "resp_result.result.products.product.0").(map[string]any); len(got) != 3 {
		t.Errorf("fields=commission_rate,sale_price gives %v; want product_id, commission_rate, sale_price", got)
	}
}

func TestAffiliateErrors(t *testing.T) {
	e := newEnv(t, Options{})
	tests := []struct {
		method string
		params map[string]string
		want   string // error code, or "405" for resp_code 405
	}{
		{"aliexpress.affiliate.product.query", map[string]string{"keywords": "zzqqxx nothing matches this"}, "405"},
		{"aliexpress.affiliate.product.query", map[string]string{"page_size": "51"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"page_size": "0"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"page_no": "x"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"target_currency": "XYZ"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"target_language": "XX"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"sort": "BEST"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"category_ids": "12,abc"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"delivery_days": "4"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.query", map[string]string{"ship_to_country": "USA"}, "InvalidParameter"},
		{"aliexpress.affiliate.productdetail.get", nil, "MissingParameter"},
		{"aliexpress.affiliate.productdetail.get", map[string]string{"product_ids": "1"}, "405"},
		{"aliexpress.affiliate.link.generate", map[string]string{"promotion_link_type": "0", "source_values": "https://www.aliexpress.com/item/1.html"}, "MissingParameter"},
		{"aliexpress.affiliate.link.generate", map[string]string{"promotion_link_type": "7", "source_values": "x", "tracking_id": "t"}, "InvalidParameter"},
		{"aliexpress.affiliate.link.generate", map[string]string{"promotion_link_type": "0", "source_values": "https://evil.example/x", "tracking_id": "t"}, "405"},
		{"aliexpress.affiliate.product.smartmatch", nil, "MissingParameter"},
		{"aliexpress.affiliate.hotproduct.download", nil, "MissingParameter"},
		{"aliexpress.affiliate.order.list", map[string]string{"start_time": "2026-01-01 00:00:00", "end_time": "2026-02-01 00:00:00"}, "MissingParameter"},
		{"aliexpress.affiliate.order.list", map[string]string{"start_time": "2026-01-01", "end_time": "2026-02-01 00:00:00", "status": "Invalid"}, "InvalidParameter"},
		{"aliexpress.affiliate.order.list", map[string]string{"start_time": "2026-01-01 00:00:00", "end_time": "2026-02-01 00:00:00", "status": "Paid"}, "InvalidParameter"},
		{"aliexpress.affiliate.product.shipping.get", map[string]string{"product_id": "1"}, "MissingParameter"},
	}
	for _, tt := range tests {
		v := e.call(tt.method, tt.params)
		got := str(at(v, "error_response.code"))
		if at(v, "error_response") == nil {
			got = str(at(v, strings.ReplaceAll(tt.method, ".", "_")+"_response.resp_result.resp_code"))
		}
		if got != tt.want {
			t.Errorf("%s(%v) = %s; want %s", tt.method, tt.params, got, tt.want)
		}
	}
}

func TestAffiliateMethods(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.fixture("US")
	id := strconv.FormatInt(p.ID, 10)

	r := e.ok("aliexpress.affiliate.productdetail.get", map[string]string{"product_ids": id + ",1," + id, "target_currency": "USD", "country": "US"})
	shape(t, "productdetail.get", r, productShape("resp_result.result.products.product.0."))
	if got := str(at(r, "resp_result.result.current_record_count")); got != "2" {
		t.Errorf("productdetail.get of %s,1,%s: current_record_count = %s; want 2", id, id, got)
	}
	if got := str(at(r, "resp_result.result.products.product.0.promotion_link")); got != "null" {
		t.Errorf("promotion_link without tracking_id = %s; want none", got)
	}

	r = e.ok("aliexpress.affiliate.category.get", nil)
	cats, _ := at(r, "resp_result.result.categories.category").([]any)
	if len(cats) == 0 || str(at(r, "resp_result.result.total_result_count")) != strconv.Itoa(len(cats)) {
		t.Fatalf("category.get = %v; want categories and their count", truncate(toJSON(r), 300))
	}
	tops := 0
	for _, c := range cats {
		shape(t, "category", c, map[string]string{"category_id": "number", "category_name": "string"})
		if at(c, "parent_category_id") == nil {
			tops++
		}
	}
	if tops == 0 || tops == len(cats) {
		t.Errorf("category.get: %d of %d categories without parent; want some top-level and some children", tops, len(cats))
	}

	src := "https://www.aliexpress.com/item/" + id + ".html"
	r = e.ok("aliexpress.affiliate.link.generate", map[string]string{"promotion_link_type": "0", "source_values": src + ",https://evil.example/", "tracking_id": "mytrack"})
	shape(t, "link.generate", r, map[string]string{
		"resp_result.result.total_result_count":                            "number",
		"resp_result.result.tracking_id":                                   "string",
		"resp_result.result.promotion_links.promotion_link.0.source_value": "string",
		"resp_result.result.promotion_links.promotion_link.1.message":      "string",
	})
	link := str(at(r, "resp_result.result.promotion_links.promotion_link.0.promotion_link"))
	if !promoShort.MatchString(link) || link != promotionLink("mytrack", src) || link == promotionLink("other", src) {
		t.Errorf("promotion_link = %q; want a short link fixed by source and tracking ID", link)
	}

	r = e.ok("aliexpress.affiliate.product.smartmatch", map[string]string{"device_id": "", "product_id": id})
	shape(t, "smartmatch", r, productShape("resp_result.result.products.product.0."))

	r = e.ok("aliexpress.affiliate.featuredpromo.get", nil)
	shape(t, "featuredpromo.get", r, map[string]string{
		"resp_result.result.current_record_count":       "number",
		"resp_result.result.promos.promo.0.promo_name":  "string",
		"resp_result.result.promos.promo.0.promo_desc":  "string",
		"resp_result.result.promos.promo.0.product_num": "number",
	})
	promo := str(at(r, "resp_result.result.promos.promo.0.promo_name"))
	r = e.ok("aliexpress.affiliate.featuredpromo.products.get", map[string]string{"promotion_name": promo, "page_size": "3", "sort": "priceAsc"})
	shape(t, "featuredpromo.products.get", r, productShape("resp_result.result.products.product.0."))
	shape(t, "featuredpromo.products.get", r, map[string]string{"resp_result.result.is_finished": "bool"})

	r = e.ok("aliexpress.affiliate.hotproduct.query", map[string]string{"page_size": "3", "sort": "DISCOUNT_DESC"})
	shape(t, "hotproduct.query", r, productShape("resp_result.result.products.product.0."))
	hotCat := str(at(r, "resp_result.result.products.product.0.first_level_category_id"))
	r = e.ok("aliexpress.affiliate.hotproduct.download", map[string]string{"category_id": hotCat, "page_size": "2"})
	shape(t, "hotproduct.download", r, productShape("resp_result.result.products.product.0."))

	r = e.ok("aliexpress.affiliate.product.shipping.get", map[string]string{
		"product_id": id, "sku_id": p.Variants[0].SKUID, "ship_to_country": "US", "target_currency": "USD",
		"target_sale_price": "9.99", "target_language": "EN", "tax_rate": "0",
	})
	shape(t, "product.shipping.get", r, map[string]string{
		"resp_result.result.min_delivery_days": "number", "resp_result.result.max_delivery_days": "number",
		"resp_result.result.shipping_fee": "string", "resp_result.result.ship_from_country": "string",
	})

	r = e.ok("aliexpress.affiliate.product.sku.detail.get", map[string]string{
		"product_id": id, "ship_to_country": "US", "target_currency": "USD", "target_language": "EN", "need_deliver_info": "Yes",
	})
	shape(t, "product.sku.detail.get", r, map[string]string{
		"result.success": "bool", "result.code": "number",
		"result.result.ae_item_info.product_id":                                    "number",
		"result.result.ae_item_info.title":                                         "string",
		"result.result.ae_item_sku_info.traffic_sku_info_list.0.sku_id":            "number",
		"result.result.ae_item_sku_info.traffic_sku_info_list.0.sale_price":        "string",
		"result.result.ae_item_sku_info.traffic_sku_info_list.0.max_delivery_days": "number",
	})
}

func TestAffiliateOrders(t *testing.T) {
	e := newEnv(t, Options{})
	end := e.clock.Now().In(pst)
	start := end.AddDate(0, 0, -60)
	var order any
	for _, status := range affOrderStatuses {
		v := e.call("aliexpress.affiliate.order.list", map[string]string{
			"start_time": start.Format(time.DateTime), "end_time": end.Format(time.DateTime), "status": status, "page_size": "5",
		})
		r := at(v, "aliexpress_affiliate_order_list_response.resp_result")
		if str(at(r, "resp_code")) == "405" {
			continue
		}
		shape(t, "order.list", r, map[string]string{
			"result.current_page_no": "number", "result.current_record_count": "number", "result.total_page_no": "number",
			"result.total_record_count": "number", "result.orders.order.0.order_id": "number",
			"result.orders.order.0.order_status": "string", "result.orders.order.0.paid_time": "string",
			"result.orders.order.0.estimated_paid_commission": "number", "result.orders.order.0.product_id": "number",
			"result.orders.order.0.is_new_buyer": "string",
		})
		if got := str(at(r, "result.orders.order.0.order_status")); got != status {
			t.Errorf("order.list status %q gave an order in %q", status, got)
		}
		order = at(r, "result.orders.order.0")
		break
	}
	if order == nil {
		t.Fatal("order.list over 60 days found no orders in any status")
	}
	r := e.ok("aliexpress.affiliate.order.get", map[string]string{"order_ids": str(at(order, "order_id"))})
	if got := str(at(r, "resp_result.result.orders.order.0.order_id")); got != str(at(order, "order_id")) {
		t.Errorf("order.get(%s) = %s; want that order", str(at(order, "order_id")), got)
	}
}

func TestDSProduct(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.fixture("US")
	id := strconv.FormatInt(p.ID, 10)
	r := e.ok("aliexpress.ds.product.get", map[string]string{"product_id": id, "ship_to_country": "US", "target_currency": "USD", "target_language": "en"})
	sku := "result.ae_item_sku_info_dtos.ae_item_sku_info_d_t_o.0."
	shape(t, "ds.product.get", r, map[string]string{
		"rsp_code": "number", "rsp_msg": "string",
		"result.ae_item_base_info_dto.product_id":                              "number",
		"result.ae_item_base_info_dto.subject":                                 "string",
		"result.ae_item_base_info_dto.category_id":                             "number",
		"result.ae_item_base_info_dto.currency_code":                           "string",
		"result.ae_item_base_info_dto.avg_evaluation_rating":                   "string",
		"result.ae_item_base_info_dto.evaluation_count":                        "string",
		"result.ae_item_base_info_dto.sales_count":                             "string",
		"result.ae_item_base_info_dto.detail":                                  "string",
		sku + "sku_id":                                                         "string",
		sku + "sku_attr":                                                       "string",
		sku + "sku_price":                                                      "string",
		sku + "offer_sale_price":                                               "string",
		sku + "sku_available_stock":                                            "number",
		sku + "ae_sku_property_dtos.ae_sku_property_d_t_o.0.sku_property_id":   "number",
		sku + "ae_sku_property_dtos.ae_sku_property_d_t_o.0.sku_property_name": "string",
		"result.ae_item_properties.ae_item_property":                           "array",
		"result.ae_multimedia_info_dto.image_urls":                             "string",
		"result.package_info_dto.package_length":                               "number",
		"result.package_info_dto.gross_weight":                                 "string",
		"result.logistics_info_dto.delivery_time":                              "number",
		"result.ae_store_info.store_id":                                        "number",
		"result.ae_store_info.store_name":                                      "string",
		"result.ae_store_info.item_as_described_rating":                        "string",
		"result.product_id_converter_result.main_product_id":                   "number",
		"result.has_whole_sale":                                                "bool",
	})
	if got := len(at(r, "result.ae_item_sku_info_dtos.ae_item_sku_info_d_t_o").([]any)); got != len(p.Variants) {
		t.Errorf("ds.product.get: %d SKUs; want %d", got, len(p.Variants))
	}
	if urls := str(at(r, "result.ae_multimedia_info_dto.image_urls")); !strings.HasPrefix(urls, "http://example.com/sandbox/img/") {
		t.Errorf("image_urls = %q; want ;-separated sandbox URLs", urls)
	}
	// The US sub ID from product_id_converter_result finds the same product.
	if sub := str(at(r, "result.product_id_converter_result.sub_product_id.US")); sub != "null" {
		r2 := e.ok("aliexpress.ds.product.get", map[string]string{"product_id": sub, "ship_to_country": "US"})
		if str(at(r2, "result.ae_item_base_info_dto.product_id")) != id {
			t.Errorf("ds.product.get(sub id %s) = %v; want product %s", sub, at(r2, "result.ae_item_base_info_dto.product_id"), id)
		}
	}

	r = e.ok("aliexpress.ds.product.get", map[string]string{"product_id": "1005000000000001", "ship_to_country": "US"})
	if str(r["rsp_code"]) != "605" || str(r["rsp_msg"]) != "ITEM_ID_NOT_FOUND" || r["result"] != nil {
		t.Errorf("ds.product.get(unknown) = %v; want rsp_code 605 ITEM_ID_NOT_FOUND", r)
	}
	if got := e.errCode("aliexpress.ds.product.get", map[string]string{"product_id": id}); got != "MissingParameter" {
		t.Errorf("ds.product.get without ship_to_country = %q; want MissingParameter", got)
	}
	e2 := newEnv(t, Options{ProductErrorsAsErrorResponse: true})
	if got := e2.errCode("aliexpress.ds.product.get", map[string]string{"product_id": "1005000000000001", "ship_to_country": "US"}); got != "605" {
		t.Errorf("ds.product.get(unknown) with ProductErrorsAsErrorResponse = %q; want error_response 605", got)
	}

	// A brand-protected product answers 602 in a country it may not be sold in.
	day := world.Day(e.clock.Now())
	res := e.sb.cat.Search(world.Query{Page: 1, PageSize: 2000}, day)
	for _, q := range res.Products {
		if len(q.NotAllowedIn) > 0 {
			r := e.ok("aliexpress.ds.product.get", map[string]string{"product_id": strconv.FormatInt(q.ID, 10), "ship_to_country": q.NotAllowedIn[0]})
			if str(r["rsp_code"]) != "602" {
				t.Errorf("ds.product.get(%d, %s) = %v; want rsp_code 602", q.ID, q.NotAllowedIn[0], r)
			}
			return
		}
	}
	t.Log("no brand-protected product among the first 2000")
}

func TestDSSearchAndFeeds(t *testing.T) {
	e := newEnv(t, Options{})
	r := e.ok("aliexpress.ds.text.search", map[string]string{"keyWord": "", "local": "en_US", "countryCode": "US", "currency": "USD", "pageSize": "5", "sortBy": "orders,desc"})
	shape(t, "ds.text.search", r, map[string]string{
		"code": "string", "data.totalCount": "number", "data.pageIndex": "number", "data.pageSize": "number",
		"data.products.selection_search_product.0.itemId":       "string",
		"data.products.selection_search_product.0.title":        "string",
		"data.products.selection_search_product.0.salePrice":    "string",
		"data.products.selection_search_product.0.discount":     "string",
		"data.products.selection_search_product.0.evaluateRate": "string",
		"data.products.selection_search_product.0.orders":       "string",
	})
	if got := e.errCode("aliexpress.ds.text.search", map[string]string{"keyWord": "x", "countryCode": "US", "currency": "USD"}); got != "MissingParameter" {
		t.Errorf("ds.text.search without local = %q; want MissingParameter", got)
	}

	r = e.ok("aliexpress.ds.feedname.get", nil)
	shape(t, "ds.feedname.get", r, map[string]string{
		"resp_result.resp_code": "number", "resp_result.result.current_record_count": "number",
		"resp_result.result.promos.promo.0.promo_name": "string",
	})
	feed := str(at(r, "resp_result.result.promos.promo.0.promo_name"))

	r = e.ok("aliexpress.ds.recommend.feed.get", map[string]string{"feed_name": feed, "page_size": "3", "target_currency": "EUR"})
	shape(t, "ds.recommend.feed.get", r, productShape("resp_result.result.products.product.0."))
	e2 := newEnv(t, Options{RecommendFeedTOPShape: true})
	r = e2.ok("aliexpress.ds.recommend.feed.get", map[string]string{"feed_name": feed, "page_size": "3"})
	shape(t, "ds.recommend.feed.get (TOP shape)", r, map[string]string{"rsp_code": "number", "result.products.product.0.product_id": "number"})

	// feed.itemids.get pages through the whole feed with search_id.
	want := e.sb.cat.FeedItemIDs(feed, 0, world.Day(e.clock.Now()))
	var got []int64
	sid := ""
	for range 1000 {
		r := e.ok("aliexpress.ds.feed.itemids.get", map[string]string{"feed_name": feed, "page_size": "50", "search_id": sid})
		shape(t, "ds.feed.itemids.get", r, map[string]string{"rsp_code": "number", "ret": "bool", "result.total": "number", "result.search_id": "string"})
		for _, n := range at(r, "result.products.number").([]any) {
			id, _ := strconv.ParseInt(str(n), 10, 64)
			got = append(got, id)
		}
		e.clock.Advance(time.Second) // 3 QPS
		if sid = str(at(r, "result.search_id")); sid == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("feed.itemids.get pages = %d IDs; want the feed's %d in order", len(got), len(want))
	}
	r = e.ok("aliexpress.ds.feed.itemids.get", map[string]string{"feed_name": feed, "page_size": "1"})
	if sid = str(at(r, "result.search_id")); sid != "" {
		e.clock.Advance(61 * time.Second)
		if code := e.errCode("aliexpress.ds.feed.itemids.get", map[string]string{"feed_name": feed, "search_id": sid}); code != "InvalidParameter" {
			t.Errorf("search_id after 61 s = %q; want InvalidParameter", code)
		}
		if code := e.errCode("aliexpress.ds.feed.itemids.get", map[string]string{"feed_name": feed, "search_id": "forged.1.2"}); code != "InvalidParameter" {
			t.Errorf("forged search_id = %q; want InvalidParameter", code)
		}
	}

	r = e.ok("aliexpress.ds.category.get", nil)
	cats := at(r, "resp_result.result.categories.category").([]any)
	top := str(at(cats[0], "category_id"))
	r = e.ok("aliexpress.ds.category.get", map[string]string{"categoryId": top})
	if n := len(at(r, "resp_result.result.categories.category").([]any)); n < 2 {
		t.Errorf("ds.category.get(%s) = %d categories; want it and its children", top, n)
	}
	if got := e.errCode("aliexpress.ds.category.get", map[string]string{"categoryId": "abc"}); got != "UnsupportedParamMapping" {
		t.Errorf("ds.category.get(abc) = %q; want UnsupportedParamMapping", got)
	}
}

func TestDSFreightAndMisc(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.fixture("US")
	req := func(country string) string {
		return `{"quantity":2,"shipToCountry":"` + country + `","productId":` + strconv.FormatInt(p.ID, 10) +
			`,"selectedSkuId":"` + p.Variants[0].SKUID + `","language":"en_US","locale":"en_US","currency":"USD"}`
	}
	r := e.ok("aliexpress.ds.freight.query", map[string]string{"queryDeliveryReq": req("US")})
	opt := "result.delivery_options.delivery_option_d_t_o.0."
	shape(t, "ds.freight.query", r, map[string]string{
		"result.success": "bool", "result.code": "number",
		opt + "code": "string", opt + "company": "string", opt + "shipping_fee_cent": "string",
		opt + "shipping_fee_currency": "string", opt + "free_shipping": "bool", opt + "min_delivery_days": "number",
		opt + "max_delivery_days": "number", opt + "ship_from_country": "string", opt + "tracking": "bool",
	})
	r = e.ok("aliexpress.ds.freight.query", map[string]string{"queryDeliveryReq": req("AQ")})
	if str(at(r, "result.code")) != "505" || str(at(r, "result.msg")) != "DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS" || str(at(r, "result.success")) != "false" {
		t.Errorf("ds.freight.query to AQ = %v; want code 505 DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS", r)
	}
	for _, bad := range []string{`{"quantity":1}`, `not json`, `{"quantity":0,"shipToCountry":"US","productId":1,"selectedSkuId":"1","language":"en","locale":"en_US","currency":"USD"}`} {
		if got := e.errCode("aliexpress.ds.freight.query", map[string]string{"queryDeliveryReq": bad}); got == "" {
			t.Errorf("ds.freight.query(%s) succeeded; want an error", bad)
		}
	}

	r = e.ok("aliexpress.ds.address.get", map[string]string{"countryCode": "US", "language": "en_US"})
	shape(t, "ds.address.get", r, map[string]string{"result.ret": "bool", "result.data.country": "string", "result.data.children": "string"})
	if !strings.Contains(str(at(r, "result.data.children")), "California") {
		t.Errorf("ds.address.get(US) children = %s; want the states", truncate(str(at(r, "result.data.children")), 100))
	}

	r = e.ok("aliexpress.ds.member.benefit.get", nil)
	shape(t, "ds.member.benefit.get", r, map[string]string{"rsp_code": "number", "result.0.code": "string", "result.0.canBenefit": "string"})

	r = e.ok("aliexpress.ds.add.info", map[string]string{"param0": `{"store_url":"https://shop.example"}`})
	if str(r["result"]) != "true" || str(r["rsp_code"]) != "200" {
		t.Errorf("ds.add.info = %v; want result true, rsp_code 200", r)
	}
	if got := e.errCode("aliexpress.ds.add.info", map[string]string{"param0": `[1`}); got != "InvalidParameter" {
		t.Errorf("ds.add.info(bad JSON) = %q; want InvalidParameter", got)
	}

	ok := map[string]string{"ae_orderid": "8100000000000001", "ae_product_id": strconv.FormatInt(p.ID, 10),
		"ae_sku_info": "14:175", "product_amount": "10.00", "order_amount": "12.50", "paytime": "20260301:101500", "product_url": "https://shop.example/p/1"}
	r = e.ok("aliexpress.ds.member.orderdata.submit", ok)
	if str(r["result"]) != "true" {
		t.Errorf("ds.member.orderdata.submit = %v; want result true", r)
	}
	bad := map[string]string{}
	for k, v := range ok {
		bad[k] = v
	}
	bad["paytime"] = "2026-03-01 10:15:00"
	if got := e.errCode("aliexpress.ds.member.orderdata.submit", bad); got != "InvalidParameter" {
		t.Errorf("ds.member.orderdata.submit with a bad paytime = %q; want InvalidParameter", got)
	}
}

// TestWireForms checks each WireForm on an affiliate list, a DS product, and the envelope around them.
func TestWireForms(t *testing.T) {
	for _, tt := range []struct {
		form           WireForm
		number, bool   string // JSON kinds of a Number and a Boolean field
		list           string // the path suffix of a list's first element
		requestIDAtTop bool
	}{
		{WireLive, "number", "bool", ".product.0", false},
		{WireBareLists, "number", "bool", ".0", false},
		{WireStringScalars, "string", "string", ".product.0", false},
		{WireDocSample, "string", "string", ".0", true},
	} {
		t.Run(string(tt.form), func(t *testing.T) {
			e := newEnv(t, Options{Wire: tt.form})
			r := e.ok("aliexpress.affiliate.product.query", map[string]string{"page_size": "2"})
			shape(t, string(tt.form), r, map[string]string{
				"resp_result.resp_code":                                 tt.number,
				"resp_result.resp_msg":                                  "string",
				"resp_result.result.products" + tt.list + ".product_id": tt.number,
				"resp_result.result.products" + tt.list + ".sale_price": "string",
			})
			p := e.fixture("US")
			r = e.ok("aliexpress.ds.product.get", map[string]string{"product_id": strconv.FormatInt(p.ID, 10), "ship_to_country": "US"})
			sku := "result.ae_item_sku_info_dtos" + strings.Replace(tt.list, "product", "ae_item_sku_info_d_t_o", 1) + "."
			shape(t, string(tt.form)+" ds.product.get", r, map[string]string{
				"rsp_code":                  tt.number,
				"result.has_whole_sale":     tt.bool,
				sku + "sku_id":              "string",
				sku + "offer_sale_price":    "string",
				sku + "sku_available_stock": tt.number,
			})

			whole := e.call("aliexpress.ds.feedname.get", nil)
			if got := whole["request_id"] != nil; got != tt.requestIDAtTop {
				t.Errorf("%s: request_id at the top level = %v; want %v", tt.form, got, tt.requestIDAtTop)
			}
			if tt.requestIDAtTop && str(whole["code"]) != "0" {
				t.Errorf("%s: top-level code = %v; want \"0\"", tt.form, whole["code"])
			}
			tok := e.rest("/auth/token/create", map[string]string{"code": e.sb.AuthorizeCode("https://x.example/")})
			shape(t, string(tt.form)+" token", tok, map[string]string{"expires_in": tt.number, "code": "string"})
		})
	}
}

// TestUnknownWireFormPanics: a misspelt form is a programming error, caught at New.
func TestUnknownWireFormPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("New(Wire \"xml\") did not panic")
		}
	}()
	New(Options{Wire: "xml"})
}

func TestHostileProducts(t *testing.T) {
	e := newEnv(t, Options{})
	ids := e.sb.HostileProductIDs()
	if len(ids) == 0 {
		t.Fatal("HostileProductIDs() is empty")
	}
	var list []string
	for _, id := range ids[:min(len(ids), 20)] {
		list = append(list, strconv.FormatInt(id, 10))
	}
	r := e.ok("aliexpress.affiliate.productdetail.get", map[string]string{"product_ids": strings.Join(list, ",")})
	if n := len(at(r, "resp_result.result.products.product").([]any)); n != len(list) {
		t.Errorf("productdetail.get of %d hostile products = %d; want all", len(list), n)
	}
	// Titles arrive verbatim, as the platform's serializer leaves HTML alone.
	for _, id := range ids {
		p, _ := e.sb.cat.Product(id, world.Day(e.clock.Now()))
		if strings.Contains(p.Title, "<script>") {
			r := e.ok("aliexpress.ds.product.get", map[string]string{"product_id": strconv.FormatInt(id, 10), "ship_to_country": "US"})
			if got := str(at(r, "result.ae_item_base_info_dto.subject")); got != p.Title {
				t.Errorf("subject = %q; want %q verbatim", got, p.Title)
			}
			return
		}
	}
}

func TestHomePage(t *testing.T) {
	e := newEnv(t, Options{})
	status, ctype, body := e.serve(httptest.NewRequest(http.MethodGet, "/", nil))
	if status != 200 || !strings.HasPrefix(ctype, "text/html") || !strings.Contains(string(body), "500000") || strings.Contains(string(body), DefaultAppSecret) {
		t.Errorf("GET / = %d %s; want a page with the app key and never the secret", status, ctype)
	}
	status, _, _ = e.serve(httptest.NewRequest(http.MethodGet, "/sandbox/img/nope.png", nil))
	if status != http.StatusNotFound {
		t.Errorf("GET an unknown picture = %d; want 404", status)
	}
}
