package aliexpress_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// These tests run every Affiliate method end to end against the simulator.

const affSandboxTracking = "aliscout-sandbox"

var affSandboxNow = time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)

func affSandbox(t *testing.T, opts sandbox.Options, copts ...aliexpress.Option) (*sandbox.Server, *aliexpress.Client) {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return affSandboxNow }
	}
	srv := sandbox.NewServer(opts)
	t.Cleanup(srv.Close)
	base := []aliexpress.Option{
		aliexpress.WithGateway(srv.URL),
		aliexpress.WithClock(opts.Now),
		aliexpress.WithTrackingID(affSandboxTracking),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}),
	}
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, append(base, copts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func affProductIDs(ps []aliexpress.Product) []int64 {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func TestAffiliateSandboxQueryProducts(t *testing.T) {
	t.Parallel()
	_, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	page, resp, err := c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{
		Keywords:       "phone case",
		PageSize:       20,
		Sort:           aliexpress.SortSalePriceAsc,
		TargetCurrency: "EUR",
		TargetLanguage: "EN",
		MinSalePrice:   aliexpress.Money{Amount: 100, Currency: "EUR"},
		MaxSalePrice:   aliexpress.Money{Amount: 5000, Currency: "EUR"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Products) == 0 || page.TotalRecords < len(page.Products) || resp.RequestID == "" {
		t.Fatalf("QueryProducts = %d products of %d, request %q; want some", len(page.Products), page.TotalRecords, resp.RequestID)
	}
	var last int64
	for _, p := range page.Products {
		if p.ID <= 0 || p.SalePrice.Currency != "USD" || p.TargetSalePrice.Currency != "EUR" {
			t.Errorf("product %d: sale %v, target sale %v; want USD and EUR prices", p.ID, p.SalePrice, p.TargetSalePrice)
		}
		if !strings.HasPrefix(p.PromotionLink, "https://s.click.aliexpress.com/e/_") {
			t.Errorf("product %d: PromotionLink = %q; want a tracked link for the client's tracking ID", p.ID, p.PromotionLink)
		}
		if p.SalePrice.Amount < last {
			t.Errorf("product %d: sale price %v after %d; want SALE_PRICE_ASC order", p.ID, p.SalePrice, last)
		}
		last = p.SalePrice.Amount
	}

	// Exact bounds in USD.
	page, _, err = c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{
		Keywords: "phone case", MinSalePrice: aliexpress.Money{Amount: 500}, MaxSalePrice: aliexpress.Money{Amount: 1500},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range page.Products {
		if p.SalePrice.Amount < 500 || p.SalePrice.Amount > 1500 {
			t.Errorf("product %d: sale price %v; want 5.00 to 15.00 USD", p.ID, p.SalePrice)
		}
	}

	// Nothing found is an empty page, not an error.
	page, _, err = c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{Keywords: "zzqqxxnothingmatchesthis"})
	if err != nil || len(page.Products) != 0 {
		t.Errorf("QueryProducts(no match) = %d products, %v; want an empty page", len(page.Products), err)
	}
}

func TestAffiliateSandboxQueryProductsAll(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	q := &aliexpress.ProductQuery{Keywords: "phone case", PageSize: 20}
	first, _, err := c.Affiliate.QueryProducts(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if first.TotalPages < 2 {
		t.Fatalf("TotalPages = %d; want a search with several pages", first.TotalPages)
	}
	srv.ResetCalls()
	seen := map[int64]bool{}
	for p, err := range c.Affiliate.QueryProductsAll(ctx, q) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[p.ID] {
			t.Errorf("product %d yielded twice", p.ID)
		}
		seen[p.ID] = true
	}
	if len(seen) != first.TotalRecords {
		t.Errorf("QueryProductsAll yielded %d products; want TotalRecords %d", len(seen), first.TotalRecords)
	}
	if n := srv.CallCount("aliexpress.affiliate.product.query"); n != first.TotalPages {
		t.Errorf("calls = %d; want one per page (%d)", n, first.TotalPages)
	}

	// A consumer that stops early costs only the pages it read.
	srv.ResetCalls()
	n := 0
	for _, err := range c.Affiliate.QueryProductsAll(ctx, q) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 25 {
			break
		}
	}
	if calls := srv.CallCount("aliexpress.affiliate.product.query"); calls != 2 {
		t.Errorf("calls for 25 products of 20 a page = %d; want 2", calls)
	}
}

func TestAffiliateSandboxProductDetailsBatches(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	sample := srv.SampleProductIDs(45)
	if len(sample) != 45 {
		t.Fatalf("SampleProductIDs(45) = %d IDs", len(sample))
	}
	const unknown = 1005999999999999
	ids := append(slices.Clone(sample), unknown, sample[0], sample[7]) // one unknown, two repeats
	slices.Reverse(ids)

	tests := []struct {
		batch int
		calls int
	}{
		{0, 3},  // 46 distinct IDs at the default 20: ceil(46/20)
		{7, 7},  // ceil(46/7)
		{50, 1}, // the simulator's maximum
	}
	for _, tt := range tests {
		srv.ResetCalls()
		got, resp, err := c.Affiliate.ProductDetails(ctx, ids, &aliexpress.ProductDetailsOptions{BatchSize: tt.batch})
		if err != nil {
			t.Fatalf("batch %d: %v", tt.batch, err)
		}
		var want []int64
		for _, id := range ids {
			if id != unknown && !slices.Contains(want, id) {
				want = append(want, id)
			}
		}
		if !reflect.DeepEqual(affProductIDs(got), want) {
			t.Errorf("batch %d: IDs = %v; want the known ones in the order asked, %v", tt.batch, affProductIDs(got), want)
		}
		if n := srv.CallCount("aliexpress.affiliate.productdetail.get"); n != tt.calls || resp.Attempts != tt.calls {
			t.Errorf("batch %d: calls = %d (Response.Attempts %d); want %d", tt.batch, n, resp.Attempts, tt.calls)
		}
	}

	// Past the platform's own maximum (50 in the simulator) the platform refuses the call.
	_, _, err := c.Affiliate.ProductDetails(ctx, srv.SampleProductIDs(55), &aliexpress.ProductDetailsOptions{BatchSize: 60})
	if !errors.Is(err, aliexpress.ErrInvalidParameter) {
		t.Errorf("BatchSize 60 against a 50-ID gateway: err = %v; want ErrInvalidParameter", err)
	}
}

// TestSandboxHostileTitles checks that hostile text arrives byte for byte: the typed title equals the
// string on the wire.
func TestAffiliateSandboxHostileTitles(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	ids := srv.HostileProductIDs()
	got, _, err := c.Affiliate.ProductDetails(ctx, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Errorf("ProductDetails(hostile) = %d products; want %d", len(got), len(ids))
	}
	var sawScript, sawEmpty, sawLong bool
	for _, p := range got {
		raw, _, err := c.Call(ctx, "aliexpress.affiliate.productdetail.get", map[string]string{"product_ids": strconv.FormatInt(p.ID, 10)}, true)
		if err != nil {
			t.Fatal(err)
		}
		var wire struct {
			RespResult struct {
				Result struct {
					Products struct {
						Product []struct {
							ProductTitle string `json:"product_title"`
							ShopName     string `json:"shop_name"`
						} `json:"product"`
					} `json:"products"`
				} `json:"result"`
			} `json:"resp_result"`
		}
		if err := json.Unmarshal(raw, &wire); err != nil || len(wire.RespResult.Result.Products.Product) != 1 {
			t.Fatalf("product %d: raw answer %s: %v", p.ID, raw, err)
		}
		w := wire.RespResult.Result.Products.Product[0]
		if p.Title != w.ProductTitle {
			t.Errorf("product %d: Title = %q; want %q byte for byte", p.ID, p.Title, w.ProductTitle)
		}
		if p.ShopName != w.ShopName {
			t.Errorf("product %d: ShopName = %q; want %q byte for byte", p.ID, p.ShopName, w.ShopName)
		}
		sawScript = sawScript || strings.Contains(p.Title, "<script")
		sawEmpty = sawEmpty || p.Title == ""
		sawLong = sawLong || len(p.Title) >= 1000
	}
	if !sawScript || !sawEmpty || !sawLong {
		t.Errorf("hostile titles seen: script %v, empty %v, 1000 bytes %v; want all", sawScript, sawEmpty, sawLong)
	}
}

// TestSandboxEnvelopeVariants checks that bare arrays and stringified scalars decode to the same
// products as the live wrappers.
func TestAffiliateSandboxEnvelopeVariants(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plainSrv, plain := affSandbox(t, sandbox.Options{})
	oddSrv, odd := affSandbox(t, sandbox.Options{Wire: sandbox.WireDocSample})
	q := &aliexpress.ProductQuery{Keywords: "wireless earbuds", PageSize: 10, TargetCurrency: "JPY"}
	want, _, err := plain.Affiliate.QueryProducts(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := odd.Affiliate.QueryProducts(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	// Picture URLs point at each simulator itself.
	local := func(page *aliexpress.ProductPage, base string) {
		for i := range page.Products {
			p := &page.Products[i]
			p.MainImageURL = strings.TrimPrefix(p.MainImageURL, base)
			p.VideoURL = strings.TrimPrefix(p.VideoURL, base)
			for j, u := range p.SmallImageURLs {
				p.SmallImageURLs[j] = strings.TrimPrefix(u, base)
			}
		}
	}
	local(want, plainSrv.URL)
	local(got, oddSrv.URL)
	if len(want.Products) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("bare lists and string scalars decode differently:\n got %+v\nwant %+v", got, want)
	}
	cats, _, err := odd.Affiliate.Categories(ctx)
	if err != nil || len(cats) == 0 {
		t.Errorf("Categories with bare lists = %d, %v", len(cats), err)
	}
}

func TestAffiliateSandboxCategories(t *testing.T) {
	t.Parallel()
	_, c := affSandbox(t, sandbox.Options{})
	cats, _, err := c.Affiliate.Categories(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]aliexpress.Category{}
	tops := 0
	for _, cat := range cats {
		byID[cat.ID] = cat
		if cat.ParentID == 0 {
			tops++
		}
	}
	if tops == 0 || tops == len(cats) {
		t.Fatalf("%d categories, %d top-level; want a tree", len(cats), tops)
	}
	for _, cat := range cats {
		if cat.ParentID != 0 {
			if _, ok := byID[cat.ParentID]; !ok {
				t.Errorf("category %d (%s): parent %d unknown", cat.ID, cat.Name, cat.ParentID)
			}
		}
		if cat.ID <= 0 || cat.Name == "" {
			t.Errorf("category = %+v; want an ID and a name", cat)
		}
	}
}

func TestAffiliateSandboxGenerateLinks(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	id := srv.SampleProductIDs(1)[0]
	src := []string{aliexpress.ProductURL(id), "https://example.com/not-a-product"}
	links, _, err := c.Affiliate.GenerateLinks(ctx, src, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(links) != 2 || links[0].SourceValue != src[0] || !strings.HasPrefix(links[0].PromotionLink, "https://s.click.aliexpress.com/e/_") ||
		links[1].PromotionLink != "" || links[1].Message == "" {
		t.Fatalf("GenerateLinks = %+v; want a link for the product and a message for the other", links)
	}
	again, _, err := c.Affiliate.GenerateLinks(ctx, src[:1], &aliexpress.LinkOptions{LinkType: aliexpress.LinkTypeHot})
	if err != nil || again[0].PromotionLink != links[0].PromotionLink {
		t.Errorf("GenerateLinks again = %+v, %v; want the same link %s", again, err, links[0].PromotionLink)
	}
	other, _, err := c.Affiliate.GenerateLinks(ctx, src[:1], &aliexpress.LinkOptions{TrackingID: "another"})
	if err != nil || other[0].PromotionLink == links[0].PromotionLink {
		t.Errorf("GenerateLinks for another tracking ID = %+v, %v; want a different link", other, err)
	}

	_, _, err = c.Affiliate.GenerateLinks(ctx, src[1:], nil)
	if !errors.Is(err, aliexpress.ErrNoResults) {
		t.Errorf("GenerateLinks(nothing linkable) err = %v; want ErrNoResults", err)
	}

	bareSrv, bare := affSandbox(t, sandbox.Options{}, aliexpress.WithTrackingID(""))
	if _, _, err := bare.Affiliate.GenerateLinks(ctx, src[:1], nil); !errors.Is(err, aliexpress.ErrInvalidParameter) {
		t.Errorf("GenerateLinks without a tracking ID: err = %v; want ErrInvalidParameter", err)
	}
	if n := bareSrv.CallCount("aliexpress.affiliate.link.generate"); n != 0 {
		t.Errorf("GenerateLinks without a tracking ID made %d calls; want none", n)
	}
}

func TestAffiliateSandboxHotProducts(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	page, _, err := c.Affiliate.HotProducts(ctx, &aliexpress.ProductQuery{PageSize: 50, Sort: aliexpress.SortDiscountDesc})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Products) == 0 {
		t.Fatal("HotProducts found nothing")
	}
	for _, p := range page.Products {
		if p.HotCommissionRate <= 0 {
			t.Errorf("product %d: HotCommissionRate = %v; want a hot product", p.ID, p.HotCommissionRate)
		}
	}
	srv.ResetCalls()
	n := 0
	for p, err := range c.Affiliate.HotProductsAll(ctx, &aliexpress.ProductQuery{PageSize: 50}) {
		if err != nil {
			t.Fatal(err)
		}
		if p.HotCommissionRate <= 0 {
			t.Errorf("product %d is not hot", p.ID)
		}
		if n++; n == 60 {
			break
		}
	}
	if calls := srv.CallCount("aliexpress.affiliate.hotproduct.query"); n != 60 || calls != 2 {
		t.Errorf("HotProductsAll: %d products in %d calls; want 60 in 2", n, calls)
	}
}

func TestAffiliateSandboxSmartMatch(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	id := srv.SampleProductIDs(1)[0]
	page, _, err := c.Affiliate.SmartMatch(context.Background(), &aliexpress.SmartMatchQuery{ProductID: id, DeviceID: "adid-0000"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Products) == 0 {
		t.Error("SmartMatch found nothing for a best seller")
	}
}

func TestAffiliateSandboxFeaturedPromos(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	promos, _, err := c.Affiliate.FeaturedPromos(ctx)
	if err != nil || len(promos) == 0 {
		t.Fatalf("FeaturedPromos = %+v, %v; want some", promos, err)
	}
	var promo aliexpress.Promo
	for _, p := range promos {
		if p.ProductCount > 60 {
			promo = p
			break
		}
	}
	if promo.Name == "" {
		t.Fatalf("no promo with more than 60 products in %+v", promos)
	}
	q := &aliexpress.PromoProductQuery{PromotionName: promo.Name, PageSize: 50, Sort: aliexpress.PromoSortPriceAsc}
	page, _, err := c.Affiliate.FeaturedPromoProducts(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Products) != 50 || page.Finished {
		t.Errorf("first page: %d products, Finished %v; want 50 and more to come", len(page.Products), page.Finished)
	}
	srv.ResetCalls()
	n := 0
	for _, err := range c.Affiliate.FeaturedPromoProductsAll(ctx, q) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 120 {
			break
		}
	}
	if calls := srv.CallCount("aliexpress.affiliate.featuredpromo.products.get"); calls != 3 {
		t.Errorf("120 promo products took %d calls; want 3", calls)
	}
	// The whole of a small promotion.
	var small aliexpress.Promo
	for _, p := range promos {
		if p.ProductCount > 0 && (small.Name == "" || p.ProductCount < small.ProductCount) {
			small = p
		}
	}
	if small.ProductCount <= 1000 {
		n = 0
		for _, err := range c.Affiliate.FeaturedPromoProductsAll(ctx, &aliexpress.PromoProductQuery{PromotionName: small.Name, PageSize: 50}) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		if n == 0 {
			t.Errorf("promo %q yielded nothing", small.Name)
		}
	}
}

func TestAffiliateSandboxDownloadHotProducts(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	cats, _, err := c.Affiliate.Categories(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, cat := range cats {
		if cat.ParentID != 0 {
			continue
		}
		page, _, err := c.Affiliate.DownloadHotProducts(ctx, &aliexpress.HotProductDownloadQuery{CategoryID: cat.ID, LocaleSite: aliexpress.LocaleSiteGlobal, PageSize: 20})
		if err != nil {
			t.Fatalf("category %d: %v", cat.ID, err)
		}
		if len(page.Products) == 0 {
			continue
		}
		found = true
		srv.ResetCalls()
		n := 0
		for p, err := range c.Affiliate.DownloadHotProductsAll(ctx, &aliexpress.HotProductDownloadQuery{CategoryID: cat.ID, PageSize: 20}) {
			if err != nil {
				t.Fatal(err)
			}
			if p.FirstLevelCategoryID != cat.ID {
				t.Errorf("product %d in category %d; want %d", p.ID, p.FirstLevelCategoryID, cat.ID)
			}
			n++
		}
		if n != page.TotalRecords || srv.CallCount("aliexpress.affiliate.hotproduct.download") != page.TotalPages {
			t.Errorf("DownloadHotProductsAll: %d products in %d calls; want %d in %d", n,
				srv.CallCount("aliexpress.affiliate.hotproduct.download"), page.TotalRecords, page.TotalPages)
		}
		break
	}
	if !found {
		t.Error("no top-level category has hot products")
	}
}

func TestAffiliateSandboxOrders(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	q := &aliexpress.OrderQuery{
		StartTime: affSandboxNow.Add(-30 * 24 * time.Hour),
		EndTime:   affSandboxNow,
		Status:    aliexpress.AffiliateOrderPaymentCompleted,
		PageSize:  10,
	}
	page, _, err := c.Affiliate.Orders(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) == 0 {
		t.Fatal("Orders found nothing in 30 days")
	}
	srv.ResetCalls()
	var all []aliexpress.AffiliateOrder
	for o, err := range c.Affiliate.OrdersAll(ctx, q) {
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != aliexpress.AffiliateOrderPaymentCompleted || o.PaidAmount.Currency != "USD" || o.PaidAmount.Amount <= 0 ||
			o.PaidTime.Before(q.StartTime) || o.PaidTime.After(q.EndTime) {
			t.Errorf("order %d: status %q, paid %v at %s; want a paid order in the period", o.OrderID, o.Status, o.PaidAmount, o.PaidTime)
		}
		all = append(all, o)
	}
	if len(all) != page.TotalRecords || srv.CallCount("aliexpress.affiliate.order.list") != page.TotalPages {
		t.Errorf("OrdersAll: %d orders in %d calls; want %d in %d", len(all), srv.CallCount("aliexpress.affiliate.order.list"), page.TotalRecords, page.TotalPages)
	}

	ids := []int64{all[0].OrderID, 8100000000000001}
	byID, _, err := c.Affiliate.OrdersByID(ctx, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(byID) == 0 || byID[0].OrderID != all[0].OrderID || byID[0].PaidAmount != all[0].PaidAmount {
		t.Errorf("OrdersByID(%v) = %+v; want order %d as order.list had it", ids, byID, all[0].OrderID)
	}
	none, _, err := c.Affiliate.OrdersByID(ctx, []int64{8100000000000001}, nil)
	if err != nil || len(none) != 0 {
		t.Errorf("OrdersByID(unknown) = %+v, %v; want nothing and no error", none, err)
	}
}

func TestAffiliateSandboxShippingAndSKUs(t *testing.T) {
	t.Parallel()
	srv, c := affSandbox(t, sandbox.Options{})
	ctx := context.Background()
	ids := srv.SampleProductIDs(10)
	prods, _, err := c.Affiliate.ProductDetails(ctx, ids, &aliexpress.ProductDetailsOptions{TargetCurrency: "USD"})
	if err != nil || len(prods) == 0 {
		t.Fatalf("ProductDetails = %v, %v", prods, err)
	}
	p := prods[0]
	if p.SKUID == "" {
		t.Fatalf("product %d has no SKUID", p.ID)
	}

	detail, _, err := c.Affiliate.SKUDetails(ctx, &aliexpress.SKUDetailQuery{
		ProductID: p.ID, ShipToCountry: "US", TargetCurrency: "EUR", TargetLanguage: "EN", NeedDeliveryInfo: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if detail.Item.ProductID != p.ID || detail.Item.Title != p.Title || len(detail.SKUs) == 0 {
		t.Fatalf("SKUDetails item = %+v with %d SKUs", detail.Item, len(detail.SKUs))
	}
	if !slices.ContainsFunc(detail.SKUs, func(s aliexpress.SKUOffer) bool { return s.SKUID == p.SKUID }) {
		t.Errorf("SKUDetails lists no SKU %s, the product's own", p.SKUID)
	}
	for _, s := range detail.SKUs {
		if s.SKUID == "" || s.SalePriceWithTax.Currency != "EUR" || s.SalePriceWithTax.Amount <= 0 || s.Price.Amount < s.SalePrice.Amount {
			t.Errorf("SKU = %+v; want an ID and EUR prices", s)
		}
	}
	one, _, err := c.Affiliate.SKUDetails(ctx, &aliexpress.SKUDetailQuery{
		ProductID: p.ID, ShipToCountry: "US", TargetCurrency: "USD", TargetLanguage: "EN", SKUIDs: []string{detail.SKUs[0].SKUID},
	})
	if err != nil || len(one.SKUs) != 1 || one.SKUs[0].SKUID != detail.SKUs[0].SKUID {
		t.Errorf("SKUDetails(one SKU) = %+v, %v", one, err)
	}
	_, _, err = c.Affiliate.SKUDetails(ctx, &aliexpress.SKUDetailQuery{ProductID: 1005999999999999, ShipToCountry: "US", TargetCurrency: "USD", TargetLanguage: "EN"})
	if !errors.Is(err, aliexpress.ErrNoResults) {
		t.Errorf("SKUDetails(unknown product) err = %v; want ErrNoResults", err)
	}

	// Shipping: some products or SKUs do not ship to a country; that is ErrNoResults. At least one of
	// the best sellers ships to the US.
	quoted := 0
	for _, p := range prods {
		quote, _, err := c.Affiliate.ProductShipping(ctx, &aliexpress.ShippingQuery{
			ProductID: p.ID, SKUID: p.SKUID, ShipToCountry: "US", TargetSalePrice: p.TargetSalePrice, TargetLanguage: "EN", TaxRate: p.TaxRate,
		})
		if errors.Is(err, aliexpress.ErrNoResults) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		quoted++
		if quote.MinDeliveryDays <= 0 || quote.MaxDeliveryDays < quote.MinDeliveryDays || quote.ShipFromCountry == "" ||
			quote.ShippingFee.Currency != "USD" || quote.ShippingFee.Amount < 0 {
			t.Errorf("ProductShipping(%d) = %+v; want delivery days, a ship-from country and a USD fee", p.ID, quote)
		}
	}
	if quoted == 0 {
		t.Errorf("none of %d best sellers ships to the US", len(prods))
	}
}

func TestAffiliateSandboxFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := &sbClock{t: affSandboxNow}
	srv, c := affSandbox(t, sandbox.Options{Now: clock.Now})

	srv.SetFaults(sandbox.Faults{RateLimitBurst: 1, Methods: []string{"aliexpress.affiliate.product.query"}})
	_, _, err := c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{Keywords: "lamp"})
	var e *aliexpress.Error
	if !errors.Is(err, aliexpress.ErrRateLimited) || !errors.As(err, &e) || e.RetryAfter <= 0 {
		t.Errorf("throttled QueryProducts err = %v; want ErrRateLimited with RetryAfter", err)
	}
	// The client, which does not wait out bans, turns calls away until the ban is over.
	if _, _, err := c.Affiliate.QueryProducts(ctx, &aliexpress.ProductQuery{Keywords: "lamp"}); !errors.Is(err, aliexpress.ErrRateLimited) {
		t.Errorf("QueryProducts during the ban: err = %v; want ErrRateLimited", err)
	}
	clock.Advance(e.RetryAfter)
	// The iterator yields the failure once and stops.
	srv.SetFaults(sandbox.Faults{MalformedRate: 1, Methods: []string{"aliexpress.affiliate.product.query"}})
	errs := 0
	for _, err := range c.Affiliate.QueryProductsAll(ctx, &aliexpress.ProductQuery{Keywords: "lamp"}) {
		if !errors.Is(err, aliexpress.ErrMalformedResponse) {
			t.Errorf("err = %v; want ErrMalformedResponse", err)
		}
		errs++
	}
	if errs != 1 {
		t.Errorf("QueryProductsAll yielded %d errors; want 1", errs)
	}
	srv.SetFaults(sandbox.Faults{})

	_, wrong := affSandbox(t, sandbox.Options{AppSecret: "another-secret"})
	if _, _, err := wrong.Affiliate.Categories(ctx); !errors.Is(err, aliexpress.ErrSignature) {
		t.Errorf("Categories with the wrong secret: err = %v; want ErrSignature", err)
	}
}
