package jobs

import "context"

// ReportOrderArgs reports the sale behind one paid supplier order to AliExpress
// (ds.member.orderdata.submit). The order records each part sent, so a retried job sends none
// twice; River retries it with backoff while AliExpress is unavailable.
type ReportOrderArgs struct {
	UserID  int64 `json:"user_id"`
	OrderID int64 `json:"order_id"`
}

// Kind implements Args.
func (ReportOrderArgs) Kind() string { return "aliscout_report_order" }

// InsertOpts makes it unique per order.
func (ReportOrderArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 10} }

// OrderReporter is the work of the report job; *orders.Service does it.
type OrderReporter interface {
	Report(ctx context.Context, userID, orderID int64) error
}

// HandleOrderReports makes r the reporter of paid orders.
func HandleOrderReports(w *Workers, r OrderReporter) {
	Handle(w, func(ctx context.Context, work Work[ReportOrderArgs]) error {
		return r.Report(ctx, work.Args.UserID, work.Args.OrderID)
	})
}

// EnqueueOrderReport queues the report of an order's sale, unless one is queued already.
func (q *Queue) EnqueueOrderReport(ctx context.Context, userID, orderID int64) error {
	_, err := q.Insert(ctx, ReportOrderArgs{UserID: userID, OrderID: orderID}, nil)
	return err
}
