package tracking

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aliscout/aliscout/internal/store"
)

// Queue starts background deliveries; the jobs package's *Queue is one.
type Queue interface {
	EnqueueWebhook(ctx context.Context, alertID int64) error
	EnqueueMail(ctx context.Context) error
}

// Delivery is the Notifier that sends every new alert by email (through the outbox, in the
// check's transaction) and, when the user set a webhook, queues its delivery once the check
// committed.
type Delivery struct {
	Queue   Queue  // nil: email only, sent when the outbox is next sent
	BaseURL string // the app's public URL, for the link in emails; "" leaves it out
	Logger  *slog.Logger
}

// AlertRaised implements Notifier.
func (d *Delivery) AlertRaised(ctx context.Context, tx store.Store, a store.Alert) error {
	s, err := tx.TrackingSettings(ctx, a.UserID)
	if err != nil {
		return err
	}
	if s.EmailAlerts {
		u, err := tx.User(ctx, a.UserID)
		if err != nil {
			return err
		}
		body := fmt.Sprintf("%s\n\nProduct %d (watch %d).\n", a.Message, a.ProductID, a.WatchID)
		link := fmt.Sprintf("/watches/%d", a.WatchID)
		if a.OrderID != 0 {
			body, link = a.Message+"\n", fmt.Sprintf("/orders/%d", a.OrderID)
		}
		if d.BaseURL != "" {
			body += "\n" + d.BaseURL + link + "\n"
		}
		if _, err := tx.EnqueueEmail(ctx, store.Email{To: u.Email, Subject: "aliscout: " + kindTitle(a.Kind), Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// AlertsCommitted implements Notifier: it starts the outbox sender and queues a webhook delivery
// per alert of a user with a webhook. A queue that fails loses a webhook delivery (logged); the
// alert stays in the inbox and its email in the outbox.
func (d *Delivery) AlertsCommitted(ctx context.Context, st store.Store, alerts []store.Alert) {
	if d.Queue == nil {
		return
	}
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	mail := false
	hooks := map[int64]bool{}
	for _, a := range alerts {
		has, ok := hooks[a.UserID]
		if !ok {
			s, err := st.TrackingSettings(ctx, a.UserID)
			if err != nil {
				log.Warn("tracking: alert settings", "user", a.UserID, "err", err)
				continue
			}
			has = s.WebhookURL != ""
			hooks[a.UserID] = has
			mail = mail || s.EmailAlerts
		}
		if has {
			if err := d.Queue.EnqueueWebhook(ctx, a.ID); err != nil {
				log.Warn("tracking: queue webhook", "alert", a.ID, "err", err)
			}
		}
	}
	if mail {
		if err := d.Queue.EnqueueMail(ctx); err != nil {
			log.Warn("tracking: queue mail", "err", err)
		}
	}
}

// kindTitle is a kind as a subject line says it.
func kindTitle(kind string) string {
	switch kind {
	case KindPriceUp:
		return "price up"
	case KindPriceDown:
		return "price down"
	case KindOutOfStock:
		return "out of stock"
	case KindLowStock:
		return "low stock"
	case KindVariantAdded:
		return "variant added"
	case KindVariantRemoved:
		return "variant removed"
	case KindShipping:
		return "shipping changed"
	case KindGone:
		return "product gone"
	case KindMargin:
		return "margin under your minimum"
	case "no_tracking":
		return "an order has no tracking number"
	case "no_tracking_event":
		return "an order's parcel has not moved"
	case "late_delivery":
		return "an order is late"
	}
	return kind
}
