package world

import (
	"slices"
	"time"
)

// How a product moves from day to day. Every function here is a pure function of the seed, the
// product and the day, so day 300 can be asked before day 2 and the answers never change.

// find returns the index of product id.
func (c *Catalog) find(id int64) (int, bool) {
	return slices.BinarySearchFunc(c.items, id, func(it item, id int64) int {
		switch {
		case it.id < id:
			return -1
		case it.id > id:
			return 1
		}
		return 0
	})
}

// live says whether the product is listed on day.
func (it *item) live(day int) bool { return day >= int(it.created) && day < int(it.gone) }

// priceFactors returns the day's list and sale prices in thousandths of the product's base
// prices. Most products drift a few percent up or down for some days at a time; now and then a
// product runs a week-long sale that cuts the sale price only. sale <= list always.
func (c *Catalog) priceFactors(it *item, day int) (list, sale int64) {
	seed, id := uint64(c.seed), uint64(it.id)
	h := mix(seed, saltDrift, id)
	list = 1000
	if h%100 < 65 {
		period := 2 + int(h>>8%9)
		e := floorDiv(day+int(h>>16%uint64(period)), period)
		if r := mix(seed, saltDriftLevel, id, uint64(int64(e))); r%100 >= 35 {
			list = 940 + int64(r>>8%121)
		}
	}
	sale = list
	w := floorDiv(day+int(h>>24%7), 7)
	if r := mix(seed, saltSale, id, uint64(int64(w))); r%100 < 6 {
		sale = list * (800 + int64(r>>8%100)) / 1000
	}
	return list, sale
}

// saleOn is the product's sale price on day: its cheapest variant's.
func (c *Catalog) saleOn(it *item, day int) int64 {
	if o, ok := c.OverrideOf(it.id); ok && o.SalePrice > 0 {
		return o.SalePrice
	}
	_, s := c.priceFactors(it, day)
	return perMille(int64(it.price), s)
}

// pricesOn returns the product's list and sale prices and its discount on day.
func (c *Catalog) pricesOn(it *item, day int) (list, sale int64, disc int) {
	lf, sf := c.priceFactors(it, day)
	list, sale = perMille(int64(it.orig), lf), perMille(int64(it.price), sf)
	if o, ok := c.OverrideOf(it.id); ok && o.SalePrice > 0 {
		list, sale = overriddenPrices(list, sale, o.SalePrice)
	}
	return list, sale, discount(list, sale)
}

func discount(list, sale int64) int {
	if list <= 0 || sale >= list {
		return 0
	}
	return int(((list-sale)*100 + list/2) / list)
}

// ordersOn is the product's 30-day order count on day: the base count give or take 10%,
// moving every three days.
func (c *Catalog) ordersOn(it *item, day int) int {
	if it.orders == 0 {
		return 0
	}
	f := 900 + int64(mix(uint64(c.seed), saltOrders, uint64(it.id), uint64(int64(floorDiv(day, 3))))%201)
	return int(int64(it.orders) * f / 1000)
}

// stockOn is the stock of variant n on day. Stock is redrawn every few days (a restock), sells
// down between restocks, and now and then a variant, or the whole product, sells out.
func (c *Catalog) stockOn(it *item, d *detail, n int, day int) int {
	if it.flags&flagSoldOut != 0 {
		return 0
	}
	seed, id := uint64(c.seed), uint64(it.id)
	e := floorDiv(day+d.phase, d.period)
	if mix(seed, saltSellout, id, uint64(int64(e)))%1000 < 15 {
		return 0
	}
	r := mix(seed, saltStock, id, uint64(n), uint64(int64(e)))
	if r%100 < 8 {
		return 0
	}
	cb := &d.combos[n]
	if cb.stock == 9999 {
		return 9999
	}
	s := int64(cb.stock) * (30 + int64(r>>8%121)) / 100
	perDay := int64(it.orders)/30/int64(len(d.combos)) + int64(r>>16%3)
	s -= perDay * int64(day+d.phase-e*d.period)
	return int(max(s, 0))
}

// Product returns a product as it is on day, with its override, if any. ok is false when no such
// product exists, it is not listed yet, it has disappeared by that day, or an override made it
// gone (the platform's ITEM_ID_NOT_FOUND).
func (c *Catalog) Product(id int64, day int) (p Product, ok bool) {
	i, found := c.find(id)
	if !found || !c.listed(&c.items[i], day) {
		return Product{}, false
	}
	return c.productOn(i, day), true
}

// productOn builds product i as it is on day, with its override. The result shares nothing
// mutable with the catalog.
func (c *Catalog) productOn(i int, day int) Product {
	it := &c.items[i]
	d := c.detail(i)
	k := &c.kids[it.kid]
	lf, sf := c.priceFactors(it, day)
	p := Product{
		ID:                it.id,
		Title:             c.title(it),
		Description:       d.desc,
		CategoryID:        k.spec.id,
		TopCategoryID:     tops[it.top].id,
		ShopID:            c.shops[it.shop].ID,
		PlatformType:      "PLAZA",
		Rating:            float64(it.rating) / 10,
		PositiveRate:      d.positive,
		EvaluationCount:   d.evals,
		Orders30d:         c.ordersOn(it, day),
		SalesCount:        d.sales,
		CommissionRate:    float64(it.comm) / 10,
		HotCommissionRate: float64(it.hot) / 10,
		Images:            slices.Clone(d.images),
		VideoURL:          d.video,
		Attributes:        slices.Clone(d.attrs),
		Package:           d.pkg,
		ShipFrom:          origins[it.primary].code,
		Currency:          c.currencyOf(it),
		LeadDays:          d.lead,
		CreatedAt:         Epoch.Add(time.Duration(it.created)*24*time.Hour + time.Duration(it.id%86400)*time.Second),
		NotAllowedIn:      slices.Clone(d.notAllow),
	}
	if it.tmall {
		p.PlatformType = "TMALL"
	}

	// Variants listed today, and the property values they use.
	used := make([][]bool, len(d.dims))
	for j := range d.dims {
		used[j] = make([]bool, len(d.dims[j].values))
	}
	listed := make([]int, 0, len(d.combos))
	for n := range d.combos {
		cb := &d.combos[n]
		if day < int(cb.from) || day >= int(cb.until) {
			continue
		}
		listed = append(listed, n)
		for j := range d.dims {
			used[j][cb.vals[j]] = true
		}
	}
	limit, strategy := c.buyLimitOn(it, day)
	p.Variants = make([]Variant, len(listed))
	vals := make([]VariantValue, len(listed)*len(d.dims))
	for vi, n := range listed {
		cb := &d.combos[n]
		list := perMille(perMille(int64(it.orig), cb.mult), lf)
		sale := perMille(perMille(int64(it.price), cb.mult), sf)
		v := Variant{
			SKUID:     cb.sku,
			Attr:      cb.attr,
			Price:     list,
			SalePrice: sale,
			BulkPrice: perMille(sale, d.bulkPM),
			BulkMin:   d.bulkMin,
			Stock:     c.stockOn(it, d, n, day),
			Image:     cb.image,
		}
		v.Tiers = c.tiers(it, d, sale)
		if sale < list {
			// A buy limit holds the promotional price, so it exists only while there is one.
			v.BuyLimit, v.LimitStrategy = limit, strategy
		}
		if it.imp > 0 && cb.origin == 0 {
			v.ImportCharge = max(1, perMille(sale, int64(it.imp)))
		}
		vv := vals[vi*len(d.dims) : (vi+1)*len(d.dims) : (vi+1)*len(d.dims)]
		for j := range d.dims {
			pv := d.dims[j].values[cb.vals[j]]
			vv[j] = VariantValue{PropertyID: d.dims[j].id, PropertyName: d.dims[j].name, ValueID: pv.ID, ValueName: pv.Name, Image: pv.Image}
		}
		if len(vv) > 0 {
			v.Values = vv
		}
		p.Variants[vi] = v
	}
	for j := range d.dims {
		sp := SKUProperty{ID: d.dims[j].id, Name: d.dims[j].name}
		for v, pv := range d.dims[j].values {
			if used[j][v] {
				sp.Values = append(sp.Values, pv)
			}
		}
		p.Properties = append(p.Properties, sp)
	}

	// Product-level prices are the cheapest variant's, which is always variant 0.
	v0 := p.Variants[0]
	p.OriginalPrice, p.SalePrice = v0.Price, v0.SalePrice
	p.AppSalePrice = perMille(p.SalePrice, d.appPM)
	p.DiscountPct = discount(p.OriginalPrice, p.SalePrice)
	if o, ok := c.OverrideOf(it.id); ok {
		o.apply(&p, d)
	}
	return p
}

// Variant returns the variant with skuID, or the cheapest variant when skuID is "".
func (p *Product) Variant(skuID string) (Variant, bool) {
	if len(p.Variants) == 0 {
		return Variant{}, false
	}
	if skuID == "" {
		return p.Variants[0], true
	}
	for _, v := range p.Variants {
		if v.SKUID == skuID {
			return v, true
		}
	}
	return Variant{}, false
}

// InStock is the number of units in stock over all variants.
func (p *Product) InStock() int {
	n := 0
	for _, v := range p.Variants {
		n += v.Stock
	}
	return n
}

// Size is the number of products ever listed (some are gone on a given day).
func (c *Catalog) Size() int { return c.size }

// Categories returns the whole tree: the platform's real top-level categories and their
// children, each top-level category followed by its children.
func (c *Catalog) Categories() []Category { return slices.Clone(c.cats) }

// Category returns one category by ID.
func (c *Catalog) Category(id int64) (Category, bool) {
	i, ok := c.catIdx[id]
	if !ok {
		return Category{}, false
	}
	return c.cats[i], true
}

// Shop returns a shop by ID.
func (c *Catalog) Shop(id int64) (Shop, bool) {
	i, ok := c.shopIdx[id]
	if !ok {
		return Shop{}, false
	}
	return c.shops[i], true
}

// Shops lists every shop, by ID.
func (c *Catalog) Shops() []Shop { return slices.Clone(c.shops) }

// IDs lists every product ID ever listed, ascending (some are gone on a given day).
func (c *Catalog) IDs() []int64 {
	ids := make([]int64, len(c.items))
	for i := range c.items {
		ids[i] = c.items[i].id
	}
	return ids
}

// currencyOf is the currency a product is listed in: a quarter of the products that ship from
// China are listed in CNY (as the ds.product.get documentation sample is), the rest in USD.
func (c *Catalog) currencyOf(it *item) string {
	if origins[it.primary].code == "CN" && mix(uint64(c.seed), saltCurrency, uint64(it.id))%4 == 0 {
		return "CNY"
	}
	return "USD"
}

// tiers returns the wholesale price breaks of a variant whose sale price is sale: none without a
// bulk price, else the bulk price from bulkMin units and, for half of those products, a deeper one
// from a larger quantity.
func (c *Catalog) tiers(it *item, d *detail, sale int64) []Tier {
	if d.bulkMin <= 1 {
		return nil
	}
	out := []Tier{{MinQuantity: d.bulkMin, Price: perMille(sale, d.bulkPM)}}
	if h := mix(uint64(c.seed), saltWholesale, uint64(it.id)); h%2 == 0 {
		deeper := d.bulkPM - 20 - int64(h>>8%31)
		out = append(out, Tier{MinQuantity: d.bulkMin * (3 + int(h>>16%3)), Price: perMille(sale, deeper)})
	}
	return out
}

// buyLimitOn returns the buy limit one in eight products puts on its promotional price in a given
// week, and the strategy past it; 0 and "" for the rest.
func (c *Catalog) buyLimitOn(it *item, day int) (int, string) {
	h := mix(uint64(c.seed), saltBuyLimit, uint64(it.id), uint64(int64(floorDiv(day, 7))))
	if h%8 != 0 {
		return 0, ""
	}
	strategy := LimitNormalPrice
	if h>>8%2 == 0 {
		strategy = LimitFail
	}
	return 1 + int(h>>16%5), strategy
}
