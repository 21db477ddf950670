package sandbox

import (
	"strconv"
	"testing"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// skuOf returns the ds.product.get SKU object with skuID.
func skuOf(t *testing.T, r map[string]any, skuID string) map[string]any {
	t.Helper()
	skus, _ := at(r, "result.ae_item_sku_info_dtos.ae_item_sku_info_d_t_o").([]any)
	if skus == nil {
		skus, _ = at(r, "result.ae_item_sku_info_dtos").([]any) // a bare form
	}
	for _, x := range skus {
		if o := x.(map[string]any); str(o["sku_id"]) == skuID {
			return o
		}
	}
	t.Fatalf("ds.product.get: no SKU %s in %s", skuID, truncate(toJSON(r), 300))
	return nil
}

func (e *env) dsProduct(p world.Product, country, currency string) map[string]any {
	e.t.Helper()
	return e.ok("aliexpress.ds.product.get", map[string]string{
		"product_id": strconv.FormatInt(p.ID, 10), "ship_to_country": country, "target_currency": currency,
	})
}

// TestDSProductCurrencies checks that the SKUs follow target_currency while the product keeps the
// currency it is listed in, as the documentation's sample shows (a CNY product with USD SKUs).
func TestDSProductCurrencies(t *testing.T) {
	e := newEnv(t, Options{})
	cny := e.find("US", "a CNY listing", func(p world.Product) bool { return p.Currency == "CNY" })
	usd := e.find("US", "a USD listing", func(p world.Product) bool { return p.Currency == "USD" })
	for _, tt := range []struct {
		p                  world.Product
		target, base, skus string
	}{
		{cny, "", "CNY", "USD"},
		{cny, "USD", "CNY", "USD"},
		{cny, "EUR", "CNY", "EUR"},
		{usd, "", "USD", "USD"},
		{usd, "BRL", "USD", "BRL"},
	} {
		r := e.dsProduct(tt.p, "US", tt.target)
		if got := str(at(r, "result.ae_item_base_info_dto.currency_code")); got != tt.base {
			t.Errorf("ds.product.get(%d, target %q) base currency_code = %s; want %s", tt.p.ID, tt.target, got, tt.base)
		}
		v := tt.p.Variants[0]
		sku := skuOf(t, r, v.SKUID)
		if got, want := str(sku["offer_sale_price"]), money(v.SalePrice, tt.skus); str(sku["currency_code"]) != tt.skus || got != want {
			t.Errorf("ds.product.get(%d, target %q) SKU = %s %s; want %s %s", tt.p.ID, tt.target, got, str(sku["currency_code"]), want, tt.skus)
		}
	}
}

// TestDSProductTax checks the tax fields: VAT included where the platform collects it, import
// charges apart for the US.
func TestDSProductTax(t *testing.T) {
	e := newEnv(t, Options{})
	p := e.fixture("DE")
	v := p.Variants[0]
	sku := skuOf(t, e.dsProduct(p, "DE", "EUR"), v.SKUID)
	if sku["price_include_tax"] != true || str(sku["tax_currency_code"]) != "EUR" || str(sku["tax_amount"]) != money(v.SalePrice*19/119, "EUR") {
		t.Errorf("ds.product.get to DE in EUR: price_include_tax %v, tax %s %s; want true and 19%% VAT of %s EUR",
			sku["price_include_tax"], str(sku["tax_amount"]), str(sku["tax_currency_code"]), money(v.SalePrice, "EUR"))
	}
	sku = skuOf(t, e.dsProduct(p, "US", ""), v.SKUID)
	if sku["price_include_tax"] != false || sku["tax_amount"] != nil {
		t.Errorf("ds.product.get to US: price_include_tax %v, tax_amount %v; want false and none", sku["price_include_tax"], sku["tax_amount"])
	}
	imp := e.find("US", "an import charge", func(p world.Product) bool { return p.Variants[0].ImportCharge > 0 })
	sku = skuOf(t, e.dsProduct(imp, "US", "USD"), imp.Variants[0].SKUID)
	if str(sku["estimated_import_charges"]) != money(imp.Variants[0].ImportCharge, "USD") || str(sku["tax_currency_code"]) != "USD" {
		t.Errorf("ds.product.get(%d) to US: estimated_import_charges %s %s; want %s USD", imp.ID,
			str(sku["estimated_import_charges"]), str(sku["tax_currency_code"]), money(imp.Variants[0].ImportCharge, "USD"))
	}
}

// TestDSProductWholesaleAndLimits checks wholesale_price_tiers and the promotion buy limit, in each
// form, and that an order pays what they say.
func TestDSProductWholesaleAndLimits(t *testing.T) {
	for _, form := range WireForms() {
		t.Run(string(form), func(t *testing.T) {
			e := newEnv(t, Options{Wire: form})
			p := e.find("US", "two wholesale tiers", func(p world.Product) bool { return len(p.Variants[0].Tiers) == 2 })
			r := e.dsProduct(p, "US", "EUR")
			if got := str(at(r, "result.has_whole_sale")); got != "true" {
				t.Errorf("has_whole_sale = %s; want true", got)
			}
			v := p.Variants[0]
			sku := skuOf(t, r, v.SKUID)
			tiers, _ := sku["wholesale_price_tiers"].([]any)
			if len(tiers) != 2 {
				t.Fatalf("wholesale_price_tiers = %s; want a bare array of 2 tiers", toJSON(sku["wholesale_price_tiers"]))
			}
			for i, x := range tiers {
				tier := x.(map[string]any)
				shape(t, "tier", tier, map[string]string{"min_quantity": "string", "discount": "string", "wholesale_price": "string"})
				if str(tier["min_quantity"]) != strconv.Itoa(v.Tiers[i].MinQuantity) || str(tier["wholesale_price"]) != money(v.Tiers[i].Price, "EUR") {
					t.Errorf("tier %d = %s; want %d units at %s EUR", i, toJSON(tier), v.Tiers[i].MinQuantity, money(v.Tiers[i].Price, "EUR"))
				}
			}

			lim := e.find("US", "a buy limit", func(p world.Product) bool { return p.Variants[0].BuyLimit > 0 })
			lv := lim.Variants[0]
			sku = skuOf(t, e.dsProduct(lim, "US", ""), lv.SKUID)
			if str(sku["buy_amount_limit_set_by_promotion"]) != strconv.Itoa(lv.BuyLimit) || str(sku["limit_strategy"]) != lv.LimitStrategy {
				t.Errorf("buy limit = %v %v; want %q %s", sku["buy_amount_limit_set_by_promotion"], sku["limit_strategy"], strconv.Itoa(lv.BuyLimit), lv.LimitStrategy)
			}
			if kind(sku["buy_amount_limit_set_by_promotion"]) != "string" {
				t.Errorf("buy_amount_limit_set_by_promotion is %s; want a string, as documented", kind(sku["buy_amount_limit_set_by_promotion"]))
			}
			if skuOf(t, e.dsProduct(p, "US", ""), v.SKUID)["limit_strategy"] != nil && v.BuyLimit == 0 {
				t.Errorf("a product without a buy limit has a limit_strategy")
			}
		})
	}
}

// TestOrderPrices checks that ds.order.create charges the wholesale tier a quantity reaches, and
// keeps the promotion's buy limit.
func TestOrderPrices(t *testing.T) {
	e := newEnv(t, Options{QPS: map[string]int{"aliexpress.ds.order.create": -1}, OrderVisibleAfter: -1})
	placed := func(p world.Product, v world.Variant, count int) (map[string]any, int64) {
		t.Helper()
		service := e.sb.cat.Shipping(p, v.SKUID, "US", count)[0].Code
		r := e.createOrder(orderJSON(t, "", p, v, service, count, nil), "")
		if str(at(r, "result.is_success")) != "true" {
			return r, 0
		}
		id, _ := strconv.ParseInt(str(at(r, "result.order_list.number.0")), 10, 64)
		return r, id
	}
	child := func(id int64) map[string]any {
		t.Helper()
		r := e.ok("aliexpress.trade.ds.order.get", map[string]string{"single_order_query": `{"order_id":` + strconv.FormatInt(id, 10) + `}`})
		return at(r, "result.child_order_list.aeop_child_order_info.0").(map[string]any)
	}

	p := e.find("US", "a wholesale tier", func(p world.Product) bool {
		v := p.Variants[0]
		return len(v.Tiers) > 0 && v.BuyLimit == 0 && v.Stock >= v.Tiers[0].MinQuantity
	})
	v := p.Variants[0]
	n := v.Tiers[0].MinQuantity
	for _, tt := range []struct {
		count int
		unit  int64
	}{{n - 1, v.SalePrice}, {n, v.Tiers[0].Price}} {
		r, id := placed(p, v, tt.count)
		if id == 0 {
			t.Fatalf("ds.order.create(%d units) = %v", tt.count, r)
		}
		c := child(id)
		if got, want := str(at(c, "product_price.amount")), money(tt.unit, "USD"); got != want {
			t.Errorf("%d units of a product with a tier from %d: product_price %s; want %s", tt.count, n, got, want)
		}
		if got, want := str(at(c, "sale_fee.amount")), money(tt.unit*int64(tt.count), "USD"); got != want {
			t.Errorf("%d units: sale_fee %s; want %s", tt.count, got, want)
		}
	}

	for _, strategy := range []string{world.LimitFail, world.LimitNormalPrice} {
		lim := e.find("US", "a "+strategy+" buy limit", func(p world.Product) bool {
			v := p.Variants[0]
			return v.LimitStrategy == strategy && len(v.Tiers) == 0 && v.Stock > v.BuyLimit
		})
		lv := lim.Variants[0]
		r, id := placed(lim, lv, lv.BuyLimit+1)
		switch strategy {
		case world.LimitFail:
			if id != 0 || str(at(r, "result.error_code")) != "A001_ORDER_CANNOT_BE_PLACED" {
				t.Errorf("%d units past a create_order_fail limit of %d = %v; want A001_ORDER_CANNOT_BE_PLACED", lv.BuyLimit+1, lv.BuyLimit, r["result"])
			}
		case world.LimitNormalPrice:
			want := money(lv.SalePrice*int64(lv.BuyLimit)+lv.Price, "USD")
			if id == 0 {
				t.Fatalf("ds.order.create past a back_to_normal_price limit = %v; want success", r)
			}
			if got := str(at(child(id), "sale_fee.amount")); got != want {
				t.Errorf("%d units past a back_to_normal_price limit of %d: sale_fee %s; want %s (the extra unit at the list price)", lv.BuyLimit+1, lv.BuyLimit, got, want)
			}
		}
	}
}
