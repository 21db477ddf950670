package aliexpress

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
)

// Shipping: delivery options and prices (aliexpress.ds.freight.query) and the address tree
// (aliexpress.ds.address.get).

// FreightQuery asks what delivering one variant to a destination costs.
type FreightQuery struct {
	ProductID int64  // required
	SKUID     string // required: DSVariant.SKUID
	Quantity  int    // default 1
	ShipTo    string // required, two letters
	// Language ("en") and Locale ("en_US") of the texts; Currency ("USD") of the fees. Defaults
	// in parentheses.
	Language string
	Locale   string
	Currency string
	// ProvinceCode (or Province, not both) and CityCode narrow the destination for local-to-local
	// products.
	ProvinceCode string
	Province     string
	CityCode     string
}

// DeliveryOption is one way a variant can be shipped, with its fee for the quantity asked.
type DeliveryOption struct {
	// Code is the service code to put in OrderItem.LogisticsService.
	Code    string
	Company string // display name of the carrier
	Fee     Money  // shipping_fee_cent, which holds an amount in currency units despite its name
	FeeText string // the platform's formatted fee ("US $1.99"), for display
	// Free is the platform's free_shipping flag. Whether an order ships free also depends on
	// MayHavePFS and FreeThreshold; use FreeFor and FeeFor.
	Free bool
	// MayHavePFS says the option may get platform free shipping (mayHavePFS).
	MayHavePFS bool
	// FreeThreshold is the order amount from which shipping is free (zero when none is given).
	FreeThreshold    Money
	MinDays, MaxDays int
	GuaranteedDays   string // as the platform writes it
	DeliveryDateDesc string // e.g. "Mar 03 - 12"
	EstimatedTime    string // estimated_delivery_time as written
	ShipFrom         string // country code
	Tracking         bool
	// AvailableStock is the variant's stock for this option; -1 when the platform does not say.
	AvailableStock int
	// DDPIncludesVAT reports whether the fee includes the destination's VAT (ddpIncludeVATTax).
	DDPIncludesVAT bool
}

// FreeFor reports whether the option ships free for an order of the given amount, by the
// platform's rule: free when the option says free_shipping; otherwise, with no threshold, free
// when mayHavePFS is set; otherwise free when the order amount reaches the threshold. An amount in
// another currency than the threshold never reaches it (no conversion is guessed).
func (o DeliveryOption) FreeFor(orderAmount Money) bool {
	if o.Free {
		return true
	}
	if o.FreeThreshold.Amount <= 0 {
		return o.MayHavePFS
	}
	return strings.EqualFold(orderAmount.Currency, o.FreeThreshold.Currency) && orderAmount.Amount >= o.FreeThreshold.Amount
}

// FeeFor returns the shipping fee for an order of the given amount: zero (in the fee's currency)
// when FreeFor says the option ships free, Fee otherwise.
func (o DeliveryOption) FeeFor(orderAmount Money) Money {
	if o.FreeFor(orderAmount) {
		return Money{Currency: o.Fee.Currency}
	}
	return o.Fee
}

type dsFreightWire struct {
	Options list[dsDeliveryOptionWire] `json:"delivery_options"`
}

type dsDeliveryOptionWire struct {
	Code             flexString `json:"code"`
	Company          flexText   `json:"company"`
	Fee              flexMoney  `json:"shipping_fee_cent"`
	FeeCurrency      flexString `json:"shipping_fee_currency"`
	FeeFormat        flexText   `json:"shipping_fee_format"`
	Free             flexBool   `json:"free_shipping"`
	MayHavePFS       flexBool   `json:"mayHavePFS"`
	Threshold        flexMoney  `json:"free_shipping_threshold"`
	MinDays          flexInt    `json:"min_delivery_days"`
	MaxDays          flexInt    `json:"max_delivery_days"`
	GuaranteedDays   flexString `json:"guaranteed_delivery_days"`
	DeliveryDateDesc flexText   `json:"delivery_date_desc"`
	EstimatedTime    flexText   `json:"estimated_delivery_time"`
	ShipFrom         flexString `json:"ship_from_country"`
	Tracking         flexBool   `json:"tracking"`
	AvailableStock   flexInt    `json:"available_stock"`
	DDPIncludesVAT   flexBool   `json:"ddpIncludeVATTax"`
}

type dsFreightReq struct {
	Quantity      int    `json:"quantity"`
	ShipToCountry string `json:"shipToCountry"`
	ProductID     string `json:"productId"`
	SelectedSKUID string `json:"selectedSkuId"`
	Language      string `json:"language"`
	Locale        string `json:"locale"`
	Currency      string `json:"currency"`
	ProvinceCode  string `json:"provinceCode,omitempty"`
	Province      string `json:"province,omitempty"`
	CityCode      string `json:"cityCode,omitempty"`
}

const dsMethodFreight = "aliexpress.ds.freight.query"

// Freight lists the delivery options of a variant to a destination, with fees and delivery days.
// It calls aliexpress.ds.freight.query. No delivery to the destination fails with
// ErrDeliveryUnavailable.
func (s *DSService) Freight(ctx context.Context, q *FreightQuery) ([]DeliveryOption, *Response, error) {
	const m = dsMethodFreight
	if q == nil {
		return nil, dsNoCall(m), dsInvalid(m, "FreightQuery", "is required")
	}
	if q.ProductID <= 0 {
		return nil, dsNoCall(m), dsInvalid(m, "ProductID", "must be a positive product ID")
	}
	sku := strings.TrimSpace(q.SKUID)
	if sku == "" {
		return nil, dsNoCall(m), dsInvalid(m, "SKUID", "is required (DSVariant.SKUID)")
	}
	if q.Quantity < 0 {
		return nil, dsNoCall(m), dsInvalid(m, "Quantity", "must not be negative")
	}
	shipTo, err := dsCountry(m, "ShipTo", q.ShipTo, true)
	if err != nil {
		return nil, dsNoCall(m), err
	}
	if strings.TrimSpace(q.Province) != "" && strings.TrimSpace(q.ProvinceCode) != "" {
		return nil, dsNoCall(m), dsInvalid(m, "Province", "give Province or ProvinceCode, not both")
	}
	qty := q.Quantity
	if qty == 0 {
		qty = 1
	}
	req := dsFreightReq{
		Quantity:      qty,
		ShipToCountry: shipTo,
		ProductID:     fmt.Sprint(q.ProductID),
		SelectedSKUID: sku,
		Language:      dsDefault(q.Language, "en"),
		Locale:        dsDefault(q.Locale, "en_US"),
		Currency:      strings.ToUpper(dsDefault(q.Currency, "USD")),
		ProvinceCode:  strings.TrimSpace(q.ProvinceCode),
		Province:      strings.TrimSpace(q.Province),
		CityCode:      strings.TrimSpace(q.CityCode),
	}
	params := map[string]string{"queryDeliveryReq": dsJSON(req)}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, dsRefine(err)
	}
	path, raw := x.result()
	var w dsFreightWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	out := make([]DeliveryOption, 0, w.Options.len())
	for i, ow := range w.Options.all() {
		// The service code and the fee are what an option is for: without them it cannot be
		// ordered or priced (a fee read as zero would pass for free shipping).
		at := func() string { return indexPath(joinPath(path, "delivery_options"), w.Options.index(i)) }
		for _, f := range []struct{ name, bad string }{{"code", ow.Code.bad}, {"shipping_fee_cent", ow.Fee.bad}} {
			if err := x.need(f.bad, func() string { return joinPath(at(), f.name) }); err != nil {
				return nil, x.resp, err
			}
		}
		out = append(out, ow.option(req.Currency))
	}
	return out, x.resp, nil
}

func (w dsDeliveryOptionWire) option(askedCurrency string) DeliveryOption {
	cur := strings.ToUpper(dsDefault(w.FeeCurrency.s, askedCurrency))
	o := DeliveryOption{
		Code: w.Code.s, Company: w.Company.s, FeeText: w.FeeFormat.s, Free: w.Free.v,
		MayHavePFS: w.MayHavePFS.v, MinDays: int(w.MinDays.v), MaxDays: int(w.MaxDays.v),
		GuaranteedDays: w.GuaranteedDays.s, DeliveryDateDesc: w.DeliveryDateDesc.s,
		EstimatedTime: w.EstimatedTime.s, ShipFrom: strings.ToUpper(w.ShipFrom.s),
		Tracking: w.Tracking.v, AvailableStock: -1, DDPIncludesVAT: w.DDPIncludesVAT.v,
	}
	if w.AvailableStock.set() {
		o.AvailableStock = int(w.AvailableStock.v)
	}
	o.Fee = w.Fee.money(cur)
	if o.Fee.Currency == "" {
		o.Fee.Currency = cur
	}
	o.FreeThreshold = w.Threshold.money(cur)
	return o
}

// AddressOptions are the parameters of DSService.Addresses besides the country.
type AddressOptions struct {
	Language string
	// MultiLanguage asks for names in several languages (isMultiLanguage).
	MultiLanguage bool
}

// AddressTree is a country's division into provinces, cities and so on, as the platform accepts
// them in order addresses.
type AddressTree struct {
	Country  string
	Type     string // the level of the children, as the platform names it
	Children []AddressNode
}

// AddressNode is one division of an AddressTree.
type AddressNode struct {
	Name     string
	Code     string // the division's code when the platform gives one (province_code, city_code)
	Type     string
	Children []AddressNode
}

// Find returns the first-level division (a province or state) that name names, by its name or
// code, ignoring case, white space and the accents of Portuguese and Spanish names, as the platform
// matches an order address's province against the tree.
func (t *AddressTree) Find(name string) (AddressNode, bool) {
	want := foldPlace(name)
	if want == "" {
		return AddressNode{}, false
	}
	for _, n := range t.Children {
		if foldPlace(n.Name) == want || (n.Code != "" && foldPlace(n.Code) == want) {
			return n, true
		}
	}
	return AddressNode{}, false
}

// placeAccents are the marks Portuguese and Spanish place names carry.
var placeAccents = strings.NewReplacer("á", "a", "à", "a", "â", "a", "ã", "a", "é", "e", "ê", "e", "í", "i",
	"ó", "o", "ô", "o", "õ", "o", "ú", "u", "ü", "u", "ç", "c", "ñ", "n")

// foldPlace lowercases a place name, drops its accents and collapses its white space.
func foldPlace(v string) string {
	return strings.Join(strings.Fields(placeAccents.Replace(strings.ToLower(v))), " ")
}

type dsAddressWire struct {
	Data obj[struct {
		Country  flexString    `json:"country"`
		Type     flexString    `json:"type"`
		Children dsAddressList `json:"children"`
	}] `json:"data"`
}

// dsAddressList is the children of an address node: a list, or a JSON string holding one.
type dsAddressList struct {
	nodes []AddressNode
	bad   string
}

const dsAddressMaxDepth = 8

func (l *dsAddressList) UnmarshalJSON(b []byte) error {
	*l = dsAddressList{}
	nodes, err := dsAddressNodes(b, 0)
	if err != nil {
		l.bad = err.Error()
		return nil
	}
	l.nodes = nodes
	return nil
}

func (l *dsAddressList) problems(w *walker) { w.report(l.bad) }

func dsAddressNodes(b []byte, depth int) ([]AddressNode, error) {
	b = bytes.TrimSpace(b)
	if depth > dsAddressMaxDepth {
		return nil, nil
	}
	if len(b) > 0 && b[0] == '"' {
		s, err := jsonString(b)
		if err != nil {
			return nil, err
		}
		b = bytes.TrimSpace([]byte(s))
		if len(b) > 0 && !json.Valid(b) {
			return nil, fmt.Errorf("want a list of divisions, got %s", describeJSON(b))
		}
	}
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var items list[map[string]json.RawMessage]
	_ = items.UnmarshalJSON(b)
	for _, p := range items.bad {
		return nil, fmt.Errorf("want a list of divisions: %s", p.problem)
	}
	out := make([]AddressNode, 0, items.len())
	for _, it := range items.all() {
		n := AddressNode{
			Name: dsFirstText(it, "name", "label", "value", "areaName"),
			Code: dsFirstText(it, "code", "id", "areaCode", "area_code", "province_code", "city_code"),
			Type: dsFirstText(it, "type", "level"),
		}
		if raw, ok := it["children"]; ok {
			kids, err := dsAddressNodes(raw, depth+1)
			if err != nil {
				return nil, err
			}
			n.Children = kids
		}
		out = append(out, n)
	}
	return out, nil
}

// dsFirstText returns the first of keys that holds a scalar.
func dsFirstText(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		if raw, ok := m[k]; ok {
			var s flexString
			if _ = s.UnmarshalJSON(raw); s.s != "" {
				return s.s
			}
		}
	}
	return ""
}

const dsMethodAddresses = "aliexpress.ds.address.get"

// Addresses returns the provinces, cities and further divisions of a country that order addresses
// must use. It calls aliexpress.ds.address.get, whose published limit is 4 calls per second:
// cache the answer.
func (s *DSService) Addresses(ctx context.Context, country string, opts *AddressOptions) (*AddressTree, *Response, error) {
	const m = dsMethodAddresses
	cc, err := dsCountry(m, "country", country, true)
	if err != nil {
		return nil, dsNoCall(m), err
	}
	if opts == nil {
		opts = &AddressOptions{}
	}
	params := map[string]string{"countryCode": cc, "language": strings.TrimSpace(opts.Language)}
	if opts.MultiLanguage {
		params["isMultiLanguage"] = "true"
	}
	x, err := s.client.do(ctx, &request{method: m, params: params, idempotent: true, session: true})
	if err != nil {
		return nil, x.resp, err
	}
	path, raw := x.result()
	var w dsAddressWire
	if err := x.decode(path, raw, &w); err != nil {
		return nil, x.resp, err
	}
	d := w.Data.v
	t := &AddressTree{Country: strings.ToUpper(d.Country.s), Type: d.Type.s, Children: d.Children.nodes}
	if t.Country == "" {
		t.Country = cc
	}
	return t, x.resp, nil
}
