package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// ErrNumbersKnown: the AliExpress orders of the order are known already (or it was never sent),
// so none may be typed in.
var ErrNumbersKnown = errors.New("orders: this order's AliExpress orders are known already, or it was never sent")

// PlaceQueued places one order of a bulk placement. Whatever the outcome (placed, refused,
// problems to fix, placed already), it is recorded on the order and nil is returned; an error
// means the order could not even be read or written, worth trying again.
func (s *Service) PlaceQueued(ctx context.Context, userID, id int64) error {
	_, err := s.Place(ctx, userID, id, false)
	switch {
	case err == nil, errors.Is(err, ErrProblems), errors.Is(err, ErrNotPlaceable), errors.Is(err, store.ErrNotFound):
		return nil
	}
	return err
}

// Checked returns the ids of the user's orders ready to place: checked, with no problem.
func (s *Service) Checked(ctx context.Context, userID int64) ([]int64, error) {
	all, err := s.cfg.Store.Orders(ctx, userID)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for i := len(all) - 1; i >= 0; i-- { // oldest first: the customers who waited longest
		if all[i].State == store.OrderChecked && len(all[i].Problems) == 0 {
			ids = append(ids, all[i].ID)
		}
	}
	return ids, nil
}

// SaveMapping remembers which AliExpress product and variant a store variant is bought as, and
// applies it to every line of that store variant in the user's orders not placed yet; those
// orders go back to new, to be checked again. It returns how many orders it changed.
func (s *Service) SaveMapping(ctx context.Context, m store.VariantMapping) (int, error) {
	if strings.TrimSpace(m.ProductID) != "" {
		pid, err := parseProductID(m.ProductID)
		if err != nil {
			return 0, fmt.Errorf("%w: product_id: %v", store.ErrInvalid, err)
		}
		m.ProductID = pid
	}
	m, err := s.cfg.Store.SaveVariantMapping(ctx, m)
	if err != nil {
		return 0, err
	}
	all, err := s.cfg.Store.Orders(ctx, m.UserID)
	if err != nil {
		return 0, err
	}
	changed := 0
	for _, o := range all {
		if o.Store != m.Store || (o.State != store.OrderNew && o.State != store.OrderChecked && o.State != store.OrderNeedsAttention) {
			continue
		}
		hit := false
		for i := range o.Lines {
			if o.Lines[i].StoreSKU == m.StoreSKU {
				o.Lines[i].ProductID, o.Lines[i].SKUAttr, o.Lines[i].SKUID = m.ProductID, m.SKUAttr, ""
				o.Lines[i].LogisticsService, o.Lines[i].UnitCost, o.Lines[i].ShippingCost = "", catalog.Money{}, catalog.Money{}
				hit = true
			}
		}
		if !hit {
			continue
		}
		o.State, o.Problems = store.OrderNew, nil
		if _, err := s.save(ctx, o); err != nil {
			return changed, err
		}
		changed++
	}
	return changed, nil
}

// parseProductID reads an AliExpress product id, or the id in a product link
// (".../item/1005001234567890.html").
func parseProductID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "/item/"); i >= 0 {
		s = s[i+len("/item/"):]
		if j := strings.IndexAny(s, ".?#/"); j >= 0 {
			s = s[:j]
		}
	}
	if s == "" || len(s) > 19 || strings.Trim(s, "0123456789") != "" {
		return "", fmt.Errorf("%q is not an AliExpress product id or link", s)
	}
	return s, nil
}

// SetAliExpressOrders records the AliExpress order numbers of an order whose numbers AliExpress
// never told: one it confirmed without a number, or one it never confirmed and that is too late to
// ask about. The user found them in their AliExpress orders; the follower reads them next.
func (s *Service) SetAliExpressOrders(ctx context.Context, userID, id int64, aeIDs []int64) (store.Order, error) {
	if len(aeIDs) == 0 {
		return store.Order{}, fmt.Errorf("%w: aliexpress_order_ids: give at least one AliExpress order number", store.ErrInvalid)
	}
	for range 5 {
		o, err := s.cfg.Store.Order(ctx, userID, id)
		if err != nil {
			return store.Order{}, err
		}
		now := s.cfg.Now()
		lost := o.State == store.OrderPlaced && len(o.AEOrderIDs) == 0
		stale := o.PastRetryWindow(now)
		if !lost && !stale {
			return o, ErrNumbersKnown
		}
		o.State, o.AEOrderIDs, o.NextCheckAt = store.OrderPlaced, aeIDs, now
		if o.OutcomeAt.IsZero() {
			o.OutcomeAt = now
		}
		o.Message = "AliExpress order numbers typed in by you; aliscout follows them from now"
		got, err := s.cfg.Store.UpdateOrder(ctx, o)
		if !errors.Is(err, store.ErrConflict) {
			return got, err
		}
	}
	return store.Order{}, fmt.Errorf("orders: order %d changed while its numbers were written; try again", id)
}

// Update changes the address and, when lines is not nil, the lines of an order not placed yet;
// the order goes back to new, to be checked again. An order being placed or placed is
// ErrNotPlaceable: its address is on its way to the customer already.
func (s *Service) Update(ctx context.Context, userID, id int64, address *store.OrderAddress, lines []store.OrderLine) (store.Order, error) {
	for range 5 {
		o, err := s.cfg.Store.Order(ctx, userID, id)
		if err != nil {
			return store.Order{}, err
		}
		if o.State != store.OrderNew && o.State != store.OrderChecked && o.State != store.OrderNeedsAttention {
			return o, ErrNotPlaceable
		}
		if address != nil {
			a := *address
			a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
			o.Address = a
		}
		if lines != nil {
			o.Lines = lines
			if _, err := s.applyMappings(ctx, &o); err != nil {
				return store.Order{}, err
			}
		}
		o.State, o.Problems, o.Message = store.OrderNew, nil, "" // a refusal's message is answered by the edit
		got, err := s.cfg.Store.UpdateOrder(ctx, o)
		if !errors.Is(err, store.ErrConflict) {
			return got, err
		}
	}
	return store.Order{}, fmt.Errorf("orders: order %d changed while it was edited; try again", id)
}
