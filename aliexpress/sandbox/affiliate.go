package sandbox

import (
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// Affiliate APIs answer inside resp_result{resp_code, resp_msg, result}.
const (
	respOK        = "Call succeeds"
	respNoResults = "No query results were found for the input parameter"
)

func respResult(result obj) obj {
	return obj{"resp_result": obj{"resp_code": 200, "resp_msg": respOK, "result": result}}
}

// respEmpty is the affiliate family's "no results": resp_code 405.
func respEmpty() obj {
	return obj{"resp_result": obj{"resp_code": 405, "resp_msg": respNoResults}}
}

// affView says how to render affiliate products for one call.
type affView struct {
	currency string
	tracking string
	fields   map[string]bool // nil = all
}

func (c *call) affView() (affView, *apiError) {
	cur, e := c.currencyParam("target_currency", "USD")
	if e != nil {
		return affView{}, e
	}
	if e := c.affLanguage(); e != nil {
		return affView{}, e
	}
	v := affView{currency: cur, tracking: c.param("tracking_id")}
	if f := c.param("fields"); f != "" {
		v.fields = map[string]bool{}
		for _, name := range strings.Split(f, ",") {
			if name = strings.TrimSpace(name); name != "" {
				v.fields[name] = true
			}
		}
	}
	return v, nil
}

// affProduct renders the affiliate product object of §5.1.
func (s *Sandbox) affProduct(c *call, p world.Product, v affView) obj {
	images := make([]string, 0, len(p.Images))
	for _, img := range p.Images {
		images = append(images, c.abs(img))
	}
	main := ""
	if len(images) > 0 {
		main = images[0]
	}
	top, _ := s.cat.Category(p.TopCategoryID)
	sub, _ := s.cat.Category(p.CategoryID)
	shop, _ := s.cat.Shop(p.ShopID)
	out := obj{
		"product_id":                      p.ID,
		"product_title":                   p.Title,
		"product_detail_url":              productURL(p.ID),
		"product_main_image_url":          main,
		"product_small_image_urls":        wrap("string", images, func(u string) any { return u }),
		"original_price":                  money(p.OriginalPrice, "USD"),
		"original_price_currency":         "USD",
		"sale_price":                      money(p.SalePrice, "USD"),
		"sale_price_currency":             "USD",
		"app_sale_price":                  money(p.AppSalePrice, "USD"),
		"app_sale_price_currency":         "USD",
		"target_original_price":           money(p.OriginalPrice, v.currency),
		"target_original_price_currency":  v.currency,
		"target_sale_price":               money(p.SalePrice, v.currency),
		"target_sale_price_currency":      v.currency,
		"target_app_sale_price":           money(p.AppSalePrice, v.currency),
		"target_app_sale_price_currency":  v.currency,
		"discount":                        strconv.Itoa(p.DiscountPct) + "%",
		"evaluate_rate":                   pct(p.PositiveRate),
		"lastest_volume":                  p.Orders30d,
		"commission_rate":                 pct(p.CommissionRate),
		"hot_product_commission_rate":     pct(p.HotCommissionRate),
		"relevant_market_commission_rate": pct(p.CommissionRate),
		"first_level_category_id":         top.ID,
		"first_level_category_name":       top.Name,
		"second_level_category_id":        sub.ID,
		"second_level_category_name":      sub.Name,
		"shop_id":                         p.ShopID,
		"shop_url":                        shopURL(p.ShopID),
		"shop_name":                       shop.Name,
		"platform_product_type":           p.PlatformType,
	}
	if p.VideoURL != "" {
		out["product_video_url"] = c.abs(p.VideoURL)
	}
	if len(p.Variants) > 0 {
		out["sku_id"] = skuNumber(p.Variants[0].SKUID)
	}
	if v.tracking != "" {
		out["promotion_link"] = s.shortLink(v.tracking, productURL(p.ID))
	}
	if v.fields != nil {
		// fields narrows the answer; product_id is kept so that the rest can be matched up (the
		// platform's behaviour for an omitted product_id is not known).
		for k := range out {
			if k != "product_id" && !v.fields[k] {
				delete(out, k)
			}
		}
	}
	return out
}

// productPage renders one page of a search in the product.query result shape.
func (s *Sandbox) productPage(c *call, res world.Result, page, size int, v affView) obj {
	totalPages := (res.Total + size - 1) / size
	return obj{
		"current_page_no":      page,
		"current_record_count": len(res.Products),
		"total_page_no":        totalPages,
		"total_record_count":   res.Total,
		"products":             wrap("product", res.Products, func(p world.Product) any { return s.affProduct(c, p, v) }),
	}
}

// maxPageNo bounds page_no so that page*size stays small; beyond it nothing is found anyway.
const maxPageNo = 100000

var affSorts = []string{world.SortPriceAsc, world.SortPriceDesc, world.SortVolumeAsc, world.SortVolumeDesc}

// affProductQuery is product.query, and with hot hotproduct.query (which also sorts by discount).
func (s *Sandbox) affProductQuery(hot bool) func(*call) (obj, *apiError) {
	return func(c *call) (obj, *apiError) {
		v, e := c.affView()
		if e != nil {
			return nil, e
		}
		q := world.Query{Keywords: c.param("keywords"), HotOnly: hot, Promo: c.param("promotion_name")}
		if q.CategoryIDs, e = c.idList("category_ids"); e != nil {
			return nil, e
		}
		if q.Page, e = c.intParam("page_no", 1, 1, maxPageNo); e != nil {
			return nil, e
		}
		if q.PageSize, e = c.intParam("page_size", 50, 1, 50); e != nil {
			return nil, e
		}
		// min/max_sale_price are in cents of the target currency, as two SDKs document them (the
		// unit is disputed).
		for _, name := range []string{"min_sale_price", "max_sale_price"} {
			n, e := c.intParam(name, 0, 0, 1<<31-1)
			if e != nil {
				return nil, e
			}
			if n > 0 {
				usd := max(toUSDCents(int64(n), v.currency), 1)
				if name == "min_sale_price" {
					q.MinPrice = usd
				} else {
					q.MaxPrice = usd
				}
			}
		}
		sorts := affSorts
		if hot {
			sorts = append(slices.Clone(affSorts), world.SortDiscountAsc, world.SortDiscountDsc)
		}
		if q.Sort = strings.ToUpper(c.param("sort")); q.Sort != "" && !slices.Contains(sorts, q.Sort) {
			return nil, invalidParam("sort", "unsupported sort")
		}
		if q.PlatformType = strings.ToUpper(c.param("platform_product_type")); !slices.Contains([]string{"", "ALL", "PLAZA", "TMALL"}, q.PlatformType) {
			return nil, invalidParam("platform_product_type", "must be ALL, PLAZA or TMALL")
		}
		if d := c.param("delivery_days"); d != "" {
			if !slices.Contains([]string{"3", "5", "7", "10"}, d) {
				return nil, invalidParam("delivery_days", "must be 3, 5, 7 or 10")
			}
			q.DeliveryDays, _ = strconv.Atoi(d)
		}
		if q.ShipTo, e = c.countryParam("ship_to_country", false); e != nil {
			return nil, e
		}
		res := s.cat.Search(q, c.day)
		if len(res.Products) == 0 {
			return respEmpty(), nil
		}
		return respResult(s.productPage(c, res, q.Page, q.PageSize, v)), nil
	}
}

// affProductDetail is productdetail.get: many IDs in one comma-separated product_ids.
func (s *Sandbox) affProductDetail(c *call) (obj, *apiError) {
	v, e := c.affView()
	if e != nil {
		return nil, e
	}
	if c.param("product_ids") == "" {
		return nil, missingParam("product_ids")
	}
	ids, e := c.idList("product_ids")
	if e != nil {
		return nil, e
	}
	if len(ids) > s.opts.MaxProductIDs {
		return nil, invalidParam("product_ids", "at most "+strconv.Itoa(s.opts.MaxProductIDs)+" IDs per call")
	}
	country, e := c.countryParam("country", false)
	if e != nil {
		return nil, e
	}
	var products []world.Product
	for _, id := range ids {
		p, ok := s.cat.Product(id, c.day)
		if !ok || (country != "" && !s.shipsTo(p, country)) {
			continue
		}
		products = append(products, p)
	}
	if len(products) == 0 {
		return respEmpty(), nil
	}
	return respResult(obj{
		"current_record_count": len(products),
		"products":             wrap("product", products, func(p world.Product) any { return s.affProduct(c, p, v) }),
	}), nil
}

// shipsTo reports whether p can be sent to country at all.
func (s *Sandbox) shipsTo(p world.Product, country string) bool {
	if slices.Contains(p.NotAllowedIn, country) || len(p.Variants) == 0 {
		return false
	}
	return len(s.cat.Shipping(p, p.Variants[0].SKUID, country, 1)) > 0
}

func categoryObj(cat world.Category) any {
	o := obj{"category_id": cat.ID, "category_name": cat.Name}
	if cat.ParentID != 0 { // top-level categories have no parent_category_id at all
		o["parent_category_id"] = cat.ParentID
	}
	return o
}

func (s *Sandbox) affCategories(c *call) (obj, *apiError) {
	cats := s.cat.Categories()
	return respResult(obj{
		"total_result_count": len(cats),
		"categories":         wrap("category", cats, categoryObj),
	}), nil
}

// productIDPatterns find a product ID in an AliExpress URL, in the order of §8.
var productIDPatterns = []*regexp.Regexp{
	regexp.MustCompile(`/item/(?:[^/]+/)?(\d{8,20})\.html`),
	regexp.MustCompile(`/i/(\d{8,20})(?:\.html)?`),
	regexp.MustCompile(`[?&](?:productId|objectId|item_id)=(\d{8,20})`),
}

// aliexpressHost reports whether host is one of AliExpress's own sites.
func aliexpressHost(host string) bool {
	host = strings.ToLower(host)
	for _, d := range []string{"aliexpress.com", "aliexpress.us", "aliexpress.ru"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}

// affLinkGenerate is link.generate: one promotion link per source value.
func (s *Sandbox) affLinkGenerate(c *call) (obj, *apiError) {
	lt := c.param("promotion_link_type")
	if lt == "" {
		return nil, missingParam("promotion_link_type")
	}
	if lt != "0" && lt != "1" && lt != "2" {
		return nil, invalidParam("promotion_link_type", "must be 0, 1 or 2")
	}
	sources := c.param("source_values")
	if sources == "" {
		return nil, missingParam("source_values")
	}
	tracking := c.param("tracking_id")
	if tracking == "" {
		return nil, missingParam("tracking_id")
	}
	if _, e := c.countryParam("ship_to_country", false); e != nil {
		return nil, e
	}
	var links []any
	made := 0
	for _, src := range strings.Split(sources, ",") {
		src = strings.TrimSpace(src)
		if src == "" {
			continue
		}
		entry := obj{"source_value": src}
		if msg := s.linkable(c, src); msg != "" {
			entry["message"] = msg
		} else {
			entry["promotion_link"] = s.shortLink(tracking, src)
			made++
		}
		links = append(links, entry)
	}
	if made == 0 {
		return respEmpty(), nil
	}
	return respResult(obj{
		"total_result_count": made,
		"tracking_id":        tracking,
		"promotion_links":    wrapped{key: "promotion_link", items: links},
	}), nil
}

// linkable returns why a source value cannot be turned into a promotion link, or "".
func (s *Sandbox) linkable(c *call, src string) string {
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || !aliexpressHost(u.Host) {
		return "The source value is not an AliExpress link"
	}
	for _, re := range productIDPatterns {
		if m := re.FindStringSubmatch(src); m != nil {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			if _, ok := s.productByID(id, c.day); !ok {
				return "The product does not exist or is not an affiliate product"
			}
			return ""
		}
	}
	return ""
}

// productByID looks a product up by its ID or by its US-market sub ID (3256... for 1005...).
func (s *Sandbox) productByID(id int64, day int) (world.Product, bool) {
	if p, ok := s.cat.Product(id, day); ok {
		return p, true
	}
	if main, ok := mainProductID(id); ok {
		return s.cat.Product(main, day)
	}
	return world.Product{}, false
}

// subProductID is the US-market ID of a product, as product_id_converter_result gives it.
func subProductID(id int64) (int64, bool) {
	v := strconv.FormatInt(id, 10)
	if !strings.HasPrefix(v, "1005") {
		return 0, false
	}
	n, err := strconv.ParseInt("3256"+v[4:], 10, 64)
	return n, err == nil
}

func mainProductID(id int64) (int64, bool) {
	v := strconv.FormatInt(id, 10)
	if !strings.HasPrefix(v, "3256") {
		return 0, false
	}
	n, err := strconv.ParseInt("1005"+v[4:], 10, 64)
	return n, err == nil
}

// affSmartMatch is product.smartmatch: products like a given one, or matching keywords, or the hot ones.
func (s *Sandbox) affSmartMatch(c *call) (obj, *apiError) {
	v, e := c.affView()
	if e != nil {
		return nil, e
	}
	// device_id is required but may be empty when keywords or product_id say what to match.
	if c.param("device_id") == "" && c.param("keywords") == "" && c.param("product_id") == "" {
		return nil, missingParam("device_id")
	}
	q := world.Query{Keywords: c.param("keywords"), PageSize: 20}
	if q.Page, e = c.intParam("page_no", 1, 1, maxPageNo); e != nil {
		return nil, e
	}
	if q.ShipTo, e = c.countryParam("country", false); e != nil {
		return nil, e
	}
	if c.param("product_id") != "" {
		id, e := c.idParam("product_id")
		if e != nil {
			return nil, e
		}
		p, ok := s.cat.Product(id, c.day)
		if !ok {
			return respEmpty(), nil
		}
		q.CategoryIDs = []int64{p.CategoryID}
		q.Sort = world.SortVolumeDesc
	} else if q.Keywords == "" {
		q.HotOnly = true
		q.Sort = world.SortVolumeDesc
	}
	res := s.cat.Search(q, c.day)
	if len(res.Products) == 0 {
		return respEmpty(), nil
	}
	return respResult(s.productPage(c, res, q.Page, q.PageSize, v)), nil
}

func promoObj(p world.Promo) any {
	return obj{"promo_name": p.Name, "promo_desc": p.Desc, "product_num": p.ProductNum}
}

func (s *Sandbox) affPromos(c *call) (obj, *apiError) {
	promos := s.cat.Promos()
	return respResult(obj{
		"current_record_count": len(promos),
		"promos":               wrap("promo", promos, promoObj),
	}), nil
}

// featuredSorts maps the featuredpromo sort names to catalog orders; those the catalog has no order
// for keep its default order.
var featuredSorts = map[string]string{
	"commissionAsc": world.SortDefault, "commissionDesc": world.SortCommission,
	"priceAsc": world.SortPriceAsc, "priceDesc": world.SortPriceDesc,
	"volumeAsc": world.SortVolumeAsc, "volumeDesc": world.SortVolumeDesc,
	"discountAsc": world.SortDiscountAsc, "discountDesc": world.SortDiscountDsc,
	"ratingAsc": world.SortRatingAsc, "ratingDesc": world.SortRatingDesc,
	"promotionTimeAsc": world.SortDefault, "promotionTimeDesc": world.SortDefault,
}

// affPromoProducts is featuredpromo.products.get: product.query's result plus is_finished.
func (s *Sandbox) affPromoProducts(c *call) (obj, *apiError) {
	v, e := c.affView()
	if e != nil {
		return nil, e
	}
	q := world.Query{Promo: c.param("promotion_name")}
	if c.param("category_id") != "" {
		id, e := c.idParam("category_id")
		if e != nil {
			return nil, e
		}
		q.CategoryIDs = []int64{id}
	}
	if srt := c.param("sort"); srt != "" {
		var ok bool
		if q.Sort, ok = featuredSorts[srt]; !ok {
			return nil, invalidParam("sort", "unsupported sort")
		}
	}
	for _, name := range []string{"promotion_start_time", "promotion_end_time"} {
		if t := c.param(name); t != "" {
			if _, err := time.ParseInLocation(time.DateTime, t, pst); err != nil {
				return nil, invalidParam(name, "want yyyy-MM-dd HH:mm:ss")
			}
		}
	}
	if q.Page, e = c.intParam("page_no", 1, 1, maxPageNo); e != nil {
		return nil, e
	}
	if q.PageSize, e = c.intParam("page_size", 50, 1, 50); e != nil {
		return nil, e
	}
	if q.ShipTo, e = c.countryParam("country", false); e != nil {
		return nil, e
	}
	res := s.cat.Search(q, c.day)
	if len(res.Products) == 0 {
		return respEmpty(), nil
	}
	page := s.productPage(c, res, q.Page, q.PageSize, v)
	page["is_finished"] = q.Page*q.PageSize >= res.Total
	return respResult(page), nil
}

var localeSites = []string{"global", "it_site", "es_site", "ru_site"}

// affHotDownload is hotproduct.download: the hot products of one category.
func (s *Sandbox) affHotDownload(c *call) (obj, *apiError) {
	v, e := c.affView()
	if e != nil {
		return nil, e
	}
	id, e := c.idParam("category_id")
	if e != nil {
		return nil, e
	}
	if ls := c.param("locale_site"); ls != "" && !slices.Contains(localeSites, ls) {
		return nil, invalidParam("locale_site", "unsupported site")
	}
	q := world.Query{CategoryIDs: []int64{id}, HotOnly: true, Sort: world.SortVolumeDesc}
	if q.Page, e = c.intParam("page_no", 1, 1, maxPageNo); e != nil {
		return nil, e
	}
	if q.PageSize, e = c.intParam("page_size", 50, 1, 50); e != nil {
		return nil, e
	}
	if q.ShipTo, e = c.countryParam("country", false); e != nil {
		return nil, e
	}
	res := s.cat.Search(q, c.day)
	if len(res.Products) == 0 {
		return respEmpty(), nil
	}
	return respResult(s.productPage(c, res, q.Page, q.PageSize, v)), nil
}

// Affiliate order statuses and the time each is filtered by.
var (
	affOrderStatuses = []string{"Payment Completed", "Buyer Confirmed Receipt", "Completed Settlement", "Invalid"}
	affTimeTypes     = []string{"Payment Completed Time", "Buyer Confirmed Receipt Time", "Completed Settlement Time"}
)

// affOrderWindow is how far back order.get looks for the IDs it is given.
const affOrderWindow = 180 * 24 * time.Hour

func pstTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(pst).Format(time.DateTime)
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// affOrder renders an affiliate order. Amounts are Numbers in the docs with an unknown unit; the
// Sandbox gives cents.
func (s *Sandbox) affOrder(c *call, o world.AffiliateOrder, custom string) any {
	out := obj{
		"order_id":                      o.OrderID,
		"sub_order_id":                  o.SubOrderID,
		"parent_order_number":           o.OrderID,
		"order_number":                  o.SubOrderID,
		"order_status":                  o.Status,
		"order_type":                    "global",
		"order_platform":                "affiliate_platform",
		"tracking_id":                   o.TrackingID,
		custom:                          "",
		"created_time":                  pstTime(o.CreatedAt),
		"paid_time":                     pstTime(o.PaidAt),
		"finished_time":                 pstTime(o.FinishedAt),
		"paid_amount":                   o.PaidAmount,
		"finished_amount":               0,
		"estimated_paid_commission":     o.Commission,
		"estimated_finished_commission": 0,
		"commission_rate":               pct(o.CommissionPc),
		"incentive_commission_rate":     "0.0%",
		"new_buyer_bonus_commission":    0,
		"is_new_buyer":                  "N",
		"is_hot_product":                yn(o.CommissionPc >= 10),
		"is_affiliate_product":          "Y",
		"effect_detail_status":          o.Status,
		"settled_currency":              "USD",
		"ship_to_country":               o.ShipTo,
		"product_id":                    o.ProductID,
		"product_title":                 o.ProductTitle,
		"product_detail_url":            productURL(o.ProductID),
		"product_count":                 o.Count,
		"category_id":                   o.CategoryID,
	}
	if p, ok := s.cat.Product(o.ProductID, c.day); ok && len(p.Images) > 0 {
		out["product_main_image_url"] = c.abs(p.Images[0])
	}
	if !o.FinishedAt.IsZero() {
		out["finished_amount"] = o.PaidAmount
		out["estimated_finished_commission"] = o.Commission
	}
	return out
}

// orderTime is the time of o that a time_type filters by.
func orderTime(o world.AffiliateOrder, timeType string) time.Time {
	switch timeType {
	case "Buyer Confirmed Receipt Time", "Completed Settlement Time":
		return o.FinishedAt
	}
	return o.PaidAt
}

// affOrderList is order.list: the publisher's orders in a PST time range, by status.
func (s *Sandbox) affOrderList(c *call) (obj, *apiError) {
	var from, to time.Time
	for _, name := range []string{"start_time", "end_time"} {
		v := c.param(name)
		if v == "" {
			return nil, missingParam(name)
		}
		t, err := time.ParseInLocation(time.DateTime, v, pst)
		if err != nil {
			return nil, invalidParam(name, "want yyyy-MM-dd HH:mm:ss (PST)")
		}
		if name == "start_time" {
			from = t
		} else {
			to = t
		}
	}
	if to.Before(from) {
		return nil, invalidParam("end_time", "before start_time")
	}
	status := c.param("status")
	if status == "" {
		return nil, missingParam("status")
	}
	if !slices.Contains(affOrderStatuses, status) {
		return nil, invalidParam("status", "unsupported status")
	}
	timeType := c.param("time_type")
	if timeType == "" {
		timeType = affTimeTypes[0]
	} else if !slices.Contains(affTimeTypes, timeType) {
		return nil, invalidParam("time_type", "unsupported time type")
	}
	if ls := c.param("locale_site"); ls != "" && !slices.Contains(localeSites, ls) {
		return nil, invalidParam("locale_site", "unsupported site")
	}
	page, e := c.intParam("page_no", 1, 1, maxPageNo)
	if e != nil {
		return nil, e
	}
	size, e := c.intParam("page_size", 20, 1, 50)
	if e != nil {
		return nil, e
	}
	// Orders paid long before the range may be confirmed or settled inside it; statuses are as of
	// now, and no order comes from the future.
	all := s.cat.AffiliateOrdersAsOf("", from.Add(-120*24*time.Hour), minTime(to, c.now), c.now)
	var match []world.AffiliateOrder
	for _, o := range all {
		t := orderTime(o, timeType)
		if o.Status == status && !t.IsZero() && !t.Before(from) && !t.After(to) {
			match = append(match, o)
		}
	}
	start := (page - 1) * size
	if start >= len(match) {
		return respEmpty(), nil
	}
	pageOrders := match[start:min(start+size, len(match))]
	return respResult(obj{
		"current_page_no":      page,
		"current_record_count": len(pageOrders),
		"total_page_no":        (len(match) + size - 1) / size,
		"total_record_count":   len(match),
		"orders":               wrap("order", pageOrders, func(o world.AffiliateOrder) any { return s.affOrder(c, o, "custom_parameters") }),
	}), nil
}

// affOrderGet is order.get: orders by ID (looked for in the last 180 days).
func (s *Sandbox) affOrderGet(c *call) (obj, *apiError) {
	if c.param("order_ids") == "" {
		return nil, missingParam("order_ids")
	}
	ids, e := c.idList("order_ids")
	if e != nil {
		return nil, e
	}
	if len(ids) > 50 {
		return nil, invalidParam("order_ids", "at most 50 IDs per call")
	}
	var found []world.AffiliateOrder
	for _, o := range s.cat.AffiliateOrdersAsOf("", c.now.Add(-affOrderWindow), c.now, c.now) {
		if slices.Contains(ids, o.OrderID) || slices.Contains(ids, o.SubOrderID) {
			found = append(found, o)
		}
	}
	if len(found) == 0 {
		return respEmpty(), nil
	}
	return respResult(obj{
		"current_record_count": len(found),
		"orders":               wrap("order", found, func(o world.AffiliateOrder) any { return s.affOrder(c, o, "customer_parameters") }),
	}), nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// variantBySKU finds a variant of p by its SKU ID.
func variantBySKU(p world.Product, sku string) (world.Variant, bool) {
	for _, v := range p.Variants {
		if v.SKUID == sku {
			return v, true
		}
	}
	return world.Variant{}, false
}

// affShipping is product.shipping.get: the cheapest way to send one SKU to a country.
func (s *Sandbox) affShipping(c *call) (obj, *apiError) {
	for _, name := range []string{"product_id", "sku_id", "ship_to_country", "target_currency", "target_sale_price", "target_language", "tax_rate"} {
		if c.param(name) == "" {
			return nil, missingParam(name)
		}
	}
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
	if e := c.affLanguage(); e != nil {
		return nil, e
	}
	p, ok := s.cat.Product(id, c.day)
	if !ok {
		return respEmpty(), nil
	}
	v, ok := variantBySKU(p, c.param("sku_id"))
	if !ok {
		return respEmpty(), nil
	}
	opts := s.cat.Shipping(p, v.SKUID, country, 1)
	if len(opts) == 0 || slices.Contains(p.NotAllowedIn, country) {
		return respEmpty(), nil
	}
	o := opts[0]
	return respResult(obj{
		"delivery_days":         o.MaxDays,
		"min_delivery_days":     o.MinDays,
		"max_delivery_days":     o.MaxDays,
		"shipping_fee":          money(o.Fee, cur),
		"shipping_fee_currency": cur,
		"ship_from_country":     o.ShipFrom,
	}), nil
}

// affSKUDetail is product.sku.detail.get. Its payload sits in result{code, success, result{...}}; the
// SKU list wrapper traffic_sku_info_list is taken from a third-party client and is uncertain.
func (s *Sandbox) affSKUDetail(c *call) (obj, *apiError) {
	for _, name := range []string{"ship_to_country", "product_id", "target_currency", "target_language"} {
		if c.param(name) == "" {
			return nil, missingParam(name)
		}
	}
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
	if e := c.affLanguage(); e != nil {
		return nil, e
	}
	deliver := strings.EqualFold(c.param("need_deliver_info"), "Yes")
	var want []string
	for _, f := range strings.Split(c.param("sku_ids"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			want = append(want, f)
		}
	}
	empty := obj{"result": obj{"code": 405, "success": false, "msg": respNoResults}}
	p, ok := s.cat.Product(id, c.day)
	if !ok || slices.Contains(p.NotAllowedIn, country) {
		return empty, nil
	}
	var skus []world.Variant
	for _, v := range p.Variants {
		if len(want) == 0 || slices.Contains(want, v.SKUID) {
			skus = append(skus, v)
		}
	}
	if len(want) == 0 && len(skus) > 20 {
		skus = skus[:20]
	}
	if len(skus) == 0 {
		return empty, nil
	}
	shop, _ := s.cat.Shop(p.ShopID)
	info := obj{
		"product_id":               p.ID,
		"title":                    p.Title,
		"original_link":            productURL(p.ID),
		"store_name":               shop.Name,
		"store_url":                shopURL(p.ShopID),
		"first_level_category_id":  p.TopCategoryID,
		"second_level_category_id": p.CategoryID,
		"evaluate_rate":            pct(p.PositiveRate),
		"lastest_volume":           p.Orders30d,
	}
	if len(p.Images) > 0 {
		info["image_link"] = c.abs(p.Images[0])
	}
	if t := c.param("tracking_id"); t != "" {
		info["promotion_link"] = s.shortLink(t, productURL(p.ID))
	}
	sku := func(v world.Variant) any {
		props := make([]string, 0, len(v.Values))
		for _, pv := range v.Values {
			props = append(props, pv.PropertyName+":"+pv.ValueName)
		}
		o := obj{
			"sku_id":              skuNumber(v.SKUID),
			"sku_attr":            v.Attr,
			"sku_properties":      strings.Join(props, ";"),
			"currency":            cur,
			"price":               money(v.Price, cur),
			"sale_price":          money(v.SalePrice, cur),
			"sale_price_with_tax": money(v.SalePrice, cur),
			"discount_rate":       strconv.Itoa(discountPct(v.Price, v.SalePrice)) + "%",
			"available_stock":     v.Stock,
		}
		if v.Image != "" {
			o["sku_image_link"] = c.abs(v.Image)
		}
		if deliver {
			if opts := s.cat.Shipping(p, v.SKUID, country, 1); len(opts) > 0 {
				o["shipping_fee"] = money(opts[0].Fee, cur)
				o["min_delivery_days"] = opts[0].MinDays
				o["max_delivery_days"] = opts[0].MaxDays
				o["ship_from_country"] = opts[0].ShipFrom
			}
		}
		return o
	}
	return obj{"result": obj{
		"code":    200,
		"success": true,
		"result": obj{
			"ae_item_info":     info,
			"ae_item_sku_info": wrap("traffic_sku_info_list", skus, sku),
		},
	}}, nil
}

func discountPct(list, sale int64) int {
	if list <= 0 || sale >= list {
		return 0
	}
	return int((list-sale)*100/list + 0) // rounded down, as the catalog's figures are whole percents
}
