package orders

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/store"
)

// How often an open order is looked at: soon after placement (AliExpress shows an order about
// 10 seconds after it is made, and payment follows), then while it waits to be shipped, then while
// it travels.
const (
	checkAfterPlacing = time.Minute
	checkUnpaid       = 2 * time.Hour
	checkUnshipped    = 6 * time.Hour
	checkShipped      = 12 * time.Hour
)

// FollowBatch is how many due orders one FollowDue run looks at.
const FollowBatch = 100

// Poke makes the order that holds an AliExpress order id due for a check now: what the
// order-status webhook does. The webhook is not trusted: the check reads AliExpress itself.
func (s *Service) Poke(ctx context.Context, aeOrderID int64) error {
	o, err := s.cfg.Store.OrderByAEOrderID(ctx, aeOrderID)
	if err != nil {
		return err
	}
	if !o.State.Open() {
		return nil
	}
	for range 5 {
		o.NextCheckAt = s.cfg.Now()
		if _, err = s.cfg.Store.UpdateOrder(ctx, o); !errors.Is(err, store.ErrConflict) {
			return err
		}
		if o, err = s.cfg.Store.Order(ctx, o.UserID, o.ID); err != nil {
			return err
		}
	}
	return err
}

// FollowDue follows every order whose check is due (and resolves those whose placement is
// unknown), and returns how many it looked at. One order failing does not stop the others: it is
// logged and looked at again at its own next check, so only failing to list the due orders is an
// error (a failed run would hold back the runs a webhook queues). Orders that fell due during the
// run (a webhook's poke) are followed in the same run, for a few rounds.
func (s *Service) FollowDue(ctx context.Context) (int, error) {
	total := 0
	for range 3 {
		n, err := s.followRound(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}

// followRound follows the orders due now, at most FollowBatch.
func (s *Service) followRound(ctx context.Context) (int, error) {
	due, err := s.cfg.Store.OrdersDue(ctx, s.cfg.Now(), FollowBatch)
	if err != nil {
		return 0, err
	}
	for _, o := range due {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		if _, err := s.Follow(ctx, o.UserID, o.ID); err != nil {
			s.cfg.Logger.WarnContext(ctx, "following an order", "order_id", o.ID, "err", err)
		}
	}
	return len(due), nil
}

// Follow reads an open order's AliExpress orders (trade.ds.order.get) and their tracking
// (ds.order.tracking.get), and records the status, the payment, the tracking numbers and the
// next check. An order whose placement is unknown is resolved instead.
func (s *Service) Follow(ctx context.Context, userID, id int64) (store.Order, error) {
	o, err := s.cfg.Store.Order(ctx, userID, id)
	if err != nil {
		return store.Order{}, err
	}
	if o.State == store.OrderPlacing {
		return s.Resolve(ctx, userID, id)
	}
	if !o.State.Open() || len(o.AEOrderIDs) == 0 {
		return o, nil
	}
	now := s.cfg.Now()
	type result struct {
		order *aliexpress.DSOrder
		track *aliexpress.TrackingInfo
	}
	results := map[int64]result{}
	err = s.cfg.Platform.Do(ctx, userID, func(ctx context.Context, c *aliexpress.Client) error {
		for _, aeID := range o.AEOrderIDs {
			d, _, err := c.DS.Order(ctx, aeID)
			if errors.Is(err, aliexpress.ErrPermission) || errors.Is(err, aliexpress.ErrItemNotFound) {
				continue // not shown yet: AliExpress shows an order some seconds after it is made
			}
			if err != nil {
				return err
			}
			r := result{order: d}
			t, _, err := c.DS.Tracking(ctx, aeID, nil)
			switch {
			case err == nil:
				r.track = t
			case errors.Is(err, aliexpress.ErrTrackingNotFound), errors.Is(err, aliexpress.ErrPermission):
			default:
				return err
			}
			results[aeID] = r
		}
		return nil
	})
	if err != nil {
		o.NextCheckAt = now.Add(checkAfterPlacing * 10)
		if _, uerr := s.save(ctx, o); uerr != nil {
			return store.Order{}, uerr
		}
		return o, fmt.Errorf("orders: following order %d: %w", o.ID, err)
	}
	if len(results) < len(o.AEOrderIDs) {
		o.NextCheckAt = now.Add(checkAfterPlacing)
		return s.save(ctx, o)
	}
	// The order as a whole is as far as its least advanced part.
	paid, shipped, delivered, cancelled := true, true, true, true
	var amount int64
	var statuses []string
	var tracking []store.OrderTracking
	for _, aeID := range o.AEOrderIDs {
		r := results[aeID]
		d := r.order
		statuses = append(statuses, d.Status)
		switch d.Status {
		case "PLACE_ORDER_SUCCESS", "PAYMENT_PROCESSING", "WAIT_COMPLETE_ADDRESS", "WAIT_GROUP":
			paid = false
		}
		// An order closed unpaid (FINISH with no logistics) is as good as cancelled.
		if d.Status != "IN_CANCEL" && (d.Status != "FINISH" || d.LogisticsStatus != "NO_LOGISTICS") {
			cancelled = false
		}
		if d.LogisticsStatus != "BUYER_ACCEPT_GOODS" {
			delivered = false
		}
		if d.Status != "WAIT_BUYER_ACCEPT_GOODS" && d.Status != "FINISH" && d.LogisticsStatus != "SELLER_SEND_GOODS" && d.LogisticsStatus != "BUYER_ACCEPT_GOODS" {
			shipped = false
		}
		if d.Amount.Currency == "USD" {
			amount += d.Amount.Amount
		}
		if r.track != nil {
			for _, p := range r.track.Packages {
				t := store.OrderTracking{AEOrderID: aeID, Carrier: p.Carrier, Number: p.TrackingNumber}
				for _, ev := range p.Events {
					if ev.Time.After(t.LastEventAt) || t.LastEvent == "" {
						t.LastEvent, t.LastEventAt = ev.Name, ev.Time.UTC()
						if ev.Description != "" {
							t.LastEvent = ev.Description
						}
					}
				}
				tracking = append(tracking, t)
			}
		}
	}
	o.AEStatus = statuses[0]
	for _, st := range statuses[1:] {
		if st != o.AEStatus {
			o.AEStatus += ", " + st
		}
	}
	if len(tracking) > 0 {
		o.Tracking = tracking
	}
	if amount > 0 {
		o.AmountUSD = amount
	}
	if paid && !cancelled && o.PaidAt.IsZero() {
		o.PaidAt = now
	}
	switch {
	case cancelled:
		o.State, o.NextCheckAt, o.Message = store.OrderCancelled, time.Time{}, "The order was cancelled or closed unpaid on AliExpress"
	case delivered:
		o.State, o.NextCheckAt, o.Message = store.OrderDelivered, time.Time{}, ""
	case shipped:
		o.State, o.NextCheckAt, o.Message = store.OrderShipped, now.Add(checkShipped), ""
	case !paid:
		o.NextCheckAt = now.Add(checkUnpaid)
	default:
		o.Message = ""
		o.NextCheckAt = now.Add(checkUnshipped)
	}
	before := o.Flags
	o.Flags = Flags(o, now)
	o.NextCheckAt = nextFlagCheck(o, now, o.NextCheckAt)
	saved, err := s.save(ctx, o)
	if err != nil {
		return saved, err
	}
	if err := s.raiseFlags(ctx, saved, before); err != nil {
		return saved, err
	}
	s.queueReport(ctx, saved)
	return s.cfg.Store.Order(ctx, userID, id)
}
