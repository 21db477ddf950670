// Package world generates the simulator's deterministic world of products: categories, shops,
// products with variants, stock and shipping per destination, affiliate promos and orders, and how
// all of it moves from day to day. The gateway in package sandbox renders it into the platform's
// envelopes. (It is not the app's domain package internal/catalog: it invents the AliExpress side.)
//
// Money is integer cents of USD (the catalog's base currency); Convert gives other currencies.
// Everything is a pure function of the seed and the day, so two catalogs with the same seed agree,
// and any day can be asked in any order; the one exception is an Override a test puts on a
// product (its price, stock or existence), which wins over the day's figures until cleared.
//
// New builds only a compact index (what search, sorting and feeds need); a full product with its
// variants, stock and description is generated when asked for, and a small cache keeps the
// recent ones. Some products are hostile on purpose (markup, formulas, control characters, an
// empty and a 1,000-character title) and rank high among ordinary ones; HostileIDs lists them.
package world

import "time"

// Epoch is day 0 of the catalog: prices, stock and listings on any later day are derived from it.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Day returns the catalog day number of t (days since Epoch, UTC; negative before it).
func Day(t time.Time) int {
	d := t.UTC().Sub(Epoch)
	n := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		n--
	}
	return n
}

// Category is one node of the platform's category tree. Top-level categories have ParentID 0.
type Category struct {
	ID       int64
	Name     string
	ParentID int64
}

// Shop is a seller.
type Shop struct {
	ID              int64
	Name            string
	Country         string  // ship-from country code, mostly "CN"
	ItemAsDescribed float64 // 0-5, one decimal
	Communication   float64
	ShippingSpeed   float64
	PositiveRate    float64 // percent of positive feedback, e.g. 97.8
}

// Product is one listing as it is on a given day.
type Product struct {
	ID            int64
	Title         string // may be hostile: HTML, script, formulas, RTL overrides, emoji, 1,000 chars, empty
	Description   string // HTML, may be hostile
	CategoryID    int64  // second-level category
	TopCategoryID int64  // its top-level parent
	ShopID        int64
	PlatformType  string // "PLAZA" or "TMALL"

	// Prices in USD cents for one unit: the lowest variant's list price and sale price.
	OriginalPrice int64
	SalePrice     int64
	AppSalePrice  int64
	DiscountPct   int // 0-90, (original-sale)/original rounded

	Rating          float64 // average evaluation 0-5, one decimal ("4.8")
	PositiveRate    float64 // evaluate_rate in percent ("96.5%")
	EvaluationCount int
	Orders30d       int // lastest_volume, heavy-tailed
	SalesCount      int // all-time sales (ds sales_count)

	CommissionRate    float64 // percent, e.g. 7.0
	HotCommissionRate float64 // percent; 0 when not a hot product

	Images   []string // paths served by the simulator, e.g. "/sandbox/img/1005001234567890/0.png"
	VideoURL string   // path or "", for some products

	Attributes []Attribute   // item properties (Brand Name, Material, ...)
	Properties []SKUProperty // 0 to 3 variant dimensions
	Variants   []Variant     // 1 to 40; a single-SKU product has one variant with Attr ""

	Package Package
	// ShipFrom is the country the goods leave from ("CN" mostly, some "US", "ES", ...).
	ShipFrom string
	// Currency is the currency the seller lists the product in: "USD" for most, "CNY" for some
	// sellers in China. Prices here are USD cents whatever it is.
	Currency  string
	LeadDays  int // handling days before dispatch
	CreatedAt time.Time
	// BrandProtected products are not allowed in some countries (ds.product.get answers 602 there).
	NotAllowedIn []string
}

// Attribute is a descriptive item property.
type Attribute struct {
	NameID  int64
	Name    string
	ValueID int64
	Value   string
}

// SKUProperty is a variant dimension (Color, Size, Ships From) and its values.
type SKUProperty struct {
	ID     int64
	Name   string
	Values []PropertyValue
}

// PropertyValue is one value of a SKUProperty.
type PropertyValue struct {
	ID    int64
	Name  string // as the seller named it ("Black Green")
	Image string // path or ""
}

// Variant is one SKU.
type Variant struct {
	SKUID  string // 17 digits
	Attr   string // "14:175#Black;5:100014064#XL"; "" for a single-SKU product
	Values []VariantValue
	// Prices in USD cents for one unit.
	Price     int64 // list price (sku_price)
	SalePrice int64 // price to pay (offer_sale_price)
	BulkPrice int64 // offer_bulk_sale_price
	BulkMin   int   // sku_bulk_order
	Stock     int   // 0 = sold out
	// ImportCharge is the estimated US import charge per unit in cents; 0 means the price includes it.
	ImportCharge int64
	Image        string // the variant's own picture path, or ""
	// Tiers are the wholesale price breaks, by ascending MinQuantity and descending Price; none
	// when the product has no wholesale price. The first is BulkMin at BulkPrice.
	Tiers []Tier
	// BuyLimit is the most units of the variant one order may take at the promotional sale price
	// (0 = no limit); LimitStrategy says what happens past it: LimitFail or LimitNormalPrice.
	BuyLimit      int
	LimitStrategy string
}

// Tier is a wholesale price break: from MinQuantity units on, each costs Price USD cents.
type Tier struct {
	MinQuantity int
	Price       int64
}

// The limit strategies of a promotion's buy limit, as ds.product.get names them.
const (
	LimitFail        = "create_order_fail"    // an order past the limit fails
	LimitNormalPrice = "back_to_normal_price" // units past the limit cost the list price
)

// VariantValue names the value a variant takes on one property.
type VariantValue struct {
	PropertyID   int64
	PropertyName string
	ValueID      int64
	ValueName    string
	Image        string
}

// Package is the shipping package of one unit.
type Package struct {
	LengthCM, WidthCM, HeightCM int
	WeightGrams                 int
}

// ShippingOption is one way to ship a product to a country.
type ShippingOption struct {
	Code          string // logistics service code, e.g. "CAINIAO_STANDARD"
	Company       string // shown name, e.g. "AliExpress Standard Shipping"
	Fee           int64  // USD cents for the requested quantity; 0 when Free
	Free          bool
	FreeThreshold int64 // order value in cents from which it is free; 0 = none
	MinDays       int
	MaxDays       int
	Tracking      bool
	ShipFrom      string
}

// Sort orders of Search.
const (
	SortDefault     = ""
	SortPriceAsc    = "SALE_PRICE_ASC"
	SortPriceDesc   = "SALE_PRICE_DESC"
	SortVolumeAsc   = "LAST_VOLUME_ASC"
	SortVolumeDesc  = "LAST_VOLUME_DESC"
	SortDiscountAsc = "DISCOUNT_ASC"
	SortDiscountDsc = "DISCOUNT_DESC"
	SortRatingAsc   = "RATING_ASC"
	SortRatingDesc  = "RATING_DESC"
	SortCommission  = "COMMISSION_DESC"
)

// Query is a product search.
type Query struct {
	Keywords     string  // all words must match (case-insensitive) title or category name
	CategoryIDs  []int64 // top-level or second-level; any matches
	MinPrice     int64   // USD cents of the sale price, 0 = none
	MaxPrice     int64   // USD cents, 0 = none
	ShipTo       string  // only products that ship there; "" = any
	DeliveryDays int     // only products with an option arriving within N days to ShipTo (or US); 0 = any
	PlatformType string  // "", "ALL", "PLAZA", "TMALL"
	HotOnly      bool    // only products with a hot-product commission
	Promo        string  // only products in this featured promo / feed name; "" = any
	Sort         string
	Page         int // 1-based
	PageSize     int
}

// Result is one page of a search.
type Result struct {
	Products []Product
	Total    int // all matching products
}

// Promo is a featured promotion or DS feed with the products in it.
type Promo struct {
	Name       string
	Desc       string
	ProductNum int
}

// AffiliateOrder is an order a publisher's link earned.
type AffiliateOrder struct {
	OrderID      int64
	SubOrderID   int64
	Status       string // "Payment Completed", "Buyer Confirmed Receipt", "Completed Settlement", "Invalid"
	TrackingID   string
	CreatedAt    time.Time
	PaidAt       time.Time
	FinishedAt   time.Time // zero until confirmed
	PaidAmount   int64     // cents
	Commission   int64     // estimated paid commission, cents
	CommissionPc float64
	ProductID    int64
	ProductTitle string
	Count        int
	ShipTo       string
	CategoryID   int64
}
