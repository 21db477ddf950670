package catalog

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func TestParseFiltersDefaults(t *testing.T) {
	f, err := ParseFilters(url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	if f != DefaultFilters() {
		t.Errorf("ParseFilters(empty) = %+v; want the defaults %+v", f, DefaultFilters())
	}
	if f.MinOrders != 10 {
		t.Errorf("default MinOrders = %d; want 10 (untested products hidden)", f.MinOrders)
	}
}

func TestParseFiltersRoundTrip(t *testing.T) {
	in := url.Values{"q": {"phone case"}, "category": {"509"}, "min_price": {"1.50"}, "max_price": {"20"},
		"min_rating": {"4.5"}, "min_orders": {"100"}, "min_discount": {"30"}, "free_shipping": {"on"},
		"max_delivery_days": {"10"}, "ship_to": {"de"}, "currency": {"eur"}, "language": {"de"}, "sort": {"price_asc"},
		"page": {"2"}, "page_size": {"40"}}
	f, err := ParseFilters(in)
	if err != nil {
		t.Fatal(err)
	}
	if f.MinPrice != (Money{Amount: 150, Currency: "EUR"}) || f.MaxPrice.Amount != 2000 || f.ShipTo != "DE" || !f.FreeShipping || f.Page != 2 {
		t.Errorf("ParseFilters(%v) = %+v", in, f)
	}
	back, err := ParseFilters(f.Values())
	if err != nil || back != f {
		t.Errorf("ParseFilters(f.Values()) = %+v, %v; want %+v", back, err, f)
	}
}

func TestParseFiltersNamesTheField(t *testing.T) {
	tests := []struct{ key, value string }{
		{"sort", "cheapest"}, {"min_price", "-5"}, {"min_price", "abc"}, {"max_price", "1e9"},
		{"page", "0"}, {"page", "101"}, {"page_size", "51"}, {"page", "two"}, {"ship_to", "USA"},
		{"currency", "XXX"}, {"language", "klingon"}, {"min_rating", "6"}, {"min_discount", "100"},
		{"category", "phones"}, {"free_shipping", "maybe"}, {"min_orders", "-1"}, {"max_delivery_days", "x"},
		// Values that parse but mean nothing: NaN compares false with every bound and disabled the
		// filter; unassigned country codes went upstream; invalid UTF-8 went upstream and back
		// into the page; amounts beyond any price were rounded.
		{"min_rating", "NaN"}, {"min_rating", "nan"}, {"min_rating", "Inf"}, {"min_rating", "-Inf"}, {"min_rating", "+Inf"},
		{"ship_to", "XX"}, {"ship_to", "ZZ"}, {"ship_to", "AA"}, {"ship_to", "UK"}, {"ship_to", "xk"},
		{"q", "phone \xff\xfe case"}, {"q", "phone\x00case"}, {"q", "\x1b[31mred"},
		{"min_price", "9223372036854775.807"}, {"max_price", "1000000000.01"}, {"max_price", "99999999999999999999999"},
	}
	for _, tt := range tests {
		_, err := ParseFilters(url.Values{tt.key: {tt.value}})
		if err == nil || ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), tt.key) {
			t.Errorf("ParseFilters(%s=%q) error = %v; want EInvalid naming %s", tt.key, tt.value, err, tt.key)
		}
	}
	_, err := ParseFilters(url.Values{"min_price": {"20"}, "max_price": {"10"}})
	if err == nil || !strings.Contains(err.Error(), "max_price") {
		t.Errorf("ParseFilters(max below min) error = %v; want one naming max_price", err)
	}
}

func TestParseFiltersAcceptsRealValues(t *testing.T) {
	for _, v := range []url.Values{
		{"ship_to": {"AQ"}}, {"ship_to": {"gb"}}, {"ship_to": {"SX"}}, {"ship_to": {"ZW"}},
		{"min_rating": {"0"}}, {"min_rating": {"5"}}, {"min_rating": {"4.75"}},
		{"q": {"café 耳机\ttab"}}, {"q": {strings.Repeat("é", 200)}},
		{"max_price": {"1000000000"}}, {"max_price": {"1,000,000,000.00"}},
		{"max_price": {"999999999"}, "currency": {"VND"}},
	} {
		if _, err := ParseFilters(v); err != nil {
			t.Errorf("ParseFilters(%v) error = %v; want none", v, err)
		}
	}
}

func TestIsCountry(t *testing.T) {
	n := 0
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if IsCountry(string([]rune{a, b})) {
				n++
			}
		}
	}
	if n != 249 {
		t.Errorf("IsCountry accepts %d codes; want the 249 assigned ISO 3166-1 alpha-2 codes", n)
	}
	for _, c := range []string{"US", "GB", "DE", "CN", "AQ", "SS", "BQ", "CW", "SX"} {
		if !IsCountry(c) {
			t.Errorf("IsCountry(%q) = false; want true", c)
		}
	}
	for _, c := range []string{"", "U", "USA", "us", "XX", "ZZ", "AA", "QM", "XK", "UK", "EU", "AD ", " AD", "D E"} {
		if IsCountry(c) {
			t.Errorf("IsCountry(%q) = true; want false", c)
		}
	}
}

func TestIsProductID(t *testing.T) {
	for _, id := range []int64{32812345678, 4000123456789, 1005001234567890, 3256801234567890, 10_000_000, 1<<53 - 1} {
		if !IsProductID(id) {
			t.Errorf("IsProductID(%d) = false; want true", id)
		}
	}
	for _, id := range []int64{0, -1, 1, 404, 9_999_999, 1 << 53, 9223372036854775807} {
		if IsProductID(id) {
			t.Errorf("IsProductID(%d) = true; want false", id)
		}
	}
}

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in, currency string
		want         int64
		ok           bool
	}{
		{"12.50", "USD", 1250, true},
		{"1,000,000,000", "USD", 100_000_000_000, true},
		{"000000000000001", "USD", 100, true},
		{"1000000000.006", "USD", 0, false}, // rounds to 1,000,000,000.01
		{"9223372036854775.807", "USD", 0, false},
		{"99999999999999999999", "JPY", 0, false},
		{"-1", "USD", 0, false},
		{"1e3", "USD", 0, false},
		{"abc", "USD", 0, false},
		// As people type them: a currency sign or code, a decimal comma.
		{"$14.99", "USD", 1499, true},
		{"US$ 14.99", "USD", 1499, true},
		{"14.99 usd", "USD", 1499, true},
		{"14,99", "USD", 1499, true},
		{"14,99 €", "EUR", 1499, true},
		{"€ 0,5", "EUR", 50, true},
		{"1.299,99", "EUR", 129999, true},
		{"1,299", "USD", 129900, true}, // three digits after a lone comma: thousands
		{"1,299.50", "USD", 129950, true},
		{"¥1,500", "JPY", 1500, true},
		{"R$ 49,90", "BRL", 4990, true},
		{"€14.99", "USD", 0, false}, // another currency's sign
		{"$-5", "USD", 0, false},
		{"14,9,9", "USD", 0, false},
		{"1.29,99", "EUR", 0, false},
		{"$", "USD", 0, false},
	}
	for _, tt := range tests {
		m, err := ParseAmount("sell", tt.in, tt.currency)
		switch {
		case tt.ok && (err != nil || m.Amount != tt.want):
			t.Errorf("ParseAmount(%q, %s) = %v, %v; want %d", tt.in, tt.currency, m, err, tt.want)
		case !tt.ok && (err == nil || ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "sell")):
			t.Errorf("ParseAmount(%q, %s) error = %v; want EInvalid naming sell", tt.in, tt.currency, err)
		}
	}
}

func TestStars(t *testing.T) {
	tests := []struct {
		rating, positive float64
		want             float64
	}{
		{4.4, 84.3, 4.2}, // the positive rate wins: a search card has nothing else
		{4.8, 0, 4.8},    // the review average, when that is all there is
		{0, 96.5, 4.8},   // affiliate search data has only the positive-feedback rate
		{0, 84.3, 4.2},
		{0, 0, 0},
	}
	for _, tt := range tests {
		p := Product{Rating: tt.rating, PositiveRate: tt.positive}
		if got := p.Stars(); got != tt.want {
			t.Errorf("Product{Rating: %v, PositiveRate: %v}.Stars() = %v; want %v", tt.rating, tt.positive, got, tt.want)
		}
	}
}

// FuzzParseAmount checks that whatever a user types, ParseAmount either refuses it as bad input
// or reads a non-negative amount within MaxAmount that reads back the same from its decimal form.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"12.50", "$14.99", "14,99", "1.299,99", "1,299", "€ 0,5", "¥1,500", "-1", "1e3", "US$", ",", "0,000,1"} {
		f.Add(s, "USD")
		f.Add(s, "EUR")
		f.Add(s, "JPY")
	}
	f.Fuzz(func(t *testing.T, s, currency string) {
		if !IsCurrency(currency) {
			return
		}
		m, err := ParseAmount("sell", s, currency)
		if err != nil {
			if ErrorCode(err) != EInvalid {
				t.Fatalf("ParseAmount(%q, %s) error = %v; want EInvalid", s, currency, err)
			}
			return
		}
		if m.Amount < 0 || m.Currency != currency {
			t.Fatalf("ParseAmount(%q, %s) = %v; want a non-negative %s amount", s, currency, m, currency)
		}
		back, err := ParseAmount("sell", m.Decimal(), currency)
		if err != nil || back != m {
			t.Fatalf("ParseAmount(%q) = %v, whose decimal %q reads back as %v, %v", s, m, m.Decimal(), back, err)
		}
	})
}

// TestFiltersKeyIsEncodedValues: Key, written out by hand, is exactly Values().Encode() with
// every field set (a field written out of order, or left out, shows here), and with none.
func TestFiltersKeyIsEncodedValues(t *testing.T) {
	all := Filters{Query: "phone case & cover", CategoryID: 509, MinPrice: Money{Amount: 150, Currency: "EUR"},
		MaxPrice: Money{Amount: 2000, Currency: "EUR"}, MinRating: 4.5, MinOrders: 100, MinDiscount: 30,
		FreeShipping: true, MaxDeliveryDays: 10, ShipTo: "DE", Currency: "EUR", Language: "DE", Sort: "price_asc",
		Page: 2, PageSize: 40, ShipRule: ShipRule{By: ShipService, Service: "CAINIAO_STANDARD"}, InStock: false}
	v := all.Values()
	if len(v) != reflect.TypeFor[Filters]().NumField() {
		t.Errorf("Values() of filters with every field set has %d names, want one per field (%d): %v",
			len(v), reflect.TypeFor[Filters]().NumField(), v)
	}
	for _, f := range []Filters{all, DefaultFilters(), {Query: "x"}} {
		if got, want := f.Key(), f.Values().Encode(); got != want {
			t.Errorf("Key() = %q; want Values().Encode() = %q", got, want)
		}
	}
	back, err := ParseFilters(v)
	if err != nil || back != all {
		t.Errorf("ParseFilters(Values()) = %+v, %v; want %+v", back, err, all)
	}
}
