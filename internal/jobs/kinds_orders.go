package jobs

import (
	"context"
	"time"
)

// FollowOrdersArgs follows every supplier order whose check is due: it reads their status and
// tracking from AliExpress and resolves placements whose outcome is unknown. Running it twice
// does no harm: a placement is only ever resolved by asking AliExpress, never placed blindly.
type FollowOrdersArgs struct{}

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

// EnqueueFollowOrders queues a run of the follower now, unless one is queued or running.
func (q *Queue) EnqueueFollowOrders(ctx context.Context) error {
	_, err := q.Insert(ctx, FollowOrdersArgs{}, nil)
	return err
}
