package aliexpress

import (
	"context"
	"encoding/json"
	"iter"
	"strconv"
	"strings"
)

// Product discovery on the Dropshipping API: text search, the recommendation feeds and categories.

// dsMaxPages bounds every iterator, whatever the platform answers.
const dsMaxPages = 10000

// SearchFilter is one searchExtend entry of DSService.TextSearch, e.g. {Key: "item_tag", Value:
// "choice"} or {Key: "free_ship_to", Value: "US"}. Known keys: free_ship_to, item_tag, seller_level,
// ship_from, seller_online, hot_area.
type SearchFilter struct {
	Key   string `json:"searchKey"`
	Value string `json:"searchValue,omitempty"`
	Min   string `json:"min,omitempty"`
	Max   string `json:"max,omitempty"`
}

// TextSearchOptions are the parameters of DSService.TextSearch besides the keyword.
type TextSearchOptions struct {
	// ShipTo is the destination country, two letters (countryCode); required.
	ShipTo string
	// Locale is the result language (the "local" parameter); default "en_US".
	Locale string
	// Currency of the prices; default "USD".
	Currency   string
	CategoryID int64
	// SortBy is "min_price,asc", "min_price,desc", "orders,asc|desc" or "comments,asc|desc".
	SortBy string
	// PageSize and PageIndex (from 1) select the page; the platform's defaults when 0.
	PageSize  int
	PageIndex int
	Filters   []SearchFilter
	// SelectionName selects a curated selection (selectionName).
	SelectionName string
}

// TextSearchPage is one page of DSService.TextSearch.
type TextSearchPage struct {
	Total     int
	PageIndex int
	PageSize  int
	Products  []DSSearchProduct
}

// DSSearchProduct is a product as the DS text search lists it.
type DSSearchProduct struct {
	ID         int64
	Title      string // untrusted text
	URL        string
	MainImage  string
	CategoryID int64
	// SalePrice and OriginalPrice are in the product's own currency; the Target prices in the
	// currency asked for.
	SalePrice           Money
	OriginalPrice       Money
	TargetSalePrice     Money
	TargetOriginalPrice Money
	// SalePriceText is the platform's formatted price ("US $12.73"), for display.
	SalePriceText string
	DiscountPct   float64 // "48%" → 48
	PositiveRate  float64 // evaluateRate in percent
	Score         float64 // 0-5
	Orders        int
	VideoURL      string
	Type          string // "search" or "recommend"
}

type dsTextSearchWire struct {
	Data obj[struct {
		TotalCount flexInt                 `json:"totalCount"`
		PageIndex  flexInt                 `json:"pageIndex"`
		PageSize   flexInt                 `json:"pageSize"`
		Products   list[dsTextProductWire] `json:"products"`
	}] `json:"data"`
}

type dsTextProductWire struct {
	ItemID                      flexInt    `json:"itemId"`
	Title                       flexText   `json:"title"`
	ItemURL                     flexString `json:"itemUrl"`
	MainPic                     flexString `json:"itemMainPic"`
	CateID                      flexInt    `json:"cateId"`
	SalePrice                   flexMoney  `json:"salePrice"`
	SalePriceCurrency           flexString `json:"salePriceCurrency"`
	SalePriceFormat             flexText   `json:"salePriceFormat"`
	OriginalPrice               flexMoney  `json:"originalPrice"`
	OriginalPriceCurrency       flexString `json:"originalPriceCurrency"`
	TargetSalePrice             flexMoney  `json:"targetSalePrice"`
	TargetSalePriceCurrency     flexString `json:"targetSalePriceCurrency"`
	TargetOriginalPrice         flexMoney  `json:"targetOriginalPrice"`
	TargetOriginalPriceCurrency flexString `json:"targetOriginalPriceCurrency"`
	Discount                    flexFloat  `json:"discount"`
	EvaluateRate                flexFloat  `json:"evaluateRate"`
	Score                       flexFloat  `json:"score"`
	Orders                      flexCount  `json:"orders"`
	VideoURL                    flexString `json:"productVideoUrl"`
	Type                        flexString `json:"type"`
}

const dsMethodTextSearch = "aliexpress.ds.text.search"

// TextSearch searches products by keyword as the user would on the site, for one destination. It
// calls aliexpress.ds.text.search.
func (s *DSService) TextSearch(ctx context.Context, keyword string, opts *TextSearchOptions) (*TextSearchPage, *Response, error) {
	const m = dsMethodTextSearch
	if opts == nil {
		opts = &TextSearchOptions{}
	}
	shipTo, err := dsCountry(m, "ShipTo", opts.ShipTo, true)
	if err != nil {
		return nil, dsNoCall(m), err
	}
	if opts.PageSize < 0 || opts.PageIndex < 0 || opts.CategoryID < 0 {
		return nil, dsNoCall(m), dsInvalid(m, "PageSize/PageIndex/CategoryID", "must not be negative")
	}
	locale := dsDefault(opts.Locale, "en_US")
	currency := strings.ToUpper(dsDefault(opts.Currency, "USD"))
	params := map[string]string{
		"keyWord":       strings.TrimSpace(keyword),
		"local":         locale,
		"countryCode":   shipTo,
		"currency":      currency,
		"sortBy":        strings.TrimSpace(opts.SortBy),
		"selectionName": strings.TrimSpace(opts.SelectionName),
		"categoryId":    dsPositive(opts.CategoryID),
		"pageSize":      dsPositive(int64(opts.PageSize)),
		"pageIndex":     dsPositive(int64(opts.PageIndex)),
	}
	if len(opts.Filters) > 0 {
		params["searchExtend"] = dsJSON(opts.Filters)
	}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	// The fields sit in the method object; some generated answers nest them under result.
	path, raw := "", []byte(x.payload)
	if !hasMember(raw, "data") {
		if p, r := x.result(); p == "result" && hasMember(r, "data") {
			path, raw = p, r
		}
	}
	var w dsTextSearchWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	if !w.Data.set {
		return nil, x.resp, x.required(joinPath(path, "data"), "missing")
	}
	d := w.Data.v
	page := &TextSearchPage{Total: int(d.TotalCount.v), PageIndex: int(d.PageIndex.v), PageSize: int(d.PageSize.v)}
	productsPath := joinPath(path, "data.products")
	for i, pw := range d.Products.all() {
		if err := x.need(pw.ItemID.bad, func() string { return joinPath(indexPath(productsPath, d.Products.index(i)), "itemId") }); err != nil {
			return nil, x.resp, err
		}
		page.Products = append(page.Products, pw.product(currency))
	}
	return page, x.resp, nil
}

// product converts a search result; prices without a currency of their own are in the product's
// currency (the original ones) or the currency asked for (the target ones).
func (w dsTextProductWire) product(asked string) DSSearchProduct {
	p := DSSearchProduct{
		ID: w.ItemID.v, Title: w.Title.s, URL: w.ItemURL.s, MainImage: w.MainPic.s,
		CategoryID: w.CateID.v, SalePriceText: w.SalePriceFormat.s, DiscountPct: w.Discount.v,
		PositiveRate: w.EvaluateRate.v, Score: w.Score.v, Orders: int(w.Orders.v),
		VideoURL: w.VideoURL.s, Type: w.Type.s,
	}
	origCur := dsDefault(w.OriginalPriceCurrency.s, w.SalePriceCurrency.s)
	targetOrigCur := dsDefault(w.TargetOriginalPriceCurrency.s, asked)
	targetSaleCur := dsDefault(w.TargetSalePriceCurrency.s, targetOrigCur)
	p.SalePrice = w.SalePrice.money(w.SalePriceCurrency.s)
	p.OriginalPrice = w.OriginalPrice.money(origCur)
	p.TargetSalePrice = w.TargetSalePrice.money(targetSaleCur)
	p.TargetOriginalPrice = w.TargetOriginalPrice.money(targetOrigCur)
	return p
}

// TextSearchAll returns every product of a text search, page after page from opts.PageIndex (or
// the first). Iteration ends at the last page, when the consumer stops, or with the first error,
// which is yielded once. It calls aliexpress.ds.text.search once per page.
func (s *DSService) TextSearchAll(ctx context.Context, keyword string, opts *TextSearchOptions) iter.Seq2[DSSearchProduct, error] {
	return dsIterate(func() func() ([]DSSearchProduct, bool, error) {
		o := TextSearchOptions{}
		if opts != nil {
			o = *opts
		}
		if o.PageIndex < 1 {
			o.PageIndex = 1
		}
		var pager dsPager
		return func() ([]DSSearchProduct, bool, error) {
			page, _, err := s.TextSearch(ctx, keyword, &o)
			if err != nil {
				return nil, false, err
			}
			var first int64
			if len(page.Products) > 0 {
				first = page.Products[0].ID
			}
			size := page.PageSize
			if size <= 0 {
				size = o.PageSize
			}
			more := pager.next(len(page.Products), first, page.Total, size)
			o.PageIndex++
			return page.Products, more, nil
		}
	})
}

// RecommendFeedOptions are the parameters of DSService.RecommendFeed besides the feed name.
type RecommendFeedOptions struct {
	// Country is the ship-to country, two letters; optional.
	Country    string
	CategoryID int64
	// Sort is one of priceAsc, priceDesc, volumeAsc, volumeDesc, discountAsc, discountDesc,
	// DSRratingAsc, DSRratingDesc.
	Sort string
	// PageNo (from 1) and PageSize (1-50) select the page; the platform's defaults when 0.
	PageNo   int
	PageSize int
	Currency string
	Language string
}

// RecommendFeedPage is one page of DSService.RecommendFeed.
type RecommendFeedPage struct {
	PageNo     int
	Count      int // products on this page as the platform counts them
	Total      int // all products of the feed, 0 when the platform does not say
	TotalPages int
	Finished   bool // the platform said this is the last page
	Products   []DSFeedProduct
}

// DSFeedProduct is a product of a DS recommendation feed (the affiliate product shape).
type DSFeedProduct struct {
	ID                  int64
	Title               string // untrusted text
	URL                 string
	MainImage           string
	Images              []string
	VideoURL            string
	OriginalPrice       Money
	SalePrice           Money
	TargetOriginalPrice Money
	TargetSalePrice     Money
	DiscountPct         float64
	PositiveRate        float64 // evaluate_rate in percent
	Orders              int     // lastest_volume: recent sales
	CategoryID          int64   // second level when given, else first level
	TopCategoryID       int64
	ShopID              int64
	ShopURL             string
	ShopName            string
	SKUID               string
}

type dsFeedWire struct {
	CurrentPageNo      flexInt                 `json:"current_page_no"`
	CurrentRecordCount flexInt                 `json:"current_record_count"`
	TotalRecordCount   flexInt                 `json:"total_record_count"`
	TotalPageNo        flexInt                 `json:"total_page_no"`
	IsFinished         flexBool                `json:"is_finished"`
	Products           list[dsFeedProductWire] `json:"products"`
}

type dsFeedProductWire struct {
	ProductID                   flexInt     `json:"product_id"`
	Title                       flexText    `json:"product_title"`
	DetailURL                   flexString  `json:"product_detail_url"`
	MainImage                   flexString  `json:"product_main_image_url"`
	SmallImages                 flexStrings `json:"product_small_image_urls"`
	VideoURL                    flexString  `json:"product_video_url"`
	OriginalPrice               flexMoney   `json:"original_price"`
	OriginalPriceCurrency       flexString  `json:"original_price_currency"`
	SalePrice                   flexMoney   `json:"sale_price"`
	SalePriceCurrency           flexString  `json:"sale_price_currency"`
	TargetOriginalPrice         flexMoney   `json:"target_original_price"`
	TargetOriginalPriceCurrency flexString  `json:"target_original_price_currency"`
	TargetSalePrice             flexMoney   `json:"target_sale_price"`
	TargetSalePriceCurrency     flexString  `json:"target_sale_price_currency"`
	Discount                    flexFloat   `json:"discount"`
	EvaluateRate                flexFloat   `json:"evaluate_rate"`
	LatestVolume                flexCount   `json:"lastest_volume"`
	FirstLevelCategoryID        flexInt     `json:"first_level_category_id"`
	SecondLevelCategoryID       flexInt     `json:"second_level_category_id"`
	ShopID                      flexInt     `json:"shop_id"`
	ShopURL                     flexString  `json:"shop_url"`
	ShopName                    flexText    `json:"shop_name"`
	SKUID                       flexString  `json:"sku_id"`
}

// product converts a feed product; target prices without a currency are in the one asked for.
func (w dsFeedProductWire) product(asked string) DSFeedProduct {
	p := DSFeedProduct{
		ID: w.ProductID.v, Title: w.Title.s, URL: w.DetailURL.s, MainImage: w.MainImage.s,
		Images: w.SmallImages.v, VideoURL: w.VideoURL.s, DiscountPct: w.Discount.v,
		PositiveRate: w.EvaluateRate.v, Orders: int(w.LatestVolume.v), CategoryID: w.SecondLevelCategoryID.v,
		TopCategoryID: w.FirstLevelCategoryID.v, ShopID: w.ShopID.v, ShopURL: w.ShopURL.s,
		ShopName: w.ShopName.s, SKUID: w.SKUID.s,
	}
	if p.CategoryID == 0 {
		p.CategoryID = p.TopCategoryID
	}
	p.OriginalPrice = w.OriginalPrice.money(w.OriginalPriceCurrency.s)
	p.SalePrice = w.SalePrice.money(dsDefault(w.SalePriceCurrency.s, w.OriginalPriceCurrency.s))
	p.TargetOriginalPrice = w.TargetOriginalPrice.money(dsDefault(w.TargetOriginalPriceCurrency.s, asked))
	p.TargetSalePrice = w.TargetSalePrice.money(dsDefault(w.TargetSalePriceCurrency.s, asked))
	return p
}

const dsMethodRecommendFeed = "aliexpress.ds.recommend.feed.get"

// RecommendFeed returns one page of a recommendation feed (a name from FeedNames, e.g. "DS
// bestseller"). It calls aliexpress.ds.recommend.feed.get and reads both answer shapes the
// platform is known to use (resp_result.result, and result with rsp_code).
func (s *DSService) RecommendFeed(ctx context.Context, feedName string, opts *RecommendFeedOptions) (*RecommendFeedPage, *Response, error) {
	const m = dsMethodRecommendFeed
	if opts == nil {
		opts = &RecommendFeedOptions{}
	}
	feedName = strings.TrimSpace(feedName)
	if feedName == "" {
		return nil, dsNoCall(m), dsInvalid(m, "feedName", "is required (see FeedNames)")
	}
	country, err := dsCountry(m, "Country", opts.Country, false)
	if err != nil {
		return nil, dsNoCall(m), err
	}
	if opts.PageNo < 0 || opts.PageSize < 0 || opts.PageSize > 50 || opts.CategoryID < 0 {
		return nil, dsNoCall(m), dsInvalid(m, "PageNo/PageSize/CategoryID", "PageSize must be 0-50 and none negative")
	}
	params := map[string]string{
		"feed_name":       feedName,
		"country":         country,
		"category_id":     dsPositive(opts.CategoryID),
		"sort":            strings.TrimSpace(opts.Sort),
		"page_no":         dsPositive(int64(opts.PageNo)),
		"page_size":       dsPositive(int64(opts.PageSize)),
		"target_currency": strings.ToUpper(strings.TrimSpace(opts.Currency)),
		"target_language": strings.TrimSpace(opts.Language),
	}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w dsFeedWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	page := &RecommendFeedPage{PageNo: int(w.CurrentPageNo.v), Count: int(w.CurrentRecordCount.v), Total: int(w.TotalRecordCount.v),
		TotalPages: int(w.TotalPageNo.v), Finished: w.IsFinished.v}
	for i, pw := range w.Products.all() {
		if err := x.need(pw.ProductID.bad, func() string {
			return joinPath(indexPath(joinPath(path, "products"), w.Products.index(i)), "product_id")
		}); err != nil {
			return nil, x.resp, err
		}
		page.Products = append(page.Products, pw.product(params["target_currency"]))
	}
	return page, x.resp, nil
}

// RecommendFeedAll returns every product of a recommendation feed, page after page from
// opts.PageNo (or the first). Iteration ends at the last page, when the consumer stops, or with the
// first error, which is yielded once. It calls aliexpress.ds.recommend.feed.get once per page.
func (s *DSService) RecommendFeedAll(ctx context.Context, feedName string, opts *RecommendFeedOptions) iter.Seq2[DSFeedProduct, error] {
	return dsIterate(func() func() ([]DSFeedProduct, bool, error) {
		o := RecommendFeedOptions{}
		if opts != nil {
			o = *opts
		}
		if o.PageNo < 1 {
			o.PageNo = 1
		}
		var pager dsPager
		return func() ([]DSFeedProduct, bool, error) {
			page, _, err := s.RecommendFeed(ctx, feedName, &o)
			if err != nil {
				return nil, false, err
			}
			var first int64
			if len(page.Products) > 0 {
				first = page.Products[0].ID
			}
			more := pager.next(len(page.Products), first, page.Total, o.PageSize) && !page.Finished &&
				(page.TotalPages == 0 || o.PageNo < page.TotalPages)
			o.PageNo++
			return page.Products, more, nil
		}
	})
}

// FeedName is a DS product feed.
type FeedName struct {
	Name         string // the name to pass to RecommendFeed and FeedItemIDs
	Description  string
	ProductCount int
}

type dsFeedNamesWire struct {
	Promos list[struct {
		Name  flexText  `json:"promo_name"`
		Desc  flexText  `json:"promo_desc"`
		Count flexCount `json:"product_num"`
	}] `json:"promos"`
}

const dsMethodFeedNames = "aliexpress.ds.feedname.get"

// FeedNames lists the product feeds the user can read. It calls aliexpress.ds.feedname.get.
func (s *DSService) FeedNames(ctx context.Context) ([]FeedName, *Response, error) {
	const m = dsMethodFeedNames
	x, err := s.client.do(ctx, &request{method: m, params: map[string]string{}, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w dsFeedNamesWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	out := make([]FeedName, 0, w.Promos.len())
	for _, p := range w.Promos.all() {
		out = append(out, FeedName{Name: p.Name.s, Description: p.Desc.s, ProductCount: int(p.Count.v)})
	}
	return out, x.resp, nil
}

// FeedItemIDsOptions are the parameters of DSService.FeedItemIDs besides the feed name.
type FeedItemIDsOptions struct {
	// CategoryID restricts the feed to a top-level category.
	CategoryID int64
	// PageSize is 1-200; the platform's default (200) when 0.
	PageSize int
	// SearchID is the cursor from the previous page (valid about a minute); empty for the first.
	SearchID string
}

// FeedItemIDsPage is one page of DSService.FeedItemIDs.
type FeedItemIDsPage struct {
	IDs      []int64
	SearchID string // pass it back for the next page
	Total    int
}

type dsFeedItemIDsWire struct {
	Products list[flexInt] `json:"products"`
	SearchID flexString    `json:"search_id"`
	Total    flexInt       `json:"total"`
}

const dsMethodFeedItemIDs = "aliexpress.ds.feed.itemids.get"

// FeedItemIDs returns one page of the product IDs in a feed. It calls aliexpress.ds.feed.itemids.get,
// whose published limit is 3 calls per second.
func (s *DSService) FeedItemIDs(ctx context.Context, feedName string, opts *FeedItemIDsOptions) (*FeedItemIDsPage, *Response, error) {
	const m = dsMethodFeedItemIDs
	if opts == nil {
		opts = &FeedItemIDsOptions{}
	}
	feedName = strings.TrimSpace(feedName)
	if feedName == "" {
		return nil, dsNoCall(m), dsInvalid(m, "feedName", "is required (see FeedNames)")
	}
	if opts.PageSize < 0 || opts.PageSize > 200 || opts.CategoryID < 0 {
		return nil, dsNoCall(m), dsInvalid(m, "PageSize/CategoryID", "PageSize must be 0-200 and CategoryID not negative")
	}
	params := map[string]string{
		"feed_name":   feedName,
		"category_id": dsPositive(opts.CategoryID),
		"page_size":   dsPositive(int64(opts.PageSize)),
		"search_id":   strings.TrimSpace(opts.SearchID),
	}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w dsFeedItemIDsWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	page := &FeedItemIDsPage{SearchID: w.SearchID.s, Total: int(w.Total.v), IDs: make([]int64, 0, w.Products.len())}
	for i, id := range w.Products.all() {
		if err := x.need(id.bad, func() string { return indexPath(joinPath(path, "products"), w.Products.index(i)) }); err != nil {
			return nil, x.resp, err
		}
		if id.v > 0 {
			page.IDs = append(page.IDs, id.v)
		}
	}
	return page, x.resp, nil
}

// FeedItemIDsAll returns every product ID of a feed, following the search_id cursor. Iteration
// ends when the feed is exhausted, when the consumer stops, or with the first error, which is
// yielded once. It calls aliexpress.ds.feed.itemids.get once per page.
func (s *DSService) FeedItemIDsAll(ctx context.Context, feedName string, opts *FeedItemIDsOptions) iter.Seq2[int64, error] {
	return dsIterate(func() func() ([]int64, bool, error) {
		o := FeedItemIDsOptions{}
		if opts != nil {
			o = *opts
		}
		var pager dsPager
		return func() ([]int64, bool, error) {
			page, _, err := s.FeedItemIDs(ctx, feedName, &o)
			if err != nil {
				return nil, false, err
			}
			var first int64
			if len(page.IDs) > 0 {
				first = page.IDs[0]
			}
			more := pager.next(len(page.IDs), first, page.Total, o.PageSize) && page.SearchID != ""
			o.SearchID = page.SearchID
			return page.IDs, more, nil
		}
	})
}

// DSCategoryOptions are the parameters of DSService.Categories.
type DSCategoryOptions struct {
	// CategoryID asks for one category (and, for level 3 and 4 IDs, its parents); 0 lists them all.
	CategoryID int64
	Language   string
}

// DSCategory is a node of the DS category tree; top-level categories have ParentID 0.
type DSCategory struct {
	ID       int64
	Name     string
	ParentID int64
}

type dsCategoriesWire struct {
	Total      flexInt `json:"total_result_count"`
	Categories list[struct {
		ID       flexInt  `json:"category_id"`
		Name     flexText `json:"category_name"`
		ParentID flexInt  `json:"parent_category_id"`
	}] `json:"categories"`
}

const dsMethodCategories = "aliexpress.ds.category.get"

// Categories returns the DS category tree as a flat list. It calls aliexpress.ds.category.get.
func (s *DSService) Categories(ctx context.Context, opts *DSCategoryOptions) ([]DSCategory, *Response, error) {
	const m = dsMethodCategories
	if opts == nil {
		opts = &DSCategoryOptions{}
	}
	if opts.CategoryID < 0 {
		return nil, dsNoCall(m), dsInvalid(m, "CategoryID", "must not be negative")
	}
	params := map[string]string{"categoryId": dsPositive(opts.CategoryID), "language": strings.TrimSpace(opts.Language)}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w dsCategoriesWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	out := make([]DSCategory, 0, w.Categories.len())
	for i, c := range w.Categories.all() {
		if err := x.need(c.ID.bad, func() string {
			return joinPath(indexPath(joinPath(path, "categories"), w.Categories.index(i)), "category_id")
		}); err != nil {
			return nil, x.resp, err
		}
		out = append(out, DSCategory{ID: c.ID.v, Name: c.Name.s, ParentID: c.ParentID.v})
	}
	return out, x.resp, nil
}

// dsIterate turns a page fetcher into an iterator. start makes a fresh fetcher for each range
// loop, so the sequence can be ranged over more than once; each fetch returns the page's items and
// whether another page may follow.
func dsIterate[T any](start func() func() ([]T, bool, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		fetch := start()
		for range dsMaxPages {
			items, more, err := fetch()
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if !more {
				return
			}
		}
	}
}

// dsPager decides whether another page may follow, so that no iterator runs forever: it stops on
// an empty or short page, once the total is reached, and when a page starts with the same item as
// the one before (a platform that ignores the page parameter).
type dsPager struct {
	seen      int
	prevFirst int64
	pages     int
}

func (p *dsPager) next(n int, first int64, total, pageSize int) bool {
	p.pages++
	p.seen += n
	repeated := p.pages > 1 && first != 0 && first == p.prevFirst
	p.prevFirst = first
	switch {
	case n == 0, repeated, p.pages >= dsMaxPages:
		return false
	case total > 0 && p.seen >= total:
		return false
	case pageSize > 0 && n < pageSize:
		return false
	}
	return true
}

// hasMember reports whether the JSON object b has a member named key.
func hasMember(b []byte, key string) bool {
	var v [1][]byte
	if objectMembers(b, []string{key}, v[:]) {
		return v[0] != nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(b, &m) != nil {
		return false
	}
	_, ok := m[key]
	return ok
}

// dsDefault returns s trimmed, or def when s is blank.
func dsDefault(s, def string) string {
	if s = strings.TrimSpace(s); s == "" {
		return def
	}
	return s
}

// dsPositive formats n, or "" (not sent) when it is not positive.
func dsPositive(n int64) string {
	if n <= 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}
