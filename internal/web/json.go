package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sanitize"
)

// moneyJSON is money in the API: an exact decimal string and its currency, never a float.
type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

// money returns m for JSON; nil (null) for the zero Money with no currency.
func money(m catalog.Money) *moneyJSON {
	if m.Amount == 0 && m.Currency == "" {
		return nil
	}
	return &moneyJSON{Amount: m.Decimal(), Currency: m.Currency}
}

type categoryJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	ParentID int64  `json:"parent_id"`
}

type shopJSON struct {
	ID              int64   `json:"id"`
	Name            string  `json:"name"`
	URL             string  `json:"url"`
	Country         string  `json:"country"`
	ItemAsDescribed float64 `json:"item_as_described"`
	Communication   float64 `json:"communication"`
	ShippingSpeed   float64 `json:"shipping_speed"`
}

type optionJSON struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

type variantJSON struct {
	SKUID        string     `json:"sku_id"`
	Attr         string     `json:"attr"`
	Values       []string   `json:"values"`
	Price        *moneyJSON `json:"price"`
	ListPrice    *moneyJSON `json:"list_price"`
	Stock        int        `json:"stock"`
	Image        string     `json:"image"`
	ImportCharge *moneyJSON `json:"import_charge"`
	Barcode      string     `json:"barcode"`
}

type shippingJSON struct {
	Code     string     `json:"code"`
	Company  string     `json:"company"`
	Fee      *moneyJSON `json:"fee"`
	Free     bool       `json:"free"`
	MinDays  int        `json:"min_days"`
	MaxDays  int        `json:"max_days"`
	Tracking bool       `json:"tracking"`
	ShipFrom string     `json:"ship_from"`
}

// ProductJSON is a product in the JSON API, and in `aliscout product --json`. description_html is sanitized like on the product page.
type ProductJSON struct {
	ID                int64          `json:"id"`
	Title             string         `json:"title"`
	URL               string         `json:"url"`
	AffiliateURL      string         `json:"affiliate_url"`
	Images            []string       `json:"images"`
	VideoURL          string         `json:"video_url"`
	DescriptionHTML   string         `json:"description_html"`
	Category          categoryJSON   `json:"category"`
	TopCategory       categoryJSON   `json:"top_category"`
	Shop              shopJSON       `json:"shop"`
	Price             *moneyJSON     `json:"price"`
	OriginalPrice     *moneyJSON     `json:"original_price"`
	DiscountPercent   int            `json:"discount_percent"`
	Rating            float64        `json:"rating"` // catalog.Product.Stars, as every page shows it
	PositiveRate      float64        `json:"positive_rate"`
	Reviews           int            `json:"reviews"`
	Orders30d         int            `json:"orders_30d"`
	CommissionRate    float64        `json:"commission_rate"`
	HotCommissionRate float64        `json:"hot_commission_rate"`
	Options           []optionJSON   `json:"options"`
	Variants          []variantJSON  `json:"variants"`
	ShipTo            string         `json:"ship_to"`
	Shipping          []shippingJSON `json:"shipping"`
	ShippingUnknown   bool           `json:"shipping_unknown"`
	ShippingPending   bool           `json:"shipping_pending"`
	ShipFrom          string         `json:"ship_from"`
	WeightGrams       int            `json:"weight_grams"`
	Source            string         `json:"source"`
	FetchedAt         time.Time      `json:"fetched_at"`
	Stale             bool           `json:"stale"`
}

// NewProductJSON is p as the JSON API writes it: links normalized, the description sanitized with
// the default image policy (images from AliExpress's CDNs only).
func NewProductJSON(p *catalog.Product) ProductJSON { return productJSON(p, sanitize.Options{}) }

// productJSON is p for the JSON API with san's description image policy.
func productJSON(p *catalog.Product, san sanitize.Options) ProductJSON {
	out := ProductJSON{
		ID: p.ID, Title: p.Title, URL: httpURL(p.URL), AffiliateURL: httpURL(p.AffiliateURL),
		Images: []string{}, VideoURL: httpURL(p.VideoURL), DescriptionHTML: san.HTML(p.DescriptionHTML),
		Category: categoryOut(p.Category), TopCategory: categoryOut(p.TopCategory),
		Shop: shopJSON{ID: p.Shop.ID, Name: p.Shop.Name, URL: httpURL(p.Shop.URL), Country: p.Shop.Country,
			ItemAsDescribed: p.Shop.ItemAsDescribed, Communication: p.Shop.Communication, ShippingSpeed: p.Shop.ShippingSpeed},
		Price: money(p.Price), OriginalPrice: money(p.OriginalPrice), DiscountPercent: p.DiscountPercent,
		Rating: p.Stars(), PositiveRate: p.PositiveRate, Reviews: p.Reviews, Orders30d: p.Orders30d,
		CommissionRate: p.CommissionRate, HotCommissionRate: p.HotCommissionRate,
		Options: []optionJSON{}, Variants: []variantJSON{}, ShipTo: p.ShipTo, Shipping: shippingOut(p.Shipping), ShippingUnknown: p.ShippingUnknown, ShippingPending: p.ShippingPending,
		ShipFrom: p.ShipFrom, WeightGrams: p.WeightGrams, Source: string(p.Source), FetchedAt: p.FetchedAt.UTC(), Stale: p.Stale,
	}
	for _, img := range p.Images {
		if u := httpURL(img); u != "" {
			out.Images = append(out.Images, u)
		}
	}
	for _, o := range p.Options {
		out.Options = append(out.Options, optionJSON{Name: o.Name, Values: nonNil(o.Values)})
	}
	for _, v := range p.Variants {
		out.Variants = append(out.Variants, variantJSON{SKUID: v.SKUID, Attr: v.Attr, Values: nonNil(v.Values),
			Price: money(v.Price), ListPrice: money(v.ListPrice), Stock: v.Stock, Image: httpURL(v.Image),
			ImportCharge: money(v.ImportCharge), Barcode: v.Barcode})
	}
	return out
}

func categoryOut(c catalog.Category) categoryJSON {
	return categoryJSON{ID: c.ID, Name: c.Name, ParentID: c.ParentID}
}

func shippingOut(opts []catalog.ShippingOption) []shippingJSON {
	out := make([]shippingJSON, 0, len(opts))
	for _, o := range opts {
		fee := o.Fee
		if o.Free && fee.Currency == "" {
			fee = catalog.Money{}
		}
		out = append(out, shippingJSON{Code: o.Code, Company: o.Company, Fee: money(fee), Free: o.Free,
			MinDays: o.MinDays, MaxDays: o.MaxDays, Tracking: o.Tracking, ShipFrom: o.ShipFrom})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

type errorJSON struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// writeJSONError writes p as {"error": {"code": ..., "message": ..., "field": ...}}.
func writeJSONError(w http.ResponseWriter, p problem) {
	writeJSON(w, p.Status, errorJSON{Error: errorBody{Code: p.Code, Message: p.Message, Field: p.Field}})
}
