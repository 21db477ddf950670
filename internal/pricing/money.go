// Package pricing computes what a product really costs a dropshipper and what to sell it for: the
// landed cost of a variant shipped to one destination, the margin at a selling price after payment
// and advertising fees, and pricing rules (multiplier or fixed markup, charm endings, compare-at
// prices) that turn a supplier cost into store prices.
//
// All money is integer minor units plus a currency (catalog.Money); percentages and multipliers are
// basis points (1 bp = 0.01 %, 10000 bp = ×1), so every figure is exact and reproducible. The one
// place that rounds is mulDiv, which rounds half away from zero. Amounts in different currencies are
// never added: doing so is an error that names both currencies (ErrCurrencyMismatch). A zero amount
// with no currency (the zero Money) is neutral and takes the currency of what it is added to.
package pricing

import (
	"errors"
	"fmt"
	"math"
	"math/bits"

	"github.com/aliscout/aliscout/internal/catalog"
)

// Money is catalog.Money: minor units plus an ISO 4217 currency code.
type Money = catalog.Money

// ErrCurrencyMismatch is wrapped by every error about amounts in two different currencies.
var ErrCurrencyMismatch = errors.New("currency mismatch")

// ErrOverflow is wrapped when an amount leaves the range of int64 minor units.
var ErrOverflow = errors.New("amount out of range")

// CurrencyError reports two amounts that cannot be combined because their currencies differ.
type CurrencyError struct {
	A, B string // the two currency codes, in the order they met
}

// Error names both currencies.
func (e *CurrencyError) Error() string {
	return fmt.Sprintf("pricing: %v: %s and %s", ErrCurrencyMismatch, name(e.A), name(e.B))
}

// Is makes errors.Is(err, ErrCurrencyMismatch) true for a *CurrencyError.
func (e *CurrencyError) Is(target error) bool { return target == ErrCurrencyMismatch }

func name(currency string) string {
	if currency == "" {
		return "(no currency)"
	}
	return currency
}

// sameCurrency returns the currency that a and b share. The zero Money is neutral.
func sameCurrency(a, b Money) (string, error) {
	switch {
	case a.Currency == b.Currency:
		return a.Currency, nil
	case a.IsZero():
		return b.Currency, nil
	case b.IsZero():
		return a.Currency, nil
	}
	return "", &CurrencyError{A: a.Currency, B: b.Currency}
}

// add returns a+b.
func add(a, b Money) (Money, error) {
	cur, err := sameCurrency(a, b)
	if err != nil {
		return Money{}, err
	}
	s, overflow := addInt(a.Amount, b.Amount)
	if overflow {
		return Money{}, fmt.Errorf("pricing: %s + %s: %w", a, b, ErrOverflow)
	}
	return Money{Amount: s, Currency: cur}, nil
}

// sub returns a-b.
func sub(a, b Money) (Money, error) {
	if b.Amount == math.MinInt64 {
		return Money{}, fmt.Errorf("pricing: %s - %s: %w", a, b, ErrOverflow)
	}
	return add(a, Money{Amount: -b.Amount, Currency: b.Currency})
}

// sum adds all amounts.
func sum(ms ...Money) (Money, error) {
	var total Money
	for _, m := range ms {
		var err error
		if total, err = add(total, m); err != nil {
			return Money{}, err
		}
	}
	return total, nil
}

// times returns m×n for a whole number n.
func times(m Money, n int) (Money, error) {
	hi, lo := bits.Mul64(abs(m.Amount), abs(int64(n)))
	if hi != 0 || lo > math.MaxInt64 {
		return Money{}, fmt.Errorf("pricing: %s × %d: %w", m, n, ErrOverflow)
	}
	v := int64(lo)
	if (m.Amount < 0) != (n < 0) {
		v = -v
	}
	return Money{Amount: v, Currency: m.Currency}, nil
}

// percent returns m×bp/10000, rounded half away from zero.
func percent(m Money, bp int) (Money, error) {
	v, err := mulDiv(m.Amount, int64(bp), 10000)
	if err != nil {
		return Money{}, fmt.Errorf("pricing: %s × %d bp: %w", m, bp, err)
	}
	return Money{Amount: v, Currency: m.Currency}, nil
}

// ratioBP returns num/den in basis points, rounded half away from zero; 0 when den is 0.
func ratioBP(num, den int64) int {
	if den == 0 {
		return 0
	}
	if den < 0 {
		num, den = -num, -den
	}
	v, err := mulDiv(num, 10000, den)
	if err != nil || v > math.MaxInt32 || v < math.MinInt32 {
		if (num < 0) != (den < 0) {
			return math.MinInt32
		}
		return math.MaxInt32
	}
	return int(v)
}

// mulDiv returns a×b/c rounded half away from zero (2.5 → 3, -2.5 → -3), with a 128-bit
// intermediate product so that no multiplication overflows silently. c must be positive. This is
// the only function in the package that rounds.
func mulDiv(a, b, c int64) (int64, error) {
	if c <= 0 {
		return 0, errors.New("pricing: division by a non-positive number")
	}
	hi, lo := bits.Mul64(abs(a), abs(b))
	uc := uint64(c)
	if hi >= uc {
		return 0, ErrOverflow
	}
	q, r := bits.Div64(hi, lo, uc)
	if r >= uc-r { // 2r >= c: the remainder is at least one half
		q++
	}
	if q > math.MaxInt64 {
		return 0, ErrOverflow
	}
	v := int64(q)
	if (a < 0) != (b < 0) {
		v = -v
	}
	return v, nil
}

func abs(v int64) uint64 {
	if v < 0 {
		return uint64(-v) // also right for math.MinInt64 in two's complement
	}
	return uint64(v)
}

func addInt(a, b int64) (int64, bool) {
	s := a + b
	return s, (a > 0 && b > 0 && s < 0) || (a < 0 && b < 0 && s >= 0)
}
