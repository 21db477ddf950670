package world

import (
	"maps"
	"sync"
	"sync/atomic"
)

// Override replaces some of a product's generated figures on every day until it is cleared, for
// tests that need a product to cost a given price, sell out or disappear. Figures it does not set
// keep moving with the day. It is the one thing in a Catalog that is not a function of the seed
// and the day.
type Override struct {
	// SalePrice is the sale price in USD cents of one unit of every variant; 0 keeps the day's.
	// Each variant's list price keeps the day's ratio to its sale price, so the discount stays
	// what the day gives, and wholesale tiers, the app price and import charges follow the same
	// factor.
	SalePrice int64
	// Stock is the stock of every variant when SetStock is true (0 = sold out).
	Stock    int
	SetStock bool
	// Gone makes the product unknown, as a listing that disappeared is: Product answers !ok and
	// searches and feeds leave it out.
	Gone bool
}

// overrides holds the Catalog's overrides: readers load an immutable map without a lock, writers
// copy it under mu.
type overrides struct {
	mu sync.Mutex
	m  atomic.Pointer[map[int64]Override]
}

// SetOverride puts o on product id from now on, replacing any override it had. It reports false,
// and does nothing, when id was never in the catalog.
func (c *Catalog) SetOverride(id int64, o Override) bool {
	if _, ok := c.find(id); !ok {
		return false
	}
	c.over.mu.Lock()
	defer c.over.mu.Unlock()
	next := map[int64]Override{}
	if cur := c.over.m.Load(); cur != nil {
		next = maps.Clone(*cur)
	}
	next[id] = o
	c.over.m.Store(&next)
	return true
}

// ClearOverride removes the override of product id, if it has one: its figures are the day's
// again.
func (c *Catalog) ClearOverride(id int64) {
	c.over.mu.Lock()
	defer c.over.mu.Unlock()
	cur := c.over.m.Load()
	if cur == nil {
		return
	}
	if _, ok := (*cur)[id]; !ok {
		return
	}
	next := maps.Clone(*cur)
	delete(next, id)
	if len(next) == 0 {
		c.over.m.Store(nil)
		return
	}
	c.over.m.Store(&next)
}

// OverrideOf returns the override of product id, if it has one.
func (c *Catalog) OverrideOf(id int64) (Override, bool) {
	m := c.over.m.Load()
	if m == nil {
		return Override{}, false
	}
	o, ok := (*m)[id]
	return o, ok
}

// Exists reports whether id was ever in the catalog, listed on some day or not.
func (c *Catalog) Exists(id int64) bool {
	_, ok := c.find(id)
	return ok
}

// listed says whether the product is listed on day: live, and not made gone by an override.
func (c *Catalog) listed(it *item, day int) bool {
	if !it.live(day) {
		return false
	}
	o, ok := c.OverrideOf(it.id)
	return !ok || !o.Gone
}

// apply puts an override on a product generated for a day; d is its detail (for the app price).
func (o Override) apply(p *Product, d *detail) {
	if o.SetStock {
		for i := range p.Variants {
			p.Variants[i].Stock = max(o.Stock, 0)
		}
	}
	if o.SalePrice > 0 {
		for i := range p.Variants {
			v := &p.Variants[i]
			old := v.SalePrice
			if old <= 0 {
				old = 1
			}
			scale := func(cents int64) int64 { return max((cents*o.SalePrice+old/2)/old, 1) }
			v.Price = max(scale(v.Price), o.SalePrice)
			if v.BulkPrice > 0 {
				v.BulkPrice = min(scale(v.BulkPrice), o.SalePrice)
			}
			if v.ImportCharge > 0 {
				v.ImportCharge = scale(v.ImportCharge)
			}
			if len(v.Tiers) > 0 {
				tiers := make([]Tier, len(v.Tiers))
				for j, t := range v.Tiers {
					tiers[j] = Tier{MinQuantity: t.MinQuantity, Price: min(scale(t.Price), o.SalePrice)}
				}
				v.Tiers = tiers
			}
			v.SalePrice = o.SalePrice
			if v.SalePrice >= v.Price {
				v.BuyLimit, v.LimitStrategy = 0, ""
			}
		}
		// Every variant now sells at one price: the product's list price is the lowest of theirs.
		v0 := p.Variants[0]
		for _, v := range p.Variants[1:] {
			if v.Price < v0.Price {
				v0 = v
			}
		}
		p.OriginalPrice, p.SalePrice = v0.Price, v0.SalePrice
		p.AppSalePrice = perMille(p.SalePrice, d.appPM)
		p.DiscountPct = discount(p.OriginalPrice, p.SalePrice)
	}
}

// overriddenPrices returns the list and sale price of a product under an override's sale price,
// keeping the day's ratio between them, as apply does for its cheapest variant.
func overriddenPrices(list, sale, price int64) (int64, int64) {
	if sale <= 0 {
		sale = 1
	}
	return max((list*price+sale/2)/sale, price), price
}
