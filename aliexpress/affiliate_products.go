package aliexpress

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"strings"
	"time"
)

// ProductQuery is a product search for QueryProducts and HotProducts. The zero value searches
// everything with the platform's defaults.
type ProductQuery struct {
	Keywords    string
	CategoryIDs []int64 // any of these categories, top-level or second-level

	// MinSalePrice and MaxSalePrice filter by sale price; zero means no bound. The platform reads them
	// in minor units (cents) of the query's currency: TargetCurrency, or USD when that is empty. A
	// bound in another currency is refused rather than converted at a guessed rate.
	MinSalePrice Money
	MaxSalePrice Money

	PageNo   int // 1-based; 0 is the first page
	PageSize int // 1 to 50; 0 is the platform's default

	PlatformProductType PlatformProductType
	Sort                ProductSort
	TargetCurrency      string // e.g. "EUR"; prices named Target* come in it
	TargetLanguage      string // e.g. "EN"; titles come in it
	// TrackingID makes the products carry promotion links; empty uses the client's (WithTrackingID).
	TrackingID    string
	ShipToCountry string // only products that ship there, with that country's taxes
	DeliveryDays  int    // only products delivered within 3, 5, 7 or 10 days; 0 = any
	PromotionName string
	Fields        []string // response fields to return; empty = all
}

// params checks q and turns it into the method's parameters. hot allows the DISCOUNT_* sorts,
// which only hotproduct.query documents.
func (q *ProductQuery) params(c *Client, method string, hot bool) (affParams, error) {
	if q == nil {
		q = &ProductQuery{}
	}
	p := affParams{}
	p.set("keywords", strings.TrimSpace(q.Keywords))
	if len(q.CategoryIDs) > 0 {
		for _, id := range q.CategoryIDs {
			if id <= 0 {
				return nil, affInvalid(method, "CategoryIDs (category_ids): %d is not a category ID", id)
			}
		}
		p.set("category_ids", affJoinIDs(q.CategoryIDs))
	}
	if err := affPaging(method, p, q.PageNo, q.PageSize, affMaxPageSize); err != nil {
		return nil, err
	}
	pt, err := affPlatformType(method, q.PlatformProductType)
	if err != nil {
		return nil, err
	}
	p.set("platform_product_type", pt)
	switch q.Sort {
	case "", SortSalePriceAsc, SortSalePriceDesc, SortLastVolumeAsc, SortLastVolumeDesc:
	case SortDiscountAsc, SortDiscountDesc:
		if !hot {
			return nil, affInvalid(method, "Sort (sort): %s is accepted by hotproduct.query only", q.Sort)
		}
	default:
		return nil, affInvalid(method, "Sort (sort): %q is not a known sort order", string(q.Sort))
	}
	p.set("sort", string(q.Sort))
	switch q.DeliveryDays {
	case 0, 3, 5, 7, 10:
		p.setInt("delivery_days", int64(q.DeliveryDays))
	default:
		return nil, affInvalid(method, "DeliveryDays (delivery_days): %d is not 3, 5, 7 or 10", q.DeliveryDays)
	}
	p.set("promotion_name", strings.TrimSpace(q.PromotionName))
	common := affCommon{fields: q.Fields, targetCurrency: q.TargetCurrency, targetLanguage: q.TargetLanguage,
		trackingID: q.TrackingID, country: q.ShipToCountry, countryParam: "ship_to_country"}
	if err := common.put(c, method, p); err != nil {
		return nil, err
	}
	cur := p["target_currency"]
	if cur == "" {
		cur = "USD"
	}
	minP, err := affPriceBound(method, "MinSalePrice (min_sale_price)", q.MinSalePrice, cur)
	if err != nil {
		return nil, err
	}
	maxP, err := affPriceBound(method, "MaxSalePrice (max_sale_price)", q.MaxSalePrice, cur)
	if err != nil {
		return nil, err
	}
	if minP > 0 && maxP > 0 && minP > maxP {
		return nil, affInvalid(method, "MinSalePrice %s is above MaxSalePrice %s", q.MinSalePrice, q.MaxSalePrice)
	}
	p.setInt("min_sale_price", minP)
	p.setInt("max_sale_price", maxP)
	return p, nil
}

// affPriceBound returns a price filter in minor units of cur.
func affPriceBound(method, field string, m Money, cur string) (int64, error) {
	if m.Amount < 0 {
		return 0, affInvalid(method, "%s: %s is negative", field, m)
	}
	if m.Amount > 0 && m.Currency != "" && !strings.EqualFold(m.Currency, cur) {
		return 0, affInvalid(method, "%s: %s is not in the query's currency %s", field, m, cur)
	}
	return m.Amount, nil
}

// QueryProducts searches products with aliexpress.affiliate.product.query. When nothing matches
// (the platform's resp_code 405, or no records) it returns an empty page and no error, so callers
// can range over page.Products without a special case.
func (s *AffiliateService) QueryProducts(ctx context.Context, q *ProductQuery) (*ProductPage, *Response, error) {
	p, err := q.params(s.client, affMethodProductQuery, false)
	if err != nil {
		return nil, &Response{Method: affMethodProductQuery}, err
	}
	return s.productPage(ctx, affMethodProductQuery, p)
}

// QueryProductsAll iterates over every product QueryProducts finds, page after page from q.PageNo,
// calling aliexpress.affiliate.product.query once per page. It stops after the last page, on the
// first error (which it yields once) and when the loop stops; it never fetches more than 1,000 pages.
func (s *AffiliateService) QueryProductsAll(ctx context.Context, q *ProductQuery) iter.Seq2[Product, error] {
	return s.productsAll(ctx, q, s.QueryProducts)
}

// HotProducts searches the high-commission products with aliexpress.affiliate.hotproduct.query. It
// takes the same query as QueryProducts (and also the DISCOUNT_* sorts) and, like it, answers an
// empty page when nothing matches.
func (s *AffiliateService) HotProducts(ctx context.Context, q *ProductQuery) (*ProductPage, *Response, error) {
	p, err := q.params(s.client, affMethodHotProductQuery, true)
	if err != nil {
		return nil, &Response{Method: affMethodHotProductQuery}, err
	}
	return s.productPage(ctx, affMethodHotProductQuery, p)
}

// HotProductsAll iterates over every product HotProducts finds, calling
// aliexpress.affiliate.hotproduct.query once per page; it stops as QueryProductsAll does.
func (s *AffiliateService) HotProductsAll(ctx context.Context, q *ProductQuery) iter.Seq2[Product, error] {
	return s.productsAll(ctx, q, s.HotProducts)
}

func (s *AffiliateService) productsAll(ctx context.Context, q *ProductQuery,
	fetch func(context.Context, *ProductQuery) (*ProductPage, *Response, error)) iter.Seq2[Product, error] {
	return affProductPages(ctx, q, func(q *ProductQuery) (*int, int) { return &q.PageNo, q.PageSize }, fetch)
}

// affProductPages iterates over every product of a paged product method from the page q asks for,
// on a copy of q whose page number it moves; paging says where that number and the page size are.
func affProductPages[Q any](ctx context.Context, q *Q, paging func(*Q) (page *int, size int),
	fetch func(context.Context, *Q) (*ProductPage, *Response, error)) iter.Seq2[Product, error] {
	var qc Q
	if q != nil {
		qc = *q
	}
	page, size := paging(&qc)
	return affPages(*page, size, func(n int) ([]Product, affPageInfo, error) {
		*page = n
		pg, _, err := fetch(ctx, &qc)
		if err != nil {
			return nil, affPageInfo{}, err
		}
		items, info := affProductItems(pg)
		return items, info, nil
	})
}

// ProductDetailsOptions tune ProductDetails.
type ProductDetailsOptions struct {
	Fields         []string // response fields to return; empty = all
	TargetCurrency string
	TargetLanguage string
	// TrackingID makes the products carry promotion links; empty uses the client's.
	TrackingID string
	Country    string // ship-to country: prices and availability for it
	// BatchSize is how many IDs go into one call (default DefaultProductDetailsBatchSize). The
	// platform's maximum is not published.
	BatchSize int
}

// ProductDetails returns the products with the given IDs, calling
// aliexpress.affiliate.productdetail.get once per batch of IDs (see ProductDetailsOptions.BatchSize),
// one batch after another. Products come back in the order of ids, once each; IDs the platform does
// not know (or no longer lists) are left out rather than reported as an error, so compare lengths to
// find them. The Response adds up the attempts of every call and keeps the last request ID. On an
// error no products are returned.
func (s *AffiliateService) ProductDetails(ctx context.Context, ids []int64, opts *ProductDetailsOptions) ([]Product, *Response, error) {
	const m = affMethodProductDetail
	total := &Response{Method: m}
	if opts == nil {
		opts = &ProductDetailsOptions{}
	}
	size := opts.BatchSize
	if size == 0 {
		size = DefaultProductDetailsBatchSize
	}
	if size < 0 {
		return nil, total, affInvalid(m, "BatchSize %d is negative", size)
	}
	want := make([]int64, 0, len(ids))
	seen := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if id <= 0 {
			return nil, total, affInvalid(m, "product_ids: %d is not a product ID", id)
		}
		if !seen[id] {
			seen[id] = true
			want = append(want, id)
		}
	}
	base := affParams{}
	common := affCommon{fields: opts.Fields, targetCurrency: opts.TargetCurrency, targetLanguage: opts.TargetLanguage,
		trackingID: opts.TrackingID, country: opts.Country, countryParam: "country"}
	if err := common.put(s.client, m, base); err != nil {
		return nil, total, err
	}
	found := make(map[int64]Product, len(want))
	for _, batch := range affBatches(want, size) {
		p := make(affParams, len(base)+1)
		for k, v := range base {
			p[k] = v
		}
		p["product_ids"] = affJoinIDs(batch)
		page, resp, err := s.productPage(ctx, m, p)
		affMergeResponse(total, resp)
		if err != nil {
			return nil, total, err
		}
		for _, pr := range page.Products {
			if seen[pr.ID] {
				if _, dup := found[pr.ID]; !dup {
					found[pr.ID] = pr
				}
			}
		}
	}
	out := make([]Product, 0, len(found))
	for _, id := range want {
		if pr, ok := found[id]; ok {
			out = append(out, pr)
		}
	}
	return out, total, nil
}

// Category is a node of the affiliate category tree.
type Category struct {
	ID       int64
	Name     string
	ParentID int64 // 0 for a top-level category
}

type affCategoryWire struct {
	CategoryID       flexInt  `json:"category_id"`
	CategoryName     flexText `json:"category_name"`
	ParentCategoryID flexInt  `json:"parent_category_id"`
}

// Categories returns the whole category tree, parents and children, with
// aliexpress.affiliate.category.get.
func (s *AffiliateService) Categories(ctx context.Context) ([]Category, *Response, error) {
	const m = affMethodCategoryGet
	x, err := s.client.do(ctx, &request{method: m, params: map[string]string{}, idempotent: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w struct {
		Categories list[affCategoryWire] `json:"categories"`
	}
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	out := make([]Category, 0, w.Categories.len())
	for i, cw := range w.Categories.all() {
		if err := x.need(cw.CategoryID.bad, func() string {
			return joinPath(indexPath(joinPath(path, "categories"), w.Categories.index(i)), "category_id")
		}); err != nil {
			return nil, x.resp, err
		}
		out = append(out, Category{ID: cw.CategoryID.v, Name: cw.CategoryName.s, ParentID: cw.ParentCategoryID.v})
	}
	return out, x.resp, nil
}

// SmartMatchQuery asks for products matched to a device, a user or a product. The platform wants a
// DeviceID, or else Keywords or a ProductID.
type SmartMatchQuery struct {
	DeviceID  string // the device's advertising ID (adid / idfa)
	App       string
	Device    string
	Site      string
	User      string
	Keywords  string
	ProductID int64
	PageNo    int
	Country   string // ship-to country

	Fields         []string
	TargetCurrency string
	TargetLanguage string
	TrackingID     string // empty uses the client's
}

// SmartMatch returns products recommended for a device, user or product with
// aliexpress.affiliate.product.smartmatch. Like QueryProducts it answers an empty page when nothing
// matches.
func (s *AffiliateService) SmartMatch(ctx context.Context, q *SmartMatchQuery) (*ProductPage, *Response, error) {
	const m = affMethodSmartMatch
	if q == nil {
		q = &SmartMatchQuery{}
	}
	if strings.TrimSpace(q.DeviceID) == "" && strings.TrimSpace(q.Keywords) == "" && q.ProductID == 0 {
		return nil, &Response{Method: m}, affInvalid(m, "DeviceID (device_id) is required unless Keywords or ProductID is given")
	}
	if q.ProductID < 0 {
		return nil, &Response{Method: m}, affInvalid(m, "ProductID (product_id): %d is not a product ID", q.ProductID)
	}
	p := affParams{}
	p.set("device_id", strings.TrimSpace(q.DeviceID))
	p.set("app", q.App)
	p.set("device", q.Device)
	p.set("site", q.Site)
	p.set("user", q.User)
	p.set("keywords", strings.TrimSpace(q.Keywords))
	p.setInt("product_id", q.ProductID)
	if err := affPaging(m, p, q.PageNo, 0, 0); err != nil {
		return nil, &Response{Method: m}, err
	}
	common := affCommon{fields: q.Fields, targetCurrency: q.TargetCurrency, targetLanguage: q.TargetLanguage,
		trackingID: q.TrackingID, country: q.Country, countryParam: "country"}
	if err := common.put(s.client, m, p); err != nil {
		return nil, &Response{Method: m}, err
	}
	return s.productPage(ctx, m, p)
}

// Promo is a featured promotion: a themed collection of products.
type Promo struct {
	Name         string // promo_name; pass it to FeaturedPromoProducts
	Description  string // promo_desc
	ProductCount int    // product_num
}

type affPromoListWire struct {
	PromoName  flexText  `json:"promo_name"`
	PromoDesc  flexText  `json:"promo_desc"`
	ProductNum flexCount `json:"product_num"`
}

// FeaturedPromos lists the featured promotions with aliexpress.affiliate.featuredpromo.get.
func (s *AffiliateService) FeaturedPromos(ctx context.Context) ([]Promo, *Response, error) {
	const m = affMethodFeaturedPromo
	x, err := s.client.do(ctx, &request{method: m, params: map[string]string{}, idempotent: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w struct {
		Promos list[affPromoListWire] `json:"promos"`
	}
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	out := make([]Promo, 0, w.Promos.len())
	for _, pw := range w.Promos.all() {
		out = append(out, Promo{Name: pw.PromoName.s, Description: pw.PromoDesc.s, ProductCount: int(pw.ProductNum.v)})
	}
	return out, x.resp, nil
}

// PromoSort orders featuredpromo.products.get results.
type PromoSort string

// The featured-promo sort orders.
const (
	PromoSortCommissionAsc    PromoSort = "commissionAsc"
	PromoSortCommissionDesc   PromoSort = "commissionDesc"
	PromoSortPriceAsc         PromoSort = "priceAsc"
	PromoSortPriceDesc        PromoSort = "priceDesc"
	PromoSortVolumeAsc        PromoSort = "volumeAsc"
	PromoSortVolumeDesc       PromoSort = "volumeDesc"
	PromoSortDiscountAsc      PromoSort = "discountAsc"
	PromoSortDiscountDesc     PromoSort = "discountDesc"
	PromoSortRatingAsc        PromoSort = "ratingAsc"
	PromoSortRatingDesc       PromoSort = "ratingDesc"
	PromoSortPromotionTimeAsc PromoSort = "promotionTimeAsc"
	PromoSortPromotionTimeDsc PromoSort = "promotionTimeDesc"
)

// The fixed promotion themes of featuredpromo.products.get; FeaturedPromos lists the others.
const (
	PromoHotProduct  = "Hot Product"
	PromoNewArrival  = "New Arrival"
	PromoBestSeller  = "Best Seller"
	PromoWeeklyDeals = "weeklydeals"
)

// PromoProductQuery selects the products of a featured promotion.
type PromoProductQuery struct {
	PromotionName string // required: a theme such as PromoHotProduct, or a Promo's Name
	CategoryID    int64
	// PromotionStartTime and PromotionEndTime bound the promotion period; they are sent in PST.
	PromotionStartTime time.Time
	PromotionEndTime   time.Time
	Sort               PromoSort
	PageNo             int
	PageSize           int    // 1 to 50; 0 is the platform's default
	Country            string // ship-to country

	Fields         []string
	TargetCurrency string
	TargetLanguage string
	TrackingID     string // empty uses the client's
}

func (q *PromoProductQuery) params(c *Client, m string) (affParams, error) {
	if q == nil {
		q = &PromoProductQuery{}
	}
	p := affParams{}
	name := strings.TrimSpace(q.PromotionName)
	if name == "" {
		return nil, affInvalid(m, "PromotionName (promotion_name) is required")
	}
	p.set("promotion_name", name)
	if q.CategoryID < 0 {
		return nil, affInvalid(m, "CategoryID (category_id): %d is not a category ID", q.CategoryID)
	}
	p.setInt("category_id", q.CategoryID)
	if !q.PromotionStartTime.IsZero() && !q.PromotionEndTime.IsZero() && q.PromotionEndTime.Before(q.PromotionStartTime) {
		return nil, affInvalid(m, "PromotionEndTime (promotion_end_time) is before PromotionStartTime")
	}
	p.set("promotion_start_time", affTime(q.PromotionStartTime))
	p.set("promotion_end_time", affTime(q.PromotionEndTime))
	switch q.Sort {
	case "", PromoSortCommissionAsc, PromoSortCommissionDesc, PromoSortPriceAsc, PromoSortPriceDesc,
		PromoSortVolumeAsc, PromoSortVolumeDesc, PromoSortDiscountAsc, PromoSortDiscountDesc,
		PromoSortRatingAsc, PromoSortRatingDesc, PromoSortPromotionTimeAsc, PromoSortPromotionTimeDsc:
		p.set("sort", string(q.Sort))
	default:
		return nil, affInvalid(m, "Sort (sort): %q is not a known featured-promo sort order", string(q.Sort))
	}
	if err := affPaging(m, p, q.PageNo, q.PageSize, affMaxPageSize); err != nil {
		return nil, err
	}
	common := affCommon{fields: q.Fields, targetCurrency: q.TargetCurrency, targetLanguage: q.TargetLanguage,
		trackingID: q.TrackingID, country: q.Country, countryParam: "country"}
	if err := common.put(c, m, p); err != nil {
		return nil, err
	}
	return p, nil
}

// FeaturedPromoProducts returns one page of a featured promotion's products with
// aliexpress.affiliate.featuredpromo.products.get; page.Finished says whether more follow. An empty
// promotion is an empty page.
func (s *AffiliateService) FeaturedPromoProducts(ctx context.Context, q *PromoProductQuery) (*ProductPage, *Response, error) {
	const m = affMethodFeaturedProducts
	p, err := q.params(s.client, m)
	if err != nil {
		return nil, &Response{Method: m}, err
	}
	return s.productPage(ctx, m, p)
}

// FeaturedPromoProductsAll iterates over all of a featured promotion's products, calling
// aliexpress.affiliate.featuredpromo.products.get once per page; it stops as QueryProductsAll does
// and also when the platform says is_finished.
func (s *AffiliateService) FeaturedPromoProductsAll(ctx context.Context, q *PromoProductQuery) iter.Seq2[Product, error] {
	return affProductPages(ctx, q, func(q *PromoProductQuery) (*int, int) { return &q.PageNo, q.PageSize }, s.FeaturedPromoProducts)
}

// HotProductDownloadQuery selects a category's hot products for DownloadHotProducts.
type HotProductDownloadQuery struct {
	CategoryID int64 // required
	LocaleSite LocaleSite
	PageNo     int
	PageSize   int
	Country    string // ship-to country

	Fields         []string
	TargetCurrency string
	TargetLanguage string
	TrackingID     string // empty uses the client's
}

// DownloadHotProducts returns one page of a category's hot products with
// aliexpress.affiliate.hotproduct.download, the bulk feed meant for filling a catalog. A category
// without hot products is an empty page.
func (s *AffiliateService) DownloadHotProducts(ctx context.Context, q *HotProductDownloadQuery) (*ProductPage, *Response, error) {
	const m = affMethodHotProductDownload
	if q == nil {
		q = &HotProductDownloadQuery{}
	}
	if q.CategoryID <= 0 {
		return nil, &Response{Method: m}, affInvalid(m, "CategoryID (category_id) is required")
	}
	p := affParams{}
	p.setInt("category_id", q.CategoryID)
	switch q.LocaleSite {
	case "", LocaleSiteGlobal, LocaleSiteIT, LocaleSiteES, LocaleSiteRU:
		p.set("locale_site", string(q.LocaleSite))
	default:
		return nil, &Response{Method: m}, affInvalid(m, "LocaleSite (locale_site): %q is not global, it_site, es_site or ru_site", string(q.LocaleSite))
	}
	// The platform documents no page_size bound for the download.
	if err := affPaging(m, p, q.PageNo, q.PageSize, 0); err != nil {
		return nil, &Response{Method: m}, err
	}
	common := affCommon{fields: q.Fields, targetCurrency: q.TargetCurrency, targetLanguage: q.TargetLanguage,
		trackingID: q.TrackingID, country: q.Country, countryParam: "country"}
	if err := common.put(s.client, m, p); err != nil {
		return nil, &Response{Method: m}, err
	}
	return s.productPage(ctx, m, p)
}

// DownloadHotProductsAll iterates over all of a category's hot products, calling
// aliexpress.affiliate.hotproduct.download once per page; it stops as QueryProductsAll does.
func (s *AffiliateService) DownloadHotProductsAll(ctx context.Context, q *HotProductDownloadQuery) iter.Seq2[Product, error] {
	return affProductPages(ctx, q, func(q *HotProductDownloadQuery) (*int, int) { return &q.PageNo, q.PageSize }, s.DownloadHotProducts)
}

// ShippingQuery asks what shipping one SKU of a product to a country costs. The platform requires
// every field.
type ShippingQuery struct {
	ProductID     int64
	SKUID         string
	ShipToCountry string
	// TargetCurrency is the currency of the quote; empty takes TargetSalePrice's currency.
	TargetCurrency string
	// TargetSalePrice is the product's non-app sale price in the target currency (a Product's
	// TargetSalePrice).
	TargetSalePrice Money
	TargetLanguage  string
	// TaxRate is a Product's TaxRate as the platform wrote it. The platform requires one; empty is
	// sent as "0", since many products carry none.
	TaxRate string
}

// ShippingQuote is what shipping a product costs and how long it takes.
type ShippingQuote struct {
	ShippingFee     Money  // in the target currency; zero Money when shipping is free
	DeliveryDays    string // delivery_days as the platform writes it, e.g. "7" or "7-15"
	MinDeliveryDays int
	MaxDeliveryDays int
	ShipFromCountry string
}

type affShippingWire struct {
	ShippingFee     flexString `json:"shipping_fee"` // a price, or "free"
	ShippingFeeCur  flexString `json:"shipping_fee_currency"`
	DeliveryDays    flexString `json:"delivery_days"`
	MinDeliveryDays flexInt    `json:"min_delivery_days"`
	MaxDeliveryDays flexInt    `json:"max_delivery_days"`
	ShipFromCountry flexString `json:"ship_from_country"`
}

// ProductShipping quotes shipping for one SKU of a product with
// aliexpress.affiliate.product.shipping.get. When the product does not ship there the platform's
// "no results" comes back as ErrNoResults.
func (s *AffiliateService) ProductShipping(ctx context.Context, q *ShippingQuery) (*ShippingQuote, *Response, error) {
	const m = affMethodProductShipping
	if q == nil {
		q = &ShippingQuery{}
	}
	bad := func(err error) (*ShippingQuote, *Response, error) { return nil, &Response{Method: m}, err }
	if q.ProductID <= 0 {
		return bad(affInvalid(m, "ProductID (product_id) is required"))
	}
	sku := strings.TrimSpace(q.SKUID)
	if sku == "" {
		return bad(affInvalid(m, "SKUID (sku_id) is required"))
	}
	p := affParams{}
	p.setInt("product_id", q.ProductID)
	p.set("sku_id", sku)
	cc, err := affCountry(m, "ShipToCountry (ship_to_country)", q.ShipToCountry)
	if err != nil {
		return bad(err)
	}
	if cc == "" {
		return bad(affInvalid(m, "ShipToCountry (ship_to_country) is required"))
	}
	p.set("ship_to_country", cc)
	cur, err := affCurrency(m, "TargetCurrency (target_currency)", q.TargetCurrency)
	if err != nil {
		return bad(err)
	}
	if cur == "" {
		cur = strings.ToUpper(q.TargetSalePrice.Currency)
	}
	if cur == "" {
		return bad(affInvalid(m, "TargetCurrency (target_currency) is required"))
	}
	if q.TargetSalePrice.Amount <= 0 {
		return bad(affInvalid(m, "TargetSalePrice (target_sale_price) is required"))
	}
	if c := q.TargetSalePrice.Currency; c != "" && !strings.EqualFold(c, cur) {
		return bad(affInvalid(m, "TargetSalePrice (target_sale_price): %s is not in the target currency %s", q.TargetSalePrice, cur))
	}
	p.set("target_currency", cur)
	p.set("target_sale_price", Money{Amount: q.TargetSalePrice.Amount, Currency: cur}.Decimal())
	lang, err := affLanguage(m, q.TargetLanguage)
	if err != nil {
		return bad(err)
	}
	if lang == "" {
		return bad(affInvalid(m, "TargetLanguage (target_language) is required"))
	}
	p.set("target_language", lang)
	tax := strings.TrimSpace(q.TaxRate)
	if tax == "" {
		tax = "0" // the platform requires tax_rate, and products often carry none
	}
	p.set("tax_rate", tax)

	x, err := s.client.do(ctx, &request{method: m, params: p, idempotent: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w affShippingWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	// The fee is what a quote is for: one that cannot be read fails the call rather than pass
	// for free shipping.
	feePath := joinPath(path, "shipping_fee")
	if err := x.need(w.ShippingFee.bad, func() string { return feePath }); err != nil {
		return nil, x.resp, err
	}
	fee := Money{}
	if f := w.ShippingFee.s; f != "" && !strings.EqualFold(f, "free") {
		var err error
		if fee, err = ParseMoney(f, dsDefault(w.ShippingFeeCur.s, cur)); err != nil {
			return nil, x.resp, x.required(feePath, fmt.Sprintf("%.40q is not a price", f))
		}
	}
	out := &ShippingQuote{
		ShippingFee:     fee,
		DeliveryDays:    w.DeliveryDays.s,
		MinDeliveryDays: int(w.MinDeliveryDays.v),
		MaxDeliveryDays: int(w.MaxDeliveryDays.v),
		ShipFromCountry: w.ShipFromCountry.s,
	}
	return out, x.resp, nil
}

// SKUDetailQuery asks for the SKUs of one product. The platform requires every field but NeedDeliveryInfo
// and SKUIDs.
type SKUDetailQuery struct {
	ProductID      int64
	ShipToCountry  string
	TargetCurrency string
	TargetLanguage string
	// NeedDeliveryInfo adds shipping fees and delivery days per SKU; the platform answers slower.
	NeedDeliveryInfo bool
	// SKUIDs limits the answer to these SKUs; empty returns the product's SKUs (at most 20).
	SKUIDs []string
}

// SKUDetail is a product with its SKUs, as aliexpress.affiliate.product.sku.detail.get describes them.
type SKUDetail struct {
	Item SKUItem
	SKUs []SKUOffer
}

// SKUItem is the product part of a SKUDetail.
type SKUItem struct {
	ProductID            int64
	Title                string // in the target language
	EnglishTitle         string
	OriginalLink         string // item link without tracking parameters
	ImageLink            string
	WhiteImageLink       string // picture on a white background
	AdditionalImageLinks []string
	StoreName            string
	StoreURL             string
	PromotionLink        string // set when the client has a tracking ID and the platform sends one
	Brand                string
	Condition            string // "New" or "Used"
	Gender               string
	AgeGroup             string
	ProductCategory      string
	ProductScore         string // as the platform writes it
	OrderCount           string // order_number: number of sales, as the platform writes it
	ReviewCount          string // review_number, as the platform writes it
	// DisplayCategories are the display category levels 1 to 4 that the platform filled in.
	DisplayCategories []Category
}

// SKUOffer is one SKU of a SKUDetail, priced in the target currency.
type SKUOffer struct {
	SKUID      string
	Attr       string // sku_attr, e.g. "14:175#Black;5:100014064#XL", when the platform sends it
	Color      string
	Size       string
	Properties string // sku_properties as the platform writes it
	ImageLink  string // sku_image_link
	Link       string // promotional link
	// PriceWithTax and SalePriceWithTax are the documented prices, tax included. Price and SalePrice
	// are the prices without tax that some answers carry as well.
	PriceWithTax     Money
	SalePriceWithTax Money
	Price            Money
	SalePrice        Money
	DiscountRate     float64 // percent
	TaxRate          string
	Stock            int // available_stock, when the platform sends it
	// Shipping and delivery are filled in when the query asked for NeedDeliveryInfo.
	ShippingFee     Money
	DeliveryDays    string
	MinDeliveryDays int
	MaxDeliveryDays int
	ShipFromCountry string
	EANCode         string
}

type affSKUItemWire struct {
	ProductID            flexInt     `json:"product_id"`
	Title                flexText    `json:"title"`
	EnTitle              flexText    `json:"en_title"`
	OriginalLink         flexString  `json:"original_link"`
	ImageLink            flexString  `json:"image_link"`
	ImageWhite           flexString  `json:"image_white"`
	AdditionalImageLinks flexStrings `json:"additional_image_links"`
	StoreName            flexText    `json:"store_name"`
	StoreURL             flexString  `json:"store_url"`
	PromotionLink        flexString  `json:"promotion_link"`
	Brand                flexText    `json:"brand"`
	Condition            flexString  `json:"condition"`
	Gender               flexString  `json:"gender"`
	AgeGroup             flexString  `json:"age_group"`
	ProductCategory      flexText    `json:"product_category"`
	ProductScore         flexString  `json:"product_score"`
	OrderNumber          flexString  `json:"order_number"`
	ReviewNumber         flexString  `json:"review_number"`
	CatID1               flexInt     `json:"display_category_id_l1"`
	CatName1             flexText    `json:"display_category_name_l1"`
	CatID2               flexInt     `json:"display_category_id_l2"`
	CatName2             flexText    `json:"display_category_name_l2"`
	CatID3               flexInt     `json:"display_category_id_l3"`
	CatName3             flexText    `json:"display_category_name_l3"`
	CatID4               flexInt     `json:"display_category_id_l4"`
	CatName4             flexText    `json:"display_category_name_l4"`
}

type affSKUWire struct {
	SKUID            flexString `json:"sku_id"`
	SKUAttr          flexString `json:"sku_attr"`
	Color            flexText   `json:"color"`
	Size             flexText   `json:"size"`
	SKUProperties    flexText   `json:"sku_properties"`
	SKUImageLink     flexString `json:"sku_image_link"`
	Link             flexString `json:"link"`
	Currency         flexString `json:"currency"`
	PriceWithTax     flexMoney  `json:"price_with_tax"`
	SalePriceWithTax flexMoney  `json:"sale_price_with_tax"`
	Price            flexMoney  `json:"price"`
	SalePrice        flexMoney  `json:"sale_price"`
	DiscountRate     flexFloat  `json:"discount_rate"`
	TaxRate          flexString `json:"tax_rate"`
	AvailableStock   flexInt    `json:"available_stock"`
	ShippingFees     flexMoney  `json:"shipping_fees"`
	ShippingFee      flexMoney  `json:"shipping_fee"` // the singular of product.shipping.get, as some answers name it
	DeliveryDays     flexString `json:"delivery_days"`
	MinDeliveryDays  flexInt    `json:"min_delivery_days"`
	MaxDeliveryDays  flexInt    `json:"max_delivery_days"`
	ShipFromCountry  flexString `json:"ship_from_country"`
	EANCode          flexString `json:"ean_code"`
}

// SKUDetails returns a product and its SKUs with aliexpress.affiliate.product.sku.detail.get. A
// product the platform does not know comes back as ErrNoResults (its code 405).
func (s *AffiliateService) SKUDetails(ctx context.Context, q *SKUDetailQuery) (*SKUDetail, *Response, error) {
	const m = affMethodProductSKUDetail
	if q == nil {
		q = &SKUDetailQuery{}
	}
	bad := func(err error) (*SKUDetail, *Response, error) { return nil, &Response{Method: m}, err }
	if q.ProductID <= 0 {
		return bad(affInvalid(m, "ProductID (product_id) is required"))
	}
	p := affParams{}
	p.setInt("product_id", q.ProductID)
	cc, err := affCountry(m, "ShipToCountry (ship_to_country)", q.ShipToCountry)
	if err != nil {
		return bad(err)
	}
	cur, err := affCurrency(m, "TargetCurrency (target_currency)", q.TargetCurrency)
	if err != nil {
		return bad(err)
	}
	lang, err := affLanguage(m, q.TargetLanguage)
	if err != nil {
		return bad(err)
	}
	switch {
	case cc == "":
		return bad(affInvalid(m, "ShipToCountry (ship_to_country) is required"))
	case cur == "":
		return bad(affInvalid(m, "TargetCurrency (target_currency) is required"))
	case lang == "":
		return bad(affInvalid(m, "TargetLanguage (target_language) is required"))
	}
	p.set("ship_to_country", cc)
	p.set("target_currency", cur)
	p.set("target_language", lang)
	if q.NeedDeliveryInfo {
		p.set("need_deliver_info", "Yes")
	}
	if len(q.SKUIDs) > 0 {
		skus := make([]string, 0, len(q.SKUIDs))
		for _, id := range q.SKUIDs {
			id = strings.TrimSpace(id)
			if id == "" || !allDigits(id) {
				return bad(affInvalid(m, "SKUIDs (sku_ids): %q is not a SKU ID", id))
			}
			skus = append(skus, id)
		}
		p.set("sku_ids", strings.Join(skus, ","))
	}

	x, err := s.client.do(ctx, &request{method: m, params: p, idempotent: true})
	if err != nil {
		return nil, x.resp, err
	}
	out, err := affDecodeSKUDetail(x, cur)
	if err != nil {
		return nil, x.resp, err
	}
	return out, x.resp, nil
}

// affDecodeSKUDetail reads sku.detail.get, which the documentation shows as
// result{result{ae_item_info, ae_item_sku_info}, code, success} rather than the resp_result of the
// other affiliate methods. Both are read; the client has checked code and success.
func affDecodeSKUDetail(x *reply, cur string) (*SKUDetail, error) {
	path, raw := x.result()
	if isObject(raw) && hasMember(raw, "result") && !hasMember(raw, "ae_item_info") {
		var inner struct {
			Result json.RawMessage `json:"result"`
		}
		if json.Unmarshal(raw, &inner) == nil && isObject(inner.Result) {
			path, raw = joinPath(path, "result"), inner.Result
		}
	}
	var w struct {
		Item obj[affSKUItemWire] `json:"ae_item_info"`
		SKUs list[affSKUWire]    `json:"ae_item_sku_info"`
	}
	if err := x.decode(path, raw, &w); err != nil {
		return nil, err
	}
	it := w.Item.v
	if err := x.need(it.ProductID.bad, func() string { return joinPath(path, "ae_item_info.product_id") }); err != nil {
		return nil, err
	}
	out := &SKUDetail{Item: SKUItem{
		ProductID:            it.ProductID.v,
		Title:                it.Title.s,
		EnglishTitle:         it.EnTitle.s,
		OriginalLink:         it.OriginalLink.s,
		ImageLink:            it.ImageLink.s,
		WhiteImageLink:       it.ImageWhite.s,
		AdditionalImageLinks: it.AdditionalImageLinks.v,
		StoreName:            it.StoreName.s,
		StoreURL:             it.StoreURL.s,
		PromotionLink:        it.PromotionLink.s,
		Brand:                it.Brand.s,
		Condition:            it.Condition.s,
		Gender:               it.Gender.s,
		AgeGroup:             it.AgeGroup.s,
		ProductCategory:      it.ProductCategory.s,
		ProductScore:         it.ProductScore.s,
		OrderCount:           it.OrderNumber.s,
		ReviewCount:          it.ReviewNumber.s,
	}}
	for _, lvl := range []struct {
		id   flexInt
		name flexText
	}{{it.CatID1, it.CatName1}, {it.CatID2, it.CatName2}, {it.CatID3, it.CatName3}, {it.CatID4, it.CatName4}} {
		if !lvl.id.set() && lvl.name.s == "" {
			continue
		}
		cat := Category{ID: lvl.id.v, Name: lvl.name.s}
		if n := len(out.Item.DisplayCategories); n > 0 {
			cat.ParentID = out.Item.DisplayCategories[n-1].ID
		}
		out.Item.DisplayCategories = append(out.Item.DisplayCategories, cat)
	}
	out.SKUs = make([]SKUOffer, 0, w.SKUs.len())
	for i, sw := range w.SKUs.all() {
		at := func() string { return indexPath(joinPath(path, "ae_item_sku_info"), w.SKUs.index(i)) }
		for _, f := range []struct{ name, bad string }{
			{"sku_id", sw.SKUID.bad}, {"price_with_tax", sw.PriceWithTax.bad}, {"sale_price_with_tax", sw.SalePriceWithTax.bad},
		} {
			if err := x.need(f.bad, func() string { return joinPath(at(), f.name) }); err != nil {
				return nil, err
			}
		}
		skuCur := dsDefault(sw.Currency.s, cur)
		fee := sw.ShippingFees
		if !fee.given() {
			fee = sw.ShippingFee
		}
		out.SKUs = append(out.SKUs, SKUOffer{
			SKUID:            sw.SKUID.s,
			Attr:             sw.SKUAttr.s,
			Color:            sw.Color.s,
			Size:             sw.Size.s,
			Properties:       sw.SKUProperties.s,
			ImageLink:        sw.SKUImageLink.s,
			Link:             sw.Link.s,
			PriceWithTax:     sw.PriceWithTax.money(skuCur),
			SalePriceWithTax: sw.SalePriceWithTax.money(skuCur),
			Price:            sw.Price.money(skuCur),
			SalePrice:        sw.SalePrice.money(skuCur),
			DiscountRate:     sw.DiscountRate.v,
			TaxRate:          sw.TaxRate.s,
			Stock:            int(sw.AvailableStock.v),
			ShippingFee:      fee.money(skuCur),
			DeliveryDays:     sw.DeliveryDays.s,
			MinDeliveryDays:  int(sw.MinDeliveryDays.v),
			MaxDeliveryDays:  int(sw.MaxDeliveryDays.v),
			ShipFromCountry:  sw.ShipFromCountry.s,
			EANCode:          sw.EANCode.s,
		})
	}
	return out, nil
}
