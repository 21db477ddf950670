package orders

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/store"
)

// ReportQueue queues the report of a paid order's sale (the jobs package's *Queue does it, one
// unique job per order).
type ReportQueue interface {
	EnqueueOrderReport(ctx context.Context, userID, orderID int64) error
}

// queueReport marks a paid order's report pending and queues it, unless it was sent or refused. A
// queue that fails leaves it pending: the follower queues it again on its next look.
func (s *Service) queueReport(ctx context.Context, o store.Order) {
	if o.PaidAt.IsZero() || o.Report.State == store.OrderReportSent || o.Report.State == store.OrderReportFailed || len(o.AEOrderIDs) == 0 {
		return
	}
	if o.Report.State == "" {
		r := o.Report
		r.State = store.OrderReportPending
		if _, err := s.cfg.Store.SetOrderReport(ctx, o.UserID, o.ID, r); err != nil {
			s.cfg.Logger.WarnContext(ctx, "order report state", "order_id", o.ID, "err", err)
			return
		}
	}
	if s.cfg.Reports == nil {
		if err := s.Report(ctx, o.UserID, o.ID); err != nil {
			s.cfg.Logger.WarnContext(ctx, "order report", "order_id", o.ID, "err", err)
		}
		return
	}
	if err := s.cfg.Reports.EnqueueOrderReport(ctx, o.UserID, o.ID); err != nil {
		s.cfg.Logger.WarnContext(ctx, "queue order report", "order_id", o.ID, "err", err)
	}
}

// reportPart is one product line of one AliExpress order, reported once.
type reportPart struct {
	aeID int64
	line store.OrderLine
}

func (p reportPart) key() string {
	return strconv.FormatInt(p.aeID, 10) + ":" + p.line.ProductID + ":" + attrKey(p.line.SKUAttr)
}

// Report tells AliExpress about the sale behind a paid order (ds.member.orderdata.submit, the
// platform's "data reflow"), once per product line of each AliExpress order. Each part sent is
// recorded at once, so that a retry after a failure halfway sends none twice. A refusal marks the
// report failed for good (nil is returned: trying again would be refused again); any other failure
// leaves it pending and is returned, for the job to retry later.
//
// What the real platform may do differently: a report whose answer was lost (a timeout) cannot be
// told from one never received; it is sent again, as reporting a sale twice is the lesser harm
// than not reporting it.
func (s *Service) Report(ctx context.Context, userID, id int64) error {
	o, err := s.cfg.Store.Order(ctx, userID, id)
	if err != nil {
		return err
	}
	if o.PaidAt.IsZero() || len(o.AEOrderIDs) == 0 || o.Report.State == store.OrderReportSent || o.Report.State == store.OrderReportFailed {
		return nil
	}
	r := o.Report
	var total int64
	for _, l := range o.Lines {
		total += l.StorePrice.Amount * int64(l.Quantity)
	}
	err = s.cfg.Platform.Do(ctx, userID, func(ctx context.Context, c *aliexpress.Client) error {
		parts, err := s.reportParts(ctx, c, o)
		if err != nil {
			return err
		}
		for _, p := range parts {
			if slices.Contains(r.Sent, p.key()) {
				continue
			}
			pid, _ := strconv.ParseInt(p.line.ProductID, 10, 64)
			_, err := c.DS.SubmitOrderData(ctx, &aliexpress.OrderData{OrderID: p.aeID, ProductID: pid, SKUInfo: attrKey(p.line.SKUAttr),
				ProductAmount: aliexpress.Money{Amount: p.line.StorePrice.Amount * int64(p.line.Quantity), Currency: p.line.StorePrice.Currency},
				OrderAmount:   aliexpress.Money{Amount: total, Currency: o.Currency()},
				PaidAt:        o.PaidAt, ProductURL: "https://www.aliexpress.com/item/" + p.line.ProductID + ".html"})
			if err != nil {
				return err
			}
			r.Sent = append(r.Sent, p.key())
			if _, err := s.cfg.Store.SetOrderReport(ctx, userID, id, r); err != nil {
				return err
			}
		}
		return nil
	})
	var ae *aliexpress.Error
	switch {
	case err == nil:
		r.State, r.Error, r.SentAt = store.OrderReportSent, "", s.cfg.Now()
	case errors.As(err, &ae) && !ae.Temporary():
		r.State, r.Error = store.OrderReportFailed, "AliExpress refused the report: "+ae.Message
	default:
		r.State, r.Error = store.OrderReportPending, "AliExpress did not take the report yet; aliscout tries again"
	}
	if _, serr := s.cfg.Store.SetOrderReport(ctx, userID, id, r); serr != nil {
		return serr
	}
	if r.State == store.OrderReportPending {
		return fmt.Errorf("orders: reporting order %d's sale: %w", id, err)
	}
	return nil
}

// reportParts pairs each line with the AliExpress order that holds its product: all of them with
// the one order, or, when AliExpress split the order per seller, by each order's products.
func (s *Service) reportParts(ctx context.Context, c *aliexpress.Client, o store.Order) ([]reportPart, error) {
	var parts []reportPart
	if len(o.AEOrderIDs) == 1 {
		for _, l := range o.Lines {
			parts = append(parts, reportPart{o.AEOrderIDs[0], l})
		}
		return parts, nil
	}
	holds := map[int64]map[string]bool{} // AliExpress order → its products
	for _, aeID := range o.AEOrderIDs {
		d, _, err := c.DS.Order(ctx, aeID)
		if err != nil {
			return nil, err
		}
		holds[aeID] = map[string]bool{}
		for _, it := range d.Items {
			holds[aeID][strconv.FormatInt(it.ProductID, 10)] = true
		}
	}
	for _, l := range o.Lines {
		for _, aeID := range o.AEOrderIDs {
			if holds[aeID][l.ProductID] {
				parts = append(parts, reportPart{aeID, l})
				break
			}
		}
	}
	return parts, nil
}
