package catalog

import (
	"fmt"
	"strings"
)

// Ways a ShipRule picks the shipping method that prices a product.
const (
	ShipCheapest = "cheapest" // the cheapest method, the faster on a tie
	ShipTracked  = "tracked"  // the cheapest tracked method; the cheapest when none is tracked
	ShipFastest  = "fastest"  // the method with the fewest maximum days, the cheaper on a tie
	ShipService  = "service"  // the logistics service Service names, and no other
)

// DefaultShipRule is the rule a search, a product page and an export use when none is given:
// the cheapest method a customer can follow, since an untracked parcel is a dispute waiting to
// happen.
const DefaultShipRule = ShipTracked

// ShipRule chooses the one shipping method that a product's card, landed cost, margin, delivery
// days and export use, so that every figure shown for a product is about the same parcel. By says
// how; FreeOnly and MaxDays are the requirements of a search's shipping filters (free shipping,
// maximum delivery days): a method that misses them is never chosen.
type ShipRule struct {
	By       string // ShipCheapest, ShipTracked, ShipFastest or ShipService
	Service  string // the logistics service code, for ShipService
	FreeOnly bool
	MaxDays  int // 0 = any
}

// ParseShipRule reads the ship_rule parameter: cheapest, tracked, fastest or service:CODE. ""
// is the default, tracked. Errors are EInvalid naming ship_rule.
func ParseShipRule(s string) (ShipRule, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return ShipRule{By: DefaultShipRule}, nil
	case ShipCheapest, ShipTracked, ShipFastest:
		return ShipRule{By: strings.ToLower(s)}, nil
	}
	if prefix, code, ok := strings.Cut(s, ":"); ok && strings.EqualFold(prefix, ShipService) {
		code = strings.ToUpper(strings.TrimSpace(code))
		if code == "" || len(code) > 64 || strings.ContainsFunc(code, func(r rune) bool {
			return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.')
		}) {
			return ShipRule{}, invalid("ship_rule", "%q: want a logistics service code such as service:CAINIAO_STANDARD", shorten(s))
		}
		return ShipRule{By: ShipService, Service: code}, nil
	}
	return ShipRule{}, invalid("ship_rule", "%q is not cheapest, tracked, fastest or service:CODE", shorten(s))
}

// String is the rule as the ship_rule parameter writes it: "tracked", "service:DHL". The
// requirements are the filters' parameters, not the rule's.
func (r ShipRule) String() string {
	switch r.By {
	case "":
		return DefaultShipRule
	case ShipService:
		return ShipService + ":" + r.Service
	}
	return r.By
}

// Label says in words how the rule chooses, for a page: "cheapest tracked".
func (r ShipRule) Label() string {
	var s string
	switch r.By {
	case ShipCheapest:
		s = "cheapest"
	case ShipFastest:
		s = "fastest"
	case ShipService:
		s = r.Service
	default:
		s = "cheapest tracked"
	}
	switch {
	case r.FreeOnly && r.MaxDays > 0:
		s += fmt.Sprintf(", free, within %d days", r.MaxDays)
	case r.FreeOnly:
		s += ", free"
	case r.MaxDays > 0:
		s += fmt.Sprintf(", within %d days", r.MaxDays)
	}
	return s
}

// Meets reports whether o meets the rule's requirements (free shipping, maximum days).
func (r ShipRule) Meets(o ShippingOption) bool {
	if r.FreeOnly && !o.Free {
		return false
	}
	if r.MaxDays > 0 && (o.MaxDays <= 0 || o.MaxDays > r.MaxDays) {
		return false
	}
	return true
}

// Pick returns the index in options of the method the rule chooses, or -1 when none meets the
// requirements (or, for ShipService, none is that service).
func (r ShipRule) Pick(options []ShippingOption) int {
	best := -1
	better := func(a, b ShippingOption) bool { // a before b
		if r.By == ShipFastest {
			if da, db := days(a), days(b); da != db {
				return da < db
			}
			return a.Fee.Amount < b.Fee.Amount
		}
		if a.Fee.Amount != b.Fee.Amount {
			return a.Fee.Amount < b.Fee.Amount
		}
		return days(a) < days(b)
	}
	for pass := 0; pass < 2 && best < 0; pass++ {
		for i, o := range options {
			if !r.Meets(o) {
				continue
			}
			switch r.By {
			case ShipService:
				if !strings.EqualFold(o.Code, r.Service) {
					continue
				}
			case ShipTracked, "":
				if pass == 0 && !o.Tracking {
					continue // the first pass looks at tracked methods only
				}
			}
			if best < 0 || better(o, options[best]) {
				best = i
			}
		}
		if r.By != ShipTracked && r.By != "" {
			break
		}
	}
	return best
}

// Choose returns the method the rule chooses from options; ok is false when none qualifies.
func (r ShipRule) Choose(options []ShippingOption) (ShippingOption, bool) {
	if i := r.Pick(options); i >= 0 {
		return options[i], true
	}
	return ShippingOption{}, false
}

// days orders an option by its maximum delivery days, unknown (0) last.
func days(o ShippingOption) int {
	if o.MaxDays <= 0 {
		return 1 << 30
	}
	return o.MaxDays
}

// ShipsFromOption is the name of the variant dimension that AliExpress uses for the warehouse a
// variant ships from. It chooses where a parcel leaves from, not what a customer buys.
const ShipsFromOption = "Ships From"

// WarehouseOption returns the index of p's "Ships From" option, or -1.
func (p *Product) WarehouseOption() int {
	for i, o := range p.Options {
		if strings.EqualFold(strings.TrimSpace(o.Name), ShipsFromOption) {
			return i
		}
	}
	return -1
}

// Warehouses returns the values of p's "Ships From" option ("China", "France"), nil when it has
// none.
func (p *Product) Warehouses() []string {
	if i := p.WarehouseOption(); i >= 0 {
		return p.Options[i].Values
	}
	return nil
}

// Warehouse returns the warehouse rule prefers for p: the one whose shipping holds the method the
// rule chooses over all warehouses' methods; when none qualifies, the first with a variant in
// stock. It is "" when p has no "Ships From" option.
func (p *Product) Warehouse(rule ShipRule) string {
	opt := p.WarehouseOption()
	if opt < 0 {
		return ""
	}
	var all []ShippingOption
	var from []string
	seen := map[string]bool{}
	for i := range p.Variants {
		v := &p.Variants[i]
		if opt >= len(v.Values) || seen[v.Values[opt]] {
			continue
		}
		seen[v.Values[opt]] = true
		for _, o := range p.ShippingFor(v) {
			all = append(all, o)
			from = append(from, v.Values[opt])
		}
	}
	if i := rule.Pick(all); i >= 0 {
		return from[i]
	}
	for _, v := range p.Variants {
		if opt < len(v.Values) && v.Stock != 0 {
			return v.Values[opt]
		}
	}
	return p.Options[opt].Values[0]
}

// FromWarehouse returns p as a store sells it from one warehouse: only the variants that ship
// from warehouse (a value of the "Ships From" option), without that option, with that
// warehouse's shipping as the product's. A store's customers choose colours and sizes, not where
// the supplier posts the parcel from. p itself is not changed; a p without the option is returned
// as it is. It fails with EInvalid naming field when warehouse is not one of p's.
func (p *Product) FromWarehouse(field, warehouse string) (Product, error) {
	opt := p.WarehouseOption()
	if opt < 0 {
		return *p, nil
	}
	out := *p
	out.Options = make([]Option, 0, len(p.Options)-1)
	out.Options = append(out.Options, p.Options[:opt]...)
	out.Options = append(out.Options, p.Options[opt+1:]...)
	out.Variants = nil
	for _, v := range p.Variants {
		if opt >= len(v.Values) || !strings.EqualFold(v.Values[opt], warehouse) {
			continue
		}
		if v.Shipping != nil {
			out.Shipping = v.Shipping
		}
		nv := v
		nv.Values = make([]string, 0, len(v.Values)-1)
		nv.Values = append(nv.Values, v.Values[:opt]...)
		nv.Values = append(nv.Values, v.Values[opt+1:]...)
		nv.Shipping = nil
		out.Variants = append(out.Variants, nv)
	}
	if len(out.Variants) == 0 {
		return Product{}, invalid(field, "product %d ships from %s, not from %q", p.ID, strings.Join(p.Options[opt].Values, " or "), shorten(warehouse))
	}
	// Option values no variant of this warehouse has are left out.
	for i := range out.Options {
		var kept []string
		for _, val := range out.Options[i].Values {
			for _, v := range out.Variants {
				if i < len(v.Values) && v.Values[i] == val {
					kept = append(kept, val)
					break
				}
			}
		}
		out.Options[i] = Option{Name: out.Options[i].Name, Values: kept}
	}
	// The price is the warehouse's cheapest variant, preferring those in stock.
	best := -1
	for i, v := range out.Variants {
		if best < 0 || (v.Stock != 0 && out.Variants[best].Stock == 0) ||
			((v.Stock != 0) == (out.Variants[best].Stock != 0) && v.Price.Amount < out.Variants[best].Price.Amount) {
			best = i
		}
	}
	out.Price, out.OriginalPrice = out.Variants[best].Price, out.Variants[best].ListPrice
	if len(out.Shipping) > 0 && out.Shipping[0].ShipFrom != "" {
		out.ShipFrom = out.Shipping[0].ShipFrom
	}
	return out, nil
}
