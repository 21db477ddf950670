package pricing

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

func usd(minor int64) Money { return Money{Amount: minor, Currency: "USD"} }
func jpy(minor int64) Money { return Money{Amount: minor, Currency: "JPY"} }
func eur(minor int64) Money { return Money{Amount: minor, Currency: "EUR"} }

func TestMulDiv(t *testing.T) {
	tests := []struct {
		a, b, c int64
		want    int64
	}{
		{10, 1, 4, 3},          // 2.5 rounds away from zero
		{-10, 1, 4, -3},        // -2.5 too
		{9, 1, 4, 2},           // 2.25
		{11, 1, 4, 3},          // 2.75
		{1, 1, 2, 1},           // 0.5
		{-1, 1, 2, -1},         // -0.5
		{1, 1, 3, 0},           // 0.333
		{2, 1, 3, 1},           // 0.667
		{2999, 290, 10000, 87}, // 86.971
		{math.MaxInt64, 10000, 10000, math.MaxInt64}, // the 128-bit product does not overflow
		{0, 5, 7, 0},
	}
	for _, tt := range tests {
		got, err := mulDiv(tt.a, tt.b, tt.c)
		if err != nil || got != tt.want {
			t.Errorf("mulDiv(%d, %d, %d) = %d, %v; want %d", tt.a, tt.b, tt.c, got, err, tt.want)
		}
	}
	if got, err := mulDiv(math.MaxInt64, 2, 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("mulDiv(MaxInt64, 2, 1) = %d, %v; want ErrOverflow", got, err)
	}
}

func TestLanded(t *testing.T) {
	tests := []struct {
		name string
		v    catalog.Variant
		ship catalog.ShippingOption
		qty  int
		want LandedCost
	}{
		{
			name: "item, shipping and import charges times two",
			v:    catalog.Variant{SKUID: "1", Price: usd(1273), ImportCharge: usd(120)},
			ship: catalog.ShippingOption{Code: "CAINIAO_STANDARD", Fee: usd(350)},
			qty:  2,
			want: LandedCost{Item: usd(2546), Shipping: usd(700), ImportCharges: usd(240), Total: usd(3486)},
		},
		{
			name: "free shipping costs nothing whatever the fee says",
			v:    catalog.Variant{SKUID: "1", Price: usd(999)},
			ship: catalog.ShippingOption{Code: "AE_STANDARD", Fee: usd(199), Free: true},
			qty:  1,
			want: LandedCost{Item: usd(999), Shipping: usd(0), ImportCharges: usd(0), Total: usd(999)},
		},
		{
			name: "import charges included in the price",
			v:    catalog.Variant{SKUID: "1", Price: usd(500)},
			ship: catalog.ShippingOption{Fee: usd(100)},
			qty:  1,
			want: LandedCost{Item: usd(500), Shipping: usd(100), ImportCharges: usd(0), Total: usd(600)},
		},
		{
			name: "zero-decimal currency",
			v:    catalog.Variant{SKUID: "1", Price: jpy(1500), ImportCharge: jpy(150)},
			ship: catalog.ShippingOption{Fee: jpy(300)},
			qty:  3,
			want: LandedCost{Item: jpy(4500), Shipping: jpy(900), ImportCharges: jpy(450), Total: jpy(5850)},
		},
	}
	for _, tt := range tests {
		got, err := Landed(tt.v, tt.ship, tt.qty)
		if err != nil || got != tt.want {
			t.Errorf("%s: Landed(%v, %v, %d) = %+v, %v; want %+v", tt.name, tt.v.Price, tt.ship.Fee, tt.qty, got, err, tt.want)
		}
	}
}

func TestLandedRefuses(t *testing.T) {
	v := catalog.Variant{SKUID: "1", Price: usd(1000)}
	_, err := Landed(v, catalog.ShippingOption{Fee: eur(300)}, 1)
	if !errors.Is(err, ErrCurrencyMismatch) || !strings.Contains(err.Error(), "USD") || !strings.Contains(err.Error(), "EUR") {
		t.Errorf("Landed(USD item, EUR shipping) error = %v; want a currency mismatch naming USD and EUR", err)
	}
	if _, err := Landed(v, catalog.ShippingOption{Fee: usd(300)}, 0); err == nil {
		t.Errorf("Landed(quantity 0) error = nil; want an error")
	}
	if _, err := Landed(catalog.Variant{Price: usd(math.MaxInt64 / 2)}, catalog.ShippingOption{}, 3); !errors.Is(err, ErrOverflow) {
		t.Errorf("Landed(huge price × 3) error = %v; want ErrOverflow", err)
	}
}

func TestMargin(t *testing.T) {
	tests := []struct {
		name   string
		sell   Money
		landed Money
		fees   Fees
		want   Result
	}{
		{
			name:   "all fees",
			sell:   usd(2999),
			landed: usd(1250),
			// payment 2999×2.9% = 86.971 → 87; other 2999×1% = 29.99 → 30; + 30 + 500 = 647
			fees: Fees{PaymentPercentBP: 290, PaymentFixed: usd(30), AdCostPerOrder: usd(500), OtherPercentBP: 100},
			// profit 2999-647-1250 = 1102; 1102/2999 = 36.7456 %; 1102/1250 = 88.16 %
			want: Result{Revenue: usd(2999), Fees: usd(647), Cost: usd(1250), Profit: usd(1102), MarginBP: 3675, ROIBP: 8816},
		},
		{
			name:   "a loss is shown as a loss",
			sell:   usd(1000),
			landed: usd(1200),
			// -200/1000 = -20 %; -200/1200 = -16.667 % → -1667 bp
			want: Result{Revenue: usd(1000), Fees: usd(0), Cost: usd(1200), Profit: usd(-200), MarginBP: -2000, ROIBP: -1667},
		},
		{
			name:   "zero-decimal currency",
			sell:   jpy(3000),
			landed: jpy(1800),
			fees:   Fees{PaymentPercentBP: 360}, // 108 yen
			// 3000-108-1800 = 1092; 36.4 %; 1092/1800 = 60.667 % → 6067 bp
			want: Result{Revenue: jpy(3000), Fees: jpy(108), Cost: jpy(1800), Profit: jpy(1092), MarginBP: 3640, ROIBP: 6067},
		},
		{
			name:   "a fee of exactly half a cent rounds up",
			sell:   usd(50),
			landed: usd(10),
			fees:   Fees{PaymentPercentBP: 100}, // 0.5 cent → 1
			want:   Result{Revenue: usd(50), Fees: usd(1), Cost: usd(10), Profit: usd(39), MarginBP: 7800, ROIBP: 39000},
		},
		{
			name:   "nothing to sell",
			sell:   usd(0),
			landed: usd(0),
			want:   Result{Revenue: usd(0), Fees: usd(0), Cost: usd(0), Profit: usd(0)},
		},
	}
	for _, tt := range tests {
		got, err := Margin(tt.sell, LandedCost{Total: tt.landed}, tt.fees)
		if err != nil || got != tt.want {
			t.Errorf("%s: Margin(%v, %v, %+v) = %+v, %v; want %+v", tt.name, tt.sell, tt.landed, tt.fees, got, err, tt.want)
		}
	}
}

func TestMarginRefuses(t *testing.T) {
	tests := []struct {
		name   string
		sell   Money
		landed Money
		fees   Fees
		names  []string // what the error must say
	}{
		{"selling price in another currency", eur(2000), usd(1000), Fees{}, []string{"EUR", "USD"}},
		{"fixed fee in another currency", usd(2000), usd(1000), Fees{PaymentFixed: eur(30)}, []string{"EUR", "USD"}},
		{"ad cost in another currency", jpy(2000), jpy(1000), Fees{AdCostPerOrder: usd(30)}, []string{"JPY", "USD"}},
		{"percent above 100", usd(2000), usd(1000), Fees{PaymentPercentBP: 10001}, []string{"PaymentPercentBP"}},
		{"negative other percent", usd(2000), usd(1000), Fees{OtherPercentBP: -1}, []string{"OtherPercentBP"}},
		{"negative selling price", usd(-1), usd(1000), Fees{}, []string{"negative"}},
	}
	for _, tt := range tests {
		_, err := Margin(tt.sell, LandedCost{Total: tt.landed}, tt.fees)
		if err == nil {
			t.Errorf("%s: Margin error = nil; want an error", tt.name)
			continue
		}
		for _, n := range tt.names {
			if !strings.Contains(err.Error(), n) {
				t.Errorf("%s: Margin error = %q; want it to name %s", tt.name, err, n)
			}
		}
	}
}

func testProduct() *catalog.Product {
	return &catalog.Product{
		ID:     1005006000000001,
		ShipTo: "US",
		Variants: []catalog.Variant{
			{SKUID: "a", Price: usd(400)},
			{SKUID: "b", Price: usd(500)},
		},
		Shipping: []catalog.ShippingOption{
			{Code: "FAST", Fee: usd(300), MaxDays: 10},
			{Code: "SLOW", Fee: usd(150), MaxDays: 25},
		},
	}
}

func TestForProduct(t *testing.T) {
	p := testProduct()
	rule := Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99}
	got, err := ForProduct(p, Quote{Rule: &rule})
	if err != nil {
		t.Fatalf("ForProduct: %v", err)
	}
	if got.Shipping.Code != "SLOW" {
		t.Errorf("ForProduct shipping = %s; want the cheapest, SLOW", got.Shipping.Code)
	}
	// a: 4.00×2 = 8.00 → 8.99; landed 4.00+1.50 = 5.50; profit 3.49; 349/899 = 38.82 %; 349/550 = 63.45 %
	// b: 5.00×2 = 10.00 → 10.99; landed 6.50; profit 4.49; 449/1099 = 40.855 %; 449/650 = 69.077 %
	want := []VariantResult{
		{SKUID: "a", Landed: LandedCost{usd(400), usd(150), usd(0), usd(550)}, Price: usd(899),
			Result: Result{Revenue: usd(899), Fees: usd(0), Cost: usd(550), Profit: usd(349), MarginBP: 3882, ROIBP: 6345}},
		{SKUID: "b", Landed: LandedCost{usd(500), usd(150), usd(0), usd(650)}, Price: usd(1099),
			Result: Result{Revenue: usd(1099), Fees: usd(0), Cost: usd(650), Profit: usd(449), MarginBP: 4086, ROIBP: 6908}},
	}
	if len(got.Variants) != len(want) {
		t.Fatalf("ForProduct variants = %d; want %d", len(got.Variants), len(want))
	}
	for i := range want {
		if got.Variants[i] != want[i] {
			t.Errorf("ForProduct variant %d = %+v; want %+v", i, got.Variants[i], want[i])
		}
	}
	if got.Price != (Range{usd(899), usd(1099)}) || got.Profit != (Range{usd(349), usd(449)}) ||
		got.Margin != (BPRange{3882, 4086}) || got.ROI != (BPRange{6345, 6908}) {
		t.Errorf("ForProduct ranges = price %v profit %v margin %v roi %v; want 8.99-10.99, 3.49-4.49, 3882-4086, 6345-6908",
			got.Price, got.Profit, got.Margin, got.ROI)
	}
}

func TestForProductChoices(t *testing.T) {
	p := testProduct()
	// A named shipping option.
	got, err := ForProduct(p, Quote{SellPrice: usd(1999), Ship: catalog.ShipRule{By: catalog.ShipService, Service: "FAST"}})
	if err != nil || got.Shipping.Code != "FAST" || got.Variants[0].Landed.Total != usd(700) || got.Variants[1].Price != usd(1999) {
		t.Errorf("ForProduct(FAST, 19.99) = %+v, %v; want FAST, landed 7.00, price 19.99", got, err)
	}
	// Pricing on the landed cost: (4.00 + 1.50) × 2 = 11.00 → 11.99.
	rule := Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99, IncludeShipping: true}
	got, err = ForProduct(p, Quote{Rule: &rule})
	if err != nil || got.Variants[0].Price != usd(1199) {
		t.Errorf("ForProduct(landed x2 .99) price = %+v, %v; want 11.99", got.Variants, err)
	}
	// Two units per order.
	got, err = ForProduct(p, Quote{SellPrice: usd(1999), Quantity: 2})
	if err != nil || got.Variants[0].Landed.Total != usd(1100) {
		t.Errorf("ForProduct(quantity 2) landed = %+v, %v; want 11.00", got.Variants, err)
	}
}

// TestForProductShipRule prices with the method the rule chooses: by default the cheapest
// tracked one, not a cheaper untracked one; the fastest; and never one that misses the
// search's delivery-days requirement.
func TestForProductShipRule(t *testing.T) {
	p := testProduct()
	p.Shipping = []catalog.ShippingOption{
		{Code: "SAVER", Fee: usd(50), MaxDays: 40},
		{Code: "SLOW", Fee: usd(150), MaxDays: 25, Tracking: true},
		{Code: "FAST", Fee: usd(300), MaxDays: 10, Tracking: true},
	}
	tests := []struct {
		rule catalog.ShipRule
		want string
	}{
		{catalog.ShipRule{}, "SLOW"},
		{catalog.ShipRule{By: catalog.ShipTracked}, "SLOW"},
		{catalog.ShipRule{By: catalog.ShipCheapest}, "SAVER"},
		{catalog.ShipRule{By: catalog.ShipFastest}, "FAST"},
		{catalog.ShipRule{By: catalog.ShipCheapest, MaxDays: 12}, "FAST"},
	}
	for _, tt := range tests {
		got, err := ForProduct(p, Quote{SellPrice: usd(1999), Ship: tt.rule})
		if err != nil || got.Shipping.Code != tt.want || got.Variants[0].Landed.Shipping != got.Shipping.Fee {
			t.Errorf("ForProduct(ship %+v) shipping = %s, %v; want %s in the landed cost", tt.rule, got.Shipping.Code, err, tt.want)
		}
	}
	if _, err := ForProduct(p, Quote{SellPrice: usd(1999), Ship: catalog.ShipRule{By: catalog.ShipCheapest, MaxDays: 5}}); !errors.Is(err, ErrNoShipping) {
		t.Errorf("ForProduct(within 5 days) error = %v; want ErrNoShipping", err)
	}
}

func TestForProductNoShipping(t *testing.T) {
	p := testProduct()
	p.ShipTo = "BR"
	p.Shipping = nil
	_, err := ForProduct(p, Quote{SellPrice: usd(1999)})
	if !errors.Is(err, ErrNoShipping) || !strings.Contains(err.Error(), "BR") {
		t.Errorf("ForProduct(no shipping) error = %v; want ErrNoShipping naming BR", err)
	}
	p = testProduct()
	_, err = ForProduct(p, Quote{SellPrice: usd(1999), Ship: catalog.ShipRule{By: catalog.ShipService, Service: "EMS"}})
	if !errors.Is(err, ErrNoShipping) || !strings.Contains(err.Error(), "EMS") {
		t.Errorf("ForProduct(unknown code) error = %v; want ErrNoShipping naming EMS", err)
	}
}

func TestForProductRefuses(t *testing.T) {
	p := testProduct()
	if _, err := ForProduct(p, Quote{}); err == nil {
		t.Errorf("ForProduct(no rule, no price) error = nil; want an error")
	}
	if _, err := ForProduct(p, Quote{SellPrice: eur(1999)}); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("ForProduct(EUR price, USD cost) error = %v; want ErrCurrencyMismatch", err)
	}
	p.Variants = nil
	if _, err := ForProduct(p, Quote{SellPrice: usd(1999)}); err == nil {
		t.Errorf("ForProduct(no variants) error = nil; want an error")
	}
}

func TestForProductUsesEachVariantsWarehouse(t *testing.T) {
	usd := func(c int64) catalog.Money { return catalog.Money{Amount: c, Currency: "USD"} }
	p := &catalog.Product{ID: 1, ShipTo: "US",
		Shipping: []catalog.ShippingOption{{Code: "CN", Fee: usd(100)}},
		Variants: []catalog.Variant{
			{SKUID: "cn", Price: usd(500)},
			{SKUID: "es", Price: usd(500), Shipping: []catalog.ShippingOption{{Code: "ES", Fee: usd(400)}}},
		}}
	r, err := ForProduct(p, Quote{SellPrice: usd(2000)})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Variants[0].Landed.Shipping.Amount; got != 100 {
		t.Errorf("variant cn shipping = %d; want the product's 100", got)
	}
	if got := r.Variants[1].Landed.Shipping.Amount; got != 400 {
		t.Errorf("variant es shipping = %d; want its own warehouse's 400", got)
	}
	p.Variants[1].Shipping = []catalog.ShippingOption{}
	if _, err := ForProduct(p, Quote{SellPrice: usd(2000)}); !errors.Is(err, ErrNoShipping) {
		t.Errorf("ForProduct with a variant that does not ship = %v; want ErrNoShipping", err)
	}
}
