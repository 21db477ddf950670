package world

import (
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// shared is one default-size catalog for the tests that only read it.
var shared = sync.OnceValue(func() *Catalog { return New(42, 0) })

// products returns every product of c listed on day.
func products(c *Catalog, day int) []Product {
	var ps []Product
	for _, id := range c.IDs() {
		if p, ok := c.Product(id, day); ok {
			ps = append(ps, p)
		}
	}
	return ps
}

func TestDay(t *testing.T) {
	tests := []struct {
		in   time.Time
		want int
	}{
		{Epoch, 0},
		{Epoch.Add(23*time.Hour + 59*time.Minute), 0},
		{Epoch.Add(24 * time.Hour), 1},
		{Epoch.Add(-time.Nanosecond), -1},
		{Epoch.Add(-24 * time.Hour), -1},
		{Epoch.Add(-24*time.Hour - time.Second), -2},
		{time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("PST", -8*3600)), 59},
	}
	for _, tt := range tests {
		if got := Day(tt.in); got != tt.want {
			t.Errorf("Day(%v) = %d; want %d", tt.in, got, tt.want)
		}
	}
}

func TestDeterminism(t *testing.T) {
	a, b := New(7, 3000), New(7, 3000)
	if !slices.Equal(a.IDs(), b.IDs()) {
		t.Fatal("New(7, 3000) twice: IDs differ")
	}
	ids := a.IDs()
	type key struct {
		id  int64
		day int
	}
	seen := map[key]Product{}
	for _, day := range []int{0, 17, -30, 200} {
		for i := 0; i < len(ids); i += 37 {
			if p, ok := a.Product(ids[i], day); ok {
				seen[key{ids[i], day}] = p
			}
		}
	}
	// b answers the same questions in the opposite order.
	for _, day := range []int{200, -30, 17, 0} {
		for i := len(ids) - 1; i >= 0; i-- {
			if i%37 != 0 {
				continue
			}
			p, ok := b.Product(ids[i], day)
			want, wantOK := seen[key{ids[i], day}]
			if ok != wantOK || !reflect.DeepEqual(p, want) {
				t.Fatalf("Product(%d, %d) differs between two catalogs of seed 7 asked in different orders", ids[i], day)
			}
		}
	}
	q := Query{Keywords: "case", Sort: SortPriceAsc, PageSize: 50}
	if ra, rb := a.Search(q, 3), b.Search(q, 3); !reflect.DeepEqual(ra, rb) {
		t.Errorf("Search(%+v) differs between two catalogs of seed 7", q)
	}
	if sa, sb := a.Shops(), b.Shops(); !reflect.DeepEqual(sa, sb) {
		t.Error("Shops() differ between two catalogs of seed 7")
	}

	c := New(8, 3000)
	if slices.Equal(a.IDs(), c.IDs()) {
		t.Error("New(7, 3000) and New(8, 3000) have the same IDs; want different worlds")
	}
	pa, _ := a.Product(referenceID, 0)
	pc, _ := c.Product(referenceID, 0)
	if pa.Title == pc.Title && pa.SalePrice == pc.SalePrice && pa.ShopID == pc.ShopID {
		t.Errorf("Product(%d) is the same in seeds 7 and 8; want different", referenceID)
	}
}

func TestSize(t *testing.T) {
	for _, size := range []int{0, 50, 1000} {
		c := New(1, size)
		want := size
		if size == 0 {
			want = DefaultSize
		}
		if got := c.Size(); got != want {
			t.Errorf("New(1, %d).Size() = %d; want %d", size, got, want)
		}
		for _, id := range append(HostileIDs(), referenceID) {
			if _, ok := c.Product(id, 0); !ok {
				t.Errorf("New(1, %d).Product(%d, 0) not found; want every catalog to hold it", size, id)
			}
		}
	}
}

func TestCategories(t *testing.T) {
	c := shared()
	cats := c.Categories()
	byID := map[int64]Category{}
	kids := map[int64]int{}
	for _, cat := range cats {
		if _, dup := byID[cat.ID]; dup {
			t.Errorf("category %d listed twice", cat.ID)
		}
		byID[cat.ID] = cat
		if cat.ParentID != 0 {
			kids[cat.ParentID]++
		}
	}
	want := map[int64]string{
		44: "Consumer Electronics", 509: "Phones & Telecommunications", 7: "Computer & Office",
		15: "Home & Garden", 13: "Home Improvement", 6: "Home Appliances", 39: "Lights & Lighting",
		36: "Jewelry & Accessories", 1511: "Watches", 1524: "Luggage & Bags", 322: "Shoes",
		200000343: "Women's Clothing", 200000345: "Men's Clothing", 200000297: "Apparel Accessories",
		1501: "Mother & Kids", 26: "Toys & Hobbies", 18: "Sports & Entertainment", 66: "Beauty & Health",
		34: "Automobiles & Motorcycles", 30: "Security & Protection", 21: "Office & School Supplies",
		100003070: "Hair Extensions & Wigs", 2: "Food",
	}
	for id, name := range want {
		got, ok := c.Category(id)
		if !ok || got.Name != name || got.ParentID != 0 {
			t.Errorf("Category(%d) = %+v, %v; want top-level %q", id, got, ok, name)
		}
		if kids[id] < 3 {
			t.Errorf("category %d has %d children; want at least 3", id, kids[id])
		}
	}
	for _, cat := range cats {
		if cat.ParentID != 0 {
			if p, ok := byID[cat.ParentID]; !ok || p.ParentID != 0 {
				t.Errorf("category %+v: parent is not a top-level category", cat)
			}
		}
	}
	if _, ok := c.Category(123456789); ok {
		t.Error("Category(123456789) found; want not found")
	}
	for _, id := range c.IDs()[:2000] {
		p, ok := c.Product(id, 0)
		if !ok {
			continue
		}
		cat, ok := c.Category(p.CategoryID)
		if !ok || cat.ParentID != p.TopCategoryID {
			t.Fatalf("Product(%d): category %d (parent %d) does not sit under %d", p.ID, p.CategoryID, cat.ParentID, p.TopCategoryID)
		}
	}
}

var (
	id16 = regexp.MustCompile(`^1005\d{12}$`)
	id11 = regexp.MustCompile(`^32\d{9}$`)
	id13 = regexp.MustCompile(`^4000\d{9}$`)
	sku  = regexp.MustCompile(`^\d{17}$`)
)

func TestDistribution(t *testing.T) {
	c := shared()
	ps := products(c, 0)
	if len(ps) < 18000 {
		t.Fatalf("%d products listed on day 0; want most of %d", len(ps), c.Size())
	}
	var (
		orders                         []int
		kinds                          = map[string]int{}
		soldOut, someOut, tmall, hot   int
		imports, noImports, withImages int
		maxVariants                    int
	)
	for _, p := range ps {
		idStr := itoa(p.ID)
		switch {
		case id16.MatchString(idStr):
			kinds["16"]++
		case id11.MatchString(idStr):
			kinds["11"]++
		case id13.MatchString(idStr):
			kinds["13"]++
		default:
			t.Errorf("product ID %d has no platform form", p.ID)
		}
		orders = append(orders, p.Orders30d)
		if p.SalePrice <= 0 || p.OriginalPrice <= 0 || p.AppSalePrice <= 0 {
			t.Errorf("Product(%d): prices %d/%d/%d; want positive", p.ID, p.OriginalPrice, p.SalePrice, p.AppSalePrice)
		}
		if p.SalePrice > p.OriginalPrice || p.AppSalePrice > p.SalePrice {
			t.Errorf("Product(%d): sale %d > original %d or app %d > sale", p.ID, p.SalePrice, p.OriginalPrice, p.AppSalePrice)
		}
		if p.DiscountPct < 0 || p.DiscountPct > 90 {
			t.Errorf("Product(%d).DiscountPct = %d; want 0-90", p.ID, p.DiscountPct)
		}
		if p.Rating < 0 || p.Rating > 5 || p.PositiveRate < 0 || p.PositiveRate > 100 {
			t.Errorf("Product(%d): rating %v, positive %v out of range", p.ID, p.Rating, p.PositiveRate)
		}
		if p.CommissionRate < 3 || p.CommissionRate > 12 {
			t.Errorf("Product(%d).CommissionRate = %v; want 3-12", p.ID, p.CommissionRate)
		}
		if p.HotCommissionRate > 0 {
			hot++
		}
		if p.PlatformType == "TMALL" {
			tmall++
		} else if p.PlatformType != "PLAZA" {
			t.Errorf("Product(%d).PlatformType = %q; want PLAZA or TMALL", p.ID, p.PlatformType)
		}
		if n := len(p.Variants); n < 1 || n > 40 {
			t.Errorf("Product(%d) has %d variants; want 1-40", p.ID, n)
		}
		maxVariants = max(maxVariants, len(p.Variants))
		if len(p.Properties) > 3 {
			t.Errorf("Product(%d) has %d properties; want at most 3", p.ID, len(p.Properties))
		}
		if len(p.Images) == 0 || !strings.HasPrefix(p.Images[0], "/sandbox/img/") {
			t.Errorf("Product(%d).Images = %v; want paths under /sandbox/img/", p.ID, p.Images)
		}
		if p.Package.WeightGrams <= 0 || p.Package.LengthCM <= 0 {
			t.Errorf("Product(%d).Package = %+v; want a size and weight", p.ID, p.Package)
		}
		stock := 0
		seen := map[string]bool{}
		for _, v := range p.Variants {
			if !sku.MatchString(v.SKUID) || seen[v.SKUID] {
				t.Errorf("Product(%d): SKU ID %q not 17 digits or repeated", p.ID, v.SKUID)
			}
			seen[v.SKUID] = true
			if v.SalePrice > v.Price || v.SalePrice < p.SalePrice || v.BulkPrice > v.SalePrice || v.Stock < 0 {
				t.Errorf("Product(%d) variant %s: price %d sale %d bulk %d stock %d inconsistent with product sale %d",
					p.ID, v.SKUID, v.Price, v.SalePrice, v.BulkPrice, v.Stock, p.SalePrice)
			}
			if len(v.Values) != len(p.Properties) || (len(p.Properties) == 0) != (v.Attr == "") {
				t.Errorf("Product(%d) variant %s: %d values, attr %q for %d properties", p.ID, v.SKUID, len(v.Values), v.Attr, len(p.Properties))
			}
			var attr []string
			for _, vv := range v.Values {
				attr = append(attr, itoa(vv.PropertyID)+":"+itoa(vv.ValueID)+"#"+vv.ValueName)
			}
			if got := strings.Join(attr, ";"); got != v.Attr {
				t.Errorf("Product(%d) variant %s: Attr %q; want %q from its values", p.ID, v.SKUID, v.Attr, got)
			}
			if v.Stock == 0 {
				someOut++
			}
			stock += v.Stock
			if v.ImportCharge > 0 {
				imports++
			} else {
				noImports++
			}
			if v.Image != "" {
				withImages++
			}
		}
		if stock == 0 {
			soldOut++
		}
		for _, prop := range p.Properties {
			if prop.Name == "Color" || prop.Name == "Metal Color" {
				for _, v := range prop.Values {
					if v.Image == "" {
						t.Errorf("Product(%d) %s value %q has no picture", p.ID, prop.Name, v.Name)
					}
				}
			}
		}
	}
	if kinds["11"] == 0 || kinds["13"] == 0 || kinds["16"] < len(ps)*9/10 {
		t.Errorf("ID forms %v; want mostly 16-digit and some 11- and 13-digit", kinds)
	}
	slices.Sort(orders)
	median, top := orders[len(orders)/2], orders[len(orders)-1]
	over1000 := len(orders) - sortSearch(orders, 1000)
	if median > 30 || top < 10000 || over1000 == 0 || over1000 > len(orders)/20 {
		t.Errorf("orders: median %d, max %d, %d over 1,000; want a heavy tail (median small, max >= 10,000, few over 1,000)", median, top, over1000)
	}
	if share := float64(soldOut) / float64(len(ps)); soldOut == 0 || share > 0.1 {
		t.Errorf("%d of %d products sold out; want some, under 10%%", soldOut, len(ps))
	}
	if someOut == 0 {
		t.Error("no variant sold out; want some")
	}
	if tmall == 0 || tmall > len(ps)/5 {
		t.Errorf("%d TMALL products of %d; want some, a minority", tmall, len(ps))
	}
	if hot < len(ps)/50 || hot > len(ps)/5 {
		t.Errorf("%d hot products of %d; want a few percent", hot, len(ps))
	}
	if imports == 0 || noImports == 0 {
		t.Errorf("%d variants with import charges, %d without; want both", imports, noImports)
	}
	if withImages == 0 || maxVariants < 30 {
		t.Errorf("%d variants with pictures, at most %d variants; want pictures and large grids", withImages, maxVariants)
	}
}

func sortSearch(xs []int, v int) int {
	i, _ := slices.BinarySearch(xs, v)
	return i
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestReferenceProduct(t *testing.T) {
	c := shared()
	p, ok := c.Product(1005001234567890, 0)
	if !ok {
		t.Fatal("Product(1005001234567890, 0) not found; want the reference's example product")
	}
	if !strings.HasPrefix(p.Title, "Wireless Earbuds") || p.TopCategoryID != 44 {
		t.Errorf("Product(1005001234567890) = %q in %d; want Wireless Earbuds in Consumer Electronics", p.Title, p.TopCategoryID)
	}
	if _, ok := c.Shop(p.ShopID); !ok {
		t.Errorf("Shop(%d) of the reference product not found", p.ShopID)
	}
	if _, ok := c.Product(1005001234567891, 0); ok {
		t.Error("Product(1005001234567891, 0) found; want unknown IDs not found")
	}
}

func TestShops(t *testing.T) {
	c := shared()
	shops := c.Shops()
	countries := map[string]int{}
	for _, s := range shops {
		countries[s.Country]++
		for _, r := range []float64{s.ItemAsDescribed, s.Communication, s.ShippingSpeed} {
			if r < 4 || r > 5 {
				t.Errorf("Shop(%d) rating %v; want 4.0-5.0", s.ID, r)
			}
		}
		if s.PositiveRate < 80 || s.PositiveRate > 100 || s.Name == "" {
			t.Errorf("Shop(%d) = %+v; want a name and a positive rate", s.ID, s)
		}
		if got, ok := c.Shop(s.ID); !ok || got != s {
			t.Errorf("Shop(%d) = %+v, %v; want %+v", s.ID, got, ok, s)
		}
	}
	if countries["CN"] < len(shops)*8/10 || len(countries) < 3 {
		t.Errorf("shop countries %v; want mostly CN and a few others", countries)
	}
	if _, ok := c.Shop(1); ok {
		t.Error("Shop(1) found; want not found")
	}
}
