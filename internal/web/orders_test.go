package web

import (
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

func TestParsePrice(t *testing.T) {
	for _, tt := range []struct {
		amount, currency string
		want             int64
		field            string
	}{
		{"12.99", "usd", 1299, ""},
		{"12.9", "USD", 1290, ""},
		{"12", "EUR", 1200, ""},
		{"1500", "JPY", 1500, ""},
		{"12.999", "USD", 0, "lines[0].store_price"},
		{"-1", "USD", 0, "lines[0].store_price"},
		{"abc", "USD", 0, "lines[0].store_price"},
		{"1.5", "JPY", 0, "lines[0].store_price"},
		{"1", "US", 0, "lines[0].currency"},
	} {
		m, err := parsePrice("lines[0]", tt.amount, tt.currency)
		if tt.field != "" {
			if ce, ok := err.(*catalog.Error); !ok || ce.Field != tt.field {
				t.Errorf("parsePrice(%q, %q) err = %v; want a refusal of %s", tt.amount, tt.currency, err, tt.field)
			}
			continue
		}
		if err != nil || m.Amount != tt.want || m.Currency != strings.ToUpper(tt.currency) {
			t.Errorf("parsePrice(%q, %q) = %+v, %v; want %d", tt.amount, tt.currency, m, err, tt.want)
		}
		if back := formatMinor(m); back != map[string]string{"12.99": "12.99", "12.9": "12.90", "12": "12.00", "1500": "1500"}[tt.amount] {
			t.Errorf("formatMinor(%+v) = %q", m, back)
		}
	}
}
