package storetest

import (
	"errors"
	"slices"
	"testing"

	"github.com/aliscout/aliscout/internal/store"
)

// testFulfilment: order settings default until saved and are per user; a store variant's mapping
// is replaced, never duplicated, and scoped by user and store; bulk placements keep their orders
// and are only their user's.
func testFulfilment(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")

	got, err := s.OrderSettings(ctx, ana.ID)
	if err != nil || got != store.DefaultOrderSettings(ana.ID) {
		t.Fatalf("OrderSettings before any save = %+v, %v; want the defaults", got, err)
	}
	saved, err := s.SaveOrderSettings(ctx, store.OrderSettings{UserID: ana.ID, AutoPay: true, MarginFloorPct: -5.5, MaxDeliveryDays: 20})
	if err != nil {
		t.Fatal(err)
	}
	if got, err = s.OrderSettings(ctx, ana.ID); err != nil || got != saved || !got.AutoPay || got.MarginFloorPct != -5.5 || got.MaxDeliveryDays != 20 {
		t.Errorf("OrderSettings after save = %+v, %v; want %+v", got, err, saved)
	}
	if got, err = s.OrderSettings(ctx, bob.ID); err != nil || got.AutoPay {
		t.Errorf("bob's settings = %+v, %v; want his own defaults", got, err)
	}
	if _, err := s.SaveOrderSettings(ctx, store.OrderSettings{UserID: 99999}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("settings of a user who does not exist: err = %v; want ErrNotFound", err)
	}

	if _, err := s.SaveVariantMapping(ctx, store.VariantMapping{UserID: ana.ID, Store: "shop", StoreSKU: "TEE-RED-M"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("mapping without a product: err = %v; want ErrInvalid", err)
	}
	for _, m := range []store.VariantMapping{
		{UserID: ana.ID, Store: "shop", StoreSKU: "TEE-RED-M", ProductID: "1005001", SKUAttr: "14:10"},
		{UserID: ana.ID, Store: "shop", StoreSKU: "TEE-RED-M", ProductID: "1005002", SKUAttr: "14:29"}, // replaces
		{UserID: ana.ID, Store: "shop", StoreSKU: "MUG", ProductID: "1005003"},
		{UserID: ana.ID, Store: "other", StoreSKU: "MUG", ProductID: "1005004"},
		{UserID: bob.ID, Store: "shop", StoreSKU: "MUG", ProductID: "1005005"},
	} {
		if _, err := s.SaveVariantMapping(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := s.VariantMappings(ctx, ana.ID, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].StoreSKU != "MUG" || ms[0].ProductID != "1005003" || ms[1].ProductID != "1005002" || ms[1].SKUAttr != "14:29" {
		t.Errorf("ana's mappings for shop = %+v; want MUG→1005003 and TEE-RED-M→1005002 14:29", ms)
	}

	b, err := s.CreateOrderBatch(ctx, ana.ID, []int64{3, 1, 2})
	if err != nil {
		t.Fatal(err)
	}
	got2, err := s.OrderBatch(ctx, ana.ID, b.ID)
	if err != nil || !slices.Equal(got2.OrderIDs, []int64{3, 1, 2}) || got2.UserID != ana.ID {
		t.Errorf("OrderBatch = %+v, %v; want orders 3, 1, 2", got2, err)
	}
	if _, err := s.OrderBatch(ctx, bob.ID, b.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob reading ana's batch: err = %v; want ErrNotFound", err)
	}
	b2, _ := s.CreateOrderBatch(ctx, ana.ID, []int64{4})
	if latest, err := s.LatestOrderBatch(ctx, ana.ID); err != nil || latest.ID != b2.ID {
		t.Errorf("LatestOrderBatch = %+v, %v; want batch %d", latest, err, b2.ID)
	}
	if _, err := s.LatestOrderBatch(ctx, bob.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob's latest batch: err = %v; want ErrNotFound", err)
	}
}

// testOrderAlertsAndReport: an order's alert is stored once per order and key, only for the
// order's user, and listed with the watches' alerts; flags are written by UpdateOrder; the report
// state is written by SetOrderReport alone, without moving the order's version.
func testOrderAlertsAndReport(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")
	o, _, err := s.CreateOrder(ctx, sampleOrder(ana.ID, "#1001"))
	if err != nil {
		t.Fatal(err)
	}
	a := store.Alert{UserID: ana.ID, OrderID: o.ID, ProductID: 1005001, Kind: "no_tracking", Key: "no_tracking", Message: "no tracking"}
	first, isNew, err := s.AddAlert(ctx, a)
	if err != nil || !isNew || first.OrderID != o.ID || first.WatchID != 0 {
		t.Fatalf("AddAlert for an order = %+v, %v, %v", first, isNew, err)
	}
	again, isNew, err := s.AddAlert(ctx, a)
	if err != nil || isNew || again.ID != first.ID {
		t.Errorf("the same order alert again = %+v, %v, %v; want the first, not new", again, isNew, err)
	}
	if _, _, err := s.AddAlert(ctx, store.Alert{UserID: bob.ID, OrderID: o.ID, Kind: "no_tracking", Key: "x", Message: "m"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an alert on another user's order: err = %v; want ErrNotFound", err)
	}
	list, err := s.Alerts(ctx, ana.ID, true, 10)
	if err != nil || len(list) != 1 || list[0].OrderID != o.ID {
		t.Errorf("Alerts = %+v, %v; want the order's alert", list, err)
	}
	got, err := s.Alert(ctx, first.ID)
	if err != nil || got.OrderID != o.ID || got.Kind != "no_tracking" {
		t.Errorf("Alert = %+v, %v", got, err)
	}

	o.Flags = []store.OrderFlag{{Kind: "no_tracking", Message: "no tracking", Since: us(start)}}
	if o, err = s.UpdateOrder(ctx, o); err != nil || len(o.Flags) != 1 || !o.Flags[0].Since.Equal(us(start)) {
		t.Fatalf("UpdateOrder with flags = %+v, %v", o.Flags, err)
	}
	r := store.OrderReport{State: store.OrderReportSent, SentAt: us(start), Sent: []string{"81:1005001"}}
	got2, err := s.SetOrderReport(ctx, ana.ID, o.ID, r)
	if err != nil || got2.Report.State != store.OrderReportSent || !slices.Equal(got2.Report.Sent, r.Sent) || got2.Version != o.Version {
		t.Errorf("SetOrderReport = %+v (version %d), %v; want it kept, version %d", got2.Report, got2.Version, err, o.Version)
	}
	if _, err := s.UpdateOrder(ctx, o); err != nil {
		t.Errorf("an update over the report's write: %v; want none (the report leaves the version)", err)
	}
	if after, _ := s.Order(ctx, ana.ID, o.ID); after.Report.State != store.OrderReportSent {
		t.Errorf("UpdateOrder overwrote the report: %+v", after.Report)
	}
	if _, err := s.SetOrderReport(ctx, bob.ID, o.ID, r); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("bob setting ana's report: err = %v; want ErrNotFound", err)
	}
}
