package jobs

import (
	"context"
	"time"
)

// FollowOrdersArgs follows every supplier order whose check is due: it reads their status and
// tracking from AliExpress and resolves placements whose outcome is unknown. Running it twice
// does no harm: a placement is only ever resolved by asking AliExpress, never placed blindly.
type FollowOrdersArgs struct {
	// Again marks the run queued a moment after a poke that found a run going: that run may have
	// looked for due orders before the poke, and while it runs no other unique run can be queued.
	Again bool `json:"again,omitempty"`
}

// Kind implements Args.
func (FollowOrdersArgs) Kind() string { return "aliscout_follow_orders" }

// InsertOpts makes it unique: one follower at a time, however many replicas.
func (FollowOrdersArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 3} }

// OrderFollower is the work of the orders job; *orders.Service does it.
type OrderFollower interface {
	FollowDue(ctx context.Context) (int, error)
}

// HandleOrders makes f the follower of supplier orders.
func HandleOrders(w *Workers, f OrderFollower) {
	Handle(w, func(ctx context.Context, work Work[FollowOrdersArgs]) error {
		_, err := f.FollowDue(ctx)
		return err
	})
}

// OrdersPeriodic is the periodic job of supplier orders: the follower, every minute (each order
// carries its own next check, so a run with nothing due costs one query).
func OrdersPeriodic() []Periodic {
	return []Periodic{{Every: time.Minute, Args: FollowOrdersArgs{}, RunOnStart: true}}
}

// EnqueueFollowOrders queues a run of the follower now. When a run is queued or running already,
// another is queued for a moment later (once), so that an order made due while a run is ending
// is still followed at once rather than at the next periodic run.
func (q *Queue) EnqueueFollowOrders(ctx context.Context) error {
	res, err := q.Insert(ctx, FollowOrdersArgs{}, nil)
	if err != nil || !res.Duplicate {
		return err
	}
	_, err = q.Insert(ctx, FollowOrdersArgs{Again: true}, &InsertOpts{Unique: true, MaxAttempts: 3, ScheduledAt: time.Now().Add(2 * time.Second)})
	return err
}
