package world

import (
	"bytes"
	"image/png"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

func TestDayDrift(t *testing.T) {
	c := shared()
	var priced, gone, appeared, variantsMoved, stockMoved, sales, n int
	for i, id := range c.IDs() {
		if i%5 != 0 {
			continue
		}
		n++
		p0, ok0 := c.Product(id, 0)
		p1, ok1 := c.Product(id, 90)
		switch {
		case ok0 && !ok1:
			gone++
			continue
		case !ok0 && ok1:
			appeared++
			continue
		case !ok0:
			continue
		}
		prices := map[int64]bool{}
		for day := 0; day < 30; day++ {
			p, _ := c.Product(id, day)
			prices[p.SalePrice] = true
			if p.SalePrice < p0.SalePrice*9/10 {
				sales++
			}
		}
		if len(prices) > 1 {
			priced++
		}
		skus := func(p Product) []string {
			var s []string
			for _, v := range p.Variants {
				s = append(s, v.SKUID)
			}
			return s
		}
		if !slices.Equal(skus(p0), skus(p1)) {
			variantsMoved++
		}
		if p0.InStock() != p1.InStock() {
			stockMoved++
		}
		if len(p1.Variants) < 1 || len(p1.Variants) > 40 {
			t.Errorf("Product(%d, 90) has %d variants; want 1-40", id, len(p1.Variants))
		}
	}
	if priced < n/3 {
		t.Errorf("%d of %d products changed price within 30 days; want many", priced, n)
	}
	if sales == 0 {
		t.Error("no product went on sale (10% below day 0) within 30 days; want some")
	}
	if gone == 0 || gone > n/10 {
		t.Errorf("%d of %d products gone by day 90; want some, not many", gone, n)
	}
	if appeared == 0 {
		t.Error("no product listed between day 0 and day 90; want new listings")
	}
	if variantsMoved == 0 {
		t.Error("no product gained or lost variants between day 0 and day 90; want some")
	}
	if stockMoved < n/2 {
		t.Errorf("%d of %d products changed stock between day 0 and day 90; want most", stockMoved, n)
	}
}

func TestGoneProductLeavesSearch(t *testing.T) {
	c := shared()
	for _, id := range c.IDs() {
		p, ok0 := c.Product(id, 0)
		if _, ok := c.Product(id, 200); !ok0 || ok {
			continue
		}
		q := Query{CategoryIDs: []int64{p.CategoryID}, PageSize: 10000}
		in := func(day int) bool {
			return slices.ContainsFunc(c.Search(q, day).Products, func(x Product) bool { return x.ID == id })
		}
		if !in(0) || in(200) {
			t.Errorf("product %d gone by day 200: in search on day 0 = %v, day 200 = %v; want true, false", id, in(0), in(200))
		}
		return
	}
	t.Fatal("no product disappears between day 0 and day 200")
}

func TestHostile(t *testing.T) {
	c := shared()
	ids := HostileIDs()
	var titles []string
	for _, id := range ids {
		for _, day := range []int{-30, 0, 400} {
			if _, ok := c.Product(id, day); !ok {
				t.Errorf("Product(%d, %d) not found; want hostile products always listed", id, day)
			}
		}
		p, _ := c.Product(id, 0)
		titles = append(titles, p.Title)
	}
	has := func(pred func(string) bool) bool { return slices.ContainsFunc(titles, pred) }
	checks := []struct {
		name string
		ok   bool
	}{
		{"<script>", has(func(s string) bool { return strings.Contains(s, "<script>") })},
		{"attribute breakout", has(func(s string) bool { return strings.Contains(s, `" onmouseover="alert(1)`) })},
		{"=HYPERLINK", has(func(s string) bool { return strings.HasPrefix(s, `=HYPERLINK("http://evil.example","click")`) })},
		{"+SUM", has(func(s string) bool { return strings.HasPrefix(s, "+SUM(1,2)") })},
		{"-2+3", has(func(s string) bool { return strings.HasPrefix(s, "-2+3") })},
		{"@SUM", has(func(s string) bool { return strings.HasPrefix(s, "@SUM(A1)") })},
		{"leading tab", has(func(s string) bool { return strings.HasPrefix(s, "\t") })},
		{"leading CR", has(func(s string) bool { return strings.HasPrefix(s, "\r") })},
		{"RTL override", has(func(s string) bool { return strings.ContainsRune(s, '\u202e') })},
		{"emoji", has(func(s string) bool { return strings.ContainsRune(s, '🔥') })},
		{"1,000 characters", has(func(s string) bool { return utf8.RuneCountInString(s) == 1000 })},
		{"empty", has(func(s string) bool { return s == "" })},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("no hostile title with %s", ch.name)
		}
	}
	descs := 0
	for _, id := range ids {
		p, _ := c.Product(id, 0)
		if strings.Contains(p.Description, "<script>") || strings.Contains(p.Description, "javascript:") {
			descs++
		}
	}
	if descs < 3 {
		t.Errorf("%d hostile descriptions with script; want several", descs)
	}
	if got, want := len(ids), 20; got < want {
		t.Errorf("len(HostileIDs()) = %d; want at least %d", got, want)
	}
}

func TestHostileOnFirstPage(t *testing.T) {
	for _, seed := range []int64{42, 1, 2, 3} {
		c := shared()
		if seed != 42 {
			c = New(seed, 0)
		}
		hostile := map[int64]bool{}
		for _, id := range HostileIDs() {
			hostile[id] = true
		}
		for _, kw := range []string{"phone case", "wireless earbuds", "led strip lights"} {
			n := 0
			for _, p := range c.Search(Query{Keywords: kw, PageSize: 20}, 0).Products {
				if hostile[p.ID] {
					n++
				}
			}
			want := 1
			if kw == "phone case" {
				want = 2
			}
			if n < want || n > 12 {
				t.Errorf("seed %d: Search(%q) first page has %d hostile products; want %d to 12 among ordinary ones", seed, kw, n, want)
			}
		}
	}
}

func TestHostileShops(t *testing.T) {
	c := shared()
	n := 0
	for _, s := range c.Shops() {
		if strings.Contains(s.Name, "<script>") || strings.HasPrefix(s.Name, "=") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d hostile shop names; want 2", n)
	}
}

func TestShipping(t *testing.T) {
	c := shared()
	var unserved, free, paid, untracked, warehouse, threshold int
	for i, id := range c.IDs() {
		if i%7 != 0 {
			continue
		}
		p, ok := c.Product(id, 0)
		if !ok {
			continue
		}
		for _, country := range []string{"US", "FR", "BR", "DZ", "JP", "AR"} {
			opts := c.Shipping(p, "", country, 1)
			if opts == nil {
				unserved++
				if country == "US" && p.ShipFrom == "CN" {
					t.Errorf("Product(%d) from CN does not ship to US; want every product to", p.ID)
				}
			}
			for j, o := range opts {
				if o.MinDays <= 0 || o.MinDays > o.MaxDays {
					t.Errorf("Shipping(%d, %s): %s days %d-%d; want 0 < min <= max", p.ID, country, o.Code, o.MinDays, o.MaxDays)
				}
				if o.Free != (o.Fee == 0) {
					t.Errorf("Shipping(%d, %s): %s free %v with fee %d", p.ID, country, o.Code, o.Free, o.Fee)
				}
				if j > 0 && opts[j-1].Fee > o.Fee {
					t.Errorf("Shipping(%d, %s): not cheapest first", p.ID, country)
				}
				if o.Code == "" || o.Company == "" || o.ShipFrom == "" {
					t.Errorf("Shipping(%d, %s) option %+v; want code, company and origin", p.ID, country, o)
				}
				if o.Free {
					free++
				} else {
					paid++
					// More units cost more (or the same).
					for _, o4 := range c.Shipping(p, "", country, 4) {
						if o4.Code == o.Code && !o4.Free && o4.Fee < o.Fee {
							t.Errorf("Shipping(%d, %s, 4) %s fee %d < fee for 1 %d", p.ID, country, o.Code, o4.Fee, o.Fee)
						}
					}
				}
				if !o.Tracking {
					untracked++
				}
				if o.ShipFrom != "CN" {
					warehouse++
				}
				if o.FreeThreshold > 0 {
					threshold++
				}
			}
		}
		for _, v := range p.Variants {
			for _, o := range c.Shipping(p, v.SKUID, "ES", 1) {
				if o.ShipFrom != "CN" {
					warehouse++
				}
			}
		}
	}
	for name, n := range map[string]int{"unserved": unserved, "free": free, "paid": paid, "untracked": untracked, "warehouse": warehouse, "threshold": threshold} {
		if n == 0 {
			t.Errorf("no %s shipping option seen; want some", name)
		}
	}
	p, _ := c.Product(referenceID, 0)
	if got := c.Shipping(p, "no-such-sku", "US", 1); got != nil {
		t.Errorf("Shipping(unknown SKU) = %v; want nil", got)
	}
	if got := c.Shipping(p, "", "XX", 1); got != nil {
		t.Errorf("Shipping(country XX) = %v; want nil", got)
	}
	if len(Countries()) < 40 {
		t.Errorf("len(Countries()) = %d; want at least 40", len(Countries()))
	}
}

// TestUnservedCountryLeavesSearch checks that a product that does not ship somewhere is not found
// there.
func TestUnservedCountryLeavesSearch(t *testing.T) {
	c := shared()
	for _, id := range c.IDs() {
		p, ok := c.Product(id, 0)
		if !ok || fastest(c, p, "US") == 0 || fastest(c, p, "CL") != 0 {
			continue
		}
		q := Query{CategoryIDs: []int64{p.CategoryID}, PageSize: 10000}
		found := func(to string) bool {
			q.ShipTo = to
			return slices.ContainsFunc(c.Search(q, 0).Products, func(x Product) bool { return x.ID == id })
		}
		if !found("US") || found("CL") {
			t.Errorf("product %d ships to US, not CL: found for US = %v, CL = %v; want true, false", id, found("US"), found("CL"))
		}
		return
	}
	t.Fatal("no product that ships to US but not CL")
}

func TestConvert(t *testing.T) {
	tests := []struct {
		cents    int64
		currency string
		want     int64
		ok       bool
	}{
		{1234, "USD", 1234, true},
		{1000, "usd", 1000, true},
		{1000, "EUR", 860, true},
		{1000, "GBP", 750, true},
		{1000, "JPY", 1480, true},
		{999, "JPY", 1479, true}, // 1478.52 rounds up
		{1000, "KRW", 13900, true},
		{1000, "CLP", 9500, true},
		{1000, "VND", 260000, true},
		{1000, "IDR", 16300000, true},
		{1, "JPY", 1, true},
		{-1000, "EUR", -860, true},
		{0, "BRL", 0, true},
		{1000, "XXX", 0, false},
		{1000, "", 0, false},
	}
	for _, tt := range tests {
		got, ok := Convert(tt.cents, tt.currency)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Convert(%d, %q) = %d, %v; want %d, %v", tt.cents, tt.currency, got, ok, tt.want, tt.ok)
		}
	}
	for _, cur := range Currencies() {
		if _, ok := Convert(1<<62, cur); !ok {
			t.Errorf("Convert(huge, %s) not ok", cur)
		}
	}
	want := []string{"USD", "GBP", "CAD", "EUR", "UAH", "MXN", "TRY", "RUB", "BRL", "AUD", "INR", "JPY", "IDR", "SEK", "KRW", "ILS", "THB", "CLP", "VND", "CNY"}
	for _, cur := range want {
		if _, ok := Convert(100, cur); !ok {
			t.Errorf("Convert(100, %s) not ok; want every target currency", cur)
		}
	}
}

func TestMinorUnits(t *testing.T) {
	tests := map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "CLP": 0, "VND": 0, "IDR": 2, "BRL": 2, "jpy": 0}
	for cur, want := range tests {
		if got := MinorUnits(cur); got != want {
			t.Errorf("MinorUnits(%q) = %d; want %d", cur, got, want)
		}
	}
}

func TestImagePNG(t *testing.T) {
	c := shared()
	p, _ := c.Product(hostileScript, 0)
	var paths []string
	paths = append(paths, p.Images...)
	for _, prop := range p.Properties {
		for _, v := range prop.Values {
			if v.Image != "" {
				paths = append(paths, v.Image)
			}
		}
	}
	if len(paths) < len(p.Images)+2 {
		t.Fatalf("Product(%d) has %d picture paths; want main and colour pictures", p.ID, len(paths))
	}
	seen := map[string]bool{}
	for _, path := range paths {
		b, ok := c.ImagePNG(path)
		if !ok {
			t.Errorf("ImagePNG(%q) not found", path)
			continue
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("ImagePNG(%q) does not decode: %v", path, err)
			continue
		}
		if r := img.Bounds(); r.Dx() != ImageSize || r.Dy() != ImageSize {
			t.Errorf("ImagePNG(%q) is %v; want %dx%d", path, r, ImageSize, ImageSize)
		}
		if seen[string(b)] {
			t.Errorf("ImagePNG(%q) is the same picture as another path; want each to differ", path)
		}
		seen[string(b)] = true
		if again, _ := c.ImagePNG(path); !bytes.Equal(again, b) {
			t.Errorf("ImagePNG(%q) differs on a second call", path)
		}
	}
	for _, v := range p.Variants {
		if v.Image != "" {
			if _, ok := c.ImagePNG(v.Image); !ok {
				t.Errorf("ImagePNG(%q) of variant %s not found", v.Image, v.SKUID)
			}
		}
	}
	for _, path := range []string{
		"", "/sandbox/img/", "/other/img/1005001234567890/0.png", "/sandbox/img/1005001234567891/0.png",
		"/sandbox/img/1005001234567890/99.png", "/sandbox/img/1005001234567890/-1.png",
		"/sandbox/img/1005001234567890/0.jpg", "/sandbox/img/1005001234567890/v1.png",
		"/sandbox/img/01005001234567890/0.png", "/sandbox/img/1005001234567890/0.png/x",
		"/sandbox/img/abc/0.png", "/sandbox/img/1005001234567890/v.png",
	} {
		if _, ok := c.ImagePNG(path); ok {
			t.Errorf("ImagePNG(%q) found; want not found", path)
		}
	}
}

func TestPromosAndFeeds(t *testing.T) {
	c := shared()
	promos := c.Promos()
	for _, name := range []string{"Hot Product", "New Arrival", "Best Seller", "weeklydeals"} {
		if !slices.ContainsFunc(promos, func(p Promo) bool { return p.Name == name }) {
			t.Errorf("Promos() has no %q", name)
		}
	}
	feeds := c.Feeds()
	if !slices.ContainsFunc(feeds, func(p Promo) bool { return p.Name == "DS bestseller" }) {
		t.Error(`Feeds() has no "DS bestseller"`)
	}
	for _, p := range append(promos, feeds...) {
		if p.ProductNum == 0 || p.Desc == "" {
			t.Errorf("promo %+v; want products and a description", p)
		}
		ids := c.FeedItemIDs(p.Name, 0, 0)
		if len(ids) != p.ProductNum {
			t.Errorf("len(FeedItemIDs(%q, 0, 0)) = %d; ProductNum = %d", p.Name, len(ids), p.ProductNum)
		}
		if got := c.Search(Query{Promo: p.Name}, 0).Total; got != len(ids) {
			t.Errorf("Search(Promo %q).Total = %d; want %d", p.Name, got, len(ids))
		}
	}
	for _, id := range c.FeedItemIDs("DS bestseller", 44, 30) {
		p, ok := c.Product(id, 30)
		if !ok || p.TopCategoryID != 44 {
			t.Errorf("FeedItemIDs(DS bestseller, 44, 30) holds %d: listed %v, category %d", id, ok, p.TopCategoryID)
		}
	}
	if got := c.FeedItemIDs("no such feed", 0, 0); got != nil {
		t.Errorf("FeedItemIDs(unknown) = %v; want nil", got)
	}
	w0, w1 := c.FeedItemIDs("weeklydeals", 0, 4), c.FeedItemIDs("weeklydeals", 0, 11)
	if slices.Equal(w0, w1) {
		t.Error("weeklydeals is the same two Mondays apart; want new deals every week")
	}
}

func TestAffiliateOrders(t *testing.T) {
	c := shared()
	from, to := Epoch.Add(10*24*time.Hour), Epoch.Add(40*24*time.Hour)
	orders := c.AffiliateOrders("fresh-tracking-id", from, to)
	if len(orders) < 10 {
		t.Fatalf("AffiliateOrders(fresh, 30 days) = %d orders; want some for any tracking ID", len(orders))
	}
	if again := New(42, 0).AffiliateOrders("fresh-tracking-id", from, to); !slices.EqualFunc(orders, again, func(a, b AffiliateOrder) bool { return a == b }) {
		t.Error("AffiliateOrders differ between two catalogs of the same seed")
	}
	other := c.AffiliateOrders("another-id", from, to)
	if len(other) > 0 && other[0].OrderID == orders[0].OrderID {
		t.Error("two tracking IDs earn the same orders; want their own")
	}
	statuses := map[string]int{}
	for i, o := range orders {
		statuses[o.Status]++
		if o.TrackingID != "fresh-tracking-id" || o.CreatedAt.Before(from) || !o.CreatedAt.Before(to) {
			t.Errorf("order %d: tracking %q created %v; want within the window", o.SubOrderID, o.TrackingID, o.CreatedAt)
		}
		if i > 0 && o.CreatedAt.Before(orders[i-1].CreatedAt) {
			t.Errorf("order %d placed before the order listed ahead of it", o.SubOrderID)
		}
		if o.PaidAmount <= 0 || o.Commission < 0 || o.Commission > o.PaidAmount || o.Count < 1 {
			t.Errorf("order %+v: amounts out of range", o)
		}
		if o.Status == StatusInvalid && o.Commission != 0 {
			t.Errorf("order %d invalid with commission %d", o.SubOrderID, o.Commission)
		}
		if (o.Status == StatusConfirmed || o.Status == StatusSettled) != !o.FinishedAt.IsZero() {
			t.Errorf("order %d %s finished at %v", o.SubOrderID, o.Status, o.FinishedAt)
		}
		if _, ok := c.Product(o.ProductID, Day(o.CreatedAt)); !ok {
			t.Errorf("order %d for product %d not listed that day", o.SubOrderID, o.ProductID)
		}
	}
	// As of much later every order has moved on.
	later := c.AffiliateOrdersAsOf("fresh-tracking-id", from, to, to.Add(120*24*time.Hour))
	for _, o := range later {
		if o.Status != StatusSettled && o.Status != StatusInvalid {
			t.Errorf("order %d is %q 120 days on; want settled or invalid", o.SubOrderID, o.Status)
		}
	}
	if statuses[StatusPaid] == 0 || statuses[StatusConfirmed]+statuses[StatusSettled] == 0 {
		t.Errorf("statuses %v; want recent orders paid and older ones confirmed or settled", statuses)
	}
	// Splitting the window splits the orders.
	mid := from.Add(13 * 24 * time.Hour)
	split := append(c.AffiliateOrders("fresh-tracking-id", from, mid), c.AffiliateOrders("fresh-tracking-id", mid, to)...)
	ids := func(os []AffiliateOrder) []int64 {
		var out []int64
		for _, o := range os {
			out = append(out, o.SubOrderID)
		}
		return out
	}
	if !slices.Equal(ids(split), ids(orders)) {
		t.Error("orders of two halves of a window differ from the orders of the whole")
	}
	for _, o := range orders {
		items, ok := c.AffiliateOrder("fresh-tracking-id", o.OrderID, to)
		if !ok || !slices.Contains(items, o) {
			t.Errorf("AffiliateOrder(%d) = %v, %v; want it to hold %+v", o.OrderID, items, ok, o)
		}
		if _, ok := c.AffiliateOrder("another-id", o.OrderID, to); ok {
			t.Errorf("AffiliateOrder(another-id, %d) found; want only the earning tracking ID", o.OrderID)
		}
	}
	for _, id := range []int64{0, -1, orders[0].OrderID + 1, 8199999999999999, 9100000000000000} {
		if _, ok := c.AffiliateOrder("fresh-tracking-id", id, to); ok {
			t.Errorf("AffiliateOrder(%d) found; want not found", id)
		}
	}
	if got := c.AffiliateOrders("x", to, from); got != nil {
		t.Errorf("AffiliateOrders(to before from) = %d orders; want none", len(got))
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New(9, 3000)
	ids := c.IDs()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 30 {
				id := ids[(g*997+i*31)%len(ids)]
				if p, ok := c.Product(id, i%50); ok {
					c.Shipping(p, "", "FR", 2)
					c.ImagePNG(p.Images[0])
				}
				c.Search(Query{Keywords: "case", Page: 1 + i%3, Sort: SortPriceAsc}, i%7)
			}
			c.Promos()
		})
	}
	wg.Wait()
}

// TestWholesaleLimitsCurrency checks the ds.product.get facts beyond prices: wholesale tiers that
// get cheaper as quantities grow, buy limits only on promotional prices, and listing currencies.
func TestWholesaleLimitsCurrency(t *testing.T) {
	c := shared()
	var tiered, twoTiers, limited, fail, normal, cny, n int
	for i, id := range c.IDs() {
		if i%7 != 0 {
			continue
		}
		p, ok := c.Product(id, 60)
		if !ok {
			continue
		}
		n++
		switch p.Currency {
		case "CNY":
			cny++
			if p.ShipFrom != "CN" {
				t.Errorf("Product(%d) lists in CNY but ships from %s", id, p.ShipFrom)
			}
		case "USD":
		default:
			t.Errorf("Product(%d).Currency = %q; want USD or CNY", id, p.Currency)
		}
		for _, v := range p.Variants {
			if len(v.Tiers) > 0 {
				tiered++
				if v.Tiers[0].MinQuantity != v.BulkMin || v.Tiers[0].Price != v.BulkPrice {
					t.Errorf("Product(%d) first tier %+v; want BulkMin %d at BulkPrice %d", id, v.Tiers[0], v.BulkMin, v.BulkPrice)
				}
				if len(v.Tiers) > 1 {
					twoTiers++
				}
			}
			prevMin, prevPrice := 1, v.SalePrice
			for _, tier := range v.Tiers {
				if tier.MinQuantity <= prevMin || tier.Price >= prevPrice || tier.Price <= 0 {
					t.Errorf("Product(%d) tiers %+v; want quantities rising above 1 and prices falling below the sale price %d", id, v.Tiers, v.SalePrice)
					break
				}
				prevMin, prevPrice = tier.MinQuantity, tier.Price
			}
			switch {
			case v.BuyLimit == 0 && v.LimitStrategy == "":
			case v.BuyLimit < 1 || v.BuyLimit > 5 || v.SalePrice >= v.Price:
				t.Errorf("Product(%d) variant %s: limit %d (%s) with sale %d, list %d; want 1-5 units on a promotional price", id, v.SKUID, v.BuyLimit, v.LimitStrategy, v.SalePrice, v.Price)
			case v.LimitStrategy == LimitFail:
				limited++
				fail++
			case v.LimitStrategy == LimitNormalPrice:
				limited++
				normal++
			default:
				t.Errorf("Product(%d) limit strategy %q", id, v.LimitStrategy)
			}
		}
		again, _ := c.Product(id, 60)
		if !slices.EqualFunc(p.Variants, again.Variants, func(a, b Variant) bool {
			return slices.Equal(a.Tiers, b.Tiers) && a.BuyLimit == b.BuyLimit && a.LimitStrategy == b.LimitStrategy
		}) || p.Currency != again.Currency {
			t.Errorf("Product(%d) differs between two calls", id)
		}
	}
	if tiered == 0 || twoTiers == 0 || fail == 0 || normal == 0 || cny == 0 || cny > n/2 {
		t.Errorf("of %d products: %d tiered variants (%d with two tiers), %d limited (%d fail, %d normal price), %d in CNY; want some of each and CNY a minority",
			n, tiered, twoTiers, limited, fail, normal, cny)
	}
}

// The catalog's items are most of its memory: with no pointer in them, a garbage collection never
// has to scan them (a server on the built-in simulator collects while it answers).
func TestItemsHoldNoPointers(t *testing.T) {
	it := reflect.TypeFor[item]()
	for i := range it.NumField() {
		switch f := it.Field(i); f.Type.Kind() {
		case reflect.Bool, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		default:
			t.Errorf("item.%s is a %s; keep the catalog's items free of pointers", f.Name, f.Type)
		}
	}
	c := New(1, 500)
	end := uint32(0)
	for i := range c.items {
		it := &c.items[i]
		if it.toff != end {
			t.Fatalf("item %d: title %q at %d, want one right after the last, at %d", it.id, c.title(it), it.toff, end)
		}
		end += uint32(it.tlen)
	}
	if end != uint32(len(c.titles)) {
		t.Errorf("titles end at %d of %d bytes", end, len(c.titles))
	}
	if p, ok := c.Product(referenceID, 0); !ok || p.Title == "" {
		t.Errorf("the reference product has title %q (found %v)", p.Title, ok)
	}
}
