package sourcing_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sourcing"
)

type fixture struct {
	sb    *sandbox.Server
	svc   *sourcing.Service
	cache *cache.Cache
	clock *clock
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time       { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration)  { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock(t time.Time) *clock     { return &clock{t: t} }
func (f *fixture) calls(m string) int { return f.sb.CallCount(m) }
func (f *fixture) total() int         { return len(f.sb.Calls()) }
func mustFilters(t *testing.T, kv ...string) catalog.Filters {
	t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	f, err := catalog.ParseFilters(v)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// newFixture wires the real stack: simulator, SDK client, memory cache, service.
func newFixture(t *testing.T, ds bool) *fixture {
	t.Helper()
	clk := newClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	sb := sandbox.NewServer(sandbox.Options{Now: clk.Now})
	t.Cleanup(sb.Close)
	opts := []aliexpress.Option{aliexpress.WithGateway(sb.URL), aliexpress.WithTrackingID("test-track"), aliexpress.WithClock(clk.Now),
		aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1})}
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if ds {
		tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
		c = c.WithAccessToken(tok)
	}
	ch := cache.New(cache.NewMemoryStore(cache.MemoryOptions{Now: clk.Now}), cache.Options{Now: clk.Now})
	svc := sourcing.NewService(c, ch, sourcing.ServiceOptions{DS: ds, Simulated: true, Now: clk.Now})
	return &fixture{sb: sb, svc: svc, cache: ch, clock: clk}
}

const queryMethod = "aliexpress.affiliate.product.query"

func TestSearchDefaultsHideUntestedProducts(t *testing.T) {
	fx := newFixture(t, true)
	res, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "phone case"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Products) == 0 || res.Total < len(res.Products) {
		t.Fatalf("Search(phone case) = %d products, total %d; want some", len(res.Products), res.Total)
	}
	for _, p := range res.Products {
		if p.Orders30d < catalog.DefaultMinOrders {
			t.Errorf("product %d has %d orders; want >= %d by default", p.ID, p.Orders30d, catalog.DefaultMinOrders)
		}
		if p.Price.Currency != "USD" || p.Price.Amount <= 0 {
			t.Errorf("product %d price = %v; want a positive USD price", p.ID, p.Price)
		}
		if p.Shipping == nil {
			t.Errorf("product %d on the visible page has no shipping looked up", p.ID)
		}
	}
}

// TestSearchRepeatedCostsNoCall repeats a search within the decoded memo (15 s), after the memo
// has ended but within the cache's search TTL (the cache path), and after the TTL.
func TestSearchRepeatedCostsNoCall(t *testing.T) {
	fx := newFixture(t, true)
	f := mustFilters(t, "q", "phone case")
	first, err := fx.svc.Search(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		name    string
		advance time.Duration
	}{
		{"from the memo", time.Second},
		{"from the cache after the memo ended", time.Minute},
	} {
		fx.clock.Add(step.advance)
		before := fx.total()
		res, err := fx.svc.Search(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if got := fx.total() - before; got != 0 {
			t.Errorf("repeating a search %s made %d AliExpress calls; want 0", step.name, got)
		}
		if len(res.Products) != len(first.Products) || res.Products[0].ID != first.Products[0].ID || res.Stale {
			t.Errorf("repeated search %s = %d products (stale %v); want the first answer again", step.name, len(res.Products), res.Stale)
		}
	}
	fx.clock.Add(sourcing.DefaultTTLs().Search)
	before := fx.calls(queryMethod)
	if _, err := fx.svc.Search(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	if got := fx.calls(queryMethod) - before; got != 1 {
		t.Errorf("a search after its cache TTL made %d product.query calls; want 1 (fresh data)", got)
	}
}

func TestConcurrentSearchesCostOneCall(t *testing.T) {
	fx := newFixture(t, false)
	f := mustFilters(t, "q", "watch", "min_orders", "0", "sort", "price_asc")
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := fx.svc.Search(context.Background(), f); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := fx.calls(queryMethod); got != 1 {
		t.Errorf("20 concurrent identical searches made %d product.query calls; want 1", got)
	}
}

func TestSearchFiltersHold(t *testing.T) {
	fx := newFixture(t, true)
	tests := []struct {
		name  string
		kv    []string
		check func(p *catalog.Product) bool
	}{
		{"min rating", []string{"q", "case", "min_rating", "4.7"}, func(p *catalog.Product) bool { return p.Stars() >= 4.7 }},
		{"min discount", []string{"q", "case", "min_discount", "40"}, func(p *catalog.Product) bool { return p.DiscountPercent >= 40 }},
		{"min orders", []string{"q", "case", "min_orders", "500"}, func(p *catalog.Product) bool { return p.Orders30d >= 500 }},
		{"price range", []string{"q", "case", "min_price", "5", "max_price", "15", "min_orders", "0"}, func(p *catalog.Product) bool {
			return p.Price.Amount >= 500 && p.Price.Amount <= 1500
		}},
		{"free shipping", []string{"q", "case", "free_shipping", "true", "min_orders", "0"}, func(p *catalog.Product) bool { return p.FreeShipping() }},
		{"delivery days", []string{"q", "case", "max_delivery_days", "12", "min_orders", "0"}, func(p *catalog.Product) bool {
			// The method the card shows is one that meets the filter.
			o, ok := (catalog.ShipRule{MaxDays: 12}).Choose(p.Shipping)
			return ok && o.MaxDays <= 12
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := fx.svc.Search(context.Background(), mustFilters(t, tt.kv...))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Products) == 0 {
				t.Fatalf("Search(%v) found nothing; want matches to check", tt.kv)
			}
			for _, p := range res.Products {
				if !tt.check(&p) {
					t.Errorf("Search(%v) returned product %d that fails the filter: %+v", tt.kv, p.ID, p)
				}
			}
		})
	}
}

func TestSearchSorts(t *testing.T) {
	fx := newFixture(t, false)
	for _, sort := range []string{catalog.SortPriceAsc, catalog.SortPriceDesc, catalog.SortOrdersDesc, catalog.SortDiscount, catalog.SortCommission} {
		res, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "case", "sort", sort, "min_orders", "0"))
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < len(res.Products); i++ {
			a, b := res.Products[i-1], res.Products[i]
			bad := false
			switch sort {
			case catalog.SortPriceAsc:
				bad = a.Price.Amount > b.Price.Amount
			case catalog.SortPriceDesc:
				bad = a.Price.Amount < b.Price.Amount
			case catalog.SortOrdersDesc:
				bad = a.Orders30d < b.Orders30d
			case catalog.SortDiscount:
				bad = a.DiscountPercent < b.DiscountPercent
			case catalog.SortCommission:
				// The commission the pages show, not the hidden hot-product rate.
				bad = a.CommissionRate < b.CommissionRate
			}
			if bad {
				t.Errorf("sort %s: product %d before %d out of order", sort, a.ID, b.ID)
			}
		}
	}
}

func TestSearchPaging(t *testing.T) {
	fx := newFixture(t, false)
	f := mustFilters(t, "q", "case", "min_orders", "0", "page_size", "10")
	p1, err := fx.svc.Search(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	f.Page = 2
	p2, err := fx.svc.Search(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, p := range append(p1.Products, p2.Products...) {
		if seen[p.ID] {
			t.Errorf("product %d on both pages", p.ID)
		}
		seen[p.ID] = true
	}
	f.Page = 100
	res, err := fx.svc.Search(context.Background(), f)
	if err != nil || !res.PastEnd || res.Page != res.LastPage || res.LastPage == 0 || len(res.Products) == 0 || res.More {
		t.Errorf("Search(page 100) = page %d of %d, past end %v, %d products, more %v, %v; want the last page, marked past the end",
			res.Page, res.LastPage, res.PastEnd, len(res.Products), res.More, err)
	}
}

// TestSearchOffersOnlyPagesThatExist walks a search whose end aliscout reaches before
// AliExpress's total: every page it says exists has products, and the estimate does not move
// between pages and sorts.
func TestSearchOffersOnlyPagesThatExist(t *testing.T) {
	fx := newFixture(t, false)
	ctx := context.Background()
	f := mustFilters(t, "q", "phone case", "min_rating", "4.7", "sort", catalog.SortDiscount)
	first, err := fx.svc.Search(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	if !first.TotalIsEstimate || first.LastPage == 0 || first.LastPage*f.PageSize >= first.Total {
		t.Fatalf("Search = total %d (estimate %v), last page %d; want an estimate beyond the pages aliscout can serve", first.Total, first.TotalIsEstimate, first.LastPage)
	}
	seen := map[int64]int{}
	for page := 1; page <= first.LastPage; page++ {
		f.Page = page
		res, err := fx.svc.Search(ctx, f)
		if err != nil || len(res.Products) == 0 || res.PastEnd {
			t.Fatalf("Search(page %d of %d) = %d products, past end %v, %v; want a page of products", page, first.LastPage, len(res.Products), res.PastEnd, err)
		}
		if res.More != (page < first.LastPage) {
			t.Errorf("Search(page %d of %d).More = %v", page, first.LastPage, res.More)
		}
		for _, p := range res.Products {
			if prev, ok := seen[p.ID]; ok {
				t.Errorf("product %d on pages %d and %d", p.ID, prev, page)
			}
			seen[p.ID] = page
		}
	}
	if len(seen) != first.Served {
		t.Errorf("the pages hold %d products; Served says %d", len(seen), first.Served)
	}
	for _, kv := range [][]string{{"page", "2"}, {"sort", catalog.SortPriceAsc}, {"sort", catalog.SortRelevance}, {"page_size", "50"}, {"ship_rule", "fastest"}} {
		g := f
		g.Page = 1
		args := append([]string{"q", "phone case", "min_rating", "4.7", "sort", catalog.SortDiscount}, kv...)
		g = mustFilters(t, args...)
		res, err := fx.svc.Search(ctx, g)
		if err != nil || res.Total != first.Total {
			t.Errorf("Search(%v) total = %d, %v; want the query's %d on every page and sort", kv, res.Total, err, first.Total)
		}
	}
}

// TestSearchUpstreamSortOffersNextOnlyWhenThereIsOne: with AliExpress sorting, aliscout scans
// no further than it needs, so the last page is not known; it still never offers a next page
// that does not exist.
func TestSearchUpstreamSortOffersNextOnlyWhenThereIsOne(t *testing.T) {
	fx := newFixture(t, false)
	f := mustFilters(t, "q", "phone case", "sort", catalog.SortPriceAsc)
	for page := 1; page <= catalog.MaxPage; page++ {
		f.Page = page
		res, err := fx.svc.Search(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Products) == 0 {
			t.Fatalf("page %d is empty; the page before it offered it", page)
		}
		if res.More && len(res.Products) < f.PageSize {
			t.Errorf("page %d holds %d products and offers a next page", page, len(res.Products))
		}
		if !res.More {
			if res.LastPage != page || res.PastEnd {
				t.Errorf("last page %d: LastPage = %d, past end %v", page, res.LastPage, res.PastEnd)
			}
			return
		}
	}
}

func TestSearchPricesCarryTheirFetchTime(t *testing.T) {
	fx := newFixture(t, false)
	fetched := fx.clock.Now()
	res, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "phone case"))
	if err != nil {
		t.Fatal(err)
	}
	fx.clock.Add(time.Minute) // within the search TTL: the same data, fetched at the same time
	again, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "phone case", "page", "2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(res.Products, again.Products...) {
		if !p.FetchedAt.Equal(fetched) {
			t.Errorf("product %d FetchedAt = %v; want %v, when AliExpress answered", p.ID, p.FetchedAt, fetched)
		}
	}
}

// TestSearchSortsByDeliveryShown sorts by the delivery days of the method the card shows (the
// shipping rule's), which the search fetches for every product it sorts.
func TestSearchSortsByDeliveryShown(t *testing.T) {
	fx := newFixture(t, true)
	for _, rule := range []string{"tracked", "cheapest", "fastest"} {
		f := mustFilters(t, "q", "phone case", "sort", catalog.SortDelivery, "ship_rule", rule)
		res, err := fx.svc.Search(context.Background(), f)
		if err != nil {
			t.Fatal(err)
		}
		last := 0
		for _, p := range res.Products {
			o, ok := f.Shipping().Choose(p.Shipping)
			if !ok {
				t.Errorf("ship_rule %s: product %d has no shipping the card could show: %+v", rule, p.ID, p.Shipping)
				continue
			}
			if o.MaxDays < last {
				t.Errorf("ship_rule %s: product %d delivers in %d days after one in %d; want fastest first", rule, p.ID, o.MaxDays, last)
			}
			last = o.MaxDays
		}
		if last == 0 {
			t.Errorf("ship_rule %s: no product sorted by delivery", rule)
		}
	}
}

// TestSearchLeavesOutSoldOutProducts: a product whose every variant is sold out is left out of
// the page, which is filled from the next products, and the next page starts where it ended.
func TestSearchLeavesOutSoldOutProducts(t *testing.T) {
	fx := newFixture(t, true)
	ctx := context.Background()
	all, err := fx.svc.Search(ctx, mustFilters(t, "q", "phone case", "in_stock", "false", "page_size", "50"))
	if err != nil {
		t.Fatal(err)
	}
	soldOut := map[int64]bool{}
	for _, p := range all.Products[:40] {
		if p.SoldOut() {
			soldOut[p.ID] = true
		}
	}
	if len(soldOut) == 0 {
		t.Fatal("no sold-out product among the first 40; want the simulator's")
	}
	var got []int64
	hidden := 0
	for page := 1; page <= 2; page++ {
		res, err := fx.svc.Search(ctx, mustFilters(t, "q", "phone case", "page", strconv.Itoa(page)))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Products) != 20 {
			t.Errorf("page %d holds %d products; want a full page of 20", page, len(res.Products))
		}
		hidden += res.SoldOutHidden
		for _, p := range res.Products {
			if p.SoldOut() || soldOut[p.ID] {
				t.Errorf("page %d shows sold-out product %d", page, p.ID)
			}
			got = append(got, p.ID)
		}
	}
	var want []int64
	for _, p := range all.Products {
		if !soldOut[p.ID] && !p.SoldOut() && len(want) < 40 {
			want = append(want, p.ID)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages 1 and 2 = %v; want the in-stock products in order, %v", got, want)
	}
	if hidden < len(soldOut) {
		t.Errorf("the pages say %d sold-out products were left out; want at least %d", hidden, len(soldOut))
	}
}

func TestProductFromDSHasVariantsAndShipping(t *testing.T) {
	fx := newFixture(t, true)
	ids := fx.sb.SampleProductIDs(20)
	var multi *catalog.Product
	for _, id := range ids {
		p, err := fx.svc.Product(context.Background(), id, catalog.ProductOptions{ShipTo: "US"})
		if err != nil {
			if catalog.ErrorCode(err) == catalog.ENotFound {
				continue
			}
			t.Fatalf("Product(%d) error = %v", id, err)
		}
		if p.Source != catalog.SourceDS {
			t.Errorf("Product(%d).Source = %s; want ds with a DS token", id, p.Source)
		}
		for _, v := range p.Variants {
			if len(v.Values) != len(p.Options) {
				t.Errorf("Product(%d) variant %s has %d values for %d options", id, v.SKUID, len(v.Values), len(p.Options))
			}
		}
		if len(p.Variants) > 1 && len(p.Shipping) > 0 {
			multi = &p
			break
		}
	}
	if multi == nil {
		t.Fatal("no sample product with several variants and shipping to US")
	}
	if multi.AffiliateURL == "" || multi.CommissionRate == 0 {
		t.Errorf("Product(%d) lacks the affiliate data merged in: link %q, commission %v", multi.ID, multi.AffiliateURL, multi.CommissionRate)
	}
	if len(multi.Options) == 0 || len(multi.Options) > 3 {
		t.Errorf("Product(%d) has %d options; want 1 to 3", multi.ID, len(multi.Options))
	}
}

func TestProductWithoutDSIsAffiliateData(t *testing.T) {
	fx := newFixture(t, false)
	id := fx.sb.SampleProductIDs(1)[0]
	p, err := fx.svc.Product(context.Background(), id, catalog.ProductOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != catalog.SourceAffiliate || len(p.Variants) != 1 {
		t.Errorf("Product(%d) = source %s, %d variants; want affiliate data with one variant", id, p.Source, len(p.Variants))
	}
	if fx.calls("aliexpress.ds.product.get") != 0 {
		t.Error("a product without a DS account called ds.product.get")
	}
}

func TestProductNotFound(t *testing.T) {
	for _, ds := range []bool{true, false} {
		fx := newFixture(t, ds)
		_, err := fx.svc.Product(context.Background(), 1005009999999999, catalog.ProductOptions{})
		if catalog.ErrorCode(err) != catalog.ENotFound {
			t.Errorf("Product(unknown) with ds=%v error = %v; want ENotFound", ds, err)
		}
	}
}

func TestStaleWhenAliExpressFails(t *testing.T) {
	fx := newFixture(t, false)
	f := mustFilters(t, "q", "case", "sort", "price_asc")
	first, err := fx.svc.Search(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	fx.clock.Add(10 * time.Minute) // past the 5-minute search TTL
	fx.sb.SetFaults(sandbox.Faults{ErrorRate: 1})
	res, err := fx.svc.Search(context.Background(), f)
	if err != nil {
		t.Fatalf("Search while AliExpress fails = %v; want the last good answer", err)
	}
	if !res.Stale || res.StaleReason == "" {
		t.Errorf("Search while AliExpress fails: Stale = %v (%q); want stale with a reason", res.Stale, res.StaleReason)
	}
	if len(res.Products) != len(first.Products) {
		t.Errorf("stale search has %d products; want the %d saved ones", len(res.Products), len(first.Products))
	}
	// A search never done before has nothing to fall back on: a clear upstream error.
	_, err = fx.svc.Search(context.Background(), mustFilters(t, "q", "lamp"))
	if code := catalog.ErrorCode(err); code != catalog.EUpstream {
		t.Errorf("uncached search while AliExpress fails: code %s (%v); want %s", code, err, catalog.EUpstream)
	}
}

func TestLinks(t *testing.T) {
	fx := newFixture(t, false)
	id := fx.sb.SampleProductIDs(1)[0]
	in := []string{
		fmt.Sprintf("https://www.aliexpress.com/item/%d.html?spm=a2g0o", id),
		fmt.Sprint(id),
		"https://example.com/item/1005001234567890.html",
	}
	links, err := fx.svc.Links(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if links[i].ProductID != id || !strings.HasPrefix(links[i].URL, "https://s.click.aliexpress.com/") {
			t.Errorf("Links(%q) = %+v; want a promotion link for %d", in[i], links[i], id)
		}
	}
	if links[2].URL != "" || links[2].Error == "" {
		t.Errorf("Links(%q) = %+v; want an error saying it is not an AliExpress link", in[2], links[2])
	}
	if got := fx.calls("aliexpress.affiliate.link.generate"); got != 1 {
		t.Errorf("Links made %d link.generate calls; want 1 for all", got)
	}
}

func TestImport(t *testing.T) {
	fx := newFixture(t, true)
	ids := fx.sb.SampleProductIDs(2)
	res := fx.svc.Import(context.Background(), []string{
		fmt.Sprintf("https://www.aliexpress.com/item/%d.html", ids[0]), "", fmt.Sprintf("https://m.aliexpress.com/i/%d.html", ids[1]),
		"not a link", "1005009999999999",
	}, catalog.ProductOptions{ShipTo: "US"})
	if len(res) != 4 {
		t.Fatalf("Import() = %d results; want 4 (blank line skipped)", len(res))
	}
	if res[0].Product == nil || res[1].Product == nil {
		t.Errorf("Import() did not find the two products: %+v", res[:2])
	}
	if res[2].Product != nil || res[2].Code != catalog.EInvalid {
		t.Errorf("Import(not a link) = %+v; want EInvalid", res[2])
	}
	if res[3].Product != nil || res[3].Code != catalog.ENotFound || !strings.Contains(res[3].Error, "1005009999999999") {
		t.Errorf("Import(unknown id) = %+v; want ENotFound naming the id", res[3])
	}
}

func TestHostileProductsPassThroughUnchanged(t *testing.T) {
	fx := newFixture(t, true)
	tok, _ := fx.sb.IssueToken(sandbox.DefaultUserNick)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(fx.sb.URL),
		aliexpress.WithAccessToken(tok), aliexpress.WithClock(fx.clock.Now))
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, id := range fx.sb.HostileProductIDs() {
		want, _, err := c.DS.Product(context.Background(), id, &aliexpress.DSProductOptions{ShipTo: "US", Currency: "USD", Language: "en"})
		if err != nil {
			continue // not sold to the US; the others cover the point
		}
		p, err := fx.svc.Product(context.Background(), id, catalog.ProductOptions{})
		if err != nil {
			t.Fatalf("Product(hostile %d) error = %v", id, err)
		}
		// Escaping is the job of pages and exports: the data must reach them exactly as sent.
		if p.Title != want.Title || p.DescriptionHTML != want.DetailHTML || p.Shop.Name != want.Store.Name {
			t.Errorf("Product(%d) = title %q, shop %q; want %q, %q, byte for byte", id, p.Title, p.Shop.Name, want.Title, want.Store.Name)
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("checked %d hostile products; want most of them", checked)
	}
}

func TestHealth(t *testing.T) {
	fx := newFixture(t, false)
	h := fx.svc.Health(context.Background())
	if !h.OK || !h.Simulated || h.AppKey != sandbox.DefaultAppKey {
		t.Errorf("Health() = %+v; want OK on the simulator", h)
	}
	sb := sandbox.NewServer(sandbox.Options{})
	defer sb.Close()
	c, _ := aliexpress.NewClient(sandbox.DefaultAppKey, "wrong-secret", aliexpress.WithGateway(sb.URL))
	svc := sourcing.NewService(c, cache.New(cache.NewMemoryStore(cache.MemoryOptions{}), cache.Options{}), sourcing.ServiceOptions{})
	h = svc.Health(context.Background())
	if h.OK || h.Code != catalog.EConfig || !strings.Contains(h.Message, "ALIEXPRESS_APP_SECRET") || strings.Contains(h.Message, "wrong-secret") {
		t.Errorf("Health(wrong secret) = %+v; want EConfig naming ALIEXPRESS_APP_SECRET, never the secret", h)
	}
}

func TestProductThatDoesNotShipThereIsNotNotFound(t *testing.T) {
	fx := newFixture(t, false)
	// A simulator product sold from France that does not ship to the United States.
	const id = 1005003566042771
	p, err := fx.svc.Product(context.Background(), id, catalog.ProductOptions{ShipTo: "US"})
	if err != nil {
		t.Fatalf("Product(%d, US) error = %v; want the product with no shipping", id, err)
	}
	if len(p.Shipping) != 0 || p.ShipTo != "US" {
		t.Errorf("Product(%d, US) shipping = %+v to %s; want none to US", id, p.Shipping, p.ShipTo)
	}
}

func TestShippingIsQuotedPerWarehouse(t *testing.T) {
	fx := newFixture(t, true)
	// A simulator product with variants shipping from China and from France; the French
	// warehouse does not serve the United States.
	const id = 1005002943785028
	p, err := fx.svc.Product(context.Background(), id, catalog.ProductOptions{ShipTo: "US"})
	if err != nil {
		t.Fatal(err)
	}
	from := -1
	for i, o := range p.Options {
		if o.Name == "Ships From" {
			from = i
		}
	}
	if from < 0 {
		t.Fatalf("product %d has options %+v; want a Ships From option", id, p.Options)
	}
	var china, france int
	for _, v := range p.Variants {
		ship := p.ShippingFor(&v)
		switch v.Values[from] {
		case "France":
			france++
			if len(ship) != 0 {
				t.Errorf("variant %s ships from France by %+v; want no shipping to the US", v.SKUID, ship)
			}
		case "China":
			china++
			if len(ship) == 0 {
				t.Errorf("variant %s ships from China with no options; want the China quote", v.SKUID)
			}
		}
	}
	if china == 0 || france == 0 {
		t.Fatalf("product %d: %d China and %d France variants; want both", id, china, france)
	}
}

func TestDiscountIsTheSameOnEveryPage(t *testing.T) {
	fx := newFixture(t, true)
	const id = 1005002216730458 // $3.44, was $4.91: 29.94% off
	res, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "phone case", "min_orders", "0", "page_size", "50"))
	if err != nil {
		t.Fatal(err)
	}
	var card *catalog.Product
	for i := range res.Products {
		if res.Products[i].ID == id {
			card = &res.Products[i]
		}
	}
	if card == nil {
		t.Skipf("product %d not on the first search page", id)
	}
	p, err := fx.svc.Product(context.Background(), id, catalog.ProductOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if card.DiscountPercent != p.DiscountPercent {
		t.Errorf("product %d: discount %d%% on the search card, %d%% on the product page; want the same", id, card.DiscountPercent, p.DiscountPercent)
	}
}

func TestSearchMemoIsNotSharedWithCallers(t *testing.T) {
	fx := newFixture(t, false)
	f := mustFilters(t, "q", "case")
	first, err := fx.svc.Search(context.Background(), f)
	if err != nil || len(first.Products) == 0 {
		t.Fatalf("Search = %d products, %v", len(first.Products), err)
	}
	want := first.Products[0].Title
	first.Products[0].Title = "changed by a caller"
	again, err := fx.svc.Search(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if again.Products[0].Title != want {
		t.Errorf("second Search title = %q; want %q (a caller's change must not reach others)", again.Products[0].Title, want)
	}
}

func TestSharedCacheKeepsGatewaysApart(t *testing.T) {
	ch := cache.New(cache.NewMemoryStore(cache.MemoryOptions{}), cache.Options{})
	for _, seed := range []int64{1, 2} {
		sb := sandbox.NewServer(sandbox.Options{Seed: seed})
		defer sb.Close()
		c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL))
		if err != nil {
			t.Fatal(err)
		}
		svc := sourcing.NewService(c, ch, sourcing.ServiceOptions{})
		if _, err := svc.Search(context.Background(), mustFilters(t, "q", "case", "sort", "price_asc", "min_orders", "0")); err != nil {
			t.Fatal(err)
		}
		if sb.CallCount(queryMethod) != 1 {
			t.Errorf("gateway with seed %d got %d product.query calls; want its own answer, not the other gateway's cached one", seed, sb.CallCount(queryMethod))
		}
	}
}
