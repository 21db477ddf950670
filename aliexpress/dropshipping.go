package aliexpress

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// This file holds aliexpress.ds.product.get and the helpers every dropshipping file shares. The
// wire structs use the tolerant scalar and list types of wire.go, so a field written as a number in
// live traffic and as a string in the documentation demos decodes the same; conversion to the
// exported types then names the field of any value that cannot be read (a price, mostly).

// DSProductOptions are the parameters of DSService.Product besides the product ID.
type DSProductOptions struct {
	// ShipTo is the destination country, two letters ("US"); required. Price, stock and
	// availability depend on it.
	ShipTo string
	// Currency is the currency prices are given in (target_currency, e.g. "EUR"); "USD" when
	// empty. Variant prices that name no currency of their own are in it.
	Currency string
	// Language is the language of titles and descriptions (target_language, "en" or "en_US").
	Language string
	// RemovePersonalBenefit asks for prices without promotions aimed at the token's account.
	RemovePersonalBenefit bool
	// ProvinceCode and CityCode narrow the destination for local-to-local products.
	ProvinceCode string
	CityCode     string
}

// DSProduct is a product as the Dropshipping API describes it for one destination and one account.
type DSProduct struct {
	ID           int64
	Title        string // untrusted text
	CategoryID   int64
	CategoryPath string // category_sequence as the platform writes it
	// Currency is the product's base currency (currency_code of its base info). Variant prices
	// carry their own, which may differ: the currency the request asked for, as a rule.
	Currency         string
	Status           string // product_status_type, e.g. "onSelling"
	DetailHTML       string // untrusted HTML; sanitize before showing
	MobileDetailHTML string // untrusted HTML; sanitize before showing
	Rating           float64
	EvaluationCount  int
	// SalesCount is the platform's text, which may be rounded ("1000+").
	SalesCount string
	Created    string // gmt_create as the platform writes it ("2024-09-09 21:00:03")
	Modified   string // gmt_modified

	Images     []string // from the ';'-separated image_urls, in order; the first is the main image
	Videos     []DSVideo
	Variants   []DSVariant
	Attributes []DSAttribute
	Package    DSPackage
	Store      DSStore

	ShipTo       string // the destination the answer is for
	DeliveryDays int    // lead time in days (logistics_info_dto.delivery_time)
	HasWholesale bool

	// MainProductID and SubProductIDs come from product_id_converter_result: some markets list
	// the product under another ID. USProductID is SubProductIDs["US"], the ID to use for the US.
	MainProductID int64
	SubProductIDs map[string]int64
	USProductID   int64

	Manufacturer *DSManufacturer // nil when the platform gives none
}

// DSVariant is one SKU of a DSProduct.
type DSVariant struct {
	// SKUID is the platform's SKU ID (up to 17 digits), kept as text; DSService.Freight wants it.
	SKUID string
	// Attr is the variant's attribute string ("14:175#Black;5:100014064#XL"); OrderItem.SKUAttr
	// wants it. It is empty for a single-SKU product.
	Attr      string
	Price     Money // list price of one unit (sku_price)
	SalePrice Money // the price to pay for one unit (offer_sale_price)
	BulkPrice Money // price of one unit from BulkMin units on (offer_bulk_sale_price)
	BulkMin   int
	Stock     int
	// PriceIncludesTax reports whether the prices include the destination's tax.
	PriceIncludesTax bool
	Tax              Money // tax_amount, when given
	// EstimatedImportCharges is nil when the platform gives none, which means the price already
	// includes import charges (US).
	EstimatedImportCharges *Money
	Barcode                string
	EAN                    string
	SKUCode                string
	// BuyLimit is the most units a promotion lets one buyer order (0 = none); LimitStrategy says
	// what happens past it ("create_order_fail" or "back_to_normal_price").
	BuyLimit       int
	LimitStrategy  string
	WholesaleTiers []WholesaleTier
	Properties     []SKUProperty
}

// WholesaleTier is a quantity price break of a variant.
type WholesaleTier struct {
	MinQuantity int
	Discount    string // as the platform writes it
	Price       Money
}

// SKUProperty is one dimension value of a variant, e.g. Color = Black.
type SKUProperty struct {
	ID             int64  // sku_property_id
	Name           string // sku_property_name, e.g. "Color"
	Value          string // sku_property_value
	ValueID        int64  // property_value_id
	DefinitionName string // property_value_definition_name: the seller's own name for the value
	Image          string // sku_image, when the value has a picture
}

// DSAttribute is one item property (Brand Name, Material, ...).
type DSAttribute struct {
	NameID  int64
	Name    string
	ValueID int64
	Value   string
	Unit    string
	Start   string
	End     string
}

// DSVideo is a product video.
type DSVideo struct {
	ID        int64
	Type      string
	Status    string
	URL       string
	PosterURL string
}

// DSPackage is the shipping package of one unit.
type DSPackage struct {
	LengthCM, WidthCM, HeightCM int
	// WeightKG is gross_weight as the platform writes it ("0.050"); Grams is the same weight read
	// exactly (0 when the text is not a decimal).
	WeightKG string
	Grams    int
	// SoldInLots reports whether the product is sold by the lot (package_type).
	SoldInLots  bool
	ProductUnit string
	BaseUnit    string
}

// DSStore is the seller of a DSProduct.
type DSStore struct {
	ID              int64
	Name            string // untrusted text
	Country         string // the store's country, usable as ship-from
	ItemAsDescribed float64
	Communication   float64
	ShippingSpeed   float64
}

// DSManufacturer is the manufacturer information some products carry (EU rules).
type DSManufacturer struct {
	Name, Address, Email, Country, PhonePrefix, Phone string
}

type dsProductWire struct {
	Base         obj[dsBaseWire]         `json:"ae_item_base_info_dto"`
	SKUs         list[dsSKUWire]         `json:"ae_item_sku_info_dtos"`
	Properties   list[dsItemPropWire]    `json:"ae_item_properties"`
	Multimedia   obj[dsMediaWire]        `json:"ae_multimedia_info_dto"`
	Package      obj[dsPackageWire]      `json:"package_info_dto"`
	Logistics    obj[dsLogisticsWire]    `json:"logistics_info_dto"`
	Store        obj[dsStoreWire]        `json:"ae_store_info"`
	Converter    obj[dsConverterWire]    `json:"product_id_converter_result"`
	HasWholesale flexBool                `json:"has_whole_sale"`
	Manufacturer obj[dsManufacturerWire] `json:"manufacturer_info"`
}

func (w *dsProductWire) members() ([]string, []any) {
	return []string{"ae_item_base_info_dto", "ae_item_sku_info_dtos", "ae_item_properties", "ae_multimedia_info_dto",
			"package_info_dto", "logistics_info_dto", "ae_store_info", "product_id_converter_result", "has_whole_sale",
			"manufacturer_info"},
		[]any{&w.Base, &w.SKUs, &w.Properties, &w.Multimedia, &w.Package, &w.Logistics, &w.Store, &w.Converter,
			&w.HasWholesale, &w.Manufacturer}
}

type dsBaseWire struct {
	ProductID        flexInt    `json:"product_id"`
	Subject          flexText   `json:"subject"`
	CategoryID       flexInt    `json:"category_id"`
	CategorySequence flexString `json:"category_sequence"`
	Currency         flexString `json:"currency_code"`
	Status           flexString `json:"product_status_type"`
	Detail           flexText   `json:"detail"`
	MobileDetail     flexText   `json:"mobile_detail"`
	Rating           flexFloat  `json:"avg_evaluation_rating"`
	EvaluationCount  flexCount  `json:"evaluation_count"`
	SalesCount       flexString `json:"sales_count"`
	Created          flexString `json:"gmt_create"`
	Modified         flexString `json:"gmt_modified"`
}

type dsMediaWire struct {
	ImageURLs flexStrings       `json:"image_urls"`
	Videos    list[dsVideoWire] `json:"ae_video_dtos"`
}

type dsPackageWire struct {
	Length      flexInt    `json:"package_length"`
	Width       flexInt    `json:"package_width"`
	Height      flexInt    `json:"package_height"`
	GrossWeight flexString `json:"gross_weight"`
	PackageType flexBool   `json:"package_type"`
	ProductUnit flexString `json:"product_unit"`
	BaseUnit    flexString `json:"base_unit"`
}

type dsLogisticsWire struct {
	ShipTo       flexString `json:"ship_to_country"`
	DeliveryTime flexInt    `json:"delivery_time"`
}

type dsStoreWire struct {
	ID              flexInt    `json:"store_id"`
	Name            flexText   `json:"store_name"`
	Country         flexString `json:"store_country_code"`
	ItemAsDescribed flexFloat  `json:"item_as_described_rating"`
	Communication   flexFloat  `json:"communication_rating"`
	ShippingSpeed   flexFloat  `json:"shipping_speed_rating"`
}

type dsConverterWire struct {
	Main flexInt  `json:"main_product_id"`
	Sub  dsSubIDs `json:"sub_product_id"`
}

type dsManufacturerWire struct {
	Name        flexText   `json:"name"`
	Address     flexText   `json:"address"`
	Email       flexString `json:"email"`
	Country     flexText   `json:"country_name"`
	PhonePrefix flexString `json:"phone_prefix"`
	Phone       flexString `json:"phone"`
}

type dsSKUWire struct {
	SKUID                  flexString              `json:"sku_id"`
	Attr                   flexString              `json:"sku_attr"`
	LegacyID               flexString              `json:"id"`
	Price                  flexMoney               `json:"sku_price"`
	SalePrice              flexMoney               `json:"offer_sale_price"`
	BulkPrice              flexMoney               `json:"offer_bulk_sale_price"`
	BulkOrder              flexInt                 `json:"sku_bulk_order"`
	Stock                  flexInt                 `json:"sku_available_stock"`
	Currency               flexString              `json:"currency_code"`
	Barcode                flexString              `json:"barcode"`
	EAN                    flexString              `json:"ean_code"`
	SKUCode                flexString              `json:"sku_code"`
	PriceIncludesTax       flexBool                `json:"price_include_tax"`
	TaxAmount              flexMoney               `json:"tax_amount"`
	TaxCurrency            flexString              `json:"tax_currency_code"`
	EstimatedImportCharges flexMoney               `json:"estimated_import_charges"`
	BuyLimit               flexInt                 `json:"buy_amount_limit_set_by_promotion"`
	LimitStrategy          flexString              `json:"limit_strategy"`
	Tiers                  list[dsTierWire]        `json:"wholesale_price_tiers"`
	Properties             list[dsSKUPropertyWire] `json:"ae_sku_property_dtos"`
}

type dsTierWire struct {
	MinQuantity flexInt    `json:"min_quantity"`
	Discount    flexString `json:"discount"`
	Price       flexMoney  `json:"wholesale_price"`
}

type dsSKUPropertyWire struct {
	ID             flexInt    `json:"sku_property_id"`
	Name           flexText   `json:"sku_property_name"`
	Value          flexText   `json:"sku_property_value"`
	ValueID        flexInt    `json:"property_value_id"`
	DefinitionName flexText   `json:"property_value_definition_name"`
	Image          flexString `json:"sku_image"`
}

type dsItemPropWire struct {
	NameID  flexInt  `json:"attr_name_id"`
	Name    flexText `json:"attr_name"`
	ValueID flexInt  `json:"attr_value_id"`
	Value   flexText `json:"attr_value"`
	Unit    flexText `json:"attr_value_unit"`
	Start   flexText `json:"attr_value_start"`
	End     flexText `json:"attr_value_end"`
}

type dsVideoWire struct {
	ID        flexInt    `json:"media_id"`
	Type      flexString `json:"media_type"`
	Status    flexString `json:"media_status"`
	URL       flexString `json:"media_url"`
	PosterURL flexString `json:"poster_url"`
}

const dsMethodProduct = "aliexpress.ds.product.get"

// Product returns a product as the user whose token the client carries would buy it, shipped to
// opts.ShipTo: variants with exact prices and stock, package, store and delivery lead time. It calls
// aliexpress.ds.product.get. A product that does not exist fails with ErrItemNotFound, one that may
// not be sold to the destination with ErrNotAllowedToCountry.
//
// Only the product ID and each variant's ID and prices are required; any other field that cannot
// be read is left empty (a wholesale tier without a readable price is left out) and listed in
// Response.Warnings.
func (s *DSService) Product(ctx context.Context, productID int64, opts *DSProductOptions) (*DSProduct, *Response, error) {
	const m = dsMethodProduct
	if productID <= 0 {
		return nil, dsNoCall(m), dsInvalid(m, "productID", "must be a positive product ID")
	}
	if opts == nil {
		opts = &DSProductOptions{}
	}
	shipTo, err := dsCountry(m, "ShipTo", opts.ShipTo, true)
	if err != nil {
		return nil, dsNoCall(m), err
	}
	currency := strings.ToUpper(dsDefault(opts.Currency, "USD"))
	params := map[string]string{
		"product_id":      strconv.FormatInt(productID, 10),
		"ship_to_country": shipTo,
		"target_currency": currency,
		"target_language": strings.TrimSpace(opts.Language),
		"province_code":   strings.TrimSpace(opts.ProvinceCode),
		"city_code":       strings.TrimSpace(opts.CityCode),
	}
	if opts.RemovePersonalBenefit {
		params["remove_personal_benefit"] = "true"
	}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, dsRefine(err)
	}
	p, err := dsDecodeProduct(x, currency)
	if err != nil {
		return nil, x.resp, err
	}
	if p.ShipTo == "" {
		p.ShipTo = shipTo
	}
	return p, x.resp, nil
}

// dsDecodeProduct reads the result of ds.product.get. Prices without a currency of their own are
// in currency, the one the request asked for (never the product's base currency, which may differ).
func dsDecodeProduct(x *reply, currency string) (*DSProduct, error) {
	path, raw := x.result()
	var w dsProductWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, err
	}
	b := w.Base.v
	basePath := joinPath(path, "ae_item_base_info_dto")
	if err := x.need(b.ProductID.bad, func() string { return joinPath(basePath, "product_id") }); err != nil {
		return nil, err
	}
	if b.ProductID.v == 0 && w.SKUs.len() == 0 {
		return nil, x.required(joinPath(basePath, "product_id"), "missing, and the result has no variants either")
	}
	media, pk, lg, st := w.Multimedia.v, w.Package.v, w.Logistics.v, w.Store.v
	p := &DSProduct{
		ID:               b.ProductID.v,
		Title:            b.Subject.s,
		CategoryID:       b.CategoryID.v,
		CategoryPath:     b.CategorySequence.s,
		Currency:         strings.ToUpper(b.Currency.s),
		Status:           b.Status.s,
		DetailHTML:       b.Detail.s,
		MobileDetailHTML: b.MobileDetail.s,
		Rating:           b.Rating.v,
		EvaluationCount:  int(b.EvaluationCount.v),
		SalesCount:       b.SalesCount.s,
		Created:          b.Created.s,
		Modified:         b.Modified.s,
		Images:           media.ImageURLs.v,
		ShipTo:           strings.ToUpper(lg.ShipTo.s),
		DeliveryDays:     int(lg.DeliveryTime.v),
		HasWholesale:     w.HasWholesale.v,
		MainProductID:    w.Converter.v.Main.v,
	}
	for _, v := range media.Videos.all() {
		p.Videos = append(p.Videos, DSVideo{ID: v.ID.v, Type: v.Type.s, Status: v.Status.s, URL: v.URL.s, PosterURL: v.PosterURL.s})
	}
	for _, a := range w.Properties.all() {
		p.Attributes = append(p.Attributes, DSAttribute{NameID: a.NameID.v, Name: a.Name.s, ValueID: a.ValueID.v,
			Value: a.Value.s, Unit: a.Unit.s, Start: a.Start.s, End: a.End.s})
	}
	p.Package = DSPackage{LengthCM: int(pk.Length.v), WidthCM: int(pk.Width.v), HeightCM: int(pk.Height.v), WeightKG: pk.GrossWeight.s,
		SoldInLots: pk.PackageType.v, ProductUnit: pk.ProductUnit.s, BaseUnit: pk.BaseUnit.s}
	if g, err := parseMinor(pk.GrossWeight.s, 3); err == nil && g <= 1<<31 {
		p.Package.Grams = int(g)
	}
	p.Store = DSStore{ID: st.ID.v, Name: st.Name.s, Country: strings.ToUpper(st.Country.s),
		ItemAsDescribed: st.ItemAsDescribed.v, Communication: st.Communication.v, ShippingSpeed: st.ShippingSpeed.v}
	p.SubProductIDs = w.Converter.v.Sub.ids
	p.USProductID = p.SubProductIDs["US"]
	if mi := w.Manufacturer; mi.set {
		p.Manufacturer = &DSManufacturer{Name: mi.v.Name.s, Address: mi.v.Address.s, Email: mi.v.Email.s,
			Country: mi.v.Country.s, PhonePrefix: mi.v.PhonePrefix.s, Phone: mi.v.Phone.s}
	}
	skusPath := joinPath(path, "ae_item_sku_info_dtos")
	for i, sw := range w.SKUs.all() {
		at := func() string { return indexPath(skusPath, w.SKUs.index(i)) }
		for _, f := range []struct{ name, bad string }{
			{"sku_id", sw.SKUID.bad}, {"sku_price", sw.Price.bad}, {"offer_sale_price", sw.SalePrice.bad},
		} {
			if err := x.need(f.bad, func() string { return joinPath(at(), f.name) }); err != nil {
				return nil, err
			}
		}
		p.Variants = append(p.Variants, sw.variant(currency))
	}
	return p, nil
}

// variant converts a SKU whose required fields were checked. A SKU without a currency of its own
// is priced in the currency the request asked for.
func (sw dsSKUWire) variant(requestCurrency string) DSVariant {
	cur := strings.ToUpper(sw.Currency.s)
	if cur == "" {
		cur = requestCurrency
	}
	attr := sw.Attr.s
	if attr == "" {
		attr = sw.LegacyID.s
	}
	v := DSVariant{
		SKUID:            sw.SKUID.s,
		Attr:             attr,
		Price:            sw.Price.money(cur),
		SalePrice:        sw.SalePrice.money(cur),
		BulkPrice:        sw.BulkPrice.money(cur),
		BulkMin:          int(sw.BulkOrder.v),
		Stock:            int(sw.Stock.v),
		PriceIncludesTax: sw.PriceIncludesTax.v,
		Barcode:          sw.Barcode.s,
		EAN:              sw.EAN.s,
		SKUCode:          sw.SKUCode.s,
		BuyLimit:         int(sw.BuyLimit.v),
		LimitStrategy:    sw.LimitStrategy.s,
	}
	taxCur := strings.ToUpper(sw.TaxCurrency.s)
	if taxCur == "" {
		taxCur = cur
	}
	v.Tax = sw.TaxAmount.money(taxCur)
	if sw.EstimatedImportCharges.given() {
		m := sw.EstimatedImportCharges.money(taxCur)
		v.EstimatedImportCharges = &m
	}
	for _, t := range sw.Tiers.all() {
		// A tier is a price from a quantity on: without either it says nothing (and was reported).
		if !t.Price.given() || t.MinQuantity.bad != "" {
			continue
		}
		v.WholesaleTiers = append(v.WholesaleTiers, WholesaleTier{MinQuantity: int(t.MinQuantity.v), Discount: t.Discount.s, Price: t.Price.money(cur)})
	}
	for _, pw := range sw.Properties.all() {
		v.Properties = append(v.Properties, SKUProperty{ID: pw.ID.v, Name: pw.Name.s, Value: pw.Value.s,
			ValueID: pw.ValueID.v, DefinitionName: pw.DefinitionName.s, Image: pw.Image.s})
	}
	return v
}

// dsSubIDs is sub_product_id: an object keyed by country, which some answers send as a JSON string.
type dsSubIDs struct {
	ids map[string]int64
	bad string
}

func (d *dsSubIDs) UnmarshalJSON(b []byte) error {
	*d = dsSubIDs{}
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		s, err := jsonString(b)
		if err != nil {
			d.bad = "not a string"
			return nil
		}
		b = bytes.TrimSpace([]byte(s))
		if len(b) > 0 && !json.Valid(b) {
			d.bad = fmt.Sprintf("want an object of product IDs by country, got %.40q", s)
			return nil
		}
	}
	if len(b) == 0 || string(b) == "null" || string(b) == "{}" {
		return nil
	}
	var m map[string]flexInt
	if json.Unmarshal(b, &m) != nil {
		d.bad = "want an object of product IDs by country, got " + describeJSON(b)
		return nil
	}
	for k, v := range m {
		if v.bad != "" {
			d.bad = fmt.Sprintf("%s: %s", k, v.bad)
		} else if v.v > 0 {
			if d.ids == nil {
				d.ids = make(map[string]int64, len(m))
			}
			d.ids[strings.ToUpper(strings.TrimSpace(k))] = v.v
		}
	}
	return nil
}

func (d *dsSubIDs) problems(w *walker) { w.report(d.bad) }

// dsRefine sharpens the kind of a platform error with DS business codes that arrive as a sub_code
// or a message of a generic error ("15 Remote service error" with sub_code ITEM_ID_NOT_FOUND).
func dsRefine(err error) error {
	var e *Error
	if !errors.As(err, &e) || (e.Kind != ErrAPI && e.Kind != ErrUnavailable) {
		return err
	}
	for _, c := range []string{e.SubCode, e.Message} {
		if c == "" {
			continue
		}
		switch k := classify("", strings.TrimSpace(c), "", c); k {
		case ErrItemNotFound, ErrNotAllowedToCountry, ErrDeliveryUnavailable, ErrOrderRejected, ErrDuplicateOrder, ErrTrackingNotFound:
			e.Kind = k
			return e
		}
	}
	return err
}

// dsInvalid is a parameter refused before any call was made.
func dsInvalid(method, field, msg string) *Error {
	return &Error{Method: method, Kind: ErrInvalidParameter, Message: field + ": " + msg}
}

// dsNoCall is the Response of a call refused locally.
func dsNoCall(method string) *Response { return &Response{Method: method} }

// dsCountry checks and upper-cases a two-letter country code.
func dsCountry(method, field, code string, required bool) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if c == "" {
		if required {
			return "", dsInvalid(method, field, "a two-letter destination country code is required")
		}
		return "", nil
	}
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return "", dsInvalid(method, field, fmt.Sprintf("%q is not a two-letter country code", code))
	}
	return c, nil
}

// dsJSON encodes a structured parameter; the platform takes objects as a JSON string in one field.
func dsJSON(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only the package's own plain structs are encoded here.
		panic("aliexpress: encoding a parameter: " + err.Error())
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// dsBool is a boolean parameter as the platform writes it.
func dsBool(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
