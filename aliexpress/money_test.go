package aliexpress

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		amount, currency string
		want             Money
	}{
		{"12.73", "USD", Money{1273, "USD"}},
		{"9.4", "USD", Money{940, "USD"}},
		{"8", "usd", Money{800, "USD"}},
		{"0.00", "EUR", Money{0, "EUR"}},
		{"1,299.00", "USD", Money{129900, "USD"}},
		{"1,234,567.89", "BRL", Money{123456789, "BRL"}},
		{"1500", "JPY", Money{1500, "JPY"}},
		{"1500.00", "JPY", Money{1500, "JPY"}},
		{"1499.5", "JPY", Money{1500, "JPY"}},
		{"3.945", "USD", Money{395, "USD"}},
		{"3.944", "USD", Money{394, "USD"}},
		{".5", "USD", Money{50, "USD"}},
		{" 172.71 ", "USD", Money{17271, "USD"}},
		{"0.1", "USD", Money{10, "USD"}}, // 0.1 is not exact in float64; it is here
		{"12.345", "KWD", Money{12345, "KWD"}},
	}
	for _, tt := range tests {
		got, err := ParseMoney(tt.amount, tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("ParseMoney(%q, %q) = %v, %v; want %v", tt.amount, tt.currency, got, err, tt.want)
		}
	}
}

func TestParseMoneyRejects(t *testing.T) {
	for _, in := range []string{"", " ", "-1.00", "1e3", "12.3.4", "US $1.99", "1,23.00", ",100", "abc", "12,", "99999999999999999999", "NaN", "."} {
		if got, err := ParseMoney(in, "USD"); err == nil {
			t.Errorf("ParseMoney(%q) = %v, nil; want an error", in, got)
		} else if !errors.Is(err, errPrice) || !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("ParseMoney(%q) error = %q; want it to name the input", in, err)
		}
	}
}

func TestMoneyDecimal(t *testing.T) {
	tests := []struct {
		m    Money
		want string
	}{
		{Money{1273, "USD"}, "12.73"},
		{Money{5, "USD"}, "0.05"},
		{Money{0, "USD"}, "0.00"},
		{Money{1500, "JPY"}, "1500"},
		{Money{-250, "EUR"}, "-2.50"},
		{Money{12345, "KWD"}, "12.345"},
	}
	for _, tt := range tests {
		if got := tt.m.Decimal(); got != tt.want {
			t.Errorf("%#v.Decimal() = %q; want %q", tt.m, got, tt.want)
		}
	}
	if got := (Money{940, "USD"}).String(); got != "9.40 USD" {
		t.Errorf("Money.String() = %q; want %q", got, "9.40 USD")
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"12.73", "1,299.00", "0.1", "-1", "1e9", "", "٣", "1.999999"} {
		f.Add(s, "USD")
	}
	f.Add("1500", "JPY")
	f.Fuzz(func(t *testing.T, amount, currency string) {
		m, err := ParseMoney(amount, currency)
		if err != nil {
			return
		}
		if m.Amount < 0 {
			t.Fatalf("ParseMoney(%q) = %v; want a non-negative amount", amount, m)
		}
		// What parses must round-trip through Decimal when it had no extra digits.
		back, err := ParseMoney(m.Decimal(), currency)
		if err != nil || back != m {
			t.Fatalf("ParseMoney(%q).Decimal() = %q re-parses to %v, %v; want %v", amount, m.Decimal(), back, err, m)
		}
	})
}
