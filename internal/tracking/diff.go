package tracking

// Kinds of change and of alert; scripts rely on these names.
const (
	KindPriceUp        = "price_up"
	KindPriceDown      = "price_down"
	KindOutOfStock     = "out_of_stock"
	KindLowStock       = "low_stock"
	KindVariantAdded   = "variant_added"
	KindVariantRemoved = "variant_removed"
	KindShipping       = "shipping"
	KindGone           = "gone"
	KindMargin         = "margin"
)

// Change is one difference between two snapshots of a product.
type Change struct {
	Kind     string `json:"kind"`
	SKU      string `json:"sku,omitempty"`
	Old      int64  `json:"old"` // price or stock or days before; 0 when not applicable
	New      int64  `json:"new"`
	Currency string `json:"currency,omitempty"` // when Old and New are money
}

// Diff lists what changed from old to new: every variant's price up or down, stock that reached
// zero or fell, variants added and removed, shipping lost, slower or faster, the product gone
// (or back). Stock changes that stay above zero are reported as low_stock candidates with their
// values; the alert rules decide which matter.
func Diff(old, new Snapshot) []Change {
	var out []Change
	if old.Available && !new.Available {
		return []Change{{Kind: KindGone}}
	}
	for _, nv := range new.Variants {
		ov, ok := old.Variant(nv.SKU)
		if !ok {
			if old.Available {
				out = append(out, Change{Kind: KindVariantAdded, SKU: nv.SKU, New: nv.Price, Currency: new.Currency})
			}
			continue
		}
		switch {
		case nv.Price > ov.Price:
			out = append(out, Change{Kind: KindPriceUp, SKU: nv.SKU, Old: ov.Price, New: nv.Price, Currency: new.Currency})
		case nv.Price < ov.Price:
			out = append(out, Change{Kind: KindPriceDown, SKU: nv.SKU, Old: ov.Price, New: nv.Price, Currency: new.Currency})
		}
		switch {
		case nv.Stock == 0 && ov.Stock != 0:
			out = append(out, Change{Kind: KindOutOfStock, SKU: nv.SKU, Old: int64(ov.Stock), New: 0})
		case nv.Stock > 0 && nv.Stock < ov.Stock || nv.Stock > 0 && ov.Stock < 0:
			out = append(out, Change{Kind: KindLowStock, SKU: nv.SKU, Old: int64(ov.Stock), New: int64(nv.Stock)})
		}
	}
	for _, ov := range old.Variants {
		if _, ok := new.Variant(ov.SKU); !ok && new.Available {
			out = append(out, Change{Kind: KindVariantRemoved, SKU: ov.SKU, Old: ov.Price, Currency: old.Currency})
		}
	}
	switch {
	case old.Shipping != nil && new.Shipping == nil && new.Available:
		out = append(out, Change{Kind: KindShipping, Old: int64(old.Shipping.MaxDays), New: 0})
	case old.Shipping != nil && new.Shipping != nil && old.Shipping.MaxDays != new.Shipping.MaxDays:
		out = append(out, Change{Kind: KindShipping, Old: int64(old.Shipping.MaxDays), New: int64(new.Shipping.MaxDays)})
	}
	return out
}
