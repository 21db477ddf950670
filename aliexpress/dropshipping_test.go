package aliexpress_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

const (
	dsKey    = "500777"
	dsSecret = "dsTestSecretValue0123456789"
	dsToken  = "50000TESTSESSIONTOKEN000000000000001"
)

// dsFake is a gateway mounted under /prefix that answers each method (or /rest path) with the next
// fixture of its script (the last one repeats) and checks every request's signature.
type dsFake struct {
	t      *testing.T
	srv    *httptest.Server
	mu     sync.Mutex
	script map[string][]string
	seen   []dsSeen
}

// dsSeen is one request the fake received.
type dsSeen struct {
	Path   string
	Key    string // method or /rest path
	Params map[string]string
}

func newDSFake(t *testing.T, script map[string][]string) *dsFake {
	t.Helper()
	f := &dsFake{t: t, script: script}
	mux := http.NewServeMux()
	mux.HandleFunc("/prefix/", f.serve)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *dsFake) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("ParseForm: %v", err)
	}
	params := map[string]string{}
	for k, v := range r.Form {
		params[k] = v[0]
	}
	key, apiPath := params["method"], ""
	switch {
	case r.URL.Path == "/prefix/sync":
	case strings.HasPrefix(r.URL.Path, "/prefix/rest/"):
		apiPath = strings.TrimPrefix(r.URL.Path, "/prefix/rest")
		key = apiPath
	default:
		f.t.Errorf("request to %s; want /prefix/sync or /prefix/rest/...", r.URL.Path)
	}
	want, err := aliexpress.Sign(aliexpress.SignMethod(params["sign_method"]), dsSecret, apiPath, params)
	if err != nil || params["sign"] != want {
		f.t.Errorf("%s: sign = %q; want %q (%v)", key, params["sign"], want, err)
	}
	f.mu.Lock()
	f.seen = append(f.seen, dsSeen{Path: r.URL.Path, Key: key, Params: params})
	queue := f.script[key]
	name := ""
	if len(queue) > 0 {
		name = queue[0]
		if len(queue) > 1 {
			f.script[key] = queue[1:]
		}
	}
	f.mu.Unlock()
	switch {
	case name == "":
		f.t.Errorf("no answer scripted for %s", key)
		http.Error(w, "no answer", http.StatusNotImplemented)
	case strings.HasPrefix(name, "status:"):
		code := map[string]int{"status:503": 503, "status:500": 500, "status:502": 502}[name]
		http.Error(w, "upstream failure", code)
	default:
		body, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.t.Errorf("fixture: %v", err)
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.Write(body)
	}
}

func (f *dsFake) requests(key string) []dsSeen {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []dsSeen
	for _, s := range f.seen {
		if s.Key == key {
			out = append(out, s)
		}
	}
	return out
}

func (f *dsFake) last(key string) dsSeen {
	f.t.Helper()
	rs := f.requests(key)
	if len(rs) == 0 {
		f.t.Fatalf("no request for %s", key)
	}
	return rs[len(rs)-1]
}

var dsNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func (f *dsFake) client(t *testing.T, opts ...aliexpress.Option) *aliexpress.Client {
	t.Helper()
	base := []aliexpress.Option{
		aliexpress.WithGateway(f.srv.URL + "/prefix"),
		aliexpress.WithAccessToken(dsToken),
		aliexpress.WithClock(func() time.Time { return dsNow }),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}),
		aliexpress.WithRandSeed(1),
	}
	c, err := aliexpress.NewClient(dsKey, dsSecret, append(base, opts...)...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func dsFixtures(m string, names ...string) map[string][]string {
	for i, n := range names {
		if !strings.HasPrefix(n, "status:") {
			names[i] = "ds/" + n
		}
	}
	return map[string][]string{m: names}
}

func usd(cents int64) aliexpress.Money { return aliexpress.Money{Amount: cents, Currency: "USD"} }

// dsCheckSession checks what every DS request must carry.
func dsCheckSession(t *testing.T, s dsSeen) {
	t.Helper()
	if s.Path != "/prefix/sync" {
		t.Errorf("%s went to %s; want /prefix/sync", s.Key, s.Path)
	}
	if s.Params["session"] != dsToken {
		t.Errorf("%s: session = %q; want the client's access token", s.Key, s.Params["session"])
	}
	if s.Params["app_key"] != dsKey {
		t.Errorf("%s: app_key = %q; want %q", s.Key, s.Params["app_key"], dsKey)
	}
}

// dsJSONParam decodes a parameter the platform takes as a JSON string.
func dsJSONParam(t *testing.T, s dsSeen, name string) map[string]any {
	t.Helper()
	var v map[string]any
	d := json.NewDecoder(strings.NewReader(s.Params[name]))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: parameter %s = %q is not a JSON object: %v", s.Key, name, s.Params[name], err)
	}
	return v
}

func TestDSProductEnvelopeForms(t *testing.T) {
	const m = "aliexpress.ds.product.get"
	for _, tc := range []struct {
		fixture      string
		wantVariants int
		wantSKU      string
		wantSale     aliexpress.Money
		wantStock    int
		wantImages   int
		wantGrams    int
		wantUS       int64
		wantEvals    int
	}{
		{"product_wrapped.json", 2, "12000000000000001", usd(520), 57, 2, 50, 3256801234567890, 120},
		// Its base currency is EUR and its SKU names none: the SKU is priced in the currency asked for.
		{"product_bare.json", 1, "12000000000000001", usd(109999), 3, 1, 1200, 3256801234567890, 1004},
		{"product_strings.json", 1, "12000027158136202", usd(520), 57, 2, 50, 0, 120},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			f := newDSFake(t, dsFixtures(m, tc.fixture))
			p, resp, err := f.client(t).DS.Product(context.Background(), 1005001234567890, &aliexpress.DSProductOptions{ShipTo: "us", Currency: "usd"})
			if err != nil {
				t.Fatalf("Product: %v", err)
			}
			if p.ID != 1005001234567890 || p.Title != "Demo Sunglasses" || p.CategoryID != 33902 {
				t.Errorf("Product = {ID %d, Title %q, CategoryID %d}; want 1005001234567890, Demo Sunglasses, 33902", p.ID, p.Title, p.CategoryID)
			}
			if len(p.Variants) != tc.wantVariants {
				t.Fatalf("len(Variants) = %d; want %d", len(p.Variants), tc.wantVariants)
			}
			v := p.Variants[0]
			if v.SKUID != tc.wantSKU || v.SalePrice != tc.wantSale || v.Stock != tc.wantStock {
				t.Errorf("Variants[0] = {SKUID %q, SalePrice %v, Stock %d}; want %q, %v, %d", v.SKUID, v.SalePrice, v.Stock, tc.wantSKU, tc.wantSale, tc.wantStock)
			}
			if v.EstimatedImportCharges != nil {
				t.Errorf("Variants[0].EstimatedImportCharges = %v; want nil (none given)", *v.EstimatedImportCharges)
			}
			if len(p.Images) != tc.wantImages || p.Images[0] != "https://ae01.alicdn.com/kf/Sdemo1.jpg" {
				t.Errorf("Images = %q; want %d images starting with Sdemo1.jpg", p.Images, tc.wantImages)
			}
			if p.Package.Grams != tc.wantGrams || p.Package.LengthCM != 18 {
				t.Errorf("Package = %+v; want %d grams, 18 cm long", p.Package, tc.wantGrams)
			}
			if p.USProductID != tc.wantUS {
				t.Errorf("USProductID = %d; want %d", p.USProductID, tc.wantUS)
			}
			if p.EvaluationCount != tc.wantEvals || p.Rating != 4.8 {
				t.Errorf("EvaluationCount, Rating = %d, %v; want %d, 4.8", p.EvaluationCount, p.Rating, tc.wantEvals)
			}
			if p.Store.ID != 1100000001 || p.Store.Country != "CN" {
				t.Errorf("Store = %+v; want ID 1100000001 from CN", p.Store)
			}
			if resp.RequestID == "" {
				t.Errorf("Response.RequestID is empty")
			}
			s := f.last(m)
			dsCheckSession(t, s)
			if s.Params["product_id"] != "1005001234567890" || s.Params["ship_to_country"] != "US" || s.Params["target_currency"] != "USD" {
				t.Errorf("params = %v; want product_id 1005001234567890, ship_to_country US, target_currency USD", s.Params)
			}
		})
	}
}

func TestDSProductDetails(t *testing.T) {
	f := newDSFake(t, dsFixtures("aliexpress.ds.product.get", "product_wrapped.json"))
	p, _, err := f.client(t).DS.Product(context.Background(), 1005001234567890, &aliexpress.DSProductOptions{ShipTo: "US"})
	if err != nil {
		t.Fatal(err)
	}
	v0, v1 := p.Variants[0], p.Variants[1]
	if v0.Price != usd(800) || v0.BulkPrice != usd(500) || v0.BulkMin != 10 || v0.Attr != "14:175#Black" || v0.Barcode != "0123456789012" {
		t.Errorf("Variants[0] = %+v; want price 8.00, bulk 5.00 from 10, attr 14:175#Black", v0)
	}
	wantProp := []aliexpress.SKUProperty{{ID: 14, Name: "Color", Value: "black", ValueID: 175, DefinitionName: "Black", Image: "https://ae01.alicdn.com/kf/Sdemo3.jpg"}}
	if !reflect.DeepEqual(v0.Properties, wantProp) {
		t.Errorf("Variants[0].Properties = %+v; want %+v", v0.Properties, wantProp)
	}
	// The second SKU's id is a JSON number of 17 digits: it must survive exactly.
	if v1.SKUID != "12000000000000002" || v1.Stock != 0 || !v1.PriceIncludesTax {
		t.Errorf("Variants[1] = {SKUID %q, Stock %d, PriceIncludesTax %v}; want 12000000000000002, 0, true", v1.SKUID, v1.Stock, v1.PriceIncludesTax)
	}
	if v1.EstimatedImportCharges == nil || *v1.EstimatedImportCharges != usd(42) {
		t.Errorf("Variants[1].EstimatedImportCharges = %v; want 0.42 USD", v1.EstimatedImportCharges)
	}
	if len(v1.WholesaleTiers) != 1 || v1.WholesaleTiers[0].Price != usd(493) || v1.WholesaleTiers[0].MinQuantity != 5 {
		t.Errorf("Variants[1].WholesaleTiers = %+v; want one tier 4.93 from 5", v1.WholesaleTiers)
	}
	if len(v1.Properties) != 1 || v1.Properties[0].DefinitionName != "Ivory" {
		t.Errorf("Variants[1].Properties = %+v; want one (wrapped single object) named Ivory", v1.Properties)
	}
	if len(p.Attributes) != 2 || p.Attributes[1].Unit != "mm" || len(p.Videos) != 1 || p.Videos[0].ID != 7000000001 {
		t.Errorf("Attributes, Videos = %+v, %+v", p.Attributes, p.Videos)
	}
	if p.DeliveryDays != 7 || p.ShipTo != "US" || p.SalesCount != "1000+" || p.Status != "onSelling" || p.DetailHTML != "<div>demo</div>" {
		t.Errorf("DeliveryDays %d ShipTo %q SalesCount %q Status %q DetailHTML %q", p.DeliveryDays, p.ShipTo, p.SalesCount, p.Status, p.DetailHTML)
	}
	if p.Store.ItemAsDescribed != 4.7 || p.Store.ShippingSpeed != 4.6 {
		t.Errorf("Store ratings = %+v", p.Store)
	}
}

func TestDSProductErrors(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		want    error
		code    string
	}{
		{"product_602.json", aliexpress.ErrNotAllowedToCountry, "602"},
		{"product_605_rsp.json", aliexpress.ErrItemNotFound, "605"},
		{"product_605_error.json", aliexpress.ErrItemNotFound, "ITEM_ID_NOT_FOUND"},
		{"product_605_subcode.json", aliexpress.ErrItemNotFound, "15"},
		{"product_bad_price.json", aliexpress.ErrMalformedResponse, ""},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			f := newDSFake(t, dsFixtures("aliexpress.ds.product.get", tc.fixture))
			p, _, err := f.client(t).DS.Product(context.Background(), 1005001234567890, &aliexpress.DSProductOptions{ShipTo: "DE"})
			if !errors.Is(err, tc.want) || p != nil {
				t.Fatalf("Product = %v, %v; want nil, %v", p, err, tc.want)
			}
			var e *aliexpress.Error
			if !errors.As(err, &e) || e.Code != tc.code || e.RequestID == "" {
				t.Errorf("error = %#v; want Code %q and a request id", e, tc.code)
			}
			if tc.want == aliexpress.ErrMalformedResponse && !strings.Contains(err.Error(), "ae_item_sku_info_dtos[1].offer_sale_price") {
				t.Errorf("error %q does not name the field", err)
			}
		})
	}
}

func TestDSValidatesBeforeCalling(t *testing.T) {
	f := newDSFake(t, map[string][]string{})
	ds := f.client(t).DS
	ctx := context.Background()
	addr := aliexpress.ShippingAddress{FullName: "Jane Doe", Address: "1 Main St", City: "Austin", Province: "Texas", Country: "US"}
	item := aliexpress.OrderItem{ProductID: 1005001234567890, Quantity: 1}
	for _, tc := range []struct {
		name  string
		field string
		call  func() error
	}{
		{"product id", "productID", func() error { _, _, err := ds.Product(ctx, 0, &aliexpress.DSProductOptions{ShipTo: "US"}); return err }},
		{"no ship-to", "ShipTo", func() error { _, _, err := ds.Product(ctx, 1, nil); return err }},
		{"three-letter ship-to", "ShipTo", func() error { _, _, err := ds.Product(ctx, 1, &aliexpress.DSProductOptions{ShipTo: "USA"}); return err }},
		{"search ship-to", "ShipTo", func() error {
			_, _, err := ds.TextSearch(ctx, "x", &aliexpress.TextSearchOptions{ShipTo: "1A"})
			return err
		}},
		{"feed name", "feedName", func() error { _, _, err := ds.RecommendFeed(ctx, " ", nil); return err }},
		{"feed page size", "PageSize", func() error {
			_, _, err := ds.FeedItemIDs(ctx, "DS bestseller", &aliexpress.FeedItemIDsOptions{PageSize: 500})
			return err
		}},
		{"freight sku", "SKUID", func() error {
			_, _, err := ds.Freight(ctx, &aliexpress.FreightQuery{ProductID: 1, ShipTo: "US"})
			return err
		}},
		{"freight nil", "FreightQuery", func() error { _, _, err := ds.Freight(ctx, nil); return err }},
		{"address country", "country", func() error { _, _, err := ds.Addresses(ctx, "", nil); return err }},
		{"order without address", "Address.Address", func() error {
			_, _, err := ds.CreateOrder(ctx, &aliexpress.OrderRequest{Items: []aliexpress.OrderItem{item}})
			return err
		}},
		{"order without items", "Items", func() error {
			_, _, err := ds.CreateOrder(ctx, &aliexpress.OrderRequest{Address: addr})
			return err
		}},
		{"order bad quantity", "Items[1].Quantity", func() error {
			_, _, err := ds.CreateOrder(ctx, &aliexpress.OrderRequest{Address: addr, Items: []aliexpress.OrderItem{item, {ProductID: 2}}})
			return err
		}},
		{"order country", "Address.Country", func() error {
			a := addr
			a.Country = "United States"
			_, _, err := ds.CreateOrder(ctx, &aliexpress.OrderRequest{Address: a, Items: []aliexpress.OrderItem{item}})
			return err
		}},
		{"order id", "orderID", func() error { _, _, err := ds.Order(ctx, -1); return err }},
		{"tracking id", "orderID", func() error { _, _, err := ds.Tracking(ctx, 0, nil); return err }},
		{"order data", "OrderID", func() error { _, err := ds.SubmitOrderData(ctx, &aliexpress.OrderData{ProductID: 1}); return err }},
		{"add info", "StoreURL", func() error { _, err := ds.AddInfo(ctx, &aliexpress.DropshipperInfo{}); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, aliexpress.ErrInvalidParameter) || !strings.Contains(err.Error(), tc.field) {
				t.Errorf("err = %v; want ErrInvalidParameter naming %s", err, tc.field)
			}
		})
	}
	if len(f.seen) != 0 {
		t.Errorf("%d requests sent; want none for refused parameters", len(f.seen))
	}
}

func TestDSNeedsToken(t *testing.T) {
	f := newDSFake(t, map[string][]string{})
	c := f.client(t, aliexpress.WithAccessToken(""))
	_, _, err := c.DS.Product(context.Background(), 1, &aliexpress.DSProductOptions{ShipTo: "US"})
	if !errors.Is(err, aliexpress.ErrInvalidToken) {
		t.Errorf("Product without a token: err = %v; want ErrInvalidToken", err)
	}
	if len(f.seen) != 0 {
		t.Errorf("%d requests sent; want none", len(f.seen))
	}
}

func TestDSTextSearch(t *testing.T) {
	const m = "aliexpress.ds.text.search"
	f := newDSFake(t, dsFixtures(m, "text_search_p1.json", "text_search_p2.json"))
	ds := f.client(t).DS
	opts := &aliexpress.TextSearchOptions{ShipTo: "fr", Currency: "eur", PageSize: 2,
		Filters: []aliexpress.SearchFilter{{Key: "item_tag", Value: "choice"}}}
	page, _, err := ds.TextSearch(context.Background(), "sunglasses", opts)
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 3 || page.PageIndex != 1 || len(page.Products) != 2 {
		t.Fatalf("page = %+v; want total 3, index 1, 2 products", page)
	}
	p := page.Products[0]
	if p.ID != 1005001234567890 || p.SalePrice != usd(520) || p.OriginalPrice != usd(1000) ||
		p.TargetSalePrice != (aliexpress.Money{Amount: 481, Currency: "EUR"}) || p.DiscountPct != 48 || p.PositiveRate != 97.8 ||
		p.Orders != 1000 || p.CategoryID != 33902 || p.SalePriceText != "US $5.20" {
		t.Errorf("Products[0] = %+v", p)
	}
	s := f.last(m)
	dsCheckSession(t, s)
	if s.Params["keyWord"] != "sunglasses" || s.Params["countryCode"] != "FR" || s.Params["currency"] != "EUR" ||
		s.Params["local"] != "en_US" || s.Params["pageSize"] != "2" {
		t.Errorf("params = %v", s.Params)
	}
	var ext []map[string]string
	if err := json.Unmarshal([]byte(s.Params["searchExtend"]), &ext); err != nil || len(ext) != 1 || ext[0]["searchKey"] != "item_tag" || ext[0]["searchValue"] != "choice" {
		t.Errorf("searchExtend = %q (%v); want a JSON array with item_tag=choice", s.Params["searchExtend"], err)
	}
}

func TestDSTextSearchAll(t *testing.T) {
	const m = "aliexpress.ds.text.search"
	f := newDSFake(t, dsFixtures(m, "text_search_p1.json", "text_search_p2.json"))
	ds := f.client(t).DS
	var ids []int64
	for p, err := range ds.TextSearchAll(context.Background(), "sunglasses", &aliexpress.TextSearchOptions{ShipTo: "US", PageSize: 2}) {
		if err != nil {
			t.Fatalf("TextSearchAll: %v", err)
		}
		ids = append(ids, p.ID)
	}
	if want := []int64{1005001234567890, 1005001234567891, 1005001234567892}; !reflect.DeepEqual(ids, want) {
		t.Errorf("TextSearchAll IDs = %v; want %v", ids, want)
	}
	reqs := f.requests(m)
	if len(reqs) != 2 || reqs[0].Params["pageIndex"] != "1" || reqs[1].Params["pageIndex"] != "2" {
		t.Errorf("requests = %d, pageIndex %v; want pages 1 and 2", len(reqs), reqs)
	}
}

func TestDSIteratorStopsOnErrorOnce(t *testing.T) {
	const m = "aliexpress.ds.text.search"
	f := newDSFake(t, dsFixtures(m, "text_search_p1.json", "text_search_error.json"))
	var got, errs int
	for _, err := range f.client(t).DS.TextSearchAll(context.Background(), "x", &aliexpress.TextSearchOptions{ShipTo: "US", PageSize: 2}) {
		if err != nil {
			errs++
			if !errors.Is(err, aliexpress.ErrInvalidToken) {
				t.Errorf("err = %v; want ErrInvalidToken", err)
			}
			continue
		}
		got++
	}
	if got != 2 || errs != 1 {
		t.Errorf("TextSearchAll yielded %d products and %d errors; want 2 and 1", got, errs)
	}
}

func TestDSIteratorConsumerStops(t *testing.T) {
	const m = "aliexpress.ds.text.search"
	f := newDSFake(t, dsFixtures(m, "text_search_p1.json", "text_search_p2.json"))
	for _, err := range f.client(t).DS.TextSearchAll(context.Background(), "x", &aliexpress.TextSearchOptions{ShipTo: "US"}) {
		if err != nil {
			t.Fatal(err)
		}
		break
	}
	if n := len(f.requests(m)); n != 1 {
		t.Errorf("%d requests after the consumer stopped on the first item; want 1", n)
	}
}

func TestDSIteratorNeverLoopsForever(t *testing.T) {
	// A platform that ignores pageIndex and never says how many there are.
	const m = "aliexpress.ds.recommend.feed.get"
	f := newDSFake(t, dsFixtures(m, "recommend_feed_result.json"))
	n := 0
	for _, err := range f.client(t).DS.RecommendFeedAll(context.Background(), "DS bestseller", &aliexpress.RecommendFeedOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n > 100 {
			t.Fatal("RecommendFeedAll does not stop")
		}
	}
	// total_record_count 1 is reached after the first page.
	if calls := len(f.requests(m)); calls != 1 || n != 1 {
		t.Errorf("RecommendFeedAll made %d calls for %d products; want 1 and 1", calls, n)
	}

	g := newDSFake(t, dsFixtures("aliexpress.ds.feed.itemids.get", "feed_itemids_p1.json"))
	n = 0
	for _, err := range g.client(t).DS.FeedItemIDsAll(context.Background(), "DS bestseller", nil) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n > 100 {
			t.Fatal("FeedItemIDsAll does not stop")
		}
	}
	if calls := len(g.requests("aliexpress.ds.feed.itemids.get")); calls != 2 {
		t.Errorf("FeedItemIDsAll made %d calls on a repeating page; want 2", calls)
	}
}

func TestDSRecommendFeedShapes(t *testing.T) {
	const m = "aliexpress.ds.recommend.feed.get"
	for _, fx := range []string{"recommend_feed_resp_result.json", "recommend_feed_result.json"} {
		t.Run(fx, func(t *testing.T) {
			f := newDSFake(t, dsFixtures(m, fx))
			page, _, err := f.client(t).DS.RecommendFeed(context.Background(), "DS bestseller",
				&aliexpress.RecommendFeedOptions{Country: "us", PageNo: 1, PageSize: 20, Sort: "volumeDesc"})
			if err != nil {
				t.Fatal(err)
			}
			p := page.Products[0]
			if p.ID != 1005001234567890 || p.SalePrice != usd(520) || p.Orders != 1234 || page.PageNo != 1 {
				t.Errorf("page = %+v; want product 1005001234567890 at 5.20 USD with 1234 orders", page)
			}
			s := f.last(m)
			dsCheckSession(t, s)
			if s.Params["feed_name"] != "DS bestseller" || s.Params["country"] != "US" || s.Params["page_size"] != "20" {
				t.Errorf("params = %v", s.Params)
			}
		})
	}
	f := newDSFake(t, dsFixtures(m, "recommend_feed_resp_result.json"))
	page, _, err := f.client(t).DS.RecommendFeed(context.Background(), "DS bestseller", nil)
	if err != nil {
		t.Fatal(err)
	}
	p := page.Products[0]
	if len(p.Images) != 2 || p.TargetSalePrice != (aliexpress.Money{Amount: 481, Currency: "EUR"}) || p.CategoryID != 33902 || p.TopCategoryID != 1501 || !page.Finished {
		t.Errorf("resp_result product = %+v (finished %v)", p, page.Finished)
	}
}

func TestDSFeedsAndCategories(t *testing.T) {
	f := newDSFake(t, map[string][]string{
		"aliexpress.ds.feedname.get":     {"ds/feedname.json"},
		"aliexpress.ds.feed.itemids.get": {"ds/feed_itemids_p1.json", "ds/feed_itemids_p2.json"},
		"aliexpress.ds.category.get":     {"ds/category.json"},
	})
	ds := f.client(t).DS
	ctx := context.Background()

	names, _, err := ds.FeedNames(ctx)
	want := []aliexpress.FeedName{{Name: "DS bestseller", Description: "Best sellers for dropshippers", ProductCount: 2000},
		{Name: "DS_Home&Garden_bestsellers", ProductCount: 150}}
	if err != nil || !reflect.DeepEqual(names, want) {
		t.Errorf("FeedNames = %+v, %v; want %+v", names, err, want)
	}

	var ids []int64
	for id, err := range ds.FeedItemIDsAll(ctx, "DS bestseller", &aliexpress.FeedItemIDsOptions{CategoryID: 1501, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if want := []int64{1005001234567890, 1005001234567891, 1005001234567892}; !reflect.DeepEqual(ids, want) {
		t.Errorf("FeedItemIDsAll = %v; want %v", ids, want)
	}
	reqs := f.requests("aliexpress.ds.feed.itemids.get")
	if len(reqs) != 2 || reqs[0].Params["search_id"] != "" || reqs[1].Params["search_id"] != "abc123" || reqs[1].Params["category_id"] != "1501" {
		t.Errorf("feed.itemids requests = %+v; want the second to carry search_id abc123", reqs)
	}

	cats, _, err := ds.Categories(ctx, nil)
	wantCats := []aliexpress.DSCategory{{ID: 1501, Name: "Mother & Kids"}, {ID: 33902, Name: "Sunglasses", ParentID: 1501}}
	if err != nil || !reflect.DeepEqual(cats, wantCats) {
		t.Errorf("Categories = %+v, %v; want %+v", cats, err, wantCats)
	}
	for _, k := range []string{"aliexpress.ds.feedname.get", "aliexpress.ds.category.get"} {
		dsCheckSession(t, f.last(k))
	}
}

func TestDSFreight(t *testing.T) {
	const m = "aliexpress.ds.freight.query"
	f := newDSFake(t, dsFixtures(m, "freight_ok.json", "freight_505.json"))
	ds := f.client(t).DS
	q := &aliexpress.FreightQuery{ProductID: 1005001234567890, SKUID: "12000000000000001", Quantity: 2, ShipTo: "us"}
	opts, _, err := ds.Freight(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(opts) != 4 {
		t.Fatalf("len(options) = %d; want 4", len(opts))
	}
	o := opts[0]
	if o.Code != "CAINIAO_STANDARD" || o.Fee != usd(17271) || o.MinDays != 7 || o.MaxDays != 15 || !o.Tracking ||
		o.AvailableStock != 57 || o.ShipFrom != "CN" || o.FeeText != "US $172.71" {
		t.Errorf("options[0] = %+v", o)
	}
	if opts[1].AvailableStock != -1 || opts[1].FreeThreshold != usd(1000) {
		t.Errorf("options[1] = %+v; want unknown stock (-1) and a 10.00 USD threshold", opts[1])
	}
	// The free-shipping rule.
	for _, tc := range []struct {
		opt   int
		order aliexpress.Money
		free  bool
	}{
		{0, usd(100000), false}, // paid option, no threshold, no PFS
		{1, usd(999), false},    // below the threshold
		{1, usd(1000), true},    // at the threshold
		{1, aliexpress.Money{Amount: 100000, Currency: "EUR"}, false},
		{2, usd(1), true}, // free_shipping
		{3, usd(1), true}, // mayHavePFS without a threshold
	} {
		if got := opts[tc.opt].FreeFor(tc.order); got != tc.free {
			t.Errorf("options[%d].FreeFor(%v) = %v; want %v", tc.opt, tc.order, got, tc.free)
		}
	}
	if fee := opts[1].FeeFor(usd(1500)); fee != usd(0) {
		t.Errorf("FeeFor above the threshold = %v; want 0.00 USD", fee)
	}
	if fee := opts[1].FeeFor(usd(500)); fee != usd(199) {
		t.Errorf("FeeFor below the threshold = %v; want 1.99 USD", fee)
	}

	s := f.last(m)
	dsCheckSession(t, s)
	req := dsJSONParam(t, s, "queryDeliveryReq")
	for k, want := range map[string]string{"quantity": "2", "shipToCountry": "US", "productId": "1005001234567890",
		"selectedSkuId": "12000000000000001", "language": "en", "locale": "en_US", "currency": "USD"} {
		if got := jsonText(req[k]); got != want {
			t.Errorf("queryDeliveryReq.%s = %q; want %q", k, got, want)
		}
	}

	_, _, err = ds.Freight(context.Background(), q)
	var e *aliexpress.Error
	if !errors.Is(err, aliexpress.ErrDeliveryUnavailable) || !errors.As(err, &e) || e.Code != "505" || e.Message != "DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS" {
		t.Errorf("Freight to nowhere: err = %v; want ErrDeliveryUnavailable code 505", err)
	}
}

func jsonText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestDSAddresses(t *testing.T) {
	const m = "aliexpress.ds.address.get"
	f := newDSFake(t, dsFixtures(m, "address.json"))
	tree, _, err := f.client(t).DS.Addresses(context.Background(), "br", &aliexpress.AddressOptions{Language: "pt_BR"})
	if err != nil {
		t.Fatal(err)
	}
	if tree.Country != "BR" || len(tree.Children) != 2 || tree.Children[0].Name != "Sao Paulo" || tree.Children[0].Code != "SP" ||
		len(tree.Children[0].Children) != 1 || tree.Children[0].Children[0].Name != "Campinas" {
		t.Errorf("Addresses = %+v", tree)
	}
	if s := f.last(m); s.Params["countryCode"] != "BR" {
		t.Errorf("countryCode = %q; want BR", s.Params["countryCode"])
	}
}

// TestAddressTreeFind checks that a province is found by name or code as users type it, and that
// a city of the tree, or nothing at all, is no province.
func TestAddressTreeFind(t *testing.T) {
	tree := &aliexpress.AddressTree{Country: "BR", Children: []aliexpress.AddressNode{
		{Name: "Ceara", Code: "CE"}, {Name: "Sao Paulo", Code: "SP", Children: []aliexpress.AddressNode{{Name: "Campinas"}}},
		{Name: "Distrito Federal"},
	}}
	for _, name := range []string{"São Paulo", " SÃO  PAULO ", "sao paulo", "SP", "sp"} {
		if n, ok := tree.Find(name); !ok || n.Code != "SP" {
			t.Errorf("Find(%q) = %+v, %v; want Sao Paulo", name, n, ok)
		}
	}
	if n, ok := tree.Find("Ceará"); !ok || n.Code != "CE" {
		t.Errorf("Find(Ceará) = %+v, %v; want Ceara", n, ok)
	}
	if _, ok := tree.Find("distrito  federal"); !ok {
		t.Error("Find(distrito federal) found nothing")
	}
	for _, name := range []string{"Campinas", "Narnia", "", "  "} {
		if n, ok := tree.Find(name); ok {
			t.Errorf("Find(%q) = %+v; want no province", name, n)
		}
	}
}

func dsOrder() *aliexpress.OrderRequest {
	return &aliexpress.OrderRequest{
		OutOrderID: "shop-1001",
		Address: aliexpress.ShippingAddress{FullName: "Jane Doe", Address: "1 Main St", City: "Austin", Province: "Texas",
			Country: "us", Zip: "73301", MobileNo: "5125550100", PhoneCountry: "+1"},
		Items: []aliexpress.OrderItem{
			{ProductID: 1005001234567890, Quantity: 2, SKUAttr: "14:175#Black", LogisticsService: "CAINIAO_STANDARD"},
			{ProductID: 1005001234567891, Quantity: 1},
		},
		PayCurrency: "USD",
		TryToPay:    true,
	}
}

func TestDSCreateOrder(t *testing.T) {
	const m = "aliexpress.ds.order.create"
	ctx := context.Background()
	t.Run("placed", func(t *testing.T) {
		f := newDSFake(t, dsFixtures(m, "order_create_ok.json"))
		res, _, err := f.client(t).DS.CreateOrder(ctx, dsOrder())
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{8100000000000001, 8100000000000002}; !reflect.DeepEqual(res.OrderIDs, want) || res.Message != "" {
			t.Errorf("CreateOrder = %+v; want IDs %v and no message", res, want)
		}
		s := f.last(m)
		dsCheckSession(t, s)
		place := dsJSONParam(t, s, "param_place_order_request4_open_api_d_t_o")
		if place["out_order_id"] != "shop-1001" {
			t.Errorf("out_order_id = %v; want shop-1001", place["out_order_id"])
		}
		addr, _ := place["logistics_address"].(map[string]any)
		if addr["country"] != "US" || addr["city"] != "Austin" || addr["full_name"] != "Jane Doe" {
			t.Errorf("logistics_address = %v", addr)
		}
		items, _ := place["product_items"].([]any)
		if len(items) != 2 {
			t.Fatalf("product_items = %v; want 2", place["product_items"])
		}
		second := items[1].(map[string]any)
		if attr, ok := second["sku_attr"]; !ok || attr != "" {
			t.Errorf(`product_items[1].sku_attr = %v (present %v); want "" sent for a single-SKU product`, attr, ok)
		}
		first := items[0].(map[string]any)
		if jsonText(first["product_id"]) != "1005001234567890" || jsonText(first["product_count"]) != "2" || first["logistics_service_name"] != "CAINIAO_STANDARD" {
			t.Errorf("product_items[0] = %v", first)
		}
		ext := dsJSONParam(t, s, "ds_extend_request")
		pay, _ := ext["payment"].(map[string]any)
		if pay["try_to_pay"] != "true" || pay["pay_currency"] != "USD" {
			t.Errorf("ds_extend_request = %v; want payment try_to_pay \"true\", pay_currency USD", ext)
		}
	})
	t.Run("strings", func(t *testing.T) {
		f := newDSFake(t, dsFixtures(m, "order_create_strings.json"))
		o := dsOrder()
		o.PayCurrency, o.TryToPay = "", false
		res, _, err := f.client(t).DS.CreateOrder(ctx, o)
		if err != nil || !reflect.DeepEqual(res.OrderIDs, []int64{8198352049851315}) {
			t.Fatalf("CreateOrder = %+v, %v; want order 8198352049851315", res, err)
		}
		if _, sent := f.last(m).Params["ds_extend_request"]; sent {
			t.Errorf("ds_extend_request sent for an order that sets none of it")
		}
	})
	t.Run("auto-pay failed", func(t *testing.T) {
		f := newDSFake(t, dsFixtures(m, "order_create_autopay_fail.json"))
		res, _, err := f.client(t).DS.CreateOrder(ctx, dsOrder())
		if err != nil || !reflect.DeepEqual(res.OrderIDs, []int64{8100000000000003}) || res.Message != "OrderCreated, autoPay fail:APIPayFail" {
			t.Errorf("CreateOrder = %+v, %v; want order 8100000000000003 placed with the auto-pay message", res, err)
		}
	})
	for _, tc := range []struct {
		fixture string
		kind    error
		code    string
		msg     string
	}{
		{"order_create_fail.json", aliexpress.ErrOrderRejected, "B_DROPSHIPPER_DELIVERY_ADDRESS_VALIDATE_FAIL", "Please enter a City"},
		{"order_create_repeated.json", aliexpress.ErrDuplicateOrder, "REPEATED_ORDER_ERROR", "The order has been placed already"},
	} {
		t.Run(tc.code, func(t *testing.T) {
			f := newDSFake(t, dsFixtures(m, tc.fixture))
			res, _, err := f.client(t).DS.CreateOrder(ctx, dsOrder())
			var e *aliexpress.Error
			if res != nil || !errors.Is(err, tc.kind) || !errors.Is(err, aliexpress.ErrOrderRejected) || !errors.As(err, &e) {
				t.Fatalf("CreateOrder = %v, %v; want %v", res, err, tc.kind)
			}
			if e.Code != tc.code || e.Message != tc.msg {
				t.Errorf("error Code, Message = %q, %q; want %q, %q", e.Code, e.Message, tc.code, tc.msg)
			}
			if n := len(f.requests(m)); n != 1 {
				t.Errorf("%d requests; a refused order must not be sent again", n)
			}
		})
	}
}

// TestDSCreateOrderIsForeigner checks is_foreigner on the wire: Israel and Argentina must always
// get it ("false" for a local recipient), other countries only when the recipient is a foreigner.
func TestDSCreateOrderIsForeigner(t *testing.T) {
	for _, tc := range []struct {
		country   string
		foreigner bool
		want      string // "" for not sent
	}{
		{"us", false, ""},
		{"US", true, "true"},
		{"il", false, "false"},
		{"IL", true, "true"},
		{" ar ", false, "false"},
		{"AR", true, "true"},
	} {
		o := dsOrder()
		o.Address.Country, o.Address.IsForeigner = tc.country, tc.foreigner
		params, err := aliexpress.CreateOrderParams(o)
		if err != nil {
			t.Fatalf("%s: %v", tc.country, err)
		}
		var place struct {
			Address map[string]any `json:"logistics_address"`
		}
		if err := json.Unmarshal([]byte(params["param_place_order_request4_open_api_d_t_o"]), &place); err != nil {
			t.Fatal(err)
		}
		got, sent := place.Address["is_foreigner"]
		if want := tc.want != ""; sent != want || (sent && got != tc.want) {
			t.Errorf("country %q, foreigner %v: is_foreigner = %v (sent %v); want %q", tc.country, tc.foreigner, got, sent, tc.want)
		}
	}
}

func TestDSCreateOrderRetriesOnlyWithOutOrderID(t *testing.T) {
	const m = "aliexpress.ds.order.create"
	for _, tc := range []struct {
		outOrderID string
		wantCalls  int
	}{{"shop-1002", 3}, {"", 1}} {
		f := newDSFake(t, dsFixtures(m, "status:503"))
		o := dsOrder()
		o.OutOrderID = tc.outOrderID
		_, resp, err := f.client(t).DS.CreateOrder(context.Background(), o)
		if !errors.Is(err, aliexpress.ErrUnavailable) {
			t.Errorf("OutOrderID %q: err = %v; want ErrUnavailable", tc.outOrderID, err)
		}
		if n := len(f.requests(m)); n != tc.wantCalls || resp.Attempts != tc.wantCalls {
			t.Errorf("OutOrderID %q: %d calls (Attempts %d); want %d", tc.outOrderID, n, resp.Attempts, tc.wantCalls)
		}
	}
	// A retried order that the platform placed on the first attempt is then a duplicate.
	f := newDSFake(t, dsFixtures(m, "status:502", "order_create_ok.json"))
	res, _, err := f.client(t).DS.CreateOrder(context.Background(), dsOrder())
	if err != nil || len(res.OrderIDs) != 2 {
		t.Errorf("CreateOrder after one 502 = %+v, %v; want placed", res, err)
	}
	// One whose first answer was lost after the platform placed it: the retry is refused as a
	// duplicate, and the error says the order exists.
	g := newDSFake(t, dsFixtures(m, "status:502", "order_create_repeated.json"))
	_, _, err = g.client(t).DS.CreateOrder(context.Background(), dsOrder())
	if !errors.Is(err, aliexpress.ErrDuplicateOrder) || !strings.Contains(err.Error(), "earlier attempt") {
		t.Errorf("CreateOrder retried into a duplicate: err = %v; want ErrDuplicateOrder saying an earlier attempt placed it", err)
	}
}

func TestDSOrderWrappers(t *testing.T) {
	const m = "aliexpress.trade.ds.order.get"
	for _, tc := range []struct {
		fixture   string
		status    string
		amount    aliexpress.Money
		items     int
		firstItem int64
		tracking  string
	}{
		{"order_get_aeop.json", "WAIT_SELLER_SEND_GOODS", usd(1239), 1, 1005001234567890, "LP00000000000001"},
		{"order_get_ae.json", "PLACE_ORDER_SUCCESS", usd(520), 1, 1005001234567891, "LP00000000000002"},
		{"order_get_legacy.json", "FINISH", aliexpress.Money{Amount: 1500, Currency: "JPY"}, 1, 1005001234567892, ""},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			f := newDSFake(t, dsFixtures(m, tc.fixture))
			o, _, err := f.client(t).DS.Order(context.Background(), 8100000000000001)
			if err != nil {
				t.Fatal(err)
			}
			if o.ID != 8100000000000001 || o.Status != tc.status || o.Amount != tc.amount || len(o.Items) != tc.items || o.Items[0].ProductID != tc.firstItem {
				t.Errorf("Order = %+v; want status %s, amount %v, first item %d", o, tc.status, tc.amount, tc.firstItem)
			}
			if tc.tracking != "" && (len(o.Logistics) != 1 || o.Logistics[0].TrackingNumber != tc.tracking) {
				t.Errorf("Logistics = %+v; want %s", o.Logistics, tc.tracking)
			}
			s := f.last(m)
			dsCheckSession(t, s)
			q := dsJSONParam(t, s, "single_order_query")
			if jsonText(q["order_id"]) != "8100000000000001" {
				t.Errorf("single_order_query = %q; want {\"order_id\": 8100000000000001}", s.Params["single_order_query"])
			}
		})
	}
	f := newDSFake(t, dsFixtures(m, "order_get_aeop.json"))
	o, _, err := f.client(t).DS.Order(context.Background(), 8100000000000001)
	if err != nil {
		t.Fatal(err)
	}
	it := o.Items[0]
	if it.Quantity != 2 || it.Price != usd(520) || it.SaleFee != usd(1040) || it.ActualShippingFee != usd(199) || it.ActualFee != usd(1239) ||
		it.SKUID != "12000000000000001" || o.UserAmount != (aliexpress.Money{Amount: 1147, Currency: "EUR"}) || o.PayTimeout != 24*time.Hour ||
		o.Store.ID != 1100000001 {
		t.Errorf("Order details = %+v, item %+v", o, it)
	}

	g := newDSFake(t, dsFixtures(m, "order_get_error.json"))
	_, _, err = g.client(t).DS.Order(context.Background(), 8100000000000001)
	if !errors.Is(err, aliexpress.ErrPermission) {
		t.Errorf("Order of someone else: err = %v; want ErrPermission", err)
	}
}

func TestDSTracking(t *testing.T) {
	const m = "aliexpress.ds.order.tracking.get"
	f := newDSFake(t, dsFixtures(m, "tracking_ok.json", "tracking_1001.json"))
	ds := f.client(t).DS
	info, _, err := ds.Tracking(context.Background(), 8100000000000001, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Packages) != 1 {
		t.Fatalf("Packages = %+v; want 1", info.Packages)
	}
	p := info.Packages[0]
	if p.TrackingNumber != "LP00000000000001" || p.Carrier != "Cainiao" || !p.ETA.Equal(time.UnixMilli(1726000000000)) ||
		len(p.Events) != 2 || !p.Events[1].Time.Equal(time.UnixMilli(1725800000000)) || p.Events[0].Name != "Shipped" ||
		len(p.Items) != 1 || p.Items[0].Quantity != 2 || p.Items[0].ItemID != 1005001234567890 {
		t.Errorf("Tracking = %+v", p)
	}
	s := f.last(m)
	dsCheckSession(t, s)
	if s.Params["ae_order_id"] != "8100000000000001" || s.Params["language"] != "en_US" {
		t.Errorf("params = %v", s.Params)
	}
	_, _, err = ds.Tracking(context.Background(), 8100000000000001, nil)
	var e *aliexpress.Error
	if !errors.Is(err, aliexpress.ErrTrackingNotFound) || !errors.As(err, &e) || e.Code != "1001" {
		t.Errorf("Tracking before shipping: err = %v; want ErrTrackingNotFound code 1001", err)
	}
}

func TestDSReportsAndBenefits(t *testing.T) {
	f := newDSFake(t, map[string][]string{
		"aliexpress.ds.member.orderdata.submit": {"ds/orderdata_submit.json"},
		"aliexpress.ds.add.info":                {"ds/add_info.json"},
		"aliexpress.ds.member.benefit.get":      {"ds/member_benefit.json"},
	})
	ds := f.client(t).DS
	ctx := context.Background()
	paid := time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)
	if _, err := ds.SubmitOrderData(ctx, &aliexpress.OrderData{OrderID: 8100000000000001, ProductID: 1005001234567890,
		SKUInfo: "14:175", ProductAmount: usd(1999), OrderAmount: usd(2498), PaidAt: paid, ProductURL: "https://shop.example/p/1"}); err != nil {
		t.Errorf("SubmitOrderData: %v", err)
	}
	s := f.last("aliexpress.ds.member.orderdata.submit")
	dsCheckSession(t, s)
	if s.Params["order_amount"] != "24.98" || s.Params["product_amount"] != "19.99" || s.Params["paytime"] != "20260203:040506" || s.Params["ae_orderid"] != "8100000000000001" {
		t.Errorf("orderdata params = %v", s.Params)
	}
	if _, err := ds.AddInfo(ctx, &aliexpress.DropshipperInfo{StoreURL: "https://shop.example"}); err != nil {
		t.Errorf("AddInfo: %v", err)
	}
	if p := dsJSONParam(t, f.last("aliexpress.ds.add.info"), "param0"); p["store_url"] != "https://shop.example" {
		t.Errorf("param0 = %v", p)
	}
	bs, _, err := ds.MemberBenefits(ctx)
	want := []aliexpress.MemberBenefit{{Code: "auto-pay", Title: "Auto payment", CanApply: true}}
	if err != nil || !reflect.DeepEqual(bs, want) {
		t.Errorf("MemberBenefits = %+v, %v; want %+v", bs, err, want)
	}
}
