package sandbox

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox/internal/world"
)

// Test controls: the clock moved from outside, products given a price, a stock or an absence,
// calls counted per method, the orders held, and faults armed for a number of calls. Each is a Go
// method here; with Options.Control the same are served as JSON under ControlPath (control_http.go).

// controls is the state of the test controls, guarded by Sandbox.mu but for prodMu.
type controls struct {
	prodMu sync.Mutex // serializes the read-modify-write of a product's override over HTTP

	offset time.Duration             // how far the clock was moved from Options.Now / SetNow
	armed  map[string][]*armedFault  // API name -> faults in the order they were armed
	counts map[string]map[string]int // API name -> outcome -> calls
	total  int
}

// --- clock ------------------------------------------------------------------------------------

// Advance moves the Sandbox's clock forward by d and returns the new time. The clock keeps running
// from there (it is shifted, not frozen), so the catalog day, token and code lifetimes, order
// progress and call limits all follow. SetNow undoes it.
func (s *Sandbox) Advance(d time.Duration) time.Time {
	s.mu.Lock()
	s.ctl.offset += d
	now := s.now().Add(s.ctl.offset)
	s.scanHooks(now)
	s.mu.Unlock()
	return now
}

// SetTime moves the Sandbox's clock to t, forward or back; it keeps running from there.
func (s *Sandbox) SetTime(t time.Time) {
	s.mu.Lock()
	s.ctl.offset = t.Sub(s.now())
	s.scanHooks(t)
	s.mu.Unlock()
}

// clock returns the Sandbox's time and how far it was moved from the underlying clock.
func (s *Sandbox) clock() (now time.Time, moved time.Duration) {
	s.mu.Lock()
	base, moved := s.now, s.ctl.offset
	s.mu.Unlock()
	return base().Add(moved), moved
}

// --- products ---------------------------------------------------------------------------------

// ProductOverride gives a product figures of a test's choosing on every day until it is cleared;
// what it leaves unset keeps moving with the day. Every API sees it alike: productdetail.get,
// product.query and the other searches, ds.product.get, freight, and ds.order.create.
type ProductOverride struct {
	// Price is the sale price in USD cents of one unit of every variant; 0 keeps the day's prices.
	// The list price keeps the day's ratio to the sale price, so the discount stays the day's.
	Price int64
	// Stock, when not nil, is the stock of every variant; 0 sells the product out.
	Stock *int
	// Gone makes the product unknown, as a listing that disappeared is: ITEM_ID_NOT_FOUND from
	// ds.product.get, left out of productdetail.get and of searches, refused by ds.order.create.
	Gone bool
}

// ErrUnknownProduct is returned for a product ID that is not in the Sandbox's catalog on any day.
var ErrUnknownProduct = errors.New("sandbox: no such product in the catalog")

// SetProduct puts o on product id, replacing any override it had.
func (s *Sandbox) SetProduct(id int64, o ProductOverride) error {
	if o.Price < 0 {
		return fmt.Errorf("sandbox: product %d: price %d cents is negative", id, o.Price)
	}
	if o.Stock != nil && *o.Stock < 0 {
		return fmt.Errorf("sandbox: product %d: stock %d is negative", id, *o.Stock)
	}
	wo := world.Override{SalePrice: o.Price, Gone: o.Gone}
	if o.Stock != nil {
		wo.Stock, wo.SetStock = *o.Stock, true
	}
	if !s.cat.SetOverride(id, wo) {
		return fmt.Errorf("%w: %d", ErrUnknownProduct, id)
	}
	return nil
}

// Override returns the override of product id, if it has one.
func (s *Sandbox) Override(id int64) (ProductOverride, bool) {
	wo, ok := s.cat.OverrideOf(id)
	if !ok {
		return ProductOverride{}, false
	}
	o := ProductOverride{Price: wo.SalePrice, Gone: wo.Gone}
	if wo.SetStock {
		n := wo.Stock
		o.Stock = &n
	}
	return o, true
}

// ClearProduct removes the override of product id: its figures are the day's again.
func (s *Sandbox) ClearProduct(id int64) { s.cat.ClearOverride(id) }

// --- call counts ------------------------------------------------------------------------------

// CallStats counts the calls that reached the gateway since the Sandbox started (or since
// ResetCallStats), whatever their outcome. Unlike the call log it is never trimmed.
type CallStats struct {
	// Methods counts the calls per API name ("aliexpress.ds.order.create", "/auth/token/create");
	// calls of names the Sandbox does not serve count under UnknownMethod, so that the counts stay
	// small whatever clients send.
	Methods map[string]int
	// Outcomes counts them per API name and outcome: the error code answered ("0" for success,
	// "ApiCallLimit", ...), or the injected fault when there was no answer from the gateway
	// ("http-502", "canceled").
	Outcomes map[string]map[string]int
	Total    int
}

// UnknownMethod is the name CallStats counts calls of unknown or missing API names under.
const UnknownMethod = "(unknown method)"

// CallStats returns the calls counted so far.
func (s *Sandbox) CallStats() CallStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := CallStats{Methods: map[string]int{}, Outcomes: map[string]map[string]int{}, Total: s.ctl.total}
	for m, byCode := range s.ctl.counts {
		st.Outcomes[m] = maps.Clone(byCode)
		for _, n := range byCode {
			st.Methods[m] += n
		}
	}
	return st
}

// ResetCallStats sets the call counts back to zero.
func (s *Sandbox) ResetCallStats() {
	s.mu.Lock()
	s.ctl.counts, s.ctl.total = nil, 0
	s.mu.Unlock()
}

// countLocked counts one call; the caller holds s.mu.
func (s *Sandbox) countLocked(c Call) {
	outcome := c.Code
	if outcome == "" {
		outcome = c.Fault
	}
	if s.ctl.counts == nil {
		s.ctl.counts = map[string]map[string]int{}
	}
	method := c.Method
	if _, ok := s.methods[method]; !ok {
		method = UnknownMethod
	}
	byCode := s.ctl.counts[method]
	if byCode == nil {
		byCode = map[string]int{}
		s.ctl.counts[method] = byCode
	}
	byCode[outcome]++
	s.ctl.total++
}

// --- orders -----------------------------------------------------------------------------------

// OrderRecord is a Dropshipping order the Sandbox holds, as it stands now.
type OrderRecord struct {
	ID              int64
	OutOrderID      string
	User            string // buyer account that placed it
	Status          string // order_status now: PLACE_ORDER_SUCCESS, WAIT_SELLER_SEND_GOODS, FINISH, ...
	LogisticsStatus string
	Created         time.Time
	Paid            bool
	Country         string
	ShopID          int64
	Lines           []OrderLine
	Amount          int64 // USD cents: items and shipping
}

// OrderLine is one product line of an OrderRecord.
type OrderLine struct {
	ProductID int64
	SKUID     string
	SKUAttr   string
	Quantity  int
	Amount    int64 // USD cents for the units, without shipping
	Shipping  int64 // USD cents
}

// Orders lists every Dropshipping order the Sandbox holds, oldest first, with its status now.
func (s *Sandbox) Orders() []OrderRecord {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]OrderRecord, 0, len(s.orders))
	for _, o := range s.orders {
		status, logistics, _ := o.state(now)
		r := OrderRecord{
			ID: o.id, OutOrderID: o.outID, User: o.user, Status: status, LogisticsStatus: logistics,
			Created: o.created, Paid: o.paid, Country: o.country, ShopID: o.shop.ID, Amount: o.total(),
		}
		for _, it := range o.items {
			r.Lines = append(r.Lines, OrderLine{ProductID: it.productID, SKUID: it.skuID, SKUAttr: it.attr,
				Quantity: it.count, Amount: it.amount, Shipping: it.shipping})
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b OrderRecord) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// --- counted faults ---------------------------------------------------------------------------

// FaultKind is a fault CountedFault arms.
type FaultKind string

const (
	// FaultDropAnswer handles the call (an order is made) and closes the connection without an
	// answer.
	FaultDropAnswer FaultKind = "drop-answer"
	// FaultTimeout handles the call and holds the answer for CountedFault.Hold, or until the client
	// gives up, then closes the connection without it.
	FaultTimeout FaultKind = "timeout"
	// Fault5xx answers from the front proxy with 502 Bad Gateway, then 503 Service Unavailable,
	// alternately; the call never reaches the gateway, so nothing is done.
	Fault5xx FaultKind = "5xx"
	// FaultRateLimit answers the platform's ApiCallLimit envelope to a call that passes the other
	// checks; nothing is done.
	FaultRateLimit FaultKind = "rate-limit"
)

// FaultKinds lists every FaultKind.
func FaultKinds() []FaultKind {
	return []FaultKind{FaultDropAnswer, FaultTimeout, Fault5xx, FaultRateLimit}
}

// DefaultFaultHold is how long FaultTimeout holds an answer unless told otherwise: longer than
// the SDK's 20-second attempt timeout and than most clients'. MaxFaultHold bounds it.
const (
	DefaultFaultHold = 2 * time.Minute
	MaxFaultHold     = 10 * time.Minute
)

// CountedFault switches a fault on for the next Times calls of one API, counted as they arrive,
// then off. Unlike Faults it is not drawn at random: a test knows exactly which calls fail.
type CountedFault struct {
	Method string // API name, e.g. "aliexpress.ds.order.create" or "/auth/token/create"
	Fault  FaultKind
	Times  int           // 1 or more; ArmedFaults reports what is left
	Hold   time.Duration // FaultTimeout only; 0 means DefaultFaultHold
}

type armedFault struct {
	CountedFault
	used int
}

// ArmFault arms f. Faults armed for one API apply in the order they were armed; faults for
// different APIs are independent. While an armed fault applies to a call, the random Faults do not.
func (s *Sandbox) ArmFault(f CountedFault) error {
	if _, ok := s.methods[f.Method]; !ok {
		return fmt.Errorf("sandbox: method %q is not an API the sandbox serves", f.Method)
	}
	if !slices.Contains(FaultKinds(), f.Fault) {
		return fmt.Errorf("sandbox: fault %q is not one of %v", f.Fault, FaultKinds())
	}
	if f.Times < 1 {
		return fmt.Errorf("sandbox: times %d: want 1 or more", f.Times)
	}
	if f.Fault != FaultTimeout && f.Hold != 0 {
		return fmt.Errorf("sandbox: hold applies to the timeout fault only")
	}
	if f.Fault == FaultTimeout {
		if f.Hold == 0 {
			f.Hold = DefaultFaultHold
		}
		if f.Hold < 0 || f.Hold > MaxFaultHold {
			return fmt.Errorf("sandbox: hold %s: want more than 0 and at most %s", f.Hold, MaxFaultHold)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctl.armed == nil {
		s.ctl.armed = map[string][]*armedFault{}
	}
	s.ctl.armed[f.Method] = append(s.ctl.armed[f.Method], &armedFault{CountedFault: f})
	return nil
}

// ArmedFaults lists the faults still armed, with the calls left to each in Times.
func (s *Sandbox) ArmedFaults() []CountedFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CountedFault
	for _, m := range slices.Sorted(maps.Keys(s.ctl.armed)) {
		for _, a := range s.ctl.armed[m] {
			out = append(out, a.CountedFault)
		}
	}
	return out
}

// DisarmFaults removes the armed faults of method, or all of them when method is "".
func (s *Sandbox) DisarmFaults(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if method == "" {
		s.ctl.armed = nil
		return
	}
	delete(s.ctl.armed, method)
}

// takeArmedLocked consumes one call of the first fault armed for api; the caller holds s.mu.
func (s *Sandbox) takeArmedLocked(api string) (fault, bool) {
	q := s.ctl.armed[api]
	if len(q) == 0 {
		return fault{}, false
	}
	a := q[0]
	var f fault
	switch a.Fault {
	case FaultDropAnswer:
		f.drop = true
	case FaultTimeout:
		f.hold = a.Hold
	case Fault5xx:
		f.status = []int{http.StatusBadGateway, http.StatusServiceUnavailable}[a.used%2]
	case FaultRateLimit:
		f.limit = true
	}
	a.used++
	if a.Times--; a.Times <= 0 {
		if q = q[1:]; len(q) == 0 {
			delete(s.ctl.armed, api)
		} else {
			s.ctl.armed[api] = q
		}
	}
	return f, true
}
