package catalog

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

func usdTest(c int64) Money { return Money{Amount: c, Currency: "USD"} }

func TestParseShipRule(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"", "tracked", true},
		{"tracked", "tracked", true},
		{"Cheapest", "cheapest", true},
		{"fastest", "fastest", true},
		{"service:cainiao_standard", "service:CAINIAO_STANDARD", true},
		{"service:", "", false},
		{"service:<b>", "", false},
		{"slowest", "", false},
	}
	for _, tt := range tests {
		r, err := ParseShipRule(tt.in)
		switch {
		case tt.ok && (err != nil || r.String() != tt.want):
			t.Errorf("ParseShipRule(%q) = %q, %v; want %q", tt.in, r.String(), err, tt.want)
		case !tt.ok && (err == nil || ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "ship_rule")):
			t.Errorf("ParseShipRule(%q) error = %v; want EInvalid naming ship_rule", tt.in, err)
		}
	}
}

func TestShipRulePick(t *testing.T) {
	opts := []ShippingOption{
		{Code: "SAVER", Fee: usdTest(50), MaxDays: 40},
		{Code: "STD", Fee: usdTest(150), MaxDays: 25, Tracking: true},
		{Code: "FREE", Fee: usdTest(0), Free: true, MaxDays: 30},
		{Code: "DHL", Fee: usdTest(1299), MaxDays: 6, Tracking: true},
	}
	tests := []struct {
		rule ShipRule
		want string // "" for none
	}{
		{ShipRule{By: ShipCheapest}, "FREE"},
		{ShipRule{By: ShipTracked}, "STD"},
		{ShipRule{}, "STD"},
		{ShipRule{By: ShipFastest}, "DHL"},
		{ShipRule{By: ShipService, Service: "saver"}, "SAVER"},
		{ShipRule{By: ShipService, Service: "EMS"}, ""},
		// The search's filters come first: max 10 days leaves DHL whatever the rule.
		{ShipRule{By: ShipCheapest, MaxDays: 10}, "DHL"},
		{ShipRule{By: ShipTracked, MaxDays: 30}, "STD"},
		{ShipRule{By: ShipTracked, FreeOnly: true}, "FREE"}, // none tracked and free: the cheapest free one
		{ShipRule{By: ShipService, Service: "SAVER", MaxDays: 10}, ""},
		{ShipRule{By: ShipFastest, MaxDays: 3}, ""},
	}
	for _, tt := range tests {
		got, ok := tt.rule.Choose(opts)
		if ok != (tt.want != "") || got.Code != tt.want {
			t.Errorf("%+v.Choose = %q, %v; want %q", tt.rule, got.Code, ok, tt.want)
		}
	}
}

func TestFiltersShipRuleAndInStock(t *testing.T) {
	f, err := ParseFilters(url.Values{})
	if err != nil || !f.InStock || f.ShipRule.String() != "tracked" {
		t.Fatalf("ParseFilters() = in_stock %v, ship_rule %q, %v; want true, tracked", f.InStock, f.ShipRule, err)
	}
	if v := f.Values(); v.Has("in_stock") || v.Has("ship_rule") {
		t.Errorf("default Values() = %v; want the defaults left out", v)
	}
	// A form sends a hidden in_stock=false before the checkbox: the last value wins.
	f, err = ParseFilters(url.Values{"in_stock": {"false", "true"}, "ship_rule": {"fastest"}, "max_delivery_days": {"10"}})
	if err != nil || !f.InStock || f.Shipping() != (ShipRule{By: ShipFastest, MaxDays: 10}) {
		t.Errorf("ParseFilters(in_stock false,true; fastest) = %v, %+v, %v; want true, fastest within 10 days", f.InStock, f.Shipping(), err)
	}
	f, err = ParseFilters(url.Values{"in_stock": {"false"}, "ship_rule": {"service:DHL"}})
	if err != nil || f.InStock {
		t.Fatalf("ParseFilters(in_stock=false) = %v, %v; want false", f.InStock, err)
	}
	if v := f.Values(); v.Get("in_stock") != "false" || v.Get("ship_rule") != "service:DHL" {
		t.Errorf("Values() = %v; want in_stock=false and ship_rule=service:DHL", v)
	}
	for _, bad := range []url.Values{{"in_stock": {"maybe"}}, {"ship_rule": {"teleport"}}} {
		if _, err := ParseFilters(bad); len(InvalidErrors(err)) != 1 {
			t.Errorf("ParseFilters(%v) error = %v; want one field error", bad, err)
		}
	}
}

func TestSoldOutAndStock(t *testing.T) {
	p := Product{Variants: []Variant{{Stock: 0}, {Stock: 0}}}
	if !p.SoldOut() {
		t.Error("every variant at 0: SoldOut() = false; want true")
	}
	p.Variants[1].Stock = -1
	if p.SoldOut() {
		t.Error("a variant with unknown stock: SoldOut() = true; want false (not known)")
	}
	if _, ok := p.Stock(); ok {
		t.Error("Stock() known with an unknown variant; want unknown")
	}
	p.Variants[1].Stock = 7
	if n, ok := p.Stock(); !ok || n != 7 {
		t.Errorf("Stock() = %d, %v; want 7, true", n, ok)
	}
}

// warehouseProduct ships from China (cheap, slow) and France (dear, fast).
func warehouseProduct() *Product {
	cn := []ShippingOption{{Code: "CN_STD", Fee: usdTest(100), MaxDays: 20, Tracking: true, ShipFrom: "CN"}}
	fr := []ShippingOption{{Code: "FR_POST", Fee: usdTest(400), MaxDays: 5, Tracking: true, ShipFrom: "FR"}}
	return &Product{ID: 1005000000000009, ShipTo: "US", Shipping: cn,
		Options: []Option{{Name: "Color", Values: []string{"Red", "Blue"}}, {Name: "Ships From", Values: []string{"China", "France"}}},
		Variants: []Variant{
			{SKUID: "r-cn", Values: []string{"Red", "China"}, Price: usdTest(500), Stock: 3, Shipping: cn},
			{SKUID: "b-cn", Values: []string{"Blue", "China"}, Price: usdTest(450), Stock: 0, Shipping: cn},
			{SKUID: "r-fr", Values: []string{"Red", "France"}, Price: usdTest(700), Stock: 9, Shipping: fr},
		}}
}

func TestWarehouse(t *testing.T) {
	p := warehouseProduct()
	if got := p.Warehouse(ShipRule{}); got != "China" {
		t.Errorf("Warehouse(tracked) = %q; want China, the cheapest tracked", got)
	}
	if got := p.Warehouse(ShipRule{By: ShipFastest}); got != "France" {
		t.Errorf("Warehouse(fastest) = %q; want France", got)
	}
	if got := p.Warehouse(ShipRule{By: ShipCheapest, MaxDays: 10}); got != "France" {
		t.Errorf("Warehouse(within 10 days) = %q; want France", got)
	}
	if got := (&Product{}).Warehouse(ShipRule{}); got != "" {
		t.Errorf("Warehouse of a product without Ships From = %q; want empty", got)
	}
}

func TestFromWarehouse(t *testing.T) {
	p := warehouseProduct()
	fr, err := p.FromWarehouse("ships_from", "france")
	if err != nil {
		t.Fatal(err)
	}
	if len(fr.Options) != 1 || fr.Options[0].Name != "Color" || !slices.Equal(fr.Options[0].Values, []string{"Red"}) {
		t.Errorf("FromWarehouse(France) options = %+v; want Color: Red only, no Ships From", fr.Options)
	}
	if len(fr.Variants) != 1 || fr.Variants[0].SKUID != "r-fr" || !slices.Equal(fr.Variants[0].Values, []string{"Red"}) {
		t.Errorf("FromWarehouse(France) variants = %+v; want r-fr with values [Red]", fr.Variants)
	}
	if len(fr.Shipping) != 1 || fr.Shipping[0].Code != "FR_POST" || fr.Price != usdTest(700) || fr.ShipFrom != "FR" {
		t.Errorf("FromWarehouse(France) = shipping %+v, price %v, from %q; want FR_POST, 7.00, FR", fr.Shipping, fr.Price, fr.ShipFrom)
	}
	cn, err := p.FromWarehouse("ships_from", "China")
	if err != nil || len(cn.Variants) != 2 || cn.Price != usdTest(500) {
		t.Errorf("FromWarehouse(China) = %d variants, price %v, %v; want 2, the in-stock 5.00", len(cn.Variants), cn.Price, err)
	}
	if len(p.Options) != 2 || len(p.Variants[0].Values) != 2 {
		t.Error("FromWarehouse changed the product it was given")
	}
	if _, err := p.FromWarehouse("ships_from", "Spain"); ErrorCode(err) != EInvalid || !strings.Contains(err.Error(), "ships_from") {
		t.Errorf("FromWarehouse(Spain) error = %v; want EInvalid naming ships_from", err)
	}
}
