package jobs

import (
	"context"
	"errors"
	"time"
)

// Job kinds of product tracking.

// TrackCycleArgs is the periodic tracking cycle: it checks every due watch, in batches. Unique:
// however many replicas schedule it, one cycle runs at a time, and a slow one is not joined.
type TrackCycleArgs struct{}

// Kind implements Args.
func (TrackCycleArgs) Kind() string { return "aliscout_track_cycle" }

// InsertOpts makes it unique with one attempt: a failed cycle leaves its watches due (or
// postponed with their backoff) for the next.
func (TrackCycleArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 1} }

// DeliverWebhookArgs posts one alert to its user's webhook.
type DeliverWebhookArgs struct {
	AlertID int64 `json:"alert_id"`
}

// Kind implements Args.
func (DeliverWebhookArgs) Kind() string { return "aliscout_deliver_webhook" }

// InsertOpts makes it unique per alert, retried with River's backoff (n⁴ seconds) eight times:
// about 80 minutes for a receiver that is down.
func (DeliverWebhookArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 8} }

// Tracking is the work of the tracking jobs; cmd/aliscout adapts *tracking.Tracker and
// *tracking.Alerts to it.
type Tracking interface {
	// Cycle checks the due watches. A postponed cycle is not a failure.
	Cycle(ctx context.Context) error
	// DeliverWebhook posts the alert; ErrNothingToDo when there is nothing to post (the alert or
	// the webhook was deleted).
	DeliverWebhook(ctx context.Context, alertID int64) error
}

// ErrNothingToDo cancels a job that has nothing left to do.
var ErrNothingToDo = errors.New("jobs: nothing to do")

// HandleTracking makes t the handler of the tracking jobs.
func HandleTracking(w *Workers, t Tracking) {
	Handle(w, func(ctx context.Context, work Work[TrackCycleArgs]) error { return t.Cycle(ctx) })
	Handle(w, func(ctx context.Context, work Work[DeliverWebhookArgs]) error {
		err := t.DeliverWebhook(ctx, work.Args.AlertID)
		if errors.Is(err, ErrNothingToDo) {
			return Cancel(err)
		}
		return err
	})
}

// TrackingPeriodic is the periodic tracking cycle, every `every` (default 5 minutes): watches
// are due by the hour at the finest, so a cycle every few minutes checks each close to its time.
func TrackingPeriodic(every time.Duration) []Periodic {
	if every <= 0 {
		every = 5 * time.Minute
	}
	return []Periodic{{Every: every, Args: TrackCycleArgs{}, RunOnStart: true}}
}

// EnqueueTrackCycle queues a tracking cycle now, unless one is queued or running.
func (q *Queue) EnqueueTrackCycle(ctx context.Context) error {
	_, err := q.Insert(ctx, TrackCycleArgs{}, nil)
	return err
}

// EnqueueWebhook queues the delivery of an alert to its user's webhook.
func (q *Queue) EnqueueWebhook(ctx context.Context, alertID int64) error {
	_, err := q.Insert(ctx, DeliverWebhookArgs{AlertID: alertID}, nil)
	return err
}
