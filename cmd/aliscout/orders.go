package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/connect"
	"github.com/aliscout/aliscout/internal/jobs"
	"github.com/aliscout/aliscout/internal/orders"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/sourcing"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/tracking"
	"github.com/aliscout/aliscout/internal/web"
)

// connectPlatform places and reads orders with the user's default connected account; the calls
// are spent from the user's share of the quota, as orders.
type connectPlatform struct{ svc *connect.Service }

func (p connectPlatform) Do(ctx context.Context, userID int64, fn func(ctx context.Context, c *aliexpress.Client) error) error {
	return p.svc.Do(quota.WithCaller(ctx, userID, quota.Orders), userID, 0, fn)
}

// startOrders builds the orders service on the store and the connected accounts, and makes it
// the handler of the follower job.
func startOrders(w *jobs.Workers, db store.Store, conn *connect.Service, q *jobs.Queue, publicURL string, log *slog.Logger) *orders.Service {
	svc := orders.New(orders.Config{Store: db, Platform: connectPlatform{conn}, Logger: log, Reports: q,
		// An order's flags reach the user as tracking's alerts do: inbox, email, webhook.
		Notifier: &tracking.Delivery{Queue: q, BaseURL: publicURL, Logger: log}})
	jobs.HandleOrders(w, svc)
	jobs.HandlePlaceOrders(w, svc)
	jobs.HandleOrderReports(w, svc)
	return svc
}

// webOrders is the orders service as the web app sees it: errors in the web's kinds, and the
// webhook's poke followed by a run of the follower.
type webOrders struct {
	svc   *orders.Service
	db    store.Store
	queue *jobs.Queue
}

var _ web.Orders = webOrders{}

func (o webOrders) Create(ctx context.Context, ord store.Order) (store.Order, bool, error) {
	got, created, err := o.svc.Create(ctx, ord)
	return got, created, ordersError(err)
}

func (o webOrders) Check(ctx context.Context, userID, id int64) (store.Order, error) {
	got, err := o.svc.Check(ctx, userID, id)
	return got, ordersError(err)
}

func (o webOrders) Place(ctx context.Context, userID, id int64, confirm bool) (store.Order, error) {
	got, err := o.svc.Place(ctx, userID, id, confirm)
	return got, ordersError(err)
}

func (o webOrders) DryRun(ctx context.Context, userID, id int64) (web.OrderDryRun, error) {
	d, err := o.svc.DryRun(ctx, userID, id)
	if err != nil {
		return web.OrderDryRun{}, ordersError(err)
	}
	return web.OrderDryRun{Order: d.Order, Method: d.Method, Params: d.Params, AutoPay: d.AutoPay, Problems: d.Problems}, nil
}

// PlaceAll records the batch, then queues one paced placement job per order: the page shows the
// batch's progress from the orders' states.
func (o webOrders) PlaceAll(ctx context.Context, userID int64, ids []int64) (store.OrderBatch, error) {
	if ids == nil {
		var err error
		if ids, err = o.svc.Checked(ctx, userID); err != nil {
			return store.OrderBatch{}, err
		}
	}
	for _, id := range ids {
		if _, err := o.db.Order(ctx, userID, id); err != nil {
			return store.OrderBatch{}, fmt.Errorf("order %d: %w", id, err)
		}
	}
	if len(ids) == 0 {
		return store.OrderBatch{UserID: userID}, nil
	}
	if o.queue == nil {
		return store.OrderBatch{}, errors.New("orders: no job queue to place orders in bulk")
	}
	b, err := o.db.CreateOrderBatch(ctx, userID, ids)
	if err != nil {
		return store.OrderBatch{}, err
	}
	return b, o.queue.EnqueuePlaceOrders(ctx, userID, ids)
}

func (o webOrders) Update(ctx context.Context, userID, id int64, address *store.OrderAddress, lines []store.OrderLine) (store.Order, error) {
	got, err := o.svc.Update(ctx, userID, id, address, lines)
	return got, ordersError(err)
}

func (o webOrders) SaveMapping(ctx context.Context, m store.VariantMapping) (int, error) {
	n, err := o.svc.SaveMapping(ctx, m)
	return n, ordersError(err)
}

func (o webOrders) SetAliExpressOrders(ctx context.Context, userID, id int64, aeIDs []int64) (store.Order, error) {
	got, err := o.svc.SetAliExpressOrders(ctx, userID, id, aeIDs)
	if errors.Is(err, orders.ErrNumbersKnown) {
		return got, fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return got, ordersError(err)
}

func (o webOrders) Import(ctx context.Context, userID int64, storeName string, csv io.Reader) ([]store.Order, int, error) {
	got, n, err := o.svc.Import(ctx, userID, storeName, csv)
	return got, n, ordersError(err)
}

func (o webOrders) Poke(ctx context.Context, aeOrderID int64) error {
	if err := o.svc.Poke(ctx, aeOrderID); err != nil {
		return err
	}
	if o.queue == nil {
		return nil
	}
	return o.queue.EnqueueFollowOrders(ctx)
}

// ordersError gives an error of the orders service the web's kind: an order being placed is a
// conflict, no connected account or an ended one the web's errors, AliExpress failing in the
// catalog's words; problems to fix pass as they are (the web shows the order's problems).
func ordersError(err error) error {
	var ae *aliexpress.Error
	switch {
	case err == nil:
		return nil
	case errors.Is(err, orders.ErrNotPlaceable):
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	case errors.Is(err, orders.ErrProblems):
		return err
	case errors.Is(err, connect.ErrNotConnected):
		return catalog.Invalid("account", "connect an AliExpress account first (your account page): orders are placed with it")
	case errors.Is(err, connect.ErrReconnect):
		return fmt.Errorf("%w (%w)", web.ErrReconnect, err)
	case errors.As(err, &ae):
		return sourcing.Translate(err)
	}
	return err
}
