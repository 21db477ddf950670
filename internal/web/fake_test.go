package web

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2025, 3, 14, 9, 26, 53, 0, time.UTC)

// Hostile texts, as a seller could write them into a title, a store name or an option value.
const (
	hostileScript   = `<script>alert(1)</script>`
	hostileAttr     = `" onmouseover="alert(1)`
	hostileHyperlnk = `=HYPERLINK("http://evil.example","x")`
	hostileSum      = `+SUM(1,2)`
	hostileMinus    = `-2+3`
	hostileAt       = `@SUM(A1)`
	hostileTab      = "\tTabbed title"
	hostileRTL      = "Invoice \u202Egnp.exe"
	hostileEmoji    = "🔥 Hot Sale 🚀 Wireless Earbuds 🎧"
	hostileDesc     = `<p onclick="alert(1)">Great <b>quality</b></p><script>alert("desc")</script>` +
		`<img src="javascript:alert(1)"><img src="//ae01.alicdn.com/kf/desc.jpg" onerror="alert(1)">` +
		`<a href="javascript:alert(1)">bad</a><a href="https://example.com/ok">ok</a>` +
		`<iframe src="https://evil.example"></iframe><style>body{display:none}</style><form action="https://evil.example"><input name=x></form>` +
		`<img src="` + spendingImage + `" alt="pixel">`
	// spendingImage is a description image that, loaded by a visitor's browser, would spend the
	// operator's quota on the visitor's behalf.
	spendingImage = "http://127.0.0.1:8080/api/export?format=json&ids=1005000000000001"
)

// Product IDs of the fake catalog with a special behaviour.
const (
	idHolder      int64 = 1005000000000001 // a normal DS product with variants
	idStrip       int64 = 1005000000000002 // an affiliate-only product
	idNoShip      int64 = 1005000000000003 // ships nowhere
	idStale       int64 = 1005000000000004 // served stale
	idHostileBase int64 = 1005000000000100 // hostile products: 100, 101, ...
	idSoldOut     int64 = 1005000000000005 // every variant sold out; not in searches unless asked
	idWarehouse   int64 = 1005000000000006 // ships from China or France; not in searches
	idMissing     int64 = 1005000000000404 // not listed
	idBroken      int64 = 1005000000000500 // AliExpress fails
)

// hostileTitles are the titles of the hostile products, in ID order from idHostileBase.
var hostileTitles = []string{hostileScript, hostileAttr, hostileHyperlnk, hostileSum, hostileMinus, hostileAt,
	hostileTab, hostileRTL, hostileEmoji, strings.Repeat("Long title ", 91)[:1000], ""}

// fakeCatalog is a deterministic Catalog for the tests. Searches for special words fail the way
// AliExpress can fail: "fail" (upstream), "ratelimit", "config", "panic", "stale" and "nothing".
type fakeCatalog struct {
	mu       sync.Mutex
	products []catalog.Product
	extra    []catalog.Product // found by ID, not by searches
	health   catalog.Health
	imageURL func(n int) string
	searches []catalog.Filters
	spends   int // calls that would cost AliExpress quota: searches, products, shipping, links, imports
}

// raisePrice raises product id's price by amount minor units: new data for the next read.
func (fc *fakeCatalog) raisePrice(id, amount int64) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	for i := range fc.products {
		if fc.products[i].ID == id {
			fc.products[i].Price.Amount += amount
		}
	}
}

// spent returns how many calls so far would have cost AliExpress quota.
func (fc *fakeCatalog) spent() int {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.spends
}

func (fc *fakeCatalog) spend(n int) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.spends += n
}

func usd(cents int64) catalog.Money { return catalog.Money{Amount: cents, Currency: "USD"} }

func newFakeCatalog(imageURL func(n int) string) *fakeCatalog {
	if imageURL == nil {
		imageURL = func(n int) string { return fmt.Sprintf("https://ae01.alicdn.com/kf/S%d.jpg", n) }
	}
	fc := &fakeCatalog{imageURL: imageURL, health: catalog.Health{Simulated: true, Gateway: "http://127.0.0.1:9/sandbox",
		AppKey: "sandbox-key", OK: true, CheckedAt: testNow}}
	free := catalog.ShippingOption{Code: "CAINIAO_STANDARD", Company: "AliExpress Standard Shipping", Fee: usd(0), Free: true, MinDays: 7, MaxDays: 15, Tracking: true, ShipFrom: "CN"}
	express := catalog.ShippingOption{Code: "DHL", Company: "DHL", Fee: usd(1299), MinDays: 3, MaxDays: 6, Tracking: true, ShipFrom: "CN"}
	paid := catalog.ShippingOption{Code: "CAINIAO_ECONOMY", Company: "Cainiao Saver", Fee: usd(299), MinDays: 12, MaxDays: 25, ShipFrom: "CN"}
	holder := catalog.Product{
		ID: idHolder, Title: "Magnetic Phone Holder for Car, 360° Rotation",
		URL: "https://www.aliexpress.com/item/1005000000000001.html", AffiliateURL: "https://s.click.aliexpress.com/e/_holder",
		Images:          []string{imageURL(1), imageURL(2), "javascript:alert(1)", imageURL(3)},
		DescriptionHTML: hostileDesc,
		Category:        catalog.Category{ID: 201, Name: "Phone Holders", ParentID: 200},
		Shop:            catalog.Shop{ID: 9001, Name: "Best Gadgets Store", URL: "https://bestgadgets.aliexpress.com", Country: "CN", ItemAsDescribed: 4.8, Communication: 4.7, ShippingSpeed: 4.6},
		Price:           usd(499), OriginalPrice: usd(999), DiscountPercent: 50, Rating: 4.7, PositiveRate: 96.5, Reviews: 3120,
		Orders30d: 12345, CommissionRate: 7, HotCommissionRate: 9,
		Options: []catalog.Option{{Name: "Color", Values: []string{"Black", "Silver", "Red " + hostileScript}}},
		Variants: []catalog.Variant{
			{SKUID: "h-black", Attr: "14:193", Values: []string{"Black"}, Price: usd(499), ListPrice: usd(999), Stock: 120, Image: imageURL(4)},
			{SKUID: "h-silver", Attr: "14:175", Values: []string{"Silver"}, Price: usd(549), ListPrice: usd(1099), Stock: 0, Image: imageURL(5)},
			{SKUID: "h-red", Attr: "14:10", Values: []string{"Red " + hostileScript}, Price: usd(599), ListPrice: usd(1199), Stock: -1, Image: "data:image/png;base64,AAAA", ImportCharge: usd(60)},
		},
		ShipTo: "US", Shipping: []catalog.ShippingOption{free, express}, ShipFrom: "CN", WeightGrams: 120,
		Source: catalog.SourceDS, FetchedAt: testNow,
	}
	strip := catalog.Product{
		ID: idStrip, Title: "LED Strip Lights 5m RGB with Remote",
		URL: "https://www.aliexpress.com/item/1005000000000002.html", AffiliateURL: "javascript:alert(1)",
		Images: []string{imageURL(6)}, Shop: catalog.Shop{Name: "Light World"},
		Price: usd(1250), OriginalPrice: usd(1250), Rating: 4.5, Orders30d: 980, CommissionRate: 5.5,
		Variants: []catalog.Variant{{SKUID: "s-1", Price: usd(1250), ListPrice: usd(1250), Stock: -1}},
		ShipTo:   "US", Shipping: []catalog.ShippingOption{paid}, Source: catalog.SourceAffiliate, FetchedAt: testNow,
	}
	noShip := catalog.Product{
		ID: idNoShip, Title: "Garden Hose Nozzle", URL: "https://www.aliexpress.com/item/1005000000000003.html",
		Images: []string{imageURL(7)}, Price: usd(300), OriginalPrice: usd(400), DiscountPercent: 25, Rating: 4.1,
		Orders30d: 1200000, CommissionRate: 3,
		Variants: []catalog.Variant{{SKUID: "n-1", Price: usd(300), ListPrice: usd(400), Stock: 5}},
		ShipTo:   "US", Source: catalog.SourceDS, FetchedAt: testNow,
	}
	stale := catalog.Product{
		ID: idStale, Title: "Pet Hair Remover Roller", URL: "https://www.aliexpress.com/item/1005000000000004.html",
		Images: []string{imageURL(8)}, Price: usd(799), OriginalPrice: usd(1599), DiscountPercent: 50, Rating: 4.9,
		Orders30d: 45000, CommissionRate: 8,
		Variants: []catalog.Variant{{SKUID: "p-1", Price: usd(799), ListPrice: usd(1599), Stock: 300}},
		ShipTo:   "US", Shipping: []catalog.ShippingOption{free}, Source: catalog.SourceDS, FetchedAt: testNow.Add(-3 * time.Hour), Stale: true,
	}
	fc.products = []catalog.Product{holder, strip, noShip, stale}
	soldOut := catalog.Product{
		ID: idSoldOut, Title: "Posture Corrector", URL: "https://www.aliexpress.com/item/1005000000000005.html",
		Images: []string{imageURL(9)}, Price: usd(650), OriginalPrice: usd(900), DiscountPercent: 28, PositiveRate: 92,
		Orders30d: 3000, CommissionRate: 6,
		Options: []catalog.Option{{Name: "Size", Values: []string{"M", "L"}}},
		Variants: []catalog.Variant{
			{SKUID: "so-m", Values: []string{"M"}, Price: usd(650), ListPrice: usd(900), Stock: 0},
			{SKUID: "so-l", Values: []string{"L"}, Price: usd(700), ListPrice: usd(950), Stock: 0},
		},
		ShipTo: "US", Shipping: []catalog.ShippingOption{free}, Source: catalog.SourceDS, FetchedAt: testNow,
	}
	cn := []catalog.ShippingOption{{Code: "CAINIAO_STANDARD", Company: "AliExpress Standard Shipping", Fee: usd(150), MinDays: 10, MaxDays: 20, Tracking: true, ShipFrom: "CN"}}
	fr := []catalog.ShippingOption{{Code: "COLISSIMO", Company: "Colissimo", Fee: usd(450), MinDays: 3, MaxDays: 5, Tracking: true, ShipFrom: "FR"}}
	warehouse := catalog.Product{
		ID: idWarehouse, Title: "Car Vacuum Cleaner", URL: "https://www.aliexpress.com/item/1005000000000006.html",
		Images: []string{imageURL(21)}, Price: usd(1500), OriginalPrice: usd(2000), DiscountPercent: 25, PositiveRate: 94,
		Orders30d: 800, CommissionRate: 5,
		Options: []catalog.Option{{Name: "Color", Values: []string{"Black", "White"}}, {Name: "Ships From", Values: []string{"China", "France"}}},
		Variants: []catalog.Variant{
			{SKUID: "v-b-cn", Values: []string{"Black", "China"}, Price: usd(1500), ListPrice: usd(2000), Stock: 40, Shipping: cn},
			{SKUID: "v-w-cn", Values: []string{"White", "China"}, Price: usd(1500), ListPrice: usd(2000), Stock: 0, Shipping: cn},
			{SKUID: "v-b-fr", Values: []string{"Black", "France"}, Price: usd(1900), ListPrice: usd(2400), Stock: 12, Shipping: fr},
		},
		ShipTo: "US", Shipping: cn, ShipFrom: "CN", Source: catalog.SourceDS, FetchedAt: testNow,
	}
	fc.extra = []catalog.Product{soldOut, warehouse}
	for i, title := range hostileTitles {
		id := idHostileBase + int64(i)
		fc.products = append(fc.products, catalog.Product{
			ID: id, Title: title, URL: fmt.Sprintf("https://www.aliexpress.com/item/%d.html", id),
			Images: []string{imageURL(10 + i)}, DescriptionHTML: hostileDesc,
			Shop:    catalog.Shop{Name: title},
			Options: []catalog.Option{{Name: hostileAttr, Values: []string{title}}},
			Price:   usd(100 + int64(i)*37), OriginalPrice: usd(300 + int64(i)*37), DiscountPercent: 40, Rating: 4.2,
			Orders30d: 50 + i*10, CommissionRate: 4,
			Variants: []catalog.Variant{{SKUID: fmt.Sprintf("x-%d", i), Values: []string{title}, Price: usd(100 + int64(i)*37), ListPrice: usd(300 + int64(i)*37), Stock: 10}},
			ShipTo:   "US", Shipping: []catalog.ShippingOption{paid}, Source: catalog.SourceDS, FetchedAt: testNow,
		})
	}
	return fc
}

func (fc *fakeCatalog) find(id int64) (catalog.Product, bool) {
	for _, p := range append(slices.Clone(fc.products), fc.extra...) {
		if p.ID == id {
			return p, true
		}
	}
	return catalog.Product{}, false
}

func (fc *fakeCatalog) setHealth(h catalog.Health) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	fc.health = h
}

func (fc *fakeCatalog) Search(ctx context.Context, f catalog.Filters) (catalog.SearchResult, error) {
	fc.mu.Lock()
	fc.searches = append(fc.searches, f)
	fc.spends++
	fc.mu.Unlock()
	q := f.Query
	if q == "lazy" {
		f.Query = "" // every product, its shipping left pending below
	}
	switch f.Query {
	case "fail":
		return catalog.SearchResult{}, &catalog.Error{Code: catalog.EUpstream, Message: "AliExpress answered HTTP 503"}
	case "ratelimit":
		return catalog.SearchResult{}, &catalog.Error{Code: catalog.ERateLimited, Message: "throttled", RetryAfter: 7 * time.Second}
	case "config":
		return catalog.SearchResult{}, &catalog.Error{Code: catalog.EConfig, Message: "app key not recognised"}
	case "panic":
		panic("fake catalog: boom")
	case "internal":
		return catalog.SearchResult{}, fmt.Errorf("database on fire: secret=hunter2")
	case "nothing":
		return catalog.SearchResult{Page: f.Page, PageSize: f.PageSize}, nil
	case "hang": // AliExpress never answers: the catalog gives up when the request's time ends
		<-ctx.Done()
		return catalog.SearchResult{}, &catalog.Error{Code: catalog.EUpstream, Reason: "timeout",
			Message: "AliExpress took too long to answer: try again in a moment", Err: ctx.Err()}
	}
	var all []catalog.Product
	products := fc.products
	soldOutHidden := 0
	if f.Query == "soldout" {
		if f.InStock {
			soldOutHidden = 1
		} else {
			products = append(slices.Clone(products), fc.extra[0])
		}
	}
	for _, p := range products {
		if f.FreeShipping && !p.FreeShipping() {
			continue
		}
		if f.MinOrders > 0 && p.Orders30d < f.MinOrders {
			continue
		}
		if f.InStock && p.SoldOut() {
			continue
		}
		p.ShipTo = f.ShipTo
		all = append(all, p)
	}
	switch f.Sort {
	case catalog.SortOrdersDesc, catalog.SortOrdersAsc:
		slices.SortStableFunc(all, func(a, b catalog.Product) int {
			if f.Sort == catalog.SortOrdersAsc {
				return a.Orders30d - b.Orders30d
			}
			return b.Orders30d - a.Orders30d
		})
	case catalog.SortPriceAsc, catalog.SortPriceDesc:
		slices.SortStableFunc(all, func(a, b catalog.Product) int {
			if f.Sort == catalog.SortPriceAsc {
				return int(a.Price.Amount - b.Price.Amount)
			}
			return int(b.Price.Amount - a.Price.Amount)
		})
	}
	res := catalog.SearchResult{Total: len(all), Page: f.Page, PageSize: f.PageSize, TotalIsEstimate: f.MinRating > 0, SoldOutHidden: soldOutHidden}
	res.LastPage = max((len(all)+f.PageSize-1)/f.PageSize, 1)
	res.Served = len(all)
	if f.Page > res.LastPage {
		res.Page, res.PastEnd = res.LastPage, true
	}
	res.More = res.Page < res.LastPage
	start := (res.Page - 1) * f.PageSize
	if start < len(all) {
		res.Products = all[start:min(start+f.PageSize, len(all))]
	}
	if f.Query == "stale" {
		res.Stale, res.StaleReason = true, "AliExpress answered HTTP 503"
	}
	if q == "lazy" { // shipping left for the page to fetch
		res.Products = slices.Clone(res.Products)
		for i := range res.Products {
			res.Products[i].Shipping, res.Products[i].ShippingPending = nil, true
		}
	}
	if f.Query == "slowship" { // shipping could not be had in time
		res.Products = slices.Clone(res.Products)
		for i := range res.Products {
			res.Products[i].Shipping, res.Products[i].ShippingUnknown = nil, true
		}
	}
	return res, nil
}

func (fc *fakeCatalog) Products(ctx context.Context, ids []int64, o catalog.ProductOptions) []catalog.Found {
	out := make([]catalog.Found, len(ids))
	for i, id := range ids {
		p, err := fc.Product(ctx, id, o)
		out[i] = catalog.Found{ID: id, Product: p, Err: err}
	}
	return out
}

func (fc *fakeCatalog) Product(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.Product, error) {
	fc.spend(1)
	return fc.product(id, o)
}

func (fc *fakeCatalog) product(id int64, o catalog.ProductOptions) (catalog.Product, error) {
	switch id {
	case idMissing:
		return catalog.Product{}, &catalog.Error{Code: catalog.ENotFound, Message: "item not found"}
	case idBroken:
		return catalog.Product{}, &catalog.Error{Code: catalog.EUpstream, Message: "AliExpress answered HTTP 502"}
	}
	p, ok := fc.find(id)
	if !ok {
		return catalog.Product{}, &catalog.Error{Code: catalog.ENotFound, Message: "item not found"}
	}
	p.ShipTo = o.ShipTo
	if o.ShipTo == "AQ" {
		p.Shipping = nil
	}
	return p, nil
}

func (fc *fakeCatalog) Shipping(ctx context.Context, id int64, o catalog.ProductOptions) (catalog.ShippingQuote, error) {
	fc.spend(1)
	p, err := fc.product(id, o)
	if err != nil {
		return catalog.ShippingQuote{}, err
	}
	if len(p.Shipping) == 0 {
		return catalog.ShippingQuote{}, &catalog.Error{Code: catalog.ENotShipped, Message: "does not ship to " + o.ShipTo}
	}
	return catalog.ShippingQuote{ProductID: id, ShipTo: o.ShipTo, Options: p.Shipping, Source: p.Source, Stale: p.Stale, FetchedAt: p.FetchedAt}, nil
}

func (fc *fakeCatalog) Categories(ctx context.Context, language string) ([]catalog.Category, error) {
	return []catalog.Category{
		{ID: 200, Name: "Phones & Telecommunications"},
		{ID: 201, Name: "Phone Holders", ParentID: 200},
		{ID: 202, Name: "Cables " + hostileScript, ParentID: 200},
		{ID: 300, Name: "Home & Garden"},
		{ID: 301, Name: "Lighting", ParentID: 300},
	}, nil
}

func (fc *fakeCatalog) Links(ctx context.Context, sources []string) ([]catalog.Link, error) {
	fc.spend(1)
	var out []catalog.Link
	for _, s := range sources {
		id, err := aliexpress.ParseProductID(s)
		if err != nil {
			out = append(out, catalog.Link{Source: s, Error: "not an AliExpress product link"})
			continue
		}
		out = append(out, catalog.Link{Source: s, ProductID: id, URL: fmt.Sprintf("https://s.click.aliexpress.com/e/_%d", id)})
	}
	return out, nil
}

func (fc *fakeCatalog) Import(ctx context.Context, inputs []string, o catalog.ProductOptions) []catalog.ImportResult {
	var out []catalog.ImportResult
	for _, in := range inputs {
		id, err := aliexpress.ParseProductID(in)
		if err != nil {
			out = append(out, catalog.ImportResult{Input: in, Error: "not an AliExpress product link or ID", Code: catalog.EInvalid})
			continue
		}
		p, err := fc.Product(ctx, id, o)
		if err != nil {
			out = append(out, catalog.ImportResult{Input: in, Error: "not (or no longer) listed on AliExpress", Code: catalog.ErrorCode(err)})
			continue
		}
		out = append(out, catalog.ImportResult{Input: in, Product: &p})
	}
	return out
}

func (fc *fakeCatalog) Health(ctx context.Context) catalog.Health {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	return fc.health
}
