package aliexpress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"time"
)

// This file holds what the Affiliate API methods share: the product object every product method
// answers with (reference section 5.1), pages, enums, parameter checks and the page iterator. The
// methods themselves live in affiliate_products.go, affiliate_links.go and affiliate_orders.go.

// The affiliate method names.
const (
	affMethodProductQuery       = "aliexpress.affiliate.product.query"
	affMethodHotProductQuery    = "aliexpress.affiliate.hotproduct.query"
	affMethodProductDetail      = "aliexpress.affiliate.productdetail.get"
	affMethodCategoryGet        = "aliexpress.affiliate.category.get"
	affMethodLinkGenerate       = "aliexpress.affiliate.link.generate"
	affMethodSmartMatch         = "aliexpress.affiliate.product.smartmatch"
	affMethodFeaturedPromo      = "aliexpress.affiliate.featuredpromo.get"
	affMethodFeaturedProducts   = "aliexpress.affiliate.featuredpromo.products.get"
	affMethodHotProductDownload = "aliexpress.affiliate.hotproduct.download"
	affMethodOrderList          = "aliexpress.affiliate.order.list"
	affMethodOrderGet           = "aliexpress.affiliate.order.get"
	affMethodProductShipping    = "aliexpress.affiliate.product.shipping.get"
	affMethodProductSKUDetail   = "aliexpress.affiliate.product.sku.detail.get"
)

const (
	affMaxPageSize        = 50   // the page_size bound the platform documents
	affMaxPages           = 1000 // iterators never fetch more pages than this
	affPlatformTimeLayout = "2006-01-02 15:04:05"
)

// DefaultProductDetailsBatchSize is how many product IDs ProductDetails sends per
// aliexpress.affiliate.productdetail.get call unless ProductDetailsOptions.BatchSize says otherwise.
// The platform does not publish its maximum; 20 is what most integrations use safely.
const DefaultProductDetailsBatchSize = 20

// affPST is the zone the affiliate API writes and reads its times in. The documentation says "PST"
// and nothing about daylight saving, so the fixed UTC-8 offset is used all year.
var affPST = time.FixedZone("PST", -8*60*60)

// Product is a product as the Affiliate API describes it (product.query, hotproduct.query,
// productdetail.get, smartmatch, featuredpromo.products.get, hotproduct.download). Fields the
// platform left out (see the fields parameter) are zero. Text fields are exactly as the platform
// sent them and are untrusted: escape them before showing them.
type Product struct {
	ID             int64
	Title          string // in the target language
	DetailURL      string
	MainImageURL   string
	SmallImageURLs []string
	VideoURL       string
	// PromotionLink is the tracked affiliate link; the platform sets it only when the call carried a
	// valid tracking ID.
	PromotionLink string

	OriginalPrice       Money // list price in the original currency
	SalePrice           Money // discounted price in the original currency
	TargetOriginalPrice Money // OriginalPrice converted to the target currency
	TargetSalePrice     Money // SalePrice converted to the target currency
	AppSalePrice        Money // price in the AliExpress app
	TargetAppSalePrice  Money

	DiscountPercent float64 // discount, "53%" → 53
	PositiveRate    float64 // evaluate_rate: percent of positive feedback, "96.5%" → 96.5
	Volume          int64   // lastest_volume: recent sales

	CommissionRate               float64 // percent, "7.0%" → 7
	HotCommissionRate            float64 // hot_product_commission_rate, percent
	RelevantMarketCommissionRate float64 // relevant_market_commission_rate, percent

	FirstLevelCategoryID    int64
	FirstLevelCategoryName  string
	SecondLevelCategoryID   int64
	SecondLevelCategoryName string

	ShopID   int64
	ShopURL  string
	ShopName string

	PlatformProductType PlatformProductType
	ShipToDays          string     // ship_to_days as the platform writes it
	PromoCode           *PromoCode // nil when the product has no promo code
	SKUID               string     // the SKU the prices are for, when the platform says
	// TaxRate is tax_rate as the platform writes it; pass it on to ProductShipping.
	TaxRate string
	EANCode string
}

// PromoCode is a seller promo code attached to a product (promo_code_info).
type PromoCode struct {
	Code string // promo_code
	// CampaignType is code_campaigntype: "1" for an amount off, "2" for a percentage off.
	CampaignType string
	Value        string // code_value as the platform writes it: an amount or a percentage
	MinSpend     string // code_mini_spend as the platform writes it
	Quantity     string // code_quantity
	PromotionURL string // code_promotionurl
	// AvailableFrom and AvailableTo bound when the code works (zero when not given).
	AvailableFrom time.Time
	AvailableTo   time.Time
}

// ProductPage is one page of a product listing.
type ProductPage struct {
	Products     []Product
	CurrentPage  int // current_page_no
	PageRecords  int // current_record_count: products on this page
	TotalPages   int // total_page_no
	TotalRecords int // total_record_count
	// Finished is featuredpromo.products.get's is_finished: no more pages follow.
	Finished bool
}

// PlatformProductType filters products by where they are sold (platform_product_type).
type PlatformProductType string

// The platform product types.
const (
	PlatformAll   PlatformProductType = "ALL"
	PlatformPlaza PlatformProductType = "PLAZA"
	PlatformTmall PlatformProductType = "TMALL"
)

// ProductSort orders product.query and hotproduct.query results (the sort parameter).
type ProductSort string

// The product sort orders. SortDiscountAsc and SortDiscountDesc are accepted by hotproduct.query only.
const (
	SortSalePriceAsc   ProductSort = "SALE_PRICE_ASC"
	SortSalePriceDesc  ProductSort = "SALE_PRICE_DESC"
	SortLastVolumeAsc  ProductSort = "LAST_VOLUME_ASC"
	SortLastVolumeDesc ProductSort = "LAST_VOLUME_DESC"
	SortDiscountAsc    ProductSort = "DISCOUNT_ASC"
	SortDiscountDesc   ProductSort = "DISCOUNT_DESC"
)

// LocaleSite names an AliExpress site (locale_site) for hotproduct.download and order.list.
type LocaleSite string

// The locale sites.
const (
	LocaleSiteGlobal LocaleSite = "global"
	LocaleSiteIT     LocaleSite = "it_site"
	LocaleSiteES     LocaleSite = "es_site"
	LocaleSiteRU     LocaleSite = "ru_site"
)

// affInvalid is a parameter refused before any call is made.
func affInvalid(method, format string, args ...any) *Error {
	return &Error{Method: method, Kind: ErrInvalidParameter, Message: fmt.Sprintf(format, args...)}
}

// affParams collects business parameters; empty values are left out by the client.
type affParams map[string]string

func (p affParams) set(k, v string) {
	if v != "" {
		p[k] = v
	}
}

func (p affParams) setInt(k string, v int64) {
	if v != 0 {
		p[k] = strconv.FormatInt(v, 10)
	}
}

// affCommon are the parameters most product methods share.
type affCommon struct {
	fields         []string
	targetCurrency string
	targetLanguage string
	trackingID     string
	country        string // the ship-to country under whatever name the method uses
	countryParam   string // that name: "ship_to_country" or "country"
}

// put checks and adds the shared parameters. The tracking ID falls back to the client's.
func (a affCommon) put(c *Client, method string, p affParams) error {
	if err := affPutFields(method, p, a.fields); err != nil {
		return err
	}
	cur, err := affCurrency(method, "TargetCurrency (target_currency)", a.targetCurrency)
	if err != nil {
		return err
	}
	p.set("target_currency", cur)
	lang, err := affLanguage(method, a.targetLanguage)
	if err != nil {
		return err
	}
	p.set("target_language", lang)
	if a.countryParam != "" {
		cc, err := affCountry(method, a.countryParam, a.country)
		if err != nil {
			return err
		}
		p.set(a.countryParam, cc)
	}
	tid := strings.TrimSpace(a.trackingID)
	if tid == "" {
		tid = c.trackingID
	}
	p.set("tracking_id", tid)
	return nil
}

func affPutFields(method string, p affParams, fields []string) error {
	if len(fields) == 0 {
		return nil
	}
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if strings.ContainsAny(f, ", ") {
			return affInvalid(method, "Fields (fields): %q is not a field name", f)
		}
		out = append(out, f)
	}
	p.set("fields", strings.Join(out, ","))
	return nil
}

// affCurrency checks an ISO 4217 code and upper-cases it. The platform adds currencies from time to
// time, so only the form is checked.
func affCurrency(method, field, cur string) (string, error) {
	cur = strings.ToUpper(strings.TrimSpace(cur))
	if cur == "" {
		return "", nil
	}
	if !affLetters(cur, 3) {
		return "", affInvalid(method, "%s: %q is not a three-letter currency code", field, cur)
	}
	return cur, nil
}

func affLanguage(method, lang string) (string, error) {
	lang = strings.ToUpper(strings.TrimSpace(lang))
	if lang == "" {
		return "", nil
	}
	if !affLetters(lang, 2) {
		return "", affInvalid(method, "TargetLanguage (target_language): %q is not a two-letter language code such as EN", lang)
	}
	return lang, nil
}

func affCountry(method, param, cc string) (string, error) {
	cc = strings.ToUpper(strings.TrimSpace(cc))
	if cc == "" {
		return "", nil
	}
	if !affLetters(cc, 2) {
		return "", affInvalid(method, "%s: %q is not a two-letter country code such as US", param, cc)
	}
	return cc, nil
}

func affLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

// affPaging checks and adds page_no and page_size; maxSize 0 means the platform documents no bound.
func affPaging(method string, p affParams, pageNo, pageSize, maxSize int) error {
	if pageNo < 0 {
		return affInvalid(method, "PageNo (page_no): %d is negative", pageNo)
	}
	if pageSize < 0 || (maxSize > 0 && pageSize > maxSize) {
		return affInvalid(method, "PageSize (page_size): %d is not between 1 and %d", pageSize, maxSize)
	}
	p.setInt("page_no", int64(pageNo))
	p.setInt("page_size", int64(pageSize))
	return nil
}

func affPlatformType(method string, t PlatformProductType) (string, error) {
	switch u := PlatformProductType(strings.ToUpper(string(t))); u {
	case "", PlatformAll, PlatformPlaza, PlatformTmall:
		return string(u), nil
	}
	return "", affInvalid(method, "PlatformProductType (platform_product_type): %q is not ALL, PLAZA or TMALL", string(t))
}

// affTime formats a time for the affiliate API: "2006-01-02 15:04:05" in PST.
func affTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(affPST).Format(affPlatformTimeLayout)
}

// affProductWire is a product as the platform writes it.
type affProductWire struct {
	ProductID                    flexInt           `json:"product_id"`
	ProductTitle                 flexText          `json:"product_title"`
	ProductDetailURL             flexString        `json:"product_detail_url"`
	ProductMainImageURL          flexString        `json:"product_main_image_url"`
	ProductSmallImageURLs        flexStrings       `json:"product_small_image_urls"`
	ProductVideoURL              flexString        `json:"product_video_url"`
	PromotionLink                flexString        `json:"promotion_link"`
	OriginalPrice                flexMoney         `json:"original_price"`
	OriginalPriceCurrency        flexString        `json:"original_price_currency"`
	SalePrice                    flexMoney         `json:"sale_price"`
	SalePriceCurrency            flexString        `json:"sale_price_currency"`
	TargetOriginalPrice          flexMoney         `json:"target_original_price"`
	TargetOriginalPriceCurrency  flexString        `json:"target_original_price_currency"`
	TargetSalePrice              flexMoney         `json:"target_sale_price"`
	TargetSalePriceCurrency      flexString        `json:"target_sale_price_currency"`
	AppSalePrice                 flexMoney         `json:"app_sale_price"`
	AppSalePriceCurrency         flexString        `json:"app_sale_price_currency"`
	TargetAppSalePrice           flexMoney         `json:"target_app_sale_price"`
	TargetAppSalePriceCurrency   flexString        `json:"target_app_sale_price_currency"`
	Discount                     flexFloat         `json:"discount"`
	EvaluateRate                 flexFloat         `json:"evaluate_rate"`
	LastestVolume                flexInt           `json:"lastest_volume"`
	CommissionRate               flexFloat         `json:"commission_rate"`
	HotProductCommissionRate     flexFloat         `json:"hot_product_commission_rate"`
	RelevantMarketCommissionRate flexFloat         `json:"relevant_market_commission_rate"`
	FirstLevelCategoryID         flexInt           `json:"first_level_category_id"`
	FirstLevelCategoryName       flexText          `json:"first_level_category_name"`
	SecondLevelCategoryID        flexInt           `json:"second_level_category_id"`
	SecondLevelCategoryName      flexText          `json:"second_level_category_name"`
	ShopID                       flexInt           `json:"shop_id"`
	ShopURL                      flexString        `json:"shop_url"`
	ShopName                     flexText          `json:"shop_name"`
	PlatformProductType          flexString        `json:"platform_product_type"`
	ShipToDays                   flexString        `json:"ship_to_days"`
	PromoCodeInfo                obj[affPromoWire] `json:"promo_code_info"`
	SKUID                        flexString        `json:"sku_id"`
	TaxRate                      flexString        `json:"tax_rate"`
	EANCode                      flexString        `json:"ean_code"`
	CommisionRate                flexFloat         `json:"commision_rate"` // misspelled legacy duplicate
}

type affPromoWire struct {
	PromoCode             flexString `json:"promo_code"`
	CodeCampaignType      flexString `json:"code_campaigntype"`
	CodeValue             flexString `json:"code_value"`
	CodeAvailableTimeFrom flexTime   `json:"code_availabletime_start"`
	CodeAvailableTimeTo   flexTime   `json:"code_availabletime_end"`
	CodeMiniSpend         flexString `json:"code_mini_spend"`
	CodeQuantity          flexString `json:"code_quantity"`
	CodePromotionURL      flexString `json:"code_promotionurl"`
}

// product converts w, whose product_id was checked. Prices without a currency of their own are in
// targetCurrency (the Target* ones) or have none.
func (w *affProductWire) product(targetCurrency string) Product {
	p := Product{
		ID:                           w.ProductID.v,
		Title:                        w.ProductTitle.s,
		DetailURL:                    w.ProductDetailURL.s,
		MainImageURL:                 w.ProductMainImageURL.s,
		SmallImageURLs:               w.ProductSmallImageURLs.v,
		VideoURL:                     w.ProductVideoURL.s,
		PromotionLink:                w.PromotionLink.s,
		OriginalPrice:                w.OriginalPrice.money(w.OriginalPriceCurrency.s),
		SalePrice:                    w.SalePrice.money(w.SalePriceCurrency.s),
		TargetOriginalPrice:          w.TargetOriginalPrice.money(dsDefault(w.TargetOriginalPriceCurrency.s, targetCurrency)),
		TargetSalePrice:              w.TargetSalePrice.money(dsDefault(w.TargetSalePriceCurrency.s, targetCurrency)),
		AppSalePrice:                 w.AppSalePrice.money(w.AppSalePriceCurrency.s),
		TargetAppSalePrice:           w.TargetAppSalePrice.money(dsDefault(w.TargetAppSalePriceCurrency.s, targetCurrency)),
		DiscountPercent:              w.Discount.v,
		PositiveRate:                 w.EvaluateRate.v,
		Volume:                       w.LastestVolume.v,
		CommissionRate:               w.CommissionRate.v,
		HotCommissionRate:            w.HotProductCommissionRate.v,
		RelevantMarketCommissionRate: w.RelevantMarketCommissionRate.v,
		FirstLevelCategoryID:         w.FirstLevelCategoryID.v,
		FirstLevelCategoryName:       w.FirstLevelCategoryName.s,
		SecondLevelCategoryID:        w.SecondLevelCategoryID.v,
		SecondLevelCategoryName:      w.SecondLevelCategoryName.s,
		ShopID:                       w.ShopID.v,
		ShopURL:                      w.ShopURL.s,
		ShopName:                     w.ShopName.s,
		PlatformProductType:          PlatformProductType(w.PlatformProductType.s),
		ShipToDays:                   w.ShipToDays.s,
		SKUID:                        w.SKUID.s,
		TaxRate:                      w.TaxRate.s,
		EANCode:                      w.EANCode.s,
	}
	if !w.CommissionRate.set && w.CommisionRate.set {
		p.CommissionRate = w.CommisionRate.v
	}
	if pw := w.PromoCodeInfo.v; w.PromoCodeInfo.set && pw != (affPromoWire{}) {
		p.PromoCode = &PromoCode{
			Code:          pw.PromoCode.s,
			CampaignType:  pw.CodeCampaignType.s,
			Value:         pw.CodeValue.s,
			MinSpend:      pw.CodeMiniSpend.s,
			Quantity:      pw.CodeQuantity.s,
			PromotionURL:  pw.CodePromotionURL.s,
			AvailableFrom: pw.CodeAvailableTimeFrom.t,
			AvailableTo:   pw.CodeAvailableTimeTo.t,
		}
	}
	return p
}

// affProductResultWire is the result of every product listing method.
type affProductResultWire struct {
	CurrentPageNo      flexInt              `json:"current_page_no"`
	CurrentRecordCount flexInt              `json:"current_record_count"`
	TotalPageNo        flexInt              `json:"total_page_no"`
	TotalRecordCount   flexInt              `json:"total_record_count"`
	IsFinished         flexBool             `json:"is_finished"`
	Products           list[affProductWire] `json:"products"`
}

func (w *affProductResultWire) members() ([]string, []any) {
	return []string{"current_page_no", "current_record_count", "total_page_no", "total_record_count", "is_finished", "products"},
		[]any{&w.CurrentPageNo, &w.CurrentRecordCount, &w.TotalPageNo, &w.TotalRecordCount, &w.IsFinished, &w.Products}
}

// affDecodeProductPage reads the result of a product listing method. A missing result is an empty
// page; each product must have a readable product_id.
func affDecodeProductPage(x *reply, targetCurrency string) (*ProductPage, error) {
	path, raw := x.result()
	var w affProductResultWire
	if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
		if err := x.decode(path, raw, &w); err != nil {
			return nil, err
		}
	}
	page := &ProductPage{
		Products:     make([]Product, 0, w.Products.len()),
		CurrentPage:  int(w.CurrentPageNo.v),
		PageRecords:  int(w.CurrentRecordCount.v),
		TotalPages:   int(w.TotalPageNo.v),
		TotalRecords: int(w.TotalRecordCount.v),
		Finished:     w.IsFinished.v,
	}
	products := w.Products.all()
	for i := range products {
		at := func() string { return indexPath(joinPath(path, "products"), w.Products.index(i)) }
		if err := x.need(products[i].ProductID.bad, func() string { return joinPath(at(), "product_id") }); err != nil {
			return nil, err
		}
		page.Products = append(page.Products, products[i].product(targetCurrency))
	}
	if page.PageRecords == 0 && len(page.Products) > 0 {
		page.PageRecords = len(page.Products)
	}
	return page, nil
}

// productPage calls a product listing method and decodes its page. The platform's "no results"
// (resp_code 405) is an empty page, not an error, so that callers can range over Products.
func (s *AffiliateService) productPage(ctx context.Context, method string, params affParams) (*ProductPage, *Response, error) {
	x, err := s.client.do(ctx, &request{method: method, params: params, idempotent: true})
	if err != nil {
		if errors.Is(err, ErrNoResults) {
			return &ProductPage{Products: []Product{}}, x.resp, nil
		}
		return nil, x.resp, err
	}
	page, err := affDecodeProductPage(x, params["target_currency"])
	if err != nil {
		return nil, x.resp, err
	}
	return page, x.resp, nil
}

// affPageInfo is what the iterator needs to know about a fetched page.
type affPageInfo struct {
	current, totalPages, totalRecords int
	finished                          bool
}

// affPages iterates over the items of every page from start on. It stops after the last page (by
// total_page_no, total_record_count, is_finished, or an empty or short page), when the platform
// answers another page than the one asked for (it ignores page_no; those items were yielded
// already), after affMaxPages pages, on the first error (yielded once) and when the consumer stops.
func affPages[T any](start, pageSize int, fetch func(page int) ([]T, affPageInfo, error)) iter.Seq2[T, error] {
	if start < 1 {
		start = 1
	}
	return func(yield func(T, error) bool) {
		seen := 0
		for page := start; page < start+affMaxPages; page++ {
			items, info, err := fetch(page)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if page > start && info.current > 0 && info.current != page {
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			seen += len(items)
			switch {
			case len(items) == 0, info.finished:
				return
			case info.totalPages > 0 && page >= info.totalPages:
				return
			case info.totalRecords > 0 && start == 1 && seen >= info.totalRecords:
				return
			case pageSize > 0 && len(items) < pageSize:
				return
			}
		}
	}
}

// affProductItems adapts a page fetch to affPages.
func affProductItems(page *ProductPage) ([]Product, affPageInfo) {
	return page.Products, affPageInfo{current: page.CurrentPage, totalPages: page.TotalPages,
		totalRecords: page.TotalRecords, finished: page.Finished}
}

// affBatches splits ids into batches of at most size.
func affBatches[T any](ids []T, size int) [][]T {
	var out [][]T
	for len(ids) > 0 {
		n := min(size, len(ids))
		out = append(out, ids[:n:n])
		ids = ids[n:]
	}
	return out
}

func affJoinIDs(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

// affMergeResponse folds the response of one more call into the response of a batched method.
func affMergeResponse(total *Response, r *Response) {
	if r == nil {
		return
	}
	total.Attempts += r.Attempts
	total.Warnings = append(total.Warnings, r.Warnings...)
	if r.RequestID != "" {
		total.RequestID = r.RequestID
	}
	if r.HTTPStatus != 0 {
		total.HTTPStatus = r.HTTPStatus
	}
}
