// Package catalog is aliscout's product domain: the normalized Product, Variant and shipping model
// that every page, export and job works with, Money, the search filters (more than AliExpress has)
// and the error kinds the user interface understands. It does no I/O and imports only the standard
// library; internal/sourcing fills it from AliExpress.
package catalog

import "time"

// Source says which AliExpress API a product's variants and shipping came from.
type Source string

// Sources of product data.
const (
	// SourceDS: variants, stock and shipping per country from the Dropshipping API.
	SourceDS Source = "ds"
	// SourceAffiliate: product-level data only (one price range, no per-variant stock).
	SourceAffiliate Source = "affiliate"
)

// Product is one AliExpress listing, normalized. Text fields hold untrusted text from AliExpress:
// escape them on every page and neutralize them in every export.
type Product struct {
	ID              int64
	Title           string
	URL             string // the product page, https://www.aliexpress.com/item/<id>.html
	AffiliateURL    string // the tracked promotion link, when one is known
	Images          []string
	VideoURL        string
	DescriptionHTML string // raw, unsanitized
	Category        Category
	TopCategory     Category
	Shop            Shop
	Price           Money // lowest sale price of a variant (what the supplier charges)
	OriginalPrice   Money // list price before discount
	DiscountPercent int
	Rating          float64 // average review score, 0-5; 0 when unknown
	PositiveRate    float64 // percent of positive feedback; 0 when unknown
	Reviews         int
	Orders30d       int     // orders in the last 30 days (lastest_volume)
	CommissionRate  float64 // affiliate commission, percent
	// HotCommissionRate is the hot-product commission in percent; 0 when the product is not hot.
	HotCommissionRate float64
	Options           []Option  // up to 3 variant dimensions, in the order of Variant.Values
	Variants          []Variant // at least one
	ShipTo            string    // the destination Shipping was asked for, ISO 3166 alpha-2
	// Shipping is the ways to ship to ShipTo, cheapest first; empty (not nil) when the product
	// does not ship there, nil when it was not looked up.
	Shipping []ShippingOption
	// ShippingUnknown says the shipping could not be had in time (AliExpress slow or failing):
	// Shipping is nil, and asking again later may tell.
	ShippingUnknown bool
	// ShippingPending says the shipping was not asked for yet: a search that needs no shipping
	// to filter or sort leaves it to be fetched as the page asks for it. Shipping is nil.
	ShippingPending bool
	ShipFrom        string
	WeightGrams     int // package weight of one unit; 0 when unknown
	Source          Source
	FetchedAt       time.Time // when this data came from AliExpress ("price at time of search")

	// TaxRate is the affiliate API's tax rate for the product, which AliExpress wants back when it
	// quotes the product's shipping; "" when unknown.
	TaxRate string
	Stale   bool // served from cache because AliExpress failed

	// Revision names this product's data as SearchResult.Revision names a result's: the same
	// Revision is the same data, a change gets a new one, 0 says nothing. A caller that changes a
	// product it keeps must set it to 0.
	Revision uint64 `json:"-"`
}

// Category is a node of AliExpress's category tree.
type Category struct {
	ID       int64
	Name     string
	ParentID int64
}

// Shop is a seller.
type Shop struct {
	ID              int64
	Name            string
	URL             string
	Country         string
	ItemAsDescribed float64 // 0-5
	Communication   float64
	ShippingSpeed   float64
}

// Option is a variant dimension ("Color") and its values in display order.
type Option struct {
	Name   string
	Values []string
}

// Variant is one SKU of a product.
type Variant struct {
	SKUID     string
	Attr      string   // AliExpress sku_attr, what an order names; "" for a single-SKU product
	Values    []string // one value per Product.Options entry
	Price     Money    // the supplier's sale price for one unit
	ListPrice Money    // before discount
	Stock     int      // units available; -1 when unknown
	Image     string
	// ImportCharge is the estimated import charge per unit when the price does not include it
	// (AliExpress estimated_import_charges); zero when included or unknown.
	ImportCharge Money
	Barcode      string
	// Shipping is this variant's own options to Product.ShipTo when the product ships from several
	// warehouses (a "Ships From" option) and they differ; nil means Product.Shipping applies, and
	// an empty, non-nil list means the variant does not ship there.
	Shipping []ShippingOption
}

// ShippingOption is one way to ship a product to ShipTo.
type ShippingOption struct {
	Code     string // the logistics service code an order names
	Company  string
	Fee      Money // for one unit; zero when Free
	Free     bool
	MinDays  int
	MaxDays  int
	Tracking bool
	ShipFrom string
}

// Cheapest returns the cheapest shipping option, the faster one on a tie; ok is false when the
// product does not ship to ShipTo.
func (p *Product) Cheapest() (ShippingOption, bool) {
	var best ShippingOption
	found := false
	for _, o := range p.Shipping {
		if !found || o.Fee.Amount < best.Fee.Amount || (o.Fee.Amount == best.Fee.Amount && o.MaxDays < best.MaxDays) {
			best, found = o, true
		}
	}
	return best, found
}

// ShippingFor returns the options a variant of p ships by: its own, when its warehouse has them,
// else the product's.
func (p *Product) ShippingFor(v *Variant) []ShippingOption {
	if v.Shipping != nil {
		return v.Shipping
	}
	return p.Shipping
}

// FreeShipping reports whether some option ships for free.
func (p *Product) FreeShipping() bool {
	for _, o := range p.Shipping {
		if o.Free {
			return true
		}
	}
	return false
}

// Variant returns the variant with skuID.
func (p *Product) Variant(skuID string) (Variant, bool) {
	for _, v := range p.Variants {
		if v.SKUID == skuID {
			return v, true
		}
	}
	return Variant{}, false
}

// InStock reports whether any variant has stock (unknown stock counts as in stock).
func (p *Product) InStock() bool {
	for _, v := range p.Variants {
		if v.Stock != 0 {
			return true
		}
	}
	return false
}

// SoldOut reports whether p is known to be sold out: it has variants and every one of them is
// known to have no stock. A product whose stock is unknown (affiliate data) is not sold out.
func (p *Product) SoldOut() bool {
	return len(p.Variants) > 0 && !p.InStock()
}

// Stock returns the units available over all variants, and whether that is known (every
// variant's stock is).
func (p *Product) Stock() (int, bool) {
	n := 0
	for _, v := range p.Variants {
		if v.Stock < 0 {
			return 0, false
		}
		n += v.Stock
	}
	return n, len(p.Variants) > 0
}

// KnowsImportCharges reports whether p's variants say what import charges their prices leave out.
// Only the Dropshipping API tells (estimated_import_charges); affiliate data, which a search
// returns, gives a price and nothing on import charges, so a margin from it is a margin before
// import charges.
func (p *Product) KnowsImportCharges() bool { return p.Source == SourceDS }

// Stars returns the product's rating on AliExpress's 5-star scale, the one rating every page, the
// API and the min_rating filter use. It is estimated from the positive-feedback rate when that is
// known (96% positive ≈ 4.8, rounded to one decimal): searches have nothing else, so a product
// keeps the rating its search card showed on its own page too. Otherwise it is the review
// average (a product known from the Dropshipping API alone).
func (p *Product) Stars() float64 {
	if p.PositiveRate > 0 {
		return float64(int(p.PositiveRate/20*10+0.5)) / 10
	}
	if p.Rating > 0 {
		return p.Rating
	}
	return 0
}
