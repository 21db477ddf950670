package world

import (
	"cmp"
	"slices"
	"strings"
)

// Shipping: which services a product offers from each of its origins to each country, how long
// they take and what they cost. The same routeDays serves Shipping and the search filter on
// delivery days, so both always agree.

// service is a logistics service as the freight query names it.
type service struct {
	code, company string
	tracking      bool
}

// Cross-border services from China, by svc bit.
var cnServices = []struct {
	bit int
	service
}{
	{svcSelection, service{"CAINIAO_FULFILLMENT_STD", "AliExpress Selection Standard", true}},
	{svcStandard, service{"CAINIAO_STANDARD", "AliExpress Standard Shipping", true}},
	{svcSaver, service{"CAINIAO_ECONOMY", "AliExpress Saver Shipping", true}},
	{svcSuperEconomy, service{"AE_CN_SUPER_ECONOMY_G", "Cainiao Super Economy Global", false}},
	{svcPremium, service{"CAINIAO_PREMIUM", "AliExpress Premium Shipping", true}},
	{svcDHL, service{"DHL", "DHL", true}},
	{svcHeavy, service{"CAINIAO_STANDARD_HEAVY", "Cainiao Heavy Parcel Line", true}},
	{svcDirect, service{"CAINIAO_CONSOLIDATION", "Aliexpress Direct", true}},
}

// Services of the overseas warehouses: the platform's standard service from the warehouse, and
// the local carrier for the warehouse's own country.
var (
	warehouseStandard = service{"CAINIAO_STANDARD", "AliExpress Standard Shipping", true}
	localCarriers     = map[string]service{
		"US": {"USPS", "USPS", true},
		"ES": {"GLS_ES", "GLS Spain", true},
		"FR": {"LAPOSTE", "La Poste", true},
		"DE": {"DEUTSCHE_POST", "Deutsche Post", true},
		"PL": {"CAINIAO_OVERSEAS_WH_EXPPL", "Cainiao Warehouse Express Shipping", true},
		"GB": {"Other", "Sellers Shipping Method", true},
		"BR": {"CORREIOS_BR", "Correios Brazil", true},
	}
)

// Serves reports whether the platform delivers to country (a two-letter code) at all.
func Serves(country string) bool { return countryIndex(country) >= 0 }

func countryIndex(code string) int {
	for i := range countries {
		if countries[i].code == code {
			return i
		}
	}
	return -1
}

// originReach is the set of countries an origin's routes reach.
func originReach(o int) uint64 {
	var m uint64
	switch origins[o].code {
	case "CN":
		return 1<<len(countries) - 1
	case "US":
		m = 1<<countryIndex("US") | 1<<countryIndex("CA")
	case "GB":
		m = 1<<countryIndex("GB") | 1<<countryIndex("IE")
	case "BR":
		m = 1 << countryIndex("BR")
	default: // European warehouses serve the European Union
		for i := range countries {
			if countries[i].eu {
				m |= 1 << i
			}
		}
	}
	return m
}

// routeDays is how long a service takes from origin o to country ci, or ok false when it does not
// run there. local means an overseas-warehouse service (svc is then 0 for the warehouse's standard
// service and 1 for the local carrier).
func routeDays(svc int, o int, ci int) (lo, hi int, ok bool) {
	c := &countries[ci]
	if o != 0 {
		if originReach(o)&(1<<ci) == 0 {
			return 0, 0, false
		}
		home := origins[o].code == c.code
		switch {
		case svc == 1 && home:
			return 1, 4, true
		case svc == 1:
			return 0, 0, false
		case home:
			return 2, 5, true
		default:
			return 4, 10, true
		}
	}
	far := c.code == "AR" || c.code == "DZ" || c.code == "IN"
	switch svc {
	case svcSelection:
		if far {
			return 0, 0, false
		}
		return max(3, c.min-2), max(c.min+3, c.max-4), true
	case svcStandard:
		return c.min, c.max, true
	case svcSaver:
		return c.min + 4, c.max + 12, true
	case svcSuperEconomy:
		if c.zone > 2 || far {
			return 0, 0, false
		}
		return c.min + 8, c.max + 20, true
	case svcPremium:
		return max(3, c.min-3), max(c.min, c.max-6), true
	case svcDHL:
		if c.zone == 3 {
			return 5, 10, true
		}
		return 3, 7, true
	case svcHeavy:
		if far {
			return 0, 0, false
		}
		return c.min + 3, c.max + 8, true
	case svcDirect:
		if c.code != "BR" && c.code != "AE" && c.code != "SA" {
			return 0, 0, false
		}
		return max(5, c.min-6), max(10, c.max-12), true
	}
	return 0, 0, false
}

// routeClass returns the index of the product's route class (origins x services) in c.routes,
// adding it on first use. A route class holds the fastest delivery to every country.
func (c *Catalog) routeClass(it *item, seen map[uint16]uint16) uint16 {
	key := uint16(it.origins) | uint16(it.svc)<<8
	if r, ok := seen[key]; ok {
		return r
	}
	var fast [len(countries)]uint8
	for ci := range countries {
		best := 0
		for o := range origins {
			if it.origins&(1<<o) == 0 {
				continue
			}
			svcs := []int{0, 1}
			if o == 0 {
				svcs = svcs[:0]
				for _, s := range cnServices {
					if int(it.svc)&s.bit != 0 {
						svcs = append(svcs, s.bit)
					}
				}
			}
			for _, s := range svcs {
				if _, hi, ok := routeDays(s, o, ci); ok && (best == 0 || hi < best) {
					best = hi
				}
			}
		}
		fast[ci] = uint8(best)
	}
	r := uint16(len(c.routes))
	c.routes = append(c.routes, fast)
	seen[key] = r
	return r
}

// fastestDays is the quickest maximum delivery time of the product to country ci, or 0 when it
// does not ship there.
func (c *Catalog) fastestDays(it *item, ci int) int {
	if it.served&(1<<ci) == 0 {
		return 0
	}
	d := int(c.routes[it.route][ci])
	if d == 0 {
		return 0
	}
	return d + int(it.offset)
}

// Fees in cents by fee zone (0 near ... 3 far): a base per parcel and a price per kilogram.
var (
	zoneBase  = [4]int64{99, 199, 299, 499}
	zonePerKg = [4]int64{300, 600, 900, 1400}
)

// Shipping lists the options to ship quantity units of a variant of p to country (ISO 3166
// alpha-2), cheapest first. skuID "" means the cheapest variant. Options of a variant in an
// overseas warehouse (a "Ships From" value) leave from that warehouse. It returns nil when the
// product does not ship there from that variant's warehouse, or the SKU or country is unknown.
func (c *Catalog) Shipping(p Product, skuID string, country string, quantity int) []ShippingOption {
	i, ok := c.find(p.ID)
	ci := countryIndex(strings.ToUpper(country))
	if !ok || ci < 0 {
		return nil
	}
	it := &c.items[i]
	if it.served&(1<<ci) == 0 {
		return nil
	}
	v, ok := p.Variant(skuID)
	if !ok {
		return nil
	}
	quantity = max(quantity, 1)
	o := int(it.primary)
	for _, vv := range v.Values {
		if vv.PropertyID == propKinds["shipsfrom"].id {
			for oi := range origins {
				if origins[oi].id == vv.ValueID {
					o = oi
				}
			}
		}
	}
	zone := countries[ci].zone
	grams := int64(max(p.Package.WeightGrams, 1)) * int64(quantity)
	kg := (grams + 99) / 100 // in tenths of a kilogram
	subtotal := v.SalePrice * int64(quantity)
	offset := int(it.offset)

	var opts []ShippingOption
	add := func(s service, lo, hi int, fee, threshold int64, free bool) {
		if threshold > 0 && subtotal >= threshold {
			free = true
		}
		if free {
			fee = 0
		}
		opts = append(opts, ShippingOption{
			Code: s.code, Company: s.company, Fee: fee, Free: free, FreeThreshold: threshold,
			MinDays: lo + offset, MaxDays: hi + offset, Tracking: s.tracking, ShipFrom: origins[o].code,
		})
	}
	if o != 0 {
		for s := range 2 {
			lo, hi, ok := routeDays(s, o, ci)
			if !ok {
				continue
			}
			if s == 0 {
				add(warehouseStandard, lo, hi, 299+kg*10, 0, it.flags&flagLocalFree != 0)
			} else {
				add(localCarriers[origins[o].code], lo, hi, 399+kg*15, 0, false)
			}
		}
	} else {
		stdFree := int(it.free) > zone
		for _, s := range cnServices {
			if int(it.svc)&s.bit == 0 {
				continue
			}
			lo, hi, ok := routeDays(s.bit, o, ci)
			if !ok {
				continue
			}
			perKg := zonePerKg[zone] * kg / 10
			svc := s.service
			switch s.bit {
			case svcSelection:
				add(svc, lo, hi, 199+int64(zone)*100+perKg/2, 1000, false)
			case svcStandard:
				var threshold int64
				if it.flags&flagThreshold != 0 && !stdFree {
					threshold = 1500
				}
				add(svc, lo, hi, zoneBase[zone]+perKg, threshold, stdFree)
			case svcSaver:
				add(svc, lo, hi, zoneBase[zone]/2+perKg*7/10, 0, stdFree)
			case svcSuperEconomy:
				add(svc, lo, hi, 59+perKg/2, 0, v.SalePrice < 300)
			case svcPremium:
				add(svc, lo, hi, 699+perKg*2, 0, false)
			case svcDHL:
				add(svc, lo, hi, (1999+1500*kg/10)*int64(1+zone/3), 0, false)
			case svcHeavy:
				add(svc, lo, hi, 999+perKg*8/10, 0, false)
			case svcDirect:
				if countries[ci].code == "BR" {
					svc.code, svc.company = "CAINIAO_CONSOLIDATION_BR", "Aliexpress Direct (Brazil)"
				} else {
					svc.code, svc.company = "CAINIAO_CONSOLIDATION_AE", "Aliexpress Direct (UAE)"
				}
				add(svc, lo, hi, 299, 1000, false)
			}
		}
	}
	slices.SortFunc(opts, func(a, b ShippingOption) int {
		return cmp.Or(cmp.Compare(a.Fee, b.Fee), cmp.Compare(a.MaxDays, b.MaxDays), cmp.Compare(a.Code, b.Code))
	})
	if len(opts) == 0 {
		return nil
	}
	return opts
}

// Country is a destination the catalog ships to.
type Country struct {
	Code string // ISO 3166 alpha-2
	Name string
}

// Countries lists the destinations the catalog knows, most common dropshipping markets first.
func Countries() []Country {
	out := make([]Country, len(countries))
	for i, c := range countries {
		out[i] = Country{Code: c.code, Name: c.name}
	}
	return out
}
