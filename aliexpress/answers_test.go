package aliexpress_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

// answerGateway answers every request with body(key), key being the method or the /rest path.
// For /sync the body is wrapped in the method's <method>_response object unless raw is set.
type answerGateway struct {
	srv  *httptest.Server
	mu   sync.Mutex
	keys []string
}

func newAnswerGateway(t *testing.T, raw bool, body func(key string) string) *answerGateway {
	t.Helper()
	g := &answerGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		key := r.Form.Get("method")
		rest := strings.HasPrefix(r.URL.Path, "/rest/")
		if rest {
			key = strings.TrimPrefix(r.URL.Path, "/rest")
		}
		g.mu.Lock()
		g.keys = append(g.keys, key)
		g.mu.Unlock()
		b := body(key)
		if !rest && !raw {
			b = `{"` + strings.ReplaceAll(key, ".", "_") + `_response":` + b + `}`
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		io.WriteString(w, b)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

// client returns a client of the gateway that neither retries nor waits for rate limits.
func (g *answerGateway) client(t *testing.T, opts ...aliexpress.Option) *aliexpress.Client {
	t.Helper()
	noLimits := aliexpress.DefaultRateLimits()
	for m := range noLimits {
		noLimits[m] = 0
	}
	base := []aliexpress.Option{
		aliexpress.WithGateway(g.srv.URL),
		aliexpress.WithAccessToken(dsToken),
		aliexpress.WithTrackingID("tracking-1"),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}),
		aliexpress.WithRateLimits(noLimits),
	}
	c, err := aliexpress.NewClient(dsKey, dsSecret, append(base, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// methodCall is one public method of the SDK, called with valid arguments.
type methodCall struct {
	name string
	call func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error)
}

func ignore[T any](_ T, resp *aliexpress.Response, err error) (*aliexpress.Response, error) {
	return resp, err
}

// everyMethod lists every method that calls the platform.
func everyMethod() []methodCall {
	from := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	order := &aliexpress.OrderRequest{OutOrderID: "o-1", Items: []aliexpress.OrderItem{{ProductID: 1, Quantity: 1}},
		Address: aliexpress.ShippingAddress{FullName: "A B", Address: "1 Main St", City: "X", Province: "Y", Country: "US"}}
	return []methodCall{
		{"DS.Product", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.Product(ctx, 1, &aliexpress.DSProductOptions{ShipTo: "US"}))
		}},
		{"DS.TextSearch", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.TextSearch(ctx, "x", &aliexpress.TextSearchOptions{ShipTo: "US"}))
		}},
		{"DS.RecommendFeed", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.RecommendFeed(ctx, "DS bestseller", nil))
		}},
		{"DS.FeedNames", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.FeedNames(ctx))
		}},
		{"DS.FeedItemIDs", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.FeedItemIDs(ctx, "DS bestseller", nil))
		}},
		{"DS.Categories", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.Categories(ctx, nil))
		}},
		{"DS.Freight", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.Freight(ctx, &aliexpress.FreightQuery{ProductID: 1, SKUID: "1", ShipTo: "US"}))
		}},
		{"DS.Addresses", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.Addresses(ctx, "US", nil))
		}},
		{"DS.CreateOrder", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.CreateOrder(ctx, order))
		}},
		{"DS.Order", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.Order(ctx, 1))
		}},
		{"DS.Tracking", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.Tracking(ctx, 1, nil))
		}},
		{"DS.SubmitOrderData", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return c.DS.SubmitOrderData(ctx, &aliexpress.OrderData{OrderID: 1, ProductID: 1, OrderAmount: usd(100), PaidAt: from})
		}},
		{"DS.AddInfo", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return c.DS.AddInfo(ctx, &aliexpress.DropshipperInfo{StoreURL: "https://shop.example"})
		}},
		{"DS.MemberBenefits", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.DS.MemberBenefits(ctx))
		}},
		{"Affiliate.QueryProducts", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{Keywords: "x"}))
		}},
		{"Affiliate.HotProducts", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.HotProducts(ctx, &aliexpress.ProductQuery{Keywords: "x"}))
		}},
		{"Affiliate.ProductDetails", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.ProductDetails(ctx, []int64{1}, nil))
		}},
		{"Affiliate.Categories", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.Categories(ctx))
		}},
		{"Affiliate.GenerateLinks", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.GenerateLinks(ctx, []string{"https://www.aliexpress.com/item/1.html"}, nil))
		}},
		{"Affiliate.SmartMatch", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.SmartMatch(ctx, &aliexpress.SmartMatchQuery{Keywords: "x"}))
		}},
		{"Affiliate.FeaturedPromos", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.FeaturedPromos(ctx))
		}},
		{"Affiliate.FeaturedPromoProducts", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.FeaturedPromoProducts(ctx, &aliexpress.PromoProductQuery{PromotionName: aliexpress.PromoHotProduct}))
		}},
		{"Affiliate.DownloadHotProducts", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.DownloadHotProducts(ctx, &aliexpress.HotProductDownloadQuery{CategoryID: 1}))
		}},
		{"Affiliate.ProductShipping", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.ProductShipping(ctx, &aliexpress.ShippingQuery{ProductID: 1, SKUID: "1", ShipToCountry: "US",
				TargetSalePrice: usd(100), TargetLanguage: "EN"}))
		}},
		{"Affiliate.SKUDetails", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.SKUDetails(ctx, &aliexpress.SKUDetailQuery{ProductID: 1, ShipToCountry: "US",
				TargetCurrency: "USD", TargetLanguage: "EN"}))
		}},
		{"Affiliate.Orders", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.Orders(ctx, &aliexpress.OrderQuery{StartTime: from, EndTime: from.Add(time.Hour),
				Status: aliexpress.AffiliateOrderPaymentCompleted}))
		}},
		{"Affiliate.OrdersByID", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Affiliate.OrdersByID(ctx, []int64{1}, nil))
		}},
		{"OAuth.CreateToken", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.OAuth.CreateToken(ctx, "3_500777_code"))
		}},
		{"OAuth.RefreshToken", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.OAuth.RefreshToken(ctx, "50001refresh"))
		}},
		{"Client.Call", func(ctx context.Context, c *aliexpress.Client) (*aliexpress.Response, error) {
			return ignore(c.Call(ctx, "aliexpress.ds.some.new.method", map[string]string{"a": "1"}, true))
		}},
	}
}

// TestEveryMethodChecksEveryStatusMarker feeds every method the failure form of every
// success-or-failure marker an envelope family can carry. Each must come back as the platform's
// error with its message, never as an empty success or an unreadable answer.
func TestEveryMethodChecksEveryStatusMarker(t *testing.T) {
	markers := []struct {
		name, body string
		kind       error  // nil: any platform kind
		msg        string // part of the platform's message the error must carry
	}{
		{"rsp_code", `{"rsp_code":"500","rsp_msg":"System error"}`, aliexpress.ErrUnavailable, "System error"},
		{"rsp_code as a number", `{"rsp_code":605,"rsp_msg":"ITEM_ID_NOT_FOUND"}`, aliexpress.ErrItemNotFound, "ITEM_ID_NOT_FOUND"},
		{"resp_code", `{"resp_result":{"resp_code":401,"resp_msg":"This publisher is not registered"}}`, aliexpress.ErrPublisherNotRegistered, "not registered"},
		{"code", `{"code":"InsufficientPermission","msg":"Insufficient permission"}`, aliexpress.ErrPermission, "Insufficient permission"},
		{"code in the result", `{"result":{"code":"1001","msg":"TRACKING DATA NOT FOUND"}}`, aliexpress.ErrTrackingNotFound, "TRACKING DATA NOT FOUND"},
		{"ret", `{"ret":false,"msg":"refused by the platform"}`, nil, "refused by the platform"},
		{"ret in the result", `{"result":{"ret":"false","code":"E1","msg":"refused by the platform"}}`, nil, "refused by the platform"},
		{"is_success", `{"result":{"is_success":false,"error_code":"PARM_ILLEGL","error_msg":"parameter illegal"}}`, aliexpress.ErrInvalidParameter, "parameter illegal"},
		{"success", `{"result":{"success":false,"code":505,"msg":"DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS"}}`, aliexpress.ErrDeliveryUnavailable, "DELIVERY_NOT_AVAILABLE"},
		{"result_success", `{"result_success":false,"error_desc":"query refused"}`, nil, "query refused"},
		{"resp_code with a result failure", `{"resp_result":{"resp_code":200,"result":{"success":false,"msg":"no such product"}}}`, nil, "no such product"},
	}
	for _, mk := range markers {
		g := newAnswerGateway(t, false, func(string) string { return mk.body })
		c := g.client(t)
		for _, m := range everyMethod() {
			resp, err := m.call(context.Background(), c)
			var e *aliexpress.Error
			switch {
			case err == nil:
				t.Errorf("%s with a failing %s = success; want the platform's error", m.name, mk.name)
			case !errors.As(err, &e) || errors.Is(err, aliexpress.ErrMalformedResponse):
				t.Errorf("%s with a failing %s: error = %v; want the platform's error, not an unreadable answer", m.name, mk.name, err)
			case mk.kind != nil && !errors.Is(err, mk.kind) && !(m.name == "DS.CreateOrder" && errors.Is(err, aliexpress.ErrOrderRejected)):
				t.Errorf("%s with a failing %s: error = %v; want %v", m.name, mk.name, err, mk.kind)
			case !strings.Contains(e.Message, mk.msg):
				t.Errorf("%s with a failing %s: message %q; want the platform's %q", m.name, mk.name, e.Message, mk.msg)
			case resp == nil || resp.Attempts != 1:
				t.Errorf("%s with a failing %s: Response %+v; want one attempt", m.name, mk.name, resp)
			}
		}
	}
}

// TestStatusLabelIsNotAFailure checks that a code that is a label, not a status, does not turn an
// answer whose ret says true into a failure, while a numeric one still does.
func TestStatusLabelIsNotAFailure(t *testing.T) {
	body := `{"result":{"products":{"number":[11,12]},"search_id":"s2","total":2},"rsp_code":200,"ret":true,"code":"SUCCESS"}`
	g := newAnswerGateway(t, false, func(string) string { return body })
	page, _, err := g.client(t).DS.FeedItemIDs(context.Background(), "DS bestseller", nil)
	if err != nil || len(page.IDs) != 2 {
		t.Errorf("FeedItemIDs with ret true and code SUCCESS = %+v, %v; want 2 IDs", page, err)
	}
	body = `{"result":{"ret":true,"code":"1001","msg":"TRACKING DATA NOT FOUND"}}`
	if _, _, err := g.client(t).DS.Tracking(context.Background(), 1, nil); !errors.Is(err, aliexpress.ErrTrackingNotFound) {
		t.Errorf("Tracking with ret true and code 1001: error = %v; want ErrTrackingNotFound", err)
	}
}

// TestTextSearchErrorsAreNotEmptyPages is the case: an error under the right root used to
// read as "0 products, no error".
func TestTextSearchErrorsAreNotEmptyPages(t *testing.T) {
	for _, tt := range []struct {
		body string
		kind error
	}{
		{`{"rsp_code":"500","rsp_msg":"System error"}`, aliexpress.ErrUnavailable},
		{`{"resp_result":{"resp_code":405}}`, aliexpress.ErrNoResults},
		{`{"code":"IllegalAccessToken","msg":"The specified access token is invalid or expired"}`, aliexpress.ErrInvalidToken},
		{`{"code":"0"}`, aliexpress.ErrRequiredField}, // a success without its data
	} {
		g := newAnswerGateway(t, false, func(string) string { return tt.body })
		page, _, err := g.client(t).DS.TextSearch(context.Background(), "phone", &aliexpress.TextSearchOptions{ShipTo: "US"})
		if page != nil || !errors.Is(err, tt.kind) {
			t.Errorf("TextSearch answered %s = %+v, %v; want no page and %v", tt.body, page, err, tt.kind)
		}
	}
}

// A ds.product.get answer whose variants, prices and stock are fine, with something odd in almost
// every optional field.
const oddProduct = `{"result":{
 "ae_item_base_info_dto":{"product_id":"\"1005001234567890\"","subject":"N/A","currency_code":"CNY","avg_evaluation_rating":"-",
   "evaluation_count":"undefined","category_id":"null"},
 "ae_item_sku_info_dtos":{"ae_item_sku_info_d_t_o":[
  {"sku_id":"12000000000000001","sku_attr":"14:175#Black","sku_price":"\"15.00\"","offer_sale_price":"12.50","sku_available_stock":"\"57\"",
   "offer_bulk_sale_price":"abc","tax_amount":{"amount":"1"},"estimated_import_charges":"null","price_include_tax":"maybe",
   "wholesale_price_tiers":[{"min_quantity":2,"discount":"5%","wholesale_price":"\"12.50\""},
                            {"min_quantity":10,"discount":"9%","wholesale_price":"N/A"},"junk"],
   "ae_sku_property_dtos":"N/A"},
  {"sku_id":"12000000000000002","sku_price":"16.00","offer_sale_price":"13.00","currency_code":"USD","sku_available_stock":3,
   "ae_sku_property_dtos":{"ae_sku_property_d_t_o":[{"sku_property_id":"x","sku_property_name":"Color","sku_property_value":"red"}]}}]},
 "ae_item_properties":"N/A",
 "ae_multimedia_info_dto":"N/A",
 "package_info_dto":{"package_length":"18cm","gross_weight":"0.050"},
 "ae_store_info":{"store_id":1100000001,"store_name":"Demo","item_as_described_rating":"N/A"},
 "product_id_converter_result":{"sub_product_id":"oops"},
 "manufacturer_info":[]},
 "rsp_code":200,"rsp_msg":"Call succeeds","request_id":"r-odd"}`

// TestDSProductBendsOnOddOptionalFields: one odd value in an optional field no longer sinks a
// product whose variants, prices and stock are fine. Numbers inside stray quotes are read; what
// cannot be read is left empty and reported with its path.
func TestDSProductBendsOnOddOptionalFields(t *testing.T) {
	g := newAnswerGateway(t, false, func(string) string { return oddProduct })
	p, resp, err := g.client(t).DS.Product(context.Background(), 1005001234567890, &aliexpress.DSProductOptions{ShipTo: "US", Currency: "EUR"})
	if err != nil {
		t.Fatalf("Product: %v", err)
	}
	if p.ID != 1005001234567890 || len(p.Variants) != 2 || p.Title != "N/A" {
		t.Fatalf("Product = {ID %d, %d variants, Title %q}; want 1005001234567890, 2 variants, the title as sent", p.ID, len(p.Variants), p.Title)
	}
	v := p.Variants[0]
	eur := func(cents int64) aliexpress.Money { return aliexpress.Money{Amount: cents, Currency: "EUR"} }
	if v.Price != eur(1500) || v.SalePrice != eur(1250) || v.Stock != 57 {
		t.Errorf("Variants[0] = {Price %v, SalePrice %v, Stock %d}; want 15.00 EUR, 12.50 EUR, 57", v.Price, v.SalePrice, v.Stock)
	}
	if len(v.WholesaleTiers) != 1 || v.WholesaleTiers[0].Price != eur(1250) || v.WholesaleTiers[0].MinQuantity != 2 {
		t.Errorf("WholesaleTiers = %+v; want the one tier that reads: 12.50 EUR from 2", v.WholesaleTiers)
	}
	if !v.BulkPrice.IsZero() || !v.Tax.IsZero() || v.EstimatedImportCharges != nil || v.Properties != nil {
		t.Errorf("Variants[0] = %+v; want the unreadable bulk price, tax, import charges and properties left empty", v)
	}
	if w := p.Variants[1]; w.SalePrice != usd(1300) || len(w.Properties) != 1 || w.Properties[0].Value != "red" {
		t.Errorf("Variants[1] = %+v; want 13.00 USD (its own currency) and its property", w)
	}
	if p.Attributes != nil || p.Images != nil || p.SubProductIDs != nil || p.Manufacturer != nil || p.Store.ID != 1100000001 {
		t.Errorf("Product = %+v; want the unreadable parts empty and the store kept", p)
	}
	want := map[string]string{
		"result.ae_item_base_info_dto.avg_evaluation_rating":                       `placeholder "-"`,
		"result.ae_item_base_info_dto.evaluation_count":                            `placeholder "undefined"`,
		"result.ae_item_base_info_dto.category_id":                                 `placeholder "null"`,
		"result.ae_item_sku_info_dtos[0].offer_bulk_sale_price":                    `"abc" is not a price`,
		"result.ae_item_sku_info_dtos[0].tax_amount":                               "want a single value, got an object",
		"result.ae_item_sku_info_dtos[0].estimated_import_charges":                 `placeholder "null"`,
		"result.ae_item_sku_info_dtos[0].price_include_tax":                        `"maybe" is not a boolean`,
		"result.ae_item_sku_info_dtos[0].wholesale_price_tiers[1].wholesale_price": `placeholder "N/A"`,
		"result.ae_item_sku_info_dtos[0].wholesale_price_tiers[2]":                 "left out: want an object, got a string",
		"result.ae_item_sku_info_dtos[0].ae_sku_property_dtos":                     `want a list, got placeholder "N/A"`,
		"result.ae_item_sku_info_dtos[1].ae_sku_property_dtos[0].sku_property_id":  `"x" is not an integer`,
		"result.ae_item_properties":                                                `want a list, got placeholder "N/A"`,
		"result.ae_multimedia_info_dto":                                            `want an object, got placeholder "N/A"`,
		"result.package_info_dto.package_length":                                   `"18cm" is not an integer`,
		"result.ae_store_info.item_as_described_rating":                            `placeholder "N/A"`,
		"result.product_id_converter_result.sub_product_id":                        `want an object of product IDs by country, got "oops"`,
		"result.manufacturer_info":                                                 "want an object, got a list",
	}
	got := map[string]string{}
	for _, w := range resp.Warnings {
		got[w.Field] = w.Problem
	}
	for field, problem := range want {
		if got[field] != problem {
			t.Errorf("warning for %s = %q; want %q", field, got[field], problem)
		}
	}
	if len(got) != len(want) {
		t.Errorf("Warnings = %v; want exactly %d", resp.Warnings, len(want))
	}
}

// TestRequiredFieldsFailTheAnswer: without an ID or a variant's price the answer is useless; that
// fails it with ErrRequiredField naming the field, which callers can tell from an unreadable body
// and from the platform's own errors.
func TestRequiredFieldsFailTheAnswer(t *testing.T) {
	for _, tt := range []struct {
		name, from, to, field string
	}{
		{"product_id", `"\"1005001234567890\""`, `"abc"`, "result.ae_item_base_info_dto.product_id"},
		{"offer_sale_price", `"offer_sale_price":"12.50"`, `"offer_sale_price":"N/A"`, "result.ae_item_sku_info_dtos[0].offer_sale_price"},
		{"sku_price", `"sku_price":"16.00"`, `"sku_price":{}`, "result.ae_item_sku_info_dtos[1].sku_price"},
		{"sku_id", `"sku_id":"12000000000000002"`, `"sku_id":"undefined"`, "result.ae_item_sku_info_dtos[1].sku_id"},
	} {
		body := strings.Replace(oddProduct, tt.from, tt.to, 1)
		g := newAnswerGateway(t, false, func(string) string { return body })
		p, _, err := g.client(t).DS.Product(context.Background(), 1005001234567890, &aliexpress.DSProductOptions{ShipTo: "US"})
		var e *aliexpress.Error
		if p != nil || !errors.As(err, &e) || !errors.Is(err, aliexpress.ErrRequiredField) || e.Field != tt.field ||
			errors.Is(err, aliexpress.ErrUnreadableResponse) || e.RequestID != "r-odd" {
			t.Errorf("%s unreadable: Product = %v, %#v; want ErrRequiredField for %s", tt.name, p, err, tt.field)
		}
		if !errors.Is(err, aliexpress.ErrMalformedResponse) {
			t.Errorf("%s unreadable: error %v is not an ErrMalformedResponse as well", tt.name, err)
		}
	}
}

// TestErrorKindsNameTheCause: "the answer could not be read" only for a body that is not the
// platform's JSON; the platform's errors and a bad required field are their own kinds.
func TestErrorKindsNameTheCause(t *testing.T) {
	for _, tt := range []struct {
		body     string
		kind     error
		notKinds []error
	}{
		{`<html><body>502 Bad Gateway</body></html>`, aliexpress.ErrUnreadableResponse, []error{aliexpress.ErrRequiredField}},
		{`{"aliexpress_ds_product_get_respo`, aliexpress.ErrUnreadableResponse, []error{aliexpress.ErrRequiredField}},
		{`{"unrelated":{"a":1}}`, aliexpress.ErrUnreadableResponse, []error{aliexpress.ErrRequiredField}},
		{`{"aliexpress_ds_product_get_response":{"rsp_code":605,"rsp_msg":"ITEM_ID_NOT_FOUND"}}`, aliexpress.ErrItemNotFound,
			[]error{aliexpress.ErrMalformedResponse}},
		{`{"error_response":{"code":"IllegalAccessToken","msg":"expired"}}`, aliexpress.ErrInvalidToken, []error{aliexpress.ErrMalformedResponse}},
		{`{"aliexpress_ds_product_get_response":{"rsp_code":200}}`, aliexpress.ErrRequiredField, []error{aliexpress.ErrUnreadableResponse}},
		{`{"aliexpress_ds_product_get_response":{"result":"N/A","rsp_code":200}}`, aliexpress.ErrRequiredField, []error{aliexpress.ErrUnreadableResponse}},
	} {
		g := newAnswerGateway(t, true, func(string) string { return tt.body })
		_, _, err := g.client(t).DS.Product(context.Background(), 1, &aliexpress.DSProductOptions{ShipTo: "US"})
		if !errors.Is(err, tt.kind) {
			t.Errorf("Product answered %s: error = %v; want %v", tt.body, err, tt.kind)
		}
		for _, k := range tt.notKinds {
			if errors.Is(err, k) {
				t.Errorf("Product answered %s: error = %v is also %v", tt.body, err, k)
			}
		}
	}
}

// TestVariantPriceTakesTheRequestCurrency: a product whose base info says CNY lists its SKU prices
// in the currency asked for; a SKU without a currency of its own must not take CNY.
func TestVariantPriceTakesTheRequestCurrency(t *testing.T) {
	body := `{"result":{"ae_item_base_info_dto":{"product_id":1,"currency_code":"CNY"},
	 "ae_item_sku_info_dtos":[{"sku_id":"1","sku_price":"9.99","offer_sale_price":"8.00","tax_amount":"0.50",
	   "wholesale_price_tiers":[{"min_quantity":5,"wholesale_price":"7.00"}]},
	  {"sku_id":"2","sku_price":"9.99","offer_sale_price":"8.00","currency_code":"usd"}]},"rsp_code":200}`
	g := newAnswerGateway(t, false, func(string) string { return body })
	for _, tt := range []struct {
		asked, want string
	}{{"GBP", "GBP"}, {"", "USD"}} {
		p, _, err := g.client(t).DS.Product(context.Background(), 1, &aliexpress.DSProductOptions{ShipTo: "GB", Currency: tt.asked})
		if err != nil {
			t.Fatal(err)
		}
		v := p.Variants[0]
		if v.SalePrice.Currency != tt.want || v.Price.Currency != tt.want || v.Tax.Currency != tt.want ||
			v.WholesaleTiers[0].Price.Currency != tt.want || p.Currency != "CNY" {
			t.Errorf("asking for %q: variant prices %v, %v, tax %v, tier %v (product %s); want them in %s",
				tt.asked, v.Price, v.SalePrice, v.Tax, v.WholesaleTiers[0].Price, p.Currency, tt.want)
		}
		if c := p.Variants[1].SalePrice.Currency; c != "USD" {
			t.Errorf("asking for %q: a SKU that names USD is priced in %s; want USD", tt.asked, c)
		}
	}
}
