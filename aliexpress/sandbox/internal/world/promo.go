package world

import (
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"
)

// promoDef is a featured promo or DS feed: its name and which products are in it on a day.
type promoDef struct {
	name, desc string
	match      func(c *Catalog, it *item, day int) bool

	once sync.Once
	num  int // members on day 0
}

func topIn(ids ...int64) func(c *Catalog, it *item, day int) bool {
	return func(c *Catalog, it *item, day int) bool { return slices.Contains(ids, tops[it.top].id) }
}

// week is the number of the Monday-to-Sunday week of day (Epoch, 2026-01-01, is a Thursday).
func week(day int) int { return floorDiv(day+3, 7) }

func (c *Catalog) buildPromos() {
	newArrival := func(days int) func(c *Catalog, it *item, day int) bool {
		return func(c *Catalog, it *item, day int) bool { return int(it.created) > day-days }
	}
	c.promos = []*promoDef{
		{name: "Hot Product", desc: "Products with a hot-product commission",
			match: func(c *Catalog, it *item, day int) bool { return it.hot > 0 }},
		{name: "New Arrival", desc: "Listed in the last 60 days", match: newArrival(60)},
		{name: "Best Seller", desc: "The most ordered products of the last 30 days",
			match: func(c *Catalog, it *item, day int) bool { return it.orders >= 300 }},
		{name: "weeklydeals", desc: "Weekly deals, renewed every Monday",
			match: func(c *Catalog, it *item, day int) bool {
				return it.disc >= 20 && mix(uint64(c.seed), saltDeals, uint64(it.id), uint64(int64(week(day))))%6 == 0
			}},
		{name: "Choice", desc: "AliExpress Choice: free shipping from US $10, fast delivery",
			match: func(c *Catalog, it *item, day int) bool { return it.svc&svcSelection != 0 }},
		{name: "Super Deals", desc: "Half price and more",
			match: func(c *Catalog, it *item, day int) bool { return it.disc >= 50 }},
		{name: "Top Brands", desc: "Official brand stores",
			match: func(c *Catalog, it *item, day int) bool { return it.tmall }},
		{name: "Tech Gadgets", desc: "Well-rated electronics, phones and computer accessories",
			match: func(c *Catalog, it *item, day int) bool {
				return it.rating >= 45 && topIn(44, 509, 7)(c, it, day)
			}},
		{name: "Home Essentials", desc: "Home, garden, appliances and lighting", match: topIn(15, 13, 6, 39, 1503)},
		{name: "Fashion Finds", desc: "Clothing, shoes, bags, jewelry and watches",
			match: topIn(200000343, 200000345, 200000297, 322, 36, 1511, 1524)},
		{name: "Outdoor & Summer", desc: "Discounted sports, outdoor and summer clothing",
			match: func(c *Catalog, it *item, day int) bool {
				return it.disc >= 30 && topIn(18, 200000343, 200000345)(c, it, day)
			}},
	}

	bestIn := func(ids ...int64) func(c *Catalog, it *item, day int) bool {
		in := topIn(ids...)
		return func(c *Catalog, it *item, day int) bool { return it.orders >= 100 && in(c, it, day) }
	}
	topSellers := func(code string) func(c *Catalog, it *item, day int) bool {
		ci := countryIndex(code)
		return func(c *Catalog, it *item, day int) bool {
			d := c.fastestDays(it, ci)
			return it.orders >= 150 && d > 0 && d <= 14
		}
	}
	c.feeds = []*promoDef{
		{name: "DS bestseller", desc: "Dropshipping best sellers",
			match: func(c *Catalog, it *item, day int) bool {
				return it.orders >= 200 && (it.rating == 0 || it.rating >= 45)
			}},
		{name: "DS new arrival", desc: "New dropshipping products of the last 90 days", match: newArrival(90)},
		{name: "DS_ConsumerElectronics_bestsellers", desc: "Consumer electronics best sellers", match: bestIn(44)},
		{name: "DS_Phones&Telecommunications_bestsellers", desc: "Phone and accessory best sellers", match: bestIn(509)},
		{name: "DS_Computer&Office_bestsellers", desc: "Computer and office best sellers", match: bestIn(7, 21)},
		{name: "DS_Home&Garden_bestsellers", desc: "Home and garden best sellers", match: bestIn(15, 1503)},
		{name: "DS_Tools&HomeImprovement_bestsellers", desc: "Tools and home improvement best sellers", match: bestIn(13, 1420)},
		{name: "DS_Lighting_bestsellers", desc: "Lighting best sellers", match: bestIn(39)},
		{name: "DS_Beauty_bestsellers", desc: "Beauty and health best sellers", match: bestIn(66, 100003070)},
		{name: "DS_Jewelry&Watches_bestsellers", desc: "Jewelry and watch best sellers", match: bestIn(36, 1511)},
		{name: "DS_Women'sClothing_bestsellers", desc: "Women's clothing best sellers", match: bestIn(200000343)},
		{name: "DS_Men'sClothing_bestsellers", desc: "Men's clothing best sellers", match: bestIn(200000345)},
		{name: "DS_Shoes&Bags_bestsellers", desc: "Shoes and bags best sellers", match: bestIn(322, 1524, 200000297)},
		{name: "DS_Sports&Entertainment_bestsellers", desc: "Sports and outdoor best sellers", match: bestIn(18)},
		{name: "DS_Toys&Hobbies_bestsellers", desc: "Toys, hobbies and kids best sellers", match: bestIn(26, 1501)},
		{name: "DS_Automobile&Accessories_bestsellers", desc: "Car and motorcycle best sellers", match: bestIn(34, 30)},
		{name: "DS_Pet_bestsellers", desc: "Pet product best sellers",
			match: func(c *Catalog, it *item, day int) bool {
				return it.orders >= 50 && c.kids[it.kid].spec.id == 100006664
			}},
	}
	for _, cc := range []struct{ code, name string }{
		{"US", "US"}, {"GB", "UK"}, {"FR", "France"}, {"DE", "Germany"}, {"ES", "Spain"}, {"IT", "Italy"},
		{"NL", "Netherlands"}, {"PL", "Poland"}, {"BR", "Brazil"}, {"MX", "Mexico"}, {"CL", "Chile"},
		{"IL", "Israel"}, {"SA", "SaudiArabia"}, {"KR", "Korea"}, {"AU", "Australia"}, {"CA", "Canada"},
	} {
		c.feeds = append(c.feeds, &promoDef{
			name: "DS_" + cc.name + "_topsellers", desc: "Top sellers delivered to " + countries[countryIndex(cc.code)].name + " within 14 days",
			match: topSellers(cc.code),
		})
	}
}

// promo finds a promo or feed by name, ignoring case.
func (c *Catalog) promo(name string) *promoDef {
	for _, list := range [][]*promoDef{c.promos, c.feeds} {
		for _, p := range list {
			if strings.EqualFold(p.name, name) {
				return p
			}
		}
	}
	return nil
}

func (c *Catalog) listPromos(defs []*promoDef) []Promo {
	out := make([]Promo, len(defs))
	for i, p := range defs {
		p.once.Do(func() {
			for j := range c.items {
				if it := &c.items[j]; it.live(0) && p.match(c, it, 0) {
					p.num++
				}
			}
		})
		out[i] = Promo{Name: p.name, Desc: p.desc, ProductNum: p.num}
	}
	return out
}

// Promos lists the featured promos (affiliate featuredpromo.get): the platform's fixed themes
// "Hot Product", "New Arrival", "Best Seller" and "weeklydeals", then themed ones. ProductNum
// counts the members on day 0.
func (c *Catalog) Promos() []Promo { return c.listPromos(c.promos) }

// Feeds lists the DS feed names (ds.feedname.get). ProductNum counts the members on day 0.
func (c *Catalog) Feeds() []Promo { return c.listPromos(c.feeds) }

// FeedItemIDs returns the product IDs in a feed or featured promo on day, best match first,
// optionally of one category (top-level or second-level; 0 = all). It returns nil for an unknown
// feed.
func (c *Catalog) FeedItemIDs(feed string, categoryID int64, day int) []int64 {
	p := c.promo(feed)
	if p == nil {
		return nil
	}
	var idx []int
	for i := range c.items {
		it := &c.items[i]
		if !c.listed(it, day) || !p.match(c, it, day) {
			continue
		}
		if categoryID != 0 && tops[it.top].id != categoryID && c.kids[it.kid].spec.id != categoryID {
			continue
		}
		idx = append(idx, i)
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		sa, sb := c.items[a].score, c.items[b].score
		switch {
		case sa > sb:
			return -1
		case sa < sb:
			return 1
		}
		return 0
	})
	ids := make([]int64, len(idx))
	for j, i := range idx {
		ids[j] = c.items[i].id
	}
	return ids
}

// Affiliate order statuses, in the order an order moves through them.
const (
	StatusPaid      = "Payment Completed"
	StatusConfirmed = "Buyer Confirmed Receipt"
	StatusSettled   = "Completed Settlement"
	StatusInvalid   = "Invalid"
)

var orderCountries = []string{"US", "US", "US", "FR", "ES", "ES", "BR", "DE", "GB", "PL", "IL", "KR", "NL", "IT", "CA", "AU", "MX", "SA", "CL", "JP"}

// maxOrderDays bounds the window AffiliateOrders looks at.
const maxOrderDays = 3 * 366

// AffiliateOrders lists the orders earned by trackingID that were placed from from up to (not
// including) to, oldest first, each with its status as of to. Every tracking ID, even a new one,
// earns a few orders a day. Windows longer than three years are cut to the last three.
func (c *Catalog) AffiliateOrders(trackingID string, from, to time.Time) []AffiliateOrder {
	return c.AffiliateOrdersAsOf(trackingID, from, to, to)
}

// AffiliateOrdersAsOf is AffiliateOrders with each order's status as of asOf rather than as of
// the end of the window: a gateway with a clock passes its now. Orders placed after asOf are left
// out.
func (c *Catalog) AffiliateOrdersAsOf(trackingID string, from, to, asOf time.Time) []AffiliateOrder {
	if !to.After(from) {
		return nil
	}
	if to.Sub(from) > maxOrderDays*24*time.Hour {
		from = to.Add(-maxOrderDays * 24 * time.Hour)
	}
	th := trackingHash(trackingID)
	var out []AffiliateOrder
	for day := Day(from); day <= Day(to); day++ {
		for k := range c.ordersOnDay(th, day) {
			out = c.appendOrder(out, trackingID, th, day, k, from, to, asOf)
		}
	}
	slices.SortStableFunc(out, func(a, b AffiliateOrder) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		switch {
		case a.SubOrderID < b.SubOrderID:
			return -1
		case a.SubOrderID > b.SubOrderID:
			return 1
		}
		return 0
	})
	return out
}

func trackingHash(trackingID string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(trackingID))
	return fmix(h.Sum64())
}

// ordersOnDay is how many orders a tracking ID earns on day: a few, more for some IDs.
func (c *Catalog) ordersOnDay(th uint64, day int) int {
	rate := 1 + int(th%5) // mean orders a day
	return newRand(c.seed, saltAffiliate, th, uint64(int64(day))).IntN(2*rate + 1)
}

// Order IDs are 16 digits starting with 81 and carry the day and the number of the order that
// day, so that AffiliateOrder can find an order again from its ID alone.
const (
	orderBase    int64 = 8100000000000000
	orderDayUnit int64 = 10000000000
	orderKUnit   int64 = 100000000
	orderDay0    int64 = 5000 // day -5000 is the first day an ID can carry
)

// AffiliateOrder returns the line items of one order earned by trackingID (affiliate order.get),
// with their status as of asOf; ok is false when trackingID earned no such order by then.
func (c *Catalog) AffiliateOrder(trackingID string, orderID int64, asOf time.Time) (items []AffiliateOrder, ok bool) {
	rel := orderID - orderBase
	if rel < 0 || rel >= 9*orderDayUnit*10000 {
		return nil, false
	}
	day, k := int(rel/orderDayUnit-orderDay0), int(rel/orderKUnit%100)
	th := trackingHash(trackingID)
	if k >= c.ordersOnDay(th, day) {
		return nil, false
	}
	start := Epoch.Add(time.Duration(day) * 24 * time.Hour)
	items = c.appendOrder(nil, trackingID, th, day, k, start, start.Add(24*time.Hour), asOf)
	if len(items) == 0 || items[0].OrderID != orderID {
		return nil, false
	}
	return items, true
}

// appendOrder appends the k-th order of day for a tracking ID (one or two line items) when it
// falls in the window.
func (c *Catalog) appendOrder(out []AffiliateOrder, trackingID string, th uint64, day, k int, from, to, asOf time.Time) []AffiliateOrder {
	r := newRand(c.seed, saltAffOrder, th, uint64(int64(day)), uint64(k))
	created := Epoch.Add(time.Duration(day)*24*time.Hour + time.Duration(r.IntN(86400))*time.Second)
	if created.Before(from) || !created.Before(to) || created.After(asOf) {
		return out
	}
	if day < -int(orderDay0) || day >= 80000 {
		return out
	}
	orderID := orderBase + (int64(day)+orderDay0)*orderDayUnit + int64(k)*orderKUnit + int64(r.Uint64()%uint64(orderKUnit))
	paid := created.Add(time.Duration(30+r.IntN(600)) * time.Second)
	invalid := r.IntN(100) < 8
	confirm := time.Duration(7+r.IntN(30)) * 24 * time.Hour
	settle := time.Duration(15+r.IntN(30)) * 24 * time.Hour
	shipTo := pick(r, orderCountries)
	lines := 1
	if r.IntN(100) < 15 {
		lines = 2
	}
	for line := range lines {
		var it *item
		for try := 0; try < 6 && it == nil; try++ {
			cand := &c.items[c.popular[r.IntN(len(c.popular))]]
			if cand.live(day) {
				it = cand
			}
		}
		if it == nil {
			continue
		}
		count := 1
		if r.IntN(5) == 0 {
			count = 2 + r.IntN(3)
		}
		amount := c.saleOn(it, day) * int64(count)
		rate := it.comm
		if it.hot > 0 {
			rate = it.hot
		}
		o := AffiliateOrder{
			OrderID:      orderID,
			SubOrderID:   orderID + 1 + int64(line),
			TrackingID:   trackingID,
			CreatedAt:    created,
			PaidAt:       paid,
			PaidAmount:   amount,
			Commission:   (amount*int64(rate) + 500) / 1000,
			CommissionPc: float64(rate) / 10,
			ProductID:    it.id,
			ProductTitle: c.title(it),
			Count:        count,
			ShipTo:       shipTo,
			CategoryID:   c.kids[it.kid].spec.id,
		}
		age := asOf.Sub(created)
		switch {
		case invalid && age >= 2*24*time.Hour:
			o.Status, o.Commission = StatusInvalid, 0
		case age < confirm:
			o.Status = StatusPaid
		case age < confirm+settle:
			o.Status, o.FinishedAt = StatusConfirmed, created.Add(confirm)
		default:
			o.Status, o.FinishedAt = StatusSettled, created.Add(confirm)
		}
		out = append(out, o)
	}
	return out
}
