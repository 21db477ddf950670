package world

import (
	"reflect"
	"slices"
	"testing"
)

// overrideCase finds a product listed on days 60 to 70 with several variants, a discount on day
// 60 and wholesale tiers, in a catalog of its own (overrides are not shared).
func overrideCase(t *testing.T) (*Catalog, Product) {
	t.Helper()
	c := New(3, 4000)
	for _, id := range c.IDs() {
		p, ok := c.Product(id, 60)
		if _, ok70 := c.Product(id, 70); !ok || !ok70 || len(p.Variants) < 3 || p.DiscountPct < 5 || len(p.Variants[0].Tiers) == 0 {
			continue
		}
		return c, p
	}
	t.Fatal("no product with several variants, a discount and wholesale tiers on day 60")
	return nil, Product{}
}

func inSearch(c *Catalog, q Query, id int64, day int) bool {
	q.PageSize = 10000
	return slices.ContainsFunc(c.Search(q, day).Products, func(x Product) bool { return x.ID == id })
}

func TestOverridePrice(t *testing.T) {
	c, before := overrideCase(t)
	id := before.ID
	if !c.SetOverride(id, Override{SalePrice: 999}) {
		t.Fatalf("SetOverride(%d) = false; want true", id)
	}
	for _, day := range []int{60, 70} {
		p, ok := c.Product(id, day)
		if !ok {
			t.Fatalf("Product(%d, %d) after a price override: not found", id, day)
		}
		for _, v := range p.Variants {
			if v.SalePrice != 999 || v.Price < 999 {
				t.Errorf("day %d variant %s = sale %d list %d; want sale 999 and list >= 999", day, v.SKUID, v.SalePrice, v.Price)
			}
			for _, tr := range v.Tiers {
				if tr.Price > 999 || tr.Price <= 0 {
					t.Errorf("day %d variant %s tier %+v; want a price in (0, 999]", day, v.SKUID, tr)
				}
			}
		}
		if p.SalePrice != 999 || p.OriginalPrice < 999 {
			t.Errorf("day %d product prices = %d/%d; want sale 999 under the list price", day, p.SalePrice, p.OriginalPrice)
		}
	}
	// The discount is the day's: list and sale keep their ratio.
	p60, _ := c.Product(id, 60)
	if d := p60.DiscountPct - before.DiscountPct; d < -1 || d > 1 {
		t.Errorf("discount under the override = %d%%; want the day's %d%%", p60.DiscountPct, before.DiscountPct)
	}
	// Stock still moves with the day; only the price is fixed.
	for i, v := range p60.Variants {
		if v.Stock != before.Variants[i].Stock {
			t.Errorf("variant %s stock = %d under a price override; want the day's %d", v.SKUID, v.Stock, before.Variants[i].Stock)
		}
	}
	// Searches sort and filter by the overridden price.
	if !inSearch(c, Query{MinPrice: 999, MaxPrice: 999}, id, 60) {
		t.Errorf("search for a sale price of exactly 9.99 leaves out product %d priced 9.99 by its override", id)
	}
	if before.SalePrice != 999 && inSearch(c, Query{MinPrice: before.SalePrice, MaxPrice: before.SalePrice}, id, 60) {
		t.Errorf("search at the day's price %d still finds product %d overridden to 999", before.SalePrice, id)
	}

	c.ClearOverride(id)
	if after, _ := c.Product(id, 60); !reflect.DeepEqual(after, before) {
		t.Errorf("Product(%d, 60) after ClearOverride differs from the generated one", id)
	}
	if _, ok := c.OverrideOf(id); ok {
		t.Errorf("OverrideOf(%d) after ClearOverride = ok; want none", id)
	}
}

func TestOverrideStockAndGone(t *testing.T) {
	c, before := overrideCase(t)
	id := before.ID
	c.SetOverride(id, Override{Stock: 0, SetStock: true})
	for _, day := range []int{60, 65, 70} {
		p, _ := c.Product(id, day)
		if p.InStock() != 0 {
			t.Errorf("day %d: %d units in stock under a stock-0 override; want 0", day, p.InStock())
		}
		plain := New(3, 4000) // the same world without the override
		want, _ := plain.Product(id, day)
		if p.SalePrice != want.SalePrice {
			t.Errorf("day %d: sale price %d under a stock override; want the day's %d", day, p.SalePrice, want.SalePrice)
		}
	}
	c.SetOverride(id, Override{Stock: 7, SetStock: true})
	if p, _ := c.Product(id, 60); p.Variants[0].Stock != 7 || p.Variants[len(p.Variants)-1].Stock != 7 {
		t.Errorf("stock override 7: variants have %d and %d; want 7 each", p.Variants[0].Stock, p.Variants[len(p.Variants)-1].Stock)
	}

	q := Query{CategoryIDs: []int64{before.CategoryID}}
	if !inSearch(c, q, id, 60) {
		t.Fatalf("product %d not in its category's search before it is made gone", id)
	}
	c.SetOverride(id, Override{Gone: true})
	if _, ok := c.Product(id, 60); ok {
		t.Errorf("Product(%d) of a gone override = ok; want not found", id)
	}
	if inSearch(c, q, id, 60) {
		t.Errorf("product %d made gone is still in its category's search", id)
	}
	for _, f := range c.Feeds() {
		if slices.Contains(c.FeedItemIDs(f.Name, 0, 60), id) {
			t.Errorf("feed %s lists product %d made gone", f.Name, id)
		}
	}
	c.ClearOverride(id)
	if _, ok := c.Product(id, 60); !ok || !inSearch(c, q, id, 60) {
		t.Errorf("product %d after ClearOverride: found %v; want it back in Product and search", id, ok)
	}
	if c.SetOverride(1, Override{Gone: true}) {
		t.Error("SetOverride(1) = true; want false for an ID never in the catalog")
	}
}
