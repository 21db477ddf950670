// Package orders buys a store's orders from AliExpress with the user's connected account: it
// checks an order before anything is spent (pre-flight: the address against the platform's
// country rules, the variant and its stock, shipping to the country), places it exactly once, and
// follows it to delivery.
//
// Exactly once. Every order has an out_order_id derived from (user, store, store order id), which
// the platform keeps as an idempotency key for 24 hours: a second ds.order.create with it is
// refused with REPEATED_ORDER_ERROR. The intent (state placing, the out_order_id) is written to
// the store before the call and the outcome after it. When the outcome is unknown (a timeout, a
// lost answer, a 5xx) or an intent without an outcome is found after a restart, Resolve asks the
// platform by sending the same order again with the same out_order_id: either it is placed now
// (the first attempt never arrived) or the platform refuses it as a repeat, which proves the first
// one exists. The order ids are then read from the refusal; the following job reads each with
// trade.ds.order.get.
//
// What the real platform may do differently: its REPEATED_ORDER_ERROR message is not documented to
// name the orders (the Sandbox's does), and no documented method finds an order by out_order_id.
// When the refusal names none, the order is recorded as placed with its AliExpress number unknown
// and a message asking the user to find it in their AliExpress orders: it is never placed again.
// After 24 hours the key no longer protects a retry, so an intent older than
// store.OrderRetryWindow is never sent again; it waits for the user.
package orders

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// Platform calls AliExpress with one of the user's connected accounts (connect.Service does it
// with the default account).
type Platform interface {
	Do(ctx context.Context, userID int64, fn func(ctx context.Context, c *aliexpress.Client) error) error
}

// Config is what New needs.
type Config struct {
	Store    store.Store
	Platform Platform
	// Notifier delivers the alerts of orders' flags; nil keeps them in the inbox alone.
	Notifier Notifier
	// Reports queues the report of a paid order's sale; nil reports it in the follower's run.
	Reports ReportQueue
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger     // default slog.Default()
}

// Service checks, places and follows orders.
type Service struct {
	cfg       Config
	provinces provinces
}

// ResolveAfter is when the following job looks at an intent whose outcome was never written (the
// process died during the call): well after any call in flight has ended. Were the call still in
// flight, the platform would refuse the repeat anyway.
const ResolveAfter = 5 * time.Minute

// Errors of the service; test with errors.Is.
var (
	// ErrProblems: the order has problems to fix before it can be placed; see *ProblemsError.
	ErrProblems = errors.New("orders: the order has problems to fix before it can be placed")
	// ErrNotPlaceable: the order is being placed, was placed or is closed.
	ErrNotPlaceable = errors.New("orders: this order is being placed or was placed already")
)

// ProblemsError lists what stops an order from being placed.
type ProblemsError struct{ Problems []Problem }

func (e *ProblemsError) Error() string {
	return fmt.Sprintf("orders: %d problem(s) to fix before placing: %s: %s", len(e.Problems), e.Problems[0].Field, e.Problems[0].Message)
}

// Is makes a *ProblemsError an ErrProblems.
func (e *ProblemsError) Is(target error) bool { return target == ErrProblems }

// New returns a service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}
}

// OutOrderID is the out_order_id of a store order: the same for every attempt, different for
// every user, store and store order.
func OutOrderID(userID int64, storeName, storeOrderID string) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%d\x00%s\x00%s", userID, strings.TrimSpace(storeName), strings.TrimSpace(storeOrderID)))
	return "as" + hex.EncodeToString(h[:12])
}

// Create stores a store order; a repeat of one the user has returns it with created false. Lines
// known only by their store SKU take the product and variant the user mapped that SKU to.
func (s *Service) Create(ctx context.Context, o store.Order) (store.Order, bool, error) {
	for i := range o.Lines {
		o.Lines[i].ProductID = strings.TrimSpace(o.Lines[i].ProductID)
		o.Lines[i].SKUAttr = strings.TrimSpace(o.Lines[i].SKUAttr)
		o.Lines[i].StoreSKU = strings.TrimSpace(o.Lines[i].StoreSKU)
	}
	o.Address.Country = strings.ToUpper(strings.TrimSpace(o.Address.Country))
	if _, err := s.applyMappings(ctx, &o); err != nil {
		return store.Order{}, false, err
	}
	return s.cfg.Store.CreateOrder(ctx, o)
}

// applyMappings fills the product and variant of the lines known only by their store SKU from the
// user's mappings for the order's store, and reports whether it changed any.
func (s *Service) applyMappings(ctx context.Context, o *store.Order) (bool, error) {
	var todo []int
	for i, l := range o.Lines {
		if l.ProductID == "" && l.StoreSKU != "" {
			todo = append(todo, i)
		}
	}
	if len(todo) == 0 {
		return false, nil
	}
	ms, err := s.cfg.Store.VariantMappings(ctx, o.UserID, o.Store)
	if err != nil {
		return false, err
	}
	bySKU := map[string]store.VariantMapping{}
	for _, m := range ms {
		bySKU[m.StoreSKU] = m
	}
	changed := false
	for _, i := range todo {
		if m, ok := bySKU[o.Lines[i].StoreSKU]; ok {
			o.Lines[i].ProductID, o.Lines[i].SKUAttr, o.Lines[i].SKUID = m.ProductID, m.SKUAttr, ""
			changed = true
		}
	}
	return changed, nil
}

// Check runs the pre-flight: the address rules, then through the user's account the province where
// the platform checks it against its own list, and for every line the variant, its stock and
// shipping to the country. It records the problems and the cheapest shipping method of each line,
// and moves a new or checked order to checked (no problems) or needs_attention.
func (s *Service) Check(ctx context.Context, userID, id int64) (store.Order, error) {
	o, err := s.cfg.Store.Order(ctx, userID, id)
	if err != nil {
		return store.Order{}, err
	}
	settings, err := s.cfg.Store.OrderSettings(ctx, userID)
	if err != nil {
		return store.Order{}, err
	}
	if _, err := s.applyMappings(ctx, &o); err != nil {
		return store.Order{}, err
	}
	ps := CheckAddress(o.Address)
	for i, l := range o.Lines {
		if l.ProductID == "" && l.StoreSKU != "" {
			ps = append(ps, Problem{Field: fmt.Sprintf("lines[%d].product_id", i), Message: fmt.Sprintf(
				"Store item %q (SKU %s) is not matched to an AliExpress product yet: choose its product and variant once, and aliscout remembers it for %s",
				l.Title, l.StoreSKU, o.Store)})
			continue
		}
		if _, err := strconv.ParseInt(l.ProductID, 10, 64); err != nil {
			ps = append(ps, Problem{Field: fmt.Sprintf("lines[%d].product_id", i), Message: "The AliExpress product id must be a number"})
		}
	}
	if len(ps) == 0 {
		lps, err := s.checkLines(ctx, &o, settings)
		if err != nil {
			return store.Order{}, err
		}
		ps = append(ps, lps...)
	}
	if len(ps) == 0 {
		if p := MarginProblem(o, settings.MarginFloorPct); p != nil {
			ps = append(ps, *p)
		}
	}
	o.Problems = ps
	if o.State != store.OrderNew && o.State != store.OrderChecked && o.State != store.OrderNeedsAttention {
		return o, nil // being placed or placed: the check is shown, not kept
	}
	o.State = store.OrderChecked
	if len(ps) > 0 {
		o.State = store.OrderNeedsAttention
	} else if o.IntentAt.IsZero() || !o.OutcomeAt.IsZero() {
		o.Message = ""
	}
	return s.save(ctx, o)
}

// save writes o; when another write came since o was read, that one stands and the order as it is
// now is returned.
func (s *Service) save(ctx context.Context, o store.Order) (store.Order, error) {
	got, err := s.cfg.Store.UpdateOrder(ctx, o)
	if errors.Is(err, store.ErrConflict) {
		return s.cfg.Store.Order(ctx, o.UserID, o.ID)
	}
	return got, err
}

// checkLines asks the platform about every line: the variant exists and has the quantity, and
// something ships it to the country within the user's longest delivery. It sets each line's
// shipping method (the one chosen before while it still qualifies, else the cheapest) and what
// the unit and the shipping cost now, in the store's currency when every line has the same one.
func (s *Service) checkLines(ctx context.Context, o *store.Order, settings store.OrderSettings) ([]Problem, error) {
	var ps []Problem
	country := o.Address.Country
	currency := o.Currency()
	err := s.cfg.Platform.Do(ctx, o.UserID, func(ctx context.Context, c *aliexpress.Client) error {
		ps = nil
		p, err := s.checkProvince(ctx, c, o.Address)
		if err != nil {
			return err
		}
		if p != nil {
			ps = append(ps, *p)
		}
		for i := range o.Lines {
			l := &o.Lines[i]
			field := fmt.Sprintf("lines[%d]", i)
			pid, _ := strconv.ParseInt(l.ProductID, 10, 64)
			p, _, err := c.DS.Product(ctx, pid, &aliexpress.DSProductOptions{ShipTo: country, Currency: currency})
			if errors.Is(err, aliexpress.ErrItemNotFound) || errors.Is(err, aliexpress.ErrNoResults) {
				ps = append(ps, Problem{Field: field + ".product_id", Message: fmt.Sprintf("AliExpress has no product %s", l.ProductID)})
				continue
			}
			if errors.Is(err, aliexpress.ErrNotAllowedToCountry) {
				ps = append(ps, Problem{Field: field + ".product_id", Message: fmt.Sprintf("AliExpress does not sell product %s to %s", l.ProductID, country)})
				continue
			}
			if err != nil {
				return err
			}
			var v *aliexpress.DSVariant
			for j := range p.Variants {
				if (l.SKUID != "" && p.Variants[j].SKUID == l.SKUID) || (l.SKUID == "" && sameAttr(p.Variants[j].Attr, l.SKUAttr)) ||
					(l.SKUID == "" && l.SKUAttr == "" && len(p.Variants) == 1) {
					v = &p.Variants[j]
					break
				}
			}
			if v == nil {
				ps = append(ps, Problem{Field: field + ".sku_attr", Message: fmt.Sprintf("Product %s has no variant %q; choose one of its variants", l.ProductID, l.SKUAttr+l.SKUID)})
				continue
			}
			l.SKUAttr = v.Attr
			if v.Stock < l.Quantity {
				ps = append(ps, Problem{Field: field + ".quantity", Message: fmt.Sprintf("Only %d in stock of this variant; the order needs %d", v.Stock, l.Quantity)})
				continue
			}
			unit := v.SalePrice
			if unit.Amount == 0 {
				unit = v.Price
			}
			if v.BulkMin > 0 && l.Quantity >= v.BulkMin && v.BulkPrice.Amount > 0 {
				unit = v.BulkPrice
			}
			l.UnitCost = catalog.Money{Amount: unit.Amount, Currency: unit.Currency}
			opts, _, err := c.DS.Freight(ctx, &aliexpress.FreightQuery{ProductID: pid, SKUID: v.SKUID, Quantity: l.Quantity, ShipTo: country, Currency: currency})
			if err != nil && !errors.Is(err, aliexpress.ErrDeliveryUnavailable) && !errors.Is(err, aliexpress.ErrNotAllowedToCountry) {
				return err
			}
			if len(opts) == 0 {
				ps = append(ps, Problem{Field: field, Message: fmt.Sprintf("This product does not ship to %s", country)})
				continue
			}
			best, ok := chooseShipping(opts, l.LogisticsService, settings.MaxDeliveryDays, aliexpress.Money{Amount: unit.Amount * int64(l.Quantity), Currency: unit.Currency})
			if !ok {
				fastest := opts[0].MaxDays
				for _, op := range opts[1:] {
					fastest = min(fastest, op.MaxDays)
				}
				ps = append(ps, Problem{Field: field + ".logistics_service", Message: fmt.Sprintf(
					"No shipping method to %s arrives within your limit of %d days (the fastest takes up to %d): raise the limit in your order settings",
					country, settings.MaxDeliveryDays, fastest)})
				continue
			}
			fee := best.FeeFor(aliexpress.Money{Amount: unit.Amount * int64(l.Quantity), Currency: unit.Currency})
			l.LogisticsService, l.DeliveryDays = best.Code, best.MaxDays
			l.ShippingCost = catalog.Money{Amount: fee.Amount, Currency: fee.Currency}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("orders: checking with AliExpress: %w", err)
	}
	return ps, nil
}

// chooseShipping picks the shipping method of a line: the one chosen before while it arrives within
// maxDays (0: any), else the cheapest that does; ok is false when none does.
func chooseShipping(opts []aliexpress.DeliveryOption, chosen string, maxDays int, amount aliexpress.Money) (aliexpress.DeliveryOption, bool) {
	var best aliexpress.DeliveryOption
	found := false
	for _, op := range opts {
		if maxDays > 0 && (op.MaxDays <= 0 || op.MaxDays > maxDays) {
			continue
		}
		if chosen != "" && op.Code == chosen {
			return op, true
		}
		if !found || op.FeeFor(amount).Amount < best.FeeFor(amount).Amount {
			best, found = op, true
		}
	}
	return best, found
}

// MarginProblem is the problem of an order whose margin at today's cost is below the user's floor:
// one the user may accept by confirming. nil when the margin is at or above it, or not known.
func MarginProblem(o store.Order, floorPct float64) *Problem {
	m, ok := o.Margin()
	if !ok || m.Percent >= floorPct {
		return nil
	}
	return &Problem{Field: "margin", Confirm: true, Message: fmt.Sprintf(
		"The margin is %.1f%%: the customer paid %s and AliExpress charges %s now with shipping, below your floor of %g%%. Confirm to place it anyway, or change the floor in your order settings",
		m.Percent, m.Paid, m.Cost, floorPct)}
}

// sameAttr compares sku_attr strings by their property:value pairs ("14:175#Black" is "14:175").
func sameAttr(a, b string) bool { return attrKey(a) == attrKey(b) }

func attrKey(attr string) string {
	var parts []string
	for p := range strings.SplitSeq(strings.TrimSpace(attr), ";") {
		p, _, _ = strings.Cut(p, "#")
		if p = strings.TrimSpace(p); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ";")
}

// Place checks the order and places it once. It answers a *ProblemsError when the check finds
// problems, ErrNotPlaceable when it is placing or placed. A refusal by the platform is no error:
// the order comes back in needs_attention with the plain reason in Message. An unknown outcome
// leaves it in placing, to be resolved by Resolve (the following job does it).
//
// confirm accepts the problems the user may accept (Problem.Confirm: a margin below the floor).
func (s *Service) Place(ctx context.Context, userID, id int64, confirm bool) (store.Order, error) {
	o, err := s.cfg.Store.Order(ctx, userID, id)
	if err != nil {
		return store.Order{}, err
	}
	if o.State == store.OrderPlacing {
		return s.Resolve(ctx, userID, id)
	}
	if o.State != store.OrderNew && o.State != store.OrderChecked && o.State != store.OrderNeedsAttention {
		return o, ErrNotPlaceable
	}
	if o, err = s.Check(ctx, userID, id); err != nil {
		return store.Order{}, err
	}
	if ps := blocking(o.Problems, confirm); len(ps) > 0 {
		return o, &ProblemsError{Problems: ps}
	}
	o, err = s.cfg.Store.BeginPlacement(ctx, userID, id, OutOrderID(userID, o.Store, o.StoreOrderID), s.cfg.Now().Add(ResolveAfter))
	if errors.Is(err, store.ErrConflict) {
		return o, ErrNotPlaceable
	}
	if err != nil {
		return store.Order{}, err
	}
	return s.send(ctx, o)
}

// blocking returns the problems that stop a placement: all of them, or with confirm those the user
// may not accept.
func blocking(ps []Problem, confirm bool) []Problem {
	var out []Problem
	for _, p := range ps {
		if !confirm || !p.Confirm {
			out = append(out, p)
		}
	}
	return out
}

// Resolve settles an order whose intent has no outcome yet, by asking the platform (see the
// package doc). Other orders are returned as they are.
func (s *Service) Resolve(ctx context.Context, userID, id int64) (store.Order, error) {
	o, err := s.cfg.Store.Order(ctx, userID, id)
	if err != nil {
		return store.Order{}, err
	}
	if o.State != store.OrderPlacing {
		return o, nil
	}
	if o.PastRetryWindow(s.cfg.Now()) {
		o.Message = "AliExpress never confirmed this order and it is too late to ask it safely: check your AliExpress orders for " +
			o.OutOrderID + " before placing it by hand"
		o.NextCheckAt = time.Time{}
		return s.save(ctx, o)
	}
	return s.send(ctx, o)
}

// request is the ds.order.create request of an order: every line in one request (the platform
// splits it per seller and answers an order id each), lines of the same variant and shipping
// method merged into one item.
func request(o store.Order, autoPay bool) *aliexpress.OrderRequest {
	req := &aliexpress.OrderRequest{OutOrderID: o.OutOrderID, Address: shipping(o.Address), NatAddr: strings.ToUpper(strings.TrimSpace(o.Address.NatAddr)),
		PayCurrency: "USD", TryToPay: autoPay}
	at := map[string]int{}
	for _, l := range o.Lines {
		pid, _ := strconv.ParseInt(l.ProductID, 10, 64)
		key := fmt.Sprintf("%d\x00%s\x00%s", pid, attrKey(l.SKUAttr), l.LogisticsService)
		if i, ok := at[key]; ok {
			req.Items[i].Quantity += l.Quantity
			continue
		}
		at[key] = len(req.Items)
		req.Items = append(req.Items, aliexpress.OrderItem{ProductID: pid, Quantity: l.Quantity, SKUAttr: l.SKUAttr, LogisticsService: l.LogisticsService})
	}
	return req
}

// DryRun is what placing an order would send, without sending it.
type DryRun struct {
	Order    store.Order
	Method   string
	Params   map[string]string // the business parameters; never a credential (see aliexpress.CreateOrderParams)
	AutoPay  bool
	Problems []Problem // what would stop the placement now
}

// DryRun checks the order and returns the request placing it would send; nothing is placed.
func (s *Service) DryRun(ctx context.Context, userID, id int64) (DryRun, error) {
	o, err := s.Check(ctx, userID, id)
	if err != nil {
		return DryRun{}, err
	}
	settings, err := s.cfg.Store.OrderSettings(ctx, userID)
	if err != nil {
		return DryRun{}, err
	}
	if o.OutOrderID == "" {
		o.OutOrderID = OutOrderID(userID, o.Store, o.StoreOrderID)
	}
	d := DryRun{Order: o, Method: "aliexpress.ds.order.create", AutoPay: settings.AutoPay, Problems: o.Problems}
	if d.Params, err = aliexpress.CreateOrderParams(request(o, settings.AutoPay)); err != nil {
		var e *aliexpress.Error
		if errors.As(err, &e) {
			d.Problems = append(d.Problems, Problem{Field: "order", Message: e.Message})
			return d, nil
		}
		return DryRun{}, err
	}
	return d, nil
}

// send calls ds.order.create for an order whose intent is written, and writes the outcome.
func (s *Service) send(ctx context.Context, o store.Order) (store.Order, error) {
	settings, err := s.cfg.Store.OrderSettings(ctx, o.UserID)
	if err != nil {
		return store.Order{}, err
	}
	req := request(o, settings.AutoPay)
	var res *aliexpress.OrderResult
	var ids []int64
	err = s.cfg.Platform.Do(ctx, o.UserID, func(ctx context.Context, c *aliexpress.Client) error {
		var err error
		res, _, err = c.DS.CreateOrder(ctx, req)
		if errors.Is(err, aliexpress.ErrDuplicateOrder) {
			ids = findOrders(err)
		}
		return err
	})
	now := s.cfg.Now()
	outcome := func(o *store.Order) {
		s.outcome(o, now, req.TryToPay, res, ids, err)
	}
	for range 5 {
		next := o
		outcome(&next)
		got, uerr := s.cfg.Store.UpdateOrder(ctx, next)
		if !errors.Is(uerr, store.ErrConflict) {
			return got, uerr
		}
		// Another write came between (a check, a poke, another resolver): the outcome goes on top
		// of it, unless another resolver recorded one already.
		if o, uerr = s.cfg.Store.Order(ctx, o.UserID, o.ID); uerr != nil {
			return store.Order{}, uerr
		}
		if o.State != store.OrderPlacing {
			return o, nil
		}
	}
	return o, fmt.Errorf("orders: order %d: could not record the placement's outcome; it will be asked again", o.ID)
}

// outcome writes into o what ds.order.create answered.
func (s *Service) outcome(o *store.Order, now time.Time, tryToPay bool, res *aliexpress.OrderResult, ids []int64, err error) {
	switch {
	case err == nil:
		o.State, o.AEOrderIDs, o.OutcomeAt, o.Message = store.OrderPlaced, res.OrderIDs, now, ""
		if res.Message != "" {
			o.Message = "Placed, but AliExpress could not pay it: pay it on AliExpress (" + res.Message + ")"
		} else if !tryToPay {
			o.Message = "Placed unpaid: pay it on AliExpress"
		}
		o.NextCheckAt = now.Add(time.Minute)
	case errors.Is(err, aliexpress.ErrDuplicateOrder):
		o.State, o.AEOrderIDs, o.OutcomeAt = store.OrderPlaced, ids, now
		o.Message = "AliExpress had placed this order already (" + o.OutOrderID + ")"
		if len(ids) == 0 {
			o.Message = "AliExpress has this order (" + o.OutOrderID + ") but did not tell its number: find it in your AliExpress orders"
		}
		o.NextCheckAt = now.Add(time.Minute)
	case errors.Is(err, aliexpress.ErrOrderRejected):
		o.State, o.OutcomeAt, o.Message = store.OrderNeedsAttention, now, RefusalMessage(err)
		o.NextCheckAt = time.Time{}
	case errors.Is(err, aliexpress.ErrInvalidParameter):
		// Refused before or at the gateway for a parameter: no order was made.
		var e *aliexpress.Error
		msg := err.Error()
		if errors.As(err, &e) {
			msg = e.Message
		}
		o.State, o.OutcomeAt, o.NextCheckAt = store.OrderNeedsAttention, now, time.Time{}
		o.Message = "The order was not sent: " + msg + ". Fix it and place the order again."
	default:
		// The outcome is unknown: the order stays placing, and the following job asks again.
		s.cfg.Logger.Warn("order placement outcome unknown", "order_id", o.ID, "err", err)
		o.Message = "AliExpress did not answer when the order was sent; aliscout is asking it whether the order was made"
		o.NextCheckAt = now.Add(time.Minute)
	}
}

var orderNumbers = regexp.MustCompile(`\b\d{8,19}\b`)

// findOrders reads the orders an out_order_id made from the platform's REPEATED_ORDER_ERROR: the
// refusal answers this account's own out_order_id, so the orders it names are this account's. They
// are not read back at once (the platform shows an order ~10 s after it is made); the following
// job reads each with trade.ds.order.get.
func findOrders(refusal error) []int64 {
	var e *aliexpress.Error
	if !errors.As(refusal, &e) {
		return nil
	}
	var ids []int64
	for _, m := range orderNumbers.FindAllString(e.Message, -1) {
		if id, err := strconv.ParseInt(m, 10, 64); err == nil && id > 0 {
			ids = append(ids, id)
		}
	}
	return ids
}

func shipping(a store.OrderAddress) aliexpress.ShippingAddress {
	s := aliexpress.ShippingAddress{
		FullName: a.FullName, ContactPerson: a.FullName, Address: a.Address, Address2: a.Address2, City: a.City,
		Province: a.Province, Country: a.Country, Zip: a.Zip, MobileNo: digits(a.Phone), PhoneCountry: phoneCountry(a.PhoneCountry),
		CPF: digits(a.CPF), TaxNumber: a.TaxNumber, RutNo: a.RutNo, PassportNo: a.PassportNo, IsForeigner: a.IsForeigner,
	}
	// Israel and Argentina take the tax ID in passport_no for a local recipient and in
	// foreigner_passport_no for a foreigner, written their way (DS changelog, Aug 2025).
	switch country := strings.ToUpper(strings.TrimSpace(a.Country)); country {
	case "IL", "AR":
		id, ok := taxID(country, a.TaxNumber)
		if !ok {
			id = strings.TrimSpace(a.TaxNumber) // the check names it; a dry run shows what was typed
		}
		s.TaxNumber = ""
		if a.IsForeigner {
			s.ForeignerPassportNo = id
		} else {
			s.PassportNo = id
		}
	}
	return s
}

// phoneCountry writes a phone country code the way the platform takes it ("+972"), whatever the
// user typed around its digits ("972", "(+972)", "+972 ").
func phoneCountry(typed string) string {
	if d := digits(typed); d != "" {
		return "+" + d
	}
	return ""
}

// RefusalMessage says in plain words why the platform refused an order.
func RefusalMessage(err error) string {
	var e *aliexpress.Error
	code, msg := "", ""
	if errors.As(err, &e) {
		code, msg = e.Code, e.Message
	}
	switch {
	case strings.Contains(code, "ADDRESS"):
		return "AliExpress refused the address: " + msg + ". Fix the address and place the order again."
	case code == "INVENTORY_HOLD_ERROR" || strings.Contains(code, "STOCK"):
		return "Not enough stock on AliExpress now: " + msg
	case strings.Contains(code, "SKU"):
		return "AliExpress does not know this variant any more: choose another one (" + msg + ")"
	case strings.Contains(code, "DELIVERY") || strings.Contains(code, "LOGISTIC") || code == "A002_INVALID_ZONE":
		return "This product cannot be delivered there with that shipping method: " + msg
	case strings.Contains(code, "BUYER") || strings.Contains(code, "USER_ACCOUNT") || strings.Contains(code, "ACCOUNT_INFO"):
		return "AliExpress refused orders from your connected buyer account (" + code + "): check the account on AliExpress, or connect another one, then place the order again"
	case strings.Contains(code, "PAY") || strings.Contains(code, "CURRENCY"):
		return "AliExpress refused the payment: " + msg
	case msg != "":
		return "AliExpress refused the order: " + msg + " (" + code + ")"
	}
	return "AliExpress refused the order"
}
