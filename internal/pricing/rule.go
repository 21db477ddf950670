package pricing

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
)

// Kind says how a Rule goes from cost to price.
type Kind int

// Kinds of pricing rule.
const (
	// Multiplier sells at cost × MultiplierBP / 10000.
	Multiplier Kind = iota + 1
	// FixedMarkup sells at cost + Markup.
	FixedMarkup
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case Multiplier:
		return "multiplier"
	case FixedMarkup:
		return "fixed-markup"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// NoCharm is the Rule.Charm value for "leave the price as computed".
const NoCharm = -1

// Limits on a rule's multipliers, in basis points.
const (
	minMultiplierBP = 10000   // ×1: a rule never sells below cost
	maxMultiplierBP = 1000000 // ×100
)

// Rule turns a supplier cost into a store price and an optional compare-at price.
//
// Apply computes, in order:
//  1. the base price: cost × MultiplierBP / 10000 (rounded half away from zero) or cost + Markup;
//  2. at least MinPrice;
//  3. in a currency without cents in everyday use (catalog.WholeUnits: IDR, and the
//     zero-decimal ones such as JPY and KRW), the price is raised to a whole unit;
//  4. the charm ending: the price is raised (never lowered) to the next amount whose last two
//     digits are Charm. The "last two digits" are the cents for two-decimal currencies (99 →
//     12.99), the first two of the three decimals for three-decimal ones (99 → 12.990), and the
//     last two whole digits for currencies without cents (99 → ¥1,299, ₩12,399, Rp 130.499;
//     80 → ¥1,280): a shop in Indonesia does not price in sen, so IDR 130,400.99 is never made;
//  5. the compare-at price: price × CompareAtMultiplierBP / 10000, raised to the same charm
//     ending (and whole unit), and always strictly above the price.
//
// Charm 0 is a real ending (whole units: 13.00); NoCharm (-1) turns charm rounding off. ParseRule
// sets NoCharm when the text names no ending.
type Rule struct {
	Kind         Kind
	MultiplierBP int   // for Multiplier: 25000 = ×2.5; at least 10000 (×1), at most 1000000 (×100)
	Markup       Money // for FixedMarkup: added to the cost; not negative
	// IncludeShipping prices on the landed cost (item, shipping and import charges) rather than
	// on the item price alone. Apply takes the cost it is given; ForProduct honours this flag.
	IncludeShipping bool
	Charm           int // the ending of the price's last two digits, 0 to 99, or NoCharm
	// CompareAtMultiplierBP sets the compare-at ("was") price from the price: 14000 = ×1.4.
	// 0 means no compare-at price; otherwise more than 10000.
	CompareAtMultiplierBP int
	MinPrice              Money // the price is never below this; zero for no minimum
}

// RuleError says what is wrong with a rule: the text that did not parse (from ParseRule), or the
// field of a Rule that is out of range (from Validate), and why. Problem is fit to show a user.
type RuleError struct {
	Text    string // the rule as written, for ParseRule's errors
	Field   string // the Rule field, for Validate's errors
	Problem string
}

// Error names the text or field and the problem.
func (e *RuleError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("pricing: rule %q: %s", e.Text, e.Problem)
	}
	return "pricing: rule: " + e.Field + ": " + e.Problem
}

// Message is the problem as a user reads it, quoting the rule they wrote when there is one.
func (e *RuleError) Message() string {
	if e.Field == "" {
		return fmt.Sprintf("%q: %s", e.Text, e.Problem)
	}
	return e.Field + ": " + e.Problem
}

// Validate reports the first field that is out of range as a *RuleError.
func (r Rule) Validate() error {
	bad := func(field, format string, args ...any) error {
		return &RuleError{Field: field, Problem: fmt.Sprintf(format, args...)}
	}
	switch r.Kind {
	case Multiplier:
		if r.MultiplierBP < minMultiplierBP || r.MultiplierBP > maxMultiplierBP {
			return bad("MultiplierBP", "%d: want 10000 (×1) to 1000000 (×100)", r.MultiplierBP)
		}
	case FixedMarkup:
		if r.Markup.Amount < 0 {
			return bad("Markup", "%s is negative", r.Markup)
		}
	default:
		return bad("Kind", "%v: want Multiplier or FixedMarkup", r.Kind)
	}
	if r.Charm < NoCharm || r.Charm > 99 {
		return bad("Charm", "%d: want 0 to 99, or -1 for none", r.Charm)
	}
	if r.CompareAtMultiplierBP != 0 && (r.CompareAtMultiplierBP <= 10000 || r.CompareAtMultiplierBP > maxMultiplierBP) {
		return bad("CompareAtMultiplierBP", "%d: want 0 (none) or more than 10000 (×1), at most 1000000", r.CompareAtMultiplierBP)
	}
	if r.MinPrice.Amount < 0 {
		return bad("MinPrice", "%s is negative", r.MinPrice)
	}
	if r.Kind == FixedMarkup && !r.Markup.IsZero() && !r.MinPrice.IsZero() && r.Markup.Currency != r.MinPrice.Currency {
		return bad("MinPrice", "currency %s differs from Markup's %s", name(r.MinPrice.Currency), name(r.Markup.Currency))
	}
	return nil
}

// Apply returns the store price and compare-at price for a supplier cost (see Rule for the steps).
// compareAt is the zero Money when the rule sets none. It fails when the rule is invalid, the
// cost is negative, or the cost's currency differs from Markup's or MinPrice's.
func (r Rule) Apply(cost Money) (price, compareAt Money, err error) {
	if err := r.Validate(); err != nil {
		return Money{}, Money{}, err
	}
	if cost.Amount < 0 {
		return Money{}, Money{}, fmt.Errorf("pricing: rule: cost %s is negative", cost)
	}
	switch r.Kind {
	case Multiplier:
		price, err = percent(cost, r.MultiplierBP)
	case FixedMarkup:
		price, err = add(cost, r.Markup)
	}
	if err != nil {
		return Money{}, Money{}, fmt.Errorf("pricing: rule on cost %s: %w", cost, err)
	}
	if !r.MinPrice.IsZero() {
		if _, err := sameCurrency(price, r.MinPrice); err != nil {
			return Money{}, Money{}, fmt.Errorf("pricing: rule: cost and MinPrice: %w", err)
		}
		if price.Amount < r.MinPrice.Amount {
			price.Amount = r.MinPrice.Amount
		}
		if price.Currency == "" {
			price.Currency = r.MinPrice.Currency
		}
	}
	if price, err = round(price, r.Charm); err != nil {
		return Money{}, Money{}, err
	}
	if r.CompareAtMultiplierBP == 0 {
		return price, Money{}, nil
	}
	if compareAt, err = percent(price, r.CompareAtMultiplierBP); err != nil {
		return Money{}, Money{}, err
	}
	if compareAt.Amount <= price.Amount {
		compareAt.Amount = price.Amount + 1
	}
	if compareAt, err = round(compareAt, r.Charm); err != nil {
		return Money{}, Money{}, err
	}
	return price, compareAt, nil
}

// unit returns the minor units of one whole unit of currency: 100 for IDR (no sen in prices), 1
// for every currency whose cents are used.
func unit(currency string) int64 {
	u := int64(1)
	if catalog.WholeUnits(currency) {
		for range catalog.MinorUnits(currency) {
			u *= 10
		}
	}
	return u
}

// round raises m to a whole unit in a currency without cents, then to the charm ending (see
// Rule).
func round(m Money, ending int) (Money, error) {
	if u := unit(m.Currency); u > 1 {
		if r := m.Amount % u; r != 0 {
			if m.Amount > math.MaxInt64-u {
				return Money{}, fmt.Errorf("pricing: round %s: %w", m, ErrOverflow)
			}
			m.Amount += u - r
		}
	}
	return charm(m, ending)
}

// charm raises m to the next amount whose last two significant digits are ending (see Rule).
func charm(m Money, ending int) (Money, error) {
	if ending < 0 {
		return m, nil
	}
	step := unit(m.Currency)
	for i := catalog.MinorUnits(m.Currency); i > 2; i-- {
		step *= 10
	}
	mod, target := 100*step, int64(ending)*step
	rem := m.Amount % mod
	up := target - rem
	if up < 0 {
		up += mod
	}
	if m.Amount > math.MaxInt64-up {
		return Money{}, fmt.Errorf("pricing: charm %s: %w", m, ErrOverflow)
	}
	return Money{Amount: m.Amount + up, Currency: m.Currency}, nil
}

// String returns the rule in the compact form that ParseRule reads, e.g. "x2.5 .99 compare x1.4".
func (r Rule) String() string {
	var parts []string
	switch r.Kind {
	case Multiplier:
		parts = append(parts, "x"+formatBP(r.MultiplierBP))
	case FixedMarkup:
		parts = append(parts, "+"+r.Markup.Decimal())
	default:
		parts = append(parts, r.Kind.String())
	}
	if r.IncludeShipping {
		parts = append(parts, "landed")
	}
	if r.Charm >= 0 {
		parts = append(parts, fmt.Sprintf(".%02d", r.Charm))
	}
	if r.CompareAtMultiplierBP != 0 {
		parts = append(parts, "compare", "x"+formatBP(r.CompareAtMultiplierBP))
	}
	if !r.MinPrice.IsZero() {
		parts = append(parts, "min", r.MinPrice.Decimal())
	}
	return strings.Join(parts, " ")
}

// formatBP writes basis points as a multiplier: 25000 → "2.5", 20000 → "2".
func formatBP(bp int) string {
	s := strconv.Itoa(bp / 10000)
	if frac := bp % 10000; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%04d", frac), "0")
	}
	return s
}

// ParseRule reads a rule from the compact form the web form and the command line use. Parts are
// separated by spaces, in any order:
//
//	x2.5          multiply the cost by 2.5 (also ×2.5 or *2.5; at most 4 decimals)
//	+5.00         add 5.00 in currency to the cost
//	.99           raise the price to the next amount ending in 99: cents, or in currencies
//	              without cents (JPY, KRW, IDR, VND, CLP) the last two whole digits (¥1,299)
//	compare x1.4  set a compare-at price of price × 1.4
//	min 10.00     never price below 10.00
//	landed        price on the landed cost (item + shipping + import charges)
//
// Exactly one of x… and +… is required. Amounts are in currency and may not have more decimals than
// it has. Errors quote the text and name the part that is wrong.
func ParseRule(s, currency string) (Rule, error) {
	fail := func(format string, args ...any) (Rule, error) {
		return Rule{}, &RuleError{Text: s, Problem: fmt.Sprintf(format, args...)}
	}
	currency = strings.ToUpper(strings.TrimSpace(currency))
	tokens := strings.Fields(s)
	if len(tokens) == 0 {
		return fail("empty: want a multiplier such as x2.5 or a markup such as +5.00")
	}
	// "x 2.5" and "+ 5" are read as "x2.5" and "+5".
	merged := tokens[:0]
	for i := 0; i < len(tokens); i++ {
		if isOperator(tokens[i]) && i+1 < len(tokens) {
			merged = append(merged, tokens[i]+tokens[i+1])
			i++
			continue
		}
		merged = append(merged, tokens[i])
	}
	tokens = merged
	r := Rule{Charm: NoCharm}
	seen := map[string]bool{}
	once := func(part string) bool {
		if seen[part] {
			return false
		}
		seen[part] = true
		return true
	}
	for i := 0; i < len(tokens); i++ {
		tok := tokens[i]
		lower := strings.ToLower(tok)
		switch {
		case isMultiplier(tok):
			if r.Kind != 0 {
				return fail("%q: a second base price; give one multiplier or one markup", tok)
			}
			bp, err := parseBP(multiplierText(tok))
			if err != nil {
				return fail("multiplier %q: %v", tok, err)
			}
			r.Kind, r.MultiplierBP = Multiplier, bp
		case strings.HasPrefix(tok, "+"):
			if r.Kind != 0 {
				return fail("%q: a second base price; give one multiplier or one markup", tok)
			}
			m, err := parseAmount(tok[1:], currency)
			if err != nil {
				return fail("markup %q: %v", tok, err)
			}
			r.Kind, r.Markup = FixedMarkup, m
		case strings.HasPrefix(tok, "."):
			if !once("charm") {
				return fail("%q: a second charm ending", tok)
			}
			if len(tok) != 3 || !isDigit(tok[1]) || !isDigit(tok[2]) {
				return fail("charm %q: want a dot and two digits, such as .99", tok)
			}
			r.Charm = int(tok[1]-'0')*10 + int(tok[2]-'0')
		case lower == "compare":
			if !once("compare") {
				return fail("%q: a second compare-at multiplier", tok)
			}
			if i+1 >= len(tokens) || !isMultiplier(tokens[i+1]) {
				return fail("compare: want a multiplier after it, such as compare x1.4")
			}
			i++
			bp, err := parseBP(multiplierText(tokens[i]))
			if err != nil {
				return fail("compare multiplier %q: %v", tokens[i], err)
			}
			r.CompareAtMultiplierBP = bp
		case lower == "min":
			if !once("min") {
				return fail("%q: a second minimum price", tok)
			}
			if i+1 >= len(tokens) {
				return fail("min: want an amount after it, such as min 10.00")
			}
			i++
			m, err := parseAmount(tokens[i], currency)
			if err != nil {
				return fail("min %q: %v", tokens[i], err)
			}
			r.MinPrice = m
		case lower == "landed":
			if !once("landed") {
				return fail("%q: given twice", tok)
			}
			r.IncludeShipping = true
		default:
			return fail("unknown part %q: want x2.5, +5.00, .99, compare x1.4, min 10.00 or landed", tok)
		}
	}
	if r.Kind == 0 {
		return fail("no base price: want a multiplier such as x2.5 or a markup such as +5.00")
	}
	if err := r.Validate(); err != nil {
		var re *RuleError
		if errors.As(err, &re) {
			msg, ok := partProblem[re.Field]
			if !ok {
				msg = re.Field + ": " + re.Problem
			}
			return fail("%s", msg)
		}
		return Rule{}, err
	}
	return r, nil
}

// partProblem says each Validate problem that text can cause in the words of the compact form.
var partProblem = map[string]string{
	"MultiplierBP":          "multiplier: want ×1 to ×100",
	"CompareAtMultiplierBP": "compare multiplier: want more than ×1, at most ×100",
}

func isOperator(tok string) bool {
	return tok == "x" || tok == "X" || tok == "×" || tok == "*" || tok == "+"
}

func isMultiplier(tok string) bool {
	t := multiplierText(tok)
	return t != tok && t != "" && (isDigit(t[0]) || t[0] == '.')
}

func multiplierText(tok string) string {
	for _, p := range []string{"x", "X", "×", "*"} {
		if strings.HasPrefix(tok, p) {
			return tok[len(p):]
		}
	}
	return tok
}

// parseBP reads a decimal multiplier with at most 4 decimals as basis points: "2.5" → 25000.
func parseBP(s string) (int, error) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" {
		return 0, fmt.Errorf("not a number")
	}
	if !allDigits(whole) || !allDigits(frac) {
		return 0, fmt.Errorf("not a number")
	}
	if len(frac) > 4 {
		return 0, fmt.Errorf("at most 4 decimals")
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 3 {
		return 0, fmt.Errorf("want ×1 to ×100")
	}
	w := 0
	for i := 0; i < len(whole); i++ {
		w = w*10 + int(whole[i]-'0')
	}
	f := 0
	for i := 0; i < 4; i++ {
		f *= 10
		if i < len(frac) {
			f += int(frac[i] - '0')
		}
	}
	return w*10000 + f, nil
}

// parseAmount reads a price in currency, refusing more decimals than the currency has.
func parseAmount(s, currency string) (Money, error) {
	if _, frac, ok := strings.Cut(s, "."); ok && len(frac) > catalog.MinorUnits(currency) {
		return Money{}, fmt.Errorf("more decimals than %s has", name(currency))
	}
	m, err := catalog.ParseMoney(s, currency)
	if err != nil {
		return Money{}, fmt.Errorf("not an amount")
	}
	return m, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
