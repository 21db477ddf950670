package orders_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/orders"
	"github.com/aliscout/aliscout/internal/store"
)

func TestFlags(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	paid := store.Order{State: store.OrderPlaced, PaidAt: now.Add(-8 * 24 * time.Hour),
		Lines: []store.OrderLine{{ProductID: "1", DeliveryDays: 20}, {ProductID: "2", DeliveryDays: 5}}}
	kinds := func(fs []store.OrderFlag) []string {
		var k []string
		for _, f := range fs {
			k = append(k, f.Kind)
		}
		return k
	}
	if got := kinds(orders.Flags(paid, now)); len(got) != 1 || got[0] != orders.FlagNoTracking {
		t.Errorf("paid 8 days ago, no tracking: flags %v; want no_tracking only (promised in 20 days)", got)
	}
	young := paid
	young.PaidAt = now.Add(-6 * 24 * time.Hour)
	if got := orders.Flags(young, now); len(got) != 0 {
		t.Errorf("paid 6 days ago: flags %v; want none", kinds(got))
	}
	stuck := paid
	stuck.State, stuck.PaidAt = store.OrderShipped, now.Add(-25*24*time.Hour)
	stuck.Tracking = []store.OrderTracking{{Number: "LP1", LastEventAt: now.Add(-50 * time.Hour)}}
	got := orders.Flags(stuck, now)
	if k := kinds(got); len(k) != 2 || k[0] != orders.FlagNoTrackingEvent || k[1] != orders.FlagLateDelivery {
		t.Errorf("shipped, silent 50 h, paid 25 days ago: flags %v; want no_tracking_event and late_delivery", k)
	}
	// A flag seen before keeps the time it was first seen.
	stuck.Flags = []store.OrderFlag{{Kind: orders.FlagLateDelivery, Since: now.Add(-time.Hour)}}
	if got := orders.Flags(stuck, now); !got[1].Since.Equal(now.Add(-time.Hour)) || !got[0].Since.Equal(now) {
		t.Errorf("since = %v, %v; want the first sighting kept", got[0].Since, got[1].Since)
	}
	moving := stuck
	moving.Tracking[0].LastEventAt = now.Add(-time.Hour)
	if k := kinds(orders.Flags(moving, now)); len(k) != 1 || k[0] != orders.FlagLateDelivery {
		t.Errorf("an event an hour ago: flags %v; want late_delivery only", k)
	}
	delivered := stuck
	delivered.State = store.OrderDelivered
	if got := orders.Flags(delivered, now); len(got) != 0 {
		t.Errorf("delivered: flags %v; want none", kinds(got))
	}
	if due := orders.PromisedBy(paid); !due.Equal(paid.PaidAt.Add(20 * 24 * time.Hour)) {
		t.Errorf("PromisedBy = %v; want payment + 20 days", due)
	}
}

// notes records the alerts handed to the notifier.
type notes struct {
	mu        sync.Mutex
	raised    []store.Alert
	committed int
}

func (n *notes) AlertRaised(_ context.Context, _ store.Store, a store.Alert) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.raised = append(n.raised, a)
	return nil
}

func (n *notes) AlertsCommitted(_ context.Context, _ store.Store, alerts []store.Alert) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.committed += len(alerts)
}

// TestFollowerFlagsAndReports: once a placed order is paid, its sale is reported to AliExpress
// exactly once; a paid order with no tracking number after a week raises one alert, delivered
// through the notifier, however often it is followed.
func TestFollowerFlagsAndReports(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	n := &notes{}
	e.svc = orders.New(orders.Config{Store: e.st, Platform: e.plat, Now: e.clock.Now, Notifier: n})
	o := e.storeOrder(t, "#5001")
	placed, err := e.svc.Place(ctx, e.user.ID, o.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if placed.Lines[0].DeliveryDays == 0 {
		t.Errorf("the check kept no delivery days: %+v", placed.Lines[0])
	}
	follow := func() store.Order { return e.followDue(t, o.ID) }
	e.clock.Advance(2 * time.Minute)
	if got := follow(); got.Report.State != "" {
		t.Errorf("report of an unpaid order: %+v; want none", got.Report)
	}
	reports := func() int { return e.srv.CallStats().Methods["aliexpress.ds.member.orderdata.submit"] }
	// The first report attempt finds AliExpress unavailable: the report stays pending with a reason.
	if err := e.srv.ArmFault(sandbox.CountedFault{Method: "aliexpress.ds.member.orderdata.submit", Fault: sandbox.Fault5xx, Times: 1}); err != nil {
		t.Fatal(err)
	}
	e.srv.PayOrder(placed.AEOrderIDs[0])
	if err := e.svc.Poke(ctx, placed.AEOrderIDs[0]); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Hour)
	got := follow()
	if got.PaidAt.IsZero() || got.Report.State != store.OrderReportPending || got.Report.Error == "" {
		t.Fatalf("after payment with AliExpress failing: paid %v, report %+v; want pending with a reason", got.PaidAt, got.Report)
	}
	if err := e.svc.Report(ctx, e.user.ID, o.ID); err != nil {
		t.Fatalf("Report once AliExpress is back: %v", err)
	}
	got, _ = e.st.Order(ctx, e.user.ID, o.ID)
	sent := reports()
	if got.Report.State != store.OrderReportSent || got.Report.SentAt.IsZero() || len(got.Report.Sent) != 1 {
		t.Fatalf("report = %+v; want sent, one part", got.Report)
	}
	for range 3 {
		if err := e.svc.Report(ctx, e.user.ID, o.ID); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Hour)
		follow()
	}
	if reports() != sent {
		t.Errorf("orderdata.submit calls went from %d to %d after the report was sent; want none more", sent, reports())
	}

	// A week after payment without a tracking number: one alert, however often it is followed.
	got, _ = e.st.Order(ctx, e.user.ID, o.ID)
	got.PaidAt, got.Tracking, got.NextCheckAt = e.clock.Now().Add(-8*24*time.Hour), nil, e.clock.Now()
	if _, err := e.st.UpdateOrder(ctx, got); err != nil {
		t.Fatal(err)
	}
	got = follow()
	if len(got.Tracking) != 0 {
		t.Fatalf("the simulator shipped within an hour of payment (%+v): the no-tracking case cannot be set up", got.Tracking)
	}
	found := false
	for _, f := range got.Flags {
		found = found || f.Kind == orders.FlagNoTracking
	}
	if !found {
		t.Fatalf("flags %+v; want no_tracking", got.Flags)
	}
	for range 3 {
		e.clock.Advance(time.Minute)
		got.NextCheckAt = e.clock.Now()
		if got, err = e.st.UpdateOrder(ctx, got); err != nil {
			t.Fatal(err)
		}
		got = follow()
	}
	alerts, err := e.st.Alerts(ctx, e.user.ID, false, 50)
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for _, a := range alerts {
		if a.Kind == orders.FlagNoTracking && a.OrderID == o.ID {
			count++
		}
	}
	if count != 1 || len(n.raised) == 0 || n.committed != len(n.raised) {
		t.Errorf("no_tracking alerts = %d, notifier raised %d committed %d; want one, delivered", count, len(n.raised), n.committed)
	}
}
