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
	// Currency is the currency prices are given in (target_currency, e.g. "USD"); the platform's
	// default when empty.
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
	ID               int64
	Title            string // untrusted text
	CategoryID       int64
	CategoryPath     string // category_sequence as the platform writes it
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
	Base struct {
		ProductID        flexInt    `json:"product_id"`
		Subject          flexString `json:"subject"`
		CategoryID       flexInt    `json:"category_id"`
		CategorySequence flexString `json:"category_sequence"`
		Currency         flexString `json:"currency_code"`
		Status           flexString `json:"product_status_type"`
		Detail           flexString `json:"detail"`
		MobileDetail     flexString `json:"mobile_detail"`
		Rating           flexFloat  `json:"avg_evaluation_rating"`
		EvaluationCount  dsCount    `json:"evaluation_count"`
		SalesCount       flexString `json:"sales_count"`
		Created          flexString `json:"gmt_create"`
		Modified         flexString `json:"gmt_modified"`
	} `json:"ae_item_base_info_dto"`
	SKUs       list[dsSKUWire]      `json:"ae_item_sku_info_dtos"`
	Properties list[dsItemPropWire] `json:"ae_item_properties"`
	Multimedia struct {
		ImageURLs dsStringList      `json:"image_urls"`
		Videos    list[dsVideoWire] `json:"ae_video_dtos"`
	} `json:"ae_multimedia_info_dto"`
	Package struct {
		Length      flexInt    `json:"package_length"`
		Width       flexInt    `json:"package_width"`
		Height      flexInt    `json:"package_height"`
		GrossWeight flexString `json:"gross_weight"`
		PackageType flexBool   `json:"package_type"`
		ProductUnit flexString `json:"product_unit"`
		BaseUnit    flexString `json:"base_unit"`
	} `json:"package_info_dto"`
	Logistics struct {
		ShipTo       flexString `json:"ship_to_country"`
		DeliveryTime flexInt    `json:"delivery_time"`
	} `json:"logistics_info_dto"`
	Store struct {
		ID              flexInt    `json:"store_id"`
		Name            flexString `json:"store_name"`
		Country         flexString `json:"store_country_code"`
		ItemAsDescribed flexString `json:"item_as_described_rating"`
		Communication   flexString `json:"communication_rating"`
		ShippingSpeed   flexString `json:"shipping_speed_rating"`
	} `json:"ae_store_info"`
	Converter struct {
		Main flexInt         `json:"main_product_id"`
		Sub  json.RawMessage `json:"sub_product_id"`
	} `json:"product_id_converter_result"`
	HasWholesale flexBool `json:"has_whole_sale"`
	Manufacturer *struct {
		Name        flexString `json:"name"`
		Address     flexString `json:"address"`
		Email       flexString `json:"email"`
		Country     flexString `json:"country_name"`
		PhonePrefix flexString `json:"phone_prefix"`
		Phone       flexString `json:"phone"`
	} `json:"manufacturer_info"`
}

func (w *dsProductWire) members() ([]string, []any) {
	return []string{"ae_item_base_info_dto", "ae_item_sku_info_dtos", "ae_item_properties", "ae_multimedia_info_dto",
			"package_info_dto", "logistics_info_dto", "ae_store_info", "product_id_converter_result", "has_whole_sale",
			"manufacturer_info"},
		[]any{&w.Base, &w.SKUs, &w.Properties, &w.Multimedia, &w.Package, &w.Logistics, &w.Store, &w.Converter,
			&w.HasWholesale, &w.Manufacturer}
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
	Name           flexString `json:"sku_property_name"`
	Value          flexString `json:"sku_property_value"`
	ValueID        flexInt    `json:"property_value_id"`
	DefinitionName flexString `json:"property_value_definition_name"`
	Image          flexString `json:"sku_image"`
}

type dsItemPropWire struct {
	NameID  flexInt    `json:"attr_name_id"`
	Name    flexString `json:"attr_name"`
	ValueID flexInt    `json:"attr_value_id"`
	Value   flexString `json:"attr_value"`
	Unit    flexString `json:"attr_value_unit"`
	Start   flexString `json:"attr_value_start"`
	End     flexString `json:"attr_value_end"`
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
	params := map[string]string{
		"product_id":      strconv.FormatInt(productID, 10),
		"ship_to_country": shipTo,
		"target_currency": strings.ToUpper(strings.TrimSpace(opts.Currency)),
		"target_language": strings.TrimSpace(opts.Language),
		"province_code":   strings.TrimSpace(opts.ProvinceCode),
		"city_code":       strings.TrimSpace(opts.CityCode),
	}
	if opts.RemovePersonalBenefit {
		params["remove_personal_benefit"] = "true"
	}
	raw, resp, err := s.result(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, resp, dsRefine(err)
	}
	p, err := dsDecodeProduct(m, resp.RequestID, raw)
	if err != nil {
		return nil, resp, err
	}
	if p.ShipTo == "" {
		p.ShipTo = shipTo
	}
	return p, resp, nil
}

// dsDecodeProduct reads the result object of ds.product.get.
func dsDecodeProduct(method, requestID string, raw json.RawMessage) (*DSProduct, error) {
	var w dsProductWire
	if err := decodeInto(method, requestID, raw, &w); err != nil {
		return nil, err
	}
	b := w.Base
	p := &DSProduct{
		ID:               int64(b.ProductID),
		Title:            string(b.Subject),
		CategoryID:       int64(b.CategoryID),
		CategoryPath:     string(b.CategorySequence),
		Currency:         strings.ToUpper(string(b.Currency)),
		Status:           string(b.Status),
		DetailHTML:       string(b.Detail),
		MobileDetailHTML: string(b.MobileDetail),
		Rating:           float64(b.Rating),
		EvaluationCount:  int(b.EvaluationCount),
		SalesCount:       string(b.SalesCount),
		Created:          string(b.Created),
		Modified:         string(b.Modified),
		Images:           []string(w.Multimedia.ImageURLs),
		ShipTo:           strings.ToUpper(string(w.Logistics.ShipTo)),
		DeliveryDays:     int(w.Logistics.DeliveryTime),
		HasWholesale:     bool(w.HasWholesale),
		MainProductID:    int64(w.Converter.Main),
	}
	if p.ID == 0 && len(w.SKUs) == 0 {
		return nil, &Error{Method: method, Kind: ErrMalformedResponse, RequestID: requestID, Message: "result has neither ae_item_base_info_dto.product_id nor variants"}
	}
	for _, v := range w.Multimedia.Videos {
		p.Videos = append(p.Videos, DSVideo{ID: int64(v.ID), Type: string(v.Type), Status: string(v.Status), URL: string(v.URL), PosterURL: string(v.PosterURL)})
	}
	for _, a := range w.Properties {
		p.Attributes = append(p.Attributes, DSAttribute{NameID: int64(a.NameID), Name: string(a.Name), ValueID: int64(a.ValueID),
			Value: string(a.Value), Unit: string(a.Unit), Start: string(a.Start), End: string(a.End)})
	}
	pk := w.Package
	p.Package = DSPackage{LengthCM: int(pk.Length), WidthCM: int(pk.Width), HeightCM: int(pk.Height), WeightKG: string(pk.GrossWeight),
		SoldInLots: bool(pk.PackageType), ProductUnit: string(pk.ProductUnit), BaseUnit: string(pk.BaseUnit)}
	if g, err := parseMinor(string(pk.GrossWeight), 3); err == nil && g <= 1<<31 {
		p.Package.Grams = int(g)
	}
	st := w.Store
	p.Store = DSStore{ID: int64(st.ID), Name: string(st.Name), Country: strings.ToUpper(string(st.Country)),
		ItemAsDescribed: dsRating(st.ItemAsDescribed), Communication: dsRating(st.Communication), ShippingSpeed: dsRating(st.ShippingSpeed)}
	p.SubProductIDs = dsSubIDs(w.Converter.Sub)
	p.USProductID = p.SubProductIDs["US"]
	if mi := w.Manufacturer; mi != nil {
		p.Manufacturer = &DSManufacturer{Name: string(mi.Name), Address: string(mi.Address), Email: string(mi.Email),
			Country: string(mi.Country), PhonePrefix: string(mi.PhonePrefix), Phone: string(mi.Phone)}
	}
	for i, sw := range w.SKUs {
		v, err := sw.variant(p.Currency)
		if err != nil {
			return nil, &Error{Method: method, Kind: ErrMalformedResponse, RequestID: requestID,
				Message: fmt.Sprintf("ae_item_sku_info_dtos[%d].%s", i, err.Error()), Err: err}
		}
		p.Variants = append(p.Variants, v)
	}
	return p, nil
}

func (sw dsSKUWire) variant(productCurrency string) (DSVariant, error) {
	cur := flexString(strings.ToUpper(string(sw.Currency)))
	if cur == "" {
		cur = flexString(productCurrency)
	}
	attr := string(sw.Attr)
	if attr == "" {
		attr = string(sw.LegacyID)
	}
	v := DSVariant{
		SKUID:            string(sw.SKUID),
		Attr:             attr,
		BulkMin:          int(sw.BulkOrder),
		Stock:            int(sw.Stock),
		PriceIncludesTax: bool(sw.PriceIncludesTax),
		Barcode:          string(sw.Barcode),
		EAN:              string(sw.EAN),
		SKUCode:          string(sw.SKUCode),
		BuyLimit:         int(sw.BuyLimit),
		LimitStrategy:    string(sw.LimitStrategy),
	}
	var err error
	if v.Price, err = dsMoney("sku_price", sw.Price, cur); err != nil {
		return v, err
	}
	if v.SalePrice, err = dsMoney("offer_sale_price", sw.SalePrice, cur); err != nil {
		return v, err
	}
	if v.BulkPrice, err = dsMoney("offer_bulk_sale_price", sw.BulkPrice, cur); err != nil {
		return v, err
	}
	taxCur := sw.TaxCurrency
	if taxCur == "" {
		taxCur = cur
	}
	if v.Tax, err = dsMoney("tax_amount", sw.TaxAmount, taxCur); err != nil {
		return v, err
	}
	if strings.TrimSpace(string(sw.EstimatedImportCharges)) != "" {
		m, err := dsMoney("estimated_import_charges", sw.EstimatedImportCharges, taxCur)
		if err != nil {
			return v, err
		}
		v.EstimatedImportCharges = &m
	}
	for j, t := range sw.Tiers {
		price, err := dsMoney(fmt.Sprintf("wholesale_price_tiers[%d].wholesale_price", j), t.Price, cur)
		if err != nil {
			return v, err
		}
		v.WholesaleTiers = append(v.WholesaleTiers, WholesaleTier{MinQuantity: int(t.MinQuantity), Discount: string(t.Discount), Price: price})
	}
	for _, pw := range sw.Properties {
		v.Properties = append(v.Properties, SKUProperty{ID: int64(pw.ID), Name: string(pw.Name), Value: string(pw.Value),
			ValueID: int64(pw.ValueID), DefinitionName: string(pw.DefinitionName), Image: string(pw.Image)})
	}
	return v, nil
}

// dsSubIDs reads sub_product_id, an object keyed by country that some answers send as a JSON string.
func dsSubIDs(raw json.RawMessage) map[string]int64 {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		raw = json.RawMessage(s)
	}
	var m map[string]flexInt
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return nil
	}
	out := make(map[string]int64, len(m))
	for k, v := range m {
		if v > 0 {
			out[strings.ToUpper(strings.TrimSpace(k))] = int64(v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// dsRating reads a store rating ("4.7"); anything else is 0.
func dsRating(s flexString) float64 {
	f, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(string(s)), "%"), 64)
	if err != nil {
		return 0
	}
	return f
}

// dsMoney converts a price and names the field when it cannot be read.
func dsMoney(field string, m flexMoney, currency flexString) (Money, error) {
	v, err := m.money(currency)
	if err != nil {
		return Money{}, fmt.Errorf("%s: %w", field, err)
	}
	return v, nil
}

// dsCount is a count the platform may round or format ("1000+", "1,004"); what cannot be read is 0.
type dsCount int

func (n *dsCount) UnmarshalJSON(b []byte) error {
	s, isNull, err := scalarText(b)
	if err != nil || isNull {
		return err
	}
	s = strings.TrimSuffix(strings.ReplaceAll(s, ",", ""), "+")
	if v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && v >= 0 && v <= 1<<31 {
		*n = dsCount(v)
	} else if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil && f >= 0 && f <= 1<<31 {
		*n = dsCount(f)
	} else {
		*n = 0
	}
	return nil
}

// dsStringList is a list of strings sent as one ';'-separated string (image_urls) or as any list form.
type dsStringList []string

func (l *dsStringList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		s, err := jsonString(b)
		if err != nil {
			return err
		}
		var out []string
		for _, p := range strings.Split(s, ";") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		*l = out
		return nil
	}
	var items list[flexString]
	if err := items.UnmarshalJSON(b); err != nil {
		return err
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s := strings.TrimSpace(string(it)); s != "" {
			out = append(out, s)
		}
	}
	*l = out
	return nil
}

// result sends a DS request and unwraps its status family (see dsResult); an error from either
// step is returned as it is.
func (s *DSService) result(ctx context.Context, r *request) (json.RawMessage, *Response, error) {
	payload, resp, err := s.client.do(ctx, r)
	if err != nil {
		return nil, resp, err
	}
	raw, err := dsResult(r.method, resp.RequestID, payload)
	return raw, resp, err
}

// dsResult unwraps a DS payload in either status family: resp_result{resp_code, result} or
// result + rsp_code siblings (the reference finds both for several DS methods).
func dsResult(method, requestID string, payload json.RawMessage) (json.RawMessage, error) {
	var v [1][]byte
	if !objectMembers(payload, []string{"resp_result"}, v[:]) {
		// An unusual payload: encoding/json tells whether it has the key, or what is wrong with it.
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(payload, &probe); err != nil {
			return nil, decodeErr(method, requestID, err)
		}
		v[0] = probe["resp_result"]
	}
	if v[0] != nil {
		return respResult(method, requestID, payload)
	}
	raw, err := rspResult(method, requestID, payload)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.RequestID == "" {
			e.RequestID = requestID
		}
		return nil, err
	}
	return raw, nil
}

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

// dsStatus reads the status fields several DS results carry ({ret|success, code, msg}) and turns
// a failure into an *Error. okCodes are the codes that mean success besides "" and "0".
func dsStatus(method, requestID string, ok *flexBool, code, msg flexString, okCodes ...string) error {
	c := strings.TrimSpace(string(code))
	good := c == "" || c == "0"
	for _, oc := range okCodes {
		if c == oc {
			good = true
		}
	}
	if ok != nil && !bool(*ok) {
		good = false
	}
	if good {
		return nil
	}
	kind := classify("", c, "", string(msg))
	if kind == ErrAPI && msg != "" {
		kind = classify("", strings.TrimSpace(string(msg)), "", string(msg))
	}
	e := &Error{Method: method, Kind: kind, Code: c, Message: string(msg), RequestID: requestID}
	if e.Code == "" {
		e.Code = string(msg)
	}
	return e
}
