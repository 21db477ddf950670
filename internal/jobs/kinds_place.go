package jobs

import (
	"context"
	"fmt"
	"time"
)

// PlaceOrderArgs places one supplier order: one job per order of a "place all checked orders".
// Placing is safe to repeat (an order being placed is resolved by asking AliExpress, a placed one
// is not placed again), so a retried job never makes an order twice.
type PlaceOrderArgs struct {
	UserID  int64 `json:"user_id"`
	OrderID int64 `json:"order_id"`
}

// Kind implements Args.
func (PlaceOrderArgs) Kind() string { return "aliscout_place_order" }

// InsertOpts makes it unique per order.
func (PlaceOrderArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 3} }

// OrderPlacer is the work of the place-order job; it records every outcome on the order itself
// (placed, refused, problems to fix) and returns an error only for a failure worth retrying.
type OrderPlacer interface {
	PlaceQueued(ctx context.Context, userID, orderID int64) error
}

// HandlePlaceOrders makes p the placer of queued orders.
func HandlePlaceOrders(w *Workers, p OrderPlacer) {
	Handle(w, func(ctx context.Context, work Work[PlaceOrderArgs]) error {
		return p.PlaceQueued(ctx, work.Args.UserID, work.Args.OrderID)
	})
}

// PlacePace is the time between two queued placements of one bulk placement: well under
// ds.order.create's QPS, so a bulk placement never crowds out the other work of the app.
const PlacePace = 250 * time.Millisecond

// EnqueuePlaceOrders queues the placement of each order, paced by PlacePace from now.
func (q *Queue) EnqueuePlaceOrders(ctx context.Context, userID int64, orderIDs []int64) error {
	start := time.Now()
	for i, id := range orderIDs {
		opts := InsertOpts{Unique: true, MaxAttempts: 3, ScheduledAt: start.Add(time.Duration(i) * PlacePace)}
		if _, err := q.Insert(ctx, PlaceOrderArgs{UserID: userID, OrderID: id}, &opts); err != nil {
			return fmt.Errorf("jobs: queue the placement of order %d: %w", id, err)
		}
	}
	return nil
}
