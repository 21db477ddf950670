package aliexpress

import (
	"bytes"
	"context"
	"encoding/json"
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

// affText is free text kept byte for byte: a JSON string exactly as sent (never trimmed), or the
// text of a number or boolean.
type affText string

// UnmarshalJSON reads a string verbatim, or a number or boolean as its text.
func (t *affText) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	*t = affText(s)
	return nil
}

// affStrings is a list of strings in any form the platform uses: a bare array, a wrapper object
// ({"string": [...]} or {"string": "one"}), or one string of ';' or ',' separated values.
type affStrings []string

// UnmarshalJSON reads every list form the platform uses.
func (l *affStrings) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '[':
		out := make([]string, 0, arrayLen(b))
		r := readElements(b)
		for v, ok := r.next(); ok; v, ok = r.next() {
			var s affText
			if err := s.UnmarshalJSON(v); err != nil {
				return err
			}
			if s != "" {
				out = append(out, string(s))
			}
		}
		if r.bad {
			return syntaxError(b)
		}
		*l = out
		return nil
	case '{':
		inner, keys, ok := objectKeys(b)
		if !ok {
			var wrapper map[string]json.RawMessage
			if err := json.Unmarshal(b, &wrapper); err != nil {
				return err
			}
			for _, v := range wrapper {
				inner = v
			}
			keys = len(wrapper)
		}
		switch keys {
		case 0:
			*l = nil
			return nil
		case 1:
			*l = nil
			return l.UnmarshalJSON(inner)
		}
		return errors.New("a list of strings wrapped under more than one key")
	case 'n':
		*l = nil
		return nil
	}
	var s affText
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	*l = splitList(string(s))
	return nil
}

// affInt is an integer field read as it is decoded, so that no text is kept for it but the text
// of a value that is not an integer, which affConv reports.
type affInt struct {
	v   int64
	bad string
}

// UnmarshalJSON reads the forms affText does and parses them as affConv.integer does.
func (n *affInt) UnmarshalJSON(b []byte) error {
	t, isNull, err := scalarBytes(b)
	if err != nil || isNull {
		return err
	}
	v, ok := affParseInt(string(t))
	*n = affInt{v: v}
	if !ok {
		n.bad = strings.TrimSpace(string(t))
	}
	return nil
}

// affPercent is a percentage field read as it is decoded, like affInt.
type affPercent struct {
	v       float64
	written bool   // the field had text, even one that reads as 0
	bad     string // the text, when it is not a percentage
}

// UnmarshalJSON reads the forms affText does and parses them as affConv.percent does.
func (p *affPercent) UnmarshalJSON(b []byte) error {
	t, isNull, err := scalarBytes(b)
	if err != nil || isNull {
		return err
	}
	v, ok := affParsePercent(string(t))
	*p = affPercent{v: v, written: len(t) > 0}
	if !ok {
		p.bad = string(t)
	}
	return nil
}

// affConv converts wire values to typed ones and keeps the first failure, named after the field.
type affConv struct {
	method    string
	requestID string
	what      string // what is being converted, e.g. "product"
	id        int64  // and its ID, when it has one: messages say "product 1005001234567890"
	err       error
}

func (c *affConv) fail(field, text string, why string) {
	if c.err != nil {
		return
	}
	what := c.what
	if c.id != 0 {
		what += " " + strconv.FormatInt(c.id, 10)
	}
	c.err = &Error{Method: c.method, Kind: ErrMalformedResponse, RequestID: c.requestID,
		Message: fmt.Sprintf("%s: %s %.60q %s", what, field, text, why)}
}

func (c *affConv) integer(field string, t affText) int64 {
	v, ok := affParseInt(string(t))
	if !ok {
		c.fail(field, strings.TrimSpace(string(t)), "is not an integer")
	}
	return v
}

// parsedInt is integer for a field decoded as affInt.
func (c *affConv) parsedInt(field string, n affInt) int64 {
	if n.bad != "" {
		c.fail(field, n.bad, "is not an integer")
	}
	return n.v
}

// affParseInt reads an integer, also one written as 12.0; "" is 0. ok is false for anything else.
func affParseInt(s string) (v int64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if f, ferr := strconv.ParseFloat(s, 64); ferr == nil && f == float64(int64(f)) && f > -1<<62 && f < 1<<62 {
			return int64(f), true
		}
		return 0, false
	}
	return v, true
}

// percent reads "7.0%", "7.0" or "" as a percentage.
func (c *affConv) percent(field string, t affText) float64 {
	v, ok := affParsePercent(string(t))
	if !ok {
		c.fail(field, string(t), "is not a percentage")
	}
	return v
}

// parsedPercent is percent for a field decoded as affPercent.
func (c *affConv) parsedPercent(field string, p affPercent) float64 {
	if p.bad != "" {
		c.fail(field, p.bad, "is not a percentage")
	}
	return p.v
}

// affParsePercent reads "7.0%", "7.0" or "" (0). ok is false for anything else.
func affParsePercent(s string) (v float64, ok bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
	if s == "" {
		return 0, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v || v > 1e9 || v < -1e9 {
		return 0, false
	}
	return v, true
}

func (c *affConv) money(field string, amount flexMoney, currency affText) Money {
	m, err := amount.money(flexString(strings.TrimSpace(string(currency))))
	if err != nil {
		c.fail(field, string(amount), "is not a price")
		return Money{}
	}
	return m
}

// minorMoney reads an amount the platform documents as a Number: an integer is taken as minor units
// of the currency (cents), a decimal with a point as major units, as prices are written.
func (c *affConv) minorMoney(field string, amount affText, currency string) Money {
	s := strings.TrimSpace(string(amount))
	if s == "" {
		return Money{}
	}
	cur := strings.ToUpper(strings.TrimSpace(currency))
	if strings.Contains(s, ".") {
		m, err := ParseMoney(s, cur)
		if err != nil {
			c.fail(field, s, "is not an amount")
		}
		return m
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		c.fail(field, s, "is not an amount")
		return Money{}
	}
	return Money{Amount: v, Currency: cur}
}

// time reads "2006-01-02 15:04:05" (PST), RFC 3339 or epoch milliseconds.
func (c *affConv) time(field string, t affText) time.Time {
	s := strings.TrimSpace(string(t))
	if s == "" {
		return time.Time{}
	}
	if v, err := time.ParseInLocation(affPlatformTimeLayout, s, affPST); err == nil {
		return v
	}
	if v, err := time.Parse(time.RFC3339, s); err == nil {
		return v
	}
	if len(s) >= 10 && allDigits(s) {
		if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
			if len(s) <= 10 {
				return time.Unix(ms, 0).In(affPST)
			}
			return time.UnixMilli(ms).In(affPST)
		}
	}
	c.fail(field, s, "is not a time")
	return time.Time{}
}

// affProductWire is a product as the platform writes it.
type affProductWire struct {
	ProductID                    affInt        `json:"product_id"`
	ProductTitle                 affText       `json:"product_title"`
	ProductDetailURL             affText       `json:"product_detail_url"`
	ProductMainImageURL          affText       `json:"product_main_image_url"`
	ProductSmallImageURLs        affStrings    `json:"product_small_image_urls"`
	ProductVideoURL              affText       `json:"product_video_url"`
	PromotionLink                affText       `json:"promotion_link"`
	OriginalPrice                flexMoney     `json:"original_price"`
	OriginalPriceCurrency        affText       `json:"original_price_currency"`
	SalePrice                    flexMoney     `json:"sale_price"`
	SalePriceCurrency            affText       `json:"sale_price_currency"`
	TargetOriginalPrice          flexMoney     `json:"target_original_price"`
	TargetOriginalPriceCurrency  affText       `json:"target_original_price_currency"`
	TargetSalePrice              flexMoney     `json:"target_sale_price"`
	TargetSalePriceCurrency      affText       `json:"target_sale_price_currency"`
	AppSalePrice                 flexMoney     `json:"app_sale_price"`
	AppSalePriceCurrency         affText       `json:"app_sale_price_currency"`
	TargetAppSalePrice           flexMoney     `json:"target_app_sale_price"`
	TargetAppSalePriceCurrency   affText       `json:"target_app_sale_price_currency"`
	Discount                     affPercent    `json:"discount"`
	EvaluateRate                 affPercent    `json:"evaluate_rate"`
	LastestVolume                affInt        `json:"lastest_volume"`
	CommissionRate               affPercent    `json:"commission_rate"`
	HotProductCommissionRate     affPercent    `json:"hot_product_commission_rate"`
	RelevantMarketCommissionRate affPercent    `json:"relevant_market_commission_rate"`
	FirstLevelCategoryID         affInt        `json:"first_level_category_id"`
	FirstLevelCategoryName       affText       `json:"first_level_category_name"`
	SecondLevelCategoryID        affInt        `json:"second_level_category_id"`
	SecondLevelCategoryName      affText       `json:"second_level_category_name"`
	ShopID                       affInt        `json:"shop_id"`
	ShopURL                      affText       `json:"shop_url"`
	ShopName                     affText       `json:"shop_name"`
	PlatformProductType          affText       `json:"platform_product_type"`
	ShipToDays                   affText       `json:"ship_to_days"`
	PromoCodeInfo                *affPromoWire `json:"promo_code_info"`
	SKUID                        affText       `json:"sku_id"`
	TaxRate                      affText       `json:"tax_rate"`
	EANCode                      affText       `json:"ean_code"`
	CommisionRate                affPercent    `json:"commision_rate"` // misspelled legacy duplicate
}

type affPromoWire struct {
	PromoCode             affText `json:"promo_code"`
	CodeCampaignType      affText `json:"code_campaigntype"`
	CodeValue             affText `json:"code_value"`
	CodeAvailableTimeFrom affText `json:"code_availabletime_start"`
	CodeAvailableTimeTo   affText `json:"code_availabletime_end"`
	CodeMiniSpend         affText `json:"code_mini_spend"`
	CodeQuantity          affText `json:"code_quantity"`
	CodePromotionURL      affText `json:"code_promotionurl"`
}

// product converts w; failures are kept in c.
func (w *affProductWire) product(c *affConv) Product {
	c.what, c.id = "product", 0
	id := c.parsedInt("product_id", w.ProductID)
	c.id = id
	p := Product{
		ID:                      id,
		Title:                   string(w.ProductTitle),
		DetailURL:               strings.TrimSpace(string(w.ProductDetailURL)),
		MainImageURL:            strings.TrimSpace(string(w.ProductMainImageURL)),
		SmallImageURLs:          []string(w.ProductSmallImageURLs),
		VideoURL:                strings.TrimSpace(string(w.ProductVideoURL)),
		PromotionLink:           strings.TrimSpace(string(w.PromotionLink)),
		OriginalPrice:           c.money("original_price", w.OriginalPrice, w.OriginalPriceCurrency),
		SalePrice:               c.money("sale_price", w.SalePrice, w.SalePriceCurrency),
		TargetOriginalPrice:     c.money("target_original_price", w.TargetOriginalPrice, w.TargetOriginalPriceCurrency),
		TargetSalePrice:         c.money("target_sale_price", w.TargetSalePrice, w.TargetSalePriceCurrency),
		AppSalePrice:            c.money("app_sale_price", w.AppSalePrice, w.AppSalePriceCurrency),
		TargetAppSalePrice:      c.money("target_app_sale_price", w.TargetAppSalePrice, w.TargetAppSalePriceCurrency),
		DiscountPercent:         c.parsedPercent("discount", w.Discount),
		PositiveRate:            c.parsedPercent("evaluate_rate", w.EvaluateRate),
		Volume:                  c.parsedInt("lastest_volume", w.LastestVolume),
		CommissionRate:          c.parsedPercent("commission_rate", w.CommissionRate),
		HotCommissionRate:       c.parsedPercent("hot_product_commission_rate", w.HotProductCommissionRate),
		FirstLevelCategoryID:    c.parsedInt("first_level_category_id", w.FirstLevelCategoryID),
		FirstLevelCategoryName:  string(w.FirstLevelCategoryName),
		SecondLevelCategoryID:   c.parsedInt("second_level_category_id", w.SecondLevelCategoryID),
		SecondLevelCategoryName: string(w.SecondLevelCategoryName),
		ShopID:                  c.parsedInt("shop_id", w.ShopID),
		ShopURL:                 strings.TrimSpace(string(w.ShopURL)),
		ShopName:                string(w.ShopName),
		PlatformProductType:     PlatformProductType(strings.TrimSpace(string(w.PlatformProductType))),
		ShipToDays:              strings.TrimSpace(string(w.ShipToDays)),
		SKUID:                   strings.TrimSpace(string(w.SKUID)),
		TaxRate:                 strings.TrimSpace(string(w.TaxRate)),
		EANCode:                 strings.TrimSpace(string(w.EANCode)),
	}
	p.RelevantMarketCommissionRate = c.parsedPercent("relevant_market_commission_rate", w.RelevantMarketCommissionRate)
	if !w.CommissionRate.written && w.CommisionRate.written {
		p.CommissionRate = c.parsedPercent("commision_rate", w.CommisionRate)
	}
	if pw := w.PromoCodeInfo; pw != nil && *pw != (affPromoWire{}) {
		p.PromoCode = &PromoCode{
			Code:          strings.TrimSpace(string(pw.PromoCode)),
			CampaignType:  strings.TrimSpace(string(pw.CodeCampaignType)),
			Value:         strings.TrimSpace(string(pw.CodeValue)),
			MinSpend:      strings.TrimSpace(string(pw.CodeMiniSpend)),
			Quantity:      strings.TrimSpace(string(pw.CodeQuantity)),
			PromotionURL:  strings.TrimSpace(string(pw.CodePromotionURL)),
			AvailableFrom: c.time("promo_code_info.code_availabletime_start", pw.CodeAvailableTimeFrom),
			AvailableTo:   c.time("promo_code_info.code_availabletime_end", pw.CodeAvailableTimeTo),
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

// affDecodeProductPage reads the payload of a product listing method (the object under
// <method>_response). The platform's "no results" (resp_code 405) is an empty page, not an error,
// so that callers can simply range over Products.
func affDecodeProductPage(method, requestID string, payload json.RawMessage) (*ProductPage, error) {
	raw, err := respResult(method, requestID, payload)
	if err != nil {
		if errors.Is(err, ErrNoResults) {
			return &ProductPage{Products: []Product{}}, nil
		}
		return nil, err
	}
	var w affProductResultWire
	if len(bytes.TrimSpace(raw)) > 0 {
		if err := decodeInto(method, requestID, raw, &w); err != nil {
			return nil, err
		}
	}
	page := &ProductPage{
		Products:     make([]Product, 0, len(w.Products)),
		CurrentPage:  int(w.CurrentPageNo),
		PageRecords:  int(w.CurrentRecordCount),
		TotalPages:   int(w.TotalPageNo),
		TotalRecords: int(w.TotalRecordCount),
		Finished:     bool(w.IsFinished),
	}
	c := affConv{method: method, requestID: requestID}
	for i := range w.Products {
		p := w.Products[i].product(&c)
		if c.err != nil {
			return nil, c.err
		}
		page.Products = append(page.Products, p)
	}
	if page.PageRecords == 0 && len(page.Products) > 0 {
		page.PageRecords = len(page.Products)
	}
	return page, nil
}

// productPage calls a product listing method and decodes its page.
func (s *AffiliateService) productPage(ctx context.Context, method string, params affParams) (*ProductPage, *Response, error) {
	payload, resp, err := s.client.do(ctx, &request{method: method, params: params, idempotent: true})
	if err != nil {
		return nil, resp, err
	}
	page, err := affDecodeProductPage(method, resp.RequestID, payload)
	if err != nil {
		return nil, resp, err
	}
	return page, resp, nil
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
	if r.RequestID != "" {
		total.RequestID = r.RequestID
	}
	if r.HTTPStatus != 0 {
		total.HTTPStatus = r.HTTPStatus
	}
}
