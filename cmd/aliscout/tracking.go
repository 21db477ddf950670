package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/connect"
	"github.com/aliscout/aliscout/internal/jobs"
	"github.com/aliscout/aliscout/internal/sourcing"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/tracking"
	"github.com/aliscout/aliscout/internal/vault"
)

// Product tracking: the periodic cycle and webhook jobs, and what the web app's "check now" and
// webhook settings call. The jobs are registered before the queue starts; the tracker behind
// them is made once the sourcing service exists (startTracking).

// trackingJobs is the jobs.Tracking of the queue, and the web.Tracker of the app.
type trackingJobs struct {
	db    store.Store
	vault *vault.Vault

	mu      sync.Mutex
	tracker *tracking.Tracker
	alerts  *tracking.Alerts
}

// handleTracking registers the tracking jobs on w, before the queue is made.
func handleTracking(w *jobs.Workers, db store.Store, v *vault.Vault) *trackingJobs {
	t := &trackingJobs{db: db, vault: v}
	jobs.HandleTracking(w, t)
	return t
}

var errTrackingNotStarted = errors.New("tracking: not started yet")

func (t *trackingJobs) parts() (*tracking.Tracker, *tracking.Alerts, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tracker == nil {
		return nil, nil, errTrackingNotStarted
	}
	return t.tracker, t.alerts, nil
}

// Cycle implements jobs.Tracking: a postponed cycle is no failure, its watches wait their backoff.
func (t *trackingJobs) Cycle(ctx context.Context) error {
	tr, _, err := t.parts()
	if err != nil {
		return err
	}
	_, err = tr.Cycle(ctx)
	if errors.Is(err, tracking.ErrPostponed) {
		return nil
	}
	return err
}

// DeliverWebhook implements jobs.Tracking.
func (t *trackingJobs) DeliverWebhook(ctx context.Context, alertID int64) error {
	_, al, err := t.parts()
	if err != nil {
		return err
	}
	err = al.Deliver(ctx, alertID)
	if errors.Is(err, tracking.ErrNoWebhook) || errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %w", jobs.ErrNothingToDo, err)
	}
	return err
}

// CheckNow implements web.Tracker.
func (t *trackingJobs) CheckNow(ctx context.Context, userID int64, ids []int64) (tracking.CycleReport, error) {
	tr, _, err := t.parts()
	if err != nil {
		return tracking.CycleReport{}, err
	}
	return tr.CheckNow(ctx, userID, ids)
}

// SetWebhook implements web.Tracker.
func (t *trackingJobs) SetWebhook(ctx context.Context, userID int64, url string) (string, error) {
	_, al, err := t.parts()
	if err != nil {
		return "", err
	}
	return al.SetWebhook(ctx, userID, url)
}

// startTracking makes the tracker: checks through svc (the users' connected accounts for DS
// data, through conns), within tracking's share of the client's daily budget, alerts by email
// and webhook through q.
func (t *trackingJobs) startTracking(e *env, svc *sourcing.Service, conns *connect.Service, client *aliexpress.Client, q *jobs.Queue, publicURL string, log *slog.Logger) {
	src := &trackingSource{svc: svc, conns: conns}
	tr := tracking.New(t.db, src, tracking.Options{
		Logger:      log,
		Budget:      clientBudget{client},
		BudgetShare: e.cfg.Tracking.BudgetShare,
		Notifier:    &tracking.Delivery{Queue: q, BaseURL: publicURL, Logger: log},
	})
	var sealer tracking.Sealer
	if t.vault != nil {
		sealer = t.vault
	}
	al := tracking.NewAlerts(t.db, sealer, e.cfg.Tracking.WebhookAllowPrivate, nil)
	t.mu.Lock()
	t.tracker, t.alerts = tr, al
	t.mu.Unlock()
}

// clientBudget is the client's daily budget as tracking reads it.
type clientBudget struct{ c *aliexpress.Client }

func (b clientBudget) Used(ctx context.Context, now time.Time) (int, int, error) {
	return b.c.BudgetUsed(ctx)
}

// trackingSource is tracking.Source over the sourcing service: DS data through the user's default
// connected account, or through the server's own DS session (the simulator's, or
// ALIEXPRESS_ACCESS_TOKEN) for users without one.
type trackingSource struct {
	svc   *sourcing.Service
	conns *connect.Service
}

func (s *trackingSource) BatchSize() int { return s.svc.TrackBatchSize() }

func (s *trackingSource) Details(ctx context.Context, ids []int64, country, currency string) (map[int64]catalog.Product, error) {
	return s.svc.TrackDetails(ctx, ids, country, currency)
}

func (s *trackingSource) Variants(ctx context.Context, userID, id int64, country, currency string) (catalog.Product, error) {
	if s.conns != nil {
		tok, acct, err := s.conns.AccessToken(ctx, userID, 0)
		switch {
		case err == nil:
			renew := func(ctx context.Context, refused string) (string, error) {
				tok, _, err := s.conns.Renew(ctx, userID, acct.ID, refused)
				return tok, err
			}
			return s.svc.ForAccount(tok, accountKey(acct), renew).TrackVariants(ctx, id, country, currency)
		case !errors.Is(err, connect.ErrNotConnected) && !errors.Is(err, connect.ErrReconnect):
			return catalog.Product{}, err
		}
	}
	if s.svc.TrackDS() {
		return s.svc.TrackVariants(ctx, id, country, currency)
	}
	return catalog.Product{}, &catalog.Error{Code: catalog.EConfig, Message: "no connected AliExpress account for DS data"}
}
