package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// OrderState is where a supplier order stands.
type OrderState string

// Order states. An order moves new → checked → placing → placed → shipped → delivered; a refusal
// or a check that fails leaves it in needs_attention until the user acts; cancelled is final.
const (
	OrderNew            OrderState = "new"
	OrderChecked        OrderState = "checked"
	OrderPlacing        OrderState = "placing" // the intent is written; the outcome is not known yet
	OrderPlaced         OrderState = "placed"
	OrderNeedsAttention OrderState = "needs_attention"
	OrderShipped        OrderState = "shipped"
	OrderDelivered      OrderState = "delivered"
	OrderCancelled      OrderState = "cancelled"
)

// Valid reports whether s is one of the states.
func (s OrderState) Valid() bool {
	switch s {
	case OrderNew, OrderChecked, OrderPlacing, OrderPlaced, OrderNeedsAttention, OrderShipped, OrderDelivered, OrderCancelled:
		return true
	}
	return false
}

// Open reports whether an order in state s is still followed on AliExpress.
func (s OrderState) Open() bool { return s == OrderPlacing || s == OrderPlaced || s == OrderShipped }

// OrderLine is one line of a store order: the AliExpress product and variant it is bought as.
type OrderLine struct {
	ProductID string `json:"product_id"`
	SKUAttr   string `json:"sku_attr"`
	// SKUID is the AliExpress SKU id when the store knows it rather than SKUAttr (a SKU written
	// by aliscout's exports); the check fills SKUAttr from it.
	SKUID      string        `json:"sku_id,omitempty"`
	Quantity   int           `json:"quantity"`
	StorePrice catalog.Money `json:"store_price"` // what the customer paid for one unit
	Title      string        `json:"title,omitempty"`
	// StoreSKU is the store's SKU of a line aliscout did not export: the user maps it once to an
	// AliExpress product (a VariantMapping); until then ProductID is empty.
	StoreSKU string `json:"store_sku,omitempty"`
	// UnitCost and ShippingCost are what the last check found AliExpress charges now: one unit, and
	// shipping the line's quantity with the chosen method; zero when not known.
	UnitCost     catalog.Money `json:"unit_cost,omitzero"`
	ShippingCost catalog.Money `json:"shipping_cost,omitzero"`
	// DeliveryDays is the longest delivery the chosen shipping method promises, in days; 0 when
	// not known.
	DeliveryDays int `json:"delivery_days,omitempty"`
	// LogisticsService is the shipping method chosen by the last check (ds.freight.query's code).
	LogisticsService string `json:"logistics_service,omitempty"`
}

// OrderAddress is where the customer wants the goods.
type OrderAddress struct {
	FullName     string `json:"full_name"`
	Address      string `json:"address"`
	Address2     string `json:"address2,omitempty"`
	City         string `json:"city"`
	Province     string `json:"province"`
	Zip          string `json:"zip"`
	Country      string `json:"country"`
	Phone        string `json:"phone"`
	PhoneCountry string `json:"phone_country,omitempty"`
	CPF          string `json:"cpf,omitempty"`
	TaxNumber    string `json:"tax_number,omitempty"`
	RutNo        string `json:"rut_no,omitempty"`
	PassportNo   string `json:"passport_no,omitempty"`
	NatAddr      string `json:"nat_addr,omitempty"` // Saudi national short address
	// IsForeigner marks a recipient who is not a local of Country; Israel and Argentina take the
	// tax ID of a local and of a foreigner in different fields.
	IsForeigner bool `json:"is_foreigner,omitempty"`
}

// OrderProblem is one thing that stops an order from being placed, named by its field.
type OrderProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	// Confirm marks a problem the user may accept by confirming the placement (a margin below
	// their floor); the others must be fixed.
	Confirm bool `json:"confirm,omitempty"`
}

// OrderTracking is one parcel of an AliExpress order.
type OrderTracking struct {
	AEOrderID   int64     `json:"ae_order_id"`
	Carrier     string    `json:"carrier"`
	Number      string    `json:"number"`
	LastEvent   string    `json:"last_event,omitempty"`
	LastEventAt time.Time `json:"last_event_at,omitzero"`
}

// OrderFlag is something wrong with an order on its way, as the follower last saw it: no tracking
// number a week after payment, no tracking event for two days, or later than promised.
type OrderFlag struct {
	Kind    string    `json:"kind"`
	Message string    `json:"message"`
	Since   time.Time `json:"since"`
}

// Order report states: the sale behind a paid order is reported to AliExpress once.
const (
	OrderReportPending = "pending" // queued; Error holds the last transient failure, if any
	OrderReportSent    = "sent"
	OrderReportFailed  = "failed" // refused by AliExpress; not sent again
)

// OrderReport is where the report of an order's sale to AliExpress stands.
type OrderReport struct {
	State  string    `json:"state,omitempty"` // "" (not due yet), OrderReportPending, OrderReportSent or OrderReportFailed
	Error  string    `json:"error,omitempty"`
	SentAt time.Time `json:"sent_at,omitzero"`
	// Sent names the parts reported already ("<AliExpress order id>:<product id>:<sku attr>"), so that a retry
	// after a partial failure reports none twice.
	Sent []string `json:"sent,omitempty"`
}

// Order is a store order to buy from AliExpress.
type Order struct {
	ID           int64
	UserID       int64
	Store        string // the store it came from, as the user names it
	StoreOrderID string // unique per user and store
	Lines        []OrderLine
	Address      OrderAddress
	State        OrderState
	Problems     []OrderProblem // from the last check
	// OutOrderID is the idempotency key sent with ds.order.create; IntentAt is when the intent to
	// place was written (before the call), OutcomeAt when its outcome was (after it).
	OutOrderID string
	IntentAt   time.Time
	OutcomeAt  time.Time
	AEOrderIDs []int64 // AliExpress may split one order per seller
	Message    string  // the plain reason it waits for the user, or a note on its placement
	AEStatus   string  // order_status on AliExpress
	Tracking   []OrderTracking
	PaidAt     time.Time
	AmountUSD  int64       // cents, what AliExpress charges, once known
	Flags      []OrderFlag // what the follower found wrong, now
	// Report is the state of the sale's report to AliExpress; only SetOrderReport writes it.
	Report OrderReport
	// NextCheckAt is when the following job looks at it next; zero for never.
	NextCheckAt time.Time
	// Version counts the writes to the order; UpdateOrder writes only over the version it read.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// OrderRetryWindow is how long after the intent an order whose outcome is unknown may be resolved
// by sending it again with the same out_order_id: the platform keeps the key for 24 hours, and an
// hour is kept in hand. After it, the user finds the order on AliExpress and types its numbers in.
const OrderRetryWindow = 23 * time.Hour

// PastRetryWindow reports whether o is being placed with its outcome unknown, and too long ago to
// send again safely (OrderRetryWindow).
func (o *Order) PastRetryWindow(now time.Time) bool {
	return o.State == OrderPlacing && now.Sub(o.IntentAt) > OrderRetryWindow
}

// UserOrderTotal is one user's paid orders in a period.
type UserOrderTotal struct {
	UserID    int64
	Orders    int
	AmountUSD int64 // cents
}

// Orders keeps supplier orders. Every per-user method is scoped by the user.
type Orders interface {
	// CreateOrder stores o (UserID, Store, StoreOrderID, Lines, Address) in state new. When the user
	// has that store order already it is returned unchanged and the bool is false.
	CreateOrder(ctx context.Context, o Order) (Order, bool, error)
	// Order returns one of the user's orders.
	Order(ctx context.Context, userID, id int64) (Order, error)
	// Orders returns the user's orders, newest first.
	Orders(ctx context.Context, userID int64) ([]Order, error)
	// UpdateOrder writes o's Lines, Address, State, Problems, AEOrderIDs, Message, AEStatus, Tracking,
	// PaidAt, AmountUSD, Flags, NextCheckAt and OutcomeAt; the rest stays. o.Version must be the version
	// read: when another write came between, ErrConflict, and the caller reads the order again.
	UpdateOrder(ctx context.Context, o Order) (Order, error)
	// BeginPlacement writes the intent to place: state placing, OutOrderID and IntentAt now. Only
	// from new, checked or needs_attention, and only when no earlier intent waits for its outcome:
	// otherwise ErrConflict, so of two placers one wins and an unknown outcome is never placed over.
	// NextCheckAt becomes recheckAt, so that the following job resolves an intent whose outcome
	// never came (a crash between the two).
	BeginPlacement(ctx context.Context, userID, id int64, outOrderID string, recheckAt time.Time) (Order, error)
	// OrdersDue returns every user's orders in state placing, placed or shipped whose NextCheckAt
	// is set and not after now, the most overdue first, at most limit.
	OrdersDue(ctx context.Context, now time.Time, limit int) ([]Order, error)
	// OrderByAEOrderID returns the order that holds the AliExpress order id, of any user.
	OrderByAEOrderID(ctx context.Context, aeOrderID int64) (Order, error)
	// SetOrderReport writes the report state of one of the user's orders, and nothing else (its
	// Version stays: the report runs beside the follower's writes).
	SetOrderReport(ctx context.Context, userID, id int64, r OrderReport) (Order, error)
	// PaidOrderTotals returns per user the orders paid in [from, to) and their AmountUSD.
	PaidOrderTotals(ctx context.Context, from, to time.Time) ([]UserOrderTotal, error)
}

// CheckOrder checks what CreateOrder needs.
func CheckOrder(o Order) error {
	switch {
	case o.UserID == 0:
		return fmt.Errorf("%w: an order needs a user", ErrInvalid)
	case strings.TrimSpace(o.Store) == "":
		return fmt.Errorf("%w: store is required", ErrInvalid)
	case strings.TrimSpace(o.StoreOrderID) == "":
		return fmt.Errorf("%w: store_order_id is required", ErrInvalid)
	case len(o.Lines) == 0:
		return fmt.Errorf("%w: an order needs at least one line", ErrInvalid)
	}
	for i, l := range o.Lines {
		if l.Quantity < 1 {
			return fmt.Errorf("%w: lines[%d].quantity must be at least 1", ErrInvalid, i)
		}
		if strings.TrimSpace(l.ProductID) == "" && strings.TrimSpace(l.StoreSKU) == "" {
			return fmt.Errorf("%w: lines[%d].product_id is required", ErrInvalid, i)
		}
	}
	return nil
}

// AEOrderIDsText is how the engines keep AliExpress order ids: ",id1,id2," so one is found with
// LIKE '%,id,%'.
func AEOrderIDsText(ids []int64) string {
	if len(ids) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteByte(',')
	for _, id := range ids {
		fmt.Fprintf(&b, "%d,", id)
	}
	return b.String()
}

// ParseAEOrderIDs reads AEOrderIDsText.
func ParseAEOrderIDs(s string) []int64 {
	var out []int64
	for f := range strings.SplitSeq(strings.Trim(s, ","), ",") {
		var id int64
		if _, err := fmt.Sscan(f, &id); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}
