package tracking

import (
	"context"
	"fmt"

	"github.com/aliscout/aliscout/internal/store"
)

// Queue starts background deliveries; the jobs package's *Queue is one.
type Queue interface {
	EnqueueWebhook(ctx context.Context, alertID int64) error
	EnqueueMail(ctx context.Context) error
}

// Delivery is the Notifier that sends every new alert by email (through the outbox, in the
// check's transaction) and, when the user set a webhook, queues its delivery.
type Delivery struct {
	Queue   Queue  // nil: email only, sent when the outbox is next sent
	BaseURL string // the app's public URL, for the link in emails; "" leaves it out
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
		if d.BaseURL != "" {
			body += fmt.Sprintf("\n%s/watches/%d\n", d.BaseURL, a.WatchID)
		}
		if _, err := tx.EnqueueEmail(ctx, store.Email{To: u.Email, Subject: "aliscout: " + kindTitle(a.Kind), Body: body}); err != nil {
			return err
		}
		if d.Queue != nil {
			if err := d.Queue.EnqueueMail(ctx); err != nil {
				return err
			}
		}
	}
	if s.WebhookURL != "" && d.Queue != nil {
		return d.Queue.EnqueueWebhook(ctx, a.ID)
	}
	return nil
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
	}
	return kind
}
