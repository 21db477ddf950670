package pricing

import (
	"errors"
	"strings"
	"testing"
)

func kwd(minor int64) Money { return Money{Amount: minor, Currency: "KWD"} }
func idr(minor int64) Money { return Money{Amount: minor, Currency: "IDR"} }
func krw(minor int64) Money { return Money{Amount: minor, Currency: "KRW"} }

func TestRuleApply(t *testing.T) {
	tests := []struct {
		name          string
		rule          Rule
		cost          Money
		price, compAt Money
	}{
		{"multiplier", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: NoCharm}, usd(400), usd(1000), Money{}},
		{"multiplier rounds half away from zero", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: NoCharm}, usd(1), usd(3), Money{}},
		{"multiplier 1.5 of one cent", Rule{Kind: Multiplier, MultiplierBP: 15000, Charm: NoCharm}, usd(1), usd(2), Money{}},
		{"charm raises a whole price", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: 99}, usd(400), usd(1099), Money{}},
		// 3.99 × 2.5 = 9.975 → 9.98 → 9.99
		{"charm after rounding", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: 99}, usd(399), usd(999), Money{}},
		{"a price already ending in 99 stays", Rule{Kind: FixedMarkup, Markup: usd(99), Charm: 99}, usd(1000), usd(1099), Money{}},
		{"fixed markup", Rule{Kind: FixedMarkup, Markup: usd(500), Charm: 99}, usd(1234), usd(1799), Money{}},
		{"charm .00 rounds up to a whole unit", Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: 0}, usd(1201), usd(1300), Money{}},
		{"charm .00 keeps a whole unit", Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: 0}, usd(1200), usd(1200), Money{}},
		{"charm .49 below the cents", Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: 49}, usd(1250), usd(1349), Money{}},
		// 10.99 × 1.4 = 15.386 → 15.39 → 15.99
		{"compare-at with charm", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99, CompareAtMultiplierBP: 14000}, usd(500), usd(1099), usd(1599)},
		{"compare-at without charm", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: NoCharm, CompareAtMultiplierBP: 15000}, usd(500), usd(1000), usd(1500)},
		// 0.01 × 1.0001 rounds back to 0.01: the compare-at is raised to stay strictly above
		{"compare-at strictly above", Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: NoCharm, CompareAtMultiplierBP: 10001}, usd(1), usd(1), usd(2)},
		{"minimum price", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: NoCharm, MinPrice: usd(1000)}, usd(100), usd(1000), Money{}},
		{"minimum price then charm", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99, MinPrice: usd(1000)}, usd(100), usd(1099), Money{}},
		{"minimum below the price", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: NoCharm, MinPrice: usd(1000)}, usd(800), usd(1600), Money{}},
		// JPY has no decimals: charm 99 is the last two digits of the yen amount.
		{"yen", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: 99}, jpy(1234), jpy(3099), Money{}},
		{"yen already ending in 99", Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: 99}, jpy(1299), jpy(1299), Money{}},
		{"yen ending 80", Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: 80}, jpy(1281), jpy(1380), Money{}},
		{"yen markup", Rule{Kind: FixedMarkup, Markup: jpy(500), Charm: NoCharm, CompareAtMultiplierBP: 13000}, jpy(1000), jpy(1500), jpy(1950)},
		// IDR has two decimals in ISO 4217 but no sen in any shop price: whole rupiah, and the
		// charm ending is the last two whole digits.
		{"rupiah charm", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: 99}, idr(5216040), idr(13049900), Money{}},
		{"rupiah without charm", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: NoCharm}, idr(5216020), idr(13040100), Money{}},
		{"rupiah compare-at", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 0, CompareAtMultiplierBP: 14000}, idr(5000050), idr(10010000), idr(14020000)},
		{"won charm", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99}, krw(6170), krw(12399), Money{}},
		// KWD has three decimals: charm 99 ends in .990.
		{"dinar", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99}, kwd(1234), kwd(2990), Money{}},
		{"dinar past the ending", Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: 99}, kwd(12995), kwd(13990), Money{}},
		{"zero cost", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: NoCharm}, usd(0), usd(0), Money{}},
	}
	for _, tt := range tests {
		price, ca, err := tt.rule.Apply(tt.cost)
		if err != nil || price != tt.price || ca != tt.compAt {
			t.Errorf("%s: Rule{%v}.Apply(%v) = %v, %v, %v; want %v, %v", tt.name, tt.rule, tt.cost, price, ca, err, tt.price, tt.compAt)
		}
		if err == nil && price.Amount < tt.cost.Amount {
			t.Errorf("%s: Apply(%v) = %v; below cost", tt.name, tt.cost, price)
		}
		if !ca.IsZero() && ca.Amount <= price.Amount {
			t.Errorf("%s: Apply(%v) compare-at %v not above price %v", tt.name, tt.cost, ca, price)
		}
	}
}

func TestRuleApplyRefuses(t *testing.T) {
	r := Rule{Kind: FixedMarkup, Markup: usd(500), Charm: NoCharm}
	_, _, err := r.Apply(eur(1000))
	if !errors.Is(err, ErrCurrencyMismatch) || !strings.Contains(err.Error(), "EUR") || !strings.Contains(err.Error(), "USD") {
		t.Errorf("Apply(EUR cost, USD markup) error = %v; want a mismatch naming EUR and USD", err)
	}
	r = Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: NoCharm, MinPrice: usd(1000)}
	if _, _, err := r.Apply(jpy(1000)); !errors.Is(err, ErrCurrencyMismatch) {
		t.Errorf("Apply(JPY cost, USD minimum) error = %v; want ErrCurrencyMismatch", err)
	}
	if _, _, err := r.Apply(usd(-1)); err == nil {
		t.Errorf("Apply(negative cost) error = nil; want an error")
	}
	if _, _, err := (Rule{Kind: Multiplier, MultiplierBP: 1000000, Charm: 99}).Apply(usd(1 << 62)); !errors.Is(err, ErrOverflow) {
		t.Errorf("Apply(huge cost) error = %v; want ErrOverflow", err)
	}
}

func TestRuleValidate(t *testing.T) {
	tests := []struct {
		rule  Rule
		field string
	}{
		{Rule{Charm: NoCharm}, "Kind"},
		{Rule{Kind: Multiplier, MultiplierBP: 9999, Charm: NoCharm}, "MultiplierBP"},
		{Rule{Kind: Multiplier, MultiplierBP: 1000001, Charm: NoCharm}, "MultiplierBP"},
		{Rule{Kind: FixedMarkup, Markup: usd(-1), Charm: NoCharm}, "Markup"},
		{Rule{Kind: FixedMarkup, Charm: 100}, "Charm"},
		{Rule{Kind: FixedMarkup, Charm: -2}, "Charm"},
		{Rule{Kind: FixedMarkup, Charm: NoCharm, CompareAtMultiplierBP: 10000}, "CompareAtMultiplierBP"},
		{Rule{Kind: FixedMarkup, Charm: NoCharm, MinPrice: usd(-5)}, "MinPrice"},
		{Rule{Kind: FixedMarkup, Markup: usd(5), Charm: NoCharm, MinPrice: eur(5)}, "MinPrice"},
	}
	for _, tt := range tests {
		err := tt.rule.Validate()
		var re *RuleError
		if !errors.As(err, &re) || re.Field != tt.field || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("Rule{%+v}.Validate() = %v; want a RuleError naming %s", tt.rule, err, tt.field)
		}
	}
	good := Rule{Kind: Multiplier, MultiplierBP: 10000, Charm: 0, CompareAtMultiplierBP: 10001}
	if err := good.Validate(); err != nil {
		t.Errorf("Rule{%+v}.Validate() = %v; want nil", good, err)
	}
}

func TestParseRule(t *testing.T) {
	tests := []struct {
		in, currency string
		want         Rule
	}{
		{"x2.5", "USD", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: NoCharm}},
		{"X3", "usd", Rule{Kind: Multiplier, MultiplierBP: 30000, Charm: NoCharm}},
		{"×1.25", "USD", Rule{Kind: Multiplier, MultiplierBP: 12500, Charm: NoCharm}},
		{"*2.0001", "USD", Rule{Kind: Multiplier, MultiplierBP: 20001, Charm: NoCharm}},
		{"x 2.5", "USD", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: NoCharm}},
		{"+5.00", "USD", Rule{Kind: FixedMarkup, Markup: usd(500), Charm: NoCharm}},
		{"+5", "USD", Rule{Kind: FixedMarkup, Markup: usd(500), Charm: NoCharm}},
		{"+ 5", "EUR", Rule{Kind: FixedMarkup, Markup: eur(500), Charm: NoCharm}},
		{"x2 .99 compare x1.4", "USD", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99, CompareAtMultiplierBP: 14000}},
		{"  x2   .99  compare  x 1.4 ", "USD", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 99, CompareAtMultiplierBP: 14000}},
		{".00 x2", "USD", Rule{Kind: Multiplier, MultiplierBP: 20000, Charm: 0}},
		{"x2.5 landed min 10", "USD", Rule{Kind: Multiplier, MultiplierBP: 25000, Charm: NoCharm, IncludeShipping: true, MinPrice: usd(1000)}},
		{"MIN 9.99 +3 LANDED Compare x2", "USD", Rule{Kind: FixedMarkup, Markup: usd(300), Charm: NoCharm, IncludeShipping: true, MinPrice: usd(999), CompareAtMultiplierBP: 20000}},
		{"+500 .80", "JPY", Rule{Kind: FixedMarkup, Markup: jpy(500), Charm: 80}},
		{"+1.5 min 2.250", "KWD", Rule{Kind: FixedMarkup, Markup: kwd(1500), Charm: NoCharm, MinPrice: kwd(2250)}},
	}
	for _, tt := range tests {
		got, err := ParseRule(tt.in, tt.currency)
		if err != nil || got != tt.want {
			t.Errorf("ParseRule(%q, %q) = %+v, %v; want %+v", tt.in, tt.currency, got, err, tt.want)
			continue
		}
		back, err := ParseRule(got.String(), tt.currency)
		if err != nil || back != got {
			t.Errorf("ParseRule(%q) = %+v, %v; want %+v (from %q)", got.String(), back, err, got, tt.in)
		}
	}
}

func TestParseRuleErrors(t *testing.T) {
	tests := []struct {
		in, currency string
		says         string // part of the error
	}{
		{"", "USD", "empty"},
		{"   ", "USD", "empty"},
		{".99", "USD", "no base price"},
		{"x2 +5", "USD", `"+5"`},
		{"+5 x2", "USD", `"x2"`},
		{"x0.5", "USD", "×1 to ×100"},
		{"x101", "USD", "×1 to ×100"},
		{"x2.12345", "USD", "4 decimals"},
		{"x2.5.1", "USD", "not a number"},
		{"x", "USD", `unknown part "x"`},
		{"+5.001", "USD", "more decimals than USD"},
		{"+500.5", "JPY", "more decimals than JPY"},
		{"+abc", "USD", `markup "+abc"`},
		{"+-5", "USD", `markup "+-5"`},
		{"x2 .9", "USD", `charm ".9"`},
		{"x2 .999", "USD", `charm ".999"`},
		{"x2 .99 .49", "USD", "second charm"},
		{"x2 compare", "USD", "compare: want a multiplier"},
		{"x2 compare 1.4", "USD", "compare: want a multiplier"},
		{"x2 compare x1", "USD", "compare multiplier"},
		{"x2 compare x1.2 compare x1.3", "USD", "second compare"},
		{"x2 min", "USD", "min: want an amount"},
		{"x2 min ten", "USD", `min "ten"`},
		{"x2 foo", "USD", `unknown part "foo"`},
		{"x2 landed landed", "USD", "given twice"},
		{"x2 =HYPERLINK()", "USD", `unknown part "=HYPERLINK()"`},
	}
	for _, tt := range tests {
		got, err := ParseRule(tt.in, tt.currency)
		if err == nil {
			t.Errorf("ParseRule(%q, %q) = %+v, nil; want an error saying %s", tt.in, tt.currency, got, tt.says)
			continue
		}
		if !strings.Contains(err.Error(), tt.says) {
			t.Errorf("ParseRule(%q, %q) error = %q; want it to say %s", tt.in, tt.currency, err, tt.says)
		}
	}
}

func FuzzParseRule(f *testing.F) {
	for _, s := range []string{"x2.5", "+5.00", "x2 .99 compare x1.4", "landed x3 min 10 .49", "× 2", "+ 1,000.00", ".99", "x2 compare", "x99.9999"} {
		f.Add(s, "USD")
	}
	f.Add("+500 .80", "JPY")
	f.Add("+1.5 min 2.250", "KWD")
	f.Fuzz(func(t *testing.T, s, currency string) {
		r, err := ParseRule(s, currency)
		if err != nil {
			if !strings.Contains(err.Error(), "pricing: rule") {
				t.Errorf("ParseRule(%q) error = %q; want it to start with the rule", s, err)
			}
			return
		}
		if err := r.Validate(); err != nil {
			t.Fatalf("ParseRule(%q) = %+v, whose Validate() = %v", s, r, err)
		}
		back, err := ParseRule(r.String(), currency)
		if err != nil || back != r {
			t.Fatalf("ParseRule(%q) = %+v, %v; want %+v (String of ParseRule(%q))", r.String(), back, err, r, s)
		}
		price, ca, err := r.Apply(Money{Amount: 1234, Currency: strings.ToUpper(strings.TrimSpace(currency))})
		if err != nil {
			return // e.g. a markup in a currency the cost does not share
		}
		if price.Amount < 1234 || (!ca.IsZero() && ca.Amount <= price.Amount) {
			t.Fatalf("Rule %q .Apply(1234) = %v, %v; want a price at least the cost and a compare-at above it", r, price, ca)
		}
	})
}
