package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// TestSDKInEveryForm runs the SDK client (package aliexpress as it is) against a Sandbox answering in
// each WireForm, one sub-test per SDK method, and checks what it decodes against the generated
// world; then it checks that every form decoded to the values WireLive did. A sub-test that needs
// something the SDK does not do yet is skipped with a message that names it.
func TestSDKInEveryForm(t *testing.T) {
	decoded := map[string]map[WireForm]string{} // method -> form -> canonical JSON of its result
	for _, form := range WireForms() {
		t.Run(string(form), func(t *testing.T) {
			x := newSDKEnv(t, form)
			for _, m := range sdkMethods {
				t.Run(m.name, func(t *testing.T) {
					got := m.run(t, x)
					if got == nil || t.Failed() || t.Skipped() {
						return
					}
					if decoded[m.name] == nil {
						decoded[m.name] = map[WireForm]string{}
					}
					decoded[m.name][form] = x.canon(t, got)
				})
			}
		})
	}
	t.Run("same values in every form", func(t *testing.T) {
		for _, m := range sdkMethods {
			live, ok := decoded[m.name][WireLive]
			if !ok {
				continue
			}
			for form, got := range decoded[m.name] {
				if got != live {
					t.Errorf("%s in %s decodes to\n%s\nwant, as in %s,\n%s", m.name, form, truncate(got, 600), WireLive, truncate(live, 600))
				}
			}
		}
	})
}

// sdkEnv is a Sandbox server in one WireForm with a launched app (30-day tokens, so that tests can
// move the clock by weeks), and an SDK client acting for DefaultUserNick.
type sdkEnv struct {
	form  WireForm
	srv   *Server
	clock *clock
	c     *aliexpress.Client
	ctx   context.Context
}

const sdkTrackingID = "sbtrack"

// newSDKEnv starts the server; edits, if any, change its Options first.
func newSDKEnv(t *testing.T, form WireForm, edits ...func(*Options)) *sdkEnv {
	t.Helper()
	ck := &clock{t: testEpoch}
	unlimited := map[string]int{}
	clientLimits := map[string]int{}
	for m := range publishedQPS {
		unlimited[m], clientLimits[m] = -1, 0
	}
	opts := Options{Wire: form, Now: ck.Now, LaunchedApp: true, QPS: unlimited, DefaultQPS: -1, OrderVisibleAfter: 10 * time.Second}
	for _, edit := range edits {
		edit(&opts)
	}
	srv := NewServer(opts)
	t.Cleanup(srv.Close)
	token, _ := srv.IssueToken(DefaultUserNick)
	c, err := aliexpress.NewClient(DefaultAppKey, DefaultAppSecret,
		aliexpress.WithGateway(srv.URL), aliexpress.WithClock(ck.Now), aliexpress.WithAccessToken(token),
		aliexpress.WithTrackingID(sdkTrackingID), aliexpress.WithRandSeed(1), aliexpress.WithRateLimits(clientLimits),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return &sdkEnv{form: form, srv: srv, clock: ck, c: c, ctx: context.Background()}
}

func (x *sdkEnv) day() int { return world.Day(x.clock.Now()) }

func (x *sdkEnv) find(t *testing.T, country, what string, want func(world.Product) bool) world.Product {
	t.Helper()
	return findProduct(t, x.srv.Sandbox, x.clock.Now(), country, what, want)
}

// canon is v as JSON with the server's own address taken out of picture URLs, so that results from
// servers on different ports compare equal.
func (x *sdkEnv) canon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal %T: %v", v, err)
	}
	return strings.ReplaceAll(string(b), x.srv.URL, "http://sandbox")
}

// amount is usdCents in currency as the SDK's Money, through the Sandbox's own rendering.
func amount(t *testing.T, usdCents int64, currency string) aliexpress.Money {
	t.Helper()
	m, err := aliexpress.ParseMoney(money(usdCents, currency), currency)
	if err != nil {
		t.Fatalf("ParseMoney(%s %s): %v", money(usdCents, currency), currency, err)
	}
	return m
}

// wantErr checks that err is an *aliexpress.Error of kind with the platform's code (and sub_code,
// when subCode is not empty).
func wantErr(t *testing.T, call string, err error, kind error, code, subCode string) {
	t.Helper()
	var e *aliexpress.Error
	if !errors.As(err, &e) || (kind != nil && !errors.Is(err, kind)) || e.Code != code || (subCode != "" && e.SubCode != subCode) {
		t.Errorf("%s err = %v; want %v with code %q %s", call, err, kind, code, subCode)
	}
}

type sdkMethod struct {
	name string
	// run calls the method and checks its result; it returns the values to compare across forms,
	// or nil.
	run func(t *testing.T, x *sdkEnv) any
}

var sdkMethods = []sdkMethod{
	{"DS.Product", sdkDSProduct},
	{"DS.TextSearch", sdkTextSearch},
	{"DS.RecommendFeed", sdkRecommendFeed},
	{"DS.FeedNames", sdkFeedNames},
	{"DS.FeedItemIDs", sdkFeedItemIDs},
	{"DS.Categories", sdkDSCategories},
	{"DS.Freight", sdkFreight},
	{"DS.Addresses", sdkAddresses},
	{"DS.CreateOrder and DS.Order", sdkCreateAndGetOrder},
	{"DS.CreateOrder refused", sdkOrderRefused},
	{"DS.CreateOrder to IL and AR", sdkOrderTaxID},
	{"DS.Tracking", sdkTrack},
	{"DS.SubmitOrderData and DS.AddInfo", sdkReports},
	{"DS.MemberBenefits", sdkMemberBenefits},
	{"OAuth.CreateToken and RefreshToken", sdkOAuth},
	{"Affiliate.QueryProducts and HotProducts", sdkQueryProducts},
	{"Affiliate.ProductDetails", sdkProductDetails},
	{"Affiliate.Categories", sdkAffCategories},
	{"Affiliate.GenerateLinks", sdkLinks},
	{"Affiliate.SmartMatch", sdkSmartMatch},
	{"Affiliate.FeaturedPromos and FeaturedPromoProducts", sdkPromos},
	{"Affiliate.DownloadHotProducts", sdkHotDownload},
	{"Affiliate.Orders and OrdersByID", sdkAffOrders},
	{"Affiliate.ProductShipping and SKUDetails", sdkAffShippingSKUs},
}

// --- dropshipping ------------------------------------------------------------------------------

func sdkDSProduct(t *testing.T, x *sdkEnv) any {
	cny := x.find(t, "US", "a CNY listing", func(p world.Product) bool { return p.Currency == "CNY" })
	tiered := x.find(t, "DE", "two wholesale tiers", func(p world.Product) bool { return len(p.Variants[0].Tiers) == 2 })
	limited := x.find(t, "US", "a buy limit", func(p world.Product) bool { return p.Variants[0].BuyLimit > 0 })
	imported := x.find(t, "US", "an import charge", func(p world.Product) bool { return p.Variants[0].ImportCharge > 0 })
	var out []*aliexpress.DSProduct
	for _, tt := range []struct {
		p                 world.Product
		shipTo, currency  string
		wantSKUCurrency   string
		vat               int64
		wantImportCharges bool
	}{
		{cny, "US", "", "USD", 0, false},
		{cny, "US", "EUR", "EUR", 0, false},
		{tiered, "DE", "EUR", "EUR", 19, false},
		{limited, "US", "USD", "USD", 0, false},
		{imported, "US", "USD", "USD", 0, true},
	} {
		name := fmt.Sprintf("Product(%d, %s, %q)", tt.p.ID, tt.shipTo, tt.currency)
		d, resp, err := x.c.DS.Product(x.ctx, tt.p.ID, &aliexpress.DSProductOptions{ShipTo: tt.shipTo, Currency: tt.currency})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(resp.RequestID) != 25 {
			t.Errorf("%s: Response.RequestID = %q; want the platform's 25 characters", name, resp.RequestID)
		}
		out = append(out, d)
		if d.ID != tt.p.ID || d.Title != tt.p.Title || d.Currency != tt.p.Currency || d.ShipTo != tt.shipTo || len(d.Variants) != len(tt.p.Variants) {
			t.Errorf("%s = ID %d, title %q, currency %s, ship to %s, %d variants; want %d, %q, %s (the listing's), %s, %d",
				name, d.ID, d.Title, d.Currency, d.ShipTo, len(d.Variants), tt.p.ID, tt.p.Title, tt.p.Currency, tt.shipTo, len(tt.p.Variants))
			continue
		}
		if d.HasWholesale != (len(tt.p.Variants[0].Tiers) > 0) {
			t.Errorf("%s: HasWholesale = %v; want %v", name, d.HasWholesale, len(tt.p.Variants[0].Tiers) > 0)
		}
		for i, v := range tt.p.Variants {
			got := d.Variants[i]
			cur := tt.wantSKUCurrency
			if got.SKUID != v.SKUID || got.Attr != v.Attr || got.SalePrice != amount(t, v.SalePrice, cur) || got.Price != amount(t, v.Price, cur) ||
				got.Stock != v.Stock || got.BulkMin != v.BulkMin || got.BuyLimit != v.BuyLimit || got.LimitStrategy != v.LimitStrategy {
				t.Errorf("%s variant %d = %+v; want SKU %s %q, sale %s, list %s %s, stock %d, bulk from %d, limit %d %q", name, i, got,
					v.SKUID, v.Attr, money(v.SalePrice, cur), money(v.Price, cur), cur, v.Stock, v.BulkMin, v.BuyLimit, v.LimitStrategy)
			}
			var wantTiers []aliexpress.WholesaleTier
			for _, tier := range v.Tiers {
				wantTiers = append(wantTiers, aliexpress.WholesaleTier{MinQuantity: tier.MinQuantity, Discount: tierDiscount(v.SalePrice, tier.Price), Price: amount(t, tier.Price, cur)})
			}
			if !reflect.DeepEqual(got.WholesaleTiers, wantTiers) {
				t.Errorf("%s variant %d: WholesaleTiers = %+v; want %+v", name, i, got.WholesaleTiers, wantTiers)
			}
			if tt.vat > 0 && (!got.PriceIncludesTax || got.Tax != amount(t, v.SalePrice*tt.vat/(100+tt.vat), cur)) {
				t.Errorf("%s variant %d: PriceIncludesTax %v, Tax %v; want true and %d%% VAT %s %s", name, i, got.PriceIncludesTax, got.Tax, tt.vat, money(v.SalePrice*tt.vat/(100+tt.vat), cur), cur)
			}
			if tt.wantImportCharges && v.ImportCharge > 0 && (got.EstimatedImportCharges == nil || *got.EstimatedImportCharges != amount(t, v.ImportCharge, cur)) {
				t.Errorf("%s variant %d: EstimatedImportCharges = %v; want %s %s", name, i, got.EstimatedImportCharges, money(v.ImportCharge, cur), cur)
			}
		}
	}
	_, _, err := x.c.DS.Product(x.ctx, 1005000000000001, &aliexpress.DSProductOptions{ShipTo: "US"})
	if !errors.Is(err, aliexpress.ErrItemNotFound) {
		t.Errorf("Product(unknown) err = %v; want ErrItemNotFound", err)
	}
	return out
}

func sdkTextSearch(t *testing.T, x *sdkEnv) any {
	page, _, err := x.c.DS.TextSearch(x.ctx, "", &aliexpress.TextSearchOptions{ShipTo: "US", Currency: "EUR", SortBy: "orders,desc", PageSize: 5})
	if err != nil {
		t.Fatalf("TextSearch: %v", err)
	}
	want := x.srv.cat.Search(world.Query{ShipTo: "US", Sort: world.SortVolumeDesc, Page: 1, PageSize: 5}, x.day())
	if page.Total != want.Total || page.PageIndex != 1 || page.PageSize != 5 || len(page.Products) != len(want.Products) {
		t.Fatalf("TextSearch = total %d, page %d of %d, %d products; want %d, 1, 5, %d", page.Total, page.PageIndex, page.PageSize, len(page.Products), want.Total, len(want.Products))
	}
	for i, p := range want.Products {
		got := page.Products[i]
		if got.ID != p.ID || got.Title != p.Title || got.CategoryID != p.CategoryID || got.TargetSalePrice != amount(t, p.SalePrice, "EUR") ||
			got.Orders != p.Orders30d || got.DiscountPct != float64(p.DiscountPct) || got.URL != productURL(p.ID) {
			t.Errorf("TextSearch product %d = %+v; want %d %q, %s EUR, %d orders", i, got, p.ID, p.Title, money(p.SalePrice, "EUR"), p.Orders30d)
		}
	}
	return page
}

func sdkRecommendFeed(t *testing.T, x *sdkEnv) any {
	feed := x.srv.cat.Feeds()[0].Name
	page, _, err := x.c.DS.RecommendFeed(x.ctx, feed, &aliexpress.RecommendFeedOptions{PageSize: 3, Currency: "EUR"})
	if err != nil {
		t.Fatalf("RecommendFeed(%q): %v", feed, err)
	}
	want := x.srv.cat.Search(world.Query{Promo: feed, Page: 1, PageSize: 3}, x.day())
	if page.Total != want.Total || page.PageNo != 1 || len(page.Products) != len(want.Products) {
		t.Fatalf("RecommendFeed = total %d, page %d, %d products; want %d, 1, %d", page.Total, page.PageNo, len(page.Products), want.Total, len(want.Products))
	}
	for i, p := range want.Products {
		if got := page.Products[i]; got.ID != p.ID || got.TargetSalePrice != amount(t, p.SalePrice, "EUR") || got.SalePrice != amount(t, p.SalePrice, "USD") {
			t.Errorf("RecommendFeed product %d = %+v; want %d at %s EUR", i, got, p.ID, money(p.SalePrice, "EUR"))
		}
	}
	return page
}

func sdkFeedNames(t *testing.T, x *sdkEnv) any {
	names, _, err := x.c.DS.FeedNames(x.ctx)
	if err != nil {
		t.Fatalf("FeedNames: %v", err)
	}
	var want []aliexpress.FeedName
	for _, f := range x.srv.cat.Feeds() {
		want = append(want, aliexpress.FeedName{Name: f.Name, Description: f.Desc, ProductCount: f.ProductNum})
	}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("FeedNames = %+v; want %+v", names, want)
	}
	return names
}

func sdkFeedItemIDs(t *testing.T, x *sdkEnv) any {
	feed := x.srv.cat.Feeds()[0].Name
	want := x.srv.cat.FeedItemIDs(feed, 0, x.day())
	first, _, err := x.c.DS.FeedItemIDs(x.ctx, feed, &aliexpress.FeedItemIDsOptions{PageSize: 50})
	if err != nil {
		t.Fatalf("FeedItemIDs: %v", err)
	}
	if first.Total != len(want) || !slices.Equal(first.IDs, want[:min(50, len(want))]) || (len(want) > 50) != (first.SearchID != "") {
		t.Fatalf("FeedItemIDs page 1 = %d IDs of %d, search_id %q; want the feed's first 50 of %d", len(first.IDs), first.Total, first.SearchID, len(want))
	}
	if first.SearchID == "" {
		return first.IDs
	}
	second, _, err := x.c.DS.FeedItemIDs(x.ctx, feed, &aliexpress.FeedItemIDsOptions{PageSize: 50, SearchID: first.SearchID})
	if err != nil || !slices.Equal(second.IDs, want[50:min(100, len(want))]) {
		t.Errorf("FeedItemIDs page 2 = %v, %v; want the feed's next IDs", second, err)
	}
	return first.IDs // the search_id holds a MAC of the time: equal across forms only by chance
}

func sdkDSCategories(t *testing.T, x *sdkEnv) any {
	all, _, err := x.c.DS.Categories(x.ctx, nil)
	if err != nil {
		t.Fatalf("Categories: %v", err)
	}
	var want []aliexpress.DSCategory
	for _, c := range x.srv.cat.Categories() {
		want = append(want, aliexpress.DSCategory{ID: c.ID, Name: c.Name, ParentID: c.ParentID})
	}
	if !reflect.DeepEqual(all, want) {
		t.Errorf("Categories = %d categories; want the world's %d", len(all), len(want))
	}
	return all
}

func sdkFreight(t *testing.T, x *sdkEnv) any {
	p := x.find(t, "DE", "several SKUs in stock", nil)
	v := p.Variants[0]
	opts, _, err := x.c.DS.Freight(x.ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: v.SKUID, Quantity: 2, ShipTo: "DE", Currency: "EUR"})
	if err != nil {
		t.Fatalf("Freight: %v", err)
	}
	want := x.srv.cat.Shipping(p, v.SKUID, "DE", 2)
	if len(opts) != len(want) {
		t.Fatalf("Freight = %d options; want %d", len(opts), len(want))
	}
	for i, w := range want {
		got := opts[i]
		if got.Code != w.Code || got.Company != w.Company || got.Fee != amount(t, w.Fee, "EUR") || got.Free != w.Free ||
			got.MinDays != w.MinDays || got.MaxDays != w.MaxDays || got.ShipFrom != w.ShipFrom || got.Tracking != w.Tracking ||
			got.AvailableStock != v.Stock || !got.DDPIncludesVAT || got.GuaranteedDays != strconv.Itoa(w.MaxDays+5) {
			t.Errorf("Freight option %d = %+v; want %s %s, %s EUR, %d-%d days from %s, stock %d, VAT included", i, got, w.Code, w.Company, money(w.Fee, "EUR"), w.MinDays, w.MaxDays, w.ShipFrom, v.Stock)
		}
	}
	_, _, err = x.c.DS.Freight(x.ctx, &aliexpress.FreightQuery{ProductID: 1005000000000001, SKUID: "12000000000000001", ShipTo: "US"})
	wantErr(t, "Freight(unknown product)", err, nil, "501", "")
	_, _, err = x.c.DS.Freight(x.ctx, &aliexpress.FreightQuery{ProductID: p.ID, SKUID: v.SKUID, ShipTo: "AQ"})
	wantErr(t, "Freight(to AQ)", err, aliexpress.ErrDeliveryUnavailable, "505", "")
	return opts
}

func sdkAddresses(t *testing.T, x *sdkEnv) any {
	tree, _, err := x.c.DS.Addresses(x.ctx, "BR", &aliexpress.AddressOptions{Language: "pt_BR", MultiLanguage: true})
	if err != nil {
		t.Fatalf("Addresses(BR): %v", err)
	}
	var want []aliexpress.AddressNode
	for _, p := range provinces["BR"] {
		code, name, _ := strings.Cut(p, "|")
		want = append(want, aliexpress.AddressNode{Name: name, Code: code, Type: "province"})
	}
	if tree.Country != "BR" || tree.Type != "country" || !reflect.DeepEqual(tree.Children, want) {
		t.Errorf("Addresses(BR) = %s %s, %d children; want BR country and the %d states", tree.Country, tree.Type, len(tree.Children), len(want))
	}
	return tree
}

// orderRequest is an order of count units of v to the US as the documentation's example sends it.
func orderRequest(p world.Product, v world.Variant, count int, service string) *aliexpress.OrderRequest {
	return &aliexpress.OrderRequest{
		Address: aliexpress.ShippingAddress{FullName: "Jane Doe", ContactPerson: "Jane Doe", Address: "1 Main St", City: "Austin",
			Province: "Texas", Country: "US", Zip: "73301", MobileNo: "5125550100", PhoneCountry: "+1"},
		Items: []aliexpress.OrderItem{{ProductID: p.ID, Quantity: count, SKUAttr: v.Attr, LogisticsService: service}},
	}
}

func sdkCreateAndGetOrder(t *testing.T, x *sdkEnv) any {
	p := x.find(t, "US", "a wholesale tier in stock", func(p world.Product) bool {
		v := p.Variants[0]
		return len(v.Tiers) > 0 && v.BuyLimit == 0 && v.Stock >= v.Tiers[0].MinQuantity
	})
	v := p.Variants[0]
	n := v.Tiers[0].MinQuantity
	opt := x.srv.cat.Shipping(p, v.SKUID, "US", n)[0]
	req := orderRequest(p, v, n, opt.Code)
	req.OutOrderID = "SDK-1"
	res, _, err := x.c.DS.CreateOrder(x.ctx, req)
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	if len(res.OrderIDs) != 1 || res.Message != "" {
		t.Fatalf("CreateOrder = %+v; want one order and no message", res)
	}
	id := res.OrderIDs[0]
	_, _, err = x.c.DS.Order(x.ctx, id)
	wantErr(t, "Order(just placed)", err, nil, "15", "isv.insufficient-permission")
	x.clock.Advance(11 * time.Second)
	o, _, err := x.c.DS.Order(x.ctx, id)
	if err != nil {
		t.Fatalf("Order(%d): %v", id, err)
	}
	unit := v.Tiers[0].Price
	total := unit*int64(n) + opt.Fee
	if o.ID != id || o.Status != "PLACE_ORDER_SUCCESS" || o.LogisticsStatus != "DEFAULT" || o.Amount != amount(t, total, "USD") ||
		o.PayTimeout != 24*time.Hour-11*time.Second || o.Store.ID != p.ShopID || len(o.Items) != 1 {
		t.Fatalf("Order(%d) = %+v; want awaiting payment, %s USD, 24h pay timeout less 11s, shop %d, one line", id, o, money(total, "USD"), p.ShopID)
	}
	it := o.Items[0]
	if it.ProductID != p.ID || it.SKUID != v.SKUID || it.Quantity != n || it.Price != amount(t, unit, "USD") ||
		it.SaleFee != amount(t, unit*int64(n), "USD") || it.ShippingFee != amount(t, opt.Fee, "USD") || it.ActualFee != amount(t, total, "USD") {
		t.Errorf("Order(%d) line = %+v; want %d x %s at the tier price %s", id, it, n, v.SKUID, money(unit, "USD"))
	}
	_, _, err = x.c.DS.CreateOrder(x.ctx, req)
	if !errors.Is(err, aliexpress.ErrDuplicateOrder) {
		t.Errorf("CreateOrder(same out_order_id) err = %v; want ErrDuplicateOrder", err)
	}
	_, _, err = x.c.DS.Order(x.ctx, 8100000000000001)
	wantErr(t, "Order(nobody's)", err, nil, "15", "isv.insufficient-permission")
	return o
}

func sdkOrderRefused(t *testing.T, x *sdkEnv) any {
	p := x.find(t, "US", "several SKUs in stock", nil)
	v := p.Variants[0]
	service := x.srv.cat.Shipping(p, v.SKUID, "US", 1)[0].Code
	for _, tt := range []struct {
		name  string
		edit  func(*aliexpress.OrderRequest)
		buyer BuyerStatus
		code  string
	}{
		{"a US name without a space", func(r *aliexpress.OrderRequest) { r.Address.FullName = "Jane" }, "", addressFail},
		{"a US province Other", func(r *aliexpress.OrderRequest) { r.Address.Province = "Other" }, "", addressFail},
		{"a coupon", func(r *aliexpress.OrderRequest) { r.PromotionCode = "SAVE5" }, "", "A004_CANNOT_USER_COUPON"},
		{"auto-pay in EUR", func(r *aliexpress.OrderRequest) { r.TryToPay, r.PayCurrency = true, "EUR" }, "", "PRICE_PAY_CURRENCY_ERROR"},
		{"a blacklisted buyer", nil, BuyerBlacklisted, "BLACKLIST_BUYER_IN_LIST"},
		{"a disabled account", nil, BuyerDisabled, "USER_ACCOUNT_DISABLED"},
		{"a suspicious buyer", nil, BuyerSuspicious, "A003_SUSPICIOUS_BUYER"},
	} {
		req := orderRequest(p, v, 1, service)
		if tt.edit != nil {
			tt.edit(req)
		}
		x.srv.SetBuyerStatus(DefaultUserNick, tt.buyer)
		_, _, err := x.c.DS.CreateOrder(x.ctx, req)
		wantErr(t, "CreateOrder("+tt.name+")", err, aliexpress.ErrOrderRejected, tt.code, "")
	}
	x.srv.SetBuyerStatus(DefaultUserNick, BuyerActive)
	return nil
}

func sdkOrderTaxID(t *testing.T, x *sdkEnv) any {
	for _, country := range []string{"IL", "AR"} {
		p := x.find(t, country, "several SKUs in stock", nil)
		v := p.Variants[0]
		req := orderRequest(p, v, 1, x.srv.cat.Shipping(p, v.SKUID, country, 1)[0].Code)
		a := &req.Address
		a.Country, a.Province, a.City, a.Zip, a.PhoneCountry = country, "Capital", "Capital", "", ""
		a.IsForeigner = false
		if country == "IL" {
			a.PassportNo, a.MobileNo = "123456782", "501234567"
		} else {
			a.PassportNo, a.MobileNo = "20-12345678-6", "2215550100"
		}
		_, _, err := x.c.DS.CreateOrder(x.ctx, req)
		if err != nil && strings.Contains(err.Error(), "is_foreigner") {
			t.Skipf("SDK gap: ShippingAddress.IsForeigner false is never sent (is_foreigner is omitempty), and the changelog asks local %s customers to send is_foreigner \"false\": %v", country, err)
		}
		if err != nil {
			t.Errorf("CreateOrder to %s with the tax ID in passport_no: %v", country, err)
		}
	}
	return nil
}

func sdkTrack(t *testing.T, x *sdkEnv) any {
	p := x.find(t, "US", "several SKUs in stock", nil)
	v := p.Variants[0]
	opt := x.srv.cat.Shipping(p, v.SKUID, "US", 1)[0]
	req := orderRequest(p, v, 1, opt.Code)
	req.TryToPay, req.PayCurrency = true, "USD"
	res, _, err := x.c.DS.CreateOrder(x.ctx, req)
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	id := res.OrderIDs[0]
	x.clock.Advance(time.Minute)
	_, _, err = x.c.DS.Tracking(x.ctx, id, nil)
	if !errors.Is(err, aliexpress.ErrTrackingNotFound) {
		t.Errorf("Tracking before dispatch err = %v; want ErrTrackingNotFound", err)
	}
	x.clock.Advance(20 * 24 * time.Hour)
	info, _, err := x.c.DS.Tracking(x.ctx, id, &aliexpress.TrackingOptions{Language: "en_US"})
	if err != nil {
		t.Fatalf("Tracking(%d) after 20 days: %v", id, err)
	}
	o, _ := x.srv.orderFor(DefaultUserNick, id, x.clock.Now())
	_, deliver, _ := o.timeline()
	if len(info.Packages) != 1 {
		t.Fatalf("Tracking = %d packages; want 1", len(info.Packages))
	}
	pk := info.Packages[0]
	want := []aliexpress.TrackedItem{{ItemID: p.ID, SKUID: v.SKUID, SKUDesc: skuDesc(v), Quantity: 1, Title: p.Title}}
	if pk.Carrier != opt.Company || pk.TrackingNumber != o.mailNo() || !pk.ETA.Equal(deliver.Truncate(time.Millisecond)) || !reflect.DeepEqual(pk.Items, want) ||
		len(pk.Events) != len(trackingSteps) || pk.Events[0].Name != "Delivered" {
		t.Errorf("Tracking package = %+v; want %s %s, ETA %v, items %+v, all %d events newest first", pk, opt.Company, o.mailNo(), deliver, want, len(trackingSteps))
	}
	return info
}

func sdkReports(t *testing.T, x *sdkEnv) any {
	p := x.find(t, "US", "several SKUs in stock", nil)
	before := len(x.srv.Calls())
	if _, err := x.c.DS.SubmitOrderData(x.ctx, &aliexpress.OrderData{OrderID: 8100000000000001, ProductID: p.ID, SKUInfo: p.Variants[0].Attr,
		ProductAmount: amount(t, 1000, "USD"), OrderAmount: amount(t, 1250, "USD"), PaidAt: x.clock.Now(), ProductURL: "https://shop.example/p/1"}); err != nil {
		t.Errorf("SubmitOrderData: %v", err)
	}
	if _, err := x.c.DS.AddInfo(x.ctx, &aliexpress.DropshipperInfo{StoreURL: "https://shop.example"}); err != nil {
		t.Errorf("AddInfo: %v", err)
	}
	calls := x.srv.Calls()[before:]
	if len(calls) != 2 || calls[0].Code != "0" || calls[1].Code != "0" {
		t.Errorf("calls = %+v; want two successful calls", calls)
	}
	return nil
}

func sdkMemberBenefits(t *testing.T, x *sdkEnv) any {
	got, _, err := x.c.DS.MemberBenefits(x.ctx)
	want := []aliexpress.MemberBenefit{{Code: "auto-pay", Title: "auto-pay", CanApply: false, CanBenefit: true}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("MemberBenefits = %+v, %v; want %+v", got, err, want)
	}
	return got
}

func sdkOAuth(t *testing.T, x *sdkEnv) any {
	code := x.srv.AuthorizeCode("https://app.example/callback")
	tok, _, err := x.c.OAuth.CreateToken(x.ctx, code)
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	now := x.clock.Now()
	if tok.UserNick != DefaultUserNick || !tok.ExpiresAt.Equal(now.Add(30*24*time.Hour)) || !tok.RefreshExpiresAt.Equal(now.Add(60*24*time.Hour)) || tok.AccessToken == "" {
		t.Errorf("CreateToken = %v, expires %v / %v; want %s with a launched app's 30 and 60 days", tok, tok.ExpiresAt, tok.RefreshExpiresAt, DefaultUserNick)
	}
	x.clock.Advance(time.Hour)
	again, _, err := x.c.OAuth.RefreshToken(x.ctx, tok.RefreshToken)
	if err != nil || again.AccessToken == tok.AccessToken || !again.ExpiresAt.Equal(x.clock.Now().Add(30*24*time.Hour)) || !again.RefreshExpiresAt.Equal(tok.RefreshExpiresAt) {
		t.Errorf("RefreshToken = %v, %v; want a new access token for 30 days and the refresh expiry kept", again, err)
	}
	if _, _, err := x.c.OAuth.CreateToken(x.ctx, code); !errors.Is(err, aliexpress.ErrInvalidCode) {
		t.Errorf("CreateToken(used code) err = %v; want ErrInvalidCode", err)
	}
	return nil // tokens are random draws
}

// --- affiliate -----------------------------------------------------------------------------------

// checkAffProduct compares an affiliate product with the world's, prices in cur.
func checkAffProduct(t *testing.T, call string, got aliexpress.Product, p world.Product, cur string) {
	t.Helper()
	if got.ID != p.ID || got.Title != p.Title || got.DetailURL != productURL(p.ID) || got.SalePrice != amount(t, p.SalePrice, "USD") ||
		got.TargetSalePrice != amount(t, p.SalePrice, cur) || got.TargetOriginalPrice != amount(t, p.OriginalPrice, cur) ||
		got.Volume != int64(p.Orders30d) || got.ShopID != p.ShopID || got.SecondLevelCategoryID != p.CategoryID ||
		got.DiscountPercent != float64(p.DiscountPct) || got.PromotionLink != promotionLink(sdkTrackingID, productURL(p.ID)) ||
		got.SKUID != p.Variants[0].SKUID || len(got.SmallImageURLs) != len(p.Images) {
		t.Errorf("%s product %d = %+v; want %q at %s %s (%s USD), %d sold, shop %d", call, p.ID, got, p.Title, money(p.SalePrice, cur), cur, money(p.SalePrice, "USD"), p.Orders30d, p.ShopID)
	}
}

func sdkQueryProducts(t *testing.T, x *sdkEnv) any {
	page, _, err := x.c.Affiliate.QueryProducts(x.ctx, &aliexpress.ProductQuery{PageSize: 5, Sort: aliexpress.SortLastVolumeDesc, TargetCurrency: "EUR", ShipToCountry: "US"})
	if err != nil {
		t.Fatalf("QueryProducts: %v", err)
	}
	want := x.srv.cat.Search(world.Query{ShipTo: "US", Sort: world.SortVolumeDesc, Page: 1, PageSize: 5}, x.day())
	if page.TotalRecords != want.Total || page.CurrentPage != 1 || page.PageRecords != len(want.Products) || len(page.Products) != len(want.Products) {
		t.Fatalf("QueryProducts = page %d, %d of %d; want 1, %d of %d", page.CurrentPage, len(page.Products), page.TotalRecords, len(want.Products), want.Total)
	}
	for i, p := range want.Products {
		checkAffProduct(t, "QueryProducts", page.Products[i], p, "EUR")
	}
	hot, _, err := x.c.Affiliate.HotProducts(x.ctx, &aliexpress.ProductQuery{PageSize: 3})
	if err != nil || len(hot.Products) == 0 {
		t.Fatalf("HotProducts = %v, %v", hot, err)
	}
	for _, p := range hot.Products {
		if p.HotCommissionRate <= 0 {
			t.Errorf("HotProducts product %d has hot commission %v; want > 0", p.ID, p.HotCommissionRate)
		}
	}
	return []any{page, hot}
}

func sdkProductDetails(t *testing.T, x *sdkEnv) any {
	ids := append(x.srv.SampleProductIDs(3), x.srv.HostileProductIDs()...)
	ids = append(ids, 1005000000000001) // unknown: left out
	got, _, err := x.c.Affiliate.ProductDetails(x.ctx, ids, &aliexpress.ProductDetailsOptions{TargetCurrency: "GBP"})
	if err != nil {
		t.Fatalf("ProductDetails: %v", err)
	}
	var want []world.Product
	for _, id := range ids {
		if p, ok := x.srv.cat.Product(id, x.day()); ok {
			want = append(want, p)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("ProductDetails(%d IDs) = %d products; want %d", len(ids), len(got), len(want))
	}
	for i, p := range want {
		checkAffProduct(t, "ProductDetails", got[i], p, "GBP") // hostile titles byte for byte
	}
	return got
}

func sdkAffCategories(t *testing.T, x *sdkEnv) any {
	got, _, err := x.c.Affiliate.Categories(x.ctx)
	if err != nil {
		t.Fatalf("Categories: %v", err)
	}
	var want []aliexpress.Category
	for _, c := range x.srv.cat.Categories() {
		want = append(want, aliexpress.Category{ID: c.ID, Name: c.Name, ParentID: c.ParentID})
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Categories = %d; want the world's %d", len(got), len(want))
	}
	return got
}

func sdkLinks(t *testing.T, x *sdkEnv) any {
	src := []string{productURL(x.srv.SampleProductIDs(1)[0]), "https://www.aliexpress.com/store/1100000001"}
	got, _, err := x.c.Affiliate.GenerateLinks(x.ctx, src, &aliexpress.LinkOptions{LinkType: aliexpress.LinkTypeHot})
	if err != nil {
		t.Fatalf("GenerateLinks: %v", err)
	}
	if len(got) != 2 || got[0].SourceValue != src[0] || got[0].PromotionLink != promotionLink(sdkTrackingID, src[0]) {
		t.Errorf("GenerateLinks = %+v; want %s for %s", got, promotionLink(sdkTrackingID, src[0]), src[0])
	}
	return got
}

func sdkSmartMatch(t *testing.T, x *sdkEnv) any {
	id := x.srv.SampleProductIDs(1)[0]
	page, _, err := x.c.Affiliate.SmartMatch(x.ctx, &aliexpress.SmartMatchQuery{DeviceID: "sdk-device", ProductID: id})
	if err != nil || len(page.Products) == 0 {
		t.Fatalf("SmartMatch(%d) = %v, %v; want products", id, page, err)
	}
	for _, got := range page.Products {
		p, ok := x.srv.cat.Product(got.ID, x.day())
		if !ok {
			t.Errorf("SmartMatch product %d is not in the world", got.ID)
			continue
		}
		checkAffProduct(t, "SmartMatch", got, p, "USD")
	}
	return page
}

func sdkPromos(t *testing.T, x *sdkEnv) any {
	promos, _, err := x.c.Affiliate.FeaturedPromos(x.ctx)
	if err != nil {
		t.Fatalf("FeaturedPromos: %v", err)
	}
	var want []aliexpress.Promo
	for _, p := range x.srv.cat.Promos() {
		want = append(want, aliexpress.Promo{Name: p.Name, Description: p.Desc, ProductCount: p.ProductNum})
	}
	if !reflect.DeepEqual(promos, want) {
		t.Fatalf("FeaturedPromos = %+v; want %+v", promos, want)
	}
	page, _, err := x.c.Affiliate.FeaturedPromoProducts(x.ctx, &aliexpress.PromoProductQuery{PromotionName: promos[0].Name, PageSize: 4, TargetCurrency: "EUR"})
	if err != nil {
		t.Fatalf("FeaturedPromoProducts(%q): %v", promos[0].Name, err)
	}
	res := x.srv.cat.Search(world.Query{Promo: promos[0].Name, Page: 1, PageSize: 4}, x.day())
	if len(page.Products) != len(res.Products) || page.TotalRecords != res.Total || page.Finished != (res.Total <= 4) {
		t.Fatalf("FeaturedPromoProducts = %d of %d, finished %v; want %d of %d", len(page.Products), page.TotalRecords, page.Finished, len(res.Products), res.Total)
	}
	for i, p := range res.Products {
		checkAffProduct(t, "FeaturedPromoProducts", page.Products[i], p, "EUR")
	}
	return []any{promos, page}
}

func sdkHotDownload(t *testing.T, x *sdkEnv) any {
	top := x.srv.cat.Categories()[0]
	page, _, err := x.c.Affiliate.DownloadHotProducts(x.ctx, &aliexpress.HotProductDownloadQuery{CategoryID: top.ID, PageSize: 3})
	if err != nil || len(page.Products) == 0 {
		t.Fatalf("DownloadHotProducts(%d) = %v, %v; want products", top.ID, page, err)
	}
	for _, got := range page.Products {
		if got.FirstLevelCategoryID != top.ID || got.HotCommissionRate <= 0 {
			t.Errorf("DownloadHotProducts product %d: category %d, hot commission %v; want %d and > 0", got.ID, got.FirstLevelCategoryID, got.HotCommissionRate, top.ID)
		}
	}
	return page
}

func sdkAffOrders(t *testing.T, x *sdkEnv) any {
	now := x.clock.Now()
	q := &aliexpress.OrderQuery{StartTime: now.Add(-30 * 24 * time.Hour), EndTime: now, Status: aliexpress.AffiliateOrderPaymentCompleted, PageSize: 5}
	page, _, err := x.c.Affiliate.Orders(x.ctx, q)
	if errors.Is(err, aliexpress.ErrNoResults) {
		return nil // no order in the window: nothing to compare
	}
	if err != nil || len(page.Orders) == 0 {
		t.Fatalf("Orders = %v, %v", page, err)
	}
	first := page.Orders[0]
	if first.Status != aliexpress.AffiliateOrderPaymentCompleted || first.OrderID == 0 || first.PaidAmount.Amount <= 0 || first.ProductID == 0 {
		t.Errorf("Orders first = %+v; want a paid order with an amount and a product", first)
	}
	byID, _, err := x.c.Affiliate.OrdersByID(x.ctx, []int64{first.OrderID}, nil)
	if err != nil || len(byID) == 0 || byID[0].OrderID != first.OrderID || byID[0].PaidAmount != first.PaidAmount {
		t.Errorf("OrdersByID(%d) = %+v, %v; want the same order", first.OrderID, byID, err)
	}
	return page
}

func sdkAffShippingSKUs(t *testing.T, x *sdkEnv) any {
	p := x.find(t, "FR", "several SKUs in stock", nil)
	v := p.Variants[1]
	quote, _, err := x.c.Affiliate.ProductShipping(x.ctx, &aliexpress.ShippingQuery{ProductID: p.ID, SKUID: v.SKUID, ShipToCountry: "FR",
		TargetCurrency: "EUR", TargetSalePrice: amount(t, v.SalePrice, "EUR"), TargetLanguage: "FR", TaxRate: "0.2"})
	if err != nil {
		t.Fatalf("ProductShipping: %v", err)
	}
	o := x.srv.cat.Shipping(p, v.SKUID, "FR", 1)[0]
	wantFee := amount(t, o.Fee, "EUR")
	if quote.MinDeliveryDays != o.MinDays || quote.MaxDeliveryDays != o.MaxDays || quote.ShipFromCountry != o.ShipFrom || quote.ShippingFee != wantFee {
		t.Errorf("ProductShipping = %+v; want %d-%d days from %s, fee %s EUR", quote, o.MinDays, o.MaxDays, o.ShipFrom, money(o.Fee, "EUR"))
	}
	detail, _, err := x.c.Affiliate.SKUDetails(x.ctx, &aliexpress.SKUDetailQuery{ProductID: p.ID, ShipToCountry: "FR", TargetCurrency: "EUR", TargetLanguage: "FR"})
	if err != nil {
		t.Fatalf("SKUDetails: %v", err)
	}
	if detail.Item.ProductID != p.ID || detail.Item.Title != p.Title || len(detail.SKUs) != min(len(p.Variants), 20) {
		t.Fatalf("SKUDetails = item %d %q, %d SKUs; want %d %q, %d", detail.Item.ProductID, detail.Item.Title, len(detail.SKUs), p.ID, p.Title, min(len(p.Variants), 20))
	}
	for i, s := range detail.SKUs {
		w := p.Variants[i]
		if s.SKUID != w.SKUID || s.Attr != w.Attr || s.SalePrice != amount(t, w.SalePrice, "EUR") || s.Price != amount(t, w.Price, "EUR") || s.Stock != w.Stock {
			t.Errorf("SKUDetails SKU %d = %+v; want %s %q at %s EUR, %d in stock", i, s, w.SKUID, w.Attr, money(w.SalePrice, "EUR"), w.Stock)
		}
	}
	return []any{quote, detail}
}

// TestSDKLegacyOrderShapes reads an order answered under the legacy root key and list wrappers
// that some trade.ds.order.get responses use (reference §6.7).
func TestSDKLegacyOrderShapes(t *testing.T) {
	x := newSDKEnv(t, WireLive, func(o *Options) { o.LegacyOrderRoot, o.LegacyOrderWrappers = true, true })
	p := x.find(t, "US", "several SKUs in stock", nil)
	v := p.Variants[0]
	res, _, err := x.c.DS.CreateOrder(x.ctx, orderRequest(p, v, 2, x.srv.cat.Shipping(p, v.SKUID, "US", 2)[0].Code))
	if err != nil {
		t.Fatalf("CreateOrder: %v", err)
	}
	x.clock.Advance(11 * time.Second)
	o, _, err := x.c.DS.Order(x.ctx, res.OrderIDs[0])
	if err != nil || o.Status != "PLACE_ORDER_SUCCESS" || len(o.Items) != 1 || o.Items[0].Quantity != 2 || o.Items[0].SKUID != v.SKUID {
		t.Errorf("Order under aliexpress_ds_trade_order_get_response = %+v, %v; want the order of 2 x %s", o, err, v.SKUID)
	}
}
