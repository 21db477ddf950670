package catalog

import (
	"net/url"
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

func TestStars(t *testing.T) {
	tests := []struct {
		rating, positive float64
		want             float64
	}{
		{4.8, 90, 4.8}, // the review average wins when known
		{0, 96.5, 4.8}, // affiliate search data has only the positive-feedback rate
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
