package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// OrderSettings are a user's choices for buying their store's orders from AliExpress.
type OrderSettings struct {
	UserID int64
	// AutoPay asks AliExpress to pay each order at once from the account's saved payment method
	// (try_to_pay); off, orders are created unpaid and the user pays them on AliExpress.
	AutoPay bool
	// MarginFloorPct is the lowest margin, in percent of what the customer paid, at which an order
	// is placed without asking; below it the user must confirm. Negative values allow losses.
	MarginFloorPct float64
	// MaxDeliveryDays is the longest delivery the check accepts when it picks a shipping method; 0
	// for any.
	MaxDeliveryDays int
	UpdatedAt       time.Time
}

// DefaultOrderSettings are a user's settings until they change them.
func DefaultOrderSettings(userID int64) OrderSettings {
	return OrderSettings{UserID: userID, MarginFloorPct: 15}
}

// VariantMapping says which AliExpress product and variant a store's variant (by its SKU) is
// bought as, for store products that aliscout did not export. Set once, it is used for every later
// order of that store.
type VariantMapping struct {
	UserID    int64
	Store     string
	StoreSKU  string
	ProductID string
	SKUAttr   string // "" for a product with one variant
	UpdatedAt time.Time
}

// OrderBatch is one "place all checked orders": the orders it placed, so its progress can be shown.
type OrderBatch struct {
	ID        int64
	UserID    int64
	OrderIDs  []int64
	CreatedAt time.Time
}

// Fulfilment keeps what placing orders needs besides the orders: settings, variant mappings and
// bulk placements. Every method is scoped by the user.
type Fulfilment interface {
	// OrderSettings returns the user's settings, DefaultOrderSettings when they never saved any.
	OrderSettings(ctx context.Context, userID int64) (OrderSettings, error)
	// SaveOrderSettings writes the user's settings.
	SaveOrderSettings(ctx context.Context, s OrderSettings) (OrderSettings, error)
	// SaveVariantMapping writes (or replaces) the mapping of the user's store variant.
	SaveVariantMapping(ctx context.Context, m VariantMapping) (VariantMapping, error)
	// VariantMappings returns the user's mappings for a store, by store SKU.
	VariantMappings(ctx context.Context, userID int64, storeName string) ([]VariantMapping, error)
	// CreateOrderBatch records a bulk placement of the user's orders.
	CreateOrderBatch(ctx context.Context, userID int64, orderIDs []int64) (OrderBatch, error)
	// OrderBatch returns one of the user's bulk placements.
	OrderBatch(ctx context.Context, userID, id int64) (OrderBatch, error)
	// LatestOrderBatch returns the user's newest bulk placement; ErrNotFound when none.
	LatestOrderBatch(ctx context.Context, userID int64) (OrderBatch, error)
}

// Currency is the currency the customer paid in when every line has the same one, else USD.
func (o Order) Currency() string {
	cur := ""
	for _, l := range o.Lines {
		switch {
		case l.StorePrice.Currency == "":
		case cur == "":
			cur = l.StorePrice.Currency
		case cur != l.StorePrice.Currency:
			return "USD"
		}
	}
	if cur == "" {
		return "USD"
	}
	return cur
}

// OrderMargin is what an order earns at today's AliExpress cost.
type OrderMargin struct {
	Paid    catalog.Money // what the customer paid for the lines
	Cost    catalog.Money // what AliExpress charges now: the units and their shipping
	Percent float64       // (Paid - Cost) in percent of Paid
}

// Margin is the order's margin at the cost its last check found; ok is false when it cannot be
// told: a cost not known yet, or in another currency than the one the customer paid in.
func (o Order) Margin() (OrderMargin, bool) {
	cur := o.Currency()
	m := OrderMargin{Paid: catalog.Money{Currency: cur}, Cost: catalog.Money{Currency: cur}}
	for _, l := range o.Lines {
		if l.StorePrice.Currency != cur || l.UnitCost.Currency != cur || (!l.ShippingCost.IsZero() && l.ShippingCost.Currency != cur) {
			return m, false
		}
		m.Paid.Amount += l.StorePrice.Amount * int64(l.Quantity)
		m.Cost.Amount += l.UnitCost.Amount*int64(l.Quantity) + l.ShippingCost.Amount
	}
	if m.Paid.Amount <= 0 {
		return m, false
	}
	m.Percent = float64(m.Paid.Amount-m.Cost.Amount) * 100 / float64(m.Paid.Amount)
	return m, true
}

// CheckVariantMapping checks what SaveVariantMapping needs.
func CheckVariantMapping(m VariantMapping) error {
	switch {
	case m.UserID == 0:
		return fmt.Errorf("%w: a mapping needs a user", ErrInvalid)
	case strings.TrimSpace(m.Store) == "":
		return fmt.Errorf("%w: store is required", ErrInvalid)
	case strings.TrimSpace(m.StoreSKU) == "":
		return fmt.Errorf("%w: store_sku is required", ErrInvalid)
	case strings.TrimSpace(m.ProductID) == "":
		return fmt.Errorf("%w: product_id is required", ErrInvalid)
	}
	return nil
}

// IDsText is how the engines keep a list of ids: "1,2,3".
func IDsText(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%d", id)
	}
	return b.String()
}
