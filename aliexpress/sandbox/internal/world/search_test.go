package world

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// fastest is the quickest maximum delivery time of p to country over all its variants, 0 when it
// does not ship there.
func fastest(c *Catalog, p Product, country string) int {
	best := 0
	for _, v := range p.Variants {
		for _, o := range c.Shipping(p, v.SKUID, country, 1) {
			if best == 0 || o.MaxDays < best {
				best = o.MaxDays
			}
		}
	}
	return best
}

// matches checks that p satisfies every filter of q; it returns what does not hold.
func matches(c *Catalog, q Query, p Product, day int, promo map[int64]bool) string {
	if q.Keywords != "" {
		cat, _ := c.Category(p.CategoryID)
		top, _ := c.Category(p.TopCategoryID)
		have := words(nil, p.Title+" "+cat.Name+" "+top.Name)
		for _, w := range words(nil, q.Keywords) {
			if !slices.Contains(have, w) {
				return fmt.Sprintf("keyword %q not in %q", w, p.Title)
			}
		}
	}
	if len(q.CategoryIDs) > 0 && !slices.Contains(q.CategoryIDs, p.CategoryID) && !slices.Contains(q.CategoryIDs, p.TopCategoryID) {
		return fmt.Sprintf("category %d/%d not in %v", p.CategoryID, p.TopCategoryID, q.CategoryIDs)
	}
	if q.MinPrice > 0 && p.SalePrice < q.MinPrice || q.MaxPrice > 0 && p.SalePrice > q.MaxPrice {
		return fmt.Sprintf("sale price %d outside %d-%d", p.SalePrice, q.MinPrice, q.MaxPrice)
	}
	if q.ShipTo != "" && fastest(c, p, q.ShipTo) == 0 {
		return "does not ship to " + q.ShipTo
	}
	if q.DeliveryDays > 0 {
		to := q.ShipTo
		if to == "" {
			to = "US"
		}
		if d := fastest(c, p, to); d == 0 || d > q.DeliveryDays {
			return fmt.Sprintf("fastest delivery to %s is %d days; want <= %d", to, d, q.DeliveryDays)
		}
	}
	if (q.PlatformType == "TMALL" || q.PlatformType == "PLAZA") && p.PlatformType != q.PlatformType {
		return "platform " + p.PlatformType
	}
	if q.HotOnly && p.HotCommissionRate == 0 {
		return "not a hot product"
	}
	if q.Promo != "" && !promo[p.ID] {
		return "not in promo " + q.Promo
	}
	return ""
}

// ordered says whether a may come before b under sort.
func ordered(sort string, a, b Product) bool {
	comm := func(p Product) float64 { return max(p.CommissionRate, p.HotCommissionRate) }
	switch sort {
	case SortPriceAsc:
		return a.SalePrice <= b.SalePrice
	case SortPriceDesc:
		return a.SalePrice >= b.SalePrice
	case SortVolumeAsc:
		return a.Orders30d <= b.Orders30d
	case SortVolumeDesc:
		return a.Orders30d >= b.Orders30d
	case SortDiscountAsc:
		return a.DiscountPct <= b.DiscountPct
	case SortDiscountDsc:
		return a.DiscountPct >= b.DiscountPct
	case SortRatingAsc:
		return a.Rating <= b.Rating
	case SortRatingDesc:
		return a.Rating >= b.Rating
	case SortCommission:
		return comm(a) >= comm(b)
	}
	return true
}

func TestSearchFilters(t *testing.T) {
	c := shared()
	queries := []Query{
		{Keywords: "phone case"},
		{Keywords: "Phone CASES", Sort: SortPriceAsc},
		{Keywords: "wireless earbuds", Sort: SortVolumeDesc},
		{Keywords: "led strip lights", ShipTo: "DE"},
		{Keywords: "dress", CategoryIDs: []int64{200000343}},
		{CategoryIDs: []int64{380230, 63705}, Sort: SortPriceDesc},
		{CategoryIDs: []int64{509}, MinPrice: 500, MaxPrice: 1500, Sort: SortPriceAsc},
		{MinPrice: 10000, Sort: SortVolumeAsc},
		{MaxPrice: 150, Sort: SortDiscountDsc},
		{Keywords: "watch", Sort: SortDiscountAsc},
		{ShipTo: "BR", DeliveryDays: 10},
		{DeliveryDays: 5, Sort: SortPriceAsc},
		{Keywords: "backpack", ShipTo: "US", DeliveryDays: 7},
		{PlatformType: "TMALL", Sort: SortRatingDesc},
		{PlatformType: "PLAZA", Keywords: "necklace", Sort: SortRatingAsc},
		{PlatformType: "ALL", Keywords: "mouse"},
		{HotOnly: true, Sort: SortCommission},
		{Promo: "Hot Product", Sort: SortCommission},
		{Promo: "weeklydeals", Sort: SortDiscountDsc},
		{Promo: "DS_France_topsellers", ShipTo: "FR"},
		{Promo: "new arrival"},
		{Keywords: "case", ShipTo: "DZ", CategoryIDs: []int64{509}, PlatformType: "PLAZA", Sort: SortVolumeDesc},
	}
	for _, day := range []int{0, 45} {
		for _, q := range queries {
			q.PageSize = 40
			res := c.Search(q, day)
			if res.Total == 0 {
				t.Errorf("Search(%+v, %d).Total = 0; want matches", q, day)
				continue
			}
			if want := min(res.Total, 40); len(res.Products) != want {
				t.Errorf("Search(%+v, %d) returned %d products; want %d", q, day, len(res.Products), want)
			}
			var promo map[int64]bool
			if q.Promo != "" {
				promo = map[int64]bool{}
				for _, id := range c.FeedItemIDs(q.Promo, 0, day) {
					promo[id] = true
				}
			}
			for i, p := range res.Products {
				if why := matches(c, q, p, day, promo); why != "" {
					t.Errorf("Search(%+v, %d): product %d: %s", q, day, p.ID, why)
				}
				if want, ok := c.Product(p.ID, day); !ok || want.SalePrice != p.SalePrice || want.Orders30d != p.Orders30d {
					t.Errorf("Search(%+v, %d): product %d differs from Product(%d, %d)", q, day, p.ID, p.ID, day)
				}
				if i > 0 && !ordered(q.Sort, res.Products[i-1], p) {
					t.Errorf("Search(%+v, %d): product %d before %d breaks sort %q", q, day, res.Products[i-1].ID, p.ID, q.Sort)
				}
			}
		}
	}
}

// TestSearchTotal checks Total against a scan of every product.
func TestSearchTotal(t *testing.T) {
	c := New(3, 2000)
	ps := products(c, 10)
	for _, q := range []Query{
		{},
		{Keywords: "case"},
		{ShipTo: "AR"},
		{ShipTo: "NZ", DeliveryDays: 14},
		{CategoryIDs: []int64{44}, MaxPrice: 2000},
		{PlatformType: "TMALL"},
		{HotOnly: true},
	} {
		want := 0
		for _, p := range ps {
			if matches(c, q, p, 10, nil) == "" {
				want++
			}
		}
		if got := c.Search(q, 10).Total; got != want {
			t.Errorf("Search(%+v, 10).Total = %d; want %d", q, got, want)
		}
	}
}

func TestSearchPaging(t *testing.T) {
	c := shared()
	for _, q := range []Query{
		{Keywords: "phone case", PageSize: 50},
		{CategoryIDs: []int64{1511}, Sort: SortPriceAsc, PageSize: 20},
		{Keywords: "earbuds", Sort: SortVolumeDesc, PageSize: 7},
		{ShipTo: "JP", CategoryIDs: []int64{15}, Sort: SortRatingDesc, PageSize: 300},
	} {
		first := c.Search(q, 0)
		seen := map[int64]bool{}
		var prev Product
		for page := 1; ; page++ {
			q.Page = page
			res := c.Search(q, 0)
			if res.Total != first.Total {
				t.Fatalf("Search(%+v).Total = %d; page 1 said %d", q, res.Total, first.Total)
			}
			if len(res.Products) == 0 {
				break
			}
			for _, p := range res.Products {
				if seen[p.ID] {
					t.Fatalf("Search(%+v): product %d on two pages", q, p.ID)
				}
				if len(seen) > 0 && !ordered(q.Sort, prev, p) {
					t.Fatalf("Search(%+v): product %d after %d breaks sort %q across pages", q, p.ID, prev.ID, q.Sort)
				}
				seen[p.ID], prev = true, p
			}
		}
		if len(seen) != first.Total {
			t.Errorf("Search(%+v): pages held %d products; Total = %d", q, len(seen), first.Total)
		}
	}
}

func TestSearchDefaultOrderStable(t *testing.T) {
	c := shared()
	q := Query{Keywords: "wireless", PageSize: 30}
	a, b := c.Search(q, 3), New(42, 0).Search(q, 3)
	ids := func(r Result) []int64 {
		var out []int64
		for _, p := range r.Products {
			out = append(out, p.ID)
		}
		return out
	}
	if !slices.Equal(ids(a), ids(b)) {
		t.Errorf("Search(%+v) order differs between runs: %v vs %v", q, ids(a), ids(b))
	}
	// A filter that keeps everything on the page keeps the order too.
	q2 := q
	q2.MinPrice = 1
	if got := ids(c.Search(q2, 3)); !slices.Equal(got, ids(a)) {
		t.Errorf("Search(%+v) = %v; want the unfiltered order %v", q2, got, ids(a))
	}
}

func TestSearchNothing(t *testing.T) {
	c := shared()
	for _, q := range []Query{
		{Keywords: "zzzqqq"},
		{Keywords: "phone zzzqqq"},
		{CategoryIDs: []int64{99999999}},
		{ShipTo: "XX"},
		{Promo: "No Such Promo"},
		{Keywords: "phone case", MinPrice: 1000000000},
		{DeliveryDays: 1},
	} {
		if res := c.Search(q, 0); res.Total != 0 || len(res.Products) != 0 {
			t.Errorf("Search(%+v) = %d products, Total %d; want none", q, len(res.Products), res.Total)
		}
	}
	if res := c.Search(Query{Keywords: "case", Page: 1000}, 0); res.Total == 0 || len(res.Products) != 0 {
		t.Errorf("Search(page 1000) = %d products, Total %d; want an empty page and the total", len(res.Products), res.Total)
	}
	if res := c.Search(Query{Keywords: "  ,;  "}, 0); res.Total != c.Search(Query{}, 0).Total {
		t.Errorf("Search(punctuation only).Total = %d; want every product", res.Total)
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Shockproof Phone Cases", []string{"shockproof", "phone", "case"}},
		{"Women's Dress", []string{"women", "dress"}},
		{"Phone Bags & Cases", []string{"phone", "bag", "case"}},
		{"Accessories", []string{"accessory"}},
		{"<script>alert(1)</script>", []string{"script", "alert", "1", "script"}},
		{"🔥📱 Luxury\u202eCase", []string{"luxury", "case"}},
		{"Bluetooth 5.3", []string{"bluetooth", "5", "3"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := words(nil, tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("words(%q) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSearch(f *testing.F) {
	c := New(5, 500)
	f.Add("phone case", int64(380230), "US", 10, "Hot Product", 2, 20)
	f.Add("<script>", int64(0), "", 0, "", 1, 0)
	f.Add("🔥 ' \" \x00", int64(-1), "zz", -5, "DS bestseller", -3, -1)
	f.Add("", int64(0), "", 0, "", 1<<62, 99)
	f.Add("case", int64(0), "", 0, "", 3, 1<<62+7)
	f.Fuzz(func(t *testing.T, kw string, cat int64, ship string, days int, promo string, page, size int) {
		q := Query{Keywords: kw, ShipTo: ship, DeliveryDays: days, Promo: promo, Page: page, PageSize: size}
		if cat != 0 {
			q.CategoryIDs = []int64{cat}
		}
		res := c.Search(q, page%1000)
		if len(res.Products) > res.Total || res.Total > c.Size() {
			t.Errorf("Search(%+v) = %d products, Total %d; want at most Total <= Size", q, len(res.Products), res.Total)
		}
		if strings.TrimSpace(kw) == "" && q.CategoryIDs == nil && ship == "" && promo == "" && days <= 0 && res.Total == 0 {
			t.Errorf("Search(%+v).Total = 0; want every listed product", q)
		}
	})
}

func TestSmallest(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 10, 300, 1000, 5000} {
		for _, k := range []int{0, 1, 2, 5, 257, 300, 999, 4999, 5000} {
			if k > n {
				continue
			}
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = mix(uint64(n), uint64(i)) // distinct with overwhelming odds
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			if got := smallest(keys, k); !slices.Equal(got, want[:k]) {
				t.Errorf("smallest(%d keys, %d) = %d keys, not the %d smallest in order", n, k, len(got), k)
			}
		}
	}
}
