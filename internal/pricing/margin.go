package pricing

import (
	"errors"
	"fmt"

	"github.com/aliscout/aliscout/internal/catalog"
)

// ErrNoShipping is wrapped when a product does not ship to its destination, or not by the
// logistics service asked for.
var ErrNoShipping = errors.New("no shipping to this destination")

// Fees are what selling one order costs besides the goods: the payment processor's cut, the
// marketplace or app cut, and the advertising spent per order.
type Fees struct {
	PaymentPercentBP int   // payment fee as basis points of the selling price: 290 = 2.9 %
	PaymentFixed     Money // payment fee per order, e.g. 0.30 USD
	AdCostPerOrder   Money // advertising cost per order
	OtherPercentBP   int   // any other fee on the selling price (marketplace, app), basis points
}

// Validate reports the first field that is out of range, by name.
func (f Fees) Validate() error {
	switch {
	case f.PaymentPercentBP < 0 || f.PaymentPercentBP > 10000:
		return fmt.Errorf("pricing: fees: PaymentPercentBP %d: want 0 to 10000", f.PaymentPercentBP)
	case f.OtherPercentBP < 0 || f.OtherPercentBP > 10000:
		return fmt.Errorf("pricing: fees: OtherPercentBP %d: want 0 to 10000", f.OtherPercentBP)
	case f.PaymentFixed.Amount < 0:
		return fmt.Errorf("pricing: fees: PaymentFixed %s is negative", f.PaymentFixed)
	case f.AdCostPerOrder.Amount < 0:
		return fmt.Errorf("pricing: fees: AdCostPerOrder %s is negative", f.AdCostPerOrder)
	}
	return nil
}

// LandedCost is what one order costs the dropshipper to put in the customer's hands.
type LandedCost struct {
	Item          Money // the variant's sale price × quantity
	Shipping      Money // the chosen shipping option's fee × quantity; zero when free
	ImportCharges Money // the estimated import charge × quantity when the price does not include it
	Total         Money
}

// Landed returns the landed cost of quantity units of v shipped by ship. AliExpress quotes the
// shipping fee and the import charge per unit (catalog.ShippingOption.Fee,
// catalog.Variant.ImportCharge), so both are multiplied by quantity; a freight quote for the whole
// quantity can be passed as a ShippingOption with quantity 1 instead.
func Landed(v catalog.Variant, ship catalog.ShippingOption, quantity int) (LandedCost, error) {
	if quantity < 1 {
		return LandedCost{}, fmt.Errorf("pricing: landed cost: quantity %d: want at least 1", quantity)
	}
	if v.Price.Amount < 0 || ship.Fee.Amount < 0 || v.ImportCharge.Amount < 0 {
		return LandedCost{}, fmt.Errorf("pricing: landed cost of %s: negative price, fee or import charge", v.SKUID)
	}
	var lc LandedCost
	var err error
	if lc.Item, err = times(v.Price, quantity); err != nil {
		return LandedCost{}, err
	}
	if !ship.Free {
		if lc.Shipping, err = times(ship.Fee, quantity); err != nil {
			return LandedCost{}, err
		}
	}
	if lc.ImportCharges, err = times(v.ImportCharge, quantity); err != nil {
		return LandedCost{}, err
	}
	if lc.Total, err = sum(lc.Item, lc.Shipping, lc.ImportCharges); err != nil {
		return LandedCost{}, fmt.Errorf("pricing: landed cost of %s: %w", v.SKUID, err)
	}
	// Give the zero parts the total's currency so that they print alike.
	for _, m := range []*Money{&lc.Item, &lc.Shipping, &lc.ImportCharges} {
		if m.IsZero() {
			m.Currency = lc.Total.Currency
		}
	}
	return lc, nil
}

// Result is the economics of one order at one selling price. Profit and the ratios are negative
// when the order loses money.
type Result struct {
	Revenue  Money // the selling price
	Fees     Money // payment, other-percent and advertising fees for the order
	Cost     Money // the landed cost
	Profit   Money // Revenue - Fees - Cost
	MarginBP int   // Profit / Revenue in basis points; 0 when Revenue is 0
	ROIBP    int   // Profit / Cost in basis points; 0 when Cost is 0
}

// Margin returns the profit of selling at sellPrice an order that costs landed. The percentage
// fees are taken on the selling price, each rounded on its own (as a processor charges them).
func Margin(sellPrice Money, landed LandedCost, fees Fees) (Result, error) {
	if err := fees.Validate(); err != nil {
		return Result{}, err
	}
	if sellPrice.Amount < 0 {
		return Result{}, fmt.Errorf("pricing: selling price %s is negative", sellPrice)
	}
	payment, err := percent(sellPrice, fees.PaymentPercentBP)
	if err != nil {
		return Result{}, err
	}
	other, err := percent(sellPrice, fees.OtherPercentBP)
	if err != nil {
		return Result{}, err
	}
	totalFees, err := sum(payment, other, fees.PaymentFixed, fees.AdCostPerOrder)
	if err != nil {
		return Result{}, fmt.Errorf("pricing: fees: %w", err)
	}
	if _, err := sameCurrency(sellPrice, totalFees); err != nil {
		return Result{}, fmt.Errorf("pricing: selling price and fees: %w", err)
	}
	profit, err := sub(sellPrice, totalFees)
	if err == nil {
		profit, err = sub(profit, landed.Total)
	}
	if err != nil {
		return Result{}, fmt.Errorf("pricing: selling price and landed cost: %w", err)
	}
	cur := profit.Currency
	r := Result{
		Revenue:  Money{Amount: sellPrice.Amount, Currency: cur},
		Fees:     Money{Amount: totalFees.Amount, Currency: cur},
		Cost:     Money{Amount: landed.Total.Amount, Currency: cur},
		Profit:   profit,
		MarginBP: ratioBP(profit.Amount, sellPrice.Amount),
		ROIBP:    ratioBP(profit.Amount, landed.Total.Amount),
	}
	return r, nil
}

// Quote says how to price a product for ForProduct.
type Quote struct {
	// Rule prices each variant from its cost (item price, or landed cost with
	// Rule.IncludeShipping). When nil, every variant sells at SellPrice.
	Rule      *Rule
	SellPrice Money
	Fees      Fees
	// Ship chooses the shipping method of each variant (catalog.ShipRule); the zero rule is
	// catalog.DefaultShipRule, the cheapest tracked method.
	Ship     catalog.ShipRule
	Quantity int // units per order; 0 means 1
}

// VariantResult is one variant's landed cost, store prices and margin.
type VariantResult struct {
	SKUID     string
	Landed    LandedCost
	Price     Money // the selling price
	CompareAt Money // zero when the rule sets none
	Result
}

// Range is the lowest and highest of some amount across a product's variants.
type Range struct {
	Min, Max Money
}

// BPRange is the lowest and highest of some ratio across a product's variants, in basis points.
type BPRange struct {
	Min, Max int
}

// ProductResult is the pricing of every variant of one product shipped to p.ShipTo.
type ProductResult struct {
	ProductID int64
	ShipTo    string
	Shipping  catalog.ShippingOption // the option every variant ships by
	Variants  []VariantResult        // in the product's order
	Price     Range
	Profit    Range
	Margin    BPRange
	ROI       BPRange
}

// ForProduct prices every variant of p shipped to p.ShipTo. It fails with ErrNoShipping when p has
// no shipping option there, or none that q.Ship accepts.
func ForProduct(p *catalog.Product, q Quote) (ProductResult, error) {
	if len(p.Variants) == 0 {
		return ProductResult{}, fmt.Errorf("pricing: product %d has no variants", p.ID)
	}
	if q.Rule == nil && q.SellPrice.Amount <= 0 {
		return ProductResult{}, fmt.Errorf("pricing: product %d: want a rule or a positive selling price", p.ID)
	}
	if q.Rule != nil {
		if err := q.Rule.Validate(); err != nil {
			return ProductResult{}, err
		}
	}
	qty := q.Quantity
	if qty == 0 {
		qty = 1
	}
	ship, err := chooseShipping(p, p.Shipping, q.Ship)
	if err != nil {
		return ProductResult{}, err
	}
	out := ProductResult{ProductID: p.ID, ShipTo: p.ShipTo, Shipping: ship, Variants: make([]VariantResult, 0, len(p.Variants))}
	for i := range p.Variants {
		v := &p.Variants[i]
		vship := ship
		if v.Shipping != nil {
			// The variant ships from its own warehouse, by its own options.
			if vship, err = chooseShipping(p, v.Shipping, q.Ship); err != nil {
				return ProductResult{}, fmt.Errorf("pricing: variant %s: %w", v.SKUID, err)
			}
		}
		vr, err := priceVariant(v, vship, qty, q)
		if err != nil {
			return ProductResult{}, fmt.Errorf("pricing: product %d variant %s: %w", p.ID, v.SKUID, err)
		}
		out.Variants = append(out.Variants, vr)
		if i == 0 {
			out.Price = Range{vr.Price, vr.Price}
			out.Profit = Range{vr.Profit, vr.Profit}
			out.Margin = BPRange{vr.MarginBP, vr.MarginBP}
			out.ROI = BPRange{vr.ROIBP, vr.ROIBP}
			continue
		}
		out.Price.widen(vr.Price)
		out.Profit.widen(vr.Profit)
		out.Margin.widen(vr.MarginBP)
		out.ROI.widen(vr.ROIBP)
	}
	return out, nil
}

func chooseShipping(p *catalog.Product, options []catalog.ShippingOption, rule catalog.ShipRule) (catalog.ShippingOption, error) {
	o, ok := rule.Choose(options)
	if !ok {
		if len(options) == 0 {
			return o, fmt.Errorf("pricing: product %d to %s: %w", p.ID, name(p.ShipTo), ErrNoShipping)
		}
		return o, fmt.Errorf("pricing: product %d to %s by %s: %w", p.ID, name(p.ShipTo), rule.Label(), ErrNoShipping)
	}
	return o, nil
}

func priceVariant(v *catalog.Variant, ship catalog.ShippingOption, qty int, q Quote) (VariantResult, error) {
	lc, err := Landed(*v, ship, qty)
	if err != nil {
		return VariantResult{}, err
	}
	vr := VariantResult{SKUID: v.SKUID, Landed: lc, Price: q.SellPrice}
	if q.Rule != nil {
		cost := lc.Item
		if q.Rule.IncludeShipping {
			cost = lc.Total
		}
		if vr.Price, vr.CompareAt, err = q.Rule.Apply(cost); err != nil {
			return VariantResult{}, err
		}
	}
	if vr.Result, err = Margin(vr.Price, lc, q.Fees); err != nil {
		return VariantResult{}, err
	}
	return vr, nil
}

func (r *Range) widen(m Money) {
	if m.Amount < r.Min.Amount {
		r.Min = m
	}
	if m.Amount > r.Max.Amount {
		r.Max = m
	}
}

func (r *BPRange) widen(v int) {
	r.Min = min(r.Min, v)
	r.Max = max(r.Max, v)
}
