package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

func mustWatch(t *testing.T, s store.Store, user, product int64) store.Watch {
	t.Helper()
	w, err := s.CreateWatch(ctxFor(t), store.Watch{UserID: user, ProductID: product, Country: "US", Currency: "USD",
		Schedule: store.ScheduleDaily, Rule: "x2.5 .99", NextCheckAt: start})
	if err != nil {
		t.Fatalf("CreateWatch(%d, %d): %v", user, product, err)
	}
	return w
}

func testWatches(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")

	w := mustWatch(t, s, ana.ID, 1005001)
	if w.ID == 0 || w.Schedule != "daily" || w.Rule != "x2.5 .99" || !w.CreatedAt.Equal(us(start)) || !w.LastCheckedAt.IsZero() {
		t.Errorf("CreateWatch = %+v; want a daily watch created at start, never checked", w)
	}
	if _, err := s.CreateWatch(ctx, store.Watch{UserID: ana.ID, ProductID: 1005001, Country: "US", Currency: "USD",
		Schedule: "daily", NextCheckAt: start}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CreateWatch(same product twice) = %v; want ErrConflict", err)
	}
	if _, err := s.CreateWatch(ctx, store.Watch{UserID: ana.ID, ProductID: 7, Country: "US", Currency: "USD",
		Schedule: "weekly", NextCheckAt: start}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("CreateWatch(schedule weekly) = %v; want ErrInvalid", err)
	}
	bobs := mustWatch(t, s, bob.ID, 1005001)
	if _, err := s.Watch(ctx, bob.ID, w.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Watch(bob, ana's watch) = %v; want ErrNotFound", err)
	}
	if err := s.DeleteWatch(ctx, bob.ID, w.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteWatch(bob, ana's watch) = %v; want ErrNotFound", err)
	}
	if n, err := s.CountWatches(ctx, ana.ID); n != 1 || err != nil {
		t.Errorf("CountWatches(ana) = %d, %v; want 1", n, err)
	}
	both, err := s.WatchesOfProduct(ctx, 1005001, "US", "USD")
	if err != nil || len(both) != 2 {
		t.Errorf("WatchesOfProduct = %d watches, %v; want ana's and bob's", len(both), err)
	}

	w.Schedule, w.Rule = store.SchedulePaused, "x3"
	w.UserID = bob.ID
	if _, err := s.UpdateWatch(ctx, w); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("UpdateWatch(as bob) = %v; want ErrNotFound", err)
	}
	w.UserID = ana.ID
	clock.Advance(time.Minute)
	up, err := s.UpdateWatch(ctx, w)
	if err != nil || up.Schedule != "paused" || up.Rule != "x3" || !up.UpdatedAt.Equal(us(start.Add(time.Minute))) {
		t.Errorf("UpdateWatch = %+v, %v; want paused, x3", up, err)
	}

	due, err := s.DueWatches(ctx, start, 10)
	if err != nil || len(due) != 1 || due[0].ID != bobs.ID {
		t.Errorf("DueWatches = %v, %v; want bob's only (ana's is paused)", due, err)
	}
	checked := start.Add(time.Hour)
	if err := s.SetWatchChecked(ctx, bobs.ID, checked, checked.Add(24*time.Hour), "Lamp"); err != nil {
		t.Fatal(err)
	}
	if due, _ := s.DueWatches(ctx, start.Add(2*time.Hour), 10); len(due) != 0 {
		t.Errorf("DueWatches after a check = %v; want none", due)
	}
	if n, err := s.SetWatchesDue(ctx, bob.ID, nil, start); n != 1 || err != nil {
		t.Errorf("SetWatchesDue(bob) = %d, %v; want 1", n, err)
	}
	if n, _ := s.SetWatchesDue(ctx, ana.ID, []int64{bobs.ID}, start); n != 0 {
		t.Errorf("SetWatchesDue(ana, bob's watch) = %d; want 0", n)
	}
	if err := s.PostponeWatches(ctx, []int64{bobs.ID}, start.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Watch(ctx, bob.ID, bobs.ID)
	if got.Title != "Lamp" || !got.LastCheckedAt.Equal(us(checked)) || !got.NextCheckAt.Equal(us(start.Add(time.Hour))) {
		t.Errorf("Watch after checks = %+v; want Lamp, checked at %v, next at start+1h", got, checked)
	}
	if err := s.SeeWatch(ctx, bob.ID, bobs.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWatchBaseline(ctx, bob.ID, 0); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Watch(ctx, bob.ID, bobs.ID)
	if !got.SeenAt.Equal(us(start.Add(time.Minute))) || !got.BaselineAt.Equal(us(start.Add(time.Minute))) {
		t.Errorf("Watch = seen %v, baseline %v; want both at start+1m", got.SeenAt, got.BaselineAt)
	}
	if err := s.DeleteWatch(ctx, ana.ID, w.ID); err != nil {
		t.Errorf("DeleteWatch = %v", err)
	}
	if _, err := s.Watch(ctx, ana.ID, w.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Watch after delete = %v; want ErrNotFound", err)
	}
}

func testSnapshots(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	if _, err := s.LatestSnapshot(ctx, 1, "US", "USD"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("LatestSnapshot(none) = %v; want ErrNotFound", err)
	}
	for i := range 5 {
		if _, err := s.AddSnapshot(ctx, store.Snapshot{ProductID: 1, Country: "US", Currency: "USD",
			TakenAt: start.Add(time.Duration(i) * 24 * time.Hour), Data: []byte(fmt.Sprintf(`{"day":%d}`, i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.AddSnapshot(ctx, store.Snapshot{ProductID: 1, Country: "DE", Currency: "EUR", TakenAt: start, Data: []byte(`{}`)}); err != nil {
		t.Fatal(err)
	}
	last, err := s.LatestSnapshot(ctx, 1, "US", "USD")
	if err != nil || string(last.Data) != `{"day":4}` || !last.TakenAt.Equal(us(start.Add(96*time.Hour))) {
		t.Errorf("LatestSnapshot = %+v, %v; want day 4", last, err)
	}
	list, err := s.Snapshots(ctx, 1, "US", "USD", start.Add(24*time.Hour), 3)
	if err != nil || len(list) != 3 || string(list[0].Data) != `{"day":2}` || string(list[2].Data) != `{"day":4}` {
		t.Errorf("Snapshots(since day 1, limit 3) = %v, %v; want days 2-4 oldest first", list, err)
	}
	if n, err := s.CountSnapshots(ctx); n != 6 || err != nil {
		t.Errorf("CountSnapshots = %d, %v; want 6", n, err)
	}
}

// testTrackingYearSize checks the shape that keeps history small: snapshots belong to the product
// (for a country and currency), not to each watch, and one is written per change, not per check.
// 50 users watch the same 20 products daily for a year, and each product changes once a week: that
// is 50*20*365 = 365,000 checks but only 20*53 snapshots. Scaled to 10,000 watches of 10,000
// distinct products that change weekly, it is 530,000 rows of about 300 bytes: ~160 MB a year.
func testTrackingYearSize(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	const users, products, days = 50, 20, 365
	for u := range users {
		user := mustUser(t, s, fmt.Sprintf("u%d@example.com", u))
		for p := range products {
			mustWatch(t, s, user.ID, int64(1000+p))
		}
	}
	checks := 0
	err := s.WithTx(ctx, func(tx store.Store) error {
		for d := range days {
			for p := range products {
				checks += users // every user's watch is due, one check serves them all
				if d%7 != 0 {
					continue // nothing changed: no snapshot
				}
				if _, err := tx.AddSnapshot(ctx, store.Snapshot{ProductID: int64(1000 + p), Country: "US", Currency: "USD",
					TakenAt: start.Add(time.Duration(d) * 24 * time.Hour), Data: []byte(`{"variants":[{"sku":"1","price":1299,"stock":40}]}`)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.CountSnapshots(ctx)
	if want := int64(products * 53); n != want || err != nil {
		t.Errorf("CountSnapshots after %d checks = %d, %v; want %d", checks, n, err, want)
	}
	if n*50 > int64(checks) {
		t.Errorf("%d snapshots for %d checks; want at most one in 50", n, checks)
	}
}

func testAlerts(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")
	w := mustWatch(t, s, ana.ID, 1005001)
	a, isNew, err := s.AddAlert(ctx, store.Alert{UserID: ana.ID, WatchID: w.ID, ProductID: 1005001, Kind: "price_up",
		Key: "price_up:9:1", Message: "up 10%", Detail: `{}`})
	if err != nil || !isNew || a.ID == 0 || !a.ReadAt.IsZero() {
		t.Fatalf("AddAlert = %+v, %v, %v; want a new unread alert", a, isNew, err)
	}
	again, isNew, err := s.AddAlert(ctx, store.Alert{UserID: ana.ID, WatchID: w.ID, ProductID: 1005001, Kind: "price_up",
		Key: "price_up:9:1", Message: "up 10% again"})
	if err != nil || isNew || again.ID != a.ID || again.Message != "up 10%" {
		t.Errorf("AddAlert(same key) = %+v, %v, %v; want the first alert, not new", again, isNew, err)
	}
	if _, _, err := s.AddAlert(ctx, store.Alert{UserID: bob.ID, WatchID: w.ID, ProductID: 1, Kind: "gone", Key: "gone"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("AddAlert(bob on ana's watch) = %v; want ErrNotFound", err)
	}
	clock.Advance(time.Second)
	b, _, _ := s.AddAlert(ctx, store.Alert{UserID: ana.ID, WatchID: w.ID, ProductID: 1005001, Kind: "gone", Key: "gone:10"})
	list, err := s.Alerts(ctx, ana.ID, false, 10)
	if err != nil || len(list) != 2 || list[0].ID != b.ID {
		t.Errorf("Alerts = %v, %v; want both, newest first", list, err)
	}
	if n, _ := s.CountUnreadAlerts(ctx, ana.ID); n != 2 {
		t.Errorf("CountUnreadAlerts = %d; want 2", n)
	}
	if n, _ := s.MarkAlertsRead(ctx, bob.ID, []int64{a.ID}); n != 0 {
		t.Errorf("MarkAlertsRead(bob, ana's alert) = %d; want 0", n)
	}
	if n, err := s.MarkAlertsRead(ctx, ana.ID, []int64{a.ID}); n != 1 || err != nil {
		t.Errorf("MarkAlertsRead(ana, one) = %d, %v; want 1", n, err)
	}
	if unread, _ := s.Alerts(ctx, ana.ID, true, 10); len(unread) != 1 || unread[0].ID != b.ID {
		t.Errorf("Alerts(unread) = %v; want the gone alert", unread)
	}
	if got, err := s.Alert(ctx, b.ID); err != nil || got.Kind != "gone" {
		t.Errorf("Alert(%d) = %+v, %v", b.ID, got, err)
	}
	if n, _ := s.MarkAlertsRead(ctx, ana.ID, nil); n != 1 {
		t.Errorf("MarkAlertsRead(ana, all) = %d; want 1", n)
	}

	set, err := s.TrackingSettings(ctx, ana.ID)
	if err != nil || !set.EmailAlerts || set.WebhookURL != "" {
		t.Errorf("TrackingSettings(default) = %+v, %v; want email on, no webhook", set, err)
	}
	set.WebhookURL, set.SealedWebhookSecret, set.EmailAlerts = "https://hooks.example/a", "k1:sealed", false
	if _, err := s.SaveTrackingSettings(ctx, set); err != nil {
		t.Fatal(err)
	}
	got, err := s.TrackingSettings(ctx, ana.ID)
	if err != nil || got.WebhookURL != "https://hooks.example/a" || got.SealedWebhookSecret != "k1:sealed" || got.EmailAlerts {
		t.Errorf("TrackingSettings = %+v, %v; want the saved ones", got, err)
	}
	if other, _ := s.TrackingSettings(ctx, bob.ID); other.WebhookURL != "" {
		t.Errorf("TrackingSettings(bob) = %+v; want defaults", other)
	}
}
