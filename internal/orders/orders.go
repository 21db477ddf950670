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
// After 24 hours the key no longer protects a retry, so an intent older than RetryWindow is never
// sent again; it waits for the user.
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
	// AutoPay reports whether the user turned on paying at once (try_to_pay); nil means never.
	AutoPay func(ctx context.Context, userID int64) bool
	Now     func() time.Time // default time.Now
	Logger  *slog.Logger     // default slog.Default()
}

// Service checks, places and follows orders.
type Service struct {
	cfg Config
}

// ResolveAfter is when the following job looks at an intent whose outcome was never written (the
// process died during the call): well after any call in flight has ended. Were the call still in
// flight, the platform would refuse the repeat anyway.
const ResolveAfter = 5 * time.Minute

// RetryWindow is how long after the intent an unknown outcome may be resolved by sending the
// order again: the platform keeps an out_order_id for 24 hours; an hour is kept in hand.
const RetryWindow = 23 * time.Hour

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

// Create stores a store order; a repeat of one the user has returns it with created false.
func (s *Service) Create(ctx context.Context, o store.Order) (store.Order, bool, error) {
	for i := range o.Lines {
		o.Lines[i].ProductID = strings.TrimSpace(o.Lines[i].ProductID)
		o.Lines[i].SKUAttr = strings.TrimSpace(o.Lines[i].SKUAttr)
	}
	o.Address.Country = strings.ToUpper(strings.TrimSpace(o.Address.Country))
	return s.cfg.Store.CreateOrder(ctx, o)
}

// Check runs the pre-flight: the address rules, then for every line the variant, its stock and
// shipping to the country through the user's account. It records the problems and the cheapest
// shipping method of each line, and moves a new or checked order to checked (no problems) or
// needs_attention.
func (s *Service) Check(ctx context.Context, userID, id int64) (store.Order, error) {
	o, err := s.cfg.Store.Order(ctx, userID, id)
	if err != nil {
		return store.Order{}, err
	}
	ps := CheckAddress(o.Address)
	for i, l := range o.Lines {
		if _, err := strconv.ParseInt(l.ProductID, 10, 64); err != nil {
			ps = append(ps, Problem{Field: fmt.Sprintf("lines[%d].product_id", i), Message: "The AliExpress product id must be a number"})
		}
	}
	if len(ps) == 0 {
		lps, err := s.checkLines(ctx, &o)
		if err != nil {
			return store.Order{}, err
		}
		ps = append(ps, lps...)
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
// something ships it to the country. It sets each line's cheapest shipping method.
func (s *Service) checkLines(ctx context.Context, o *store.Order) ([]Problem, error) {
	var ps []Problem
	country := o.Address.Country
	err := s.cfg.Platform.Do(ctx, o.UserID, func(ctx context.Context, c *aliexpress.Client) error {
		ps = nil
		for i := range o.Lines {
			l := &o.Lines[i]
			field := fmt.Sprintf("lines[%d]", i)
			pid, _ := strconv.ParseInt(l.ProductID, 10, 64)
			p, _, err := c.DS.Product(ctx, pid, &aliexpress.DSProductOptions{ShipTo: country})
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
			opts, _, err := c.DS.Freight(ctx, &aliexpress.FreightQuery{ProductID: pid, SKUID: v.SKUID, Quantity: l.Quantity, ShipTo: country})
			if err != nil && !errors.Is(err, aliexpress.ErrDeliveryUnavailable) && !errors.Is(err, aliexpress.ErrNotAllowedToCountry) {
				return err
			}
			if len(opts) == 0 {
				ps = append(ps, Problem{Field: field, Message: fmt.Sprintf("This product does not ship to %s", country)})
				continue
			}
			best := opts[0]
			for _, op := range opts[1:] {
				if op.Fee.Amount < best.Fee.Amount {
					best = op
				}
			}
			l.LogisticsService = best.Code
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("orders: checking with AliExpress: %w", err)
	}
	return ps, nil
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
func (s *Service) Place(ctx context.Context, userID, id int64) (store.Order, error) {
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
	if len(o.Problems) > 0 {
		return o, &ProblemsError{Problems: o.Problems}
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
	if s.cfg.Now().Sub(o.IntentAt) > RetryWindow {
		o.Message = "AliExpress never confirmed this order and it is too late to ask it safely: check your AliExpress orders for " +
			o.OutOrderID + " before placing it by hand"
		o.NextCheckAt = time.Time{}
		return s.save(ctx, o)
	}
	return s.send(ctx, o)
}

// send calls ds.order.create for an order whose intent is written, and writes the outcome.
func (s *Service) send(ctx context.Context, o store.Order) (store.Order, error) {
	req := &aliexpress.OrderRequest{OutOrderID: o.OutOrderID, Address: shipping(o.Address), NatAddr: strings.TrimSpace(o.Address.NatAddr),
		PayCurrency: "USD"}
	if s.cfg.AutoPay != nil && s.cfg.AutoPay(ctx, o.UserID) {
		req.TryToPay = true
	}
	for _, l := range o.Lines {
		pid, _ := strconv.ParseInt(l.ProductID, 10, 64)
		req.Items = append(req.Items, aliexpress.OrderItem{ProductID: pid, Quantity: l.Quantity, SKUAttr: l.SKUAttr, LogisticsService: l.LogisticsService})
	}
	var res *aliexpress.OrderResult
	var ids []int64
	err := s.cfg.Platform.Do(ctx, o.UserID, func(ctx context.Context, c *aliexpress.Client) error {
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
	return aliexpress.ShippingAddress{
		FullName: a.FullName, ContactPerson: a.FullName, Address: a.Address, Address2: a.Address2, City: a.City,
		Province: a.Province, Country: a.Country, Zip: a.Zip, MobileNo: digits(a.Phone), PhoneCountry: a.PhoneCountry,
		CPF: digits(a.CPF), TaxNumber: a.TaxNumber, RutNo: a.RutNo, PassportNo: a.PassportNo,
	}
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
