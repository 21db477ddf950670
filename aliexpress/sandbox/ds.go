package sandbox

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// DS APIs of the result + rsp_code family answer with these beside result.
func rspOK(result any) obj {
	return obj{"result": result, "rsp_code": 200, "rsp_msg": respOK}
}

// dsProduct is ds.product.get. The business errors 602 (not allowed to the country) and 605
// (ITEM_ID_NOT_FOUND) come as rsp_code/rsp_msg without a result, or as error_response with
// Options.ProductErrorsAsErrorResponse: the platform's choice is not known.
func (s *Sandbox) dsProduct(c *call) (obj, *apiError) {
	id, e := c.idParam("product_id")
	if e != nil {
		return nil, e
	}
	country, e := c.countryParam("ship_to_country", true)
	if e != nil {
		return nil, e
	}
	cur, e := c.currencyParam("target_currency", "USD")
	if e != nil {
		return nil, e
	}
	if e := c.dsLanguage("target_language"); e != nil {
		return nil, e
	}
	fail := func(code int, msg string) (obj, *apiError) {
		if s.opts.ProductErrorsAsErrorResponse {
			return nil, isvError(strconv.Itoa(code), msg)
		}
		return obj{"rsp_code": code, "rsp_msg": msg}, nil
	}
	p, ok := s.productByID(id, c.day)
	if !ok {
		return fail(605, "ITEM_ID_NOT_FOUND")
	}
	if slices.Contains(p.NotAllowedIn, country) {
		return fail(602, "Item is not allowed to this country")
	}
	return rspOK(s.dsProductResult(c, p, country, cur)), nil
}

func salesCount(n int) string {
	if n >= 1000 {
		return "1000+"
	}
	return strconv.Itoa(n)
}

// gmtTime renders a time the way DS APIs do, in the platform's zone.
func gmtTime(t time.Time) string { return t.In(gmt8).Format(time.DateTime) }

func (s *Sandbox) dsProductResult(c *call, p world.Product, country, cur string) obj {
	shop, _ := s.cat.Shop(p.ShopID)
	images := make([]string, 0, len(p.Images))
	for _, img := range p.Images {
		images = append(images, c.abs(img))
	}
	wholesale := false
	skus := make([]any, 0, len(p.Variants))
	for _, v := range p.Variants {
		if len(v.Tiers) > 0 {
			wholesale = true
		}
		skus = append(skus, s.dsSKU(c, p, v, country, cur))
	}
	props := wrap("ae_item_property", p.Attributes, func(a world.Attribute) any {
		return obj{"attr_name_id": a.NameID, "attr_name": a.Name, "attr_value_id": a.ValueID, "attr_value": a.Value}
	})
	media := obj{"image_urls": strings.Join(images, ";")}
	if p.VideoURL != "" {
		poster := ""
		if len(images) > 0 {
			poster = images[0]
		}
		media["ae_video_dtos"] = wrapped{key: "ae_video_d_t_o", items: []any{obj{
			"media_id": p.ID % 1e11, "media_type": "video", "media_status": "approved",
			"media_url": c.abs(p.VideoURL), "poster_url": poster, "ali_member_id": p.ShopID,
		}}}
	}
	result := obj{
		"ae_item_base_info_dto": obj{
			"product_id":            p.ID,
			"subject":               p.Title,
			"category_id":           p.CategoryID,
			"category_sequence":     fmt.Sprintf("%d,%d", p.TopCategoryID, p.CategoryID),
			"currency_code":         p.Currency, // the seller's listing currency, whatever target_currency asks
			"product_status_type":   "onSelling",
			"detail":                p.Description,
			"mobile_detail":         p.Description,
			"avg_evaluation_rating": oneDecimal(p.Rating),
			"evaluation_count":      strconv.Itoa(p.EvaluationCount),
			"sales_count":           salesCount(p.SalesCount),
			"gmt_create":            gmtTime(p.CreatedAt),
			"gmt_modified":          gmtTime(world.Epoch.AddDate(0, 0, c.day)),
			"owner_member_seq_long": p.ShopID,
		},
		"ae_item_sku_info_dtos":  wrapped{key: "ae_item_sku_info_d_t_o", items: skus},
		"ae_item_properties":     props,
		"ae_multimedia_info_dto": media,
		"package_info_dto": obj{
			"package_length": p.Package.LengthCM,
			"package_width":  p.Package.WidthCM,
			"package_height": p.Package.HeightCM,
			"gross_weight":   formatMinor(int64(p.Package.WeightGrams), 3),
			"package_type":   false,
			"product_unit":   100000015,
			"base_unit":      1,
		},
		"logistics_info_dto": obj{"ship_to_country": country, "delivery_time": p.LeadDays},
		"ae_store_info": obj{
			"store_id":                 shop.ID,
			"store_name":               shop.Name,
			"store_country_code":       shop.Country,
			"item_as_described_rating": oneDecimal(shop.ItemAsDescribed),
			"communication_rating":     oneDecimal(shop.Communication),
			"shipping_speed_rating":    oneDecimal(shop.ShippingSpeed),
		},
		"has_whole_sale": wholesale,
	}
	conv := obj{"main_product_id": p.ID}
	if sub, ok := subProductID(p.ID); ok {
		conv["sub_product_id"] = obj{"US": sub}
	}
	result["product_id_converter_result"] = conv
	return result
}

// dsSKU renders one ae_item_sku_info_d_t_o. Its prices and currency_code are in the target currency
// (the documentation's sample gives a CNY-listed product USD SKUs), whatever the product is listed in.
func (s *Sandbox) dsSKU(c *call, p world.Product, v world.Variant, country, cur string) any {
	o := obj{
		"sku_id":                v.SKUID,
		"sku_attr":              v.Attr,
		"id":                    v.Attr,
		"sku_price":             money(v.Price, cur),
		"offer_sale_price":      money(v.SalePrice, cur),
		"offer_bulk_sale_price": money(v.BulkPrice, cur),
		"sku_bulk_order":        v.BulkMin,
		"sku_available_stock":   s.available(v, c.day),
		"currency_code":         cur,
		"sku_code":              fmt.Sprintf("SB-%d-%s", p.ID%100000, v.SKUID[len(v.SKUID)-4:]),
		"ean_code":              "",
		"barcode":               "",
		"price_include_tax":     false,
	}
	if rate, ok := vatRates[country]; ok {
		// Where the platform collects the destination's VAT at checkout (the EU's IOSS, the UK,
		// Australia, New Zealand), the price includes it and tax_amount says how much.
		o["price_include_tax"] = true
		o["tax_amount"] = money(v.SalePrice*rate/(100+rate), cur)
		o["tax_currency_code"] = cur
	}
	if country == "US" && v.ImportCharge > 0 {
		// An empty estimated_import_charges means the price already includes the US import charge.
		o["estimated_import_charges"] = money(v.ImportCharge, cur)
		o["tax_currency_code"] = cur
	}
	if len(v.Tiers) > 0 {
		// The documentation shows this list only as a bare array; its TOP wrapper key, if it has one,
		// is not known, so it is bare in every form.
		tiers := make([]any, 0, len(v.Tiers))
		for _, t := range v.Tiers {
			tiers = append(tiers, obj{
				"min_quantity":    strconv.Itoa(t.MinQuantity),
				"discount":        tierDiscount(v.SalePrice, t.Price),
				"wholesale_price": money(t.Price, cur),
			})
		}
		o["wholesale_price_tiers"] = tiers
	}
	if v.BuyLimit > 0 {
		o["buy_amount_limit_set_by_promotion"] = strconv.Itoa(v.BuyLimit)
		o["limit_strategy"] = v.LimitStrategy
	}
	if len(v.Values) > 0 {
		o["ae_sku_property_dtos"] = wrap("ae_sku_property_d_t_o", v.Values, func(pv world.VariantValue) any {
			prop := obj{
				"sku_property_id":                pv.PropertyID,
				"sku_property_name":              pv.PropertyName,
				"sku_property_value":             pv.ValueName,
				"property_value_id":              pv.ValueID,
				"property_value_definition_name": pv.ValueName,
			}
			if pv.Image != "" {
				prop["sku_image"] = c.abs(pv.Image)
			}
			return prop
		})
	}
	return o
}

// vatRates are the VAT rates, in percent, of the destinations whose prices include VAT collected
// by the platform.
var vatRates = map[string]int64{
	"AT": 20, "BE": 21, "BG": 20, "CY": 19, "CZ": 21, "DE": 19, "DK": 25, "EE": 22, "ES": 21, "FI": 25,
	"FR": 20, "GR": 24, "HR": 25, "HU": 27, "IE": 23, "IT": 22, "LT": 21, "LU": 17, "LV": 21, "MT": 18,
	"NL": 21, "PL": 23, "PT": 23, "RO": 19, "SE": 25, "SI": 22, "SK": 23,
	"GB": 20, "AU": 10, "NZ": 15,
}

// tierDiscount writes the share a wholesale tier takes off the sale price, two decimals ("0.05").
// The documentation calls it the "discount rate" and shows "0.52"; what it is a share of is not
// said, and the sale price is the likeliest base.
func tierDiscount(sale, tier int64) string {
	if sale <= 0 || tier >= sale {
		return "0.00"
	}
	return formatMinor(((sale-tier)*100+sale/2)/sale, 2)
}

// textSorts maps ds.text.search sortBy to catalog orders.
var textSorts = map[string]string{
	"min_price,asc": world.SortPriceAsc, "min_price,desc": world.SortPriceDesc,
	"orders,asc": world.SortVolumeAsc, "orders,desc": world.SortVolumeDesc,
	"comments,asc": world.SortRatingAsc, "comments,desc": world.SortRatingDesc,
}

// dsTextSearch is ds.text.search: code/msg/data directly in the method object, camelCase fields, all
// product values strings. The products wrapper key selection_search_product is a weak guess.
func (s *Sandbox) dsTextSearch(c *call) (obj, *apiError) {
	if c.param("local") == "" {
		return nil, missingParam("local")
	}
	if e := c.dsLanguage("local"); e != nil {
		return nil, e
	}
	country, e := c.countryParam("countryCode", true)
	if e != nil {
		return nil, e
	}
	if c.param("currency") == "" {
		return nil, missingParam("currency")
	}
	cur, e := c.currencyParam("currency", "USD")
	if e != nil {
		return nil, e
	}
	q := world.Query{Keywords: c.param("keyWord"), ShipTo: country, Promo: c.param("selectionName")}
	if c.param("categoryId") != "" {
		id, e := c.idParam("categoryId")
		if e != nil {
			return nil, e
		}
		q.CategoryIDs = []int64{id}
	}
	if sb := c.param("sortBy"); sb != "" {
		var ok bool
		if q.Sort, ok = textSorts[sb]; !ok {
			return nil, invalidParam("sortBy", "unsupported sort")
		}
	}
	if q.Page, e = c.intParam("pageIndex", 1, 1, maxPageNo); e != nil {
		return nil, e
	}
	if q.PageSize, e = c.intParam("pageSize", 20, 1, 50); e != nil {
		return nil, e
	}
	if ext := c.param("searchExtend"); ext != "" {
		var filters []struct {
			SearchKey   string `json:"searchKey"`
			SearchValue string `json:"searchValue"`
			Min         any    `json:"min"`
			Max         any    `json:"max"`
		}
		if err := json.Unmarshal([]byte(ext), &filters); err != nil {
			return nil, invalidParam("searchExtend", "not a JSON array of {searchKey, searchValue, min, max}")
		}
		for _, f := range filters {
			// free_ship_to narrows the destination; the other keys (item_tag, seller_level, ship_from,
			// seller_online, hot_area) are accepted and not applied.
			if f.SearchKey == "free_ship_to" && isCountry(strings.ToUpper(f.SearchValue)) {
				q.ShipTo = strings.ToUpper(f.SearchValue)
			}
		}
	}
	res := s.cat.Search(q, c.day)
	item := func(p world.Product) any {
		main := ""
		if len(p.Images) > 0 {
			main = c.abs(p.Images[0])
		}
		o := obj{
			"itemId":                      strconv.FormatInt(p.ID, 10),
			"title":                       p.Title,
			"itemUrl":                     productURL(p.ID),
			"itemMainPic":                 main,
			"cateId":                      strconv.FormatInt(p.CategoryID, 10),
			"salePrice":                   money(p.SalePrice, cur),
			"salePriceCurrency":           cur,
			"salePriceFormat":             priceFormat(p.SalePrice, cur),
			"originalPrice":               money(p.OriginalPrice, cur),
			"originalPriceCurrency":       cur,
			"originalPriceFormat":         priceFormat(p.OriginalPrice, cur),
			"originMinPrice":              money(p.OriginalPrice, cur),
			"targetSalePrice":             money(p.SalePrice, cur),
			"targetOriginalPrice":         money(p.OriginalPrice, cur),
			"targetOriginalPriceCurrency": cur,
			"discount":                    strconv.Itoa(p.DiscountPct) + "%",
			"evaluateRate":                pct(p.PositiveRate),
			"score":                       oneDecimal(p.Rating),
			"orders":                      strconv.Itoa(p.Orders30d),
			"type":                        "search",
		}
		if p.VideoURL != "" {
			o["productVideoUrl"] = c.abs(p.VideoURL)
		}
		return o
	}
	return obj{
		"code": "0",
		"msg":  "success",
		"data": obj{
			"totalCount": res.Total,
			"pageIndex":  q.Page,
			"pageSize":   q.PageSize,
			"products":   wrap("selection_search_product", res.Products, item),
		},
	}, nil
}

var feedSorts = map[string]string{
	"priceAsc": world.SortPriceAsc, "priceDesc": world.SortPriceDesc,
	"volumeAsc": world.SortVolumeAsc, "volumeDesc": world.SortVolumeDesc,
	"discountAsc": world.SortDiscountAsc, "discountDesc": world.SortDiscountDsc,
	"DSRratingAsc": world.SortRatingAsc, "DSRratingDesc": world.SortRatingDesc,
}

// dsRecommendFeed is ds.recommend.feed.get: affiliate-style products of a feed, inside resp_result
// (or result + rsp_code with Options.RecommendFeedTOPShape).
func (s *Sandbox) dsRecommendFeed(c *call) (obj, *apiError) {
	feed := c.param("feed_name")
	if feed == "" {
		return nil, missingParam("feed_name")
	}
	cur, e := c.currencyParam("target_currency", "USD")
	if e != nil {
		return nil, e
	}
	if e := c.dsLanguage("target_language"); e != nil {
		// The older affiliate-style enum (EN, RU...) is also accepted.
		if e2 := c.affLanguage(); e2 != nil {
			return nil, e
		}
	}
	q := world.Query{Promo: feed}
	if q.ShipTo, e = c.countryParam("country", false); e != nil {
		return nil, e
	}
	if c.param("category_id") != "" {
		id, e := c.idParam("category_id")
		if e != nil {
			return nil, e
		}
		q.CategoryIDs = []int64{id}
	}
	if srt := c.param("sort"); srt != "" {
		var ok bool
		if q.Sort, ok = feedSorts[srt]; !ok {
			return nil, invalidParam("sort", "unsupported sort")
		}
	}
	if q.Page, e = c.intParam("page_no", 1, 1, maxPageNo); e != nil {
		return nil, e
	}
	if q.PageSize, e = c.intParam("page_size", 20, 1, 50); e != nil {
		return nil, e
	}
	res := s.cat.Search(q, c.day)
	var result obj
	code, msg := 200, respOK
	if len(res.Products) == 0 {
		code, msg = 405, respNoResults
	} else {
		result = s.productPage(c, res, q.Page, q.PageSize, affView{currency: cur, tracking: c.param("tracking_id")})
		result["is_finished"] = q.Page*q.PageSize >= res.Total
	}
	if s.opts.RecommendFeedTOPShape {
		out := obj{"rsp_code": code, "rsp_msg": msg}
		if result != nil {
			out["result"] = result
		}
		return out, nil
	}
	if result == nil {
		return respEmpty(), nil
	}
	return respResult(result), nil
}

func (s *Sandbox) dsFeedNames(c *call) (obj, *apiError) {
	feeds := s.cat.Feeds()
	return respResult(obj{
		"current_record_count": len(feeds),
		"promos":               wrap("promo", feeds, promoObj),
	}), nil
}

// searchIDLifetime is how long a feed.itemids.get cursor stays valid.
const searchIDLifetime = time.Minute

// searchID encodes a feed cursor: where the next page starts, when it was issued, and a MAC that ties
// it to the feed and category so that it cannot be forged or reused for another feed.
func (s *Sandbox) searchID(feed string, cat int64, offset int, issued time.Time) string {
	body := fmt.Sprintf("%x.%x", offset, issued.UnixMilli())
	return body + "." + s.cursorMAC(feed, cat, body)
}

func (s *Sandbox) cursorMAC(feed string, cat int64, body string) string {
	m := hmac.New(sha256.New, []byte(s.opts.AppSecret))
	fmt.Fprintf(m, "%s\x00%d\x00%s", feed, cat, body)
	return hex.EncodeToString(m.Sum(nil)[:8])
}

func (s *Sandbox) parseSearchID(id, feed string, cat int64, now time.Time) (int, *apiError) {
	parts := strings.Split(id, ".")
	if len(parts) != 3 || !hmac.Equal([]byte(parts[2]), []byte(s.cursorMAC(feed, cat, parts[0]+"."+parts[1]))) {
		return 0, invalidParam("search_id", "not a search_id of this feed")
	}
	offset, err1 := strconv.ParseInt(parts[0], 16, 64)
	ms, err2 := strconv.ParseInt(parts[1], 16, 64)
	if err1 != nil || err2 != nil {
		return 0, invalidParam("search_id", "not a search_id of this feed")
	}
	if now.Sub(time.UnixMilli(ms)) > searchIDLifetime {
		return 0, invalidParam("search_id", "expired; start again without it")
	}
	return int(offset), nil
}

// dsFeedItemIDs is ds.feed.itemids.get: the IDs of a feed, page by page with a search_id cursor.
func (s *Sandbox) dsFeedItemIDs(c *call) (obj, *apiError) {
	feed := c.param("feed_name")
	if feed == "" {
		return nil, missingParam("feed_name")
	}
	var cat int64
	if c.param("category_id") != "" {
		id, e := c.idParam("category_id")
		if e != nil {
			return nil, e
		}
		cat = id
	}
	size, e := c.intParam("page_size", 200, 0, 200)
	if e != nil {
		return nil, e
	}
	if size == 0 {
		size = 200
	}
	offset := 0
	if sid := c.param("search_id"); sid != "" {
		if offset, e = s.parseSearchID(sid, feed, cat, c.now); e != nil {
			return nil, e
		}
	}
	ids := s.cat.FeedItemIDs(feed, cat, c.day)
	start := min(offset, len(ids))
	end := min(start+size, len(ids))
	next := ""
	if end < len(ids) {
		next = s.searchID(feed, cat, end, c.now)
	}
	out := rspOK(obj{
		"products":  wrap("number", ids[start:end], func(id int64) any { return id }),
		"search_id": next,
		"total":     len(ids),
	})
	out["ret"] = true
	return out, nil
}

// dsCategories is ds.category.get: the whole tree, or one category and its children.
func (s *Sandbox) dsCategories(c *call) (obj, *apiError) {
	all := s.cat.Categories()
	cats := all
	if v := c.param("categoryId"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return nil, isvError("UnsupportedParamMapping", "Unsupported or incorrect parameter: categoryId")
		}
		cats = nil
		if cat, ok := s.cat.Category(id); ok {
			cats = append(cats, cat)
			for _, child := range all {
				if child.ParentID == id {
					cats = append(cats, child)
				}
			}
		}
	}
	return respResult(obj{
		"total_result_count": len(cats),
		"categories":         wrap("category", cats, categoryObj),
	}), nil
}

// flexString takes a JSON string or number as a string.
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or a number")
	}
	*f = flexString(n.String())
	return nil
}

// flexBool takes true, false, "true" or "false".
type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(b), `"`) {
	case "true":
		*f = true
	case "false", "", "null":
		*f = false
	default:
		return fmt.Errorf("want true or false")
	}
	return nil
}

// dsFreight is ds.freight.query: the ways to send a SKU to a country, from queryDeliveryReq.
func (s *Sandbox) dsFreight(c *call) (obj, *apiError) {
	raw := c.param("queryDeliveryReq")
	if raw == "" {
		return nil, missingParam("queryDeliveryReq")
	}
	var req struct {
		Quantity      flexString `json:"quantity"`
		ShipToCountry string     `json:"shipToCountry"`
		ProductID     flexString `json:"productId"`
		SelectedSkuID flexString `json:"selectedSkuId"`
		Language      string     `json:"language"`
		Locale        string     `json:"locale"`
		Currency      string     `json:"currency"`
		ProvinceCode  string     `json:"provinceCode"`
		CityCode      string     `json:"cityCode"`
	}
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		return nil, invalidParam("queryDeliveryReq", "not valid JSON: "+err.Error())
	}
	for name, v := range map[string]string{
		"quantity": string(req.Quantity), "shipToCountry": req.ShipToCountry, "productId": string(req.ProductID),
		"selectedSkuId": string(req.SelectedSkuID), "language": req.Language, "locale": req.Locale, "currency": req.Currency,
	} {
		if strings.TrimSpace(v) == "" {
			return nil, missingParam("queryDeliveryReq." + name)
		}
	}
	qty, err := strconv.Atoi(string(req.Quantity))
	if err != nil || qty < 1 || qty > 9999 {
		return nil, invalidParam("queryDeliveryReq.quantity", "must be 1 to 9999")
	}
	country := strings.ToUpper(req.ShipToCountry)
	if !isCountry(country) {
		return nil, invalidParam("queryDeliveryReq.shipToCountry", "not a two-letter country code")
	}
	cur := strings.ToUpper(req.Currency)
	if _, ok := world.Convert(100, cur); !ok {
		return nil, invalidParam("queryDeliveryReq.currency", "unsupported currency")
	}
	pid, e := parseID("queryDeliveryReq.productId", string(req.ProductID))
	if e != nil {
		return nil, e
	}
	failure := func(code int, msg string) (obj, *apiError) {
		return obj{"result": obj{"success": false, "code": code, "msg": msg}}, nil
	}
	// A product or SKU the platform does not know answers DELIVERY_INFO_EMPTY ("the product ID is
	// wrong"). The reference gives no number for it; integrators report 501 from live traffic,
	// for a selectedSkuId that was a sku_attr.
	p, ok := s.productByID(pid, c.day)
	if !ok {
		return failure(501, "DELIVERY_INFO_EMPTY")
	}
	v, ok := variantBySKU(p, string(req.SelectedSkuID))
	if !ok {
		return failure(501, "DELIVERY_INFO_EMPTY")
	}
	opts := s.cat.Shipping(p, v.SKUID, country, qty)
	if len(opts) == 0 || slices.Contains(p.NotAllowedIn, country) {
		return failure(505, "DELIVERY_NOT_AVAILABLE_TO_YOUR_ADDRESS")
	}
	stock := s.available(v, c.day)
	option := func(o world.ShippingOption) any {
		eta := c.now.AddDate(0, 0, o.MaxDays)
		return obj{
			"code":                     o.Code,
			"company":                  o.Company,
			"shipping_fee_cent":        money(o.Fee, cur),
			"shipping_fee_currency":    cur,
			"shipping_fee_format":      priceFormat(o.Fee, cur),
			"free_shipping":            o.Free,
			"mayHavePFS":               o.FreeThreshold > 0,
			"free_shipping_threshold":  money(o.FreeThreshold, cur),
			"min_delivery_days":        o.MinDays,
			"max_delivery_days":        o.MaxDays,
			"guaranteed_delivery_days": strconv.Itoa(o.MaxDays + 5), // a String, as documented
			"delivery_date_desc":       eta.Format("Jan 02"),
			"estimated_delivery_time":  fmt.Sprintf("%d-%d", o.MinDays, o.MaxDays),
			"ship_from_country":        o.ShipFrom,
			"tracking":                 o.Tracking,
			"available_stock":          strconv.Itoa(stock),
			"ddpIncludeVATTax":         strconv.FormatBool(vatRates[country] > 0), // a String, as documented
		}
	}
	return obj{"result": obj{
		"success":          true,
		"code":             200,
		"msg":              respOK,
		"delivery_options": wrap("delivery_option_d_t_o", opts, option),
	}}, nil
}

// dsAddress is ds.address.get: the provinces of a country, as a JSON string in data.children. The
// string's inner shape is not documented; the Sandbox gives name, code, type and hasChildren. The
// envelope is the documented result{ret, code, msg, data{country, type, children}}, with the empty
// code and msg of a success (as tracking's live sample has them) and type "country" as in the
// sample.
func (s *Sandbox) dsAddress(c *call) (obj, *apiError) {
	country, e := c.countryParam("countryCode", true)
	if e != nil {
		return nil, e
	}
	if e := c.dsLanguage("language"); e != nil {
		return nil, e
	}
	type node struct {
		Name        string `json:"name"`
		Code        string `json:"code"`
		Type        string `json:"type"`
		HasChildren bool   `json:"hasChildren"`
	}
	nodes := []node{}
	for _, p := range provinces[country] {
		code, name, _ := strings.Cut(p, "|")
		nodes = append(nodes, node{Name: name, Code: code, Type: "province"})
	}
	children, _ := json.Marshal(nodes)
	return obj{"result": obj{
		"ret":  true,
		"code": "",
		"msg":  "",
		"data": obj{"country": country, "type": "country", "children": string(children)},
	}}, nil
}

// dsMemberBenefit is ds.member.benefit.get: result is a bare array in the documentation (its wrapper
// key, if live traffic has one, is not known), and canApply and canBenefit are documented as
// Strings ("true").
func (s *Sandbox) dsMemberBenefit(c *call) (obj, *apiError) {
	benefits := []any{obj{
		"code":       "auto-pay",
		"title":      "auto-pay",
		"canApply":   strconv.FormatBool(s.opts.AutoPayDisabled),
		"canBenefit": strconv.FormatBool(!s.opts.AutoPayDisabled),
	}}
	return rspOK(benefits), nil
}

// dsAddInfo is ds.add.info: the ISV reports a DS user's store (param0 JSON).
func (s *Sandbox) dsAddInfo(c *call) (obj, *apiError) {
	raw := c.param("param0")
	if raw == "" {
		return nil, missingParam("param0")
	}
	var req map[string]any
	if err := json.Unmarshal([]byte(raw), &req); err != nil {
		return nil, invalidParam("param0", "not a JSON object")
	}
	if u, ok := req["store_url"].(string); ok && u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		return nil, invalidParam("param0.store_url", "not an http(s) URL")
	}
	return rspOK(true), nil
}

// dsOrderDataSubmit is ds.member.orderdata.submit: the ISV reports a sale made off AliExpress.
func (s *Sandbox) dsOrderDataSubmit(c *call) (obj, *apiError) {
	for _, name := range []string{"ae_orderid", "ae_product_id", "order_amount", "paytime"} {
		if c.param(name) == "" {
			return nil, missingParam(name)
		}
	}
	if _, e := c.idParam("ae_orderid"); e != nil {
		return nil, e
	}
	if _, e := c.idParam("ae_product_id"); e != nil {
		return nil, e
	}
	for _, name := range []string{"order_amount", "product_amount"} {
		if v := c.param(name); v != "" && !isAmount(v) {
			return nil, invalidParam(name, "want an amount with 2 decimals")
		}
	}
	if _, err := time.Parse("20060102:150405", c.param("paytime")); err != nil {
		return nil, invalidParam("paytime", "want YYYYMMDD:HHMMSS (GMT)")
	}
	return rspOK(true), nil
}

// isAmount reports whether v is a non-negative decimal with at most 2 decimals.
func isAmount(v string) bool {
	whole, frac, _ := strings.Cut(v, ".")
	return allDigits(whole) && len(frac) <= 2 && (frac == "" || allDigits(frac))
}
