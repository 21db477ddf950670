package sourcing

import (
	"slices"
	"strconv"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
)

// money is an SDK amount as the domain's Money.
func money(m aliexpress.Money) catalog.Money {
	return catalog.Money{Amount: m.Amount, Currency: m.Currency}
}

// sdkMoney is a domain amount as the SDK's Money.
func sdkMoney(m catalog.Money) aliexpress.Money {
	return aliexpress.Money{Amount: m.Amount, Currency: m.Currency}
}

// fromAffiliate normalizes an affiliate product: one variant at the product's price, stock unknown.
func fromAffiliate(ap aliexpress.Product, f catalog.Filters) catalog.Product {
	price := money(ap.TargetSalePrice)
	if price.IsZero() {
		price = money(ap.SalePrice)
	}
	orig := money(ap.TargetOriginalPrice)
	if orig.IsZero() {
		orig = money(ap.OriginalPrice)
	}
	if orig.IsZero() || orig.Currency != price.Currency || orig.Amount < price.Amount {
		orig = price
	}
	images := make([]string, 0, 1+len(ap.SmallImageURLs))
	if ap.MainImageURL != "" {
		images = append(images, ap.MainImageURL)
	}
	for _, u := range ap.SmallImageURLs {
		if !slices.Contains(images, u) {
			images = append(images, u)
		}
	}
	url := ap.DetailURL
	if url == "" {
		url = aliexpress.ProductURL(ap.ID)
	}
	discount := int(ap.DiscountPercent + 0.5)
	if discount == 0 {
		discount = discountPercent(orig, price)
	}
	p := catalog.Product{
		ID:                ap.ID,
		Title:             ap.Title,
		URL:               url,
		AffiliateURL:      ap.PromotionLink,
		Images:            images,
		VideoURL:          ap.VideoURL,
		Category:          catalog.Category{ID: ap.SecondLevelCategoryID, Name: ap.SecondLevelCategoryName, ParentID: ap.FirstLevelCategoryID},
		TopCategory:       catalog.Category{ID: ap.FirstLevelCategoryID, Name: ap.FirstLevelCategoryName},
		Shop:              catalog.Shop{ID: ap.ShopID, Name: ap.ShopName, URL: ap.ShopURL},
		Price:             price,
		OriginalPrice:     orig,
		DiscountPercent:   discount,
		PositiveRate:      ap.PositiveRate,
		Orders30d:         int(ap.Volume),
		CommissionRate:    ap.CommissionRate,
		HotCommissionRate: ap.HotCommissionRate,
		Variants:          []catalog.Variant{{SKUID: ap.SKUID, Price: price, ListPrice: orig, Stock: -1}},
		ShipTo:            f.ShipTo,
		Source:            catalog.SourceAffiliate,
		TaxRate:           ap.TaxRate,
	}
	if p.Category.ID == 0 {
		p.Category = p.TopCategory
	}
	return p
}

// mergeDS builds a product from the DS API's answer, keeping the affiliate data (commission,
// 30-day orders, affiliate link, category names) when hasAff.
func mergeDS(aff catalog.Product, hasAff bool, d *aliexpress.DSProduct, o catalog.ProductOptions) catalog.Product {
	p := aff
	if !hasAff {
		p = catalog.Product{URL: aliexpress.ProductURL(d.ID)}
	}
	p.ID = d.ID
	if d.Title != "" || !hasAff {
		p.Title = d.Title
	}
	if len(d.Images) > 0 {
		p.Images = slices.Clone(d.Images)
	}
	p.DescriptionHTML = d.DetailHTML
	if p.Category.ID == 0 {
		p.Category = catalog.Category{ID: d.CategoryID}
	}
	p.Shop = catalog.Shop{ID: d.Store.ID, Name: d.Store.Name, URL: p.Shop.URL, Country: d.Store.Country,
		ItemAsDescribed: d.Store.ItemAsDescribed, Communication: d.Store.Communication, ShippingSpeed: d.Store.ShippingSpeed}
	if p.Shop.URL == "" && d.Store.ID != 0 {
		p.Shop.URL = "https://www.aliexpress.com/store/" + strconv.FormatInt(d.Store.ID, 10)
	}
	p.ShipFrom = d.Store.Country
	p.Rating = d.Rating
	p.Reviews = d.EvaluationCount
	p.WeightGrams = d.Package.Grams
	p.ShipTo = o.ShipTo
	p.Source = catalog.SourceDS
	if len(d.Videos) > 0 && p.VideoURL == "" {
		p.VideoURL = d.Videos[0].URL
	}

	// Options in the order their properties first appear; values in the order they first appear.
	type optIdx struct {
		pos    int
		values map[string]bool
	}
	idx := map[int64]*optIdx{}
	p.Options = nil
	valueName := func(sp aliexpress.SKUProperty) string {
		if sp.DefinitionName != "" {
			return sp.DefinitionName
		}
		return sp.Value
	}
	for _, v := range d.Variants {
		for _, sp := range v.Properties {
			oi, ok := idx[sp.ID]
			if !ok {
				if len(p.Options) == 3 {
					continue // stores take at most 3 options
				}
				oi = &optIdx{pos: len(p.Options), values: map[string]bool{}}
				idx[sp.ID] = oi
				p.Options = append(p.Options, catalog.Option{Name: sp.Name})
			}
			name := valueName(sp)
			if !oi.values[name] {
				oi.values[name] = true
				p.Options[oi.pos].Values = append(p.Options[oi.pos].Values, name)
			}
		}
	}
	p.Variants = make([]catalog.Variant, 0, len(d.Variants))
	for _, v := range d.Variants {
		nv := catalog.Variant{SKUID: v.SKUID, Attr: v.Attr, Price: money(v.SalePrice), ListPrice: money(v.Price), Stock: v.Stock,
			Barcode: v.Barcode, Values: make([]string, len(p.Options))}
		if nv.Price.IsZero() {
			nv.Price = money(v.Price)
		}
		if nv.ListPrice.IsZero() || nv.ListPrice.Amount < nv.Price.Amount {
			nv.ListPrice = nv.Price
		}
		if v.EstimatedImportCharges != nil {
			nv.ImportCharge = money(*v.EstimatedImportCharges)
		}
		for _, sp := range v.Properties {
			if oi, ok := idx[sp.ID]; ok {
				nv.Values[oi.pos] = valueName(sp)
			}
			if sp.Image != "" && nv.Image == "" {
				nv.Image = sp.Image
			}
		}
		p.Variants = append(p.Variants, nv)
	}
	if len(p.Variants) == 0 {
		p.Variants = []catalog.Variant{{Price: p.Price, ListPrice: p.OriginalPrice, Stock: -1}}
	}
	// The product's price is its cheapest variant, preferring those in stock.
	best := -1
	for i, v := range p.Variants {
		if best < 0 || (v.Stock != 0 && p.Variants[best].Stock == 0) ||
			((v.Stock != 0) == (p.Variants[best].Stock != 0) && v.Price.Amount < p.Variants[best].Price.Amount) {
			best = i
		}
	}
	p.Price, p.OriginalPrice = p.Variants[best].Price, p.Variants[best].ListPrice
	p.DiscountPercent = discountPercent(p.OriginalPrice, p.Price)
	return p
}

// discountPercent is how much below orig price is, in whole percent rounded half up: the way
// AliExpress's own discount figures read, so a product shows the same discount on every page.
func discountPercent(orig, price catalog.Money) int {
	if orig.Amount <= price.Amount || orig.Amount <= 0 || orig.Currency != price.Currency {
		return 0
	}
	return int(((orig.Amount-price.Amount)*200 + orig.Amount) / (2 * orig.Amount))
}
