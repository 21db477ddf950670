package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

// The flags of an order on its way, as the best tools raise them.
const (
	// FlagNoTracking: no tracking number NoTrackingAfter after payment.
	FlagNoTracking = "no_tracking"
	// FlagNoTrackingEvent: shipped, not delivered, and no tracking event for NoEventFor.
	FlagNoTrackingEvent = "no_tracking_event"
	// FlagLateDelivery: not delivered by the promised date (payment plus the chosen shipping
	// method's longest delivery).
	FlagLateDelivery = "late_delivery"
)

const (
	NoTrackingAfter = 7 * 24 * time.Hour
	NoEventFor      = 48 * time.Hour
)

// Notifier delivers an order's alerts the way tracking delivers a watch's: the inbox (the alert
// itself), email through the outbox, and the user's webhook (tracking.Delivery does it).
type Notifier interface {
	AlertRaised(ctx context.Context, tx store.Store, a store.Alert) error
	AlertsCommitted(ctx context.Context, st store.Store, alerts []store.Alert)
}

// Flags returns what is wrong with an order on its way at now; a flag the order has already keeps
// the time it was first seen.
func Flags(o store.Order, now time.Time) []store.OrderFlag {
	if o.PaidAt.IsZero() || o.State == store.OrderDelivered || o.State == store.OrderCancelled || !o.State.Open() {
		return nil
	}
	var out []store.OrderFlag
	add := func(kind, msg string) {
		since := now
		for _, f := range o.Flags {
			if f.Kind == kind {
				since = f.Since
			}
		}
		out = append(out, store.OrderFlag{Kind: kind, Message: msg, Since: since})
	}
	numbers, last := 0, time.Time{}
	for _, t := range o.Tracking {
		if t.Number != "" {
			numbers++
		}
		if t.LastEventAt.After(last) {
			last = t.LastEventAt
		}
	}
	if numbers == 0 && now.Sub(o.PaidAt) >= NoTrackingAfter {
		add(FlagNoTracking, fmt.Sprintf("No tracking number %d days after payment: ask the seller on AliExpress whether it was shipped",
			int(now.Sub(o.PaidAt).Hours()/24)))
	}
	if numbers > 0 && !last.IsZero() && now.Sub(last) >= NoEventFor {
		add(FlagNoTrackingEvent, fmt.Sprintf("No tracking event for %d hours (the last on %s): the parcel may be stuck",
			int(now.Sub(last).Hours()), last.Format("2 Jan 2006")))
	}
	if due := PromisedBy(o); !due.IsZero() && now.After(due) {
		add(FlagLateDelivery, fmt.Sprintf("Not delivered by %s, the latest date the shipping method promised: consider opening a dispute on AliExpress",
			due.Format("2 Jan 2006")))
	}
	return out
}

// PromisedBy is the latest delivery the chosen shipping methods promised: payment plus the
// longest delivery of the order's lines; zero when not known.
func PromisedBy(o store.Order) time.Time {
	days := 0
	for _, l := range o.Lines {
		days = max(days, l.DeliveryDays)
	}
	if days == 0 || o.PaidAt.IsZero() {
		return time.Time{}
	}
	return o.PaidAt.Add(time.Duration(days) * 24 * time.Hour)
}

// nextFlagCheck is the latest time the follower should look at o again so that a flag is raised
// on time: the moment the next flag would become due.
func nextFlagCheck(o store.Order, now, next time.Time) time.Time {
	if o.PaidAt.IsZero() || next.IsZero() {
		return next
	}
	var dues []time.Time
	if len(o.Tracking) == 0 {
		dues = append(dues, o.PaidAt.Add(NoTrackingAfter))
	}
	if due := PromisedBy(o); !due.IsZero() {
		dues = append(dues, due.Add(time.Minute))
	}
	for _, d := range dues {
		if d.After(now) && d.Before(next) {
			next = d
		}
	}
	return next
}

// raiseFlags records the order's new flags as alerts, once each (a flag cleared and seen again
// later is a new alert), and hands them to the notifier.
func (s *Service) raiseFlags(ctx context.Context, o store.Order, before []store.OrderFlag) error {
	var fresh []store.OrderFlag
	for _, f := range o.Flags {
		if !slices.ContainsFunc(before, func(b store.OrderFlag) bool { return b.Kind == f.Kind }) {
			fresh = append(fresh, f)
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	var raised []store.Alert
	err := s.cfg.Store.WithTx(ctx, func(tx store.Store) error {
		raised = raised[:0]
		for _, f := range fresh {
			var pid int64
			if len(o.Lines) > 0 {
				fmt.Sscan(o.Lines[0].ProductID, &pid)
			}
			detail, _ := json.Marshal(map[string]any{"order_id": o.ID, "store": o.Store, "store_order_id": o.StoreOrderID,
				"aliexpress_order_ids": o.AEOrderIDs, "flag": f.Kind, "since": f.Since})
			a, isNew, err := tx.AddAlert(ctx, store.Alert{UserID: o.UserID, OrderID: o.ID, ProductID: pid, Kind: f.Kind,
				Key: f.Kind + "@" + f.Since.UTC().Format(time.RFC3339), Message: fmt.Sprintf("Order %s: %s", o.StoreOrderID, f.Message),
				Detail: string(detail)})
			if err != nil {
				return err
			}
			if !isNew {
				continue
			}
			if s.cfg.Notifier != nil {
				if err := s.cfg.Notifier.AlertRaised(ctx, tx, a); err != nil {
					return err
				}
			}
			raised = append(raised, a)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("orders: raising order %d's flags: %w", o.ID, err)
	}
	if s.cfg.Notifier != nil && len(raised) > 0 {
		s.cfg.Notifier.AlertsCommitted(ctx, s.cfg.Store, raised)
	}
	return nil
}
