package web

import (
	"net/url"
	"slices"
	"testing"

	"github.com/aliscout/aliscout/internal/catalog"
)

func TestParseCalc(t *testing.T) {
	c, err := parseCalc(url.Values{}, "USD")
	if err != nil || c.Rule == nil || c.Rule.String() != DefaultRule || c.Fees.PaymentPercentBP != 290 || c.Fees.PaymentFixed != usd(30) {
		t.Errorf("parseCalc(defaults) = %+v, %v; want rule %s and 2.9%% + 0.30", c, err, DefaultRule)
	}
	c, err = parseCalc(url.Values{"sell": {"24.99"}, "rule": {"x3"}, "fee_pct": {"3.5"}, "fee_fixed": {""}, "ad_cost": {"4"}, "min_margin": {"-10"}}, "USD")
	if err != nil || c.Sell != usd(2499) || c.Rule != nil || c.Fees.PaymentPercentBP != 350 || !c.Fees.PaymentFixed.IsZero() ||
		c.Fees.AdCostPerOrder != usd(400) || c.MinMarginBP != -1000 || !c.HasMin {
		t.Errorf("parseCalc(sell) = %+v, %v", c, err)
	}
	c, err = parseCalc(url.Values{"sell": {""}, "rule": {""}}, "USD")
	if err != nil || c.Active() {
		t.Errorf("parseCalc(empty) = %+v, %v; want inactive", c, err)
	}
	if c, _ := parseCalc(url.Values{}, "JPY"); !c.Fees.PaymentFixed.IsZero() {
		t.Errorf("parseCalc(JPY) fixed fee = %v; want none by default", c.Fees.PaymentFixed)
	}
	for _, bad := range []struct{ field, value string }{
		{"sell", "abc"}, {"sell", "0"}, {"sell", "-3"}, {"rule", "x0.5"}, {"rule", "bananas"}, {"fee_pct", "101"},
		{"fee_pct", "2.999"}, {"fee_fixed", "1e3"}, {"ad_cost", "-1"}, {"min_margin", "lots"}, {"min_margin", "200"},
	} {
		_, err := parseCalc(url.Values{bad.field: {bad.value}}, "USD")
		errs := fieldErrors(err)
		if len(errs) != 1 || errs[0].Field != bad.field {
			t.Errorf("parseCalc(%s=%q) = %v; want one error naming %s", bad.field, bad.value, err, bad.field)
		}
	}
}

func TestQuote(t *testing.T) {
	free := catalog.ShippingOption{Code: "F", Free: true, Fee: usd(0), MinDays: 7, MaxDays: 15}
	paid := catalog.ShippingOption{Code: "P", Fee: usd(299), MinDays: 5, MaxDays: 9}
	v := catalog.Variant{SKUID: "a", Price: usd(499), ImportCharge: usd(50)}
	c, _ := parseCalc(url.Values{}, "USD") // x2.5 .99, 2.9 % + 0.30
	q := c.quoteVariant(v, []catalog.ShippingOption{paid, free}, "US")
	// Cheapest is free; landed 4.99 + 0.50; price 12.48 → 12.99; fees 0.38 + 0.30; profit 12.99 - 0.68 - 5.49 = 6.82.
	if !q.OK || q.Landed.Total != usd(549) || q.Price != usd(1299) || q.Profit != usd(682) || q.MarginBP != 5250 || q.ROIBP != 12423 {
		t.Errorf("quote = %+v; want landed 5.49, price 12.99, profit 6.82, margin 52.50%%, ROI 124.23%%", q)
	}
	c, _ = parseCalc(url.Values{"sell": {"5.00"}, "fee_pct": {"0"}, "fee_fixed": {"0"}, "min_margin": {"0"}}, "USD")
	q = c.quoteVariant(v, []catalog.ShippingOption{paid}, "US")
	if !q.OK || q.Profit != usd(-348) || !q.Hidden {
		t.Errorf("loss quote = %+v; want -3.48 and hidden below 0%%", q)
	}
	q = c.quoteVariant(v, nil, "AQ")
	if q.OK || q.Ships || q.Why != "Does not ship to AQ" {
		t.Errorf("no-shipping quote = %+v", q)
	}
	c, _ = parseCalc(url.Values{"rule": {"x2 landed"}}, "USD")
	q = c.quoteVariant(v, []catalog.ShippingOption{paid}, "US")
	if q.Price != usd(2*(499+299+50)) {
		t.Errorf("landed rule price = %v; want twice the landed cost", q.Price)
	}
}

func TestCheapestVariantPrefersStock(t *testing.T) {
	p := &catalog.Product{Variants: []catalog.Variant{
		{SKUID: "soldout", Price: usd(100), Stock: 0},
		{SKUID: "b", Price: usd(300), Stock: 5},
		{SKUID: "c", Price: usd(200), Stock: -1},
	}}
	if v := cheapestVariant(p); v.SKUID != "c" {
		t.Errorf("cheapestVariant = %s; want c (the cheapest one not sold out)", v.SKUID)
	}
	p.Variants[1].Stock, p.Variants[2].Stock = 0, 0
	if v := cheapestVariant(p); v.SKUID != "soldout" {
		t.Errorf("cheapestVariant of sold-out variants = %s; want the cheapest", v.SKUID)
	}
}

func TestFormatCount(t *testing.T) {
	cases := map[int]string{0: "0", 7: "7", 999: "999", 1000: "1K", 1234: "1.2K", 1999: "1.9K", 9999: "9.9K", 12000: "12K",
		12345: "12K", 999999: "999K", 1_000_000: "1M", 1_234_567: "1.2M", 12_345_678: "12M", -4: "0"}
	for n, want := range cases {
		if got := formatCount(n); got != want {
			t.Errorf("formatCount(%d) = %q; want %q", n, got, want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	cases := []struct {
		m    catalog.Money
		want string
	}{
		{usd(499), "$4.99"},
		{usd(123456789), "$1,234,567.89"},
		{usd(-250), "−$2.50"},
		{catalog.Money{Amount: 1299, Currency: "JPY"}, "¥1,299"},
		{catalog.Money{Amount: 1000, Currency: "EUR"}, "€10.00"},
		{catalog.Money{Amount: 12000, Currency: "SEK"}, "SEK 120.00"},
	}
	for _, c := range cases {
		if got := formatMoney(c.m); got != c.want {
			t.Errorf("formatMoney(%v) = %q; want %q", c.m, got, c.want)
		}
	}
}

func TestFormatBP(t *testing.T) {
	cases := map[int]string{0: "0.0%", 5635: "56.4%", 5625: "56.3%", -1234: "−12.3%", -4: "0.0%", 10000: "100.0%"}
	for bp, want := range cases {
		if got := formatBP(bp); got != want {
			t.Errorf("formatBP(%d) = %q; want %q", bp, got, want)
		}
	}
}

func TestCleanText(t *testing.T) {
	cases := map[string]string{
		"plain":                     "plain",
		"\tTabbed":                  "Tabbed",
		"a\u202Eb\u2066c\u200Fd":    "abcd",
		"🔥 emoji stays":             "🔥 emoji stays",
		"bad \xff utf8":             "bad  utf8",
		"line\r\nbreak\x00":         "line\nbreak",
		`<script>alert(1)</script>`: `<script>alert(1)</script>`, // escaping is the template's job
		"Ünïcödé and 中文 and العربية": "Ünïcödé and 中文 and العربية",
	}
	for in, want := range cases {
		if got := cleanText(in); got != want {
			t.Errorf("cleanText(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestHTTPURL(t *testing.T) {
	cases := map[string]string{
		"https://ae01.alicdn.com/a.jpg": "https://ae01.alicdn.com/a.jpg",
		"http://127.0.0.1:8080/img/1":   "http://127.0.0.1:8080/img/1",
		"javascript:alert(1)":           "",
		"data:image/png;base64,AAAA":    "",
		"//ae01.alicdn.com/a.jpg":       "",
		"/relative":                     "",
		"https://":                      "",
		"ftp://x.example/a":             "",
		" https://x.example/a ":         "https://x.example/a",
	}
	for in, want := range cases {
		if got := httpURL(in); got != want {
			t.Errorf("httpURL(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestParseIDs(t *testing.T) {
	ids, err := parseIDs(url.Values{"ids": {"1005000000000001, 1005000000000002", "1005000000000001", "32812345678"}}, "ids", 4)
	if err != nil || len(ids) != 3 || ids[2] != 32812345678 {
		t.Errorf("parseIDs = %v, %v; want 3 unique ids", ids, err)
	}
	// IDs AliExpress cannot have issued are refused before they cost a call: too short, beyond
	// 2^53 (no JSON number holds them), beyond int64.
	for _, bad := range []string{"abc", "0", "-1", "12", "9999999", "9007199254740992", "9223372036854775807", "99999999999999999999",
		"1005000000000001,1005000000000002,1005000000000003,1005000000000004,1005000000000005"} {
		_, err := parseIDs(url.Values{"ids": {bad}}, "ids", 4)
		if errs := fieldErrors(err); len(errs) != 1 || errs[0].Field != "ids" {
			t.Errorf("parseIDs(%q) = %v; want an error naming ids", bad, err)
		}
	}
}

func FuzzParseCalc(f *testing.F) {
	for _, s := range []string{"24.99", "x2.5 .99", "2.9", "-1", "1,299.00", "x 3 compare x1.4 min 5", "+8.00 landed", "99.999"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, sell, rule, pct string) {
		v := url.Values{"sell": {sell}, "rule": {rule}, "fee_pct": {pct}, "fee_fixed": {sell}, "min_margin": {pct}}
		c, err := parseCalc(v, "USD")
		for _, e := range fieldErrors(err) {
			if !slices.Contains(calcFields, e.Field) {
				t.Fatalf("parseCalc error names %q, not a calculator field", e.Field)
			}
		}
		if err != nil {
			return
		}
		if c.Sell.Amount < 0 || c.Fees.PaymentPercentBP < 0 || c.Fees.PaymentPercentBP > 10000 || c.Fees.PaymentFixed.Amount < 0 {
			t.Fatalf("parseCalc(%q, %q, %q) accepted %+v", sell, rule, pct, c)
		}
		p := &catalog.Product{ShipTo: "US", Variants: []catalog.Variant{{Price: usd(499)}},
			Shipping: []catalog.ShippingOption{{Fee: usd(299)}}}
		_ = c.quoteProduct(p) // must not panic, whatever the input
	})
}

func FuzzParseIDs(f *testing.F) {
	for _, s := range []string{"1005000000000001,2", "1 2 3", "abc", "-1", "99999999999999999999", ",,,"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, err := parseIDs(url.Values{"ids": {s}}, "ids", MaxCompare)
		if err != nil {
			if errs := fieldErrors(err); len(errs) != 1 || errs[0].Field != "ids" {
				t.Fatalf("parseIDs(%q) = %v; want an error naming ids", s, err)
			}
			return
		}
		if len(ids) > MaxCompare {
			t.Fatalf("parseIDs(%q) = %d ids; want at most %d", s, len(ids), MaxCompare)
		}
		for _, id := range ids {
			if !catalog.IsProductID(id) {
				t.Fatalf("parseIDs(%q) gave %d", s, id)
			}
		}
	})
}
