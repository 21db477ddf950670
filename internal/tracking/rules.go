package tracking

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/pricing"
)

// Rules say which changes a user is told about. They are kept per user (the defaults of every
// watch) and may be set per watch.
type Rules struct {
	// PricePct and PriceAmount: a variant's price up or down by more than this percent, or by
	// more than this amount in minor units; both 0 means any price change.
	PricePct    float64 `json:"price_pct"`
	PriceAmount int64   `json:"price_amount"`
	NoPrice     bool    `json:"no_price,omitempty"` // price changes are not alerts
	// OutOfStock: a variant's stock reached zero.
	OutOfStock bool `json:"out_of_stock"`
	// LowStock: a variant's stock fell below this many units (and above zero); 0 is off.
	LowStock int `json:"low_stock"`
	// Variants: a variant added or removed.
	Variants bool `json:"variants"`
	// Shipping: shipping to the watch's country gone, or (with ShippingDays > 0) slower than this
	// many days at most.
	Shipping     bool `json:"shipping"`
	ShippingDays int  `json:"shipping_days"`
	// Gone: the product is no longer listed.
	Gone bool `json:"gone"`
	// MinMarginPct: the margin of a variant at the store price (from the watch's pricing rule at
	// the last applied supplier price) fell under this percent, after shipping; 0 is off.
	MinMarginPct float64 `json:"min_margin_pct"`
}

// DefaultRules are the rules of a user who set none: every price change, out of stock, under 5
// units, variants, shipping lost and the product gone.
func DefaultRules() Rules {
	return Rules{OutOfStock: true, LowStock: 5, Variants: true, Shipping: true, Gone: true}
}

// ParseRules reads rules kept as JSON; "" is the defaults.
func ParseRules(s string) (Rules, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultRules(), nil
	}
	r := DefaultRules()
	if err := json.Unmarshal([]byte(s), &r); err != nil {
		return Rules{}, catalog.Invalid("alerts", "the alert rules are not valid JSON: %v", err)
	}
	return r, r.Validate()
}

// Validate names the first rule out of range.
func (r Rules) Validate() error {
	switch {
	case r.PricePct < 0 || r.PricePct > 1000:
		return catalog.Invalid("alerts.price_pct", "price_pct must be between 0 and 1000, not %v", r.PricePct)
	case r.PriceAmount < 0:
		return catalog.Invalid("alerts.price_amount", "price_amount must not be negative")
	case r.LowStock < 0:
		return catalog.Invalid("alerts.low_stock", "low_stock must not be negative")
	case r.ShippingDays < 0:
		return catalog.Invalid("alerts.shipping_days", "shipping_days must not be negative")
	case r.MinMarginPct < 0 || r.MinMarginPct >= 100:
		return catalog.Invalid("alerts.min_margin_pct", "min_margin_pct must be from 0 to under 100, not %v", r.MinMarginPct)
	}
	return nil
}

// String is the rules as kept.
func (r Rules) String() string {
	b, _ := json.Marshal(r)
	return string(b)
}

// Alert is an alert that a change raised for one watch. Key names the change: the same change
// seen twice has the same key, so it is one alert.
type Alert struct {
	Kind    string
	Key     string
	Message string
	Changes []Change
}

// Evaluate returns the alerts that the rules raise for the change from old to new (snapshot new
// has its ID). rule is the watch's pricing rule (nil for none) and base the snapshot of the
// supplier prices the store prices were last set from, for the margin rule.
func (r Rules) Evaluate(old, new Snapshot, rule *pricing.Rule, base Snapshot) []Alert {
	changes := Diff(old, new)
	var out []Alert
	key := func(kind, sku string) string {
		k := kind + ":" + strconv.FormatInt(new.ID, 10)
		if sku != "" {
			k += ":" + sku
		}
		return k
	}
	var up, down []Change
	for _, c := range changes {
		switch c.Kind {
		case KindPriceUp, KindPriceDown:
			if r.NoPrice || !r.priceMatters(c) {
				continue
			}
			if c.Kind == KindPriceUp {
				up = append(up, c)
			} else {
				down = append(down, c)
			}
		case KindOutOfStock:
			if r.OutOfStock {
				out = append(out, Alert{KindOutOfStock, key(c.Kind, c.SKU), fmt.Sprintf("Variant %s is out of stock.", skuName(c.SKU)), []Change{c}})
			}
		case KindLowStock:
			if r.LowStock > 0 && c.New < int64(r.LowStock) && (c.Old < 0 || c.Old >= int64(r.LowStock)) {
				out = append(out, Alert{KindLowStock, key(c.Kind, c.SKU), fmt.Sprintf("Variant %s is down to %d units (under %d).", skuName(c.SKU), c.New, r.LowStock), []Change{c}})
			}
		case KindVariantAdded, KindVariantRemoved:
			if r.Variants {
				verb := "added"
				if c.Kind == KindVariantRemoved {
					verb = "removed"
				}
				out = append(out, Alert{c.Kind, key(c.Kind, c.SKU), fmt.Sprintf("Variant %s was %s.", skuName(c.SKU), verb), []Change{c}})
			}
		case KindShipping:
			switch {
			case !r.Shipping:
			case c.New == 0:
				out = append(out, Alert{KindShipping, key(c.Kind, ""), "It no longer ships to this country.", []Change{c}})
			case r.ShippingDays > 0 && c.New > int64(r.ShippingDays) && c.Old <= int64(r.ShippingDays):
				out = append(out, Alert{KindShipping, key(c.Kind, ""), fmt.Sprintf("Shipping now takes up to %d days (more than %d).", c.New, r.ShippingDays), []Change{c}})
			}
		case KindGone:
			if r.Gone {
				out = append(out, Alert{KindGone, key(c.Kind, ""), "The product is no longer listed on AliExpress.", []Change{c}})
			}
		}
	}
	if len(up) > 0 {
		out = append(out, Alert{KindPriceUp, key(KindPriceUp, ""), priceMessage("up", up), up})
	}
	if len(down) > 0 {
		out = append(out, Alert{KindPriceDown, key(KindPriceDown, ""), priceMessage("down", down), down})
	}
	if r.MinMarginPct > 0 && rule != nil && new.Available {
		oldM, okOld := minMargin(*rule, base, old)
		newM, okNew := minMargin(*rule, base, new)
		if okNew && newM < r.MinMarginPct && (!okOld || oldM >= r.MinMarginPct) {
			out = append(out, Alert{KindMargin, key(KindMargin, ""),
				fmt.Sprintf("The margin at your store price fell to %.1f%% (under %.1f%%).", newM, r.MinMarginPct),
				[]Change{{Kind: KindMargin, Old: int64(oldM * 100), New: int64(newM * 100)}}})
		}
	}
	return out
}

func (r Rules) priceMatters(c Change) bool {
	if r.PricePct == 0 && r.PriceAmount == 0 {
		return true
	}
	d := c.New - c.Old
	if d < 0 {
		d = -d
	}
	if r.PriceAmount > 0 && d > r.PriceAmount {
		return true
	}
	return r.PricePct > 0 && c.Old > 0 && float64(d)*100/float64(c.Old) > r.PricePct
}

func skuName(sku string) string {
	if sku == "" {
		return "(single)"
	}
	return sku
}

func priceMessage(dir string, cs []Change) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Price %s on %d variant(s):", dir, len(cs))
	for i, c := range cs {
		if i == 3 {
			fmt.Fprintf(&b, " and %d more", len(cs)-3)
			break
		}
		fmt.Fprintf(&b, " %s %s → %s", skuName(c.SKU),
			catalog.Money{Amount: c.Old, Currency: c.Currency}.Decimal(), catalog.Money{Amount: c.New, Currency: c.Currency}.Decimal())
		if i < len(cs)-1 && i < 2 {
			b.WriteString(";")
		}
	}
	return b.String()
}

// minMargin is the lowest margin in percent over s's variants, selling each at the store price
// that rule gives for its supplier price in base (or in s when base lacks the variant) and paying
// s's price and shipping.
func minMargin(rule pricing.Rule, base, s Snapshot) (float64, bool) {
	found := false
	var m float64
	for _, v := range s.Variants {
		cost := v.Price
		if bv, ok := base.Variant(v.SKU); ok && base.Available {
			cost = bv.Price
		}
		price, _, err := rule.Apply(catalog.Money{Amount: cost, Currency: s.Currency})
		if err != nil || price.Amount <= 0 {
			continue
		}
		pay := v.Price
		if s.Shipping != nil {
			pay += s.Shipping.Cost
		}
		vm := float64(price.Amount-pay) * 100 / float64(price.Amount)
		if !found || vm < m {
			m, found = vm, true
		}
	}
	return m, found
}
