package tracking

import (
	"testing"
	"time"
)

// FuzzParseRules: alert rules from users parse into valid rules or a field error, and valid ones
// survive their own round trip.
func FuzzParseRules(f *testing.F) {
	f.Add(`{"price_pct": 5, "low_stock": 3}`)
	f.Add(`{"min_margin_pct": 99.9, "shipping_days": 20, "no_price": true}`)
	f.Add(`{"price_pct": -1}`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRules(s)
		if err != nil {
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseRules(%q) = %+v, which Validate refuses: %v", s, r, err)
		}
		again, err := ParseRules(r.String())
		if err != nil || again != r {
			t.Fatalf("round trip of %+v = %+v, %v", r, again, err)
		}
	})
}

// FuzzDecode: a stored snapshot that is damaged is an error, never a panic, and a decoded one
// compares equal to itself.
func FuzzDecode(f *testing.F) {
	f.Add(Snapshot{Time: time.Unix(0, 0).UTC(), Available: true, Currency: "USD", Variants: []Variant{{SKU: "1", Price: 100, Stock: 2}}}.Encode())
	f.Add([]byte(`{"variants":null,"shipping":{"cost":1}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(1, b)
		if err != nil {
			return
		}
		if !Same(s, s) {
			t.Fatalf("Decode(%q) is not the same as itself", b)
		}
		_ = Diff(s, s)
	})
}
